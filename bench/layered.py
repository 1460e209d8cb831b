"""The layered floor: DuckDB alone doing the least a bronze → silver → gold refresh of the same CSV
files must do, each layer read back from the one before it, as a refresh builds them.

Per file, bronze is the file as read (every column as text) with its lineage (the file's name, the
run, each row's number), written to Parquet; silver is bronze read back, every field trimmed (one
operation per cell, less than any typing) and an md5 row ID added, written to Parquet; gold is each
network file's silver read back, sorted by that ID (an order unrelated to the file's, as gold's by
utility, feeder and segment is), written to Parquet. Files are built side by side, one per core,
the largest first, as a refresh loads its sources.

No typing, validation or quarantine, no workbook (the raw floor, bench/rawcopy.py, reads none
either), no feeder, DER or substation table, no history, no application to start: a refresh of
these files on DuckDB does all this and more, so the layered floor's time is a floor under its
time. It imports DuckDB alone and is run by path:

    python bench/layered.py --out <empty dir> <file.csv> ...
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import duckdb
from rawcopy import command_line, literal  # beside this file, which is run by path as rawcopy is

BRONZE = (
    "COPY (SELECT *, {name} AS _file, 'run' AS _run_id, row_number() OVER () AS _row FROM read_csv({csv}, all_varchar = true))"
    " TO {bronze} (FORMAT parquet)"
)
SILVER = (
    "COPY (SELECT md5(_file || ':' || _row) AS _id, {fields}, _file, _run_id, _row FROM {bronze}) TO {silver} (FORMAT parquet)"
)
GOLD = "COPY (SELECT * FROM {silver} ORDER BY _id) TO {gold} (FORMAT parquet)"


def _identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def build(files: list[Path], out: Path) -> None:
    """Write `<n>_bronze`, `<n>_silver` and, for a network file, `<n>_gold` Parquet files under
    `out`, files side by side: numbering a file's rows takes DuckDB one thread."""
    out.mkdir(parents=True, exist_ok=True)
    connection = duckdb.connect()
    numbered = sorted(enumerate(files), key=lambda item: -item[1].stat().st_size)
    with ThreadPoolExecutor(os.cpu_count() or 1) as workers:
        for done in [workers.submit(_layers, connection.cursor(), number, csv, out) for number, csv in numbered]:
            done.result()


def _layers(connection: duckdb.DuckDBPyConnection, number: int, csv: Path, out: Path) -> None:
    bronze, silver = literal(out / f"{number}_bronze.parquet"), literal(out / f"{number}_silver.parquet")
    connection.execute(BRONZE.format(name=literal(csv.name), csv=literal(csv), bronze=bronze))
    columns = [row[0] for row in connection.execute(f"DESCRIBE SELECT * FROM {bronze}").fetchall()]
    data = [c for c in columns if c not in ("_file", "_run_id", "_row")]
    fields = ", ".join(f"trim({_identifier(c)}) AS {_identifier(c)}" for c in data)
    connection.execute(SILVER.format(fields=fields, bronze=bronze, silver=silver))
    if csv.parent.name == "network":
        connection.execute(GOLD.format(silver=silver, gold=literal(out / f"{number}_gold.parquet")))
    connection.close()


if __name__ == "__main__":
    command_line(build, __doc__)

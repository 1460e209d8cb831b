"""The raw floor: DuckDB reads each CSV file (every column as text) and writes it to Parquet.

Nothing else: no hashing, no cleaning, no gold, no catalog. Run as its own process, interpreter start
included, it is the least any tool must pay to touch the same data, so hostcap's whole-command
refresh divided by it says how much of a refresh is more than touching the data. It imports DuckDB
alone (not the bench package, not hostcap), which is why it is run by path:

    python bench/rawcopy.py --out <empty dir> <file.csv> ...
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path

import duckdb

#: one statement per file; the paths are quoted SQL string literals
COPY = "COPY (SELECT * FROM read_csv({csv}, all_varchar = true)) TO {parquet} (FORMAT parquet)"


def literal(path: Path | str) -> str:
    """A path as a quoted SQL string literal."""
    return "'" + str(path).replace("'", "''") + "'"


def copy(files: list[Path], out: Path) -> None:
    """Write `<n>_<stem>.parquet` under `out` for each file (numbered: two files may share a name)."""
    out.mkdir(parents=True, exist_ok=True)
    connection = duckdb.connect()
    for number, csv in enumerate(files):
        connection.execute(COPY.format(csv=literal(csv), parquet=literal(out / f"{number}_{csv.stem}.parquet")))


def command_line(write: Callable[[list[Path], Path], None], doc: str) -> None:
    """`--out <empty dir> <file.csv> ...` read from the command line and `write(files, out)` run:
    the command of this floor and of the layered one (bench/layered.py)."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True, help="Directory for the Parquet files.")
    parser.add_argument("files", type=Path, nargs="+", help="CSV files to read.")
    args = parser.parse_args()
    write(args.files, args.out)


if __name__ == "__main__":
    command_line(copy, __doc__)

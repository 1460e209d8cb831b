"""A DuckDB database file holding Arrow tables: the release bundle's `hostcap.duckdb`.

Kept in `engine/`, the one package that imports DuckDB, beside the engine that runs refreshes.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pyarrow as pa


def write_database(path: Path, tables: dict[str, pa.Table]) -> None:
    """Write a new database file at `path` with one table per entry, named as the key, rows in order."""
    with duckdb.connect(str(path)) as db:
        for name, table in tables.items():
            db.register("_incoming", table)
            db.execute(f'CREATE TABLE "{name}" AS SELECT * FROM _incoming')
            db.unregister("_incoming")
        db.execute("CHECKPOINT")

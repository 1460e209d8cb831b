"""Build a snapshot's release bundle: one zip for people who want the whole statewide data set.

    hostcap-<snapshot>/datapackage.json      Frictionless Data Package (schemas, keys, sources, licenses)
    hostcap-<snapshot>/CHANGES.md            what changed since the previous publish
    hostcap-<snapshot>/hostcap.duckdb        every table in one DuckDB database
    hostcap-<snapshot>/csv/<table>.csv       every table as CSV (raw values, see below)
    hostcap-<snapshot>/parquet/<table>.parquet

Built from a published snapshot's gold files once, after its publish, and kept in the lake beside
the snapshot (see hostcap.release.stored and `Lake.write_bundle`). Its CSV files hold
the values exactly (no formula neutralization, unlike downloads meant for a spreadsheet): they
are data for tools, described by the package's schema, and must equal the published gold.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import tempfile
import zipfile
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from hostcap.config import SourceConfig
from hostcap.diff import diff_snapshots
from hostcap.engine.database import write_database
from hostcap.errors import LakeError
from hostcap.io.export import write_csv
from hostcap.lake import GOLD_TABLES, Lake
from hostcap.release import datapackage, folder, summary

DATABASE = "hostcap.duckdb"


def _csv(table: pa.Table) -> bytes:
    sink = io.BytesIO()
    write_csv(table, sink, raw=True)
    return sink.getvalue()


def _parquet(table: pa.Table) -> bytes:
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink, compression="zstd")
    return sink.getvalue().to_pybytes()


def _database(tables: dict[str, pa.Table]) -> bytes:
    with tempfile.TemporaryDirectory(prefix="hostcap-bundle-") as scratch:
        path = Path(scratch) / DATABASE
        write_database(path, tables)
        return path.read_bytes()


def change_summary(lake: Lake, snapshot: str, previous: str | None) -> str:
    if previous is None:
        return summary.first_publish(snapshot)
    try:
        return summary.render(diff_snapshots(lake, previous, snapshot))
    except LakeError as exc:  # a damaged or vanished previous snapshot does not stop a publish
        return summary.unknown_previous(snapshot, previous, exc.message)


def build(lake: Lake, snapshot: str, previous: str | None, configs: list[SourceConfig]) -> bytes:
    """The zip of `snapshot`'s gold tables, its data package and its changes since `previous`.

    Deflate level 1: a first download may wait for it (level 6 made the real files' bundle 8%
    smaller but compressed several times slower)."""
    root = folder(snapshot)
    tables = {name: lake.read_table(name, snapshot=snapshot) for name in GOLD_TABLES}
    out = io.BytesIO()
    # one thread, no pool: it runs in a process that may be stopping (hostcap.release.stored),
    # where a pool takes no new work
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as bundle:
        resources = []
        for name, table in tables.items():
            files = {"csv": f"csv/{name}.csv", "parquet": f"parquet/{name}.parquet", "duckdb": DATABASE}
            csv = _csv(table)
            bundle.writestr(f"{root}/{files['csv']}", csv)
            bundle.writestr(f"{root}/{files['parquet']}", _parquet(table), zipfile.ZIP_STORED)
            digest = (hashlib.sha256(csv).hexdigest(), len(csv))
            resources.append(datapackage.resource(name, table.schema, files, digest, configs))
        bundle.writestr(f"{root}/{DATABASE}", _database(tables))
        created = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        descriptor = datapackage.package(snapshot, created, resources, configs)
        bundle.writestr(f"{root}/datapackage.json", json.dumps(descriptor, indent=1, ensure_ascii=False))
        bundle.writestr(f"{root}/CHANGES.md", change_summary(lake, snapshot, previous))
    return out.getvalue()

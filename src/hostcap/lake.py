"""The lake: snapshots of every layer, and the one pointer that says which snapshot is published.

Layout under the lake root:
    snapshots/<run id>/{bronze,silver,quarantine,excluded}/<utility>/<dataset>.parquet
    snapshots/<run id>/gold/<table>.parquet
    snapshots/<run id>/report.json
    CURRENT.json            {"snapshot": <run id>, "published_at": ...}

A refresh writes a whole new snapshot first and publishes it by replacing CURRENT.json in one
atomic step, so a reader never sees a half-written snapshot.
"""

from __future__ import annotations

import datetime as dt
import json

import pyarrow as pa

from hostcap.errors import LakeError
from hostcap.io.storage import Storage

POINTER = "CURRENT.json"
GOLD_TABLES = ("feeders", "feeder_segments", "substations", "ders")


class Lake:
    def __init__(self, root: str):
        self.root = root
        self.storage = Storage(root)

    @staticmethod
    def _table_path(snapshot: str, layer: str, name: str) -> str:
        return f"snapshots/{snapshot}/{layer}/{name}.parquet"

    def write_table(self, snapshot: str, layer: str, name: str, table: pa.Table) -> None:
        self.storage.write_parquet(self._table_path(snapshot, layer, name), table)

    def read_table(self, name: str, layer: str = "gold", snapshot: str | None = None) -> pa.Table:
        snapshot = snapshot or self.require_current()
        path = self._table_path(snapshot, layer, name)
        if not self.storage.exists(path):
            raise LakeError(f"no {layer} table {name!r} in snapshot {snapshot}")
        return self.storage.read_parquet(path)

    def write_report(self, snapshot: str, report: dict) -> None:
        self.storage.write_bytes_atomic(f"snapshots/{snapshot}/report.json", json.dumps(report, indent=2).encode())

    def read_report(self, snapshot: str) -> dict:
        path = f"snapshots/{snapshot}/report.json"
        if not self.storage.exists(path):
            raise LakeError(f"no refresh report for snapshot {snapshot}")
        return json.loads(self.storage.read_bytes(path))

    def publish(self, snapshot: str) -> None:
        """Make `snapshot` the one readers see, in one atomic step."""
        pointer = {"snapshot": snapshot, "published_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds")}
        self.storage.write_bytes_atomic(POINTER, json.dumps(pointer).encode())

    def current(self) -> str | None:
        if not self.storage.exists(POINTER):
            return None
        return json.loads(self.storage.read_bytes(POINTER))["snapshot"]

    def require_current(self) -> str:
        snapshot = self.current()
        if snapshot is None:
            raise LakeError(f"the lake at {self.root} has no published snapshot yet: run `hostcap refresh` first")
        return snapshot

    def snapshots(self) -> list[str]:
        return self.storage.list_dirs("snapshots")

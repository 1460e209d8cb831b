"""The lake: snapshots of every layer, the pointer to the published one, history and run reports.

Layout under the lake root:
    snapshots/<id>/{bronze,silver,quarantine,excluded}/<utility>/<dataset>.parquet
    snapshots/<id>/gold/<table>.parquet
    snapshots/<id>/manifest.json   per source: fingerprint, where its bronze/silver live, its report
    CURRENT.json                   {"snapshot": <id>, "published_at": ...}  (replaced atomically)
    HISTORY.json                   every snapshot published, oldest first (retention trims it)
    runs/<run id>.json             the report of every refresh, published or not
    refresh.lock                   held by the running refresh (a flock locally, a lease object on S3)

A refresh writes a whole new snapshot (an unchanged source's bronze and silver stay where an
earlier snapshot wrote them; the manifest points there) and publishes it by replacing
CURRENT.json in one step, so a reader never sees a half-written snapshot. A snapshot directory
that was never published is debris of a crashed or rejected refresh, removed by the next one.
"""

from __future__ import annotations

import datetime as dt
import json

import pyarrow as pa

from hostcap.errors import LakeError
from hostcap.io.s3 import S3Access
from hostcap.io.storage import Storage

POINTER = "CURRENT.json"
HISTORY = "HISTORY.json"
GOLD_TABLES = ("feeders", "feeder_segments", "substations", "ders")


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


class Lake:
    def __init__(self, root: str, s3: S3Access | None = None):
        self.root = root
        self.storage = Storage(root, s3)

    # tables ----------------------------------------------------------------------------------

    @staticmethod
    def _table_path(snapshot: str, layer: str, name: str) -> str:
        return f"snapshots/{snapshot}/{layer}/{name}.parquet"

    def write_table(self, snapshot: str, layer: str, name: str, table: pa.Table) -> None:
        self.storage.write_parquet(self._table_path(snapshot, layer, name), table)

    def read_table(self, name: str, layer: str = "gold", snapshot: str | None = None) -> pa.Table:
        """A table of a snapshot (default: the published one); a source's bronze and silver are
        found where the snapshot's manifest says they were built."""
        snapshot = snapshot or self.require_current()
        if layer != "gold":
            entry = self.read_manifest(snapshot).get(name)
            snapshot = entry["snapshot"] if entry else snapshot
        path = self._table_path(snapshot, layer, name)
        if not self.storage.exists(path):
            raise LakeError(f"no {layer} table {name!r} in snapshot {snapshot}")
        return self.storage.read_parquet(path)

    # manifests ---------------------------------------------------------------------------------

    def write_manifest(self, snapshot: str, sources: dict[str, dict]) -> None:
        self.storage.write_bytes_atomic(f"snapshots/{snapshot}/manifest.json", json.dumps(sources, indent=1).encode())

    def read_manifest(self, snapshot: str) -> dict[str, dict]:
        path = f"snapshots/{snapshot}/manifest.json"
        return json.loads(self.storage.read_bytes(path)) if self.storage.exists(path) else {}

    # run reports -------------------------------------------------------------------------------

    def write_report(self, run_id: str, report: dict) -> None:
        self.storage.write_bytes_atomic(f"runs/{run_id}.json", json.dumps(report, indent=1).encode())

    def read_report(self, run_id: str) -> dict:
        path = f"runs/{run_id}.json"
        if not self.storage.exists(path):
            raise LakeError(f"no refresh run {run_id!r} in the lake at {self.root}")
        return json.loads(self.storage.read_bytes(path))

    def runs(self) -> list[str]:
        """Run ids, oldest first (ids sort by time)."""
        return sorted(ref.name.removesuffix(".json") for ref in self.storage.list_files("runs", "*.json"))

    # publishing and history --------------------------------------------------------------------

    def pointer(self) -> dict | None:
        """The published pointer, `{"snapshot", "published_at"}`, or None before the first publish
        (after making sure the lake's bucket exists, so a wrong bucket is not taken for a new lake)."""
        if not self.storage.exists(POINTER):
            self.storage.check()
            return None
        return json.loads(self.storage.read_bytes(POINTER))

    def current(self) -> str | None:
        pointer = self.pointer()
        return pointer["snapshot"] if pointer else None

    def require_current(self) -> str:
        snapshot = self.current()
        if snapshot is None:
            raise LakeError(f"the lake at {self.root} has no published snapshot yet: run `hostcap refresh` first")
        return snapshot

    def history(self) -> list[dict]:
        """Published snapshots, oldest first: `{"snapshot", "published_at"}`."""
        return json.loads(self.storage.read_bytes(HISTORY)) if self.storage.exists(HISTORY) else []

    def snapshots(self) -> list[str]:
        return [item["snapshot"] for item in self.history()]

    def publish(self, snapshot: str) -> None:
        """Make `snapshot` the one readers see, in one atomic step, and record it in the history."""
        if not self.storage.exists(f"snapshots/{snapshot}/manifest.json"):
            raise LakeError(f"snapshot {snapshot} is not complete (no manifest); it cannot be published")
        published_at = _now()
        self.storage.write_bytes_atomic(POINTER, json.dumps({"snapshot": snapshot, "published_at": published_at}).encode())
        history = [item for item in self.history() if item["snapshot"] != snapshot]
        history.append({"snapshot": snapshot, "published_at": published_at})
        self.storage.write_bytes_atomic(HISTORY, json.dumps(history, indent=1).encode())

    def rollback(self, snapshot: str) -> None:
        """Publish an earlier snapshot again."""
        if snapshot not in self.snapshots():
            raise LakeError(f"snapshot {snapshot!r} is not in the history; see `hostcap snapshots`")
        self.publish(snapshot)

    def _referenced(self, snapshots: list[str]) -> set[str]:
        """The snapshots themselves and every snapshot their manifests borrow bronze/silver from."""
        keep = set(snapshots)
        for snapshot in snapshots:
            keep |= {entry["snapshot"] for entry in self.read_manifest(snapshot).values()}
        return keep

    def collect_garbage(self, keep_last: int) -> list[str]:
        """Trim the history to the last `keep_last` snapshots (the published one always stays) and
        delete every snapshot directory nothing kept refers to: old ones and debris of refreshes
        that never published. Call it only while holding the refresh lock."""
        history = self.history()
        current = self.current()
        kept = [item for i, item in enumerate(history) if i >= len(history) - keep_last or item["snapshot"] == current]
        if kept != history:
            self.storage.write_bytes_atomic(HISTORY, json.dumps(kept, indent=1).encode())
        keep = self._referenced([item["snapshot"] for item in kept] + ([current] if current else []))
        removed = [name for name in self.storage.list_dirs("snapshots") if name not in keep]
        for name in removed:
            self.storage.delete_dir(f"snapshots/{name}")
        return removed

    def prune_runs(self, keep: int, current: str) -> list[str]:
        """Delete the reports of all but the last `keep` runs (counting the `current` one, which
        stays whatever its id sorts as), except those of snapshots the history keeps (a served
        snapshot's summaries come from its run's report). Call it only while holding the
        refresh lock."""
        kept = {current, *self.snapshots()}
        older = [run_id for run_id in self.runs() if run_id != current]
        removed = [run_id for run_id in older[: max(len(older) + 1 - keep, 0)] if run_id not in kept]
        for run_id in removed:
            self.storage.delete_file(f"runs/{run_id}.json")
        return removed

"""The lake: snapshots of every layer, the pointer to the published one, history and run reports.

Layout under the lake root:
    snapshots/<id>/{bronze,silver,quarantine,excluded}/<utility>/<dataset>.parquet
    snapshots/<id>/gold/<table>.parquet
    snapshots/<id>/manifest.json   per source: fingerprint, where its bronze/silver live, its report
    snapshots/<id>/checksums.json  the seal: sha256 and size of every file the snapshot is made of
    snapshots/<id>/bundle/         its release bundle (hostcap.release), made after the publish: <sha256>.zip and BUNDLE.json naming it
    CURRENT.json                   {"snapshot": <id>, "published_at": ...}  (replaced atomically)
    HISTORY.json                   every snapshot published, oldest first (retention trims it)
    runs/<run id>.json             the report of every refresh, published or not
    refresh.lock                   held by the running refresh (a flock locally, a lease object on S3)

A refresh writes a whole new snapshot (an unchanged source's bronze and silver stay where an
earlier snapshot wrote them; the manifest points there) and publishes it by replacing
CURRENT.json in one step, so a reader never sees a half-written snapshot. A snapshot directory
that was never published is debris of a crashed or rejected refresh, removed by the next one.

Every file is checked when it is read (see `seal`): a damaged one raises LakeDamaged naming it,
so readers can pass over a damaged snapshot to the newest intact one (`candidates`, `verify`)
and a refresh can rebuild what is damaged (`baseline`).
"""

from __future__ import annotations

import datetime as dt
import json
import threading
from collections.abc import Collection, Iterable, Iterator
from typing import TYPE_CHECKING

from hostcap import seal as sealing
from hostcap.errors import LakeDamaged, LakeError
from hostcap.io.s3 import S3Access
from hostcap.io.storage import Storage
from hostcap.lake_damage import Baseline, DamageChecks, Published
from hostcap.seal import GOLD_TABLES, SOURCE_LAYERS, Checksum

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = ["GOLD_TABLES", "Baseline", "Lake", "Published"]

POINTER = "CURRENT.json"
HISTORY = "HISTORY.json"
#: a snapshot's release bundle (hostcap.release): `<sha256>.zip` and the pointer naming it
BUNDLE_DIR = "bundle"
BUNDLE_POINTER = "BUNDLE.json"


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


class Lake(DamageChecks):
    def __init__(self, root: str, s3: S3Access | None = None):
        self.root = root
        self.storage = Storage(root, s3)
        # checksums of the tables written by this process and not yet sealed (sources load side by side)
        self._written: dict[str, Checksum] = {}
        self._written_lock = threading.Lock()

    # tables ----------------------------------------------------------------------------------

    @staticmethod
    def _table_path(snapshot: str, layer: str, name: str) -> str:
        return f"snapshots/{snapshot}/{layer}/{name}.parquet"

    def write_table(
        self,
        snapshot: str,
        layer: str,
        name: str,
        rows: pa.Table | pa.RecordBatchReader,
        statistics: Collection[str] | None = None,
    ) -> str:
        """Write the table (whole, or streamed as batches) in one step and remember its checksum
        for the snapshot's seal; returns its path. With `statistics`, only those columns get
        min/max in the file (see hostcap.io.parquet_options)."""
        path = self._table_path(snapshot, layer, name)
        self._write_parquet(path, rows, statistics)
        return path

    def write_scannable(
        self, snapshot: str, layer: str, name: str, rows: pa.Table | pa.RecordBatchReader
    ) -> tuple[str, sealing.WrittenParquet]:
        """Write the table as `write_table` does; returns its path and the rows as written, to
        scan again from the file as written (`seal.WrittenParquet`, a private copy of the file)
        rather than keep as Arrow."""
        path = self._table_path(snapshot, layer, name)
        return path, sealing.WrittenParquet(self._write_parquet(path, rows), rows.schema)

    def _write_parquet(
        self, path: str, rows: pa.Table | pa.RecordBatchReader, statistics: Collection[str] | None = None
    ) -> memoryview:
        data = sealing.to_parquet(rows, statistics)
        self._write_sealed(path, data)
        return data

    def copy_table(self, from_snapshot: str, snapshot: str, layer: str, name: str) -> str:
        """Copy table `layer/name` of `from_snapshot` as that table of `snapshot`, byte for byte
        (by the store where it can: the bytes are not held here), and remember its checksum for
        the seal: hashed as read back, in chunks, and it must be what `from_snapshot`'s seal says
        (LakeDamaged if not). Returns the copy's path."""
        source, expected = self._locate(name, layer, from_snapshot)
        path = self._table_path(snapshot, layer, name)
        self.storage.copy(source, path)
        checksum = Checksum(*self.storage.digest(path))
        if expected is not None and checksum != expected:
            self.storage.delete_file(path)
            raise LakeDamaged(f"{source} does not match its snapshot's checksum; it was not copied")
        with self._written_lock:
            self._written[path] = checksum
        return path

    def _write_sealed(self, path: str, data: bytes | memoryview) -> None:
        """Write a file of a snapshot in one step, remembering its checksum for the snapshot's seal."""
        self.storage.write_bytes_atomic(path, data)
        with self._written_lock:
            self._written[path] = Checksum.of(data)

    # tables an engine reads and writes itself (Spark's executors) -------------------------------

    def location(self, path: str) -> str:
        """A lake path as a URI for an engine that reads and writes the lake itself: `file:` for a
        local lake (every executor must see the same directory), `s3a:` for an S3 lake."""
        full = self.storage.full(path)
        if self.storage.is_local:
            return f"file://{full}"
        return f"s3a://{full}" if self.root.startswith("s3://") else f"{self.root.split('://', 1)[0]}://{full}"

    @staticmethod
    def staging(snapshot: str, layer: str, name: str) -> str:
        """Where an engine writes a table's directory before `adopt` moves its file into place:
        beside the table, so nothing is left once it is moved (and a crashed refresh's leftovers
        go with its snapshot)."""
        return f"snapshots/{snapshot}/{layer}/{name}.staging"

    def adopt(self, snapshot: str, layer: str, name: str) -> str:
        """Make the one Parquet file an engine wrote into `staging(...)` the table `layer/name` of
        `snapshot`, and remember its checksum for the seal: hashed as read back from storage, in
        chunks, so the seal covers what is stored, whatever its size. Returns the table's path."""
        staged = self.staging(snapshot, layer, name)
        parts = [ref for ref in self.storage.list_files(staged, "part-*") if ref.name.endswith(".parquet")]
        if len(parts) != 1:
            raise LakeError(f"{self.storage.uri(staged)} holds {len(parts)} Parquet files; the engine must write one")
        path = self._table_path(snapshot, layer, name)
        self.storage.move(parts[0].path, path)
        self.storage.delete_dir(staged)
        checksum = Checksum(*self.storage.digest(path))
        with self._written_lock:
            self._written[path] = checksum
        return path

    def checked_path(self, name: str, layer: str, snapshot: str) -> str:
        """The path of a table an engine is about to read from storage itself, once its file
        matches the snapshot's seal (hashed in chunks; unsealed: once its Parquet footer parses)."""
        path, expected = self._locate(name, layer, snapshot)
        if not self.storage.exists(path):
            raise LakeDamaged(f"{path} is missing")
        if expected is None:
            with self.storage.open_file(path) as handle:
                sealing.check_parquet(handle, path)
        else:
            sealing.compare(Checksum(*self.storage.digest(path)), expected, path)
        return path

    # release bundles (hostcap.release) ---------------------------------------------------------
    # Made after a publish (or when first asked for), not by it: a snapshot's bundle is a file
    # named by its own sha256 beside the snapshot, and a pointer naming it, written after it, so a
    # reader sees no bundle or a whole one, whoever wrote it.

    @staticmethod
    def _bundle_pointer(snapshot: str) -> str:
        return f"snapshots/{snapshot}/{BUNDLE_DIR}/{BUNDLE_POINTER}"

    @staticmethod
    def bundle_path(snapshot: str, checksum: Checksum) -> str:
        return f"snapshots/{snapshot}/{BUNDLE_DIR}/{checksum.sha256}.zip"

    def write_bundle(self, snapshot: str, data: bytes) -> Checksum:
        """Store the snapshot's release bundle under its checksum, then point at it."""
        checksum = Checksum.of(data)
        self.storage.write_bytes_atomic(self.bundle_path(snapshot, checksum), data)
        pointer = json.dumps({"sha256": checksum.sha256, "size": checksum.size}).encode()
        self.storage.write_bytes_atomic(self._bundle_pointer(snapshot), pointer)
        return checksum

    def bundle(self, snapshot: str) -> Checksum | None:
        """The checksum of the snapshot's release bundle once the stored file matches it; None
        when none has been made yet; LakeDamaged when the pointer or the file is damaged."""
        pointer = self._bundle_pointer(snapshot)
        if not self.storage.exists(pointer):
            return None
        checksum = self._read_json(pointer, dict, "sha256")
        try:
            expected = Checksum(str(checksum["sha256"]), int(checksum["size"]))
        except (KeyError, TypeError, ValueError):
            raise LakeDamaged(f"{pointer} is damaged (no sha256 and size)") from None
        path = self.bundle_path(snapshot, expected)
        if not self.storage.exists(path):
            raise LakeDamaged(f"{path} is missing")
        sealing.compare(Checksum(*self.storage.digest(path)), expected, path)
        return expected

    def bundle_chunks(self, snapshot: str, checksum: Checksum, size: int = 1 << 20) -> Iterator[bytes]:
        """The bundle's bytes in chunks of `size`, read as they are sent (check it with `bundle` first)."""
        with self.storage.open_file(self.bundle_path(snapshot, checksum)) as handle:
            while chunk := handle.read(size):
                yield chunk

    # reading ---------------------------------------------------------------------------------------

    def _locate(self, name: str, layer: str, snapshot: str | None) -> tuple[str, Checksum | None]:
        """Where a table of a snapshot (default: the published one) is and what its seal says of
        it; a source's bronze and silver are found where the snapshot's manifest says they were built."""
        snapshot = snapshot or self.require_current()
        owner = snapshot
        if layer != "gold":
            entry = self.read_manifest(snapshot).get(name)
            owner = entry["snapshot"] if entry else snapshot
        path = self._table_path(owner, layer, name)
        checksums = self.checksums(snapshot)
        if path not in checksums and not self.storage.exists(path):
            # a sealed snapshot missing its file is damaged; an unknown snapshot or table is not
            raise LakeError(f"no {layer} table {name!r} in snapshot {snapshot}")
        return path, checksums.get(path)

    def read_table(
        self,
        name: str,
        layer: str = "gold",
        snapshot: str | None = None,
        columns: list[str] | None = None,
        use_threads: bool = True,
    ) -> pa.Table:
        """A table of a snapshot (default: the published one), checked against the snapshot's seal
        (LakeDamaged when it differs); with `columns`, only those of them it has are decoded.
        Not `use_threads`: decoded on the calling thread alone, for a table a process keeps (see
        `hostcap.serving.snapshot.read_gold`)."""
        path, expected = self._locate(name, layer, snapshot)
        return sealing.from_parquet(self._read_checked(path, expected), path, columns, use_threads)

    def read_scannable(self, name: str, layer: str = "gold", snapshot: str | None = None) -> sealing.WrittenParquet:
        """A table of a snapshot as `read_table` checks it, kept as its file's bytes to scan in
        place (`seal.WrittenParquet`) rather than read into Arrow."""
        path, expected = self._locate(name, layer, snapshot)
        data = self._read_checked(path, expected)
        return sealing.WrittenParquet(data, sealing.parquet_schema(data, path))

    def _read_checked(self, path: str, expected: Checksum | None) -> bytes:
        """The file's bytes, once they match `expected` (or, unsealed, once its Parquet footer parses)."""
        if not self.storage.exists(path):
            raise LakeDamaged(f"{path} is missing")
        data = self.storage.read_bytes(path)
        if expected is None and path.endswith(".parquet"):
            sealing.check_parquet(data, path)
        sealing.check(data, expected, path)
        return data

    # manifests and seals -----------------------------------------------------------------------

    @staticmethod
    def _manifest_path(snapshot: str) -> str:
        return f"snapshots/{snapshot}/manifest.json"

    @staticmethod
    def _seal_path(snapshot: str) -> str:
        return f"snapshots/{snapshot}/{sealing.SEAL}"

    def write_manifest(self, snapshot: str, sources: dict[str, dict]) -> None:
        """Write the snapshot's manifest, then its seal: the checksum of the manifest, of the gold
        tables and of every source file the manifest refers to (this run's or an earlier one's)."""
        path = self._manifest_path(snapshot)
        data = json.dumps(sources, indent=1).encode()
        self.storage.write_bytes_atomic(path, data)
        files = {path: Checksum.of(data)}
        owners: dict[str, dict[str, Checksum]] = {}
        paths = [self._table_path(snapshot, "gold", name) for name in GOLD_TABLES]
        paths += [self._table_path(e["snapshot"], layer, s) for s, e in sources.items() for layer in SOURCE_LAYERS]
        for table_path in paths:
            if (found := self._checksum(table_path, owners)) is not None:
                files[table_path] = found
        self.storage.write_bytes_atomic(self._seal_path(snapshot), sealing.encode(files, _now()))
        self._forget([snapshot])

    def _checksum(self, path: str, owners: dict[str, dict[str, Checksum]]) -> Checksum | None:
        """A table's checksum: as this process wrote it, else as its own snapshot's seal has it, else
        (a lake older than seals) hashed now; None when there is no such file."""
        with self._written_lock:
            if path in self._written:
                return self._written[path]
        owner = path.split("/")[1]
        if owner not in owners:
            try:
                owners[owner] = self.checksums(owner)
            except LakeDamaged:
                owners[owner] = {}
        if path in owners[owner]:
            return owners[owner][path]
        return Checksum.of(self.storage.read_bytes(path)) if self.storage.exists(path) else None

    def _forget(self, snapshots: list[str]) -> None:
        prefixes = tuple(f"snapshots/{snapshot}/" for snapshot in snapshots)
        with self._written_lock:
            for path in [path for path in self._written if path.startswith(prefixes)]:
                del self._written[path]

    def checksums(self, snapshot: str) -> dict[str, Checksum]:
        """The snapshot's seal (empty for a snapshot written before seals existed)."""
        path = self._seal_path(snapshot)
        if not self.storage.exists(path):
            return {}
        return sealing.decode(self.storage.read_bytes(path), path)[0]

    def read_manifest(self, snapshot: str) -> dict[str, dict]:
        path = self._manifest_path(snapshot)
        if not self.storage.exists(path):
            return {}
        manifest = sealing.parse_json(self._read_checked(path, self.checksums(snapshot).get(path)), path)
        if not isinstance(manifest, dict):
            raise LakeDamaged(f"{path} is damaged (not a manifest)")
        return manifest

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

    def _read_json(self, path: str, kind: type, key: str) -> object:
        """The pointer or the history; LakeDamaged naming it when it is not what a publish writes."""
        found = sealing.parse_json(self.storage.read_bytes(path), path)
        items = [found] if kind is dict else found
        if not isinstance(found, kind) or not all(isinstance(item, dict) and isinstance(item.get(key), str) for item in items):
            raise LakeDamaged(f"{path} is damaged (not a {'pointer' if kind is dict else 'history'} of snapshots)")
        return found

    def pointer(self) -> dict | None:
        """The published pointer, `{"snapshot", "published_at"}`, or None before the first publish
        (after making sure the lake's bucket exists, so a wrong bucket is not taken for a new lake).
        LakeDamaged when CURRENT.json is not a pointer."""
        if not self.storage.exists(POINTER):
            self.storage.check()
            return None
        return self._read_json(POINTER, dict, "snapshot")

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
        return self._read_json(HISTORY, list, "snapshot") if self.storage.exists(HISTORY) else []

    def snapshots(self) -> list[str]:
        return [item["snapshot"] for item in self.history()]

    def publish(self, snapshot: str) -> None:
        """Make `snapshot` the one readers see, in one atomic step, and record it in the history."""
        if not self.storage.exists(self._manifest_path(snapshot)):
            raise LakeError(f"snapshot {snapshot} is not complete (no manifest); it cannot be published")
        published_at = _now()
        self.storage.write_bytes_atomic(POINTER, json.dumps({"snapshot": snapshot, "published_at": published_at}).encode())
        try:
            history = self.history()
        except LakeDamaged:
            history = self._sealed()
        history = [item for item in history if item["snapshot"] != snapshot]
        history.append({"snapshot": snapshot, "published_at": published_at})
        self.storage.write_bytes_atomic(HISTORY, json.dumps(history, indent=1).encode())

    def rollback(self, snapshot: str) -> None:
        """Publish an earlier snapshot again."""
        if snapshot not in self.snapshots():
            raise LakeError(f"snapshot {snapshot!r} is not in the history; see `hostcap snapshots`")
        self.publish(snapshot)

    def _sealed(self) -> list[dict]:
        """In place of a damaged HISTORY.json: every snapshot on disk with a manifest (one that
        passed its checks), in the order they were made, with when they were sealed."""
        found = []
        for name in self.storage.list_dirs("snapshots"):
            if self.storage.exists(self._manifest_path(name)):
                try:
                    sealed_at = sealing.decode(self.storage.read_bytes(self._seal_path(name)), name)[1]
                except (LakeError, OSError):
                    sealed_at = None
                found.append({"snapshot": name, "published_at": sealed_at})
        return found

    def _referenced(self, snapshots: list[str]) -> set[str] | None:
        """The snapshots themselves and every snapshot their manifests borrow bronze/silver from;
        None when a manifest is damaged, so what it borrows is unknown."""
        keep = set(snapshots)
        for snapshot in snapshots:
            try:
                keep |= {entry["snapshot"] for entry in self.read_manifest(snapshot).values()}
            except (LakeDamaged, TypeError, KeyError):
                return None
        return keep

    def collect_garbage(self, keep_last: int, protect: Iterable[str | None] = ()) -> list[str]:
        """Trim the history to the last `keep_last` snapshots (the published one always stays, and
        `protect`: what is built on and served while the published one is damaged) and delete every snapshot
        directory nothing kept refers to: old ones and debris of refreshes that never published.
        While HISTORY.json or a kept manifest is damaged, what is in use is unknown: nothing is
        deleted. Call it only while holding the refresh lock."""
        try:
            history = self.history()
        except LakeDamaged:
            return []
        try:
            current = self.current()
        except LakeDamaged:
            current = None
        pinned = {current, *protect} - {None}
        kept = [item for i, item in enumerate(history) if i >= len(history) - keep_last or item["snapshot"] in pinned]
        keep = self._referenced([item["snapshot"] for item in kept] + sorted(pinned))
        if keep is None:
            return []
        if kept != history:
            self.storage.write_bytes_atomic(HISTORY, json.dumps(kept, indent=1).encode())
        removed = [name for name in self.storage.list_dirs("snapshots") if name not in keep]
        for name in removed:
            self.storage.delete_dir(f"snapshots/{name}")
        self._forget(removed)
        return removed

    def prune_runs(self, keep: int, current: str) -> list[str]:
        """Delete the reports of all but the last `keep` runs (counting the `current` one, which
        stays whatever its id sorts as), except those of snapshots still in the lake (a served
        snapshot's summaries come from its run's report; the snapshots on disk, not the history,
        which may be the damaged file this refresh is about to repair). Call it only while
        holding the refresh lock."""
        kept = {current, *self.storage.list_dirs("snapshots")}
        older = [run_id for run_id in self.runs() if run_id != current]
        removed = [run_id for run_id in older[: max(len(older) + 1 - keep, 0)] if run_id not in kept]
        for run_id in removed:
            self.storage.delete_file(f"runs/{run_id}.json")
        return removed

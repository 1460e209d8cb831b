"""A published snapshot's release bundle as stored in the lake: made once, then handed out.

A bundle is made after its snapshot is published, never by the publish: making one (CSV and
Parquet of every table, a DuckDB database, a diff for the change summary) costs about as much as
a refresh of the data itself, and a refresh must stay as fast as the data allows. A long-running
process (`serve`, `watch`) makes it in the background right after each publish (`after_publish`);
anything else that asks for it first (a download, `hostcap bundle`) makes it then. A bundle found
damaged is made again. It is stored under its own checksum (see `Lake.write_bundle`), so two
processes making it at once both leave a whole bundle, and readers see one or the other.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from hostcap.config import SourceConfig
from hostcap.errors import LakeDamaged, LakeError
from hostcap.lake import Lake
from hostcap.release import folder
from hostcap.seal import Checksum

log = logging.getLogger(__name__)
#: one bundle made at a time in this process: a second caller waits and finds it made
_MAKING = threading.Lock()

Configs = Callable[[], list[SourceConfig]]


@dataclass(frozen=True)
class StoredBundle:
    """A bundle checked against its checksum: its name, sha256 and size, and its bytes as chunks
    read while they are sent (so a statewide bundle is never held in memory)."""

    lake: Lake
    snapshot: str
    checksum: Checksum

    @property
    def sha256(self) -> str:
        return self.checksum.sha256

    @property
    def size(self) -> int:
        return self.checksum.size

    @property
    def filename(self) -> str:
        return f"{folder(self.snapshot)}.zip"

    def chunks(self) -> Iterator[bytes]:
        return self.lake.bundle_chunks(self.snapshot, self.checksum)


def _previous(lake: Lake, snapshot: str) -> str | None:
    """The snapshot published before `snapshot` was (last) published: what its changes are against."""
    published = lake.snapshots()
    at = len(published) - 1 - published[::-1].index(snapshot)
    return next((earlier for earlier in reversed(published[:at]) if earlier != snapshot), None)


def _made(lake: Lake, snapshot: str) -> Checksum | None:
    try:
        return lake.bundle(snapshot)
    except LakeDamaged as exc:
        log.warning("release bundle of %s is damaged, making it again: %s", snapshot, exc.message)
        return None


def stored_bundle(lake: Lake, configs: Configs, snapshot: str | None = None) -> StoredBundle:
    """The bundle of `snapshot` (default: the published one), made now if it has not been (or is
    damaged). LakeError for a snapshot the lake does not keep."""
    from hostcap.release import bundle  # pyarrow and DuckDB: only when a bundle is handed out

    snapshot = snapshot or lake.require_current()
    if snapshot not in lake.snapshots():
        raise LakeError(f"snapshot {snapshot!r} is not kept in the lake; see `hostcap snapshots`")
    checksum = _made(lake, snapshot)
    if checksum is None:
        with _MAKING:
            checksum = _made(lake, snapshot) or lake.write_bundle(
                snapshot, bundle.build(lake, snapshot, _previous(lake, snapshot), configs())
            )
    return StoredBundle(lake, snapshot, checksum)


def after_publish(lake: Lake, configs: Configs, snapshot: str) -> threading.Thread:
    """Make `snapshot`'s bundle in the background (a failure is logged: the next download tries again).

    Not a daemon thread: a process asked to stop finishes the bundle first, as it finishes a
    running refresh. Python ends daemon threads wherever they are, and one ended inside DuckDB's
    native code aborts the whole process instead of letting it exit."""

    def make() -> None:
        try:
            stored_bundle(lake, configs, snapshot)
        except Exception:
            log.exception("making the release bundle of %s failed; a download will try again", snapshot)

    thread = threading.Thread(target=make, name=f"hostcap-bundle-{snapshot}", daemon=False)
    thread.start()
    return thread

"""When a source file counts as delivered: not while it is still being written.

A copy or upload into a local source folder writes a file over time; a refresh that read it
half-way would publish half a file as if it were the delivery. A local file therefore has to go
unmodified for a quiet period (`settle_s`) before a refresh takes it. The refresh waits for a
recently written file to settle, up to ten quiet periods; a file still changing after that is in
flight, and its source fails for this run (keeping its last good data), to be loaded by the next
refresh. Objects in an object store appear whole when their upload completes, so they need no
wait. A file that changes after this point is caught when it is read (`Storage.read_verified`).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable

from hostcap.config.source import SourceConfig
from hostcap.errors import SourceError
from hostcap.io.storage import FileRef, Storage

#: how many quiet periods a refresh waits at most for a file to settle
MAX_WAIT_PERIODS = 10


def _youngest(files: Iterable[FileRef], now: float) -> tuple[FileRef, float] | None:
    """The most recently modified file and its age in seconds, or None without files or times."""
    aged = [(ref, now - ref.mtime) for ref in files if ref.mtime is not None]
    return min(aged, key=lambda item: item[1]) if aged else None


def unsettled_files(
    storage: Storage,
    configs: list[SourceConfig],
    settle_s: float,
    clock: Callable[[], float] = time.time,
    sleep: Callable[[float], None] = time.sleep,
) -> dict[str, SourceError]:
    """Wait until every source's files have gone `settle_s` seconds unmodified, for at most
    `MAX_WAIT_PERIODS` quiet periods; return, per source whose files are still being written
    then, the error that fails it, naming the file."""
    if not storage.is_local or settle_s <= 0:
        return {}
    deadline = clock() + settle_s * MAX_WAIT_PERIODS
    while True:
        now = clock()
        young: dict[str, tuple[FileRef, float]] = {}
        for config in configs:
            youngest = _youngest(storage.list_files(config.location, config.read.pattern), now)
            if youngest is not None and youngest[1] < settle_s:
                young[config.source_id] = youngest
        if not young:
            return {}
        wait = max(settle_s - min(age for _, age in young.values()), 0.01)
        if now + wait > deadline:
            return {
                source_id: SourceError(
                    source_id,
                    f"the file is still being written (modified {max(age, 0):.1f} s ago, still changing after "
                    f"{settle_s * MAX_WAIT_PERIODS:g} s); the next refresh loads it once it settles",
                    file=ref.path,
                )
                for source_id, (ref, age) in young.items()
            }
        sleep(wait)

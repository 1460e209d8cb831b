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
from collections.abc import Callable

from hostcap.config.source import SourceConfig
from hostcap.errors import SourceError
from hostcap.io.storage import FileRef, Storage

#: how many quiet periods a refresh waits at most for a file to settle
MAX_WAIT_PERIODS = 10


def unsettled_files(
    storage: Storage,
    configs: list[SourceConfig],
    settle_s: float,
    clock: Callable[[], float] = time.time,
    sleep: Callable[[float], None] = time.sleep,
) -> dict[str, SourceError]:
    """Wait until every source's files have been quiet for `settle_s` seconds, for at most
    `MAX_WAIT_PERIODS` quiet periods; return, per source whose files are still being written
    then, the error that fails it, naming the file.

    A file is quiet since its modification time or since this wait first saw its current size
    and time, whichever is earlier: a file dated in the future (a clock that runs ahead, a copy
    that kept its times) settles by not changing, rather than never.
    """
    if not storage.is_local or settle_s <= 0:
        return {}
    deadline = clock() + settle_s * MAX_WAIT_PERIODS
    first_seen: dict[tuple[str, str], tuple[tuple[int, float | None], float]] = {}
    while True:
        now = clock()
        young: dict[str, tuple[FileRef, float]] = {}
        for config in configs:
            for ref in storage.list_files(config.location, config.read.pattern):
                key, state = (config.source_id, ref.path), (ref.size, ref.mtime)
                if key not in first_seen or first_seen[key][0] != state:
                    first_seen[key] = (state, now)
                quiet_for = max(now - first_seen[key][1], now - ref.mtime if ref.mtime is not None else settle_s)
                if quiet_for < settle_s and quiet_for < young.get(config.source_id, (ref, settle_s))[1]:
                    young[config.source_id] = (ref, quiet_for)
        if not young:
            return {}
        wait = max(settle_s - max(quiet for _, quiet in young.values()), 0.01)
        if now + wait > deadline:
            return {
                source_id: SourceError(
                    source_id,
                    f"the file is still being written (last changed {quiet:.1f} s ago, still changing after "
                    f"{settle_s * MAX_WAIT_PERIODS:g} s); the next refresh loads it once it settles",
                    file=ref.path,
                )
                for source_id, (ref, quiet) in young.items()
            }
        sleep(min(wait, settle_s))

"""The snapshot the API answers from, replaced whole when a newer one is published.

Readers take `store.current` once per request and use that object throughout, so a request sees
one snapshot from start to end; a reload builds the new snapshot aside and then replaces a
single reference, which Python does atomically.

When the published snapshot (or the pointer to it) is damaged, the store holds the newest intact
snapshot instead and says so in `fallback` (shown by /readyz and /v1/status) and in one warning
line each time that changes.
"""

from __future__ import annotations

import ctypes
import logging
import sys
import threading

import pyarrow as pa

from hostcap.errors import HostcapError, LakeDamaged, describe
from hostcap.feeder_view import DEFAULT_STALE_MONTHS
from hostcap.lake import Lake, Published
from hostcap.serving.snapshot import Snapshot, load_snapshot

log = logging.getLogger(__name__)


def release_freed_memory() -> None:
    """Loading freed far more than it kept (parquet pages, rows on their way to JSON, the geometry
    read into the spatial index), and the previous snapshot is gone: give that memory back to the
    OS rather than hold it. Arrow's pool, and the C heap, where glibc keeps the freed blocks of
    numpy's and GEOS's temporaries (tens of MiB at statewide size) until asked to trim; other C
    libraries have no `malloc_trim` to call."""
    pa.default_memory_pool().release_unused()
    trim = getattr(ctypes.CDLL(None), "malloc_trim", None) if sys.platform.startswith("linux") else None
    if trim is not None:
        trim(0)


class SnapshotStore:
    def __init__(self, lake: Lake, stale_months: int = DEFAULT_STALE_MONTHS):
        self.lake = lake
        self.stale_months = stale_months
        self._current: Snapshot | None = None
        self._reload = threading.Lock()
        self._damaged: dict[Published, str] = {}
        self.fallback: str | None = None

    @property
    def current(self) -> Snapshot | None:
        return self._current

    def sync(self) -> bool:
        """Hold the published snapshot, or while it (or the pointer) is damaged the newest intact
        one; True when the held one changed. A snapshot found damaged is not read again until it
        is published again; `fallback` says why the held one is not the published one."""
        with self._reload:
            problems = [problem] if (problem := self.lake.pointer_problem()) else []
            changed = False
            for candidate in self.lake.candidates():
                if self._current is not None and self._current.id == candidate.snapshot:
                    break
                if candidate in self._damaged:
                    problems.append(self._damaged[candidate])
                    continue
                try:
                    self._current = load_snapshot(self.lake, candidate.snapshot, candidate.published_at, self.stale_months)
                except LakeDamaged as exc:
                    self._damaged[candidate] = exc.message
                    problems.append(exc.message)
                    continue
                changed = True
                release_freed_memory()
                break
            self._note("; ".join(problems) or None)
            return changed

    def _note(self, fallback: str | None) -> None:
        """Say once, when it changes, whether the held snapshot stands in for a damaged one."""
        if fallback == self.fallback:
            return
        self.fallback = fallback
        held = self._current.id if self._current is not None else None
        if fallback is None:
            log.info("serving the published snapshot %s again", held)
        elif held is None:
            log.warning("no intact snapshot to serve: %s", fallback)
        else:
            log.warning("serving snapshot %s, not the published one: %s", held, fallback)

    def watch(self, interval_s: float) -> threading.Event:
        """Check the pointer every `interval_s` seconds in a daemon thread (for snapshots another
        process publishes, such as `hostcap refresh`); set the returned event to stop. A failing
        check keeps the snapshot held and is logged once until it fails differently."""
        stop = threading.Event()

        def loop() -> None:
            failing = None
            while not stop.wait(interval_s):
                try:
                    self.sync()
                    failing = None
                except Exception as exc:  # keep serving the snapshot held; try again next time
                    if describe(exc) != failing:
                        failing = describe(exc)
                        log.warning(
                            "snapshot reload failed (still serving the snapshot held): %s",
                            failing,
                            exc_info=not isinstance(exc, HostcapError),
                        )

        threading.Thread(target=loop, name="snapshot-watch", daemon=True).start()
        return stop

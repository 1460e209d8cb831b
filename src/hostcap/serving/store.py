"""The snapshot the API answers from, replaced whole when a newer one is published.

Readers take `store.current` once per request and use that object throughout, so a request sees
one snapshot from start to end; a reload builds the new snapshot aside and then replaces a
single reference, which Python does atomically.
"""

from __future__ import annotations

import logging
import threading

import pyarrow as pa

from hostcap.lake import Lake
from hostcap.serving.snapshot import Snapshot, load_snapshot

log = logging.getLogger(__name__)


class SnapshotStore:
    def __init__(self, lake: Lake):
        self.lake = lake
        self._current: Snapshot | None = None
        self._reload = threading.Lock()

    @property
    def current(self) -> Snapshot | None:
        return self._current

    def sync(self) -> bool:
        """Load the published snapshot if it is not the one held; True when the held one changed."""
        with self._reload:
            pointer = self.lake.pointer()
            if pointer is None or (self._current is not None and self._current.id == pointer["snapshot"]):
                return False
            self._current = load_snapshot(self.lake, pointer["snapshot"], pointer.get("published_at"))
            # Loading freed far more than it kept (parquet pages, rows on their way to JSON), and the
            # previous snapshot is gone: give that memory back to the OS rather than hold it.
            pa.default_memory_pool().release_unused()
            return True

    def watch(self, interval_s: float) -> threading.Event:
        """Check the pointer every `interval_s` seconds in a daemon thread (for snapshots another
        process publishes, such as `hostcap refresh`); set the returned event to stop."""
        stop = threading.Event()

        def loop() -> None:
            while not stop.wait(interval_s):
                try:
                    self.sync()
                except Exception:  # keep serving the snapshot held; try again next time
                    log.exception("snapshot reload failed")

        threading.Thread(target=loop, name="snapshot-watch", daemon=True).start()
        return stop

"""The lake's history for the API, read again only when it changed.

Each request reads the small history index; the tables behind it are read (and checked) only
when the index differs from the one held, so a history endpoint costs one small read, and the
answer always includes the newest publish recorded, whichever process made it.
"""

from __future__ import annotations

import threading

from hostcap.history import store
from hostcap.history.store import Recorded
from hostcap.lake import Lake
from hostcap.seal import Checksum


class HistoryCache:
    def __init__(self, lake: Lake):
        self.lake = lake
        self._held = Recorded.empty()
        self._lock = threading.Lock()

    def current(self) -> Recorded:
        """The recorded history (empty before the first publish records one)."""
        if not self.lake.storage.exists(store.INDEX):
            return Recorded.empty()
        index = self.lake.storage.read_bytes(store.INDEX)
        with self._lock:
            if self._held.version != Checksum.of(index).sha256:
                self._held = store.read(self.lake, index) or Recorded.empty()
            return self._held

"""Noticing that something changed under the source location: file-system events (watchdog) for a
local directory, or listing the location at an interval for object stores, where no events reach us.

Both only say "something may have changed" (`on_change`); whether the content did, and whether to
refresh, is decided after the burst has gone quiet (see `service`). Events are therefore taken
broadly, but opening and reading a file (as every refresh does) is not a change.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Literal, Protocol

from watchdog.events import EVENT_TYPE_CLOSED_NO_WRITE, EVENT_TYPE_OPENED, FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer

from hostcap.errors import ConfigError
from hostcap.io.storage import Storage

log = logging.getLogger(__name__)

WatchMode = Literal["events", "poll"]
_READ_ONLY = {EVENT_TYPE_OPENED, EVENT_TYPE_CLOSED_NO_WRITE}


class SourceWatch(Protocol):
    mode: WatchMode

    def start(self) -> None: ...

    def stop(self) -> None: ...


class _Notify(FileSystemEventHandler):
    def __init__(self, on_change: Callable[[], None]):
        self.on_change = on_change

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.event_type not in _READ_ONLY:
            self.on_change()


class EventWatch:
    """File-system events on a local directory and everything under it."""

    mode: WatchMode = "events"

    def __init__(self, storage: Storage, on_change: Callable[[], None]):
        self.observer = Observer()
        self.observer.schedule(_Notify(on_change), storage.base, recursive=True)

    def start(self) -> None:
        self.observer.start()

    def stop(self) -> None:
        self.observer.stop()
        if self.observer.is_alive():
            self.observer.join()


Listing = dict[str, tuple[int, int | None]]


class PollWatch:
    """Lists the source location every `interval_s` seconds and reports when the listing differs.

    A listing that fails (the store unreachable) is logged and tried again at the next interval.
    """

    mode: WatchMode = "poll"

    def __init__(self, storage: Storage, on_change: Callable[[], None], interval_s: float):
        self.storage = storage
        self.on_change = on_change
        self.interval_s = interval_s
        self._stop = threading.Event()
        self._last: Listing | None = None
        self._thread = threading.Thread(target=self._loop, name="source-poll", daemon=True)

    def start(self) -> None:
        self._last = self._list()
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()

    def _list(self) -> Listing | None:
        try:
            return self.storage.tree()  # cheap (no reads) and enough to tell something may have changed
        except OSError:
            log.exception("listing the source location failed: %s", self.storage.root)
            return None

    def _loop(self) -> None:
        while not self._stop.wait(self.interval_s):
            found = self._list()
            if found is not None and found != self._last:
                self._last = found
                self.on_change()


def watch_source(
    storage: Storage, mode: Literal["auto", "events", "poll"], poll_s: float, on_change: Callable[[], None]
) -> SourceWatch:
    """A watch over the source root: events for a local directory unless `poll` is asked for."""
    root = storage.root
    if mode == "events" and not storage.is_local:
        raise ConfigError(f"file-system events need a local source directory, not {root}: use watch mode `poll`")
    if mode == "poll" or not storage.is_local:
        return PollWatch(storage, on_change, poll_s)
    if not storage.exists(""):
        raise ConfigError(f"the source directory {root} does not exist")
    return EventWatch(storage, on_change)

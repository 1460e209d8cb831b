"""Diffs between two snapshots, for `/v1/changes`: each pair computed once, then paged from memory.

A diff reads both snapshots' gold files: about a second and several MB for every call at scale
0.25, and the endpoint is open to anyone. So a pair of snapshots is diffed once and its changes
kept, encoded, for the next requests (published snapshots never change); requests that arrive
while a pair is being diffed wait for that one computation (single flight); and at most a few
pairs are diffed at a time: a request for yet another pair is refused with `DiffsBusy` at once
rather than queued without bound.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass

import orjson

from hostcap.diff import SnapshotDiff


class DiffsBusy(Exception):
    """As many diffs as allowed are being computed: retry in a few seconds."""


@dataclass(frozen=True)
class Changes:
    """One diff, each change's JSON kept per kind (in `SnapshotDiff`'s order of kinds)."""

    old: str
    new: str
    kinds: dict[str, list[bytes]]

    @classmethod
    def of(cls, diff: SnapshotDiff) -> Changes:
        changes = diff.model_dump(include=set(diff.change_counts()))
        return cls(diff.old, diff.new, {kind: [orjson.dumps(item) for item in items] for kind, items in changes.items()})

    def counts(self) -> dict[str, int]:
        return {kind: len(items) for kind, items in self.kinds.items()}

    def longest(self) -> int:
        """Changes of the most common kind: how far a page offset can go."""
        return max(map(len, self.kinds.values()), default=0)

    def page(self, offset: int, limit: int) -> dict[str, bytes]:
        """Each kind's changes from `offset`, at most `limit` of each, as JSON arrays."""
        return {kind: b"[" + b",".join(items[offset : offset + limit]) + b"]" for kind, items in self.kinds.items()}


class ChangesCache:
    """`get(old, new)`: the changes between two snapshots, diffed by `diff` once per pair.

    Keeps the `keep` pairs asked for most recently, and computes at most `concurrent` at a time.
    """

    def __init__(self, diff: Callable[[str, str], SnapshotDiff], keep: int = 8, concurrent: int = 2):
        self._diff = diff
        self._keep = keep
        self._concurrent = concurrent
        self._computing = 0
        self._pairs: OrderedDict[tuple[str, str], Future[Changes]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, old: str, new: str) -> Changes:
        """The pair's changes (waiting for a computation already under way); raises `DiffsBusy`
        when the pair would be one computation too many, and what `diff` raises for a bad pair."""
        key = (old, new)
        with self._lock:
            pending = self._pairs.get(key)
            if pending is not None:
                self._pairs.move_to_end(key)
            else:
                if self._computing >= self._concurrent:
                    raise DiffsBusy(f"{self._computing} diffs are being computed")
                self._computing += 1
                self._pairs[key] = computing = Future()
        if pending is not None:
            return pending.result()
        try:
            computing.set_result(Changes.of(self._diff(old, new)))
        except BaseException as error:  # every waiter gets the error; the next request tries again
            computing.set_exception(error)
            with self._lock:
                del self._pairs[key]
        finally:
            with self._lock:
                self._computing -= 1
                self._forget_oldest()
        return computing.result()

    def _forget_oldest(self) -> None:
        done = [key for key, pair in self._pairs.items() if pair.done()]
        for key in done[: max(len(self._pairs) - self._keep, 0)]:
            del self._pairs[key]

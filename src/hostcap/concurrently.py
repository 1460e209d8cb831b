"""Run independent I/O-bound steps side by side on threads: reading and hashing files, whose
sha256 runs without Python's lock, so a few threads keep the cores (or an S3 connection pool)
busy where one would wait."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")

#: threads for reading and hashing when the caller does not say: a few per core, since they
#: also wait on storage
DEFAULT_THREADS = min(8, 2 * (os.cpu_count() or 1))


def map_threads(
    function: Callable[[T], R],
    items: Iterable[T],
    threads: int = DEFAULT_THREADS,
    name: str = "hostcap",
    cost: Callable[[T], float] | None = None,
) -> list[R]:
    """`function` of every item, on up to `threads` threads; results in the items' order. The
    first item's exception (in the items' order) is raised, as a loop would raise it.

    With `cost` (an estimate of an item's work, such as its bytes), the costliest items start
    first: started last, the longest item would run alone while the other threads sit idle."""
    items = list(items)
    if threads <= 1 or len(items) <= 1:
        return [function(item) for item in items]
    order = sorted(range(len(items)), key=lambda i: -cost(items[i])) if cost else range(len(items))
    with ThreadPoolExecutor(min(threads, len(items)), thread_name_prefix=name) as pool:
        futures = {i: pool.submit(function, items[i]) for i in order}
        return [futures[i].result() for i in range(len(items))]

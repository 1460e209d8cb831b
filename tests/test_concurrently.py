"""hostcap.concurrently.map_threads: results in the items' order, the costliest started first."""

import threading

import pytest

from hostcap.concurrently import map_threads


def test_results_keep_the_items_order_whatever_order_they_start_in():
    started = []
    lock = threading.Lock()
    pair = threading.Barrier(2)

    def work(item: int) -> int:
        with lock:
            started.append(item)
        pair.wait(timeout=10)  # items go two by two: no thread takes a third before both have one
        return item * 10

    results = map_threads(work, [1, 5, 3, 4], threads=2, cost=lambda item: item)

    assert results == [10, 50, 30, 40]
    # in the items' order the first pair would be 1 and 5
    assert set(started[:2]) == {5, 4} and set(started[2:]) == {3, 1}


def test_without_cost_items_start_in_their_order():
    started = []
    gate = threading.Barrier(2)

    def work(item: str) -> str:
        started.append(item)
        if item in "ab":  # the first two wait for each other, so neither thread runs ahead
            gate.wait(timeout=10)
        return item.upper()

    assert map_threads(work, list("abcd"), threads=2) == list("ABCD")
    assert sorted(started[:2]) == ["a", "b"]


def test_the_first_failure_in_the_items_order_is_raised():
    def work(item: int) -> int:
        if item in (2, 3):
            raise ValueError(f"item {item}")
        return item

    # item 3 is started first (costliest), item 2 comes first in the items
    with pytest.raises(ValueError, match="item 2"):
        map_threads(work, [1, 2, 3], threads=2, cost=lambda item: item)

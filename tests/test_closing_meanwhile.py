"""After gold, the refresh's engines close while the checks, the publish and the history run,
and the refresh returns only once they are closed."""

from __future__ import annotations

import threading
from pathlib import Path

import duckdb
import pytest

from hostcap.build import Builder
from hostcap.io.storage import Storage
from hostcap.lake import Lake

PATIENCE_S = 10


@pytest.fixture
def builder(tmp_path: Path) -> Builder:
    return Builder(Lake(str(tmp_path / "lake")), "run", Storage(str(tmp_path / "src")), "duckdb")


def test_the_engines_close_beside_the_block_and_before_it_ends(builder: Builder, monkeypatch: pytest.MonkeyPatch):
    block_running, closed = threading.Event(), threading.Event()
    real_close = builder.close

    def close() -> None:
        # runs only while the block does: the block waits for nothing the close does
        assert block_running.wait(PATIENCE_S)
        real_close()
        closed.set()

    monkeypatch.setattr(builder, "close", close)
    with builder.closing_meanwhile():
        block_running.set()
        assert not closed.is_set()
    assert closed.is_set()
    with pytest.raises(duckdb.ConnectionException):
        builder.engine.db.execute("SELECT 1")


def test_a_failed_close_is_raised_after_the_block_unless_the_block_failed(builder: Builder, monkeypatch: pytest.MonkeyPatch):
    def close() -> None:
        raise RuntimeError("cannot close")

    monkeypatch.setattr(builder, "close", close)
    ran = []
    with pytest.raises(RuntimeError, match="cannot close"), builder.closing_meanwhile():
        ran.append(True)
    assert ran == [True]
    with pytest.raises(ValueError, match="the block's own"), builder.closing_meanwhile():
        raise ValueError("the block's own")

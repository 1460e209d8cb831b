"""Gold's compiled plan writes each table as soon as the stages it reads exist, beside the next
stage, and a stage that fails leaves no write running and no connection open. (That the plan
writes what gold's expressions write is tests/test_plan_cache.py's.)"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import pyarrow as pa
import pytest

from hostcap.layers.gold_plan import GOLD_DERS, GOLD_FEEDERS, LATEST_NETWORK, compile_gold
from hostcap.layers.plans import GoldPlan, PlannedGold, schema_text

ROWS = pa.schema([("x", pa.int64())])
#: the facts queries' answers: every gold table with one row, one distinct key, no null
PER_TABLE = pa.table(
    {
        "rows": [1] * 4,
        "distinct": [1] * 4,
        "nulls": [0] * 4,
        "flagged": [0] * 4,
        "table": ["feeders", "feeder_segments", "substations", "ders"],
    }
)
UTILITIES = pa.table({"utility": ["nyseg_rge"]})
#: registered, never read: the engine below only records
SILVER = {"network": [pa.table({"x": [1]})], "der": [pa.table({"x": [1]})]}
#: how long a gate waits for what it waits on before the test fails
PATIENCE_S = 10


TABLES = ("feeders", "feeder_segments", "substations", "ders")


def plan(stages: tuple[str, ...] = ("first", "second"), ready_after: dict[str, str] | None = None) -> GoldPlan:
    """By default two stages; the segments read the first, every other table the second."""
    return GoldPlan(
        stages=[(stage, stage.upper()) for stage in stages],
        tables={name: f"ROWS OF {name}" for name in TABLES},
        schemas=dict.fromkeys(TABLES, schema_text(ROWS)),
        ready_after=ready_after or {"feeders": "second", "feeder_segments": "first", "substations": "second", "ders": "second"},
        facts=("PER TABLE", "UTILITIES"),
        empty={},
        kept={},
    )


class RecordingEngine:
    """A SqlEngine that records what each of its connections runs, in order. `before[stage]`
    runs before the stage is made (to wait for a table's rows to be computed, or to fail)."""

    def __init__(self, log: list[tuple[str, str]]):
        self.log = log
        self.before: dict[str, Callable[[], None]] = {}
        self.streamed = {name: threading.Event() for name in TABLES}
        self.cursors: list[RecordingEngine] = []
        self.closed = False

    def wait_for(self, table: str) -> Callable[[], None]:
        def wait() -> None:
            assert self.streamed[table].wait(PATIENCE_S), f"{table} was never computed"

        return wait

    def register(self, name: str, table: object) -> None:
        pass

    def create(self, name: str, sql: str) -> None:
        self.before.get(name, lambda: None)()
        self.log.append(("create", name))

    def stream(self, sql: str, schema: pa.Schema) -> pa.RecordBatchReader:
        name = sql.removeprefix("ROWS OF ")
        self.log.append(("stream", name))
        self.streamed[name].set()
        return pa.RecordBatchReader.from_batches(schema, pa.table({"x": [1]}, schema=schema).to_batches())

    def query(self, sql: str, schema: pa.Schema | None = None) -> pa.Table:
        return {"PER TABLE": PER_TABLE, "UTILITIES": UTILITIES}[sql]

    def cursor(self) -> RecordingEngine:
        cursor = RecordingEngine(self.log)
        cursor.streamed = self.streamed
        self.cursors.append(cursor)
        return cursor

    def close(self) -> None:
        self.closed = True


def test_a_table_is_written_while_a_later_stage_is_made():
    log: list[tuple[str, str]] = []
    engine = RecordingEngine(log)
    # the second stage is made only once the segments (which read the first) are being computed
    engine.before["second"] = engine.wait_for("feeder_segments")
    written = {}
    facts = PlannedGold(engine, plan(), SILVER, None).build(lambda name, rows: written.setdefault(name, rows.read_all()))
    assert sorted(written) == ["ders", "feeder_segments", "feeders", "substations"]
    assert facts.rows == dict.fromkeys(("feeders", "feeder_segments", "substations", "ders"), 1)
    made_second = log.index(("create", "second"))
    assert log.index(("stream", "feeder_segments")) < made_second
    assert all(log.index(("stream", name)) > made_second for name in ("feeders", "substations", "ders"))
    assert len(engine.cursors) == 4 and all(cursor.closed for cursor in engine.cursors)


def test_a_stage_that_fails_leaves_no_write_running_and_no_connection_open():
    log: list[tuple[str, str]] = []
    engine = RecordingEngine(log)
    finished = []

    def fail() -> None:
        engine.wait_for("feeder_segments")()
        raise RuntimeError("out of memory")

    engine.before["second"] = fail

    def write(name: str, rows: pa.RecordBatchReader) -> pa.Table:
        table = rows.read_all()
        finished.append(name)
        return table

    with pytest.raises(RuntimeError, match="out of memory"):
        PlannedGold(engine, plan(), SILVER, None).build(write)
    # the segments' write had started: it ran to its end before the error was raised
    assert finished == ["feeder_segments"]
    assert ("create", "second") not in log
    assert [cursor.closed for cursor in engine.cursors] == [True]


def test_a_write_that_fails_stops_the_stages_that_follow():
    log: list[tuple[str, str]] = []
    engine = RecordingEngine(log)

    def write(name: str, rows: pa.RecordBatchReader) -> pa.Table:
        raise OSError("no space left on the lake's disk")

    def after_the_failure() -> None:
        engine.wait_for("feeder_segments")()
        deadline = time.monotonic() + PATIENCE_S
        while not engine.cursors[0].closed and time.monotonic() < deadline:
            time.sleep(0.01)
        time.sleep(0.05)  # the write's future is done just after its connection is closed

    engine.before["second"] = after_the_failure
    with pytest.raises(OSError, match="no space left"):
        PlannedGold(engine, plan(("first", "second", "third")), SILVER, None).build(write)
    # raised as soon as a stage is about to be made after it: the third never is
    assert ("create", "third") not in log


def test_writes_not_yet_started_when_a_stage_fails_close_their_connections():
    log: list[tuple[str, str]] = []
    engine = RecordingEngine(log)
    released = threading.Event()
    release = threading.Timer(1.0, released.set)
    finished = []

    def write(name: str, rows: pa.RecordBatchReader) -> pa.Table:
        assert released.wait(PATIENCE_S)  # both writers are busy when the stage fails
        finished.append(name)
        return rows.read_all()

    def fail() -> None:
        release.start()
        raise RuntimeError("out of memory")

    engine.before["second"] = fail
    every_table_after_first = dict.fromkeys(TABLES, "first")
    with pytest.raises(RuntimeError, match="out of memory"):
        PlannedGold(engine, plan(ready_after=every_table_after_first), SILVER, None).build(write)
    assert len(finished) == 2  # two writers: two writes ran, two were never started
    assert len(engine.cursors) == 4 and all(cursor.closed for cursor in engine.cursors)


def test_the_compiled_plan_writes_each_table_after_the_last_stage_it_reads():
    compiled = compile_gold({"network": [], "der": []}, None, "duckdb")
    assert [name for name, _ in compiled.stages] == [LATEST_NETWORK, GOLD_DERS, GOLD_FEEDERS]
    assert compiled.ready_after == {
        "feeders": GOLD_FEEDERS,
        "feeder_segments": LATEST_NETWORK,
        "substations": GOLD_FEEDERS,
        "ders": GOLD_DERS,
    }
    # the stages that keep the latest row of each key read their subqueries again; the feeders'
    # stage keeps its (the vertices of every line, read several times)
    stages = dict(compiled.stages)
    for name in (LATEST_NETWORK, GOLD_DERS):
        assert " AS NOT MATERIALIZED (" in stages[name] and " AS (" not in stages[name], name
    assert " AS (" in stages[GOLD_FEEDERS] and " AS NOT MATERIALIZED (" not in stages[GOLD_FEEDERS]

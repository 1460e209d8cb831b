"""Gold's compiled plan makes each stage and writes each table as soon as the stages it reads
exist, beside whatever else is due, and a failure leaves nothing running and no connection open.
(That the plan writes what gold's expressions write is tests/test_plan_cache.py's.)"""

from __future__ import annotations

import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterator

import pyarrow as pa
import pytest

from hostcap.layers.gold_plan import GOLD_DERS, GOLD_FEEDERS, LATEST_NETWORK, compile_gold
from hostcap.layers.plans import GOLD_WORKERS, GoldPlan, PlannedGold, schema_text

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


#: by default the segments read the first stage, every other table the second
TABLE_READS = {"feeders": ["second"], "feeder_segments": ["first"], "substations": ["second"], "ders": ["second"]}


def plan(stages: dict[str, list[str]] | None = None, table_reads: dict[str, list[str]] | None = None) -> GoldPlan:
    """Stages (each with the stages it reads; by default two, the second reading the first) and
    the four tables (each with the stages it reads)."""
    stages = stages or {"first": [], "second": ["first"]}
    return GoldPlan(
        stages=[(stage, stage.upper()) for stage in stages],
        tables={name: f"ROWS OF {name}" for name in TABLES},
        schemas=dict.fromkeys(TABLES, schema_text(ROWS)),
        reads={**stages, **(table_reads or TABLE_READS)},
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
        self.creating: dict[str, threading.Event] = defaultdict(threading.Event)
        self.cursors: list[RecordingEngine] = []
        self.closed = False
        self.interrupted = threading.Event()
        #: tables whose rows are computed until their connection is interrupted (then it raises)
        self.held: set[str] = set()

    def wait_for(self, table: str) -> Callable[[], None]:
        def wait() -> None:
            assert self.streamed[table].wait(PATIENCE_S), f"{table} was never computed"

        return wait

    def wait_for_stage(self, stage: str) -> Callable[[], None]:
        def wait() -> None:
            assert self.creating[stage].wait(PATIENCE_S), f"{stage} was never started"

        return wait

    def register(self, name: str, table: object) -> None:
        pass

    def create(self, name: str, sql: str) -> None:
        self.creating[name].set()
        self.before.get(name, lambda: None)()
        self.log.append(("create", name))

    def stream(self, sql: str, schema: pa.Schema) -> pa.RecordBatchReader:
        name = sql.removeprefix("ROWS OF ")
        self.log.append(("stream", name))
        self.streamed[name].set()
        if name in self.held:
            return pa.RecordBatchReader.from_batches(schema, self._until_interrupted())
        return pa.RecordBatchReader.from_batches(schema, pa.table({"x": [1]}, schema=schema).to_batches())

    def _until_interrupted(self) -> Iterator[pa.RecordBatch]:
        assert self.interrupted.wait(PATIENCE_S), "never interrupted"
        raise InterruptedError("interrupted")
        yield  # a generator: the rows are asked for by the write

    def interrupt(self) -> None:
        self.interrupted.set()

    def query(self, sql: str, schema: pa.Schema | None = None) -> pa.Table:
        return {"PER TABLE": PER_TABLE, "UTILITIES": UTILITIES}[sql]

    def cursor(self) -> RecordingEngine:
        cursor = RecordingEngine(self.log)
        cursor.streamed, cursor.creating, cursor.before, cursor.held = self.streamed, self.creating, self.before, self.held
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
    assert len(engine.cursors) == 6 and all(cursor.closed for cursor in engine.cursors)  # two stages, four tables


def test_stages_that_read_no_other_stage_are_made_side_by_side():
    log: list[tuple[str, str]] = []
    engine = RecordingEngine(log)
    # each stage is made only once the other has started: made one after the other, neither would be
    engine.before["first"] = engine.wait_for_stage("second")
    engine.before["second"] = engine.wait_for_stage("first")
    stages = {"first": [], "second": [], "third": ["first", "second"]}
    PlannedGold(engine, plan(stages, dict.fromkeys(TABLES, ["third"])), SILVER, None).build(lambda name, rows: rows.read_all())
    assert log.index(("create", "third")) > max(log.index(("create", "first")), log.index(("create", "second")))
    assert all(log.index(("stream", name)) > log.index(("create", "third")) for name in TABLES)


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
    assert len(engine.cursors) == 3 and all(cursor.closed for cursor in engine.cursors)  # two stages, the segments


def test_a_failure_interrupts_what_still_runs_and_is_raised_once_it_has_stopped():
    """A write whose rows would be computed for ever is interrupted when a stage fails, rather
    than waited for (so a Ctrl-C, or an error, stops gold at once)."""
    log: list[tuple[str, str]] = []
    engine = RecordingEngine(log)
    engine.held.add("feeder_segments")

    def fail() -> None:
        engine.wait_for("feeder_segments")()
        raise RuntimeError("out of memory")

    engine.before["second"] = fail
    with pytest.raises(RuntimeError, match="out of memory"):
        PlannedGold(engine, plan(), SILVER, None).build(lambda name, rows: rows.read_all())
    segments = next(c for c in engine.cursors if c.interrupted.is_set())
    assert segments.closed and all(cursor.closed for cursor in engine.cursors)


def test_a_write_that_fails_stops_the_stages_that_follow():
    log: list[tuple[str, str]] = []
    engine = RecordingEngine(log)
    failed = threading.Event()

    def write(name: str, rows: pa.RecordBatchReader) -> pa.Table:
        failed.set()
        raise OSError("no space left on the lake's disk")

    def after_the_failure() -> None:
        assert failed.wait(PATIENCE_S)
        time.sleep(0.05)  # the write's future is done just after it raised

    engine.before["second"] = after_the_failure
    with pytest.raises(OSError, match="no space left"):
        PlannedGold(engine, plan({"first": [], "second": ["first"], "third": ["second"]}), SILVER, None).build(write)
    # the stage being made when the write failed is finished; the one after it never is
    assert ("create", "second") in log and ("create", "third") not in log
    assert all(cursor.closed for cursor in engine.cursors)


def test_writes_not_yet_started_when_a_stage_fails_never_start():
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
    with pytest.raises(RuntimeError, match="out of memory"):
        PlannedGold(engine, plan(table_reads=dict.fromkeys(TABLES, ["first"])), SILVER, None).build(write)
    # as many at once as there are workers: the second stage and two writes; the other two
    # writes never started, nor made a connection
    assert len(finished) == GOLD_WORKERS - 1
    assert len(engine.cursors) == 1 + GOLD_WORKERS and all(cursor.closed for cursor in engine.cursors)


def test_the_compiled_plan_makes_each_stage_and_table_after_the_stages_it_reads():
    compiled = compile_gold({"network": [], "der": []}, None, "duckdb")
    assert [name for name, _ in compiled.stages] == [LATEST_NETWORK, GOLD_DERS, GOLD_FEEDERS]
    # the DER records read the network's silver, not its latest rows: both are made at once
    assert compiled.reads == {
        LATEST_NETWORK: [],
        GOLD_DERS: [],
        GOLD_FEEDERS: [GOLD_DERS, LATEST_NETWORK],
        "feeders": [GOLD_FEEDERS],
        "feeder_segments": [LATEST_NETWORK],
        "substations": [GOLD_FEEDERS],
        "ders": [GOLD_DERS],
    }
    # the stages that keep the latest row of each key read their subqueries again (the latest
    # network rows have theirs written out where they are read); the feeders' stage keeps its
    # (the vertices of every line, read several times)
    stages = dict(compiled.stages)
    assert "WITH" not in stages[LATEST_NETWORK] and "(\n    SELECT" in stages[LATEST_NETWORK]
    assert " AS NOT MATERIALIZED (" in stages[GOLD_DERS] and " AS (" not in stages[GOLD_DERS]
    assert " AS (" in stages[GOLD_FEEDERS] and " AS NOT MATERIALIZED (" not in stages[GOLD_FEEDERS]

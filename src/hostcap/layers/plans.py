"""Compiled plans: silver and gold as SQL text, and running them, with no Ibis imported.

Building a source's silver expressions, or gold's, and compiling them to SQL costs more than
running that SQL on data of ordinary size, and comes out the same whenever its inputs are the
same. So an engine that runs SQL text (DuckDB) gets a plan, compiled once by
hostcap.layers.silver_plan or hostcap.layers.gold_plan from the very expressions every other
engine runs and kept by hostcap.plan_cache under its identity (below), and runs it here over
Arrow tables registered under the names the plan was compiled with. A refresh whose plans are
all cached so neither builds an expression nor imports Ibis.
"""

from __future__ import annotations

import base64
import functools
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

import pyarrow as pa

from hostcap.checks import GOLD_KEYS, GoldFacts
from hostcap.config.source import SourceConfig
from hostcap.io.arrays import empty_table, row_numbers, scalar
from hostcap.io.readers import ROW
from hostcap.layers.bronze import FILE
from hostcap.registry import TABLES

if TYPE_CHECKING:
    from hostcap.seal import WrittenParquet

#: the classification of a bronze row (silver, quarantine, excluded) and why, while silver is made
OUTCOME = "_outcome"
REASON = "_reason"
#: the name a silver plan reads its source's bronze rows by
BRONZE = "bronze"
#: where a row that is not silver goes, with the reason or rule that sent it there
REJECTED = ("quarantine", "excluded")
UNPARSED = "_unparsed"
#: a silver row's unparsed values (hostcap.layers.silver), empty when there are none
UNPARSED_VALUES = "unparsed_values"
#: the name a silver plan reads the rows set aside by (quarantine, excluded), and what it keeps of them
SET_ASIDE = "set_aside"
SET_ASIDE_COLUMNS = [FILE, ROW, OUTCOME, REASON]
#: the two shapes of silver gold is made from
FAMILIES = ("network", "der")
#: gold stages made and tables computed and written at once (PlannedGold.build)
GOLD_WORKERS = 3
#: each gold table and the columns its rows are sorted by when written (hostcap.registry)
ORDER = {name: list(table.order) for name, table in TABLES.items()}


def schema_text(schema: pa.Schema) -> str:
    """An Arrow schema as text, to keep in a plan (JSON)."""
    return base64.b64encode(schema.serialize().to_pybytes()).decode()


def schema_from_text(text: str) -> pa.Schema:
    return pa.ipc.read_schema(pa.py_buffer(base64.b64decode(text)))


def _fields(schema: pa.Schema) -> list[list[str]]:
    return [[field.name, str(field.type)] for field in schema]


class SqlEngine(Protocol):
    """What running a plan needs from an engine: Arrow in, SQL text run, Arrow out (a small
    result whole, a table to write as a stream of batches)."""

    def register(self, name: str, table: pa.Table | WrittenParquet) -> None: ...

    def create(self, name: str, sql: str) -> None: ...

    def view(self, name: str, sql: str) -> None:
        """A view `name` of the query `sql`, computed where it is read."""
        ...

    def query(self, sql: str, schema: pa.Schema | None = None) -> pa.Table: ...

    def stream(self, sql: str, schema: pa.Schema) -> pa.RecordBatchReader: ...

    def cursor(self) -> SqlEngine:
        """Another connection to the same tables, for a statement run beside this one's."""
        ...

    def interrupt(self) -> None:
        """Stop the statement running on this connection, from another thread: it raises where it
        runs. Nothing happens when none runs, or once the connection is closed."""
        ...

    def close(self) -> None: ...


@dataclass(frozen=True)
class SilverPlan:
    """The bronze columns whose trimmed text the plan reads as inputs of their own (header →
    name); stages to make in order (name, SELECT), the last of them every bronze row classified;
    the query that counts the rows set aside (SET_ASIDE); the Arrow schema of the classified rows
    and of each result (silver, and per outcome its rows as received), as the expression path
    returns it."""

    trim: dict[str, str]
    stages: list[tuple[str, str]]
    set_aside_counts: str
    schemas: dict[str, str]

    @classmethod
    def from_dict(cls, data: dict) -> SilverPlan:
        return cls(
            trim=dict(data["trim"]),
            stages=[(name, sql) for name, sql in data["stages"]],
            set_aside_counts=data["set_aside_counts"],
            schemas=dict(data["schemas"]),
        )

    def to_dict(self) -> dict:
        return {
            "trim": self.trim,
            "stages": self.stages,
            "set_aside_counts": self.set_aside_counts,
            "schemas": self.schemas,
        }

    def schema(self, result: str) -> pa.Schema:
        return schema_from_text(self.schemas[result])


def silver_identity(config: SourceConfig, bronze_schema: pa.Schema, dialect: str) -> dict:
    """Everything a silver plan is compiled from, besides the code: the key of its cache entry."""
    return {"plan": "silver", "dialect": dialect, "config": config.model_dump_json(), "bronze": _fields(bronze_schema)}


class PlannedSilver:
    """A source's silver results from its compiled plan, on an engine session of its own: the
    same results as the expressions give (hostcap.layers.silver_plan.ExpressionSilver).

    The classified rows are read once, as they are computed: silver's rows go on to be written,
    the rows set aside keep their lineage and reason (for `rejected` to read them as received),
    and the counts are taken on the way. Kept as a table in the engine instead, every classified
    row would be copied in, and silver's rows out again: a sixth of a large source's silver."""

    def __init__(self, engine: SqlEngine, plan: SilverPlan, bronze: pa.Table):
        self.engine = engine
        self.plan = plan
        self.bronze = bronze
        engine.register(BRONZE, with_trimmed(bronze, plan.trim))
        *steps, (self._classified, sql) = plan.stages
        for name, step in steps:
            engine.create(name, step)
        engine.view(self._classified, sql)
        #: silver rows so far, by whether one of their values was unparsed
        self._silver_rows = {False: 0, True: 0}
        self._set_aside: pa.Table | None = None

    def silver(self) -> pa.RecordBatchReader:
        """Silver's rows as they are classified. Read them whole before `counts` and `rejected`."""
        schema = self.plan.schema("silver")
        return pa.RecordBatchReader.from_batches(schema, self._silver_batches(schema))

    def _silver_batches(self, schema: pa.Schema) -> Iterator[pa.RecordBatch]:
        import pyarrow.compute as pc

        classified = self.plan.schema("classified")
        # Arrow scalars, not Python strings, which pyarrow would first check for pandas objects
        silver, nothing = scalar("silver", pa.string()), scalar("", pa.string())
        set_aside = []
        for batch in self.engine.stream(f'SELECT * FROM "{self._classified}"', classified):
            chosen = pc.equal(batch.column(OUTCOME), silver)
            if not pc.all(chosen).as_py():
                set_aside.append(batch.filter(pc.invert(chosen)).select(SET_ASIDE_COLUMNS))
                batch = batch.filter(chosen)
            unparsed = pc.sum(pc.not_equal(batch.column(UNPARSED_VALUES), nothing)).as_py() or 0
            self._silver_rows[True] += unparsed
            self._silver_rows[False] += batch.num_rows - unparsed
            if batch.num_rows:
                yield batch.select(schema.names)
        self._set_aside = pa.Table.from_batches(set_aside, set_aside_schema(classified))
        self.engine.register(SET_ASIDE, self._set_aside)

    def counts(self) -> list[dict]:
        """Rows per outcome and reason, and whether a silver row has an unparsed value, as
        silver_plan.outcome_counts counts them (once silver is read)."""
        if self._set_aside is None:
            raise RuntimeError("the counts are taken as silver is read: read silver first")
        silver = [{OUTCOME: "silver", REASON: None, UNPARSED: unparsed, "n": n} for unparsed, n in self._silver_rows.items() if n]
        return silver + (self.engine.query(self.plan.set_aside_counts).to_pylist() if self._set_aside.num_rows else [])

    def rejected(self, outcome: str) -> pa.Table:
        """The rows set aside with `outcome`, as received, with their reason, in the order of their
        file and row, as silver_plan.rejected_rows gives them (once silver is read).

        Picked out of the bronze rows in Arrow: the rows set aside can be most of a source
        (Central Hudson's geometry stubs), and joining them back to bronze in SQL, then sorting
        the wide rows, cost as much as classifying every row."""
        import pyarrow.compute as pc

        if self._set_aside is None:
            raise RuntimeError("the rows set aside are known once silver is read: read silver first")
        chosen = self._set_aside.filter(pc.equal(self._set_aside[OUTCOME], scalar(outcome, pa.string())))
        keys, bronze_keys = self._bronze_keys
        chosen_keys = keys.of(chosen)
        picked = pc.is_in(bronze_keys, value_set=chosen_keys)
        reasons = chosen[REASON].take(pc.index_in(bronze_keys.filter(picked), value_set=chosen_keys))
        rows = in_order(self.bronze.filter(picked).append_column(REASON, reasons), [FILE, ROW])
        return rows.cast(self.plan.schema(outcome))

    @functools.cached_property
    def _bronze_keys(self) -> tuple[RowKeys, pa.Array]:
        """Each bronze row's (file, row) key, made once for every outcome `rejected` picks."""
        keys = RowKeys(self.bronze)
        return keys, keys.of(self.bronze)


class RowKeys:
    """A bronze row's (file, row) as one number: the file's place among `bronze`'s files, then
    its row (a file's rows are numbered apart)."""

    def __init__(self, bronze: pa.Table):
        import pyarrow.compute as pc

        self.files = pc.unique(bronze[FILE])

    def of(self, rows: pa.Table) -> pa.Array:
        import pyarrow.compute as pc

        place = pc.cast(pc.index_in(rows[FILE], value_set=self.files), pa.int64())
        return pc.add(pc.multiply(place, scalar(1 << 32, pa.int64())), rows[ROW])


def in_order(rows: pa.Table, columns: list[str]) -> pa.Table:
    """`rows` sorted by `columns` (ascending), taken anew only when they are not in that order
    already (a table of one file's rows in its order is, and taking wide rows is costly)."""
    import pyarrow.compute as pc

    order = pc.sort_indices(rows, [(name, "ascending") for name in columns])
    if pc.all(pc.equal(order, row_numbers(0, rows.num_rows))).as_py() is False:
        return rows.take(order)
    return rows


def set_aside_schema(classified: pa.Schema) -> pa.Schema:
    """What is kept of a row set aside (SET_ASIDE_COLUMNS), typed as the classified rows type it."""
    return pa.schema([classified.field(name) for name in SET_ASIDE_COLUMNS])


#: what trimming strips from both ends of a cell (parse.trim's patterns are made of these)
TRIMMED_CHARACTERS = " \t\r\n"


def with_trimmed(bronze: pa.Table, trim: dict[str, str]) -> pa.Table:
    """`bronze` plus each column in `trim` trimmed as parse.trim does, under its name there.

    Arrow's trim kernel does in one pass over a column what the SQL of parse.trim (two pattern
    matches per cell, then a replace where one matched) costs several times over: trimming was
    the costliest step of a source's silver. The engines' results stay identical (the engine
    parity tests, and tests/test_plan_cache.py against the expressions)."""
    import pyarrow.compute as pc

    for header, name in trim.items():
        bronze = bronze.append_column(name, pc.utf8_trim(bronze[header], characters=TRIMMED_CHARACTERS))
    return bronze


def gold_input(family: str, i: int) -> str:
    """The name the `i`-th silver table of `family` is registered under."""
    return f"silver_{family}_{i}"


def gold_written(name: str) -> str:
    """The name a written gold table is registered under, for the facts queries."""
    return f"written_{name}"


def gold_published(name: str) -> str:
    """The name a published gold table whose rows are kept is registered under."""
    return f"published_{name}"


def gold_facts(per_table: list[dict], utilities: list[dict]) -> GoldFacts:
    """GoldFacts from the rows of the two facts queries (hostcap.layers.gold_plan.facts_queries)."""
    counts = {row["table"]: row for row in per_table}
    return GoldFacts(
        rows={name: counts[name]["rows"] for name in GOLD_KEYS},
        keys={name: (counts[name]["distinct"], counts[name]["nulls"]) for name in GOLD_KEYS},
        utilities={row["utility"] for row in utilities} - {None},
        invalid_capacity=counts["feeders"]["flagged"],
    )


@dataclass(frozen=True)
class GoldPlan:
    """Gold as SQL text: stages to create (name, SELECT), each after the stages it reads; per
    gold table the query that makes it from the silver given, sorted as it is written, and its
    Arrow schema; per stage and table, the stages it reads; with kept utilities, per table the
    query of their published rows (in the published order); the two facts queries over the
    written tables; and the schema of the empty silver to register for a family with no source."""

    stages: list[tuple[str, str]]
    tables: dict[str, str]
    schemas: dict[str, str]
    reads: dict[str, list[str]]
    facts: tuple[str, str]
    empty: dict[str, str]
    kept: dict[str, str]

    @classmethod
    def from_dict(cls, data: dict) -> GoldPlan:
        return cls(
            stages=[(name, sql) for name, sql in data["stages"]],
            tables=dict(data["tables"]),
            schemas=dict(data["schemas"]),
            reads={name: list(stages) for name, stages in data["reads"].items()},
            facts=(data["facts"][0], data["facts"][1]),
            empty=dict(data["empty"]),
            kept=dict(data["kept"]),
        )

    def to_dict(self) -> dict:
        return {
            "stages": self.stages,
            "tables": self.tables,
            "schemas": self.schemas,
            "reads": self.reads,
            "facts": list(self.facts),
            "empty": self.empty,
            "kept": self.kept,
        }


def gold_identity(silver: dict[str, list[pa.Schema]], kept: tuple[dict[str, pa.Schema], set[str]] | None, dialect: str) -> dict:
    """Everything a gold plan is compiled from, besides the code: the key of its cache entry.
    `silver` holds each family's silver schemas; `kept`, the published gold tables' schemas and
    the utilities whose rows are kept from them."""
    return {
        "plan": "gold",
        "dialect": dialect,
        "silver": {family: [_fields(schema) for schema in silver[family]] for family in FAMILIES},
        "kept": None
        if kept is None
        else {"utilities": sorted(kept[1]), "tables": {n: _fields(s) for n, s in sorted(kept[0].items())}},
    }


class PlannedGold:
    """Gold from its compiled plan: the silver (and published gold) registered under the plan's
    names, then its stages created, each table's rows streamed to `write` as soon as the stages
    it reads exist, and the facts counted over what it wrote (the rows `write` returns)."""

    def __init__(
        self,
        engine: SqlEngine,
        plan: GoldPlan,
        silver: dict[str, list[pa.Table | WrittenParquet]],
        kept: dict[str, pa.Table | WrittenParquet] | None,
    ):
        self.engine = engine
        self.plan = plan
        for family in FAMILIES:
            tables = silver[family] or [empty_table(schema_from_text(plan.empty[family]))]
            for i, table in enumerate(tables):
                engine.register(gold_input(family, i), table)
        for name, table in (kept or {}).items():
            engine.register(gold_published(name), table)

    def build(
        self,
        write: Callable[[str, pa.RecordBatchReader], pa.Table | WrittenParquet],
        copied: dict[str, pa.Table | WrittenParquet] | None = None,
    ) -> GoldFacts:
        """The stages created, and each table but those `copied` (already written as they are:
        see hostcap.gold_reuse) computed and written, then the facts over all of them.

        Each stage is made, and each table computed, on a connection of its own as soon as every
        stage it reads exists, beside whatever else is due: on small data a stage runs on about
        one core (a scan's unit of work is a row group), so the latest network rows and the DER
        records, which read only silver, are made side by side, and a table's rows are encoded
        to Parquet while the next stage is made. On the first failure (or an interrupt, Ctrl-C),
        nothing more starts, and what still runs is interrupted and waited for; then it is raised."""
        written = dict(copied or {})
        stages = dict(self.plan.stages)
        due = [name for name in (*stages, *self.plan.tables) if name not in written]  # stages first
        made: set[str] = set()
        with ThreadPoolExecutor(GOLD_WORKERS, thread_name_prefix="hostcap-gold") as workers:
            #: each stage or table running, by its future, with its connection (never more than
            #: there are workers, so none waits in the pool's queue, and none starts after a failure)
            running: dict[Future, tuple[str, SqlEngine]] = {}
            try:
                while due or running:
                    for name in [name for name in due if made.issuperset(self.plan.reads[name])]:
                        if len(running) == GOLD_WORKERS:
                            break
                        due.remove(name)
                        cursor = self.engine.cursor()  # made here: only this thread makes connections
                        if name in stages:
                            future = workers.submit(self._create, cursor, name, stages[name])
                        else:
                            future = workers.submit(self._write, cursor, name, write)
                        running[future] = (name, cursor)
                    if not running:
                        raise ValueError(f"gold plan: {', '.join(due)} read stages that are never made")
                    finished, _ = wait(running, return_when=FIRST_COMPLETED)
                    for future in finished:
                        name, _ = running.pop(future)
                        result = future.result()
                        if name in stages:
                            made.add(name)
                        else:
                            written[name] = result
            except BaseException:
                for _, cursor in running.values():  # of no use now; the pool waits for them below
                    cursor.interrupt()
                raise
        for name in self.plan.tables:
            self.engine.register(gold_written(name), written[name])
        per_table, utilities = (self.engine.query(sql).to_pylist() for sql in self.plan.facts)
        return gold_facts(per_table, utilities)

    @staticmethod
    def _create(engine: SqlEngine, name: str, sql: str) -> None:
        """Stage `name` made on `engine` (a connection of its own, closed after)."""
        try:
            engine.create(name, sql)
        finally:
            engine.close()

    def _write(
        self, engine: SqlEngine, name: str, write: Callable[[str, pa.RecordBatchReader], pa.Table | WrittenParquet]
    ) -> pa.Table | WrittenParquet:
        """Table `name` computed on `engine` (a connection of its own, closed after) and written."""
        try:
            return write(name, self._rows(engine, name))
        finally:
            engine.close()

    def _rows(self, engine: SqlEngine, name: str) -> pa.RecordBatchReader:
        """A table's rows as they are computed; with kept utilities, merged with their published rows."""
        schema = schema_from_text(self.plan.schemas[name])
        if name not in self.plan.kept:
            return engine.stream(self.plan.tables[name], schema)
        rebuilt = engine.query(self.plan.tables[name], schema)  # the changed utilities' rows: read before the next query
        kept = engine.stream(self.plan.kept[name], schema)
        return pa.RecordBatchReader.from_batches(schema, merged_by_utility(kept, rebuilt))


def merged_by_utility(kept: Iterable[pa.RecordBatch], rebuilt: pa.Table) -> Iterator[pa.RecordBatch]:
    """The rows of two tables in gold's order, both already in it: `kept` (batches, other
    utilities) and `rebuilt`. Gold is sorted by utility first and no utility is in both, so each
    utility's rows come whole from one side: a rebuilt utility's go before the first kept row
    of a utility that sorts after it (by byte order, as the engines sort text)."""
    pending = deque(run for batch in rebuilt.to_batches() for run in _utility_runs(batch))
    for batch in kept:
        for utility, run in _utility_runs(batch):
            while pending and pending[0][0].encode() < utility.encode():
                yield pending.popleft()[1]
            yield run
    for _, run in pending:
        yield run


def _utility_runs(rows: pa.RecordBatch) -> list[tuple[str, pa.RecordBatch]]:
    """(utility, rows) for each run of rows of one utility, in order."""
    import pyarrow.compute as pc

    utilities = rows.column("utility")
    if not len(utilities):
        return []
    changes = pc.indices_nonzero(pc.not_equal(utilities[1:], utilities[:-1])).to_pylist()
    starts = [0, *(i + 1 for i in changes)]
    ends = [*starts[1:], len(utilities)]
    return [(utilities[start].as_py(), rows.slice(start, end - start)) for start, end in zip(starts, ends, strict=True)]

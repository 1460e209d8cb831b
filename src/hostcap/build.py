"""The engine side of a refresh: read sources into bronze and silver, and build gold.

Kept apart from the orchestration in `refresh.py` so that a refresh with nothing to do never
starts an engine (or imports one).

Each source is loaded in an engine session of its own, closed when the source is done, so its
intermediate tables never outlive it (on DuckDB, a connection of the gold session's database whose
tables and views are its own). The engine writes every table to the lake (`Engine.store`): on
DuckDB the rows pass through this process, and a source's silver is kept as the Parquet file
written (`seal.WrittenParquet`) for the gold session to scan; on Spark the executors write the
lake and read it back, and only counts reach this process. Sessions are independent (`Engine.sibling`), so several sources
load side by side on worker threads, the largest first (DuckDB, pyarrow and the readers release
the GIL while they work; Spark's sessions share the executors): most sources are too small for
one query, or one Spark stage, to keep every core busy.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor, wait
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

import pyarrow as pa

from hostcap.checks import GoldFacts
from hostcap.concurrently import map_threads
from hostcap.config.source import SourceConfig
from hostcap.engine import Engine, Stored, open_engine
from hostcap.errors import SourceError
from hostcap.io.readers import ROW, match_headers, read_file
from hostcap.io.storage import FileChanged, FileRef, Storage, blame
from hostcap.lake import Lake
from hostcap.layers.bronze import LINEAGE, ReadResult, build_bronze, data_columns
from hostcap.layers.plans import (
    ORDER,
    OUTCOME,
    REASON,
    UNPARSED,
    GoldPlan,
    PlannedGold,
    PlannedSilver,
    SilverPlan,
    gold_facts,
    gold_identity,
    silver_identity,
)
from hostcap.plan_cache import PlanCache
from hostcap.report import FileReport, LayerReport, SourceReport

T = TypeVar("T")
R = TypeVar("R")

#: the columns of bronze, quarantine and excluded rows that get min/max statistics: their data
#: columns are the source's text as received, which nobody reads by range; their lineage (a
#: file, a row) may be
AS_RECEIVED_STATISTICS = (*LINEAGE, REASON)


def _timed(report: SourceReport, layer: str, started: float, rows: int | None) -> None:
    report.layers[layer] = LayerReport(status="succeeded", rows=rows, duration_s=round(time.perf_counter() - started, 3))


@contextmanager
def _layer(report: SourceReport, layer: str) -> Iterator[float]:
    """Time one layer of a source; if it fails, the report says it was this layer (and a
    storage error names it)."""
    started = time.perf_counter()
    try:
        with blame(f"{layer} layer"):
            yield started
    except BaseException:
        report.layers[layer] = LayerReport(status="failed", duration_s=round(time.perf_counter() - started, 3))
        raise


def _compile_silver(config: SourceConfig, bronze_schema: pa.Schema, dialect: str) -> dict:
    """A source's silver plan, compiled now. The expressions (and Ibis, which builds them) are
    imported only here and on an engine that runs them: a refresh whose plans are all cached
    never imports them."""
    from hostcap.layers.silver_plan import compile_silver

    return compile_silver(config, bronze_schema, dialect).to_dict()


def _compile_gold(silver: dict[str, list[pa.Schema]], kept: tuple[dict[str, pa.Schema], set[str]] | None, dialect: str) -> dict:
    """Gold's plan, compiled now (imported here for the reason _compile_silver gives)."""
    from hostcap.layers.gold_plan import compile_gold

    return compile_gold(silver, kept, dialect).to_dict()


class Builder:
    """The engine work of one snapshot: its sources' bronze and silver, then gold."""

    def __init__(
        self,
        lake: Lake,
        snapshot: str,
        sources: Storage,
        engine_kind: str,
        spark_master: str | None = None,
        workers: int = 1,
        plan_cache_dir: Path | None = None,
    ):
        self.lake = lake
        self.snapshot = snapshot
        self.storage = sources
        #: the gold session; each source's work gets a sibling of it (on Spark, a session of the same application)
        self.engine = open_engine(engine_kind, spark_master)
        self.workers = workers if self.engine.concurrent_sessions else 1
        self.plans = PlanCache(plan_cache_dir)

    def close(self) -> None:
        self.engine.close()

    @contextmanager
    def closing_meanwhile(self) -> Iterator[None]:
        """The engines closed while the block runs, and waited for at its end (a failure to
        close is raised then, unless the block failed): closing frees what the sessions hold
        (for DuckDB, some 20 ms after the two-utility benchmark's gold), and what follows gold
        (checks, publish, history) needs none of it. An engine outside this process (Spark) is
        closed first, from this thread, as it was opened."""
        if not self.engine.in_process:
            self.close()
            yield
            return
        with ThreadPoolExecutor(1, thread_name_prefix="hostcap-close") as closer:
            closed = closer.submit(self.close)
            try:
                yield
            finally:
                wait([closed])
            closed.result()

    def each_source(self, load: Callable[[T], R], items: Iterable[T], cost: Callable[[T], float] | None = None) -> list[R]:
        """`load` applied to every item, on `workers` threads, the costliest first; results in
        the items' order. What the sources' sessions changed in the engine is undone at the end."""
        try:
            return map_threads(load, items, self.workers, name="hostcap-source", cost=cost)
        finally:
            self.engine.siblings_done()

    def _read(self, config: SourceConfig, files: list[tuple[FileRef, str]], report: SourceReport) -> pa.Table:
        reads = []
        for ref, digest in files:
            try:
                data = self.storage.read_verified(ref.path, digest)
            except FileChanged as exc:
                raise SourceError(
                    config.source_id,
                    f"the file changed while the refresh ran ({exc}): it is being written or was replaced; "
                    "the next refresh loads it as it is then",
                    file=ref.path,
                ) from None
            table = read_file(data, config.read, config.source_id, ref.path)
            reads.append(ReadResult(ref.path, digest, table))
            report.files.append(FileReport(path=ref.path, sha256=digest, rows=table.num_rows))
        bronze = build_bronze(config, reads, self.snapshot)
        mapped = {h for spec in config.columns.values() for h in match_headers(spec.headers, data_columns(bronze))}
        report.unmapped_columns = [c for c in data_columns(bronze) if c not in mapped]
        return bronze

    @staticmethod
    def _count_outcomes(counts: list[dict], report: SourceReport) -> None:
        """The report's counts from the rows of the outcome counts (silver_plan.outcome_counts)."""
        for row in counts:
            outcome, reason, n = row[OUTCOME], row[REASON], row["n"]
            if outcome == "silver":
                report.loaded += n
                report.unparsed_rows += n if row[UNPARSED] else 0
            elif outcome == "quarantine":
                report.quarantined += n
                report.quarantine_reasons[reason] = report.quarantine_reasons.get(reason, 0) + n
            else:
                report.excluded += n
                report.exclusion_rules[reason] = report.exclusion_rules.get(reason, 0) + n

    def load_source(self, config: SourceConfig, files: list[tuple[FileRef, str]], report: SourceReport) -> Stored:
        """Bronze and silver (plus quarantine and excluded) of one source, written to the snapshot;
        returns its silver."""
        if not files:
            raise SourceError(config.source_id, f"no files matching {config.read.pattern!r} in {config.location}")
        for ref, _ in files:
            if ref.refused:
                raise SourceError(config.source_id, f"refused: {ref.refused}", file=ref.path)
        with _layer(report, "bronze") as started:
            bronze_arrow = self._read(config, files, report)
            path = self.lake.write_table(self.snapshot, "bronze", config.source_id, bronze_arrow, AS_RECEIVED_STATISTICS)
        report.rows_in = bronze_arrow.num_rows
        # an engine that reads the lake itself does not need the rows kept in this process; DuckDB
        # scans them in place until the source's silver, quarantine and excluded are written
        bronze = Stored(path, bronze_arrow if self.engine.in_process else None)
        del bronze_arrow
        _timed(report, "bronze", started, report.rows_in)
        with _layer(report, "silver") as started:
            # side by side, each source gets one thread: sources, not one source's query, share the cores
            engine = self.engine.sibling(threads=1 if self.workers > 1 else None)
            try:
                silver = self._silver(engine, config, bronze, report)
            finally:
                engine.close()
        _timed(report, "silver", started, report.loaded)
        return silver

    def _silver(self, engine: Engine, config: SourceConfig, bronze: Stored, report: SourceReport) -> Stored:
        """Silver, quarantine and excluded of one source from its bronze, written to the snapshot.
        An engine that runs SQL text (DuckDB) runs the source's compiled plan, compiled once per
        config, header set and code (see hostcap.plan_cache), on the bronze rows in memory; any
        other (Spark) builds the expressions over the stored bronze and writes from its workers."""
        if engine.runs_sql:
            plan = self.plans.get(
                silver_identity(config, bronze.arrow.schema, engine.kind),
                lambda: _compile_silver(config, bronze.arrow.schema, engine.kind),
                SilverPlan.from_dict,
            )
            planned = PlannedSilver(engine, plan, bronze.arrow)
            # streamed to the lake; what gold scans later is the file as written, not the rows
            stored = Stored(*self.lake.write_scannable(self.snapshot, "silver", config.source_id, planned.silver()))
            self._count_outcomes(planned.counts(), report)
            for outcome, rows in (("quarantine", report.quarantined), ("excluded", report.excluded)):
                if rows:
                    self.lake.write_table(
                        self.snapshot, outcome, config.source_id, planned.rejected(outcome), AS_RECEIVED_STATISTICS
                    )
            return stored
        from hostcap.layers.silver_plan import ExpressionSilver  # the expressions: see _compile_silver

        results = ExpressionSilver(engine, config, engine.scan("bronze", self.lake, bronze))
        self._count_outcomes(results.counts(), report)
        stored = engine.store(self.lake, self.snapshot, "silver", config.source_id, results.silver())
        for outcome, rows in (("quarantine", report.quarantined), ("excluded", report.excluded)):
            if rows:
                engine.store(self.lake, self.snapshot, outcome, config.source_id, results.rejected(outcome), order=["_file", ROW])
        return stored

    def reuse_silver(self, source_id: str, snapshot: str) -> Stored:
        """A source's silver as an earlier snapshot wrote it."""
        return self.engine.reuse(self.lake, source_id, "silver", snapshot)

    def build_gold(
        self,
        network: list[Stored],
        ders: list[Stored],
        kept: tuple[str, set[str]] | None = None,
        whole: tuple[str, set[str]] | None = None,
    ) -> GoldFacts:
        """The gold tables from every source's silver, written to the snapshot; returns what the
        checks need to know of them, counted by the engine. With `kept` (a snapshot and some
        utilities), the silver given is the other utilities', and those utilities' rows are
        taken from that snapshot's gold as they are; with `whole` (a snapshot and some gold
        tables), those tables are copied from it byte for byte, not computed (see
        `hostcap.gold_reuse`). An engine that runs SQL text runs gold's compiled plan (see
        hostcap.layers.gold_plan)."""
        engine = self.engine
        silver = {"network": network, "der": ders}
        copied = {}
        for name in whole[1] if whole else ():
            path = self.lake.copy_table(whole[0], self.snapshot, "gold", name)
            # an in-process engine scans the copy's bytes; Spark's executors read the file
            copied[name] = Stored(path, self.lake.read_scannable(name, "gold", self.snapshot) if engine.in_process else None)
        published = None
        if kept is not None:
            published = {name: copied.get(name) or engine.reuse(self.lake, name, "gold", kept[0]) for name in ORDER}
        if engine.runs_sql:
            return self._planned_gold(silver, published, kept[1] if kept else set(), copied)
        from hostcap.layers.gold_plan import empty_silver, facts_queries, gold_tables  # see _compile_silver

        tables = {family: [engine.scan("silver", self.lake, table) for table in stored] for family, stored in silver.items()}
        for family, scanned in tables.items():
            if not scanned:
                tables[family] = [empty_silver(family, engine.from_arrow, engine)]
        published_tables = None
        if published is not None:
            published_tables = ({name: engine.scan(f"kept_{name}", self.lake, t) for name, t in published.items()}, kept[1])
        expressions = gold_tables(engine, tables, published_tables)
        stored = {
            name: copied.get(name) or engine.store(self.lake, self.snapshot, "gold", name, expr, ORDER[name])
            for name, expr in expressions.items()
        }
        per_table, utilities = facts_queries(
            {name: engine.scan(f"gold_{name}", self.lake, table) for name, table in stored.items()}
        )
        return gold_facts(engine.to_arrow(per_table).to_pylist(), engine.to_arrow(utilities).to_pylist())

    def _planned_gold(
        self,
        silver: dict[str, list[Stored]],
        published: dict[str, Stored] | None,
        utilities: set[str],
        copied: dict[str, Stored],
    ) -> GoldFacts:
        arrow = {family: [table.arrow for table in stored] for family, stored in silver.items()}
        schemas = {family: [table.schema for table in tables] for family, tables in arrow.items()}
        kept = None
        if published is not None:
            kept = ({name: table.arrow.schema for name, table in published.items()}, utilities)
        plan = self.plans.get(
            gold_identity(schemas, kept, self.engine.kind),
            lambda: _compile_gold(schemas, kept, self.engine.kind),
            GoldPlan.from_dict,
        )
        planned = PlannedGold(self.engine, plan, arrow, {n: t.arrow for n, t in published.items()} if published else None)
        return planned.build(
            lambda name, rows: self.lake.write_scannable(self.snapshot, "gold", name, rows)[1],
            {name: table.arrow for name, table in copied.items()},
        )

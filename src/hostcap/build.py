"""The engine side of a refresh: read sources into bronze and silver, and build gold.

Kept apart from the orchestration in `refresh.py` so that a refresh with nothing to do never
starts an engine (or imports one).

Each source is loaded in an engine session of its own, closed when the source is done, so its
intermediate tables never outlive it. The engine writes every table to the lake (`Engine.store`):
on DuckDB the rows pass through this process, and a source's silver stays in memory as Arrow for
the gold session to scan in place; on Spark the executors write the lake and read it back, and
only counts reach this process. On DuckDB, sessions are independent in-process databases, so
several sources load side by side on worker threads (DuckDB, pyarrow and the readers release the
GIL while they work): most sources are too small for DuckDB to spread one query over every
core. Spark runs one source at a time and parallelizes inside each job instead.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

import ibis
import ibis.expr.types as ir
import pyarrow as pa

from hostcap.config.source import SourceConfig
from hostcap.checks import GOLD_KEYS, GoldFacts
from hostcap.engine import Engine, Stored, open_engine
from hostcap.errors import SourceError
from hostcap.io.readers import ROW, match_headers, read_file
from hostcap.io.storage import FileChanged, FileRef, Storage, blame
from hostcap.lake import Lake
from hostcap.layers import gold as gold_layer
from hostcap.layers.bronze import LINEAGE, ReadResult, build_bronze, data_columns
from hostcap.layers.silver import OUTCOME, REASON, build_classified
from hostcap.layers.silver_plan import UNPARSED, ExpressionSilver, PlannedSilver, SilverPlan, plan_identity
from hostcap.plan_cache import PlanCache
from hostcap.report import FileReport, LayerReport, SourceReport


T = TypeVar("T")
R = TypeVar("R")


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
        self.engine_kind = engine_kind
        self.spark_master = spark_master
        #: the gold session; on Spark it also starts the session the per-source engines share
        self.engine = open_engine(engine_kind, spark_master)
        self.workers = workers if self.engine.concurrent_sessions else 1
        self.plans = PlanCache(plan_cache_dir)

    def close(self) -> None:
        self.engine.close()

    def each_source(self, load: Callable[[T], R], items: Iterable[T]) -> list[R]:
        """`load` applied to every item, on `workers` threads; results in the items' order."""
        items = list(items)
        if self.workers <= 1 or len(items) <= 1:
            return [load(item) for item in items]
        with ThreadPoolExecutor(self.workers, thread_name_prefix="hostcap-source") as pool:
            return list(pool.map(load, items))

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
            path = self.lake.write_table(self.snapshot, "bronze", config.source_id, bronze_arrow)
        report.rows_in = bronze_arrow.num_rows
        # an engine that reads the lake itself does not need the rows kept in this process
        bronze = Stored(path, bronze_arrow if self.engine.in_process else None)
        del bronze_arrow
        _timed(report, "bronze", started, report.rows_in)
        with _layer(report, "silver") as started:
            # side by side, each source gets one thread: sources, not one source's query, share the cores
            engine = open_engine(self.engine_kind, self.spark_master, threads=1 if self.workers > 1 else None)
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
                plan_identity(config, bronze.arrow.schema, engine.kind),
                lambda: SilverPlan.compile(config, bronze.arrow.schema, engine.kind).to_dict(),
                SilverPlan.from_dict,
            )
            planned = PlannedSilver(engine, plan, bronze.arrow)
            self._count_outcomes(planned.counts(), report)
            silver = planned.silver()
            stored = Stored(self.lake.write_table(self.snapshot, "silver", config.source_id, silver), silver)
            for outcome, rows in (("quarantine", report.quarantined), ("excluded", report.excluded)):
                if rows:
                    self.lake.write_table(self.snapshot, outcome, config.source_id, planned.rejected(outcome))
            return stored
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

    def _empty_silver(self, family: str) -> ir.Table:
        """A silver table with no rows and the family's canonical schema, for a gold with no such source."""
        stub = {"native_feeder_id": "id"} if family == "network" else {"native_der_id": "id", "nameplate_kw": "kw"}
        config = SourceConfig.model_validate(
            {
                "utility": "none", "dataset": "network" if family == "network" else "installed_der",
                "description": "", "location": "", "read": {"type": "csv"}, "columns": stub,
                **({"network": {"grain": "feeder"}} if family == "network" else {"der": {"status": "installed"}}),
            }
        )
        empty = pa.table({name: pa.array([], pa.int64() if name == ROW else pa.string()) for name in LINEAGE})
        classified = build_classified(config, self.engine.from_arrow("empty", empty), self.engine)
        return classified.drop(OUTCOME, REASON)

    def _union(self, tables: list[ir.Table], family: str) -> ir.Table:
        tables = tables or [self._empty_silver(family)]
        return ibis.union(*tables) if len(tables) > 1 else tables[0]

    def build_gold(
        self, network: list[Stored], ders: list[Stored], kept: tuple[str, set[str]] | None = None
    ) -> GoldFacts:
        """The gold tables from every source's silver, written to the snapshot; returns what the
        checks need to know of them, counted by the engine. With `kept` (a snapshot and some
        utilities), the silver given is the other utilities', and those utilities' rows are
        taken from that snapshot's gold as they are (see `hostcap.gold_reuse`)."""
        engine = self.engine
        network = [engine.scan("silver", self.lake, table) for table in network]
        ders = [engine.scan("silver", self.lake, table) for table in ders]
        latest = engine.materialize("latest_network", gold_layer.latest_network_rows(self._union(network, "network")))
        gold_ders = engine.materialize("gold_ders", gold_layer.build_ders(self._union(ders, "der"), latest.select("feeder_id")))
        feeders = engine.materialize("gold_feeders", gold_layer.build_feeders(latest, gold_ders))
        tables = {
            "feeders": (feeders.select(gold_layer.FEEDER_COLUMNS), ["utility", "native_feeder_id"]),
            "feeder_segments": (gold_layer.build_segments(latest), ["utility", "native_feeder_id", "native_segment_id"]),
            "substations": (gold_layer.build_substations(feeders), ["utility", "substation_name"]),
            "ders": (gold_ders, ["utility", "native_der_id"]),
        }
        if kept is not None:
            tables = {name: (self._with_kept(name, expr, *kept), order) for name, (expr, order) in tables.items()}
        stored = {name: engine.store(self.lake, self.snapshot, "gold", name, expr, order) for name, (expr, order) in tables.items()}
        return self._gold_facts({name: engine.scan(f"gold_{name}", self.lake, table) for name, table in stored.items()})

    def _with_kept(self, name: str, fresh: ir.Table, snapshot: str, utilities: set[str]) -> ir.Table:
        """`fresh` plus the rows of `utilities` in gold table `name` of `snapshot`."""
        published = self.engine.scan(f"kept_{name}", self.lake, self.engine.reuse(self.lake, name, "gold", snapshot))
        rows = published.filter(published.utility.isin(sorted(utilities))).select(fresh.columns)
        return ibis.union(fresh, rows.cast(fresh.schema()))

    def _gold_facts(self, gold: dict[str, ir.Table]) -> GoldFacts:
        """The checks' facts in two small queries over the written gold: per table its rows and
        its key's distinct and null values (and the feeders flagged `invalid_capacity`), then the
        utilities present."""
        per_table = []
        for name, key in GOLD_KEYS.items():
            table = gold[name]
            flagged = ibis.literal(0, "int64")
            if name == "feeders":
                flagged = ibis.coalesce(table.quality_flags.split(",").contains("invalid_capacity").cast("int64").sum(), 0)
            facts = table.aggregate(
                rows=table.count(),
                distinct=table[key].nunique(),
                nulls=ibis.coalesce(table[key].isnull().cast("int64").sum(), 0),
                flagged=flagged,
            )
            per_table.append(facts.mutate(table=ibis.literal(name)))
        counts = {row["table"]: row for row in self.engine.to_arrow(ibis.union(*per_table)).to_pylist()}
        utilities = ibis.union(gold["feeders"].select("utility"), gold["ders"].select("utility"), distinct=True)
        return GoldFacts(
            rows={name: counts[name]["rows"] for name in GOLD_KEYS},
            keys={name: (counts[name]["distinct"], counts[name]["nulls"]) for name in GOLD_KEYS},
            utilities={row["utility"] for row in self.engine.to_arrow(utilities).to_pylist()} - {None},
            invalid_capacity=counts["feeders"]["flagged"],
        )

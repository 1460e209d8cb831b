"""Run a refresh: discover → bronze → silver → gold → checks → publish → report.

The one function every entry point calls (CLI, API, scheduler). A source that fails fails alone:
the report says which, with the file and row, and gold is built from the sources that loaded.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import ibis
import ibis.expr.types as ir
import pyarrow as pa

from hostcap.config.source import SourceConfig
from hostcap.engine import Engine, open_engine
from hostcap.errors import HostcapError, SourceError
from hostcap.io.readers import ROW, match_headers, read_file
from hostcap.io.storage import Storage
from hostcap.lake import Lake
from hostcap.layers import gold as gold_layer
from hostcap.layers.bronze import LINEAGE, ReadResult, build_bronze, data_columns
from hostcap.layers.silver import OUTCOME, REASON, build_classified
from hostcap.report import CheckResult, FileReport, LayerReport, RefreshReport, SourceReport

Progress = Callable[[str], None]


def new_run_id() -> str:
    """Sortable and unique: UTC time plus a random suffix."""
    return dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ") + "-" + secrets.token_hex(3)


@dataclass
class _Loaded:
    config: SourceConfig
    bronze: ir.Table
    classified: ir.Table


@dataclass
class RefreshContext:
    """Everything one refresh needs: where sources and lake are, and the configs to run."""

    source_root: str
    lake: Lake
    configs: list[SourceConfig]
    engine_kind: str = "duckdb"
    spark_master: str | None = None
    progress: Progress = field(default=lambda message: None)
    run_id: str = field(default_factory=lambda: new_run_id())


def _timed(report: SourceReport, layer: str, started: float, rows: int | None) -> None:
    report.layers[layer] = LayerReport(status="succeeded", rows=rows, duration_s=round(time.perf_counter() - started, 3))


def _read_source(ctx: RefreshContext, config: SourceConfig, run_id: str, report: SourceReport) -> pa.Table:
    storage = Storage(ctx.source_root)
    files = storage.list_files(config.location, config.read.pattern)
    if not files:
        raise SourceError(config.source_id, f"no files matching {config.read.pattern!r} in {config.location}")
    reads = []
    for ref in files:
        data = storage.read_bytes(ref.path)
        digest = hashlib.sha256(data).hexdigest()
        table = read_file(data, config.read, config.source_id, ref.path)
        reads.append(ReadResult(ref.path, digest, table))
        report.files.append(FileReport(path=ref.path, sha256=digest, rows=table.num_rows))
    bronze = build_bronze(config, reads, run_id)
    mapped = {h for spec in config.columns.values() for h in match_headers(spec.headers, data_columns(bronze))}
    report.unmapped_columns = [c for c in data_columns(bronze) if c not in mapped]
    return bronze


def _outcome_counts(engine: Engine, classified: ir.Table, report: SourceReport) -> None:
    """Every count the report needs from one small query: per outcome, reason, and unparsed."""
    unparsed = (classified[OUTCOME] == "silver") & (classified.unparsed_values != "")
    stats = classified.group_by(classified[OUTCOME], classified[REASON], _unparsed=unparsed).aggregate(n=classified.count())
    for row in engine.to_arrow(stats).to_pylist():
        outcome, reason, n = row[OUTCOME], row[REASON], row["n"]
        if outcome == "silver":
            report.loaded += n
            report.unparsed_rows += n if row["_unparsed"] else 0
        elif outcome == "quarantine":
            report.quarantined += n
            report.quarantine_reasons[reason] = report.quarantine_reasons.get(reason, 0) + n
        else:
            report.excluded += n
            report.exclusion_rules[reason] = report.exclusion_rules.get(reason, 0) + n


def _load_source(ctx: RefreshContext, engine: Engine, config: SourceConfig, run_id: str, report: SourceReport) -> _Loaded:
    started = time.perf_counter()
    bronze_arrow = _read_source(ctx, config, run_id, report)
    ctx.lake.write_table(run_id, "bronze", config.source_id, bronze_arrow)
    report.rows_in = bronze_arrow.num_rows
    _timed(report, "bronze", started, report.rows_in)

    started = time.perf_counter()
    bronze = engine.from_arrow("bronze", bronze_arrow)
    classified = build_classified(config, bronze, engine)
    _outcome_counts(engine, classified, report)
    silver = classified.filter(classified[OUTCOME] == "silver").drop(OUTCOME, REASON)
    ctx.lake.write_table(run_id, "silver", config.source_id, engine.to_arrow(silver))
    for outcome, rows in (("quarantine", report.quarantined), ("excluded", report.excluded)):
        if rows:
            picked = classified.filter(classified[OUTCOME] == outcome).select("_file", ROW, REASON)
            rejected = bronze.inner_join(picked, ["_file", ROW]).order_by(["_file", ROW])
            ctx.lake.write_table(run_id, outcome, config.source_id, engine.to_arrow(rejected))
    _timed(report, "silver", started, report.loaded)
    return _Loaded(config, bronze, classified)


def _empty_classified(engine: Engine, family: str) -> ir.Table:
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
    return build_classified(config, engine.from_arrow("empty", empty), engine)


def _silver_union(engine: Engine, loaded: list[_Loaded], family: str) -> ir.Table:
    tables = [item.classified for item in loaded if item.config.family == family] or [_empty_classified(engine, family)]
    union = ibis.union(*tables) if len(tables) > 1 else tables[0]
    return union.filter(union[OUTCOME] == "silver").drop(OUTCOME, REASON)


def _build_gold(engine: Engine, loaded: list[_Loaded]) -> dict[str, pa.Table]:
    latest = engine.materialize("latest_network", gold_layer.latest_network_rows(_silver_union(engine, loaded, "network")))
    ders = engine.materialize("gold_ders", gold_layer.build_ders(_silver_union(engine, loaded, "der"), latest.select("feeder_id")))
    feeders = engine.materialize("gold_feeders", gold_layer.build_feeders(latest, gold_layer.der_rollups(ders)))
    return {
        "feeders": engine.to_arrow(feeders.select(gold_layer.FEEDER_COLUMNS).order_by(["utility", "native_feeder_id"])),
        "feeder_segments": engine.to_arrow(
            gold_layer.build_segments(latest).order_by(["utility", "native_feeder_id", "native_segment_id"])
        ),
        "substations": engine.to_arrow(gold_layer.build_substations(feeders).order_by(["utility", "substation_name"])),
        "ders": engine.to_arrow(ders.order_by(["utility", "native_der_id"])),
    }


def _checks(report: RefreshReport, gold: dict[str, pa.Table]) -> list[CheckResult]:
    checks = []
    for source in report.sources:
        if source.status == "succeeded":
            total = source.loaded + source.quarantined + source.excluded
            checks.append(
                CheckResult(
                    name=f"row_conservation:{source.source}",
                    passed=total == source.rows_in,
                    detail=f"bronze {source.rows_in} = silver {source.loaded} + quarantined {source.quarantined} "
                    f"+ excluded {source.excluded}",
                )
            )
    for table, key in (("feeders", "feeder_id"), ("feeder_segments", "segment_id"), ("substations", "substation_id"), ("ders", "der_id")):
        column = gold[table].column(key)
        distinct = len(column.unique())
        checks.append(
            CheckResult(
                name=f"unique_id:{table}.{key}",
                passed=distinct == len(column) and column.null_count == 0,
                detail=f"{len(column)} rows, {distinct} distinct, {column.null_count} null",
            )
        )
    return checks


def run_refresh(ctx: RefreshContext) -> RefreshReport:
    """Load every configured source, build gold, check it, and publish it if every check passed."""
    started = time.perf_counter()
    run_id = ctx.run_id
    report = RefreshReport(run_id=run_id, started_at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"))
    engine = open_engine(ctx.engine_kind, ctx.spark_master)
    report.engine = engine.kind
    try:
        loaded = []
        for config in ctx.configs:
            ctx.progress(config.source_id)
            source_report = SourceReport(source=config.source_id)
            source_started = time.perf_counter()
            try:
                loaded.append(_load_source(ctx, engine, config, run_id, source_report))
            except HostcapError as exc:
                source_report.status, source_report.error = "failed", exc.message
            source_report.duration_s = round(time.perf_counter() - source_started, 3)
            report.sources.append(source_report)
        ctx.progress("gold")
        gold = _build_gold(engine, loaded)
        for name, table in gold.items():
            ctx.lake.write_table(run_id, "gold", name, table)
        report.gold = {name: table.num_rows for name, table in gold.items()}
        report.checks = _checks(report, gold)
        if all(check.passed for check in report.checks) and loaded:
            ctx.lake.publish(run_id)
            report.published = True
        report.status = (
            "failed" if not report.published else "partial" if report.failed_sources else "succeeded"
        )
    except HostcapError as exc:
        report.status, report.error = "failed", exc.message
    finally:
        engine.close()
        report.finished_at = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        report.duration_s = round(time.perf_counter() - started, 3)
        ctx.lake.write_report(run_id, report.model_dump(mode="json"))
    return report

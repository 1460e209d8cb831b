"""Run a refresh: lock → plan → bronze/silver for changed sources → gold → checks → publish → report.

The one function every entry point calls (CLI, API, scheduler, watcher). Only sources whose
files or config changed are read again; the others reuse their last silver. A source that fails
fails alone: gold is built with its last good silver (`stale`), or without it when it never
loaded, and the report says which, naming the file and row. With `strict`, any failure fails
the refresh. Nothing is published unless every check passed.

Storage failing is different from a source's data failing: a missing bucket, denied access or
a store that goes away mid-run fails the whole run, with an error naming the source or layer
it hit, and nothing is published; the published snapshot stays as it was.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import secrets
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from hostcap import plan_cache
from hostcap.concurrently import map_threads
from hostcap.config.source import SourceConfig
from hostcap.config.utilities import utility_names
from hostcap.delivery import unsettled_files
from hostcap.errors import PROCESS_EXITS, HostcapError, SourceError, StorageError, describe
from hostcap.io.storage import FileRef, Storage, blame
from hostcap.lake import Lake
from hostcap.lock import DEFAULT_LEASE_S, RefreshLock
from hostcap.report import CheckResult, RefreshReport, SourceReport, Trigger
from hostcap.runs import interrupted

if TYPE_CHECKING:
    from hostcap.checks import GoldFacts

Progress = Callable[[str], None]
log = logging.getLogger(__name__)


def new_run_id() -> str:
    """Sortable in the order runs were made, and unique: UTC time to the second, then a suffix of
    the millisecond (three hex digits, so two runs within one second still sort in order: retention
    and a rebuilt history rely on it) and three random hex digits."""
    now = dt.datetime.now(dt.UTC)
    return f"{now:%Y%m%dT%H%M%SZ}-{now.microsecond // 1000:03x}{secrets.randbelow(16**3):03x}"


@dataclass(frozen=True)
class Loaded:
    """What a refresh loads before it plans: the source configs, and per source whose last fetch
    from its upstream failed, why."""

    configs: list[SourceConfig]
    upstream_problems: dict[str, str]


@dataclass
class RefreshContext:
    """Everything one refresh needs: where sources and lake are, the configs, and how to run."""

    sources: Storage
    lake: Lake
    configs: list[SourceConfig] = field(default_factory=list)
    #: loads the configs (and what depends on them: a fetch, the upstream problems) inside the
    #: guarded run, so a run whose configs fail to load ends `failed` with its report in the lake
    #: like any other; None when `configs` and `upstream_problems` are given
    load: Callable[[], Loaded] | None = None
    engine_kind: str = "duckdb"
    spark_master: str | None = None
    strict: bool = False
    keep_snapshots: int = 10
    keep_runs: int = 200
    history_months: int = 36
    workers: int = 1
    lock_lease_s: float = DEFAULT_LEASE_S
    settle_s: float = 0.0
    #: where compiled plans are kept across runs (hostcap.plan_cache); None keeps none
    plan_cache_dir: Path | None = None
    trigger: Trigger = "manual"
    #: per source whose last fetch from its upstream failed, why: the source is reported `stale`
    upstream_problems: dict[str, str] = field(default_factory=dict)
    progress: Progress = field(default=lambda message: None)
    run_id: str = field(default_factory=lambda: new_run_id())


@dataclass
class SourcePlan:
    """A source's files with their content hashes, and what the published snapshot has of it."""

    config: SourceConfig
    files: list[tuple[FileRef, str]]
    fingerprint: str
    previous: dict | None
    #: why the source cannot be loaded now although its files changed (a file still being written)
    in_flight: SourceError | None = None

    @property
    def unchanged(self) -> bool:
        return self.previous is not None and self.previous["fingerprint"] == self.fingerprint


def source_files(storage: Storage, config: SourceConfig) -> list[tuple[FileRef, str]]:
    """The source's files, each with its sha256 ("" for one refused, which is never read)."""
    refs = storage.list_files(config.location, config.read.pattern)
    return [(ref, "" if ref.refused else storage.sha256(ref.path)) for ref in refs]


def plan_source(config: SourceConfig, files: list[tuple[FileRef, str]], previous: dict | None, engine_kind: str) -> SourcePlan:
    """Decide by content, never by file time: the fingerprint covers the config, the code (every
    module byte for byte, not just its version number: rows kept from a run were made by that
    run's code), the engine (each hashes rows its own way: hostcap.layers.silver.row_hash) and
    every file's path and sha256 (`source_files`), so an added, changed or removed file changes it."""
    identity = {
        "code": plan_cache.code_version(),
        "engine": engine_kind,
        # where the files are fetched from does not change how they are read
        "config": config.model_dump(mode="json", exclude={"upstream"}),
        "files": [[ref.path, digest] for ref, digest in files],
    }
    fingerprint = hashlib.sha256(json.dumps(identity, sort_keys=True).encode()).hexdigest()
    return SourcePlan(config, files, fingerprint, previous)


def _mark_interrupted(lake: Lake) -> None:
    """Runs still `running` while we hold the lock died mid-way (killed, crashed)."""
    for run_id in lake.runs():
        report = lake.read_report(run_id)
        if report["status"] == "running":
            lake.write_report(run_id, interrupted(report))


def _mark_upstream_problems(report: RefreshReport, problems: dict[str, str]) -> None:
    """A source whose last fetch failed is `stale` however its files loaded: they are its last
    good pull, not the upstream's current data (a run that published with one is `partial`)."""
    for source in report.sources:
        problem = problems.get(source.source)
        if problem is None:
            continue
        if source.status != "failed":
            source.status = "stale"
        source.error = "; ".join(filter(None, [source.error, problem]))
    if report.status == "succeeded" and report.failed_sources:
        report.status = "partial"


def _finish(ctx: RefreshContext, report: RefreshReport, started: float) -> RefreshReport:
    """Stamp the report and save it in the lake; if the lake is out of reach, say so in the
    report, which the caller still gets."""
    _mark_upstream_problems(report, ctx.upstream_problems)
    report.finished_at = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    report.duration_s = round(time.perf_counter() - started, 3)
    try:
        ctx.lake.write_report(report.run_id, report.model_dump(mode="json"))
    except StorageError as exc:
        log.warning("refresh report not saved: run_id=%s: %s", report.run_id, exc.message)
        report.error = "; ".join(filter(None, [report.error, f"the report could not be saved: {exc.message}"]))
    return report


def run_refresh(ctx: RefreshContext) -> RefreshReport:
    """Refresh the lake; raises RefreshBusy (naming the running run) if another refresh runs."""
    started = time.perf_counter()
    report = RefreshReport(
        run_id=ctx.run_id, trigger=ctx.trigger, started_at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    )
    try:
        with blame("lake"), RefreshLock(ctx.lake, ctx.run_id, ctx.lock_lease_s) as lock:
            try:
                _refresh(ctx, report, lock)
            except PROCESS_EXITS:
                raise
            except BaseException as exc:  # whatever went wrong, the run ends with a status and a report
                if not isinstance(exc, HostcapError):
                    log.exception("refresh failed unexpectedly: run_id=%s", ctx.run_id)
                report.error = describe(exc)
                report.status = report.status if report.published else "failed"
            return _finish(ctx, report, started)
    except StorageError as exc:  # the lock could not be taken: the lake is out of reach
        report.status, report.error = "failed", exc.message
        return _finish(ctx, report, started)


def _refresh(ctx: RefreshContext, report: RefreshReport, lock: RefreshLock) -> None:
    lake = ctx.lake
    # `running` before the configs load and the sources are fetched (minutes, against a slow
    # upstream): the run shows in `hostcap runs` meanwhile, and one that dies there reads `interrupted`
    with blame("lake"):
        _mark_interrupted(lake)
        lake.write_report(ctx.run_id, report.model_dump(mode="json"))
    if ctx.load is not None:
        loaded = ctx.load()
        ctx.configs, ctx.upstream_problems = loaded.configs, loaded.upstream_problems
    report.utilities = utility_names(ctx.configs)
    with blame("sources"):
        ctx.sources.check()
        in_flight = unsettled_files(ctx.sources, ctx.configs, ctx.settle_s)

    def hashed(config: SourceConfig) -> list[tuple[FileRef, str]]:
        with blame(f"source {config.source_id}"):
            return source_files(ctx.sources, config)

    # every source file is hashed while the published snapshot is checked against its seal: both
    # read and hash files (sha256 runs without Python's lock), and together they keep every core
    # busy where each alone waits on its largest file
    with ThreadPoolExecutor(1, thread_name_prefix="hostcap-hash") as background:
        hashing = background.submit(map_threads, hashed, ctx.configs)
        with blame("lake"):
            base = lake.baseline()
            lake.collect_garbage(ctx.keep_snapshots, protect=(base.snapshot, base.served))
            lake.prune_runs(ctx.keep_runs, ctx.run_id)
            current, previous, report.repaired = base.snapshot, base.manifest, base.damage
        files = hashing.result()
    for damage in report.repaired:
        log.warning("lake damage found, to be repaired by this refresh: run_id=%s: %s", ctx.run_id, damage)
    plans = []
    for config, found in zip(ctx.configs, files, strict=True):
        plan = plan_source(config, found, previous.get(config.source_id), ctx.engine_kind)
        plan.in_flight = None if plan.unchanged else in_flight.get(config.source_id)
        plans.append(plan)
    if (
        current
        and not report.repaired
        and all(p.unchanged for p in plans)
        and set(previous) == {p.config.source_id for p in plans}
    ):
        report.sources = [_skipped(plan) for plan in plans]
        report.status, report.snapshot = "unchanged", current
        return
    _build_and_publish(ctx, plans, report, lock, current, previous)


def _skipped(plan: SourcePlan) -> SourceReport:
    """The source's last report, marked as reused."""
    last = SourceReport.model_validate(plan.previous["report"])
    return last.model_copy(update={"status": "skipped-unchanged", "layers": {}, "duration_s": 0.0})


def _build_and_publish(
    ctx: RefreshContext,
    plans: list[SourcePlan],
    report: RefreshReport,
    lock: RefreshLock,
    current: str | None,
    previous: dict[str, dict],
) -> None:
    """Load the changed sources, build gold, check it and publish it. A utility whose sources
    are all unchanged since snapshot `current` (whose manifest is `previous`) keeps its gold
    rows from it (see gold_reuse); once damage was found, everything is rebuilt rather than trusted."""
    # imported here: a refresh with nothing to do starts no engine, and loads no pyarrow
    from hostcap.build import Builder
    from hostcap.gold_reuse import reusable_tables, reusable_utilities

    kept, whole = set(), set()
    if current and not report.repaired:
        unchanged = {plan.config.source_id: plan.unchanged for plan in plans}
        kept, whole = reusable_utilities(unchanged, previous), reusable_tables(unchanged, previous)

    builder = Builder(ctx.lake, ctx.run_id, ctx.sources, ctx.engine_kind, ctx.spark_master, ctx.workers, ctx.plan_cache_dir)
    report.engine = builder.engine.kind
    try:
        silver: dict[str, list] = {"network": [], "der": []}
        manifest: dict[str, dict] = {}
        # reports in the configs' order, filled in by the loads, which may run side by side
        source_reports = [
            _skipped(plan) if plan.unchanged else SourceReport(source=plan.config.source_id, fingerprint=plan.fingerprint)
            for plan in plans
        ]
        report.sources.extend(source_reports)

        def load(item: tuple[SourcePlan, SourceReport]):
            plan, source_report = item
            if plan.config.utility in kept:  # its gold rows are kept, so its silver is not needed
                return None, plan.previous
            ctx.progress(plan.config.source_id)
            with blame(f"source {plan.config.source_id}"):
                return _source(builder, plan, ctx.run_id, source_report)

        def size(item: tuple[SourcePlan, SourceReport]) -> int:
            """A load's cost, for the order loads start in: its files' bytes (none when it is skipped)."""
            plan = item[0]
            return 0 if plan.unchanged or plan.config.utility in kept else sum(ref.size for ref, _ in plan.files)

        loads = builder.each_source(load, zip(plans, source_reports), cost=size)
        for plan, (table, entry) in zip(plans, loads, strict=True):
            if table is not None:
                silver[plan.config.family].append(table)
            if entry is not None:
                manifest[plan.config.source_id] = entry
        gold = None
        if ctx.strict and report.failed_sources:
            report.status, report.error = "failed", "strict: a source failed, so nothing is published"
        else:
            ctx.progress("gold")
            with blame("gold layer"):
                gold = builder.build_gold(
                    silver["network"],
                    silver["der"],
                    kept=(current, kept) if kept else None,
                    whole=(current, whole) if whole else None,
                )
    except BaseException:
        builder.close()
        raise
    with builder.closing_meanwhile():
        if gold is not None:
            _check_and_publish(ctx, report, lock, gold, manifest)


def _check_and_publish(
    ctx: RefreshContext, report: RefreshReport, lock: RefreshLock, gold: GoldFacts, manifest: dict[str, dict]
) -> None:
    """Check the gold built and, when every check passes, publish it with the sources'
    `manifest`; then the history follows, and retention."""
    from hostcap.checks import run_checks
    from hostcap.history.store import follow as follow_history

    report.gold = dict(gold.rows)
    report.checks = run_checks(report.sources, gold)
    if not manifest:
        report.checks.append(CheckResult(name="any_source", passed=False, detail="no source has usable silver"))
    if not all(check.passed for check in report.checks):
        report.status, report.error = "failed", "a check failed, so nothing is published"
        return
    with blame("publish"):
        ctx.lake.write_manifest(ctx.run_id, manifest)
        lock.ensure_held()
        ctx.lake.publish(ctx.run_id)
    report.published, report.snapshot = True, ctx.run_id
    follow_history(ctx.lake, ctx.history_months)
    report.status = "partial" if report.failed_sources else "succeeded"
    with blame("retention"):
        ctx.lake.collect_garbage(ctx.keep_snapshots)


def _source(builder, plan: SourcePlan, run_id: str, source_report: SourceReport):
    """Load, reuse or fall back for one source, filling in its report: (its silver table or
    None, manifest entry). A storage failure is not the source's: it fails the run. Any other
    failure, foreseen or not, is the source's alone."""
    source_id = plan.config.source_id
    if plan.unchanged:
        with blame("silver layer (reused)"):
            return builder.reuse_silver(source_id, plan.previous["snapshot"]), plan.previous
    started = time.perf_counter()
    try:
        if plan.in_flight is not None:
            raise plan.in_flight
        table = builder.load_source(plan.config, plan.files, source_report)
    except StorageError as exc:
        source_report.status, source_report.error = "failed", exc.message
        raise
    except PROCESS_EXITS:
        raise
    except BaseException as exc:
        if not isinstance(exc, HostcapError):
            log.exception("source failed unexpectedly: source=%s", source_id)
        source_report.error = exc.message if isinstance(exc, SourceError) else f"{source_id}: {describe(exc)}"
        source_report.duration_s = round(time.perf_counter() - started, 3)
        if plan.previous is None:
            source_report.status = "failed"
            return None, None
        source_report.status = "stale"
        with blame("silver layer (reused)"):
            return builder.reuse_silver(source_id, plan.previous["snapshot"]), plan.previous
    source_report.duration_s = round(time.perf_counter() - started, 3)
    entry = {"fingerprint": plan.fingerprint, "snapshot": run_id, "report": source_report.model_dump(mode="json")}
    return table, entry

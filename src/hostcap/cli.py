"""The `hostcap` command: a few lines per command over the core library."""

from __future__ import annotations

import datetime as dt
import gc
import json
import logging
import os
import sys
import threading
from collections.abc import Callable, MutableMapping
from functools import wraps
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, TypeVar

import typer

from hostcap.console import add_row, console, error, new_table, print_json, say, show
from hostcap.errors import ConfigError, HostcapError, LakeError
from hostcap.io.formats import ExportFormat
from hostcap.registry import TABLES
from hostcap.terminal import log_to_stderr

if TYPE_CHECKING:
    from hostcap.core import Hostcap
    from hostcap.orchestration import OrchestrationSettings
    from hostcap.report import RefreshReport

# Each command imports what only it needs (pyarrow, the engine, the API server, the watcher; the
# settings, the source configs and the lake too) inside its function: a command with nothing to
# do starts in a fraction of the time, and `--help` loads little more than Typer.

SettingsT = TypeVar("SettingsT")

app = typer.Typer(
    help="hostcap: New York utilities' hosting capacity and DER data, cleaned and unified.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)

SourceOpt = Annotated[
    str | None,
    typer.Option(
        "--source",
        help="Root of the source files, a directory or s3://bucket/prefix (default: $HOSTCAP_SOURCE_DIR or data/sample).",
    ),
]
LakeOpt = Annotated[
    str | None,
    typer.Option("--lake", help="Root of the lake, a directory or s3://bucket/prefix (default: $HOSTCAP_LAKE_DIR or lake)."),
]
ConfigOpt = Annotated[
    Path | None, typer.Option("--config", help="Directory of source configs (default: $HOSTCAP_CONFIG_DIR or sources).")
]


ScheduleOpt = Annotated[
    str | None,
    typer.Option(
        "--schedule",
        help="Cron expression of scheduled refreshes, or `off` (default: $HOSTCAP_SCHEDULE or `0 6 1 * *`, "
        "06:00 on the first of each month, in $HOSTCAP_SCHEDULE_TIMEZONE or UTC).",
    ),
]
QuietOpt = Annotated[
    float | None,
    typer.Option(
        "--quiet", help="Seconds without further changes that end a burst (default: $HOSTCAP_WATCH_QUIET_S or 5).", min=0.01
    ),
]
WatchModeOpt = Annotated[
    str | None,
    typer.Option(
        "--watch-mode",
        help="events (file-system events), poll (list the source location every --poll seconds) or auto "
        "(events for a local directory, poll otherwise) (default: $HOSTCAP_WATCH_MODE or auto).",
    ),
]
PollOpt = Annotated[
    float | None,
    typer.Option("--poll", help="Seconds between listings when polling (default: $HOSTCAP_WATCH_POLL_S or 60).", min=0.01),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON (ASCII, indented) instead of tables, for scripts.")]
EngineOpt = Annotated[str | None, typer.Option("--engine", help="duckdb or spark (default: $HOSTCAP_ENGINE or duckdb).")]
SparkMasterOpt = Annotated[
    str | None,
    typer.Option("--spark-master", help="Spark master URL for --engine spark (default: $HOSTCAP_SPARK_MASTER or local[*])."),
]


def main() -> None:
    """The installed `hostcap` command: the app, then an exit without the interpreter's
    teardown once the command is done (hostcap.quick_exit).

    A command runs without Python's collector of reference cycles, until it turns out to run
    long (`_hostcap`'s `long_running`: serve, watch): what a command that runs once makes lives
    until it exits anyway, and the collector's passes over everything the libraries' imports
    made (pydantic's schemas above all) cost a short refresh some 30 ms."""
    from hostcap.quick_exit import exit_quickly

    process_defaults()
    gc.disable()
    try:
        app()
    except SystemExit as stop:
        exit_quickly(stop.code)


def process_defaults(environ: MutableMapping[str, str] = os.environ, platform: str | None = None) -> None:
    """Defaults for the libraries' own environment variables, set before they load; a user's
    setting of any of them wins. `platform` is `sys.platform` and the machine (`linux-x86_64`).

    OPENBLAS_NUM_THREADS=1: pyarrow imports NumPy, whose OpenBLAS starts a thread per core at
    once; they spin waiting for work that never comes (hostcap does no linear algebra), and on a
    small machine that takes about a twentieth of a short refresh's CPU from DuckDB and Arrow.

    ARROW_DEFAULT_MEMORY_POOL=jemalloc, on Linux x86-64 (whose pyarrow wheels are built with it;
    naming a pool a build lacks prints a warning): pyarrow's default there, mimalloc, takes fresh
    memory as huge pages, which the kernel zeroes 2 MiB at a time as they are first touched: some
    7% of the two-utility benchmark's CPU. jemalloc reuses what it freed, and holds less at the peak."""
    environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    if (platform or _platform()) == "linux-x86_64":
        environ.setdefault("ARROW_DEFAULT_MEMORY_POOL", "jemalloc")


def _platform() -> str:
    return f"{sys.platform}-{os.uname().machine}" if hasattr(os, "uname") else sys.platform


@app.callback()
def _main() -> None:
    """hostcap: New York utilities' hosting capacity and DER data, cleaned and unified."""
    log_to_stderr()


def _settings(kind: Callable[..., SettingsT], **given: object) -> SettingsT:
    """Settings from the environment, with the options given on the command line on top."""
    from pydantic import ValidationError

    try:
        return kind(**{k: v for k, v in given.items() if v is not None})
    except ValidationError as exc:
        raise ConfigError(
            "invalid setting: " + "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        ) from None


def _hostcap(
    source: str | None, lake: str | None, config: Path | None, *, long_running: bool = False, **settings: object
) -> Hostcap:
    """`long_running` (`serve`, `watch`): make each publish's release bundle right after it,
    and collect reference cycles (see `main`)."""
    from hostcap.config import Settings
    from hostcap.core import Hostcap

    if long_running:
        gc.enable()

    settings = _settings(Settings, source_dir=source, lake_dir=lake, config_dir=config, **settings)
    return Hostcap(settings, bundles_after_publish=long_running)


def _one_line_errors(command: Callable) -> Callable:
    """A HostcapError ends the command with its message and its exit code, not a traceback."""

    @wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except HostcapError as exc:
            error(exc.message)
            raise typer.Exit(exc.exit_code) from None

    return wrapper


def _print_report(report: RefreshReport) -> None:
    title = f"refresh {report.run_id}: {report.status}"
    table = new_table(
        title,
        "source",
        "status",
        "files",
        "rows in",
        "loaded",
        "quarantined",
        "excluded",
        "seconds",
        numbers=("files", "rows in", "loaded", "quarantined", "excluded", "seconds"),
    )
    for s in report.sources:
        add_row(
            table,
            s.source,
            s.status,
            len(s.files),
            f"{s.rows_in:,}",
            f"{s.loaded:,}",
            f"{s.quarantined:,}",
            f"{s.excluded:,}",
            f"{s.duration_s:.2f}",
            style="red" if s.status == "failed" else None,
        )
    if report.sources:
        show(table)
    else:
        say(title)
    for damage in report.repaired:
        error(damage, label="repaired")
    if report.status == "unchanged":
        say(f"no source changed since snapshot {report.snapshot}: nothing new published ({report.duration_s:.2f} s)")
        return
    if report.gold:
        say("gold: " + ", ".join(f"{name} {rows:,}" for name, rows in report.gold.items()))
    for check in report.checks:
        if not check.passed:
            error(f"{check.name}: {check.detail}", label="check failed")
    for s in report.failed_sources:
        error(s.error)
    if report.error:
        error(report.error)
    say(f"published: {'yes' if report.published else 'no'} ({report.duration_s:.1f} s)")


@app.command()
@_one_line_errors
def refresh(
    source: SourceOpt = None,
    lake: LakeOpt = None,
    config: ConfigOpt = None,
    engine: EngineOpt = None,
    spark_master: SparkMasterOpt = None,
    strict: Annotated[
        bool | None, typer.Option("--strict/--lenient", help="Fail the whole refresh when any source fails.")
    ] = None,
    workers: Annotated[
        int | None,
        typer.Option(
            min=0,
            help="Sources loaded side by side, the largest first (default: $HOSTCAP_WORKERS, or 0: one per core, at most 4).",
        ),
    ] = None,
    fetch: Annotated[
        bool | None,
        typer.Option(
            "--fetch/--no-fetch",
            help="First fetch every source with an upstream, as `hostcap fetch` does "
            "(default: $HOSTCAP_FETCH_BEFORE_REFRESH or no).",
        ),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Load changed sources into bronze and silver, rebuild gold, check, and publish a new snapshot.

    Sources whose files and config are unchanged reuse their last silver; with no change at all
    nothing new is published. A failing source fails alone (its last good silver is used) unless
    --strict; storage failing (a wrong bucket, access denied, S3 gone away) fails the whole run.
    Exit code 0 when every source is current, 1 when some failed (the rest is published), 5 when
    nothing was published, 6 when another refresh is running. With --json, the run's report
    is printed as JSON (the exit codes stay the same). A publish is then notified to the
    subscriptions (one attempt each; retries are left to `hostcap notify` or `hostcap serve`).
    """
    hostcap = _hostcap(source, lake, config, engine=engine, spark_master=spark_master, strict=strict, workers=workers)
    if as_json:
        report = hostcap.refresh(fetch=fetch)
        print_json(report.model_dump(mode="json"))
    else:
        with console.status("refreshing…") as status:
            report = hostcap.refresh(progress=lambda step: status.update(f"refreshing: {step}"), fetch=fetch)
        _print_report(report)
    if report.published:  # each notification's first attempt; retries left go to `hostcap notify` or `serve`
        hostcap.stop_notifying(hostcap.alerts.webhook_timeout_s * 3 + 30)
    if report.status == "unchanged":
        return
    if not report.published:
        raise typer.Exit(5)
    if report.failed_sources:
        raise typer.Exit(1)


@app.command("fetch")
@_one_line_errors
def fetch_command(
    names: Annotated[
        list[str] | None,
        typer.Argument(metavar="[SOURCE]...", help="Sources to fetch, as utility/dataset (default: every one with an upstream)."),
    ] = None,
    source: SourceOpt = None,
    config: ConfigOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Pull sources from where their utilities publish them into their landing locations.

    A source whose upstream says nothing changed since its last pull downloads nothing; a pull
    that fails or does not add up lands nothing, and the source keeps its last good file (`stale`).
    Exit code 0 when every source is current, 1 when some could not be fetched.
    """
    from hostcap.acquire.progress import fetch_progress

    hostcap = _hostcap(source, None, config)
    if as_json:
        report = hostcap.fetch(names)
        print_json(report.model_dump(mode="json"))
    else:
        with fetch_progress(console) as progress:
            report = hostcap.fetch(names, progress)
        table = new_table(
            "fetch",
            "source",
            "status",
            "rows",
            "pages",
            "requests",
            "MB",
            "seconds",
            numbers=("rows", "pages", "requests", "MB", "seconds"),
        )
        for s in report.sources:
            add_row(
                table,
                s.source,
                s.status,
                "" if s.rows is None else f"{s.rows:,}",
                s.pages,
                s.requests,
                f"{s.bytes / 1e6:.1f}",
                f"{s.duration_s:.1f}",
                style="red" if s.error else None,
            )
        show(table)
        for s in report.failed:
            error(f"{s.source}: {s.url} ({s.page or 'request'}): {s.error}")
    if report.failed:
        raise typer.Exit(1)


@app.command("sources")
@_one_line_errors
def sources_command(source: SourceOpt = None, config: ConfigOpt = None, as_json: JsonOpt = False) -> None:
    """Every source: kind (files, arcgis, page), upstream, last pull, upstream last-edit date, how stale it is."""
    rows = _hostcap(source, None, config).source_status()
    if as_json:
        print_json(rows)
        return
    table = new_table(
        "sources", "source", "kind", "upstream", "last pull", "upstream edited", "age", "last fetch", wrap=("upstream",)
    )
    for r in rows:
        add_row(
            table,
            r["source"],
            r["kind"],
            r["upstream"] or "",
            r["last_pull"] or "",
            r["upstream_last_edit"] or "",
            r["age"] or "",
            r["last_fetch"] or "",
            style="red" if r["error"] else None,
        )
    show(table)
    for r in rows:
        if r["error"]:
            error(f"{r['source']}: {r['error']}")


runs_app = typer.Typer(help="Refresh runs and their reports.", no_args_is_help=False)
app.add_typer(runs_app, name="runs")


@runs_app.callback(invoke_without_command=True)
@_one_line_errors
def runs(
    ctx: typer.Context,
    lake: LakeOpt = None,
    last: Annotated[int, typer.Option(help="How many runs.", min=1)] = 20,
    as_json: JsonOpt = False,
) -> None:
    """List recent refresh runs, newest first. A run whose process died before it finished shows
    `interrupted`; the lake keeps the last $HOSTCAP_KEEP_RUNS runs' reports. With --json, the
    runs' whole reports."""
    if ctx.invoked_subcommand:
        return
    from hostcap.report import RefreshReport
    from hostcap.runs import recent_runs

    reports = recent_runs(_hostcap(None, lake, None).lake, last)
    if as_json:
        print_json(reports)
        return
    table = new_table(
        "refresh runs",
        "run",
        "trigger",
        "status",
        "published",
        "failed sources",
        "seconds",
        numbers=("seconds",),
        wrap=("failed sources",),
    )
    for r in map(RefreshReport.model_validate, reports):
        failed = ", ".join(s.source for s in r.failed_sources) or "-"
        add_row(table, r.run_id, r.trigger, r.status, "yes" if r.published else "no", failed, f"{r.duration_s:.1f}")
    show(table)


@runs_app.command("show")
@_one_line_errors
def runs_show(
    run_id: Annotated[str, typer.Argument(help="Run id, from `hostcap runs`.")], lake: LakeOpt = None, as_json: JsonOpt = False
) -> None:
    """Show one run's report: per source and layer, status, rows and errors; and the checks."""
    from hostcap.report import RefreshReport
    from hostcap.runs import read_run

    found = read_run(_hostcap(None, lake, None).lake, run_id)
    if as_json:
        print_json(found)
        return
    report = RefreshReport.model_validate(found)
    _print_report(report)
    layers = new_table("layers", "source", "layer", "status", "rows", "seconds", numbers=("rows", "seconds"))
    for s in report.sources:
        for name, layer in s.layers.items():
            add_row(
                layers,
                s.source,
                name,
                layer.status,
                f"{layer.rows:,}" if layer.rows is not None else "",
                f"{layer.duration_s:.2f}",
            )
    if layers.rows:
        show(layers)
    for s in report.sources:
        for reason, count in {**s.quarantine_reasons, **s.exclusion_rules}.items():
            say(f"{s.source}: {count:,} × {reason}")
        if s.unmapped_columns:
            say(f"{s.source}: columns not mapped (drift): {', '.join(s.unmapped_columns)}")
    for check in report.checks:
        say(f"check {check.name}: {'ok' if check.passed else 'FAILED'} ({check.detail})")


@app.command()
@_one_line_errors
def snapshots(lake: LakeOpt = None, as_json: JsonOpt = False) -> None:
    """List the published snapshots kept for history, diff and rollback (the current one marked),
    each checked against the checksums its publish recorded: a damaged one says what is wrong.
    Exit 4 when the pointer to the published snapshot is damaged or missing (`hostcap refresh`
    repairs it)."""
    store = _hostcap(None, lake, None).lake
    problem = store.pointer_problem()
    current = None if problem else store.current()
    history = []
    for item in reversed(store.history()):
        damaged = store.verify(item["snapshot"])[1]
        state = "damaged: " + "; ".join(damaged.values()) if damaged else "intact"
        history.append({**item, "current": item["snapshot"] == current, "state": state})
    if as_json:
        print_json(history)
    else:
        table = new_table("snapshots", "snapshot", "published at", "current", "state", wrap=("state",))
        for item in history:
            add_row(table, item["snapshot"], item.get("published_at") or "", "*" if item["current"] else "", item["state"])
        show(table)
    if problem:
        raise LakeError(f"{problem}: `hostcap refresh` repairs it")


@app.command()
@_one_line_errors
def rollback(
    snapshot: Annotated[str, typer.Argument(help="Snapshot id, from `hostcap snapshots`.")], lake: LakeOpt = None
) -> None:
    """Publish an earlier snapshot again."""
    _hostcap(None, lake, None).rollback(snapshot)
    say(f"published {snapshot}")


@app.command()
@_one_line_errors
def history(
    feeder: Annotated[str, typer.Argument(help="Feeder: its canonical ID, or its native ID as the utility writes it.")],
    lake: LakeOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Show how a feeder's hosting capacity, DER and headroom after the queue moved, one row per
    publish the history recorded (kept for $HOSTCAP_HISTORY_MONTHS months, beyond the snapshots).
    Exit 4 when the history has no such feeder."""
    found = _hostcap(None, lake, None).feeder_history(feeder)
    if as_json:
        print_json(found)
        return
    columns = ("max HC MW", "min HC MW", "installed", "installed MW", "planned", "planned MW", "headroom MW")
    table = new_table(
        f"{found['utility']} feeder {found['native_feeder_id']}",
        "published at",
        "snapshot",
        *columns,
        "HC study",
        "DER data",
        numbers=columns,
    )
    keys = (
        "max_hc_mw",
        "min_hc_mw",
        "installed_der_count",
        "installed_der_mw",
        "planned_der_count",
        "planned_der_mw",
        "headroom_after_queue_mw",
    )
    for point in found["points"]:
        values = ["" if point[key] is None else f"{point[key]:,}" for key in keys]
        add_row(
            table,
            point["published_at"] or "",
            point["snapshot"],
            *values,
            point["hca_refresh_date"] or "",
            point["der_data_date"] or "",
        )
    show(table)


@app.command()
@_one_line_errors
def diff(
    old: Annotated[str, typer.Argument(help="The older snapshot id.")],
    new: Annotated[str | None, typer.Argument(help="The newer snapshot id (default: the published one).")] = None,
    lake: LakeOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the whole diff as JSON.")] = False,
) -> None:
    """What changed between two snapshots: feeders added/removed, max HC changes, DER that became
    installed, new, withdrawn or removed DER."""
    changes = _hostcap(None, lake, None).diff(old, new)
    if as_json:
        print_json(changes.model_dump(mode="json"))
        return
    table = new_table(f"changes {changes.old} → {changes.new}", "change", "count", numbers=("count",))
    for name, count in changes.change_counts().items():
        add_row(table, name.replace("_", " "), f"{count:,}")
    show(table)


@app.command()
@_one_line_errors
def validate(source: SourceOpt = None, config: ConfigOpt = None, as_json: JsonOpt = False) -> None:
    """Check every source config, and every source file's header against its config.

    Exit code 0 when every source is fine, 2 when any has a problem. With --json, the problems
    per source (an empty list when fine)."""
    problems = _hostcap(source, None, config).validate()
    if as_json:
        print_json(problems)
    else:
        table = new_table("sources", "source", "problems", wrap=("problems",))
        for source_id, found in problems.items():
            add_row(table, source_id, found or "ok")
        show(table)
    if any(problems.values()):
        raise typer.Exit(2)


@app.command()
@_one_line_errors
def sample(
    out: Annotated[Path, typer.Option("--out", help="Directory to write the source files into.")],
    scale: Annotated[float, typer.Option(help="1 ≈ statewide real size; 0.01 is the bundled sample.", min=0.0001)] = 0.01,
    seed: Annotated[int, typer.Option(help="Same seed and scale → identical files.")] = 42,
    nyseg_network_for: Annotated[
        list[Path] | None,
        typer.Option(
            "--nyseg-network-for",
            help="Instead, write only a NYSEG/RG&E network file whose feeders are the circuit IDs that "
            "these NYSEG/RG&E DER files reference (ProjectCircuitID). Give several files after the flag "
            "(`--nyseg-network-for A B`) or repeat it (`--nyseg-network-for A --nyseg-network-for B`).",
            exists=True,
            dir_okay=False,
        ),
    ] = None,
    more_der_files: Annotated[
        list[Path] | None,
        typer.Argument(
            metavar="DER_FILE",
            help="More DER files for --nyseg-network-for (the files after its first).",
            exists=True,
            dir_okay=False,
            show_default=False,
        ),
    ] = None,
) -> None:
    """Write realistic sample files for all five utilities in their real formats."""
    from hostcap.sample import generate_sample, write_nyseg_network_for_circuits
    from hostcap.sample.circuits import circuit_ids_from_der_files

    if more_der_files and not nyseg_network_for:
        raise typer.BadParameter("DER files are read only with --nyseg-network-for", param_hint="DER_FILE")
    if nyseg_network_for:
        target = out / "nyseg_rge" / "network" / "nyseg_rge_network.csv"
        der_files = [*nyseg_network_for, *(more_der_files or [])]
        write_nyseg_network_for_circuits(circuit_ids_from_der_files(der_files), target, seed=seed)
        say(f"wrote {target} for the circuits of {len(der_files)} DER files")
        return
    written = generate_sample(out, scale=scale, seed=seed)
    say(f"wrote {sum(len(files) for files in written.values())} files for {len(written)} sources under {out}")


@app.command()
@_one_line_errors
def export(
    table: Annotated[str, typer.Argument(help=f"Gold table: {', '.join(TABLES)}.")],
    format: Annotated[ExportFormat, typer.Option("--format", help="csv, parquet or json.")] = "csv",
    out: Annotated[Path | None, typer.Option("--out", help="File to write (default: standard output).")] = None,
    csv_raw: Annotated[
        bool,
        typer.Option(
            "--csv-raw",
            help="CSV: write text cells exactly as they are. By default a text cell beginning with =, +, -, @, "
            "a tab or a carriage return gets a leading ' so a spreadsheet does not run it as a formula.",
        ),
    ] = False,
    lake: LakeOpt = None,
) -> None:
    """Write a published gold table with its canonical column names."""
    from hostcap.io.export import write_table

    if table not in TABLES:
        raise typer.BadParameter(f"unknown table {table!r}; one of {', '.join(TABLES)}", param_hint="TABLE")
    data = _hostcap(None, lake, None).gold_table(table)
    if out is None:
        write_table(data, format, sys.stdout.buffer, csv_raw=csv_raw)
    else:
        with out.open("wb") as sink:
            write_table(data, format, sink, csv_raw=csv_raw)
        say(f"wrote {data.num_rows:,} rows to {out}", err=True)


@app.command()
@_one_line_errors
def bundle(
    snapshot: Annotated[
        str | None, typer.Argument(help="A published snapshot (default: the published one; see `hostcap snapshots`).")
    ] = None,
    out: Annotated[
        Path | None, typer.Option("--out", help="File to write (default: hostcap-<snapshot>.zip in the current directory).")
    ] = None,
    lake: LakeOpt = None,
    config: ConfigOpt = None,
) -> None:
    """Write a snapshot's release bundle: every gold table as Parquet and CSV, a DuckDB database,
    a Frictionless datapackage.json and CHANGES.md, in one zip. Made once per snapshot (by `serve`
    and `watch` right after the publish, else now) and kept in the lake."""
    found = _hostcap(None, lake, config).bundle(snapshot)
    out = out or Path(found.filename)
    partial = out.with_name(out.name + ".partial")
    with partial.open("wb") as sink:
        for chunk in found.chunks():
            sink.write(chunk)
    partial.replace(out)
    say(f"wrote the bundle of snapshot {found.snapshot} ({found.size:,} bytes, sha256 {found.sha256[:12]}) to {out}", err=True)


def _orchestration(
    schedule: str | None, quiet: float | None = None, mode: str | None = None, poll: float | None = None
) -> OrchestrationSettings:
    from hostcap.orchestration import OrchestrationSettings

    return _settings(OrchestrationSettings, schedule=schedule, watch_quiet_s=quiet, watch_mode=mode, watch_poll_s=poll)


@app.command()
@_one_line_errors
def watch(
    source: SourceOpt = None,
    lake: LakeOpt = None,
    config: ConfigOpt = None,
    engine: EngineOpt = None,
    schedule: ScheduleOpt = None,
    quiet: QuietOpt = None,
    watch_mode: WatchModeOpt = None,
    poll: PollOpt = None,
) -> None:
    """Refresh when source files change, and on the schedule, until Ctrl-C or SIGTERM.

    A burst of new, changed or removed files starts one refresh once it has been quiet for
    --quiet seconds; files touched or delivered again with the same content start none. On start,
    files that changed since the published snapshot are refreshed. A failing refresh is logged
    and kept in `hostcap runs`; watching goes on. On stop, a running refresh finishes first; a
    second Ctrl-C or SIGTERM abandons it (exit status 130 or 143).
    """
    from hostcap.orchestration import Orchestrator
    from hostcap.quick_exit import exit_now
    from hostcap.stop_signals import StopSignals

    hostcap = _hostcap(source, lake, config, engine=engine, long_running=True)
    orchestrator = Orchestrator(hostcap, _orchestration(schedule, quiet, watch_mode, poll))
    log_to_stderr(logging.INFO)
    with StopSignals() as stop:  # a stop that arrives while starting is acted on once started
        orchestrator.start()
        say(f"source {hostcap.settings.source_dir} → lake {hostcap.settings.lake_dir}")
        for line in orchestrator.status().lines():
            say(line)
        stop.wait()
        say("stopping (a running refresh finishes first; a second Ctrl-C or SIGTERM abandons it)")

        def finish() -> None:
            try:
                orchestrator.stop()
            finally:
                stop.wake()

        # the main thread keeps listening while the stop waits: a second signal is never missed
        threading.Thread(target=finish, name="watch-stop", daemon=True).start()
        again = stop.wait()
        if again is not None:
            say(f"{again.name} again: abandoning the running refresh")
            exit_now(128 + again)


@app.command("schedule")
@_one_line_errors
def schedule_(
    schedule: ScheduleOpt = None,
    count: Annotated[int, typer.Option(help="How many upcoming times to list.", min=1)] = 5,
) -> None:
    """Show the refresh schedule `watch` and `serve` follow, and its next times."""
    settings = _orchestration(schedule)
    cron = settings.cron()
    if cron is None:
        say("scheduled refreshes: off")
        return
    say(f"scheduled refreshes: {cron.expression} ({settings.schedule_timezone})")
    for moment in cron.upcoming(dt.datetime.now(dt.UTC), count):
        say(f"  {moment.isoformat()}")


@app.command()
@_one_line_errors
def serve(
    source: SourceOpt = None,
    lake: LakeOpt = None,
    config: ConfigOpt = None,
    host: Annotated[str, typer.Option(help="Address to listen on; without HOSTCAP_API_KEY set, 127.0.0.1 only.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.", min=1, max=65535)] = 8000,
    refresh_on_start: Annotated[
        bool, typer.Option("--refresh-on-start", help="Start a refresh in the background as the server starts.")
    ] = False,
    access_log: Annotated[bool, typer.Option("--access-log", help="Log every request.")] = False,
    watch: Annotated[
        bool, typer.Option("--watch", help="Also refresh when source files change, as `hostcap watch` does.")
    ] = False,
    schedule: ScheduleOpt = None,
    quiet: QuietOpt = None,
    watch_mode: WatchModeOpt = None,
    poll: PollOpt = None,
) -> None:
    """Serve the HTTP API from the published snapshot (docs at /docs); Ctrl-C stops it.

    The server refreshes on the schedule (see `hostcap schedule`; `--schedule off` turns it off)
    and, with --watch, when source files change. /v1/status shows both. The explorer's map draws
    web tiles only when $HOSTCAP_MAP_TILE_URL names a tile server (see the README).
    """
    from hostcap.api.server import serve as run_server
    from hostcap.api.settings import ApiSettings

    hostcap = _hostcap(source, lake, config, long_running=True)
    orchestration = _orchestration(schedule, quiet, watch_mode, poll)
    api_settings = _settings(ApiSettings)  # a bad HOSTCAP_API_* or HOSTCAP_MAP_* value stops the start, saying which

    log_to_stderr(logging.INFO)
    run_server(
        hostcap,
        host,
        port,
        refresh_on_start,
        say=say,
        access_log=access_log,
        orchestration=orchestration,
        watch=watch,
        settings=api_settings,
    )


subscriptions_app = typer.Typer(
    help="Subscriptions: who is told, after each publish, about which changes to which feeders.", no_args_is_help=True
)
app.add_typer(subscriptions_app, name="subscriptions")
_Many = list[str] | None


@subscriptions_app.command("add")
@_one_line_errors
def subscriptions_add(
    url: Annotated[str | None, typer.Option(help="http(s) URL the webhook is POSTed to (none: Atom feed only).")] = None,
    secret: Annotated[
        str | None, typer.Option(help="Signing secret, 16+ characters (default with --url: one is generated and printed once).")
    ] = None,
    description: Annotated[str, typer.Option(help="A note for people.")] = "",
    utility: Annotated[_Many, typer.Option(help="Only this utility (repeatable).")] = None,
    substation: Annotated[_Many, typer.Option(help="Only this substation, ID or name (repeatable).")] = None,
    county: Annotated[_Many, typer.Option(help="Only this county (repeatable; a feeder by its DER's counties).")] = None,
    feeder: Annotated[_Many, typer.Option(help="Only this feeder, canonical or native ID (repeatable).")] = None,
    headroom_below: Annotated[float | None, typer.Option(help="Headroom after the queue falls below this (MW).")] = None,
    headroom_above: Annotated[float | None, typer.Option(help="Headroom after the queue rises to at least this (MW).")] = None,
    max_hc_change_mw: Annotated[float | None, typer.Option(help="Max HC changes by more than this (MW).")] = None,
    max_hc_change_pct: Annotated[float | None, typer.Option(help="Max HC changes by more than this (%).")] = None,
    der_min_kw: Annotated[float | None, typer.Option(help="A DER of at least this (kW) joins or leaves the queue.")] = None,
    feeder_presence: Annotated[bool, typer.Option("--feeder-presence", help="A feeder appears or disappears.")] = False,
    lake: LakeOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Subscribe to changes: after each publish, the changes the filter and triggers select are
    POSTed to --url, signed (see the README). Stored in the lake."""
    import secrets as random_secrets

    from pydantic import ValidationError

    from hostcap.alerts import SubscriptionIn

    generated = secret is None and url is not None
    if generated:
        secret = random_secrets.token_urlsafe(32)
    try:
        given = SubscriptionIn.model_validate(
            {
                "url": url,
                "secret": secret,
                "description": description,
                "filter": {
                    "utilities": utility or [],
                    "substations": substation or [],
                    "counties": county or [],
                    "feeder_ids": feeder or [],
                },
                "triggers": {
                    "headroom_below_mw": headroom_below,
                    "headroom_above_mw": headroom_above,
                    "max_hc_change_mw": max_hc_change_mw,
                    "max_hc_change_pct": max_hc_change_pct,
                    "der_min_kw": der_min_kw,
                    "feeder_presence": feeder_presence,
                },
            }
        )
    except ValidationError as exc:
        raise ConfigError("invalid subscription: " + "; ".join(e["msg"] for e in exc.errors())) from None
    made = _hostcap(None, lake, None).notifier.subscriptions.add(given).public()
    shown = made.model_dump(mode="json") | ({"secret": secret} if generated else {})
    if as_json:
        print_json(shown)
        return
    say(f"subscribed: {made.id}")
    if generated:
        say(f"signing secret (shown once, keep it): {secret}")


@subscriptions_app.command("list")
@_one_line_errors
def subscriptions_list(lake: LakeOpt = None, as_json: JsonOpt = False) -> None:
    """List the subscriptions (never their secrets)."""
    found = [s.public().model_dump(mode="json") for s in _hostcap(None, lake, None).notifier.subscriptions.all()]
    if as_json:
        print_json(found)
        return
    table = new_table("subscriptions", "id", "url", "filter", "triggers", "description", wrap=("filter", "triggers"))

    def terms(values: dict) -> str:
        return ", ".join(f"{k}={v}" for k, v in values.items() if v not in (None, [], False))

    for s in found:
        add_row(table, s["id"], s["url"] or "(feed only)", terms(s["filter"]) or "-", terms(s["triggers"]), s["description"])
    show(table)


@subscriptions_app.command("remove")
@_one_line_errors
def subscriptions_remove(
    subscription_id: Annotated[str, typer.Argument(help="Subscription ID, from `hostcap subscriptions list`.")],
    lake: LakeOpt = None,
) -> None:
    """Remove a subscription and its delivery log."""
    notifier = _hostcap(None, lake, None).notifier
    notifier.subscriptions.remove(subscription_id)
    notifier.outbox.forget(subscription_id)
    say(f"removed {subscription_id}")


@app.command()
@_one_line_errors
def notify(
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Print what the latest publish sends, send nothing.")] = False,
    wait: Annotated[float, typer.Option(help="Seconds to keep retrying before leaving the rest in the outbox.", min=0)] = 60,
    lake: LakeOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Deliver the notifications of the latest publish and whatever earlier runs left in the
    outbox (a refresh does this by itself; this is for a run that was stopped). With --dry-run,
    print the notifications the latest publish makes, each with its subscription, URL and body."""
    notifier = _hostcap(None, lake, None).notifier
    current = notifier.lake.require_current()
    if dry_run:
        batch = notifier.batch_for(current)
        urls = {s.id: s.url for s in notifier.subscriptions.all()}
        found = [
            {
                "subscription_id": n.subscription_id,
                "url": urls.get(n.subscription_id),
                "idempotency_key": n.id,
                "body": json.loads(n.body),
            }
            for n in batch.notifications
        ]
        if as_json:
            print_json(found)
            return
        say(f"snapshot {current} (compared with {batch.previous or 'nothing'}): {len(found)} notifications")
        for item in found:
            say(f"{item['subscription_id']} → {item['url']}: {item['body']['event_count']} events")
            say(json.dumps(item["body"]["events"], indent=1))
        return
    notifier.resume()
    finished = notifier.drain(wait)
    notifier.stop()
    states = [
        d.model_dump(mode="json")
        for s in notifier.subscriptions.all()
        for d in notifier.outbox.log(s.id, 1)
        if d.snapshot == current
    ]
    if as_json:
        print_json(states)
    else:
        counts = {status: sum(d["status"] == status for d in states) for status in ("delivered", "failed", "pending")}
        say(f"snapshot {current}: " + ", ".join(f"{n} {status}" for status, n in counts.items()))
    if not finished:
        raise typer.Exit(1)

"""A command with nothing to do imports only what it needs: its start costs more than its work,
so a module imported at the top of the CLI (the engine, the API, boto3, pyarrow) would slow every
such command down silently. Each command runs in a fresh process that reports what it loaded."""

from __future__ import annotations

import gc
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from hostcap.alerts import SubscriptionIn
from hostcap.cli import process_defaults
from tests.conftest import REFRESH_SOURCES, REPO, SAMPLE, make_hostcap

#: what a no-change refresh, `runs`, `snapshots` or `--help` has no use for
NOT_NEEDED = (
    "ibis",
    "duckdb",
    "pyspark",
    "fastapi",
    "uvicorn",
    "boto3",
    "pandas",
    "pyarrow",
    "watchdog",
    "hostcap.build",
    "hostcap.engine",
    "hostcap.api",
    "hostcap.sample",
    "hostcap.diff",
    "hostcap.alerts.notifier",
)
#: what listing the lake (`runs`, `snapshots`) has no use for besides: the source configs (their
#: models and YAML) and the refresh
LISTING_NOT_NEEDED = (
    *NOT_NEEDED,
    "yaml",
    "hostcap.config.loader",
    "hostcap.config.source",
    "hostcap.acquire.upstream",
    "hostcap.refresh",
)
#: what help has no use for besides: the settings, the core and the lake
HELP_NOT_NEEDED = (*LISTING_NOT_NEEDED, "pydantic_settings", "hostcap.config", "hostcap.core", "hostcap.lake")

#: runs the CLI with the arguments after the report file, then writes the loaded modules to it
PROBE = """
import atexit, json, sys
report = sys.argv.pop(1)
atexit.register(lambda: open(report, "w").write(json.dumps(sorted(sys.modules))))
from hostcap.cli import app
if len(sys.argv) > 1:
    app(prog_name="hostcap")
"""


@pytest.fixture(scope="module")
def lake(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """A published lake of two sample sources, and the options that point a command at it."""
    root = tmp_path_factory.mktemp("startup")
    hostcap = make_hostcap(root, SAMPLE, list(REFRESH_SOURCES))
    assert hostcap.refresh().published
    return {"--source": str(SAMPLE), "--lake": hostcap.settings.lake_dir, "--config": str(hostcap.settings.config_dir)}


def loaded(tmp_path: Path, *args: str, env: dict[str, str] | None = None) -> tuple[subprocess.CompletedProcess, set[str]]:
    report = tmp_path / "modules.json"
    done = subprocess.run(
        [sys.executable, "-c", PROBE, str(report), *args],
        capture_output=True, text=True, timeout=120, cwd=REPO, env={**os.environ, **(env or {})},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return done, set(json.loads(report.read_text()))


def heavy(modules: set[str], not_needed: tuple[str, ...] = NOT_NEEDED) -> list[str]:
    return sorted(m for m in modules if any(m == name or m.startswith(f"{name}.") for name in not_needed))


def test_importing_the_cli_loads_no_engine_server_or_cloud_client(tmp_path: Path):
    """Nor pydantic: every command's settings and models are imported by the command."""
    _, modules = loaded(tmp_path)
    assert "hostcap.cli" in modules
    assert heavy(modules, (*HELP_NOT_NEEDED, "pydantic")) == []


def test_a_refresh_with_nothing_to_do_loads_no_engine_and_no_pyarrow(tmp_path: Path, lake: dict[str, str]):
    done, modules = loaded(tmp_path, "refresh", *(x for option in lake.items() for x in option))
    assert "nothing new published" in done.stdout
    assert heavy(modules) == []


@pytest.mark.parametrize(
    "command", [["runs"], ["snapshots"], ["--help"], ["serve", "--help"], ["refresh", "--help"]], ids=" ".join
)
def test_listing_and_help_load_only_what_they_need(tmp_path: Path, lake: dict[str, str], command: list[str]):
    options = [] if "--help" in command else ["--lake", lake["--lake"]]
    done, modules = loaded(tmp_path, *command, *options)
    assert done.stdout.strip()
    assert heavy(modules, HELP_NOT_NEEDED if "--help" in command else LISTING_NOT_NEEDED) == []


#: what a refresh that publishes, its plans cached, has no use for: Ibis compiles plans; pandas and
#: pyarrow's dataset and Acero modules (imported by pyarrow for a Python value converted, a Parquet
#: file read through `pq.read_table`, a table joined or grouped) cost more than a small refresh's work
PUBLISHING_NOT_NEEDED = ("ibis", "pandas")


def test_a_refresh_whose_plans_are_cached_never_imports_ibis_or_pandas(tmp_path: Path):
    """Compiling a plan is the only use of Ibis on DuckDB: once a source's silver plan and
    gold's are cached, a refresh of changed data builds no expression (hostcap.layers.plans);
    its bronze, silver, gold and history need no pandas either, nor does keeping an unchanged
    utility's gold rows (Con Edison's here)."""
    source = tmp_path / "src"
    sources = [*REFRESH_SOURCES, "coned/der"]
    for source_id in sources:
        shutil.copytree(SAMPLE / source_id, source / source_id)
    hostcap = make_hostcap(tmp_path, source, sources)
    options = ["--source", str(source), "--lake", hostcap.settings.lake_dir, "--config", str(hostcap.settings.config_dir)]
    plans = {"HOSTCAP_PLAN_CACHE_DIR": str(tmp_path / "plans")}  # cold at first, whatever ran before
    first, modules = loaded(tmp_path, "refresh", *options, env=plans)
    assert "ibis" in modules and "published: yes" in first.stdout  # the first refresh compiles
    data = next((source / REFRESH_SOURCES[0]).glob("*.csv"))
    for _ in range(2):  # the first change compiles gold's plan with Con Edison kept; the second runs it
        data.write_text(data.read_text() + data.read_text().splitlines()[-1] + "\n")  # one more row, same headers
        again, modules = loaded(tmp_path, "refresh", *options, env=plans)
        assert "published: yes" in again.stdout
    run_id = re.search(r"refresh (\S+):", again.stdout).group(1)
    statuses = {s["source"]: s["status"] for s in hostcap.lake.read_report(run_id)["sources"]}
    assert statuses["coned/der"] == "skipped-unchanged"  # so its gold rows were kept
    assert [m for m in modules if any(m == name or m.startswith(f"{name}.") for name in PUBLISHING_NOT_NEEDED)] == []


def test_a_refresh_of_network_sources_alone_never_imports_pandas(tmp_path: Path):
    """With no DER source, gold reads an empty DER silver, made without pandas (hostcap.io.arrays)."""
    source = tmp_path / "src"
    shutil.copytree(SAMPLE / "national_grid/network", source / "national_grid/network")
    hostcap = make_hostcap(tmp_path, source, ["national_grid/network"])
    options = ["--source", str(source), "--lake", hostcap.settings.lake_dir, "--config", str(hostcap.settings.config_dir)]
    plans = {"HOSTCAP_PLAN_CACHE_DIR": str(tmp_path / "plans")}
    first, _ = loaded(tmp_path, "refresh", *options, env=plans)  # compiles the plans
    assert "published: yes" in first.stdout
    data = next((source / "national_grid/network").glob("*.csv"))
    data.write_text(data.read_text() + data.read_text().splitlines()[-1] + "\n")
    again, modules = loaded(tmp_path, "refresh", *options, env=plans)
    assert "published: yes" in again.stdout
    assert heavy(modules, PUBLISHING_NOT_NEEDED) == []


def test_a_publish_loads_the_notifier_only_when_the_lake_has_a_subscription(tmp_path: Path):
    """With no subscription in the lake a publish notifies nobody, so the refresh never loads the
    notifier (its models, the change events, the webhook client); once there is one, the next
    publish is evaluated for it, as the outbox records."""
    source = tmp_path / "src"
    for source_id in REFRESH_SOURCES:
        shutil.copytree(SAMPLE / source_id, source / source_id)
    hostcap = make_hostcap(tmp_path, source, list(REFRESH_SOURCES))
    options = ["--source", str(source), "--lake", hostcap.settings.lake_dir, "--config", str(hostcap.settings.config_dir)]
    first, modules = loaded(tmp_path, "refresh", *options)
    assert "published: yes" in first.stdout
    assert sorted(m for m in modules if m.startswith("hostcap.alerts.")) == ["hostcap.alerts.settings"]
    assert hostcap.notifier.outbox.evaluated() is None

    hostcap.notifier.subscriptions.add(SubscriptionIn.model_validate({"triggers": {"feeder_presence": True}}))
    data = next((source / REFRESH_SOURCES[0]).glob("*.csv"))
    data.write_text(data.read_text() + data.read_text().splitlines()[-1] + "\n")  # one more row, same headers
    again, modules = loaded(tmp_path, "refresh", *options)
    assert "published: yes" in again.stdout
    assert "hostcap.alerts.notifier" in modules
    assert hostcap.notifier.outbox.evaluated() == hostcap.lake.current()


#: runs the installed command's entry point (main) with the arguments after the report file, then
#: writes to it what OPENBLAS_NUM_THREADS was when the process ended, and pyarrow's memory pool
ENTRY_PROBE = """
import atexit, os, sys
report = sys.argv.pop(1)
def probe():
    import pyarrow
    blas = os.environ.get("OPENBLAS_NUM_THREADS", "unset")
    open(report, "w").write(blas + " " + pyarrow.default_memory_pool().backend_name)
atexit.register(probe)
from hostcap.cli import main
sys.argv[0] = "hostcap"
main()
"""

#: the libraries' variables that the command sets when the user has not
DEFAULTED = ("OPENBLAS_NUM_THREADS", "ARROW_DEFAULT_MEMORY_POOL")


@pytest.mark.parametrize(
    ("given", "expected"),
    [({}, "1 jemalloc"), ({"OPENBLAS_NUM_THREADS": "3", "ARROW_DEFAULT_MEMORY_POOL": "system"}, "3 system")],
    ids=["unset", "set by the user"],
)
def test_the_command_sets_openblas_and_arrow_defaults_unless_told_otherwise(tmp_path: Path, given: dict[str, str], expected: str):
    """NumPy's OpenBLAS threads would spin beside the refresh's own, and mimalloc's huge pages
    cost the kernel's zeroing; a user's settings are kept."""
    report = tmp_path / "probe.txt"
    env = {k: v for k, v in os.environ.items() if k not in DEFAULTED} | given
    done = subprocess.run(
        [sys.executable, "-c", ENTRY_PROBE, str(report), "snapshots", "--lake", str(tmp_path / "lake")],
        capture_output=True, text=True, timeout=120, cwd=REPO, env=env,
    )  # fmt: skip
    assert report.read_text() == expected, done.stderr


@pytest.mark.parametrize("platform", ["darwin-arm64", "linux-aarch64", "win32"])
def test_arrow_keeps_its_own_pool_where_jemalloc_may_be_missing(platform: str):
    """pyarrow's wheels are built with jemalloc on Linux x86-64; elsewhere naming it could print a warning."""
    environ: dict[str, str] = {}
    process_defaults(environ, platform=platform)
    assert environ == {"OPENBLAS_NUM_THREADS": "1"}
    process_defaults(environ, platform="linux-x86_64")
    assert environ == {"OPENBLAS_NUM_THREADS": "1", "ARROW_DEFAULT_MEMORY_POOL": "jemalloc"}


#: runs the installed command's entry point (main) with the arguments after the report file, then
#: writes to it whether Python's cycle collector was on when the process ended
COLLECTOR_PROBE = """
import atexit, gc, sys
report = sys.argv.pop(1)
atexit.register(lambda: open(report, "w").write(str(gc.isenabled())))
from hostcap.cli import main
sys.argv[0] = "hostcap"
main()
"""


def test_a_command_that_runs_once_does_without_the_cycle_collector(tmp_path: Path, lake: dict[str, str]):
    report = tmp_path / "probe.txt"
    done = subprocess.run(
        [sys.executable, "-c", COLLECTOR_PROBE, str(report), "refresh", *(x for pair in lake.items() for x in pair)],
        capture_output=True, text=True, timeout=120, cwd=REPO,
    )  # fmt: skip
    assert report.read_text() == "False", done.stderr


def test_a_long_running_command_collects_cycles(tmp_path: Path):
    """serve and watch make their Hostcap as long-running: the collector is back on."""
    from hostcap.cli import _hostcap

    gc.disable()
    try:
        _hostcap(None, str(tmp_path / "lake"), None, long_running=True)
        assert gc.isenabled()
    finally:
        gc.enable()

"""Run reports as read: a run whose process died shows `interrupted` at once, not `running`
until the next refresh; and the lake keeps only the last HOSTCAP_KEEP_RUNS reports."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from typer.testing import CliRunner

import hostcap.refresh as refresh_module
from hostcap.api.params import SNAPSHOT_ID
from hostcap.cli import app
from hostcap.config import Settings
from hostcap.core import Hostcap
from hostcap.lock import RefreshLock
from hostcap.refresh import new_run_id
from hostcap.runs import INTERRUPTED, read_run
from tests.conftest import SAMPLE, copy_configs

SOURCES = ["national_grid/network", "national_grid/installed_der", "coned/network", "central_hudson/network"]


def sample_hostcap(tmp_path: Path, **settings) -> Hostcap:
    source = tmp_path / "src"
    for source_id in SOURCES:
        shutil.copytree(SAMPLE / source_id, source / source_id)
    configs = copy_configs(tmp_path / "cfg", SOURCES)
    return Hostcap(Settings(source_dir=str(source), lake_dir=str(tmp_path / "lake"), config_dir=configs, **settings))


def test_a_killed_run_reads_interrupted_while_a_live_one_reads_running(tmp_path: Path):
    hostcap = sample_hostcap(tmp_path)
    lake = hostcap.lake
    settings = hostcap.settings
    script = (
        "from hostcap.config import Settings; from hostcap.core import Hostcap; "
        f"Hostcap(Settings(source_dir={settings.source_dir!r}, lake_dir={settings.lake_dir!r}, "
        f"config_dir={str(settings.config_dir)!r})).refresh(run_id='doomed')"
    )
    process = subprocess.Popen([sys.executable, "-c", script])
    report = tmp_path / "lake" / "runs" / "doomed.json"
    deadline = time.monotonic() + 60
    while not report.exists():  # written, whole, once the run holds the lock
        assert process.poll() is None, "the refresh ended before it wrote its report"
        assert time.monotonic() < deadline, "the refresh never wrote its report"
        time.sleep(0.005)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    assert json.loads(report.read_text())["status"] == "running"  # what the dead process left

    found = read_run(lake, "doomed")
    assert (found["status"], found["error"]) == ("interrupted", INTERRUPTED)
    runner = CliRunner()
    listed = runner.invoke(app, ["runs", "--json", "--lake", settings.lake_dir])
    assert [(r["run_id"], r["status"]) for r in json.loads(listed.stdout)] == [("doomed", "interrupted")]
    shown = runner.invoke(app, ["runs", "show", "doomed", "--lake", settings.lake_dir])
    assert shown.exit_code == 0 and "refresh doomed: interrupted" in shown.stdout

    # a run that does hold the lock is running, whatever its report's age
    lake.write_report("alive", {**json.loads(report.read_text()), "run_id": "alive"})
    with RefreshLock(lake, "alive"):
        assert read_run(lake, "alive")["status"] == "running"
    assert read_run(lake, "alive")["status"] == "interrupted"


def test_only_the_last_runs_reports_are_kept_and_those_of_kept_snapshots(tmp_path: Path):
    hostcap = sample_hostcap(tmp_path, keep_runs=3)
    run_ids = [f"20260101T00000{i}Z-00000{i}" for i in range(6)]
    published = hostcap.refresh(run_id=run_ids[0])
    assert published.published
    unchanged = [hostcap.refresh(run_id=run_id) for run_id in run_ids[1:]]
    assert {r.status for r in unchanged} == {"unchanged"}
    # pruned when each refresh starts: the last three runs, and the published snapshot's run
    assert hostcap.lake.runs() == [run_ids[0], *run_ids[-3:]]
    listed = CliRunner().invoke(app, ["runs", "--json", "--lake", hostcap.settings.lake_dir])
    assert len(json.loads(listed.stdout)) == 4


def test_run_ids_sort_in_the_order_they_were_made(monkeypatch):
    """Retention, the runs listing and a rebuilt history order runs by ID: two runs made within
    the same second must still sort in the order they were made."""
    instants = [dt.datetime(2026, 11, 30, 0, 22, 12, us, tzinfo=dt.UTC) for us in (1_000, 2_000, 998_000, 999_000)]
    clock = iter(())

    class FrozenDatetime(dt.datetime):
        @classmethod
        def now(cls, tz=None):
            return next(clock)

    for _ in range(25):
        clock = iter(instants)
        monkeypatch.setattr(refresh_module.dt, "datetime", FrozenDatetime)
        made = [new_run_id() for _ in instants]
        assert sorted(made) == made
        assert all(re.fullmatch(SNAPSHOT_ID, run_id) for run_id in made)

"""Unattended refreshes: real files dropped into a watched directory, the content-keyed trigger, the
schedule on an injectable clock, failures that leave the watcher running, and `hostcap watch` as a
real process.

Waits are bounded polls of a condition (`wait_for`); nothing sleeps for a fixed time.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import zoneinfo
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import SimpleNamespace

import pytest
from pydantic import ValidationError

from hostcap.core import Hostcap
from hostcap.lock import RefreshLock
from hostcap.orchestration import OrchestrationSettings, Orchestrator
from hostcap.orchestration.schedule import Schedule, Scheduler
from hostcap.report import RefreshReport
from hostcap.runs import read_run
from tests.acquire.conftest import live_hostcap
from tests.conftest import REAL, REAL_FILES, SAMPLE, make_hostcap

QUIET_S = 0.3
#: where a test drops a burst of files and expects one refresh: long enough that a busy machine
#: never pauses that long within the burst, short enough to keep the test quick
BURST_QUIET_S = 1.0
NATIONAL_GRID = ["national_grid/network", "national_grid/installed_der", "national_grid/planned_der"]


def orchestration(**settings) -> OrchestrationSettings:
    """Settings independent of the environment: schedule off and a short quiet period unless given."""
    return OrchestrationSettings(**{"schedule": "off", "watch_quiet_s": QUIET_S, "watch_mode": "events", **settings})


def deliver(target: Path, data: bytes, chunk: int = 64 * 1024) -> None:
    """Write a file the way a transfer does: created, then written piece by piece (many events)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("wb") as handle:
        for start in range(0, len(data), chunk):
            handle.write(data[start : start + chunk])
            handle.flush()


def deliver_real(source_dir: Path, source_id: str) -> Path:
    target = source_dir / source_id / REAL_FILES[source_id]
    deliver(target, (REAL / REAL_FILES[source_id]).read_bytes())
    return target


def copy_sample(source_dir: Path, source_ids: list[str]) -> None:
    for source_id in source_ids:
        shutil.copytree(SAMPLE / source_id, source_dir / source_id)


class FakeRefresh:
    """Records the refreshes asked for; raises the queued errors first, one per call."""

    def __init__(self, *errors: Exception):
        self.triggers: list[str] = []
        self.errors = list(errors)

    def __call__(self, trigger: str) -> SimpleNamespace:
        self.triggers.append(trigger)
        if self.errors:
            raise self.errors.pop(0)
        return SimpleNamespace(run_id=f"run-{len(self.triggers)}", status="succeeded")


@contextmanager
def running(orchestrator: Orchestrator) -> Iterator[Orchestrator]:
    orchestrator.start()
    try:
        yield orchestrator
    finally:
        orchestrator.stop()


def settled(orchestrator: Orchestrator, checks: int) -> bool:
    """The watcher made `checks` content checks and has nothing pending or running."""
    status = orchestrator.status()
    return status.watch.checks >= checks and not status.watch.pending and not status.running


def watch_runs(hostcap: Hostcap) -> list[RefreshReport]:
    reports = (RefreshReport.model_validate(hostcap.lake.read_report(run_id)) for run_id in hostcap.lake.runs())
    return [report for report in reports if report.trigger == "watch"]


# file events ------------------------------------------------------------------------------------


def test_real_files_dropped_in_a_burst_start_one_refresh_and_the_same_bytes_again_none(tmp_path, real_dir, wait_for):
    source = tmp_path / "src"
    copy_sample(source, NATIONAL_GRID)
    hostcap = make_hostcap(tmp_path, source, NATIONAL_GRID)
    assert hostcap.refresh().status == "succeeded"
    orchestrator = Orchestrator(hostcap, orchestration(watch_quiet_s=BURST_QUIET_S))

    with running(orchestrator):
        # on start, the files are those of the published snapshot: nothing to catch up on
        wait_for(lambda: settled(orchestrator, 1), "the start-up check")
        assert orchestrator.status().last.outcome == "unchanged"

        # the utility replaces its three files: removals, creations and many writes, one burst
        for source_id in NATIONAL_GRID:
            for old in (source / source_id).iterdir():
                old.unlink()
            deliver_real(source, source_id)
        wait_for(lambda: len(watch_runs(hostcap)) == 1 and settled(orchestrator, 2), "one refresh", timeout_s=120)
        (run,) = watch_runs(hostcap)
        assert run.status == "succeeded" and run.published and hostcap.lake.current() == run.run_id
        assert {s.status for s in run.sources} == {"succeeded"}
        assert {f.path for s in run.sources for f in s.files} == {f"{i}/{REAL_FILES[i]}" for i in NATIONAL_GRID}
        status = orchestrator.status()
        assert status.watch.refreshes == 1 and status.watch.changes_noticed > len(NATIONAL_GRID)
        assert status.last.outcome == "ran" and status.last.run_id == run.run_id

        # the same bytes delivered again, and a file only touched: checked, nothing refreshed
        for source_id in NATIONAL_GRID:
            deliver_real(source, source_id)
        (source / "national_grid" / "network" / REAL_FILES["national_grid/network"]).touch()
        wait_for(lambda: settled(orchestrator, 3), "the check of the re-delivery")
        assert len(watch_runs(hostcap)) == 1 and orchestrator.status().last.outcome == "unchanged"


# polling (how an object store is watched; here on a local directory) ------------------------------


def test_polling_refreshes_once_per_burst_and_on_start_and_treats_a_removal_as_a_change(tmp_path, real_dir, wait_for):
    source = tmp_path / "src"
    deliver_real(source, "national_grid/network")  # arrived while nothing watched
    refresh = FakeRefresh()
    orchestrator = Orchestrator(
        make_hostcap(tmp_path, source, NATIONAL_GRID),
        orchestration(watch_mode="poll", watch_poll_s=0.05, watch_quiet_s=BURST_QUIET_S),
        refresh,
    )
    assert orchestrator.status().watch.mode == "poll"

    with running(orchestrator):
        wait_for(lambda: refresh.triggers == ["watch"] and settled(orchestrator, 1), "the catch-up refresh")

        deliver_real(source, "national_grid/installed_der")
        planned = deliver_real(source, "national_grid/planned_der")
        wait_for(lambda: len(refresh.triggers) == 2 and settled(orchestrator, 2), "one refresh for the burst")

        deliver_real(source, "national_grid/installed_der")  # same bytes, new modification time
        wait_for(lambda: settled(orchestrator, 3), "the check of the re-delivery")
        assert len(refresh.triggers) == 2

        planned.unlink()
        wait_for(lambda: len(refresh.triggers) == 3 and settled(orchestrator, 4), "a refresh for the removal")
    assert refresh.triggers == ["watch"] * 3


# failures ---------------------------------------------------------------------------------------


def test_a_failing_refresh_is_logged_and_the_watcher_goes_on(tmp_path, real_dir, wait_for, caplog):
    source = tmp_path / "src"
    deliver_real(source, "national_grid/network")
    refresh = FakeRefresh(RuntimeError("the engine fell over"))
    orchestrator = Orchestrator(make_hostcap(tmp_path, source, NATIONAL_GRID), orchestration(), refresh)

    with caplog.at_level(logging.INFO, logger="hostcap.orchestration"), running(orchestrator):
        wait_for(lambda: settled(orchestrator, 1), "the failing refresh")
        assert orchestrator.status().last.outcome == "failed"
        assert "watch: the refresh failed; still watching" in caplog.text and "the engine fell over" in caplog.text

        deliver_real(source, "national_grid/installed_der")
        wait_for(lambda: settled(orchestrator, 2) and len(refresh.triggers) == 2, "the next refresh")
        assert orchestrator.status().last.outcome == "ran"


def test_a_refresh_that_fails_outright_is_in_the_history(tmp_path, real_dir, wait_for):
    class Broken(Hostcap):
        def refresh(self, progress=None, run_id=None, trigger="manual"):
            raise RuntimeError("no space left on device")

    source = tmp_path / "src"
    deliver_real(source, "national_grid/network")
    hostcap = make_hostcap(tmp_path, source, NATIONAL_GRID)
    orchestrator = Orchestrator(Broken(hostcap.settings), orchestration())
    with running(orchestrator):
        wait_for(lambda: settled(orchestrator, 1), "the failing refresh")
    (run,) = watch_runs(hostcap)
    assert run.status == "failed" and run.error == "RuntimeError: no space left on device" and run.finished_at


def test_a_corrupt_delivery_fails_its_refresh_and_the_next_delivery_refreshes(tmp_path, real_dir, wait_for):
    source = tmp_path / "src"
    copy_sample(source, NATIONAL_GRID)
    lenient = make_hostcap(tmp_path, source, NATIONAL_GRID)
    hostcap = Hostcap(lenient.settings.model_copy(update={"strict": True}))  # a failing source fails the refresh
    orchestrator = Orchestrator(hostcap, orchestration(watch_quiet_s=BURST_QUIET_S))

    with running(orchestrator):
        wait_for(lambda: len(watch_runs(hostcap)) == 1 and settled(orchestrator, 1), "the catch-up refresh", timeout_s=120)
        network = next((source / "national_grid" / "network").iterdir())
        deliver(network, b"Master_CDF,feeder_voltage\r\n36_01_00001,13.2\r\n")
        wait_for(lambda: len(watch_runs(hostcap)) == 2 and settled(orchestrator, 2), "the failing refresh", timeout_s=120)
        failed = watch_runs(hostcap)[-1]
        errors = {s.source: s.error for s in failed.sources}
        assert failed.status == "failed" and not failed.published and "required column" in errors["national_grid/network"]

        deliver(network, (REAL / REAL_FILES["national_grid/network"]).read_bytes())  # the good file, same name
        wait_for(lambda: len(watch_runs(hostcap)) == 3 and settled(orchestrator, 3), "the next refresh", timeout_s=120)
        assert watch_runs(hostcap)[-1].status == "succeeded"


def test_a_busy_lake_is_tried_again_when_it_is_free(tmp_path, wait_for):
    source = tmp_path / "src"
    copy_sample(source, ["national_grid/network"])
    hostcap = make_hostcap(tmp_path, source, ["national_grid/network"])
    orchestrator = Orchestrator(hostcap, orchestration())
    lock = RefreshLock(hostcap.lake, "20260101T000000Z-cli001").__enter__()
    try:
        with running(orchestrator):
            wait_for(lambda: orchestrator.status().last is not None, "the first attempt")
            assert orchestrator.status().last.outcome == "busy"
            lock.__exit__(None, None, None)
            wait_for(lambda: len(watch_runs(hostcap)) == 1 and settled(orchestrator, 2), "the retried refresh", timeout_s=120)
    finally:
        lock.__exit__(None, None, None)
    assert watch_runs(hostcap)[0].status == "succeeded"


# the schedule ------------------------------------------------------------------------------------


class FakeClock:
    """A clock the test moves; `looks` counts how often the scheduler looked at it while waiting."""

    def __init__(self, now: dt.datetime):
        self._now = now
        self._changed = threading.Condition()
        self.looks = 0

    def now(self) -> dt.datetime:
        with self._changed:
            return self._now

    def set(self, moment: dt.datetime) -> None:
        with self._changed:
            self._now = moment
            self._changed.notify_all()

    def wait_until(self, moment: dt.datetime, stop: threading.Event) -> bool:
        with self._changed:
            while self._now < moment and not stop.is_set():
                self.looks += 1
                self._changed.wait(0.02)
            return not stop.is_set()


def utc(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=dt.UTC)


def test_the_scheduler_fires_at_its_times_on_an_injected_clock(wait_for):
    clock = FakeClock(utc(2026, 1, 31, 12))
    fired: list[dt.datetime] = []
    scheduler = Scheduler(Schedule("0 6 1 * *"), lambda: fired.append(clock.now()), clock)
    assert scheduler.next_run == utc(2026, 2, 1, 6)
    scheduler.start()
    try:
        clock.set(utc(2026, 2, 1, 5, 59, 59))
        looks = clock.looks
        wait_for(lambda: clock.looks > looks + 1, "the scheduler to look at the clock")
        assert fired == []
        clock.set(utc(2026, 2, 1, 6))
        wait_for(lambda: scheduler.next_run == utc(2026, 3, 1, 6), "the next time")
        assert fired == [utc(2026, 2, 1, 6)]
    finally:
        scheduler.stop()


def test_a_scheduled_refresh_records_its_trigger(tmp_path, wait_for):
    source = tmp_path / "src"
    copy_sample(source, ["national_grid/network"])
    hostcap = make_hostcap(tmp_path, source, ["national_grid/network"])
    clock = FakeClock(utc(2026, 11, 30, 23))
    orchestrator = Orchestrator(hostcap, orchestration(schedule="0 6 1 * *"), watch=False, clock=clock)
    assert orchestrator.status().watch is None
    with running(orchestrator):
        clock.set(utc(2026, 12, 1, 6))
        wait_for(
            lambda: orchestrator.status().schedule.refreshes == 1 and not orchestrator.status().running,
            "the scheduled refresh",
            timeout_s=120,
        )
        status = orchestrator.status()
    (run_id,) = hostcap.lake.runs()
    report = hostcap.lake.read_report(run_id)
    assert report["trigger"] == "schedule" and report["status"] == "succeeded"
    assert status.schedule.next_run == "2027-01-01T06:00:00+00:00" and status.last.run_id == run_id


def test_a_short_schedule_fires_on_the_real_clock(tmp_path, wait_for):
    refresh = FakeRefresh()
    orchestrator = Orchestrator(
        make_hostcap(tmp_path, tmp_path / "src", ["national_grid/network"]),
        orchestration(schedule="* * * * * *"),  # every second (six fields: seconds last)
        refresh,
        watch=False,
    )
    with running(orchestrator):
        wait_for(lambda: refresh.triggers, "a scheduled refresh", timeout_s=5)
    assert set(refresh.triggers) == {"schedule"}


def test_schedule_settings_are_validated_and_can_be_turned_off():
    assert orchestration(schedule="off").cron() is None
    assert orchestration(schedule=" OFF ").cron() is None
    eastern = orchestration(schedule="0 6 1 * *", schedule_timezone="America/New_York").cron()
    first = eastern.next_after(utc(2026, 11, 29))
    assert first == dt.datetime(2026, 12, 1, 6, tzinfo=zoneinfo.ZoneInfo("America/New_York"))
    assert first.isoformat() == "2026-12-01T06:00:00-05:00"
    with pytest.raises(ValidationError, match="invalid cron expression '0 6 1 \\*'"):
        orchestration(schedule="0 6 1 *")
    with pytest.raises(ValidationError, match="unknown time zone 'Mars/Olympus'"):
        orchestration(schedule_timezone="Mars/Olympus")


def test_settings_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("HOSTCAP_SCHEDULE", "30 5 * * 1")
    monkeypatch.setenv("HOSTCAP_WATCH_QUIET_S", "2.5")
    monkeypatch.setenv("HOSTCAP_WATCH_MODE", "poll")
    settings = OrchestrationSettings()
    assert (settings.schedule, settings.watch_quiet_s, settings.watch_mode) == ("30 5 * * 1", 2.5, "poll")


# `hostcap watch` as a real process ------------------------------------------------------------------


def watch_process(hostcap: Hostcap, source: Path, **settings: str) -> subprocess.Popen:
    """`hostcap watch` over `source` as a real process, with `settings` in its environment; its
    output (both streams) piped."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("HOSTCAP_")}
    env |= {"HOSTCAP_WATCH_QUIET_S": str(QUIET_S), "HOSTCAP_SCHEDULE_TIMEZONE": "UTC", **settings}
    command = [
        sys.executable,
        "-c",
        "from hostcap.cli import app; app()",
        "watch",
        "--source",
        str(source),
        "--lake",
        hostcap.settings.lake_dir,
        "--config",
        str(hostcap.settings.config_dir),
        "--schedule",
        "0 6 1 * *",
    ]
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)


def signal_another_thread(pid: int, signum: int) -> None:
    """Send `signum` to a thread of process `pid` other than its main thread, one that does not
    block it. On Linux, kill() given a thread's id offers the signal to that thread first: what
    a busy machine does by chance with a signal sent to the process. A thread that ends
    meanwhile (a refresh's) is passed over."""
    for status in sorted(Path(f"/proc/{pid}/task").glob("*/status")):
        thread_id = int(status.parent.name)
        try:
            fields = dict(line.split(":", 1) for line in status.read_text().splitlines() if ":" in line)
            if thread_id != pid and not int(fields["SigBlk"], 16) & 1 << (signum - 1):
                os.kill(thread_id, signum)
                return
        except (FileNotFoundError, ProcessLookupError):
            continue
    raise AssertionError(f"no thread of process {pid} but its main one takes signal {signum}")


@contextmanager
def ended_by_then(process: subprocess.Popen) -> Iterator[subprocess.Popen]:
    """The process, killed when the block leaves it running (a failed wait, a missed signal)."""
    try:
        yield process
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()


def wait_for_watch_runs(wait_for, watcher: subprocess.Popen, hostcap: Hostcap, count: int, what: str) -> None:
    """Wait until the watcher, still running, has finished its `count`-th refresh."""
    wait_for(
        lambda: watcher.poll() is None and len(runs := watch_runs(hostcap)) == count and runs[-1].finished_at is not None,
        what,
        timeout_s=120,
    )


def test_hostcap_watch_refreshes_on_new_files_and_stops_on_sigterm(tmp_path, wait_for):
    source = tmp_path / "src"
    copy_sample(source, ["national_grid/network"])
    hostcap = make_hostcap(tmp_path, source, ["national_grid/network", "national_grid/installed_der"])
    watcher = watch_process(hostcap, source)
    try:
        wait_for_watch_runs(wait_for, watcher, hostcap, 1, "the catch-up refresh")
        copy_sample(source, ["national_grid/installed_der"])
        wait_for_watch_runs(wait_for, watcher, hostcap, 2, "the refresh of the new files")
    finally:
        watcher.send_signal(signal.SIGTERM)
        output = watcher.communicate(timeout=60)[0]
    assert watcher.returncode == 0, output
    # the first run had no installed DER file yet
    assert [run.status for run in watch_runs(hostcap)] == ["partial", "succeeded"]
    # a stop lets the release bundles being made after each publish finish (not abort the process in DuckDB)
    assert all(hostcap.lake.bundle(run.run_id) is not None for run in watch_runs(hostcap)), output
    assert "watching source files (file-system events)" in output
    assert "scheduled refreshes: 0 6 1 * * (UTC); next at " in output
    assert "refresh finished: run_id=" in output and "stopping" in output


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_hostcap_watch_stops_on_a_signal_another_thread_takes(tmp_path, wait_for, signum):
    """The main thread used to wait on a lock, which only a signal delivered to the main thread
    itself interrupts: a stop another thread took was never acted on, and the process ran on."""
    source = tmp_path / "src"
    copy_sample(source, ["national_grid/network"])
    hostcap = make_hostcap(tmp_path, source, ["national_grid/network"])
    with ended_by_then(watch_process(hostcap, source)) as watcher:
        wait_for_watch_runs(wait_for, watcher, hostcap, 1, "the catch-up refresh")
        signal_another_thread(watcher.pid, signum)
        output = watcher.communicate(timeout=30)[0]
    assert watcher.returncode == 0, output
    assert "stopping" in output


def test_a_second_signal_abandons_the_refresh_the_stop_waits_for(tmp_path, wait_for):
    """A refresh stuck on an upstream that takes the connection and never answers: the first
    SIGTERM waits for the refresh; a second signal, taken by another thread, ends the process.

    The second is sent once the first is acted on: two signals pending at once may be taken
    in either order (Linux hands the lower-numbered, SIGINT, out first), and the process then
    rightly names SIGTERM as the second."""
    with socket.create_server(("127.0.0.1", 0)) as upstream:  # never accepts: requests hang
        hostcap = live_hostcap(tmp_path, f"http://127.0.0.1:{upstream.getsockname()[1]}", ["coned/network"])
        source = Path(hostcap.settings.source_dir)
        source.mkdir()
        fetch = {"HOSTCAP_FETCH_BEFORE_REFRESH": "true", "HOSTCAP_FETCH_TIMEOUT_S": "600", "HOSTCAP_FETCH_RETRIES": "0"}
        with ended_by_then(watch_process(hostcap, source, **fetch)) as watcher:
            lines: list[str] = []
            reader = threading.Thread(target=lambda: lines.extend(watcher.stdout), daemon=True)
            reader.start()
            # its report says `running` from the start: before the configs load and the sources are fetched
            wait_for(lambda: watcher.poll() is None and hostcap.lake.runs(), "the refresh's report", timeout_s=120)
            watcher.send_signal(signal.SIGTERM)
            wait_for(lambda: any(line.startswith("stopping") for line in lines), "the first stop acted on", timeout_s=30)
            signal_another_thread(watcher.pid, signal.SIGINT)
            watcher.wait(timeout=30)
            reader.join(timeout=30)
            output = "".join(lines)
    assert watcher.returncode == 130, output
    assert "stopping (a running refresh finishes first" in output
    assert "SIGINT again: abandoning the running refresh" in output
    # abandoned while fetching: its report says so, though the refresh never got past the fetch
    [abandoned] = hostcap.lake.runs()
    assert read_run(hostcap.lake, abandoned)["status"] == "interrupted"


# the CLI and the README --------------------------------------------------------------------------


def test_hostcap_schedule_lists_the_next_times_and_rejects_a_bad_expression(monkeypatch):
    from typer.testing import CliRunner

    from hostcap.cli import app

    monkeypatch.delenv("HOSTCAP_SCHEDULE_TIMEZONE", raising=False)
    runner = CliRunner()
    shown = runner.invoke(app, ["schedule", "--schedule", "0 6 1 * *", "--count", "3"])
    assert shown.exit_code == 0, shown.output
    lines = shown.output.splitlines()
    assert lines[0] == "scheduled refreshes: 0 6 1 * * (UTC)"
    assert len(lines) == 4 and all(line.strip().endswith("-01T06:00:00+00:00") for line in lines[1:])
    assert runner.invoke(app, ["schedule", "--schedule", "off"]).output == "scheduled refreshes: off\n"
    bad = runner.invoke(app, ["schedule", "--schedule", "61 * * * *"])
    assert bad.exit_code == 2 and "invalid cron expression '61 * * * *'" in bad.stderr


def test_hostcap_watch_names_a_missing_source_directory(tmp_path):
    from typer.testing import CliRunner

    from hostcap.cli import app

    result = CliRunner().invoke(app, ["watch", "--source", str(tmp_path / "missing"), "--lake", str(tmp_path / "lake")])
    assert result.exit_code == 2 and f"the source directory {tmp_path / 'missing'} does not exist" in result.stderr


def test_every_orchestration_setting_and_command_is_in_the_readme():
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    for name in OrchestrationSettings.model_fields:
        assert f"`HOSTCAP_{name.upper()}`" in readme, name
    for text in ("`hostcap watch", "`hostcap schedule", "--watch", "`GET /v1/status`", "## Running unattended"):
        assert text in readme, text


# one refresh path: configs that fail to load -------------------------------------------------------


def test_a_watched_or_scheduled_refresh_whose_configs_fail_to_load_is_a_failed_run_in_the_lake(tmp_path, wait_for):
    source = tmp_path / "src"
    copy_sample(source, ["national_grid/network"])
    hostcap = make_hostcap(tmp_path, source, ["national_grid/network"])
    (Path(hostcap.settings.config_dir) / "national_grid" / "network.yaml").write_text("utility: [unclosed\n")
    clock = FakeClock(utc(2026, 11, 30, 23))
    orchestrator = Orchestrator(hostcap, orchestration(schedule="0 6 1 * *"), clock=clock)
    with running(orchestrator):
        # the watcher's start-up check cannot read the configs: it refreshes, and the run says why
        wait_for(lambda: orchestrator.status().watch.refreshes == 1 and not orchestrator.status().running, "the watch run")
        clock.set(utc(2026, 12, 1, 6))
        wait_for(lambda: orchestrator.status().schedule.refreshes == 1 and not orchestrator.status().running, "the schedule")
    reports = [hostcap.lake.read_report(run_id) for run_id in hostcap.lake.runs()]
    assert sorted(r["trigger"] for r in reports) == ["schedule", "watch"]
    for report in reports:
        assert report["status"] == "failed" and "network.yaml" in report["error"] and report["finished_at"]

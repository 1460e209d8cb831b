"""The one refresh runner of a process: the API (`POST /v1/refreshes`, `/refreshData`), the watcher
and the scheduler all start refreshes here, one at a time, through `Hostcap.refresh` (which loads
the configs inside its guarded run, so every attempt leaves its report in the lake).

A run started here is known in memory while it runs; when it ends, the `on_finished` callback runs
(the API's read model loads the new snapshot) before the run stops being "running", so a client
that sees it finished also sees its data. Finished runs are read from the lake, so `hostcap runs`
and `/v1/refreshes` agree, after a restart too.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from hostcap.core import Hostcap
from hostcap.errors import LakeError, RefreshBusy, describe
from hostcap.lake import Lake
from hostcap.lock import running_run
from hostcap.refresh import new_run_id
from hostcap.report import RefreshReport, Trigger
from hostcap.runs import read_run

log = logging.getLogger(__name__)


class Ran(Protocol):
    """How a refresh ended: its run ID and status."""

    run_id: str
    status: str


#: runs one refresh to its end; raises RefreshBusy when another refresh is running
RefreshFn = Callable[[Trigger], Ran]


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


@dataclass
class RunState:
    """A run this process started, as far as memory knows it."""

    run_id: str
    started_at: str
    trigger: Trigger = "api"
    status: str = "running"
    error: str | None = None

    def summary(self) -> dict:
        return {
            "run_id": self.run_id,
            "status": self.status,
            "trigger": self.trigger,
            "started_at": self.started_at,
            "error": self.error,
        }


class RefreshRunning(RefreshBusy):
    """A refresh was asked for while one is running (here, or in another process)."""

    def __init__(self, run_id: str | None, running: RunState | None = None):
        super().__init__(run_id, f"refresh {run_id or '(of another process)'} is running; wait for it to finish")
        self.run_id = run_id
        self.running = running


def summarize(report: dict) -> dict:
    """The headline of a refresh report."""
    keys = ("run_id", "status", "trigger", "started_at", "finished_at", "published", "duration_s", "error", "gold")
    return {key: report.get(key) for key in keys}


def record_failure(lake: Lake, run_id: str, trigger: Trigger, started_at: str, error: str) -> None:
    """Mark run `run_id` failed with `error`, whether or not it had written a report yet: the net
    under `Hostcap.refresh`, which reports its own failures, for one it could not report."""
    try:
        report = lake.read_report(run_id)
    except LakeError:
        report = RefreshReport(run_id=run_id, trigger=trigger, started_at=started_at).model_dump(mode="json")
    try:
        lake.write_report(run_id, {**report, "status": "failed", "error": error, "finished_at": _now()})
    except Exception:  # the lake itself may be what failed; the log still has it
        log.exception("recording the failure of run %s failed", run_id)


class Runner:
    """Starts this process's refreshes, one at a time, and knows the one running."""

    def __init__(self, hostcap: Hostcap, on_finished: Callable[[], None] | None = None):
        self.hostcap = hostcap
        self.on_finished = on_finished
        self._lock = threading.Lock()
        self._running: RunState | None = None
        #: runs announced here that never started: another process took the lake first
        self._unstarted: dict[str, RunState] = {}

    @property
    def running(self) -> RunState | None:
        return self._running

    def start(self, trigger: Trigger = "api") -> RunState:
        """Start a refresh in the background; raise RefreshRunning if one is running, in this
        process or another (such as `hostcap refresh`)."""
        state = self._claim(trigger)
        threading.Thread(target=self._run, args=(state,), name=f"refresh-{state.run_id}", daemon=True).start()
        return state

    def refresh(self, trigger: Trigger) -> RunState:
        """Run a refresh on the calling thread and return its final state (the watcher and the
        scheduler wait for theirs); raise RefreshRunning as `start` does."""
        state = self._claim(trigger)
        self._run(state)
        return state

    def _claim(self, trigger: Trigger) -> RunState:
        """Mark a new run as this process's running one, unless a refresh runs here or elsewhere."""
        with self._lock:
            if self._running is not None:
                raise RefreshRunning(self._running.run_id, self._running)
            elsewhere = running_run(self.hostcap.lake)
            if elsewhere is not None:
                raise RefreshRunning(elsewhere)
            state = RunState(new_run_id(), _now(), trigger)
            self._running = state
            return state

    def _run(self, state: RunState) -> None:
        log.info("refresh started: run_id=%s trigger=%s", state.run_id, state.trigger)
        unstarted = False
        try:
            report = self.hostcap.refresh(run_id=state.run_id, trigger=state.trigger)
            status, error = report.status, report.error
        except RefreshBusy as busy:  # another process took the lake between the claim and the lock
            status, error, unstarted = "failed", busy.message, True
        except Exception as exc:
            status, error = "failed", describe(exc)
            log.exception("refresh failed outside its guarded run: run_id=%s", state.run_id)
            record_failure(self.hostcap.lake, state.run_id, state.trigger, state.started_at, error)
        try:
            if self.on_finished is not None:
                self.on_finished()
        except Exception:
            log.exception("after refresh %s: the finish callback failed", state.run_id)
        finally:
            with self._lock:
                state.status, state.error = status, error
                if unstarted:
                    self._unstarted[state.run_id] = state
                self._running = None
            log.info("refresh finished: run_id=%s status=%s", state.run_id, status)

    def run(self, run_id: str) -> tuple[dict, dict | None] | None:
        """A run's summary and full report (None while it runs), or None for an unknown run."""
        with self._lock:
            running = self._running
            if running is not None and running.run_id == run_id:
                return running.summary(), None
            if run_id in self._unstarted:
                return self._unstarted[run_id].summary(), None
        try:
            report = read_run(self.hostcap.lake, run_id)
        except LakeError:
            return None
        return summarize(report), report

    def runs(self) -> list[dict]:
        """Every known run's summary, newest first (run IDs sort by start time)."""
        ids = set(self.hostcap.lake.runs()) | set(self._unstarted)
        running = self._running
        if running is not None:
            ids.add(running.run_id)
        found = (self.run(run_id) for run_id in sorted(ids, reverse=True))
        return [summary for summary, _ in filter(None, found)]

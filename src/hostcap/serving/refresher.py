"""Refreshes of the serving process: one at a time, never blocking reads. The API starts them in a
background thread; the watcher and scheduler of `serve --watch` run them on their own thread.

The run writes and publishes its snapshot as any refresh does; when it ends the store loads the
new snapshot and swaps it in, and only then does the run stop being "running", so a client that
sees it finished also sees its data. Runs' reports are read from the lake (every run writes one,
including runs of other processes); the run this process is running, and a run that failed
before it could write a report (a bad config, the lake busy), are known in memory.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from dataclasses import dataclass

from hostcap.core import Hostcap
from hostcap.errors import LakeError, RefreshBusy, describe
from hostcap.lock import running_run
from hostcap.refresh import new_run_id
from hostcap.report import Trigger
from hostcap.runs import read_run
from hostcap.serving.store import SnapshotStore

log = logging.getLogger(__name__)


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
            "run_id": self.run_id, "status": self.status, "trigger": self.trigger, "started_at": self.started_at,
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


class Refresher:
    def __init__(self, hostcap: Hostcap, store: SnapshotStore):
        self.hostcap = hostcap
        self.store = store
        self._lock = threading.Lock()
        self._running: RunState | None = None
        self._unreported: dict[str, RunState] = {}

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
            state = RunState(new_run_id(), dt.datetime.now(dt.UTC).isoformat(timespec="seconds"), trigger)
            self._running = state
            return state

    def _run(self, state: RunState) -> None:
        log.info("refresh started: run_id=%s trigger=%s", state.run_id, state.trigger)
        error = None
        try:
            status = self.hostcap.refresh(run_id=state.run_id, trigger=state.trigger).status
        except Exception as exc:  # a bad source config, the lake busy: the run wrote no report, so remember why
            status, error = "failed", describe(exc)
            log.exception("refresh failed before writing its report: run_id=%s", state.run_id)
        try:
            self.store.sync()
        except Exception:
            log.exception("loading the new snapshot failed: run_id=%s", state.run_id)
        finally:
            with self._lock:
                state.status, state.error = status, error
                if error is not None:
                    self._unreported[state.run_id] = state
                self._running = None
            log.info("refresh finished: run_id=%s status=%s", state.run_id, status)

    def run(self, run_id: str) -> tuple[dict, dict | None] | None:
        """A run's summary and full report (None while it runs), or None for an unknown run."""
        with self._lock:
            running = self._running
            if running is not None and running.run_id == run_id:
                return running.summary(), None
            if run_id in self._unreported:
                return self._unreported[run_id].summary(), None
        try:
            report = read_run(self.hostcap.lake, run_id)
        except LakeError:
            return None
        return summarize(report), report

    def runs(self) -> list[dict]:
        """Every known run's summary, newest first (run IDs sort by start time)."""
        ids = set(self.hostcap.lake.runs()) | set(self._unreported)
        running = self._running
        if running is not None:
            ids.add(running.run_id)
        found = (self.run(run_id) for run_id in sorted(ids, reverse=True))
        return [summary for summary, _ in filter(None, found)]

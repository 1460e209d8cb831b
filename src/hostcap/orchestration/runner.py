"""Running a refresh in this process for the watcher and the scheduler (`hostcap watch`).

A refresh that raises before its report says how it ended (a broken config, an unexpected error)
would otherwise leave no trace in `hostcap runs`: its failure is written as the run's report, so
unattended failures are in the history like any other run.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from typing import Protocol

from hostcap.core import Hostcap
from hostcap.errors import LakeError, RefreshBusy, describe
from hostcap.lake import Lake
from hostcap.refresh import new_run_id
from hostcap.report import RefreshReport, Trigger

log = logging.getLogger(__name__)



class Ran(Protocol):
    """How a refresh ended: a RefreshReport here, the API refresher's RunState in `serve --watch`."""

    run_id: str
    status: str


#: runs one refresh to its end; raises RefreshBusy when another refresh is running
RefreshFn = Callable[[Trigger], Ran]


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def record_failure(lake: Lake, run_id: str, trigger: Trigger, started_at: str, error: str) -> None:
    """Mark run `run_id` failed with `error`, whether or not it had written a report yet."""
    try:
        report = lake.read_report(run_id)
    except LakeError:
        report = RefreshReport(run_id=run_id, trigger=trigger, started_at=started_at).model_dump(mode="json")
    try:
        lake.write_report(run_id, {**report, "status": "failed", "error": error, "finished_at": _now()})
    except Exception:  # the lake itself may be what failed; the log still has it
        log.exception("recording the failure of run %s failed", run_id)


def refresh_here(hostcap: Hostcap) -> RefreshFn:
    """A refresh function over `hostcap` that records failures in the lake (RefreshBusy passes: the
    run never started)."""

    def refresh(trigger: Trigger) -> RefreshReport:
        run_id, started_at = new_run_id(), _now()
        try:
            return hostcap.refresh(run_id=run_id, trigger=trigger)
        except RefreshBusy:
            raise
        except Exception as exc:
            record_failure(hostcap.lake, run_id, trigger, started_at, describe(exc))
            raise

    return refresh

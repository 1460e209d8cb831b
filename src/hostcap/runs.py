"""Refresh runs' reports as readers should see them: a run whose process died reads `interrupted`.

A refresh writes its report as `running` once it holds the lake's refresh lock and writes it
again, finished, before it lets the lock go. So a report still saying `running` while the lock
is not held by that run belongs to a process that died (killed, crashed, the machine gone); the
next refresh records it as such (`hostcap.refresh`), and until then every reader (the CLI, the
API) shows it as `interrupted` through `read_run` rather than `running` forever.
"""

from __future__ import annotations

from hostcap.errors import LakeError
from hostcap.lake import Lake
from hostcap.lock import running_run

INTERRUPTED = "the refresh process ended before it finished"


def interrupted(report: dict) -> dict:
    """`report` marked as the report of a run whose process died."""
    return {**report, "status": "interrupted", "error": INTERRUPTED}


def read_run(lake: Lake, run_id: str) -> dict:
    """The report of run `run_id` (LakeError when there is none), `interrupted` if it says
    `running` but its process no longer holds the lock."""
    report = lake.read_report(run_id)
    if report["status"] != "running" or running_run(lake) == run_id:
        return report
    report = lake.read_report(run_id)  # it may have finished, and let the lock go, meanwhile
    return interrupted(report) if report["status"] == "running" else report


def recent_runs(lake: Lake, last: int) -> list[dict]:
    """The reports of the `last` most recent runs, newest first (one pruned meanwhile is left out)."""
    found = []
    for run_id in reversed(lake.runs()[-last:] if last > 0 else []):
        try:
            found.append(read_run(lake, run_id))
        except LakeError:
            continue
    return found

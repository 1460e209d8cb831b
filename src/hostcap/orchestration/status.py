"""What the watcher and the scheduler are doing, as `hostcap watch` prints it and `/v1/status` serves it."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from hostcap.report import Trigger

Outcome = Literal["ran", "unchanged", "busy", "failed"]


class LastAttempt(BaseModel):
    """The most recent time the watcher or the scheduler acted."""

    trigger: Trigger = Field(description="`watch` (source files changed) or `schedule`.", examples=["watch"])
    at: str = Field(description="When (UTC, ISO 8601).", examples=["2026-12-01T06:00:00+00:00"])
    outcome: Outcome = Field(
        description="`ran` (a refresh ran to its end: `run_id` and its `status`), `unchanged` (files were "
        "touched or delivered again with the same content: nothing to do), `busy` (another refresh was running: "
        "tried again when it ends), `failed` (reading the sources or the refresh raised; logged, and the runs' "
        "history says why).",
        examples=["ran"],
    )
    run_id: str | None = Field(None, description="The refresh run it started, if any.", examples=["20261201T060000Z-1f2e3d"])
    status: str | None = Field(None, description="That run's final status.", examples=["succeeded"])


class WatchStatus(BaseModel):
    """The source watcher: a burst of changes starts one refresh once it has been quiet for `quiet_s`."""

    mode: Literal["events", "poll"] = Field(description="File-system `events`, or `poll`ing the listing.", examples=["events"])
    quiet_s: float = Field(description="Seconds of quiet that end a burst of changes.", examples=[5.0])
    poll_s: float | None = Field(description="Seconds between listings when polling; null with events.", examples=[None])
    changes_noticed: int = Field(description="File events or listing changes noticed since start.", examples=[15])
    checks: int = Field(description="Content checks made (one per quiet burst, and one at start).", examples=[2])
    refreshes: int = Field(description="Refreshes the watcher started.", examples=[1])
    pending: bool = Field(
        description="A burst is waiting for its quiet period, or for a running refresh to end.", examples=[False]
    )


class ScheduleStatus(BaseModel):
    """Scheduled refreshes."""

    expression: str = Field(description="The cron expression (`HOSTCAP_SCHEDULE`).", examples=["0 6 1 * *"])
    timezone: str = Field(description="The zone it is read in.", examples=["UTC"])
    next_run: str | None = Field(
        description="The next scheduled refresh (ISO 8601, in that zone).", examples=["2026-12-01T06:00:00+00:00"]
    )
    refreshes: int = Field(description="Scheduled refreshes run since start.", examples=[0])


class OrchestrationStatus(BaseModel):
    """Unattended refreshes: the watcher, the schedule, and what happened last."""

    watch: WatchStatus | None = Field(description="Null when source files are not watched.")
    schedule: ScheduleStatus | None = Field(description="Null when the schedule is off.")
    running: bool = Field(description="The watcher or the scheduler is running a refresh now.", examples=[False])
    last: LastAttempt | None = Field(description="The last action; null before the first.")

    def lines(self) -> list[str]:
        """What a person starting `hostcap watch` or `serve --watch` should know, one fact a line."""
        watch, schedule = self.watch, self.schedule
        if watch is None:
            said = ["source files: not watched"]
        elif watch.mode == "events":
            said = [
                f"watching source files (file-system events); a burst of changes refreshes once after {watch.quiet_s:g} s of quiet"
            ]
        else:
            said = [
                f"watching source files (listing every {watch.poll_s:g} s); a burst of changes refreshes once after {watch.quiet_s:g} s of quiet"
            ]
        if schedule is None:
            said.append("scheduled refreshes: off")
        else:
            said.append(f"scheduled refreshes: {schedule.expression} ({schedule.timezone}); next at {schedule.next_run}")
        return said

"""The orchestrator: one worker thread that runs the refreshes the watcher and the scheduler ask for.

The watcher only notices changes and the scheduler only tells the time; both hand their request to
the worker, which runs one thing at a time. A burst of changes pushes the watch request back until
it has been quiet for `watch_quiet_s`, then one content check decides whether to refresh. When
another refresh holds the lake (the API's, `hostcap refresh`), the request waits and is tried
again. Whatever a check or a refresh raises is logged and kept in the status; the worker goes on.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time

from hostcap.core import Hostcap
from hostcap.errors import ConfigError, RefreshBusy
from hostcap.orchestration.changes import ContentKey, Fingerprints
from hostcap.orchestration.runner import RefreshFn, Runner
from hostcap.orchestration.schedule import Clock, Scheduler
from hostcap.orchestration.settings import OrchestrationSettings
from hostcap.orchestration.status import LastAttempt, OrchestrationStatus, Outcome, ScheduleStatus, WatchStatus
from hostcap.orchestration.watcher import SourceWatch, watch_source
from hostcap.report import Trigger

log = logging.getLogger(__name__)


class Orchestrator:
    """Watches the sources (when `watch`) and follows the schedule (when one is set).

    `refresh` runs one refresh to its end (default: in this process); `clock` drives the schedule.
    """

    def __init__(
        self,
        hostcap: Hostcap,
        settings: OrchestrationSettings,
        refresh: RefreshFn | None = None,
        watch: bool = True,
        clock: Clock | None = None,
    ):
        self.settings = settings
        self.refresh = refresh or Runner(hostcap).refresh
        self.content = ContentKey(hostcap) if watch else None
        self.source_watch: SourceWatch | None = None
        if watch:
            self.source_watch = watch_source(hostcap.sources(), settings.watch_mode, settings.watch_poll_s, self.notice)
        schedule = settings.cron()
        self.scheduler = Scheduler(schedule, self._scheduled, clock) if schedule else None
        self._cond = threading.Condition()
        self._due: dict[Trigger, float] = {}  # request → monotonic time it is due
        self._stopping = False
        self._running = False
        self._counts = {"changes": 0, "checks": 0, "watch": 0, "schedule": 0}
        self._last: LastAttempt | None = None
        self._worker = threading.Thread(target=self._work, name="orchestrator", daemon=True)

    # lifecycle ---------------------------------------------------------------------------------

    def start(self) -> None:
        """Start working. A watcher checks the content once straight away, so files that changed
        while nothing watched them are refreshed now rather than at their next change."""
        if self.content is not None:
            self._request("watch", 0.0)
        self._worker.start()
        if self.source_watch is not None:
            self.source_watch.start()
        if self.scheduler is not None:
            self.scheduler.start()

    def stop(self) -> None:
        """Stop watching and scheduling; a refresh in progress finishes first."""
        if self.source_watch is not None:
            self.source_watch.stop()
        if self.scheduler is not None:
            self.scheduler.stop()
        with self._cond:
            self._stopping = True
            self._cond.notify_all()
        if self._worker.is_alive():
            self._worker.join()

    # requests ----------------------------------------------------------------------------------

    def notice(self) -> None:
        """Something changed under the source location: act once it has been quiet for a while."""
        with self._cond:
            self._counts["changes"] += 1
            self._due["watch"] = time.monotonic() + self.settings.watch_quiet_s
            self._cond.notify_all()

    def _scheduled(self) -> None:
        self._request("schedule", 0.0)

    def _request(self, trigger: Trigger, delay_s: float) -> None:
        """Ask for `trigger` in `delay_s` seconds (never earlier than it was already asked for)."""
        with self._cond:
            self._due[trigger] = max(self._due.get(trigger, 0.0), time.monotonic() + delay_s)
            self._cond.notify_all()

    def _next(self) -> Trigger | None:
        """Wait for the earliest due request and take it; None once stopping."""
        with self._cond:
            while not self._stopping:
                if not self._due:
                    self._cond.wait()
                    continue
                trigger = min(self._due, key=self._due.__getitem__)
                left = self._due[trigger] - time.monotonic()
                if left <= 0:
                    del self._due[trigger]
                    self._running = True
                    return trigger
                self._cond.wait(left)
            return None

    # work --------------------------------------------------------------------------------------

    def _work(self) -> None:
        while (trigger := self._next()) is not None:
            try:
                self._attempt(trigger)
            finally:
                with self._cond:
                    self._running = False

    def _attempt(self, trigger: Trigger) -> None:
        try:
            fingerprints = self._fingerprints(trigger)
        except ConfigError as broken:
            # not a reason to skip: the refresh loads the configs too, and its report records why they fail
            log.error("%s: the source configs do not load: %s; refreshing records it", trigger, broken.message)
            fingerprints, compare = None, False
        else:
            compare = trigger == "watch"
        if compare:
            if fingerprints is None:
                self._done(trigger, "failed")
                return
            if not self.content.differs(fingerprints):
                log.info("watch: no source content changed (files touched or delivered again): nothing to refresh")
                self._done(trigger, "unchanged")
                return
            log.info("watch: source content changed: starting a refresh")
        else:
            log.info("%s: starting a refresh", trigger)
        try:
            ran = self.refresh(trigger)
        except RefreshBusy as busy:
            log.info("%s: %s; trying again in %.1f s", trigger, busy.message, self.settings.watch_quiet_s)
            self._request(trigger, self.settings.watch_quiet_s)
            self._done(trigger, "busy")
            return
        except Exception:
            log.exception("%s: the refresh failed; still %s", trigger, "watching" if self.content else "scheduled")
            self._remember(fingerprints)
            self._done(trigger, "failed", started=True)
            return
        self._remember(fingerprints)
        log.info("%s: refresh finished: run_id=%s status=%s", trigger, ran.run_id, ran.status)
        self._done(trigger, "ran", ran.run_id, ran.status, started=True)

    def _fingerprints(self, trigger: Trigger) -> Fingerprints | None:
        """The source content now, when watching. None when not watching, or when reading it failed
        (logged): a watch request then waits for the next change, a scheduled refresh runs anyway.
        Raises ConfigError when the configs do not load."""
        if self.content is None:
            return None
        if trigger == "watch":
            with self._cond:
                self._counts["checks"] += 1
        try:
            return self.content.current()
        except ConfigError:
            raise
        except Exception:
            log.exception("%s: reading the source files failed", trigger)
            return None

    def _remember(self, fingerprints: Fingerprints | None) -> None:
        if self.content is not None and fingerprints is not None:
            self.content.refreshed = fingerprints

    def _done(
        self, trigger: Trigger, outcome: Outcome, run_id: str | None = None, status: str | None = None, started: bool = False
    ) -> None:
        at = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        with self._cond:
            if started:
                self._counts[trigger] += 1
            self._last = LastAttempt(trigger=trigger, at=at, outcome=outcome, run_id=run_id, status=status)

    # status ------------------------------------------------------------------------------------

    def status(self) -> OrchestrationStatus:
        with self._cond:
            counts, last, running, pending = dict(self._counts), self._last, self._running, "watch" in self._due
        watch = schedule = None
        if self.source_watch is not None:
            polling = self.source_watch.mode == "poll"
            watch = WatchStatus(
                mode=self.source_watch.mode,
                quiet_s=self.settings.watch_quiet_s,
                poll_s=self.settings.watch_poll_s if polling else None,
                changes_noticed=counts["changes"],
                checks=counts["checks"],
                refreshes=counts["watch"],
                pending=pending,
            )
        if self.scheduler is not None:
            next_run = self.scheduler.next_run
            schedule = ScheduleStatus(
                expression=self.scheduler.schedule.expression,
                timezone=self.settings.schedule_timezone,
                next_run=next_run.isoformat() if next_run else None,
                refreshes=counts["schedule"],
            )
        return OrchestrationStatus(watch=watch, schedule=schedule, running=running, last=last)

"""Scheduled refreshes: a cron expression (parsed and stepped by cronsim) and the thread that waits
for its next time.

Time comes from a `Clock`, so tests can move it instead of waiting for a real first-of-the-month.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable
from typing import Protocol

from cronsim import CronSim, CronSimError

log = logging.getLogger(__name__)


class Schedule:
    """A cron expression read in one time zone; raises ValueError when the expression is invalid."""

    def __init__(self, expression: str, timezone: dt.tzinfo = dt.UTC):
        self.expression = expression
        self.timezone = timezone
        try:
            CronSim(expression, dt.datetime.now(timezone))
        except CronSimError as exc:
            raise ValueError(f"invalid cron expression {expression!r}: {exc}") from None

    def next_after(self, moment: dt.datetime) -> dt.datetime:
        """The first time strictly after `moment` (an aware datetime), in the schedule's zone."""
        return next(CronSim(self.expression, moment.astimezone(self.timezone)))

    def upcoming(self, moment: dt.datetime, count: int) -> list[dt.datetime]:
        """The next `count` times after `moment`."""
        times = CronSim(self.expression, moment.astimezone(self.timezone))
        return [next(times) for _ in range(count)]


class Clock(Protocol):
    """Where the scheduler gets the time from and how it waits for a moment."""

    def now(self) -> dt.datetime: ...

    def wait_until(self, moment: dt.datetime, stop: threading.Event) -> bool:
        """Return True once `moment` has come, False as soon as `stop` is set."""
        ...


class SystemClock:
    """The wall clock. It waits in steps of at most a minute and looks at the time again after each,
    so a machine that slept, or a clock that was set, still fires at the right time."""

    step_s = 60.0

    def now(self) -> dt.datetime:
        return dt.datetime.now(dt.UTC)

    def wait_until(self, moment: dt.datetime, stop: threading.Event) -> bool:
        while (left := (moment - self.now()).total_seconds()) > 0:
            if stop.wait(min(left, self.step_s)):
                return False
        return not stop.is_set()


class Scheduler:
    """Calls `fire` at every time of the schedule, from a daemon thread, until stopped.

    `fire` should only hand the work over (the orchestrator queues a refresh), so a long refresh
    never makes the scheduler miss or drift from its next time.
    """

    def __init__(self, schedule: Schedule, fire: Callable[[], None], clock: Clock | None = None):
        self.schedule = schedule
        self.fire = fire
        self.clock = clock or SystemClock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="refresh-schedule", daemon=True)
        self._plan(self.clock.now())

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()

    def _plan(self, after: dt.datetime) -> None:
        self.next_run: dt.datetime = self.schedule.next_after(after)
        log.info("next scheduled refresh: %s", self.next_run.isoformat())

    def _loop(self) -> None:
        while self.clock.wait_until(self.next_run, self._stop):
            self.fire()
            self._plan(max(self.clock.now(), self.next_run))

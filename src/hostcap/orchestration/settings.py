"""Settings of unattended refreshes, from `HOSTCAP_*` environment variables read when a command starts."""

from __future__ import annotations

import zoneinfo
from typing import Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from hostcap.orchestration.schedule import Schedule

#: what turns the schedule off
OFF = ("", "off", "none")


class OrchestrationSettings(BaseSettings):
    """When to refresh without being asked: on a cron schedule, and when source files change."""

    # the other HOSTCAP_* variables are the project's and the API's, so unknown names are ignored here
    model_config = SettingsConfigDict(env_prefix="HOSTCAP_", extra="ignore")

    schedule: str = Field(
        "0 6 1 * *",
        description="Cron expression of scheduled refreshes (5 fields, or 6 with seconds last); `off` turns "
        "them off. Default: 06:00 on the first of each month.",
    )
    schedule_timezone: str = Field("UTC", description="IANA time zone the schedule is read in, e.g. America/New_York.")
    watch_mode: Literal["auto", "events", "poll"] = Field(
        "auto",
        description="How the watcher notices changed source files: `events` (file-system events, local "
        "directories), `poll` (list the source location every `watch_poll_s`), `auto` (events for a local "
        "directory, polling otherwise).",
    )
    watch_quiet_s: float = Field(
        5.0, gt=0, description="Seconds without a further change before the watcher acts on a burst of changes."
    )
    watch_poll_s: float = Field(60.0, gt=0, description="Seconds between listings of the source location when polling.")

    @field_validator("schedule_timezone")
    @classmethod
    def _known_zone(cls, name: str) -> str:
        try:
            zoneinfo.ZoneInfo(name)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {name!r}") from None
        return name

    @field_validator("schedule")
    @classmethod
    def _valid_cron(cls, expression: str) -> str:
        expression = expression.strip()
        if expression.lower() not in OFF:
            Schedule(expression)  # raises ValueError naming what is wrong
        return expression

    def cron(self) -> Schedule | None:
        """The schedule, or None when it is off."""
        if self.schedule.lower() in OFF:
            return None
        return Schedule(self.schedule, zoneinfo.ZoneInfo(self.schedule_timezone))

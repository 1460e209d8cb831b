"""The server's unattended refreshes: watcher, schedule, and the refresh running now."""

from __future__ import annotations

from pydantic import BaseModel, Field

from hostcap.api.schemas.common import Meta
from hostcap.orchestration import OrchestrationStatus


class ServiceStatus(OrchestrationStatus):
    """What refreshes this server runs by itself, and what it is doing now."""

    refresh_running: str | None = Field(
        description="Run ID of the refresh this server is running (started by the API, the watcher or the schedule), if any.",
        examples=[None],
    )
    fallback: str | None = Field(
        None,
        description="Why the snapshot served is not the published one (it, or the pointer to it, is damaged; "
        "the newest intact snapshot is served until a refresh repairs the lake); null when it is.",
        examples=[None],
    )


class StatusPublic(BaseModel):
    """The server's refresh status."""

    data: ServiceStatus = Field(description="Watcher, schedule and running refresh.")
    meta: Meta | None = Field(description="The snapshot being served; null before the first publish.")

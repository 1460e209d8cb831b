"""Liveness and readiness."""

from __future__ import annotations

from pydantic import BaseModel, Field


class Health(BaseModel):
    """The process answers."""

    status: str = Field(description="Always `ok`.", examples=["ok"])


class Readiness(BaseModel):
    """Whether the API has a published snapshot loaded and answers data requests."""

    status: str = Field(description="`ready`.", examples=["ready"])
    snapshot: str = Field(description="The snapshot being served.", examples=["20261129T051011Z-7ab04c"])
    published_at: str | None = Field(description="When it was published (UTC).", examples=["2026-11-29T05:10:47+00:00"])
    refresh_running: str | None = Field(description="Run ID of a refresh in progress, if any.", examples=[None])
    fallback: str | None = Field(
        None,
        description="Why the snapshot served is not the published one (the published snapshot, or the pointer "
        "to it, is damaged: the newest intact snapshot is served until a refresh repairs the lake); null when "
        "it is the published one.",
        examples=[None],
    )

"""Refresh runs: starting one, and what past and running runs did."""

from __future__ import annotations

from pydantic import BaseModel, Field

from hostcap.api.schemas.common import Meta
from hostcap.report import RefreshReport, RunStatus, Trigger

RUN_ID_EXAMPLE = "20261129T051011Z-7ab04c"


class RefreshSummary(BaseModel):
    """A refresh run's headline."""

    run_id: str = Field(description="Run ID, also the ID of the snapshot the run writes.", examples=[RUN_ID_EXAMPLE])
    status: RunStatus = Field(
        description="`running`; `succeeded`; `partial` (some sources failed, the rest was published); `failed` "
        "(nothing published); `unchanged` (no source changed: nothing new to publish); `interrupted` (the "
        "refresh process ended before it finished).",
        examples=["succeeded"],
    )
    trigger: Trigger | None = Field(
        None, description="What started the run: `manual` (CLI), `api`, `watch` or `schedule`.", examples=["api"]
    )
    started_at: str | None = Field(
        None, description="When the run started (UTC, ISO 8601).", examples=["2026-11-29T05:10:11+00:00"]
    )
    finished_at: str | None = Field(
        None, description="When it finished (UTC); null while running.", examples=["2026-11-29T05:10:47+00:00"]
    )
    published: bool | None = Field(None, description="Whether it published its snapshot; null while running.", examples=[True])
    duration_s: float | None = Field(None, description="Run time in seconds.", examples=[36.2])
    error: str | None = Field(None, description="Why the run failed, when it did.", examples=[None])
    gold: dict[str, int] | None = Field(
        None,
        description="Rows per gold table it built.",
        examples=[{"feeders": 51, "feeder_segments": 4004, "substations": 3, "ders": 968}],
    )


class RefreshStarted(BaseModel):
    """The run a refresh request started."""

    data: RefreshSummary = Field(description="The new run (status `running`).")
    meta: Meta | None = Field(description="The snapshot served while the run works; null before the first publish.")


class RefreshesPublic(BaseModel):
    """Refresh runs, newest first."""

    data: list[RefreshSummary] = Field(description="Every run the lake and this server know, newest first.")
    count: int = Field(description="Number of runs.", examples=[3])
    meta: Meta | None = Field(description="The snapshot being served; null before the first publish.")


class RefreshDetail(BaseModel):
    """One run: its headline and, once it has written it, its full report."""

    data: RefreshSummary = Field(description="The run's headline.")
    report: RefreshReport | None = Field(
        description="The run's report: per source and layer, status, rows in / loaded / quarantined / excluded, "
        "durations and errors; and the checks on gold. Null while the run is going."
    )
    meta: Meta | None = Field(description="The snapshot being served; null before the first publish.")

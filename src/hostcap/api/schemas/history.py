"""Feeder and DER history: one point per publish, and a DER record's status transitions."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, Field

from hostcap.api.schemas.common import SNAPSHOT_EXAMPLE
from hostcap.api.schemas.feeders import FeederId, HcaRefreshDate, NativeFeederId, Utility
from hostcap.registry.models import described

Snapshot = Field(description="The snapshot published (a rollback publishes an earlier one again).", examples=[SNAPSHOT_EXAMPLE])
PublishedAt = Field(description="When it was published (UTC, ISO 8601).", examples=["2026-11-29T05:10:47+00:00"])


class HistoryMeta(BaseModel):
    """How far the history reaches (HOSTCAP_HISTORY_MONTHS bounds it)."""

    entries: int = Field(description="Publishes recorded in the history.", examples=[24])
    oldest: str | None = Field(description="When the oldest recorded publish was made.", examples=["2024-12-01T05:00:00+00:00"])
    newest: str | None = Field(description="When the newest recorded publish was made.", examples=["2026-11-29T05:10:47+00:00"])


class FeederPoint(BaseModel):
    """The feeder as one publish served it."""

    snapshot: str = Snapshot
    published_at: str | None = PublishedAt
    max_hc_mw: float | None = described("feeders", "max_hc_mw")
    min_hc_mw: float | None = described("feeders", "min_hc_mw")
    installed_der_count: int = described("feeders", "installed_der_count")
    installed_der_mw: float = described("feeders", "installed_der_mw")
    planned_der_count: int = described("feeders", "planned_der_count")
    planned_der_mw: float = described("feeders", "planned_der_mw")
    headroom_after_queue_mw: float | None = described("feeders", "headroom_after_queue_mw")
    hca_refresh_date: HcaRefreshDate
    der_data_date: dt.date | None = described("feeders", "der_data_date")


class FeederHistory(BaseModel):
    """One feeder's values at every recorded publish that had it, oldest first."""

    feeder_id: FeederId
    native_feeder_id: NativeFeederId
    utility: Utility
    points: list[FeederPoint] = Field(description="One per publish in which the feeder was present, oldest first.")


class FeederHistoryPublic(BaseModel):
    """A feeder's history and how far the history reaches."""

    data: FeederHistory = Field(description="The feeder's values per publish.")
    meta: HistoryMeta = Field(description="How far the history reaches.")


class DerStatus(BaseModel):
    """A status the record moved to, and the publish that first showed it."""

    snapshot: str = Snapshot
    published_at: str | None = PublishedAt
    status: str | None = Field(
        description="`planned` (applied or in the queue), `installed` or `withdrawn`; null: the record left the published data.",
        examples=["installed"],
    )


class DerChange(BaseModel):
    """The record's tracked values as of a publish that changed any of them."""

    snapshot: str = Snapshot
    published_at: str | None = PublishedAt
    present: bool = Field(description="False: the record left the published data at this publish.", examples=[True])
    feeder_id: str | None = Field(
        description="Canonical ID of the feeder it is on.", examples=["a49b36cff7e6b07de4c070043c8322fd"]
    )
    status: str | None = Field(description="`installed`, `planned` or `withdrawn`.", examples=["planned"])
    nameplate_kw: float | None = described("ders", "nameplate_kw")
    application_date: dt.date | None = described("ders", "application_date")
    queue_date: dt.date | None = described("ders", "queue_date")
    planned_in_service_date: dt.date | None = described("ders", "planned_in_service_date")
    completion_date: dt.date | None = described("ders", "completion_date")


class DerHistory(BaseModel):
    """One DER record's status moves and value changes, oldest first."""

    der_id: str = described("ders", "der_id")
    native_der_id: str = described("ders", "native_der_id")
    utility: Utility
    statuses: list[DerStatus] = Field(description="Status transitions: a publish whose status differs from the one before.")
    changes: list[DerChange] = Field(description="Every publish that changed a tracked value.")


class DerHistoryPublic(BaseModel):
    """A DER record's history and how far the history reaches."""

    data: DerHistory = Field(description="The record's status moves and value changes.")
    meta: HistoryMeta = Field(description="How far the history reaches.")

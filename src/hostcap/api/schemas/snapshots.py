"""Published snapshots kept in the lake."""

from __future__ import annotations

from pydantic import BaseModel, Field

from hostcap.api.schemas.common import SNAPSHOT_EXAMPLE, Meta


class SnapshotPublic(BaseModel):
    """A published snapshot kept for history, diffs and rollback."""

    snapshot: str = Field(description="Snapshot ID (the refresh run that built it).", examples=[SNAPSHOT_EXAMPLE])
    published_at: str | None = Field(
        description="When it was (last) published (UTC, ISO 8601).", examples=["2026-11-29T05:10:47+00:00"]
    )
    served: bool = Field(description="Whether this is the snapshot the API serves.", examples=[True])


class SnapshotsPublic(BaseModel):
    """Published snapshots, most recently published first."""

    data: list[SnapshotPublic] = Field(description="Kept snapshots, most recently published first.")
    count: int = Field(description="Number of snapshots.", examples=[3])
    meta: Meta = Field(description="The snapshot being served.")

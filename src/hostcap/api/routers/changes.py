"""`/v1/changes`: what changed between an earlier snapshot and the served one.

Answered from the two snapshots' gold files in the lake (not from memory): a diff is an occasional
analytical question, not a hot path.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field

from hostcap.api import openapi
from hostcap.api.deps import served_snapshot
from hostcap.api.params import SNAPSHOT_ID
from hostcap.api.schemas.refreshes import RUN_ID_EXAMPLE
from hostcap.diff import SnapshotDiff

router = APIRouter(prefix="/v1/changes", tags=["changes"])


class ChangesPublic(SnapshotDiff):
    counts: dict[str, int] = Field(description="How many of each kind of change.", examples=[{"ders_new": 12}])
    meta: dict = Field(description="The served snapshot.", examples=[{"snapshot": RUN_ID_EXAMPLE}])


class _Since(BaseModel):
    since: str = Field(pattern=SNAPSHOT_ID, description="An earlier snapshot (see `hostcap snapshots`).", examples=[RUN_ID_EXAMPLE])


@router.get(
    "",
    response_model=ChangesPublic,
    responses={
        404: openapi.problem("The snapshot is not in the lake (see `hostcap snapshots`)."),
        **openapi.VALIDATION,
        **openapi.NO_SNAPSHOT,
    },
    summary="What changed since a snapshot",
)
def changes(request: Request, query: Annotated[_Since, Query()]) -> ChangesPublic:
    """Feeders added and removed, `max_hc_mw` changes, DER that went from planned to installed,
    and new, withdrawn and removed DER, from `since` to the served snapshot. (A plain `def`: it
    reads files, so FastAPI runs it in a worker thread and the event loop keeps serving.)"""
    snapshot = served_snapshot(request)
    diff = request.app.state.hostcap.diff(query.since, snapshot.id)
    return ChangesPublic(**diff.model_dump(), counts=diff.change_counts(), meta=snapshot.meta)

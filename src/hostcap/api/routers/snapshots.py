"""`/v1/snapshots`: the published snapshots the lake keeps, e.g. to pick one for `/v1/changes`."""

from __future__ import annotations

from fastapi import APIRouter, Request

from hostcap.api import openapi
from hostcap.api.deps import served_snapshot
from hostcap.api.schemas.snapshots import SnapshotPublic, SnapshotsPublic

router = APIRouter(prefix="/v1/snapshots", tags=["changes"])


@router.get("", response_model=SnapshotsPublic, responses=openapi.NO_SNAPSHOT, summary="List published snapshots")
def list_snapshots(request: Request) -> SnapshotsPublic:
    """The published snapshots kept for history, most recently published first (as `hostcap
    snapshots`); `served` marks the one answering. The entry after the served one is the snapshot
    published before it: `GET /v1/changes?since=<it>` says what the latest publish changed. (A
    plain `def`: it reads the lake's history file, so FastAPI runs it in a worker thread.)"""
    snapshot = served_snapshot(request)
    history = reversed(request.app.state.hostcap.lake.history())
    data = [SnapshotPublic(**item, served=item["snapshot"] == snapshot.id) for item in history]
    return SnapshotsPublic(data=data, count=len(data), meta=snapshot.meta)

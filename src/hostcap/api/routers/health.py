"""Liveness and readiness probes."""

from __future__ import annotations

from fastapi import APIRouter

from hostcap.api import openapi
from hostcap.api.deps import RefresherDep, SnapshotDep, StoreDep
from hostcap.api.schemas.health import Health, Readiness

router = APIRouter(tags=["health"])


@router.get("/healthz", response_model=Health, summary="Liveness")
async def healthz() -> Health:
    """200 while the process answers, snapshot or not."""
    return Health(status="ok")


@router.get("/readyz", response_model=Readiness, responses=openapi.NO_SNAPSHOT, summary="Readiness")
async def readyz(snapshot: SnapshotDep, refresher: RefresherDep, store: StoreDep) -> Readiness:
    """200 once a snapshot is loaded (data endpoints answer); 503 before. `fallback` says when the
    snapshot served stands in for a damaged published one."""
    running = refresher.running
    return Readiness(
        status="ready",
        snapshot=snapshot.id,
        published_at=snapshot.published_at,
        refresh_running=None if running is None else running.run_id,
        fallback=store.fallback,
    )

"""`/v1/status`: the watcher, the schedule (its next run) and the refresh running now."""

from __future__ import annotations

from fastapi import APIRouter, Request

from hostcap.api.deps import RefresherDep, StoreDep
from hostcap.api.schemas.status import ServiceStatus, StatusPublic
from hostcap.orchestration import OrchestrationStatus

router = APIRouter(prefix="/v1/status", tags=["status"])

#: a server started without orchestration (`create_app` without it) neither watches nor schedules
_NOTHING = OrchestrationStatus(watch=None, schedule=None, running=False, last=None)


@router.get("", response_model=StatusPublic, summary="Watcher, schedule and running refresh")
def get_status(request: Request, refresher: RefresherDep, store: StoreDep) -> StatusPublic:
    """Whether the server watches the source files (`hostcap serve --watch`) and what it saw, the
    refresh schedule and its next run, the last unattended refresh, the refresh running now, and
    whether the snapshot served stands in for a damaged published one (`fallback`). Answers before
    the first publish too (`meta` is null then)."""
    orchestrator = request.app.state.orchestrator
    status = orchestrator.status() if orchestrator is not None else _NOTHING
    running = refresher.running
    snapshot = store.current
    return StatusPublic(
        data=ServiceStatus(
            **status.model_dump(), refresh_running=None if running is None else running.run_id, fallback=store.fallback
        ),
        meta=None if snapshot is None else snapshot.meta,
    )

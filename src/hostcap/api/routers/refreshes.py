"""`/v1/refreshes`: start a refresh, and the runs' reports. Protected by the API key when one is set."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import JSONResponse

from hostcap.api import openapi
from hostcap.api.deps import STATE_CHANGE, RefresherDep
from hostcap.api.params import SNAPSHOT_ID
from hostcap.api.problems import ProblemError
from hostcap.api.schemas.refreshes import (
    RUN_ID_EXAMPLE,
    RefreshDetail,
    RefreshesPublic,
    RefreshStarted,
    RefreshSummary,
)
from hostcap.orchestration.runner import RefreshRunning

#: reading the history is open, like every read (the explorer's data health page shows it);
#: starting a refresh needs the key when one is set
router = APIRouter(prefix="/v1/refreshes", tags=["refreshes"])

RunIdPath = Annotated[str, Path(pattern=SNAPSHOT_ID, description="Run ID.", examples=[RUN_ID_EXAMPLE])]


def _meta(request: Request) -> dict | None:
    snapshot = request.app.state.store.current
    return None if snapshot is None else snapshot.meta


@router.post(
    "",
    status_code=202,
    response_model=RefreshStarted,
    dependencies=STATE_CHANGE,
    responses={
        **openapi.STATE_CHANGE,
        409: openapi.problem("A refresh is running; `run_id` names it."),
    },
    summary="Start a refresh",
)
def start_refresh(request: Request, refresher: RefresherDep) -> JSONResponse:
    """Start a refresh in a background worker (one at a time). Reads keep answering from the
    current snapshot and switch to the new one once it is published and loaded. Poll the run at
    the `Location` header's URL."""
    try:
        state = refresher.start()
    except RefreshRunning as running:
        raise ProblemError(409, running.message, run_id=running.run_id) from None
    body = RefreshStarted(data=RefreshSummary.model_validate(state.summary()), meta=_meta(request))
    return JSONResponse(body.model_dump(mode="json"), status_code=202, headers={"Location": f"/v1/refreshes/{state.run_id}"})


@router.get("", response_model=RefreshesPublic, summary="List refresh runs")
def list_refreshes(request: Request, refresher: RefresherDep) -> RefreshesPublic:
    """Every run the lake keeps (and the running one), newest first, with its headline."""
    runs = refresher.runs()
    return RefreshesPublic(data=[RefreshSummary.model_validate(r) for r in runs], count=len(runs), meta=_meta(request))


@router.get(
    "/{run_id}",
    response_model=RefreshDetail,
    responses={404: openapi.problem("No run with this ID."), **openapi.VALIDATION},
    summary="One refresh run and its report",
)
def get_refresh(request: Request, refresher: RefresherDep, run_id: RunIdPath) -> RefreshDetail:
    """The run's headline and its full report (per source and layer: status, rows, errors; and the
    checks on gold). A running run has no report yet."""
    found = refresher.run(run_id)
    if found is None:
        raise ProblemError(404, f"no refresh run {run_id}")
    summary, report = found
    return RefreshDetail(data=RefreshSummary.model_validate(summary), report=report, meta=_meta(request))

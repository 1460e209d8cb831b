"""The prototype's three calls, kept compatible: same paths, parameters and body shapes.

Differences are safety only: `maxHostingCapacity` must be a finite number (it was formatted into
SQL, so `0 OR 1=1` returned every feeder; here values only ever select rows in memory), IDs are
bounded, and errors are problem+json.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from hostcap.api import openapi
from hostcap.api.deps import STATE_CHANGE, RefresherDep, list_request
from hostcap.api.fastlane import fast_lane
from hostcap.api.queries import FeederDersCompatQuery, FeedersAboveQuery
from hostcap.api.responses import listing
from hostcap.api.schemas.ders import DerPublic
from hostcap.api.schemas.feeders import FeederPublic
from hostcap.api.schemas.refreshes import RefreshSummary
from hostcap.orchestration.runner import RefreshRunning
from hostcap.serving.ders import ON_FEEDER

router = APIRouter(tags=["prototype calls"])


@router.get(
    "/getFeeders",
    response_model=list[FeederPublic],
    responses=openapi.listing("feeder_id,native_feeder_id,utility,...\n", paged=False),
    summary="Feeders with max hosting capacity above a value",
)
@fast_lane
async def get_feeders(request: Request, query: Annotated[FeedersAboveQuery, Query()]) -> Response:
    """Every feeder whose `max_hc_mw` is strictly greater than `maxHostingCapacity`, as a JSON array,
    highest capacity first. Feeders without a max HC never match."""
    asked = list_request(request, query)
    feeders, threshold = asked.snapshot.feeders, query.maxHostingCapacity
    return listing(
        request, asked, lambda: feeders.above_json(threshold), lambda raw: feeders.rows.csv(feeders.above(threshold), raw)
    )


@router.get(
    "/getDERsForFeeder",
    response_model=list[DerPublic],
    responses=openapi.listing("der_id,native_der_id,utility,status,...\n", paged=False),
    summary="Installed and planned DER of a feeder",
)
@fast_lane
async def get_ders_for_feeder(request: Request, query: Annotated[FeederDersCompatQuery, Query()]) -> Response:
    """Installed and planned DER on the feeder, as a JSON array (`[]` for an unknown feeder).

    A native ID that several utilities use matches each of their feeders; `utility` narrows it.
    """
    asked = list_request(request, query)
    ders = asked.snapshot.ders
    feeder_ids = asked.snapshot.refs.resolve(query.feederID, query.utility)
    return listing(
        request,
        asked,
        lambda: ders.on_feeders_json(feeder_ids),
        lambda raw: ders.rows.csv(ders.of_feeders(feeder_ids, ON_FEEDER).tolist(), raw),
    )


_REFRESH = {
    "response_model": RefreshSummary,
    "dependencies": STATE_CHANGE,
    "responses": openapi.STATE_CHANGE,
    "summary": "Start a refresh (or report the running one)",
}


@router.post("/refreshData", operation_id="refreshDataPost", **_REFRESH)
@router.get("/refreshData", operation_id="refreshData", **_REFRESH)
def refresh_data(refresher: RefresherDep) -> RefreshSummary:
    """Start a refresh in the background and report its status; when one is already running,
    report that one instead. Poll `GET /v1/refreshes/{run_id}` for the outcome."""
    try:
        return RefreshSummary.model_validate(refresher.start().summary())
    except RefreshRunning as running:
        if running.running is not None:
            return RefreshSummary.model_validate(running.running.summary())
        return RefreshSummary(run_id=running.run_id or "unknown", status="running")

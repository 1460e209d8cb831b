"""`/v1/locate`: which feeders serve a place: those whose lines pass near a point."""

from __future__ import annotations

from typing import Annotated

import numpy as np
from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from hostcap.api import openapi
from hostcap.api.deps import served_snapshot
from hostcap.api.fastlane import fast_lane
from hostcap.api.queries import LocateQuery
from hostcap.api.responses import resource
from hostcap.api.schemas.feeders import LocatedFeeders

router = APIRouter(prefix="/v1/locate", tags=["feeders"])


@router.get(
    "", response_model=LocatedFeeders, responses={**openapi.VALIDATION, **openapi.NO_SNAPSHOT}, summary="Feeders at a point"
)
@fast_lane
async def locate(request: Request, query: Annotated[LocateQuery, Query()]) -> Response:
    """The feeders with a segment within `tolerance_km` of the point, nearest first, each with the
    distance (km) to its nearest such segment. Only sources that publish segment lines answer here
    (the CSV exports carry none: see `no_geometry`)."""
    snapshot = served_snapshot(request)
    positions, km = snapshot.spatial.locate(query.lat, query.lon, query.tolerance_km)
    body = snapshot.feeders.rows.json_array(positions.tolist(), {"distance_km": np.round(km, 4).tolist()})
    return resource(snapshot, body)

"""`/v1/locate`: which feeders serve a place: those whose lines pass near a point."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from starlette.responses import Response

from hostcap.api import openapi
from hostcap.api.deps import SnapshotDep
from hostcap.api.queries import LocateQuery
from hostcap.api.responses import resource
from hostcap.api.schemas.feeders import LocatedFeeders

router = APIRouter(prefix="/v1/locate", tags=["feeders"])


@router.get(
    "", response_model=LocatedFeeders, responses={**openapi.VALIDATION, **openapi.NO_SNAPSHOT}, summary="Feeders at a point"
)
async def locate(snapshot: SnapshotDep, query: Annotated[LocateQuery, Query()]) -> Response:
    """The feeders with a segment within `tolerance_km` of the point, nearest first, each with the
    distance (km) to its nearest such segment. Only sources that publish segment lines answer here
    (the CSV exports carry none: see `no_geometry`)."""
    found = snapshot.spatial.locate(query.lat, query.lon, query.tolerance_km)
    feeders = snapshot.feeders
    positions = [feeders.ids.find(feeder_id) for feeder_id, _ in found]
    distances = [round(km, 4) for (_, km), p in zip(found, positions) if p is not None]
    body = feeders.rows.json_array([p for p in positions if p is not None], {"distance_km": distances})
    return resource(snapshot, body)

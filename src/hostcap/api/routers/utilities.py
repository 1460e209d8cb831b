"""`/v1/utilities`: what the served snapshot holds per utility."""

from __future__ import annotations

from typing import Annotated

import orjson
from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from hostcap.api import openapi
from hostcap.api.deps import list_request
from hostcap.api.queries import ListQuery
from hostcap.api.responses import listing
from hostcap.api.schemas.utilities import UtilitiesPublic

router = APIRouter(prefix="/v1/utilities", tags=["utilities"])


@router.get(
    "",
    response_model=UtilitiesPublic,
    responses=openapi.listing("utility,feeder_count,segment_count,substation_count,...\n", paged=False),
    summary="Per-utility counts, totals and data dates",
)
async def list_utilities(request: Request, query: Annotated[ListQuery, Query()]) -> Response:
    """Per utility: feeders, segments, substations and DER (counts and MW), total max hosting
    capacity, how current its data is, and the refresh that built the served snapshot."""
    asked = list_request(request, query)
    snapshot = asked.snapshot
    rows = snapshot.utilities
    everything = list(range(len(rows)))

    def json_body() -> bytes:
        return (
            b'{"data":' + rows.json_array(everything) + b',"count":' + str(len(rows)).encode()
            + b',"meta":' + orjson.dumps(snapshot.meta) + b"}"
        )

    return listing(request, asked, json_body, lambda: rows.csv(everything))

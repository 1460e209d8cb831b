"""`/v1/substations`."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from hostcap.api import openapi
from hostcap.api.deps import SnapshotDep
from hostcap.api.paging import page_request, paged
from hostcap.api.params import SubstationIdPath
from hostcap.api.problems import ProblemError
from hostcap.api.queries import SubstationsQuery
from hostcap.api.responses import resource
from hostcap.api.schemas.substations import SubstationDetail, SubstationsPublic

router = APIRouter(prefix="/v1/substations", tags=["substations"])


@router.get(
    "",
    response_model=SubstationsPublic,
    responses=openapi.listing("substation_id,substation_name,utility,feeder_count,...\n"),
    summary="List substations",
)
async def list_substations(request: Request, query: Annotated[SubstationsQuery, Query()]) -> Response:
    """Substations named by the sources (not every utility publishes them), by utility and name or
    sorted by a total: feeders, max HC, bank rating, installed and queued MW, headroom on the bank."""
    page = page_request(request, query)
    substations = page.snapshot.substations
    return paged(request, page, substations.rows, substations.select(query.utility, query.sort))


@router.get(
    "/{substation_id}", response_model=SubstationDetail, responses=openapi.resource("substation"), summary="One substation"
)
async def get_substation(snapshot: SnapshotDep, substation_id: SubstationIdPath) -> Response:
    """The substation with this canonical ID."""
    position = snapshot.substations.ids.find(substation_id.lower())
    if position is None:
        raise ProblemError(404, f"no substation {substation_id} in snapshot {snapshot.id}")
    return resource(snapshot, snapshot.substations.rows.json_rows([position])[0])

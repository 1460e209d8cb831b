"""`/v1/ders`: DER projects across feeders."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from hostcap.api import openapi, spatial
from hostcap.api.deps import SnapshotDep
from hostcap.api.paging import page_request, paged
from hostcap.api.params import DerIdPath
from hostcap.api.problems import ProblemError
from hostcap.api.queries import DersQuery
from hostcap.api.responses import resource
from hostcap.api.schemas.ders import DerDetail, DersPublic
from hostcap.serving import geojson
from hostcap.serving.ders import DerFilter

router = APIRouter(prefix="/v1/ders", tags=["DER"])


@router.get(
    "",
    response_model=DersPublic,
    responses=openapi.listing("der_id,native_der_id,utility,status,feeder_id,...\n", geo=True),
    summary="List DER",
)
async def list_ders(request: Request, query: Annotated[DersQuery, Query()]) -> Response:
    """DER records that pass every given filter, by utility and native DER ID; with `near`, nearest
    first, each with `distance_km` (and with `bbox` or `near`, `location_source`)."""
    page = page_request(request, query)
    ders = page.snapshot.ders
    filters = DerFilter(query.utility, tuple(query.status or ()), tuple(query.der_type or ()))
    feeder_id = query.feeder_id
    selected = ders.select(filters) if feeder_id is None else ders.of_feeders([feeder_id.lower()], filters)
    selected, extra = spatial.ders(page.snapshot, selected, query)
    return paged(request, page, ders.rows, selected, extra, geojson.ders_of(page.snapshot))


@router.get("/{der_id}", response_model=DerDetail, responses=openapi.resource("DER record"), summary="One DER record")
async def get_der(snapshot: SnapshotDep, der_id: DerIdPath) -> Response:
    """The DER record with this canonical ID."""
    position = snapshot.ders.ids.find(der_id.lower())
    if position is None:
        raise ProblemError(404, f"no DER record {der_id} in snapshot {snapshot.id}")
    return resource(snapshot, snapshot.ders.rows.json_rows([position])[0])

"""`/v1/feeders`: feeders, one feeder, and a feeder's DER and segments."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from hostcap.api import openapi, spatial
from hostcap.api.deps import SnapshotDep
from hostcap.api.fastlane import fast_lane
from hostcap.api.paging import page_request, paged
from hostcap.api.params import FeederIdPath
from hostcap.api.problems import ProblemError
from hostcap.api.queries import FeederDersQuery, FeedersQuery, GeoPageQuery
from hostcap.api.responses import resource
from hostcap.api.schemas.ders import DersPublic
from hostcap.api.schemas.feeders import FeederDetail, FeedersPublic, SegmentsPublic
from hostcap.serving import Snapshot, geojson
from hostcap.serving.ders import DerFilter
from hostcap.serving.feeders import FeederFilter

router = APIRouter(prefix="/v1/feeders", tags=["feeders"])

FEEDERS_CSV = "feeder_id,native_feeder_id,utility,substation_id,substation_name,voltage_kv,max_hc_mw,...\n"


def _feeder_position(snapshot: Snapshot, feeder_id: str) -> int:
    position = snapshot.feeders.ids.find(feeder_id.lower())
    if position is None:
        raise ProblemError(404, f"no feeder {feeder_id} in snapshot {snapshot.id}")
    return position


@router.get("", response_model=FeedersPublic, responses=openapi.listing(FEEDERS_CSV, geo=True), summary="List feeders")
@fast_lane
async def list_feeders(request: Request, query: Annotated[FeedersQuery, Query()]) -> Response:
    """Feeders that pass every given filter, one page at a time. Bounds are inclusive; a feeder
    with a null value never passes a bound on it. With `near`, nearest first, each with `distance_km`."""
    page = page_request(request, query)
    feeders = page.snapshot.feeders
    filters = FeederFilter(
        query.utility,
        query.substation,
        query.min_max_hc_mw,
        query.max_max_hc_mw,
        query.min_headroom_mw,
        query.sort,
        query.scenario,
    )
    selected, extra = spatial.feeders(page.snapshot, feeders.select(filters), query)
    return paged(request, page, feeders.rows, selected, extra, geojson.feeders_of(page.snapshot))


@router.get("/{feeder_id}", response_model=FeederDetail, responses=openapi.resource("feeder"), summary="One feeder")
async def get_feeder(snapshot: SnapshotDep, feeder_id: FeederIdPath) -> Response:
    """The feeder with this canonical ID."""
    position = _feeder_position(snapshot, feeder_id)
    return resource(snapshot, snapshot.feeders.rows.json_rows([position])[0])


@router.get(
    "/{feeder_id}/ders",
    response_model=DersPublic,
    responses={**openapi.listing("der_id,native_der_id,utility,status,...\n", geo=True), **openapi.resource("feeder")},
    summary="DER of one feeder",
)
async def list_feeder_ders(request: Request, feeder_id: FeederIdPath, query: Annotated[FeederDersQuery, Query()]) -> Response:
    """DER records on the feeder (all statuses unless filtered), by utility and native DER ID."""
    page = page_request(request, query)
    ders = page.snapshot.ders
    _feeder_position(page.snapshot, feeder_id)
    filters = DerFilter(statuses=tuple(query.status or ()), der_types=tuple(query.der_type or ()))
    return paged(request, page, ders.rows, ders.of_feeders([feeder_id.lower()], filters), features=geojson.ders_of(page.snapshot))


@router.get(
    "/{feeder_id}/segments",
    response_model=SegmentsPublic,
    responses={**openapi.listing("segment_id,feeder_id,native_feeder_id,...\n", geo=True), **openapi.resource("feeder")},
    summary="Segments of one feeder",
)
async def list_feeder_segments(request: Request, feeder_id: FeederIdPath, query: Annotated[GeoPageQuery, Query()]) -> Response:
    """The feeder's segments (line sections) with their hosting capacity, by native segment ID.
    Empty for a utility that publishes feeder-level data only."""
    page = page_request(request, query)
    segments = page.snapshot.segments
    _feeder_position(page.snapshot, feeder_id)
    selected = segments.of_feeder(feeder_id.lower())
    return paged(request, page, segments.rows, selected, features=geojson.segments_of(page.snapshot))

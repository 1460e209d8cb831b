"""The fast lane answers exactly as the routes it stands in for, and leaves them everything else."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

import pytest
from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from hostcap.api.fastlane import FastLane, fast_lane
from hostcap.api.paging import encode_cursor
from hostcap.api.queries import FeederDersQuery, FeedersAboveQuery
from hostcap.api.routers import compat, feeders

CANONICAL = "90846a9265100bed291343121a7ce5d9"  # native 4Z81, coned
LANED = {"/getDERsForFeeder", "/getFeeders", "/v1/feeders"}

#: (method, URL, request headers): answers, errors, conditional requests and CSV of every laned path
REQUESTS = [
    *(
        ("GET", f"/getDERsForFeeder?feederID={ref}", {})
        for ref in ("4Z81", "4z81", "%204Z81%20", "+4Z81", CANONICAL, "MI9078", "NOPE")
    ),
    ("GET", "/getDERsForFeeder?feederID=4Z81&utility=coned", {}),
    ("GET", "/getDERsForFeeder?feederID=4Z81&utility=national_grid", {}),
    ("GET", "/getDERsForFeeder?feederID=NOPE&feederID=4Z81&unknown=1", {}),
    ("GET", "/getDERsForFeeder?feederID=4Z81&feederID=", {}),
    ("GET", "/getDERsForFeeder?feederID=4Z%381&utility=con%65d;x=1", {}),
    ("GET", "/getDERsForFeeder?feederID=%FF4Z81", {}),
    *(("GET", f"/getDERsForFeeder?feederID={bad}", {}) for bad in ("", "x" * 65, "a%0Ab", "4Z81%0A", "%3Cscript%3E")),
    ("GET", "/getDERsForFeeder", {}),
    ("GET", "/getDERsForFeeder?feederID=4Z81&utility=Coned", {}),
    ("GET", "/getDERsForFeeder?feederID=4Z81&format=csv", {}),
    ("GET", "/getDERsForFeeder?feederID=4Z81&format=xml", {}),
    ("GET", "/getDERsForFeeder?feederID=4Z81", {"Accept": "text/csv"}),
    ("GET", "/getDERsForFeeder?feederID=4Z81", {"If-None-Match": "*"}),
    ("GET", "/getDERsForFeeder?feederID=4Z81", {"If-None-Match": '"older-json"'}),
    ("HEAD", "/getDERsForFeeder?feederID=4Z81", {}),
    ("POST", "/getDERsForFeeder?feederID=4Z81", {}),
    ("GET", "/getDERsForFeeder/?feederID=4Z81", {}),
    *(("GET", f"/getFeeders?maxHostingCapacity={v}", {}) for v in ("5", "-1", "1e3", "10", "abc", "nan", "1e999", "")),
    ("GET", "/getFeeders", {}),
    ("GET", "/getFeeders?maxHostingCapacity=5&format=csv", {}),
    *(
        ("GET", f"/v1/feeders{query}", {})
        for query in (
            "",
            "?limit=100",
            "?limit=3&sort=-max_hc_mw",
            "?limit=0",
            "?limit=10001",
            "?all_pages=true&format=csv",
            "?utility=coned&min_max_hc_mw=2&max_max_hc_mw=10&min_headroom_mw=1",
            "?substation=%20milan",
            "?sort=name",
            "?cursor=bogus",
            "?cursor=a%2Bb",
            "?limit=2&cursor={cursor}",
        )
    ),
    ("GET", "/v1/feeders?limit=2", {"Accept": "text/csv", "If-None-Match": "W/{etag}"}),
    *(
        ("GET", f"/v1/feeders{query}", {})
        for query in (
            "?near=41.0,-73.8&radius_km=20&limit=3",
            "?bbox=-74.05,41.0,-73.7,41.2&format=geojson",
            "?county=Westchester",
            "?near=95,-73.8",
            "?bbox=1,2,3",
            "?load_zone=g&format=csv&near=41.0,-73.8",
        )
    ),
    ("GET", "/v1/feeders?limit=2", {"Accept": "application/geo+json"}),
    *(
        ("GET", f"/v1/locate{query}", {})
        for query in ("?lat=40.9704&lon=-73.7139&tolerance_km=0.3", "?lat=41&lon=-73", "?lat=91&lon=0", "?lon=-73", "")
    ),
]


@pytest.fixture(scope="module")
def routed(sample_run, make_client, api_settings) -> Iterator:
    """A client of the same app without the fast lane: FastAPI routes every request."""
    client = make_client(sample_run.hostcap, api_settings())
    client.app.user_middleware = [m for m in client.app.user_middleware if m.cls is not FastLane]
    with client:
        yield client


@pytest.mark.parametrize("method, url, headers", REQUESTS)
def test_the_lane_answers_as_the_route(client, routed, sample_run, method, url, headers):
    snapshot = sample_run.report.run_id
    url = url.replace("{cursor}", encode_cursor(snapshot, 2))
    headers = {k: v.replace("{etag}", f'"{snapshot}-csv"') for k, v in headers.items()}
    laned, direct = (c.request(method, url, headers=headers) for c in (client, routed))
    assert (laned.status_code, laned.headers.multi_items(), laned.content) == (
        direct.status_code,
        direct.headers.multi_items(),
        direct.content,
    )


def test_the_lane_answers_valid_requests_and_passes_on_the_rest(client):
    passed_on = []

    async def route(scope, receive, send):
        passed_on.append(f"{scope['method']} {scope['path']}?{scope['query_string'].decode()}")
        await Response(status_code=204)(scope, receive, send)

    lane = FastLane(route, [*compat.router.routes, *feeders.router.routes])
    assert set(lane.lanes) == LANED

    async def app(scope, receive, send):  # the lane runs inside the hostcap app, which holds the snapshot
        scope["app"] = client.app
        await lane(scope, receive, send)

    from fastapi.testclient import TestClient  # imported once warning filters are configured (conftest)

    lane_client = TestClient(app)
    answered = ["/getDERsForFeeder?feederID=4Z81", "/getFeeders?maxHostingCapacity=5", "/v1/feeders?limit=100"]
    for url in answered:
        assert lane_client.get(url).status_code == 200
    left = [
        "GET /getDERsForFeeder?feederID=",
        "GET /v1/feeders?cursor=bogus",
        "HEAD /getFeeders?maxHostingCapacity=5",
        "GET /v1/feeders/90846a9265100bed291343121a7ce5d9?",
    ]
    for request in left:
        method, url = request.split(" ")
        assert lane_client.request(method, url).status_code == 204
    assert passed_on == left


async def _query_with_lists(request: Request, query: Annotated[FeederDersQuery, Query()]) -> Response:
    raise NotImplementedError


async def _path_parameter(request: Request, feeder_id: str, query: Annotated[FeedersAboveQuery, Query()]) -> Response:
    raise NotImplementedError


async def _query_as_body(request: Request, query: FeedersAboveQuery) -> Response:
    raise NotImplementedError


@pytest.mark.parametrize(
    "endpoint, path", [(_query_with_lists, "/x"), (_path_parameter, "/x/{feeder_id}"), (_query_as_body, "/x")]
)
def test_the_lane_refuses_a_marked_route_it_could_not_answer_exactly(endpoint, path):
    router = APIRouter()
    router.get(path)(fast_lane(endpoint))
    with pytest.raises(TypeError, match=endpoint.__name__):
        FastLane(None, router.routes)

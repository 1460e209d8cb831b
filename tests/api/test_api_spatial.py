"""Places in the API: `bbox` and `near` on feeders and DER, and `/v1/locate`, equal a brute-force
computation over every row (written here from the documented definitions, not the index); sources
without geometry load and match no place."""

from __future__ import annotations

import csv
import json
import math

import pytest

from tests.api.test_api_v1 import everything
from tests.conftest import SAMPLE

KM = 111.32


def flat_km(lat0: float, lon0: float, lon: float, lat: float) -> tuple[float, float]:
    """(x, y) km of a point on the flat projection centred on (lat0, lon0), as the API documents it."""
    return (lon - lon0) * KM * math.cos(math.radians(lat0)), (lat - lat0) * KM


def to_line_km(lat0: float, lon0: float, coordinates: list) -> float:
    """Brute force: the least distance from (lat0, lon0) to a polyline, segment by segment."""
    points = [flat_km(lat0, lon0, c[0], c[1]) for c in coordinates]
    best = math.inf
    for (ax, ay), (bx, by) in zip(points, points[1:]):
        dx, dy = bx - ax, by - ay
        t = 0.0 if dx == dy == 0 else max(0.0, min(1.0, -(ax * dx + ay * dy) / (dx * dx + dy * dy)))
        best = min(best, math.hypot(ax + t * dx, ay + t * dy))
    return best


def lines(geometry: dict) -> list[list]:
    return [geometry["coordinates"]] if geometry["type"] == "LineString" else geometry["coordinates"]


@pytest.fixture(scope="module")
def feeders(client) -> list[dict]:
    return everything(client, "/v1/feeders", {"limit": 1000})[0]


@pytest.fixture(scope="module")
def places(feeders) -> list[tuple[float, float]]:
    """Query points: on some feeders' points, between feeders, and far from any."""
    located = [f for f in feeders if f["point_lat"] is not None]
    chosen = [(f["point_lat"], f["point_lon"]) for f in located[::4]]
    return [*chosen, (41.05, -73.85), (40.98, -73.70), (41.12, -74.0), (44.0, -75.0)]


def test_the_sample_has_lines_for_its_arcgis_layers_only(feeders):
    located = {f["utility"] for f in feeders if f["point_lat"] is not None}
    assert located == {"coned", "orange_rockland", "central_hudson"}
    for feeder in feeders:  # every one, a point inside its own box, or none and the flag
        if feeder["utility"] in located:
            assert feeder["bbox_min_lon"] <= feeder["point_lon"] <= feeder["bbox_max_lon"]
            assert feeder["bbox_min_lat"] <= feeder["point_lat"] <= feeder["bbox_max_lat"]
            assert 40.4 < feeder["point_lat"] < 42.5 and -74.8 < feeder["point_lon"] < -73.4  # downstate NY / NJ
        else:
            assert feeder["point_lat"] is None and "no_geometry" in feeder["quality_flags"]


@pytest.mark.parametrize("radius_km", [0.5, 3.0, 25.0])
def test_near_on_feeders_is_every_point_within_the_radius_nearest_first(client, feeders, places, radius_km):
    for lat, lon in places:
        expected = []
        for order, f in enumerate(feeders):
            if f["point_lat"] is not None:
                km = math.hypot(*flat_km(lat, lon, f["point_lon"], f["point_lat"]))
                if km <= radius_km:
                    expected.append((km, order, f["feeder_id"]))
        expected.sort()
        got, _ = everything(client, "/v1/feeders", {"near": f"{lat},{lon}", "radius_km": radius_km, "limit": 7})
        assert [g["feeder_id"] for g in got] == [e[2] for e in expected]
        assert [g["distance_km"] for g in got] == pytest.approx([e[0] for e in expected], abs=1e-4)


def test_bbox_on_feeders_is_every_box_that_meets_it_with_other_filters(client, feeders):
    for box in ((-74.05, 41.0, -73.7, 41.2), (-73.9, 40.9, -73.7, 41.05), (-73.8, 41.9, -73.7, 42.0), (0, 0, 1, 1)):
        expected = [
            f["feeder_id"] for f in feeders
            if f["bbox_min_lon"] is not None and f["max_hc_mw"] is not None and f["max_hc_mw"] >= 1
            and f["bbox_min_lon"] <= box[2] and f["bbox_max_lon"] >= box[0]
            and f["bbox_min_lat"] <= box[3] and f["bbox_max_lat"] >= box[1]
        ]  # fmt: skip
        got, _ = everything(client, "/v1/feeders", {"bbox": ",".join(map(str, box)), "min_max_hc_mw": 1, "limit": 3})
        assert [g["feeder_id"] for g in got] == expected
        assert all("distance_km" not in g for g in got)


def test_near_and_bbox_on_der_use_their_feeders_point(client, feeders, places):
    points = {f["feeder_id"]: (f["point_lon"], f["point_lat"]) for f in feeders if f["point_lat"] is not None}
    ders, _ = everything(client, "/v1/ders", {"limit": 10000})
    lat, lon = places[0]
    expected = sorted(
        (math.hypot(*flat_km(lat, lon, *points[d["feeder_id"]])), order, d["der_id"])
        for order, d in enumerate(ders) if d["feeder_id"] in points
    )  # fmt: skip
    expected = [e for e in expected if e[0] <= 10]
    got, _ = everything(client, "/v1/ders", {"near": f"{lat},{lon}", "radius_km": 10, "limit": 50})
    assert expected and [g["der_id"] for g in got] == [e[2] for e in expected]
    assert {g["location_source"] for g in got} == {"feeder_point"}
    box = (-73.9, 40.9, -73.6, 41.1)
    inside = [
        d for d in ders
        if d["feeder_id"] in points and box[0] <= points[d["feeder_id"]][0] <= box[2]
        and box[1] <= points[d["feeder_id"]][1] <= box[3]
    ]  # fmt: skip
    got, _ = everything(client, "/v1/ders", {"bbox": ",".join(map(str, box)), "status": "planned", "limit": 50})
    assert inside and [g["der_id"] for g in got] == [d["der_id"] for d in inside if d["status"] == "planned"]


def test_near_pages_and_csv_carry_the_distance(client):
    params = {"near": "40.97,-73.72", "radius_km": 5, "limit": 2}
    first = client.get("/v1/feeders", params=params).json()
    second = client.get("/v1/feeders", params={**params, "cursor": first["next_cursor"]}).json()
    distances = [f["distance_km"] for f in first["data"] + second["data"]]
    assert distances == sorted(distances) and len(distances) == 4
    csv = client.get("/v1/feeders", params={**params, "format": "csv"}).text.splitlines()
    assert csv[0].endswith(',"distance_km"') and float(csv[1].rsplit(",", 1)[1]) == distances[0]


def test_locate_is_every_feeder_with_a_segment_within_the_tolerance_nearest_first(client, sample_run, places):
    segments = sample_run.gold("feeder_segments").select(["feeder_id", "geometry"]).to_pylist()
    for lat, lon in places:
        for tolerance in (0.05, 0.3):
            nearest: dict[str, float] = {}
            for segment in segments:
                if segment["geometry"] is not None:
                    km = min(to_line_km(lat, lon, part) for part in lines(json.loads(segment["geometry"])))
                    if km <= tolerance:
                        nearest[segment["feeder_id"]] = min(km, nearest.get(segment["feeder_id"], math.inf))
            expected = sorted(nearest.items(), key=lambda item: (item[1], item[0]))
            body = client.get("/v1/locate", params={"lat": lat, "lon": lon, "tolerance_km": tolerance}).json()
            assert [f["feeder_id"] for f in body["data"]] == [e[0] for e in expected]
            assert [f["distance_km"] for f in body["data"]] == pytest.approx([e[1] for e in expected], abs=1e-4)
    assert any(body["data"] for body in [client.get("/v1/locate", params={"lat": la, "lon": lo}).json() for la, lo in places])


@pytest.mark.parametrize(
    "params,status",
    [
        ({"bbox": "-73,41,-74,42"}, 400),
        ({"near": "95,-73"}, 400),
        ({"bbox": "1,2,3"}, 422),
        ({"near": "41,-73", "radius_km": 0}, 422),
    ],
)
def test_a_bad_place_is_refused(client, params, status):
    assert client.get("/v1/feeders", params=params).status_code == status


def test_real_files_have_no_geometry_and_match_no_place(real_run, make_client, api_settings):
    with make_client(real_run.hostcap, api_settings()) as client:
        feeders = client.get("/v1/feeders", params={"all_pages": True}).json()["data"]
        assert feeders and all(f["point_lat"] is None and "no_geometry" in f["quality_flags"] for f in feeders)
        assert client.get("/v1/feeders", params={"near": "42.65,-73.75", "radius_km": 200}).json()["count"] == 0
        assert client.get("/v1/ders", params={"bbox": "-80,40,-71,45"}).json()["count"] == 0
        assert client.get("/v1/locate", params={"lat": 42.65, "lon": -73.75, "tolerance_km": 5}).json()["data"] == []


@pytest.mark.parametrize(
    "source,id_column,feeder_column",
    [("coned/network", "OBJECTID", "FEEDER_ID"), ("central_hudson/network", "OBJECTID", "Feeder")],
)
def test_the_sample_lines_reach_gold_unchanged(sample_run, source, id_column, feeder_column):
    """Every line of the sample's layer export is its segment's line in gold, coordinates compared."""
    (path,) = (SAMPLE / source).glob("*.csv")
    with path.open(newline="", encoding="utf-8") as handle:
        published = {r[id_column]: json.loads(r["geometry"]) for r in csv.DictReader(handle) if r[feeder_column]}
    utility = source.split("/")[0]
    gold = {
        s["native_segment_id"]: json.loads(s["geometry"])
        for s in sample_run.rows("feeder_segments") if s["utility"] == utility
    }  # fmt: skip
    quarantined = set(published) - set(gold)  # rows the pipeline set aside (quarantine, duplicates)
    assert len(quarantined) < len(published) / 50
    assert {k: published[k] for k in gold} == gold

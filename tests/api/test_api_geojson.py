"""GeoJSON lists (`format=geojson`, `Accept: application/geo+json`): valid RFC 7946 structure, the
same rows, filters, pages and ETags as JSON, and the geometry gold holds (round-tripped)."""

from __future__ import annotations

import json

import pytest

POSITION_TYPES = {"Point": 0, "LineString": 1, "MultiLineString": 2}


def valid_geometry(geometry: dict | None) -> None:
    """RFC 7946 §3.1: a geometry object, its coordinates nested as its type says, WGS84 ranges."""
    if geometry is None:
        return
    if geometry["type"] == "GeometryCollection":
        assert set(geometry) == {"type", "geometries"} and geometry["geometries"]
        for member in geometry["geometries"]:
            valid_geometry(member)
        return
    assert set(geometry) == {"type", "coordinates"}
    depth = POSITION_TYPES[geometry["type"]]

    def positions(value, level):
        if level == 0:
            assert len(value) in (2, 3) and all(isinstance(x, float | int) for x in value)
            assert -180 <= value[0] <= 180 and -90 <= value[1] <= 90
            return [value]
        if level == 1 and geometry["type"] != "Point":
            assert len(value) >= 2  # a line has at least two positions
        return [p for item in value for p in positions(item, level - 1)]

    positions(geometry["coordinates"], depth)


def valid_collection(body: dict) -> None:
    assert body["type"] == "FeatureCollection" and isinstance(body["features"], list)
    for feature in body["features"]:
        assert feature["type"] == "Feature" and isinstance(feature["properties"], dict)
        valid_geometry(feature["geometry"])
        if "bbox" in feature:
            west, south, east, north = feature["bbox"]
            assert west <= east and south <= north


def vertices(geometry: dict | None) -> list:
    if geometry is None:
        return []
    if geometry["type"] == "GeometryCollection":
        return [v for member in geometry["geometries"] for v in vertices(member)]
    return {"Point": lambda c: [c], "LineString": lambda c: c, "MultiLineString": lambda c: [p for line in c for p in line]}[
        geometry["type"]
    ](geometry["coordinates"])


def geojson_pages(client, path: str, params: dict) -> list[dict]:
    features, cursor = [], None
    while True:
        response = client.get(path, params={**params, "format": "geojson", **({"cursor": cursor} if cursor else {})})
        assert response.status_code == 200 and response.headers["content-type"] == "application/geo+json"
        body = response.json()
        valid_collection(body)
        features += body["features"]
        cursor = body["next_cursor"]
        if cursor is None:
            assert len(features) == body["count"]
            return features


@pytest.mark.parametrize(
    "path,params",
    [
        ("/v1/feeders", {"min_max_hc_mw": 1}),
        ("/v1/ders", {"status": "planned"}),
        ("/v1/feeders", {"near": "41.0,-73.8", "radius_km": 20}),
    ],
)
def test_geojson_holds_the_json_rows_as_properties_page_by_page(client, path, params):
    rows = client.get(path, params={**params, "all_pages": True}).json()["data"]
    features = geojson_pages(client, path, {**params, "limit": 37})
    assert rows and [f["properties"] for f in features] == rows


def test_feeder_geometry_is_its_segments_lines_and_its_box(client, sample_run):
    segments: dict[str, list] = {}
    for segment in sample_run.gold("feeder_segments").select(["feeder_id", "geometry"]).to_pylist():
        segments.setdefault(segment["feeder_id"], []).append(segment["geometry"])
    features = geojson_pages(client, "/v1/feeders", {"limit": 500})
    lined = 0
    for feature in features:
        own = [json.loads(text) for text in segments.get(feature["properties"]["feeder_id"], []) if text]
        if own:
            lined += 1
            assert sorted(map(tuple, vertices(feature["geometry"]))) == sorted(tuple(v) for g in own for v in vertices(g))
            props = feature["properties"]
            assert feature["bbox"] == [props["bbox_min_lon"], props["bbox_min_lat"], props["bbox_max_lon"], props["bbox_max_lat"]]
        else:
            assert feature["geometry"] is None and "bbox" not in feature
    assert lined


def test_segment_and_der_geometry_round_trip(client, sample_run):
    feeder = next(
        f for f in client.get("/v1/feeders", params={"all_pages": True}).json()["data"]
        if f["point_lat"] is not None and f["installed_der_count"]
    )  # fmt: skip
    features = geojson_pages(client, f"/v1/feeders/{feeder['feeder_id']}/segments", {"limit": 50})
    gold = {s["segment_id"]: s["geometry"] for s in sample_run.rows("feeder_segments")}
    assert features and all(f["geometry"] == json.loads(gold[f["properties"]["segment_id"]]) for f in features)
    ders = geojson_pages(client, f"/v1/feeders/{feeder['feeder_id']}/ders", {"limit": 50})
    assert ders and all(
        d["geometry"] == {"type": "Point", "coordinates": [feeder["point_lon"], feeder["point_lat"]]} for d in ders
    )


def test_accept_geo_json_etag_and_304(client):
    response = client.get("/v1/feeders", headers={"Accept": "application/geo+json"})
    assert response.headers["content-type"] == "application/geo+json" and response.json()["type"] == "FeatureCollection"
    tag = response.headers["etag"]
    assert tag.endswith('-geojson"') and tag != client.get("/v1/feeders").headers["etag"]
    assert client.get("/v1/feeders", headers={"Accept": "application/geo+json", "If-None-Match": tag}).status_code == 304
    # JSON wins a tie, and a list without places refuses the format
    assert client.get("/v1/feeders", headers={"Accept": "application/json, application/geo+json"}).json()["data"]
    assert client.get("/v1/substations", params={"format": "geojson"}).status_code == 422
    assert "application/geo+json" in client.get("/openapi.json").json()["paths"]["/v1/ders"]["get"]["responses"]["200"]["content"]

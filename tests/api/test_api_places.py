"""Named places: county, ZIP code, town and load zone filters on feeders and DER equal a brute-force
selection; a feeder's county is derived (from its point, else its DER); per-county and per-load-zone
roll-ups add up the rows; feeder rows carry that county as their `county` field."""

from __future__ import annotations

import csv
import io
from collections import Counter

import numpy as np
import pyarrow as pa
import pytest

from hostcap.counties import counties_at, feeder_counties


def test_county_of_known_points():
    places = {  # (lat, lon): county
        (41.034, -73.763): "Westchester", (42.6526, -73.7562): "Albany", (42.8864, -78.8784): "Erie",
        (40.7831, -73.9712): "New York", (40.6782, -73.9442): "Kings", (41.7004, -73.921): "Dutchess",
        (43.0481, -76.1474): "Onondaga", (40.5795, -74.1502): "Richmond", (44.5956, -75.1691): "St. Lawrence",
        (42.3601, -71.0589): None, (41.1, -74.05): "Rockland",
    }  # fmt: skip
    lats, lons = np.array([p[0] for p in places]), np.array([p[1] for p in places])
    assert counties_at(lons, lats) == list(places.values())
    assert counties_at(np.array([np.nan]), np.array([np.nan])) == [None]


def test_feeder_county_from_its_point_else_most_of_its_ders():
    nan = float("nan")
    feeders = pa.table({
        "feeder_id": ["westchester", "albany", "boston", "votes", "tie", "none", "point_wins"],
        "point_lon": [-73.763, -73.7562, -71.0589, nan, nan, nan, -78.8784],
        "point_lat": [41.034, 42.6526, 42.3601, nan, nan, nan, 42.8864],
    })  # fmt: skip
    ders = pa.table({
        "feeder_id": ["votes", "votes", "votes", "tie", "tie", "none", "point_wins", "boston", None],
        "county": ["Saint Lawrence County", "st. lawrence", "Kings", "Queens", "Bronx", None, "Kings", "Kings", "Erie"],
    })  # fmt: skip
    assert feeder_counties(feeders, ders).to_pylist() == [
        "Westchester", "Albany", None, "St. Lawrence", "Bronx", None, "Erie",
    ]  # fmt: skip


@pytest.fixture(scope="module")
def rows(client) -> tuple[list[dict], list[dict]]:
    feeders = client.get("/v1/feeders", params={"all_pages": True}).json()["data"]
    ders = client.get("/v1/ders", params={"all_pages": True}).json()["data"]
    return feeders, ders


def derived_county(feeder: dict, ders: list[dict]) -> str | None:
    if feeder["point_lat"] is not None:
        return counties_at(np.array([feeder["point_lon"]]), np.array([feeder["point_lat"]]))[0]
    votes = Counter(d["county"] for d in ders if d["feeder_id"] == feeder["feeder_id"] and d["county"])
    return min(votes, key=lambda name: (-votes[name], name)) if votes else None


@pytest.mark.parametrize(
    "param,column,value",
    [("county", "county", "westchester county"), ("county", "county", "Dutchess"), ("zip_code", "zip_code", "10601"),
     ("town", "city", "WHITE plains"), ("load_zone", "load_zone", "g")],
)  # fmt: skip
def test_der_place_filters(client, rows, param, column, value):
    _, ders = rows
    key = value.upper().removesuffix(" COUNTY")
    expected = [d["der_id"] for d in ders if d[column] is not None and d[column].upper() == key]
    got = client.get("/v1/ders", params={param: value, "all_pages": True}).json()["data"]
    assert expected and [d["der_id"] for d in got] == expected


def test_feeder_place_filters(client, rows):
    feeders, ders = rows
    counties = {f["feeder_id"]: derived_county(f, ders) for f in feeders}
    assert {c for f, c in counties.items() if c} >= {"Westchester", "Dutchess", "Rockland"}
    for county in {c for c in counties.values() if c}:
        got = client.get("/v1/feeders", params={"county": county, "all_pages": True}).json()["data"]
        assert [f["feeder_id"] for f in got] == [f for f, c in counties.items() if c == county]
    zoned = [f["feeder_id"] for f in feeders if f["load_zone"] == "G"]
    assert (
        zoned
        and [f["feeder_id"] for f in client.get("/v1/feeders", params={"load_zone": "G", "all_pages": True}).json()["data"]]
        == zoned
    )
    in_town = {d["feeder_id"] for d in ders if d["city"] == "White Plains"}
    got = client.get("/v1/feeders", params={"town": "White Plains", "all_pages": True}).json()["data"]
    assert in_town and [f["feeder_id"] for f in got] == [f["feeder_id"] for f in feeders if f["feeder_id"] in in_town]


def test_rollups_add_up_the_rows(client, rows):
    feeders, ders = rows
    counties = {f["feeder_id"]: derived_county(f, ders) for f in feeders}
    distribution = [d for d in ders if "transmission" not in d["quality_flags"]]
    for path, place, feeder_place, der_place in (
        ("/v1/stats/counties", "county", lambda f: counties[f["feeder_id"]], lambda d: d["county"]),
        ("/v1/stats/load-zones", "load_zone", lambda f: f["load_zone"], lambda d: d["load_zone"]),
    ):
        body = client.get(path).json()
        by_place = {row[place]: row for row in body["data"]}
        names = {feeder_place(f) for f in feeders} | {der_place(d) for d in distribution}
        assert set(by_place) == names - {None} and body["count"] == len(by_place)
        for name, row in by_place.items():
            mine = [f for f in feeders if feeder_place(f) == name]
            assert row["feeder_count"] == len(mine)
            assert row["headroom_after_queue_mw"] == pytest.approx(sum(f["headroom_after_queue_mw"] or 0 for f in mine), abs=1e-5)
            for status in ("installed", "planned"):
                theirs = [d for d in distribution if der_place(d) == name and d["status"] == status]
                assert row[f"{status}_der_count"] == len(theirs)
                assert row[f"{status}_der_mw"] == pytest.approx(sum(d["nameplate_kw"] or 0 for d in theirs) / 1000, abs=1e-5)


def test_feeder_rows_carry_their_derived_county(client, rows):
    feeders, ders = rows
    expected = {f["feeder_id"]: derived_county(f, ders) for f in feeders}
    assert {f["feeder_id"]: f["county"] for f in feeders} == expected
    assert {None, "Westchester", "Dutchess"} <= set(expected.values())
    body = client.get("/v1/feeders", params={"all_pages": True, "format": "csv"}).text
    assert {r["feeder_id"]: r["county"] or None for r in csv.DictReader(io.StringIO(body))} == expected
    features = client.get("/v1/feeders", params={"all_pages": True, "format": "geojson"}).json()["features"]
    assert {f["properties"]["feeder_id"]: f["properties"]["county"] for f in features} == expected
    one = next(f for f in feeders if f["county"])
    assert client.get(f"/v1/feeders/{one['feeder_id']}").json()["data"]["county"] == one["county"]


def test_county_filter_agrees_with_the_field(client, rows):
    feeders, _ = rows
    for county in {f["county"] for f in feeders if f["county"]}:
        for asked in (county, f"{county.upper()} County"):
            got = client.get("/v1/feeders", params={"county": asked, "all_pages": True}).json()["data"]
            assert got and {f["county"] for f in got} == {county}
            assert len(got) == sum(f["county"] == county for f in feeders)


def test_dictionary_says_the_county_is_derived_and_from_what(client):
    feeders = next(t for t in client.get("/v1/dictionary").json()["tables"] if t["name"] == "feeders")
    county = next(f for f in feeders["fields"] if f["name"] == "county")
    assert county["origin"] == "hostcap" and county["stored"] is False
    assert "derived" in county["description"] and "Census outline" in county["description"]
    assert "most of its DER" in county["description"]

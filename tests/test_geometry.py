"""Geometry in gold, on every engine: a segment keeps its GeoJSON line; a feeder's bounding box
and representative point (the vertex nearest the box's centre; least longitude, then latitude,
among equally near ones) come from its segments' vertices; a feeder without geometry has nulls
and the `no_geometry` flag."""

from __future__ import annotations

import json
import shutil

import pytest

from hostcap.config import Settings
from hostcap.core import Hostcap
from tests.conftest import REPO

SOURCE = "nyseg_rge/network"


def _feature(oid: int, circuit: str, geometry: dict | None) -> str:
    properties = {"OBJECTID": oid, "circuit_1": circuit, "MAX_hostin": 1.5, "HCA_Date": 1751241600000}
    return json.dumps({"type": "Feature", "id": oid, "geometry": geometry, "properties": properties})


LINES = {
    # a line and a multi-line (one vertex with a third ordinate): box -74..-73 x 41..42, centre
    # (-73.5, 41.5); the nearest vertex is (-73.5, 41.2)
    1: ("100", {"type": "LineString", "coordinates": [[-74.0, 41.0], [-73.5, 41.2], [-73.0, 41.0]]}),
    2: ("100", {"type": "MultiLineString", "coordinates": [[[-74.0, 42.0], [-73.0, 42.0]], [[-73.0, 41.5, 12.5]]]}),
    # a tie: all four vertices are as near the centre (-74.5, 40.5); the least longitude, then
    # latitude, wins; "type" after "coordinates", as a server may order them
    3: ("200", {"coordinates": [[-74.0, 41.0], [-75.0, 40.0]], "type": "LineString"}),
    4: ("200", {"type": "LineString", "coordinates": [[-75.0, 41.0], [-74.0, 40.0]]}),
    5: ("300", None),
    # unreadable vertices count in no box and are never the point: one ordinate, off the globe, a
    # quoted ordinate (each would move the box or sit on its centre); the readable two tie
    6: ("400", {"type": "LineString", "coordinates": [[-74.0, 41.0], [-73.0], [-73.0, 95.0], ["-73.0", 42.0], [-72.0, 43.0]]}),
    # a line of unreadable vertices only: no box, no point
    7: ("500", {"type": "LineString", "coordinates": [[-200.0, 41.0], [-73.0]]}),
}


def test_segments_keep_their_line_and_feeders_get_a_box_and_a_point(tmp_path, engine):
    configs = tmp_path / "configs"
    (configs / "nyseg_rge").mkdir(parents=True)
    shutil.copy(REPO / "sources-live" / f"{SOURCE}.yaml", configs / f"{SOURCE}.yaml")
    folder = tmp_path / "src" / SOURCE
    folder.mkdir(parents=True)
    (folder / "network.ndjson").write_text("".join(_feature(o, c, g) + "\n" for o, (c, g) in LINES.items()))
    hostcap = Hostcap(
        Settings(source_dir=str(tmp_path / "src"), lake_dir=str(tmp_path / "lake"), config_dir=configs, engine=engine)
    )

    assert hostcap.refresh().published
    segments = {s["native_segment_id"]: s["geometry"] for s in hostcap.lake.read_table("feeder_segments").to_pylist()}
    assert {k: v and json.loads(v) for k, v in segments.items()} == {str(o): g for o, (_c, g) in LINES.items()}
    columns = ("bbox_min_lon", "bbox_min_lat", "bbox_max_lon", "bbox_max_lat", "point_lon", "point_lat")
    feeders = {f["native_feeder_id"]: f for f in hostcap.lake.read_table("feeders").to_pylist()}
    assert tuple(feeders["100"][c] for c in columns) == pytest.approx((-74.0, 41.0, -73.0, 42.0, -73.5, 41.2))
    assert tuple(feeders["200"][c] for c in columns) == pytest.approx((-75.0, 40.0, -74.0, 41.0, -75.0, 40.0))
    assert tuple(feeders["300"][c] for c in columns) == (None,) * 6
    assert tuple(feeders["400"][c] for c in columns) == pytest.approx((-74.0, 41.0, -72.0, 43.0, -74.0, 41.0))
    assert tuple(feeders["500"][c] for c in columns) == (None,) * 6
    assert sorted(f for f, row in feeders.items() if "no_geometry" in row["quality_flags"]) == ["300", "500"]


def test_both_ways_of_finding_a_feeder_agree():
    """The aggregates (DuckDB) and the window functions (Spark) give each feeder the same box and
    point, unreadable vertices and ties included: run both here on one engine."""
    import ibis

    from hostcap.layers.geometry import feeder_locations

    rows = ibis.memtable(
        {
            "utility": ["u"] * len(LINES),
            "native_feeder_id": [circuit for circuit, _ in LINES.values()],
            "geometry": [None if g is None else json.dumps(g) for _, g in LINES.values()],
        }
    )
    con = ibis.duckdb.connect()
    keys = ["utility", "native_feeder_id"]
    by_aggregates, by_windows = (
        con.to_pyarrow(feeder_locations(rows, keys, shares).order_by(keys)).to_pylist() for shares in (True, False)
    )
    assert by_aggregates == by_windows
    assert [row["native_feeder_id"] for row in by_windows] == ["100", "200", "400"]

"""Every live network config against a layer with its utility's real field names: pulled whole
(paged at a small maxRecordCount), refreshed, and gold holds exactly the rows the config keeps."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.acquire.conftest import REPO, layer_path, live_hostcap
from tests.acquire.utilities import LIVE_LAYERS


def test_every_live_network_config_has_an_emulated_layer():
    configs = {str(p.relative_to(REPO / "sources-live").with_suffix("")) for p in (REPO / "sources-live").glob("*/network.yaml")}
    assert configs == set(LIVE_LAYERS)


@pytest.mark.parametrize("source_id", LIVE_LAYERS)
def test_a_utility_layer_is_pulled_and_refreshed_into_gold(tmp_path: Path, emulator, source_id):
    live = LIVE_LAYERS[source_id]
    hostcap = live_hostcap(tmp_path, emulator.url, [source_id])
    emulator.layers[layer_path(hostcap, source_id)] = layer = live.make(47, max_record_count=6)

    [fetched] = hostcap.fetch().sources
    assert (fetched.status, fetched.rows, fetched.error) == ("fetched", 47, None)
    report = hostcap.refresh()
    assert report.published, report
    [source] = report.sources
    assert source.status == "succeeded", source
    assert source.rows_in == 47

    segments = hostcap.lake.read_table("feeder_segments").to_pylist()
    assert {s["native_segment_id"]: s["max_hc_mw"] for s in segments} == live.segments(layer)
    feeders = hostcap.lake.read_table("feeders").to_pylist()
    assert {f["native_feeder_id"]: (f["load_zone"], f["voltage_kv"]) for f in feeders} == live.feeders(layer)
    assert all(f["hca_refresh_date"].isoformat() == "2025-06-30" for f in feeders)
    if live.grain == "feeder":
        by_id = {str(row[live.feeder]): row for row in layer.rows}
        assert {f["native_feeder_id"]: f["max_hc_mw"] for f in feeders} == {k: r[live.max_hc] for k, r in by_id.items()}


def _expected_locations(live, layer) -> dict[str, tuple]:
    """Per feeder: (bbox min lon, min lat, max lon, max lat, point lon, point lat) by the documented
    rule, computed here from the layer's own paths."""
    points: dict[str, list[tuple[float, float]]] = {}
    for row in live.kept(layer):
        for path in layer.paths[row["OBJECTID"]]:
            points.setdefault(str(row[live.feeder]).upper(), []).extend((p[0], p[1]) for p in path)
    located = {}
    for feeder, vertices in points.items():
        lons, lats = [p[0] for p in vertices], [p[1] for p in vertices]
        box = (min(lons), min(lats), max(lons), max(lats))
        centre = ((box[0] + box[2]) / 2, (box[1] + box[3]) / 2)
        point = min(vertices, key=lambda p: ((p[0] - centre[0]) ** 2 + (p[1] - centre[1]) ** 2, p[0], p[1]))
        located[feeder] = (*box, *point)
    return located


@pytest.mark.parametrize("source_id", LIVE_LAYERS)
def test_geometry_reaches_gold_segments_keep_their_line_feeders_get_a_box_and_a_point(tmp_path, emulator, source_id):
    live = LIVE_LAYERS[source_id]
    hostcap = live_hostcap(tmp_path, emulator.url, [source_id])
    emulator.layers[layer_path(hostcap, source_id)] = layer = live.make(23, max_record_count=9)
    assert hostcap.fetch().sources[0].status == "fetched"
    assert hostcap.refresh().published

    for segment in hostcap.lake.read_table("feeder_segments").to_pylist():
        line = json.loads(segment["geometry"])
        assert line["type"] == "LineString"
        flat = [value for point in line["coordinates"] for value in point]
        path = layer.paths[int(segment["native_segment_id"])][0]
        assert flat == pytest.approx([value for point in path for value in point], abs=1e-9)
    columns = ("bbox_min_lon", "bbox_min_lat", "bbox_max_lon", "bbox_max_lat", "point_lon", "point_lat")
    feeders = hostcap.lake.read_table("feeders").to_pylist()
    got = {f["native_feeder_id"]: tuple(f[c] for c in columns) for f in feeders}
    expected = _expected_locations(live, layer)
    assert got.keys() == expected.keys()
    for feeder, values in expected.items():
        assert got[feeder] == pytest.approx(values, abs=1e-9), feeder
    assert not any("no_geometry" in (f["quality_flags"] or "") for f in feeders)

"""ArcGIS pulls against a real server on 127.0.0.1 speaking the ArcGIS REST query protocol:
every row arrives exactly once, geometry included, by offset pages or object-ID chunks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.acquire.conftest import layer_path, live_hostcap
from tests.acquire.layers import cecony_family

CONED = "coned/network"


def landed(tmp_path: Path, source_id: str = CONED) -> list[dict]:
    utility, dataset = source_id.split("/")
    lines = (tmp_path / "src" / utility / dataset / f"{dataset}.ndjson").read_bytes().splitlines()
    return [json.loads(line) for line in lines]


def sidecar(tmp_path: Path, source_id: str = CONED) -> dict:
    utility, dataset = source_id.split("/")
    return json.loads((tmp_path / "src" / utility / dataset / f".{dataset}.ndjson.pull.json").read_text())


def expected_features(layer) -> dict[int, tuple[dict, list]]:
    return {row["OBJECTID"]: (row, layer.paths[row["OBJECTID"]][0]) for row in layer.rows}


def _decoded(row: dict) -> dict:
    return {**row, "ANTI_ISLANDING": {0: "No", 1: "Yes"}[row["ANTI_ISLANDING"]]}


@pytest.mark.parametrize(
    ("paginates", "fmt", "native_wkid"),
    [(True, "json", 4326), (False, "json", 102100), (True, "geojson", 4326)],
    ids=["offset-pages", "object-id-chunks-web-mercator", "geojson"],
)
def test_every_row_arrives_exactly_once_with_its_geometry(tmp_path, emulator, paginates, fmt, native_wkid):
    hostcap = live_hostcap(tmp_path, emulator.url, [CONED])
    path = layer_path(hostcap, CONED)
    layer = cecony_family(53, max_record_count=7, paginates=paginates, native_wkid=native_wkid)
    emulator.layers[path] = layer
    if fmt == "geojson":
        text = (hostcap.settings.config_dir / f"{CONED}.yaml").read_text()
        (hostcap.settings.config_dir / f"{CONED}.yaml").write_text(text + "  format: geojson\n")

    report = hostcap.fetch()

    [result] = report.sources
    assert (result.status, result.rows, result.error) == ("fetched", 53, None)
    features = landed(tmp_path)
    assert [f["id"] for f in features] == layer.ids()  # each once, in object-ID order
    expected = expected_features(layer)
    for feature in features:
        row, path_ = expected[feature["id"]]
        assert feature["properties"] == _decoded(row)  # coded values become their labels
        assert feature["geometry"]["type"] == "LineString"
        got = [value for point in feature["geometry"]["coordinates"] for value in point]
        assert got == pytest.approx([value for point in path_ for value in point], abs=1e-9)
    queries = [q for q in emulator.queries(f"{path}/query") if "outFields" in q]
    assert {q["outSR"] for q in queries} == {"4326"}
    assert len(queries) == (53 + 6) // 7
    if paginates:
        assert [int(q["resultOffset"]) for q in queries] == list(range(0, 53, 7))
        assert {q["orderByFields"] for q in queries} == {"OBJECTID ASC"}
    else:
        assert all("objectIds" in q and "resultOffset" not in q for q in queries)
    assert all(agent.startswith("hostcap/") for agent in emulator.user_agents)
    meta = sidecar(tmp_path)
    assert meta["url"].endswith("/FeatureServer/0/query") and meta["query"]["where"] == "1=1"
    assert meta["upstream_last_edit"] == "2023-11-14T22:13:20+00:00" and meta["rows"] == 53
    assert (
        meta["sha256"] == __import__("hashlib").sha256((tmp_path / "src/coned/network/network.ndjson").read_bytes()).hexdigest()
    )


def test_an_unchanged_upstream_downloads_nothing(tmp_path, emulator):
    hostcap = live_hostcap(tmp_path, emulator.url, [CONED])
    path = layer_path(hostcap, CONED)
    emulator.layers[path] = cecony_family(20, max_record_count=7)
    assert hostcap.fetch().sources[0].status == "fetched"
    file = tmp_path / "src/coned/network/network.ndjson"
    before = (file.read_bytes(), file.stat().st_mtime_ns)
    emulator.requests.clear()

    [again] = hostcap.fetch().sources

    assert again.status == "unchanged" and again.requests == 1
    assert [p for p, _q, _h in emulator.requests] == [path]  # the layer description, nothing else
    assert (file.read_bytes(), file.stat().st_mtime_ns) == before

    emulator.layers[path].last_edit += 1  # an edit upstream: pulled again
    emulator.layers[path].rows[0]["LOCAL_MAX"] = 9.5
    assert hostcap.fetch().sources[0].status == "fetched"
    assert landed(tmp_path)[0]["properties"]["LOCAL_MAX"] == 9.5


def test_a_layer_without_a_last_edit_date_is_probed_by_its_ids(tmp_path, emulator):
    hostcap = live_hostcap(tmp_path, emulator.url, [CONED])
    path = layer_path(hostcap, CONED)
    emulator.layers[path] = cecony_family(20, max_record_count=7, last_edit=None)
    assert hostcap.fetch().sources[0].status == "fetched"
    emulator.requests.clear()
    [again] = hostcap.fetch().sources
    assert again.status == "unchanged"
    assert not [q for q in emulator.queries(f"{path}/query") if "outFields" in q]  # no page downloaded

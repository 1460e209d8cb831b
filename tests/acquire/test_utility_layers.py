"""Every live network config against a layer with its utility's real field names: pulled whole
(paged at a small maxRecordCount), refreshed, and gold holds exactly the rows the config keeps."""

from __future__ import annotations

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

"""Faults of the upstream, injected by the emulator: each is retried, or the source ends `stale`
with its last good data still published and the reports saying why."""

from __future__ import annotations

import socket

import pytest

from tests.acquire.conftest import layer_path, live_hostcap
from tests.acquire.emulator import Fault
from tests.acquire.layers import cecony_family
from tests.acquire.test_arcgis_pull import CONED, landed


def _page(offset: int):
    return lambda path, q: path.endswith("/query") and q.get("resultOffset") == str(offset)


def test_transient_faults_are_retried_and_the_pull_resumes_from_its_page(tmp_path, emulator):
    hostcap = live_hostcap(tmp_path, emulator.url, [CONED])
    path = layer_path(hostcap, CONED)
    emulator.layers[path] = layer = cecony_family(40, max_record_count=7)
    emulator.faults = [
        Fault(lambda p, q: p == path, status=503),  # the layer description
        Fault(_page(0), error_code=500),  # an error inside HTTP 200 that says "try again"
        Fault(_page(7), status=500, times=2),
        Fault(_page(14), status=429, headers={"Retry-After": "0"}),
        Fault(_page(21), drop=True),  # the connection dropped mid-page
        Fault(_page(28), seconds=2.0),  # stalls past the 0.5 s timeout
    ]

    [result] = hostcap.fetch().sources

    assert (result.status, result.rows, result.error) == ("fetched", 40, None)
    assert result.retries == 7
    assert [f["id"] for f in landed(tmp_path)] == layer.ids()
    offsets = [q["resultOffset"] for q in emulator.queries(f"{path}/query") if "resultOffset" in q]
    assert offsets == ["0", "0", "7", "7", "7", "14", "14", "21", "21", "28", "28", "35"]  # each page resumed alone


def _dead_host(tmp_path, emulator, path):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # closed again: nothing listens there
    config = tmp_path / "configs/sources-live/coned/network.yaml"
    config.write_text(config.read_text().replace(emulator.url, f"http://127.0.0.1:{port}"))


def _rows_change(tmp_path, emulator, path):
    layer = emulator.layers[path]

    def insert_a_row_before_the_page() -> None:
        layer.rows.append({**layer.rows[0], "OBJECTID": 1})

    emulator.faults = [Fault(_page(7), before=insert_a_row_before_the_page)]


FAILURES = {
    "persistent-500": (
        lambda tmp_path, emu, path: emu.faults.append(Fault(_page(14), status=500, times=99)),
        "page 3, resultOffset=14",
        "HTTP 500 (gave up after 5 attempts)",
    ),
    "error-in-200": (
        lambda tmp_path, emu, path: emu.faults.append(Fault(_page(7), error_code=400)),
        "page 2, resultOffset=7",
        "ArcGIS error 400: Unable to complete operation.",
    ),
    "count-disagrees": (
        lambda tmp_path, emu, path: emu.faults.append(Fault(lambda p, q: q.get("returnCountOnly") == "true", count_delta=3)),
        "page 3, resultOffset=14",
        "20 rows arrived but the layer counts 23 (returnCountOnly)",
    ),
    "rows-change-between-pages": (_rows_change, "page 2, resultOffset=7", "arrived twice: rows changed between pages"),
    "stalls-every-time": (
        lambda tmp_path, emu, path: emu.faults.append(Fault(_page(0), seconds=2.0, times=99)),
        "page 1, resultOffset=0",
        "timed out (ReadTimeout) (gave up after 5 attempts)",
    ),
    "dead-host": (_dead_host, "layer description", "connection failed (ConnectError"),
}


@pytest.mark.parametrize("failure", FAILURES, ids=list(FAILURES))
def test_a_failed_pull_is_never_landed_and_the_source_stays_stale(tmp_path, emulator, failure):
    inject, page, reason = FAILURES[failure]
    hostcap = live_hostcap(tmp_path, emulator.url, [CONED])
    path = layer_path(hostcap, CONED)
    emulator.layers[path] = layer = cecony_family(20, max_record_count=7)
    assert hostcap.fetch().sources[0].status == "fetched"
    first = hostcap.refresh()
    assert first.published and first.gold["feeder_segments"] == 20
    good = (tmp_path / "src/coned/network/network.ndjson").read_bytes()

    layer.last_edit += 1000  # the upstream changed, so the next fetch pulls again ...
    for row in layer.rows:
        row["LOCAL_MAX"] = 1.0
    inject(tmp_path, emulator, path)  # ... and the pull fails
    [result] = hostcap.fetch().sources

    assert result.status == "stale"
    assert result.page == page and reason in result.error
    assert result.url.startswith("http://127.0.0.1:")
    assert (tmp_path / "src/coned/network/network.ndjson").read_bytes() == good  # nothing landed

    report = hostcap.refresh()  # the last good data stays published, and the report says why
    [source] = report.sources
    assert source.status == "stale" and reason in source.error and page in source.error
    assert hostcap.lake.read_table("feeder_segments").num_rows == 20
    assert max(hostcap.lake.read_table("feeder_segments").column("max_hc_mw").to_pylist()) > 1.0
    assert hostcap.source_status()[0]["last_fetch"] == "stale"


def test_a_first_pull_that_fails_lands_nothing(tmp_path, emulator):
    hostcap = live_hostcap(tmp_path, emulator.url, [CONED])
    path = layer_path(hostcap, CONED)
    emulator.layers[path] = cecony_family(20, max_record_count=7)
    emulator.faults = [Fault(_page(7), status=500, times=99)]
    [result] = hostcap.fetch().sources
    assert result.status == "failed" and "HTTP 500" in result.error
    assert not (tmp_path / "src/coned/network/network.ndjson").exists()

"""hostcap.client against a real `hostcap serve` on 127.0.0.1: every page of every list, equal to
the published gold; ETags reuse unchanged pages; changes, bundles; 429/503 retried, boundedly."""

from __future__ import annotations

from pathlib import Path

import httpx
import pandas as pd
import pyarrow as pa
import pytest

from hostcap.client import Client, Retry
from hostcap.core import Hostcap

PAGE = 37  # small and odd: every list spans several pages, the last one short


@pytest.fixture(scope="module")
def two_snapshots(sample_run, tmp_path_factory, two_source_copy) -> tuple[Hostcap, str]:
    """A lake with two publishes (the sample, then a refresh loading fewer sources), and the first one's id."""
    hostcap = two_source_copy(Path(sample_run.lake.root), tmp_path_factory.mktemp("client"))
    first = hostcap.lake.require_current()
    assert hostcap.refresh().published
    return hostcap, first


@pytest.fixture(scope="module")
def server(two_snapshots, serve):
    with serve(two_snapshots[0].settings) as running:
        yield running


def _rows(frame: pd.DataFrame, key: str) -> list[dict]:
    return sorted(pa.Table.from_pandas(frame, preserve_index=False).to_pylist(), key=lambda row: row[key])


def _gold(hostcap: Hostcap, table: str, key: str) -> list[dict]:
    """The published gold as the API carries it (feeders with their ages and scenarios): quality flags as a list."""
    rows = hostcap.gold_table(table).to_pylist()
    for row in rows:
        row["quality_flags"] = [flag for flag in (row.get("quality_flags") or "").split(",") if flag]
    return sorted(rows, key=lambda row: row[key])


def test_lists_are_the_gold_tables_and_unchanged_pages_are_304(two_snapshots, server) -> None:
    hostcap = two_snapshots[0]
    with Client(server.url, page_size=PAGE) as hc:
        feeders, ders = hc.feeders(), hc.ders()
        substations = hc.substations()
        assert _rows(feeders, "feeder_id") == _gold(hostcap, "feeders", "feeder_id")
        assert _rows(ders, "der_id") == _gold(hostcap, "ders", "der_id")
        assert len(substations) == hostcap.lake.read_table("substations").num_rows
        pages = hc.stats.fetched
        assert pages > len(ders) / PAGE and hc.stats.not_modified == 0

        assert _rows(hc.feeders(), "feeder_id") == _rows(feeders, "feeder_id")
        hc.ders()
        assert hc.stats.fetched == pages, "an unchanged page was downloaded again"
        assert hc.stats.not_modified == -(-len(feeders) // PAGE) + -(-len(ders) // PAGE)


def test_filters_and_polars(two_snapshots, server) -> None:
    polars = pytest.importorskip("polars")
    gold = two_snapshots[0].lake.read_table("feeders").to_pylist()
    expected = sorted(
        f["feeder_id"] for f in gold if f["headroom_after_queue_mw"] is not None and f["headroom_after_queue_mw"] >= 2
    )
    with Client(server.url, page_size=PAGE, frame="polars") as hc:
        found = hc.feeders(min_headroom_mw=2)
        assert isinstance(found, polars.DataFrame)
        assert sorted(found["feeder_id"].to_list()) == expected and expected
        assert isinstance(hc.ders(status=["planned"], frame="pandas"), pd.DataFrame)


def test_changes_follow_every_page(two_snapshots, server) -> None:
    hostcap, first = two_snapshots
    diff = hostcap.diff(first)
    with Client(server.url, page_size=PAGE) as hc:
        changes = hc.changes(since=first)
    counts = changes["kind"].value_counts().to_dict()
    assert counts == {kind: n for kind, n in diff.change_counts().items() if n}
    assert sorted(changes.loc[changes["kind"] == "feeders_removed", "feeder_id"]) == [f.feeder_id for f in diff.feeders_removed]


def test_history_is_the_feeders_recorded_points(two_snapshots, server) -> None:
    hostcap = two_snapshots[0]
    feeder_id = hostcap.lake.read_table("feeders")["feeder_id"][0].as_py()
    expected = hostcap.feeder_history(feeder_id)["points"]
    with Client(server.url) as hc:
        points = pa.Table.from_pandas(hc.history(feeder_id), preserve_index=False).to_pylist()
    assert len(points) == len(expected) == 2
    assert [p["max_hc_mw"] for p in points] == [p["max_hc_mw"] for p in expected]
    assert [p["snapshot"] for p in points] == [p["snapshot"] for p in expected]


def test_reads_the_bundle_from_the_server_and_from_a_file(two_snapshots, server, tmp_path: Path) -> None:
    hostcap = two_snapshots[0]
    snapshot = hostcap.lake.require_current()
    with Client(server.url) as hc:
        tables = hc.read_bundle(f"/v1/snapshots/{snapshot}/bundle")
        assert hc.read_bundle(f"{server.url}/v1/snapshots/{snapshot}/bundle").keys() == tables.keys()
        assert hc.stats.not_modified == 1, "the bundle's ETag was not used"
        path = tmp_path / "bundle.zip"
        path.write_bytes(httpx.get(f"{server.url}/v1/snapshots/{snapshot}/bundle").content)
        from_file = hc.read_bundle(str(path))
    for name, frame in tables.items():
        pd.testing.assert_frame_equal(frame, hostcap.lake.read_table(name).to_pandas())
        pd.testing.assert_frame_equal(from_file[name], frame)


def test_bundle_endpoint_etag_and_404(two_snapshots, server) -> None:
    snapshot = two_snapshots[0].lake.require_current()
    url = f"{server.url}/v1/snapshots/{snapshot}/bundle"
    first = httpx.get(url)
    assert first.status_code == 200 and first.headers["content-type"] == "application/zip"
    assert first.headers["content-disposition"] == f'attachment; filename="hostcap-{snapshot}.zip"'
    assert httpx.get(url, headers={"If-None-Match": first.headers["etag"]}).status_code == 304
    missing = httpx.get(f"{server.url}/v1/snapshots/20000101T000000Z-000000/bundle")
    assert missing.status_code == 404 and missing.headers["content-type"] == "application/problem+json"
    assert httpx.get(f"{server.url}/v1/snapshots/..%2F..%2Fetc/bundle").status_code in (404, 422)


def _flaky(statuses: list[int], retry_after: str | None, seen: list[httpx.Request]) -> httpx.MockTransport:
    """Answers each status in turn, then 200 with a small page."""

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if len(seen) <= len(statuses):
            return httpx.Response(statuses[len(seen) - 1], headers={"Retry-After": retry_after} if retry_after else {})
        return httpx.Response(200, json={"data": [{"feeder_id": "a"}], "next_cursor": None})

    return httpx.MockTransport(answer)


def test_retries_503_and_429_honouring_retry_after_within_bounds() -> None:
    seen: list[httpx.Request] = []
    hc = Client("http://127.0.0.1:9", http=httpx.Client(base_url="http://127.0.0.1:9", transport=_flaky([503, 429], "2", seen)))
    waits: list[float] = []
    hc.transport.sleep = waits.append
    assert list(hc.feeders()["feeder_id"]) == ["a"]
    assert waits == [2.0, 2.0] and hc.stats.retries == 2 and len(seen) == 3

    seen.clear()
    capped = Client(
        "http://127.0.0.1:9",
        retry=Retry(attempts=2, backoff_s=0.25, max_wait_s=0.5),
        http=httpx.Client(base_url="http://127.0.0.1:9", transport=_flaky([503] * 5, None, seen)),
    )
    capped.transport.sleep = waits.append
    waits.clear()
    with pytest.raises(httpx.HTTPStatusError, match="503"):
        capped.feeders()
    assert waits == [0.25, 0.5] and len(seen) == 3

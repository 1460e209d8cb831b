"""Refreshing through the API: protected, one at a time, in the background, then an atomic swap."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from conftest import API_KEY

from hostcap.api.schemas.refreshes import RefreshDetail, RefreshesPublic
from hostcap.core import Hostcap


def test_refresh_runs_in_background_and_swaps_atomically(make_client, refreshable, api_settings, wait_for):
    """While a refresh runs, reads answer from the old snapshot; after it, from the new one only."""
    old = refreshable.lake.current()
    with make_client(refreshable, api_settings()) as client:
        assert client.get("/v1/feeders").json()["count"] == 51
        seen: list[tuple[str, int]] = []
        stop = threading.Event()

        def read() -> None:  # its first failure ends it, and `reading.result()` raises it in the test
            while not stop.is_set():
                response = client.get("/v1/feeders?limit=1")
                assert response.status_code == 200, f"a read during the refresh failed: {response.text}"
                seen.append((response.headers["x-hostcap-snapshot"], response.json()["count"]))

        with ThreadPoolExecutor(1) as pool:
            reading = pool.submit(read)
            try:
                started = client.post("/v1/refreshes")
                assert started.status_code == 202
                run_id = started.json()["data"]["run_id"]
                assert started.json()["data"]["status"] == "running"
                assert started.headers["location"] == f"/v1/refreshes/{run_id}"
                busy = client.post("/v1/refreshes")
                assert busy.status_code == 409 and busy.json()["run_id"] == run_id
                assert client.get("/refreshData").json() == {
                    **started.json()["data"],
                    "finished_at": None,
                    "published": None,
                    "duration_s": None,
                    "gold": None,
                }
                assert client.get("/readyz").json()["refresh_running"] == run_id
                wait_for(lambda: client.get(f"/v1/refreshes/{run_id}").json()["data"]["status"] != "running", "the refresh")
            finally:
                stop.set()
            reading.result()  # a failed read fails the test

        detail = RefreshDetail.model_validate_json(client.get(f"/v1/refreshes/{run_id}").content)
        assert detail.data.status == "succeeded" and detail.data.published
        assert [s.source for s in detail.report.sources] == ["national_grid/installed_der", "national_grid/network"]
        # the new snapshot holds only the refreshed sources, and is what every read now sees
        after = client.get("/v1/feeders")
        assert after.headers["x-hostcap-snapshot"] == run_id == refreshable.lake.current()
        assert after.json()["count"] == detail.data.gold["feeders"] == 19
        # every read during the run saw one whole snapshot: the old one, then the new one
        assert {s for s, _ in seen} <= {old, run_id} and (old, 51) in seen
        assert all(count == (51 if snapshot == old else 19) for snapshot, count in seen)
        assert [snapshot for snapshot, _ in seen] == sorted((s for s, _ in seen), key=lambda s: s != old)

        listed = RefreshesPublic.model_validate_json(client.get("/v1/refreshes").content)
        assert [r.run_id for r in listed.data] == [run_id, old]
        assert listed.meta.snapshot == run_id


def test_compat_refresh_data_starts_one(make_client, refreshable, api_settings, wait_for):
    with make_client(refreshable, api_settings()) as client:
        for method in (client.get, client.post):
            body = method("/refreshData").json()
            assert body["status"] == "running"
        run_id = body["run_id"]
        wait_for(lambda: client.get("/readyz").json()["snapshot"] == run_id, "the new snapshot")


@pytest.mark.parametrize(
    "headers",
    [{}, {"X-API-Key": "wrong"}, {"Authorization": "Bearer wrong"}, {"Authorization": f"Basic {API_KEY}"}],
)
def test_starting_a_refresh_needs_the_key_when_one_is_set(sample_run, make_client, api_settings, headers):
    with make_client(sample_run.hostcap, api_settings(api_key=API_KEY)) as keyed:
        for call in (
            keyed.get("/refreshData", headers=headers),
            keyed.post("/refreshData", headers=headers),
            keyed.post("/v1/refreshes", headers=headers),
        ):
            assert call.status_code == 401
            assert call.headers["www-authenticate"] == 'Bearer realm="hostcap"'
            assert "X-API-Key" in call.json()["detail"]
        # reads never need it, the refresh history included
        for read in ("/v1/feeders", "/v1/refreshes", f"/v1/refreshes/{sample_run.report.run_id}"):
            assert keyed.get(read, headers=headers).status_code == 200


def test_the_key_starts_a_refresh(refreshable, make_client, api_settings, wait_for):
    with make_client(refreshable, api_settings(api_key=API_KEY)) as keyed:
        started = keyed.post("/v1/refreshes", headers={"X-API-Key": API_KEY})
        assert started.status_code == 202
        run_id = started.json()["data"]["run_id"]
        assert keyed.get("/refreshData", headers={"Authorization": f"Bearer {API_KEY}"}).status_code == 200
        wait_for(lambda: keyed.get(f"/v1/refreshes/{run_id}").json()["data"]["status"] != "running", "the refresh")
        assert keyed.get(f"/v1/refreshes/{run_id}").json()["data"]["status"] == "succeeded"


def test_past_refresh_reports(client, sample_run):
    detail = client.get(f"/v1/refreshes/{sample_run.report.run_id}").json()
    assert detail["report"] == sample_run.lake.read_report(sample_run.report.run_id)
    assert detail["data"]["status"] == sample_run.report.status
    assert client.get("/v1/refreshes/20200101T000000Z-abcdef").status_code == 404
    assert client.get("/v1/refreshes/..%2F..%2Fetc").status_code in (404, 422)
    assert client.get("/v1/refreshes/not-a-run").status_code == 422


def test_a_refresh_running_in_another_process_is_409(make_client, refreshable, api_settings):
    from hostcap.lock import RefreshLock

    with make_client(refreshable, api_settings()) as client, RefreshLock(refreshable.lake, "20260101T000000Z-cli001"):
        busy = client.post("/v1/refreshes")
        assert busy.status_code == 409 and busy.json()["run_id"] == "20260101T000000Z-cli001"
        assert client.get("/refreshData").json() == {
            "run_id": "20260101T000000Z-cli001",
            "status": "running",
            "trigger": None,
            "started_at": None,
            "finished_at": None,
            "published": None,
            "duration_s": None,
            "error": None,
            "gold": None,
        }


def test_without_a_published_snapshot_reads_are_503_until_refresh_on_start_publishes(
    refreshable, make_client, api_settings, wait_for, tmp_path
):
    empty = Hostcap(refreshable.settings.model_copy(update={"lake_dir": str(tmp_path / "empty")}))
    with make_client(empty, api_settings()) as client:
        for url in ("/readyz", "/v1/feeders", "/getFeeders?maxHostingCapacity=1", "/v1/utilities"):
            response = client.get(url)
            assert response.status_code == 503 and response.headers["retry-after"] == "30"
            assert "no published snapshot yet" in response.json()["detail"]
        assert client.get("/healthz").json() == {"status": "ok"}
        assert client.get("/v1/refreshes").json() == {"data": [], "count": 0, "meta": None}
    with make_client(empty, api_settings(), refresh_on_start=True) as client:
        wait_for(lambda: client.get("/readyz").status_code == 200, "the first snapshot")
        assert client.get("/v1/feeders").json()["count"] == 19


def test_the_key_comes_from_the_environment_and_blank_means_none(monkeypatch):
    from hostcap.api.settings import ApiSettings

    monkeypatch.setenv("HOSTCAP_API_KEY", "from-env")
    assert ApiSettings().api_key.get_secret_value() == "from-env"
    monkeypatch.setenv("HOSTCAP_API_KEY", "  ")
    assert ApiSettings().api_key is None

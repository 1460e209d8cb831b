"""`hostcap serve` as a real process on 127.0.0.1: start on a free port, query, refresh while
querying, stop."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import httpx


def test_serve_answers_refreshes_while_answering_and_stops(refreshable, serve, wait_for):
    old = refreshable.lake.current()
    with serve(refreshable.settings, host="0.0.0.0") as server:
        base = server.url
        with httpx.Client(base_url=base, timeout=10) as client:
            wait_for(lambda: client.get("/readyz").status_code == 200, "the snapshot to load", timeout_s=60)
            feeders = client.get("/getFeeders", params={"maxHostingCapacity": 5}).json()
            assert feeders and all(f["max_hc_mw"] > 5 for f in feeders)
            assert len(client.get("/getDERsForFeeder", params={"feederID": "4z81"}).json()) == 61

            seen: list[str] = []
            stop = threading.Event()

            def read() -> None:  # its first failure ends it, and `reading.result()` raises it in the test
                with httpx.Client(base_url=base, timeout=10) as reader:
                    while not stop.is_set():
                        response = reader.get("/getDERsForFeeder", params={"feederID": "4Z81"})
                        assert response.status_code == 200, f"a read during the refresh failed: {response.text}"
                        seen.append(response.headers["x-hostcap-snapshot"])

            with ThreadPoolExecutor(1) as pool:
                reading = pool.submit(read)
                try:
                    run_id = client.post("/v1/refreshes").json()["data"]["run_id"]
                    wait_for(lambda: client.get("/readyz").json()["snapshot"] == run_id, "the new snapshot", timeout_s=90)
                finally:
                    stop.set()
                reading.result()  # a failed read fails the test
            assert set(seen) <= {old, run_id} and old in seen
            # the refreshed lake has no coned source: 4Z81 is unknown now
            assert client.get("/getDERsForFeeder", params={"feederID": "4Z81"}).json() == []
            assert client.get(f"/v1/refreshes/{run_id}").json()["data"]["status"] == "succeeded"
    assert server.returncode == 0, server.output
    assert "HOSTCAP_API_KEY is not set: binding to 127.0.0.1 only" in server.output
    assert f"explorer: {server.url}/" in server.output
    assert f"API docs: {server.url}/docs" in server.output
    assert f"serving snapshot {old}" in server.output

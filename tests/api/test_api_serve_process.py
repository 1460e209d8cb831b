"""`hostcap serve` as a real process on 127.0.0.1: start on a free port, query, refresh while
querying, stop."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading

import httpx

from tests.api.conftest import _wait_for


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_ready(server: subprocess.Popen, client: httpx.Client) -> None:
    """Until the server process answers /readyz with 200 (it has loaded a snapshot)."""

    def ready() -> bool:
        assert server.poll() is None, "the server exited"
        try:
            return client.get("/readyz").status_code == 200
        except httpx.TransportError:
            return False

    _wait_for(ready, "the server to answer", timeout_s=60)


def test_serve_answers_refreshes_while_answering_and_stops(refreshable, wait_for):
    settings = refreshable.settings
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("HOSTCAP_")}
    command = [
        sys.executable, "-c", "from hostcap.cli import app; app()", "serve",
        "--source", settings.source_dir, "--lake", settings.lake_dir, "--config", str(settings.config_dir),
        "--host", "0.0.0.0", "--port", str(port),
    ]
    server = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    base = f"http://127.0.0.1:{port}"
    old = refreshable.lake.current()
    try:
        with httpx.Client(base_url=base, timeout=10) as client:
            wait_until_ready(server, client)
            feeders = client.get("/getFeeders", params={"maxHostingCapacity": 5}).json()
            assert feeders and all(f["max_hc_mw"] > 5 for f in feeders)
            assert len(client.get("/getDERsForFeeder", params={"feederID": "4z81"}).json()) == 61

            seen: list[str] = []
            stop = threading.Event()

            def read() -> None:
                with httpx.Client(base_url=base, timeout=10) as reader:
                    while not stop.is_set():
                        response = reader.get("/getDERsForFeeder", params={"feederID": "4Z81"})
                        assert response.status_code == 200
                        seen.append(response.headers["x-hostcap-snapshot"])

            thread = threading.Thread(target=read)
            thread.start()
            run_id = client.post("/v1/refreshes").json()["data"]["run_id"]
            wait_for(lambda: client.get("/readyz").json()["snapshot"] == run_id, "the new snapshot", timeout_s=90)
            stop.set()
            thread.join()
            assert set(seen) <= {old, run_id} and old in seen
            # the refreshed lake has no coned source: 4Z81 is unknown now
            assert client.get("/getDERsForFeeder", params={"feederID": "4Z81"}).json() == []
            assert client.get(f"/v1/refreshes/{run_id}").json()["data"]["status"] == "succeeded"
    finally:
        server.send_signal(signal.SIGINT)
        output = server.communicate(timeout=30)[0]
    assert server.returncode == 0, output
    assert "HOSTCAP_API_KEY is not set: binding to 127.0.0.1 only" in output
    assert f"API docs: http://127.0.0.1:{port}/docs" in output
    assert f"serving snapshot {old}" in output

"""`hostcap serve` over an S3 lake, as a real process: it loads the published snapshot from
the bucket, answers, and refreshes through the lease lock on S3."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pyarrow.compute as pc
import pytest

from hostcap.api import create_app
from hostcap.api.settings import ApiSettings
from tests.conftest import _wait_until, free_port
from tests.s3.conftest import REGION, MotoS3, aws_env, s3_hostcap, sample_sources

SOURCES = ["national_grid/network", "national_grid/installed_der", "national_grid/planned_der"]


def wait_until_ready(server: subprocess.Popen, client: httpx.Client) -> None:
    """Until the server process answers /readyz with 200 (it has loaded a snapshot)."""

    def ready() -> bool:
        assert server.poll() is None, "the server exited"
        try:
            return client.get("/readyz").status_code == 200
        except httpx.TransportError:
            return False

    _wait_until(ready, "the server to answer", timeout_s=60)


def test_serve_answers_from_an_s3_lake_and_refreshes_it(moto_s3: MotoS3, tmp_path: Path):
    bucket = moto_s3.bucket()
    source = moto_s3.upload(sample_sources(tmp_path, SOURCES), bucket, "src")
    lake = f"s3://{bucket}/lake"
    hostcap = s3_hostcap(moto_s3, tmp_path, source, lake, SOURCES)
    published = hostcap.refresh().run_id
    feeders = hostcap.lake.read_table("feeders")

    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HOSTCAP_", "AWS_"))}
    env |= aws_env(moto_s3.endpoint) | {"HOSTCAP_ENDPOINT_URL": moto_s3.endpoint, "HOSTCAP_AWS_REGION": REGION}
    command = [
        sys.executable,
        "-c",
        "from hostcap.cli import app; app()",
        "serve",
        "--source",
        source,
        "--lake",
        lake,
        "--config",
        str(hostcap.settings.config_dir),
        "--port",
        str(port),
    ]
    server = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) as client:
            wait_until_ready(server, client)
            over_2 = client.get("/getFeeders", params={"maxHostingCapacity": 2})
            assert over_2.headers["x-hostcap-snapshot"] == published
            expected = feeders.filter(pc.greater(feeders["max_hc_mw"], 2))
            assert sorted(f["feeder_id"] for f in over_2.json()) == sorted(expected["feeder_id"].to_pylist())
            page = client.get("/v1/feeders", params={"utility": "national_grid", "limit": 5}).json()
            assert page["count"] == feeders.num_rows and len(page["data"]) == 5
            assert page["meta"]["snapshot"] == published

            run_id = client.post("/v1/refreshes").json()["data"]["run_id"]
            _wait_until(lambda: client.get(f"/v1/refreshes/{run_id}").json()["data"]["status"] != "running", "the refresh")
            assert client.get(f"/v1/refreshes/{run_id}").json()["data"]["status"] == "unchanged"
    finally:
        server.send_signal(signal.SIGINT)
        output = server.communicate(timeout=30)[0]
    assert server.returncode == 0, output
    assert f"serving snapshot {published} from {lake}" in output


@pytest.mark.filterwarnings("ignore:Using `httpx` with `starlette.testclient`")
def test_with_the_store_gone_the_api_serves_its_snapshot_and_says_why_it_cannot_refresh(own_moto_s3: MotoS3, tmp_path: Path):
    from fastapi.testclient import TestClient

    moto = own_moto_s3
    bucket = moto.bucket()
    source = moto.upload(sample_sources(tmp_path, SOURCES), bucket, "src")
    hostcap = s3_hostcap(moto, tmp_path, source, f"s3://{bucket}/lake", SOURCES)
    published = hostcap.refresh().run_id
    with TestClient(create_app(hostcap, ApiSettings(api_key=None, api_reload_interval_s=0.2))) as client:
        assert client.get("/readyz").json()["snapshot"] == published
        moto.stop()
        time.sleep(1)  # the watcher fails to read the pointer meanwhile, and keeps what it holds
        served = client.get("/v1/feeders", params={"limit": 1})
        assert served.status_code == 200 and served.headers["x-hostcap-snapshot"] == published
        refused = client.post("/v1/refreshes")
        assert refused.status_code == 503
        assert refused.json()["detail"].startswith("cannot read the refresh lock <lake>/refresh.lock: ")
        moto.start()
        run_id = client.post("/v1/refreshes").json()["data"]["run_id"]
        _wait_until(lambda: client.get(f"/v1/refreshes/{run_id}").json()["data"]["status"] != "running", "the refresh")
        assert client.get(f"/v1/refreshes/{run_id}").json()["data"]["status"] == "unchanged"

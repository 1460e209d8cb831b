"""`/v1/feeders/{id}/history` and `/v1/ders/{id}/history` over a lake refreshed three times,
a project moving from the queue to installed and a feeder's capacity changing between them."""

from __future__ import annotations

import hashlib

import pytest

from tests.api.conftest import _settings
from tests.conftest import make_hostcap

NETWORK = "Master_CDF,feeder_voltage,feeder_max_hc,feeder_min_hc,feeder_dg_connected_since_refresh,hca_refresh_date,color,shape_length\r\n"
INSTALLED = "DER_ID,SERVICE_STREET_ADDRESS,DER_TYPE,DER_NAMEPLATE_RATING,DER_INTERCONNECTION_LOCATION,INTERCONNECTION_COST\r\n"
PLANNED = (
    "DER_TYPE,DER_NAMEPLATE_RATING,INVERTER_NAMEPLATE_RATING,PLANNED_INSTALLATION_DATE,DER_STATUS,DER_STATUS_RATIONALE,"
    "TOTAL_MW_FOR_SUBSTATION,INTERCONNECTION_QUEUE_REQUEST_ID,INTERCONNECTION_QUEUE_POSITION,DER_INTERCONNECTION_LOCATION\r\n"
)
SOURCES = ["national_grid/network", "national_grid/installed_der", "national_grid/planned_der"]


@pytest.fixture(scope="module")
def history_client(tmp_path_factory: pytest.TempPathFactory, make_client):
    root = tmp_path_factory.mktemp("api-history")
    src = root / "src"
    hostcap = make_hostcap(root, src, SOURCES)
    files = {source_id: src / source_id / "file.csv" for source_id in SOURCES}
    for path in files.values():
        path.parent.mkdir(parents=True)
    states = [  # (feeder max HC, project 900 installed?)
        ("2.0", False),
        ("3.0", False),
        ("3.0", True),
    ]
    snapshots = []
    for max_hc, built in states:
        files["national_grid/network"].write_text(NETWORK + f"36_13_1,13.2,{max_hc},0.5,0,2024/01/01 00:00:00+00,green,1\r\n")
        files["national_grid/installed_der"].write_text(
            INSTALLED + "100,null,Solar,7.5,36_13_1,0\r\n" + ("900,null,Solar,2000,36_13_1,0\r\n" if built else "")
        )
        files["national_grid/planned_der"].write_text(
            PLANNED + "Solar,2000,null,9/30/2024,null,null,,900,6/5/2024 13:47,36_13_1\r\n"
        )
        report = hostcap.refresh()
        assert report.published, report.error
        snapshots.append(report.snapshot)
    with make_client(hostcap, _settings()) as client:
        yield client, snapshots


def md5_hex(utility: str, native_id: str) -> str:
    """A canonical ID, as source-formats.md defines it."""
    return hashlib.md5(f"{utility}|{native_id}".encode()).hexdigest()


def _feeder_id() -> str:
    return md5_hex("national_grid", "36_13_1")


def test_feeder_history(history_client):
    client, snapshots = history_client
    answer = client.get(f"/v1/feeders/{_feeder_id()}/history")
    assert answer.status_code == 200, answer.text
    body = answer.json()
    points = body["data"]["points"]
    assert [p["snapshot"] for p in points] == snapshots
    assert [p["max_hc_mw"] for p in points] == [2.0, 3.0, 3.0]
    assert [(p["installed_der_count"], p["planned_der_count"]) for p in points] == [(1, 1), (1, 1), (2, 0)]
    assert [p["headroom_after_queue_mw"] for p in points] == [0.0, 1.0, 3.0]
    assert {p["hca_refresh_date"] for p in points} == {"2024-01-01"}
    assert body["data"]["native_feeder_id"] == "36_13_1" and body["meta"]["entries"] == 3


def test_der_history_status_moves(history_client):
    client, snapshots = history_client
    der_id = md5_hex("national_grid", "900")
    body = client.get(f"/v1/ders/{der_id}/history").json()["data"]
    assert [(s["status"], s["snapshot"]) for s in body["statuses"]] == [("planned", snapshots[0]), ("installed", snapshots[2])]
    assert body["changes"][0]["planned_in_service_date"] == "2024-09-30"


def test_history_etag_and_errors(history_client):
    client, _ = history_client
    url = f"/v1/feeders/{_feeder_id()}/history"
    tag = client.get(url).headers["etag"]
    assert client.get(url, headers={"If-None-Match": tag}).status_code == 304
    assert client.get(f"/v1/feeders/{'0' * 32}/history").status_code == 404
    assert client.get(f"/v1/ders/{'0' * 32}/history").headers["content-type"].startswith("application/problem+json")
    assert client.get("/v1/feeders/not-an-id/history").status_code == 422
    paths = client.get("/openapi.json").json()["paths"]
    assert {"/v1/feeders/{feeder_id}/history", "/v1/ders/{der_id}/history"} <= set(paths)

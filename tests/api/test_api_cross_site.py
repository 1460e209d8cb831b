"""Starting a refresh cannot be forged by another web page: a browser's cross-origin request (an
`<img>` tag, a form, a `fetch` in text/plain) is refused before anything starts, while a script or
`curl` (no browser headers) and the explorer itself (same origin) still start one."""

from __future__ import annotations

import pytest

#: what a browser adds to a request another site's page makes
CROSS_SITE = {"Sec-Fetch-Site": "cross-site", "Origin": "http://evil.example"}
STATE_CHANGES = [("POST", "/v1/refreshes"), ("POST", "/refreshData"), ("GET", "/refreshData")]


@pytest.fixture
def client(make_client, refreshable, api_settings):
    with make_client(refreshable, api_settings()) as test_client:
        yield test_client


def _nothing_started(client) -> bool:
    return client.app.state.refresher.running is None and client.get("/v1/refreshes").json()["count"] == 1


@pytest.mark.parametrize("method, path", STATE_CHANGES)
@pytest.mark.parametrize(
    "headers",
    [
        CROSS_SITE,
        {"Sec-Fetch-Site": "same-site", "Origin": "http://127.0.0.1:3000"},  # another port of the same host
        {"Sec-Fetch-Site": "cross-site", "Sec-Fetch-Dest": "image"},  # an <img src> (no Origin on a GET)
        {"Origin": "http://evil.example"},  # a browser without fetch metadata
        {"Origin": "null"},  # a sandboxed frame or a file: page
    ],
)
def test_a_cross_origin_browser_request_is_403(client, method, path, headers):
    response = client.request(method, path, headers=headers)
    assert response.status_code == 403, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert "another site" in response.json()["detail"]
    assert _nothing_started(client)


@pytest.mark.parametrize("method, path", [m for m in STATE_CHANGES if m[0] == "POST"])
@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"])
def test_a_body_a_form_could_send_is_415(client, method, path, content_type):
    """The bodies a page can send without a CORS preflight: a state change is never a simple request."""
    response = client.request(method, path, content=b"x=1", headers={"Content-Type": content_type})
    assert response.status_code == 415, response.text
    assert "application/json" in response.json()["detail"]
    assert _nothing_started(client)


def test_scripts_and_the_same_origin_still_refresh(client, wait_for):
    """curl and scripts send no browser headers; the explorer's own requests are same-origin;
    a URL typed in the address bar is `Sec-Fetch-Site: none`."""
    started = client.post("/v1/refreshes", headers={"Sec-Fetch-Site": "same-origin", "Origin": "http://testserver"})
    assert started.status_code == 202, started.text
    run_id = started.json()["data"]["run_id"]
    assert client.post("/v1/refreshes", json={}).status_code == 409  # allowed through, and busy
    for headers in ({}, {"Sec-Fetch-Site": "none"}, {"Origin": "http://testserver"}):
        assert client.get("/refreshData", headers=headers).json()["run_id"] == run_id
        assert client.post("/refreshData", headers=headers).json()["run_id"] == run_id
    wait_for(lambda: client.get(f"/v1/refreshes/{run_id}").json()["data"]["status"] != "running", "the refresh")


def test_reads_stay_open_to_other_sites(client):
    """Reading is not a state change: another page may still GET data (the browser keeps the answer from it)."""
    assert client.get("/v1/refreshes", headers=CROSS_SITE).status_code == 200
    assert client.get("/healthz", headers=CROSS_SITE).status_code == 200

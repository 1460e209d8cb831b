"""HTTP details every endpoint shares: HEAD wherever GET, a real `Allow` on 405, `Accept` q-values,
the key declared in OpenAPI only when one is set, and problems that never show server paths."""

from __future__ import annotations

import pytest

from hostcap.errors import StorageError

HEADED = ["/healthz", "/readyz", "/getFeeders?maxHostingCapacity=5", "/v1/feeders?limit=2", "/v1/utilities", "/openapi.json"]


@pytest.mark.parametrize("url", HEADED)
def test_head_answers_wherever_get_does_with_the_same_headers(client, url):
    got, head = client.get(url), client.head(url)
    assert head.status_code == got.status_code == 200
    assert head.content == b""
    assert dict(head.headers) == dict(got.headers)


@pytest.mark.parametrize(
    "method, url, allowed",
    [
        ("DELETE", "/v1/feeders", "GET, HEAD"),
        ("DELETE", "/healthz", "GET, HEAD"),
        ("PUT", "/refreshData", "GET, HEAD, POST"),
        ("GET", "/v1/refreshes/20260101T000000Z-abcdef", None),
        ("DELETE", "/v1/refreshes", "GET, HEAD, POST"),
        ("HEAD", "/v1/refreshes", None),
    ],
)
def test_405_names_the_methods_the_path_answers(client, method, url, allowed):
    response = client.request(method, url)
    if allowed is None:
        assert response.status_code != 405
    else:
        assert response.status_code == 405
        assert response.headers["allow"] == allowed


@pytest.mark.parametrize(
    "accept, media",
    [
        ("text/csv", "text/csv"),
        ("text/csv;q=0", "application/json"),
        ("text/csv; q=0.0, application/json", "application/json"),
        ("application/json;q=0.5, text/csv", "text/csv"),
        ("text/csv;q=0.5, application/json", "application/json"),
        ("*/*", "application/json"),
        ("text/*", "text/csv"),
        ("TEXT/CSV", "text/csv"),
        ("text/csvx", "application/json"),
    ],
)
def test_accept_is_negotiated_with_q_values(client, accept, media):
    response = client.get("/v1/feeders?limit=1", headers={"Accept": accept})
    assert response.headers["content-type"].split(";")[0] == media


def test_openapi_declares_the_key_only_when_one_is_set(make_client, sample_run, api_settings):
    for key, declared in ((None, False), ("a-key-0123456789", True)):
        with make_client(sample_run.hostcap, api_settings(api_key=key)) as client:
            schema = client.get("/openapi.json").json()
        schemes = schema.get("components", {}).get("securitySchemes")
        operation = schema["paths"]["/refreshData"]["get"]
        assert bool(schemes) is declared and ("security" in operation) is declared
        assert ("401" in operation["responses"]) is declared
        assert "414" in operation["responses"] and "414" in schema["paths"]["/v1/feeders"]["get"]["responses"]


def test_a_server_side_problem_never_shows_a_server_path(make_client, sample_run, api_settings, monkeypatch):
    """A storage failure's message names the lake's location for the operator's log; the
    problem a client gets says what failed, not where on the server."""
    lake_root = str(sample_run.lake.root)
    with make_client(sample_run.hostcap, api_settings()) as client:
        failing = StorageError(f"cannot list {lake_root}/runs: [Errno 13] Permission denied: '{lake_root}/runs'")

        def fail(*_):
            raise failing

        monkeypatch.setattr(client.app.state.refresher, "runs", fail)
        response = client.get("/v1/refreshes")
    assert response.status_code == 503
    detail = response.json()["detail"]
    assert lake_root not in detail
    assert detail == "cannot list <lake>/runs: [Errno 13] Permission denied: '<lake>/runs'"


@pytest.mark.parametrize("url", ["/v1/feeders?limit=2", "/v1/ders?limit=2&format=csv", "/v1/substations?limit=1"])
def test_the_next_page_link_never_echoes_the_host_header(client, url):
    response = client.get(url, headers={"Host": "evil.example"})
    assert response.status_code == 200
    link = response.headers["link"]
    assert "evil.example" not in link and link.startswith("</v1/") and link.endswith('>; rel="next"')
    following = client.get(link[1 : link.index(">")])
    assert following.status_code == 200

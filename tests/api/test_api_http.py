"""What every endpoint shares: snapshot labelling, ETags, CSV, problem+json, limits, docs."""

from __future__ import annotations

import csv
import io

import pytest

from hostcap.api.paging import encode_cursor

LISTS = [
    "/getFeeders?maxHostingCapacity=5",
    "/getDERsForFeeder?feederID=4Z81",
    "/v1/feeders",
    "/v1/feeders/90846a9265100bed291343121a7ce5d9/ders",
    "/v1/feeders/90846a9265100bed291343121a7ce5d9/segments",
    "/v1/ders",
    "/v1/substations",
    "/v1/utilities",
    "/v1/stats/feeder-max-hc",
    "/v1/stats/der-mw",
]


def as_csv(url: str) -> str:
    return url + ("&" if "?" in url else "?") + "format=csv"


@pytest.mark.parametrize(
    "url",
    [*LISTS, "/v1/feeders/90846a9265100bed291343121a7ce5d9", "/healthz", "/readyz", "/nope", "/v1/feeders?limit=0", "/docs"],
)
def test_every_response_names_the_snapshot(client, sample_run, url):
    assert client.get(url).headers["x-hostcap-snapshot"] == sample_run.report.run_id


@pytest.mark.parametrize("url", LISTS)
def test_lists_send_an_etag_and_answer_304(client, sample_run, url):
    first = client.get(url)
    tag = first.headers["etag"]
    assert tag == f'"{sample_run.report.run_id}-json"'
    for held in (tag, f"W/{tag}", f'"other", {tag}', "*"):
        again = client.get(url, headers={"If-None-Match": held})
        assert again.status_code == 304 and again.content == b""
        assert again.headers["etag"] == tag
    assert client.get(url, headers={"If-None-Match": '"older-json"'}).status_code == 200
    csv_tag = client.get(as_csv(url)).headers["etag"]
    assert csv_tag != tag and client.get(url, headers={"Accept": "text/csv", "If-None-Match": csv_tag}).status_code == 304


@pytest.mark.parametrize("url", LISTS)
def test_lists_as_csv_hold_the_same_rows(client, url):
    as_json = client.get(url).json()
    rows = as_json if isinstance(as_json, list) else as_json["data"]
    for response in (client.get(as_csv(url)), client.get(url, headers={"Accept": "text/csv"})):
        assert response.headers["content-type"] == "text/csv; charset=utf-8"
        parsed = list(csv.DictReader(io.StringIO(response.text)))
        assert len(parsed) == len(rows)
        assert list(parsed[0]) == list(rows[0]) if rows else True
        for got, want in zip(parsed, rows, strict=True):
            key = next(iter(want))
            assert got[key] == want[key]
            if "quality_flags" in want:
                assert got["quality_flags"] == ",".join(want["quality_flags"])


def test_csv_is_the_gold_table(client, gold_table):
    """Full-table CSV equals the gold parquet, value for value (as text)."""
    text = client.get("/v1/feeders?limit=1000&format=csv").text
    parsed = list(csv.DictReader(io.StringIO(text)))
    table = gold_table("feeders")
    assert list(parsed[0]) == table.column_names
    expected = table.to_pylist()
    for got, want in zip(parsed, expected, strict=True):
        assert got["feeder_id"] == want["feeder_id"]
        assert float(got["max_hc_mw"]) == want["max_hc_mw"]
        assert got["hca_refresh_date"] == want["hca_refresh_date"].isoformat()


def test_v1_bodies_carry_meta(client, sample_run):
    published = sample_run.lake.storage.read_bytes("CURRENT.json")
    for url in ("/v1/feeders?limit=1", "/v1/utilities", "/v1/feeders/90846a9265100bed291343121a7ce5d9"):
        meta = client.get(url).json()["meta"]
        assert meta["snapshot"] == sample_run.report.run_id
        assert meta["published_at"] and meta["published_at"].encode() in published


def test_a_cursor_of_another_snapshot_is_409(client):
    response = client.get("/v1/feeders", params={"cursor": encode_cursor("20200101T000000Z-000000", 10)})
    assert response.status_code == 409
    assert "start again from the first page" in response.json()["detail"]


@pytest.mark.parametrize("cursor, status", [("abc", 400), ("Zm9vfGJhcg", 400), ("a" * 201, 422), ("a+b", 422)])
def test_a_cursor_never_issued_is_400_and_a_malformed_one_422(client, cursor, status):
    response = client.get("/v1/feeders", params={"cursor": cursor})
    assert response.status_code == status
    assert response.headers["content-type"] == "application/problem+json"


def test_unknown_path_and_method_are_problems(client):
    missing = client.get("/v2/feeders")
    assert missing.status_code == 404 and missing.json()["detail"] == "no such endpoint: /v2/feeders (see /docs)"
    wrong = client.delete("/v1/feeders")
    assert wrong.status_code == 405 and wrong.json()["title"] == "Method Not Allowed"


def test_query_string_and_body_are_bounded(client):
    long = client.get("/v1/feeders", params={"substation": "x" * 60, "pad": "y" * 3000})
    assert long.status_code == 414 and "query string" in long.json()["detail"]
    big = client.post("/v1/refreshes", content=b"x" * 20000)
    assert big.status_code == 413 and "body" in big.json()["detail"]


def test_docs_work_offline(client):
    page = client.get("/docs")
    assert page.status_code == 200
    assert "cdn" not in page.text.lower() and "http" not in page.text.replace("http-equiv", "")
    for asset in ("/docs/assets/swagger-ui-bundle.js", "/docs/assets/swagger-ui.css"):
        response = client.get(asset)
        assert response.status_code == 200 and len(response.content) > 100_000
    assert client.get("/openapi.json").json()["openapi"].startswith("3.")


def _schemas_missing_docs(schema: dict) -> list[str]:
    """Properties without a description or examples (the core refresh report's own models aside)."""
    core_report = {"RefreshReport", "SourceReport", "FileReport", "LayerReport", "CheckResult"}
    missing = []
    for name, component in schema["components"]["schemas"].items():
        if name in core_report or name.startswith(("HTTPValidationError", "ValidationError")):
            continue
        for prop, spec in component.get("properties", {}).items():
            if "description" not in spec:
                missing.append(f"{name}.{prop}: description")
            if "examples" not in spec and "$ref" not in str(spec) and prop != "data":
                missing.append(f"{name}.{prop}: examples")
    return missing


def test_openapi_documents_every_endpoint_parameter_and_field(client):
    schema = client.get("/openapi.json").json()
    operations = [(path, method, op) for path, item in schema["paths"].items() for method, op in item.items()]
    assert len(operations) >= 17
    for path, method, op in operations:
        where = f"{method.upper()} {path}"
        assert op.get("summary") and op.get("description"), where
        for parameter in op.get("parameters", []):
            assert parameter.get("description"), f"{where} {parameter['name']}"
            assert parameter.get("example") is not None or parameter.get("examples") or parameter["schema"].get("examples"), (
                f"{where} {parameter['name']}"
            )
    assert _schemas_missing_docs(schema) == []

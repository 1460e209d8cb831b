"""The prototype's calls: same paths, parameters and shapes, with safe input handling."""

from __future__ import annotations

import pytest

from hostcap.api.schemas.ders import DerPublic
from hostcap.api.schemas.feeders import FeederPublic


def public(row: dict) -> dict:
    """A gold row as the API shows it: flags as a list, dates as ISO strings."""
    shown = {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in row.items()}
    shown["quality_flags"] = row["quality_flags"].split(",") if row["quality_flags"] else []
    return shown


@pytest.mark.parametrize("threshold", [-1, 0, 2.68, 5, 10, 19.52, 1000])
def test_get_feeders_is_strictly_greater_highest_first(client, gold, threshold):
    response = client.get("/getFeeders", params={"maxHostingCapacity": threshold})
    assert response.status_code == 200
    body = response.json()
    expected = [public(f) for f in gold("feeders") if f["max_hc_mw"] is not None and f["max_hc_mw"] > threshold]
    assert sorted(body, key=lambda f: f["feeder_id"]) == sorted(expected, key=lambda f: f["feeder_id"])
    assert [f["max_hc_mw"] for f in body] == sorted((f["max_hc_mw"] for f in body), reverse=True)


def test_get_feeders_boundary_value_is_excluded(client, gold):
    """10.0 is the max HC of several feeders: none of them is > 10."""
    at_ten = {f["feeder_id"] for f in gold("feeders") if f["max_hc_mw"] == 10.0}
    assert at_ten
    ids = {f["feeder_id"] for f in client.get("/getFeeders?maxHostingCapacity=10").json()}
    assert not ids & at_ten
    assert at_ten <= {f["feeder_id"] for f in client.get("/getFeeders?maxHostingCapacity=9.999").json()}


def test_get_feeders_returns_objects_that_match_the_model(client):
    body = client.get("/getFeeders?maxHostingCapacity=0").json()
    assert body and all(isinstance(item, dict) for item in body)
    for item in body:
        FeederPublic.model_validate(item)
        assert isinstance(item["quality_flags"], list)
        assert set(item) == set(FeederPublic.model_fields)


@pytest.mark.parametrize(
    "value, message",
    [
        ("abc", "valid number"),
        ("NaN", "finite number"),
        ("nan", "finite number"),
        ("inf", "finite number"),
        ("-Infinity", "finite number"),
        ("1e999", "finite number"),
        ("0 OR 1=1", "valid number"),
        ("0; DROP TABLE feeders", "valid number"),
        ("", "valid number"),
    ],
)
def test_get_feeders_refuses_anything_but_a_finite_number(client, value, message):
    response = client.get("/getFeeders", params={"maxHostingCapacity": value})
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["status"] == 422 and problem["title"] == "Unprocessable Entity"
    assert "maxHostingCapacity" in problem["detail"] and message in problem["detail"]
    assert problem["errors"][0]["location"] == "query parameter maxHostingCapacity"


def test_get_feeders_requires_the_parameter(client):
    problem = client.get("/getFeeders").json()
    assert problem["status"] == 422 and "maxHostingCapacity" in problem["detail"] and "required" in problem["detail"]


def ders_on(gold, feeder_id: str, statuses=("installed", "planned")) -> list[dict]:
    return [public(d) for d in gold("ders") if d["feeder_id"] == feeder_id and d["status"] in statuses]


@pytest.mark.parametrize(
    "reference", ["4Z81", "4z81", "  4Z81 ", "90846a9265100bed291343121a7ce5d9", "90846A9265100BED291343121A7CE5D9"]
)
def test_get_ders_for_feeder_by_native_or_canonical_id(client, gold, reference):
    """Feeder 4Z81 has installed, planned and withdrawn DER: the call lists installed and planned."""
    body = client.get("/getDERsForFeeder", params={"feederID": reference}).json()
    expected = ders_on(gold, "90846a9265100bed291343121a7ce5d9")
    assert {d["status"] for d in expected} == {"installed", "planned"}
    assert sorted(body, key=lambda d: d["der_id"]) == sorted(expected, key=lambda d: d["der_id"])
    assert len(body) == 44 + 17
    for item in body:
        DerPublic.model_validate(item)


def test_get_ders_for_feeder_utility_narrows(client):
    assert len(client.get("/getDERsForFeeder?feederID=4Z81&utility=coned").json()) == 61
    assert client.get("/getDERsForFeeder?feederID=4Z81&utility=national_grid").json() == []
    by_canonical = "/getDERsForFeeder?feederID=90846a9265100bed291343121a7ce5d9&utility=national_grid"
    assert client.get(by_canonical).json() == []


def test_get_ders_for_feeder_finds_a_feeder_only_der_records_name(client, gold):
    """MI9078 is in no network file, but DER records name it (flag unknown_feeder)."""
    expected = [d for d in gold("ders") if d["native_feeder_id"] == "MI9078" and d["status"] != "withdrawn"]
    assert expected
    assert {d["der_id"] for d in client.get("/getDERsForFeeder?feederID=mi9078").json()} == {d["der_id"] for d in expected}


@pytest.mark.parametrize("reference", ["NOPE", "ffffffffffffffffffffffffffffffff", "0"])
def test_get_ders_for_unknown_feeder_is_empty(client, reference):
    response = client.get("/getDERsForFeeder", params={"feederID": reference})
    assert response.status_code == 200 and response.json() == []


@pytest.mark.parametrize("reference", ["x" * 65, "4Z81'; --", "<script>", "a\nb", ""])
def test_get_ders_for_feeder_bounds_the_id(client, reference):
    response = client.get("/getDERsForFeeder", params={"feederID": reference})
    assert response.status_code == 422
    assert "feederID" in response.json()["detail"]

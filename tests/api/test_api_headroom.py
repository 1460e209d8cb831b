"""`scenario=` on the feeder list and sortable substations, over the session's sample lake."""

from __future__ import annotations

import pytest

from hostcap.feeder_view import SCENARIOS


@pytest.mark.parametrize("scenario", list(SCENARIOS))
def test_min_headroom_bounds_the_scenarios_headroom(client, scenario: str):
    column = SCENARIOS[scenario]
    everything = client.get("/v1/feeders?limit=10000").json()["data"]
    expected = sorted(f["feeder_id"] for f in everything if f[column] is not None and f[column] >= 1.0)
    body = client.get(f"/v1/feeders?limit=10000&min_headroom_mw=1&scenario={scenario}").json()
    assert sorted(f["feeder_id"] for f in body["data"]) == expected
    assert body["count"] == len(expected) > 0


def test_an_unknown_scenario_is_a_400_naming_it(client):
    response = client.get("/v1/feeders?scenario=optimistic")
    assert response.status_code in (400, 422)
    assert "scenario" in response.text


def test_substations_sort_by_bank_headroom_nulls_last(client):
    data = client.get("/v1/substations?limit=10000&sort=-bank_headroom_mw").json()["data"]
    values = [s["bank_headroom_mw"] for s in data]
    rated = [v for v in values if v is not None]
    assert rated and values[: len(rated)] == sorted(rated, reverse=True)
    assert all(v is None for v in values[len(rated) :])
    by_feeders = client.get("/v1/substations?limit=10000&sort=feeder_count").json()["data"]
    assert [s["feeder_count"] for s in by_feeders] == sorted(s["feeder_count"] for s in by_feeders)

"""`/v1/dictionary`: generated from the registry and the source configs, with the served data's dates."""

from __future__ import annotations

from hostcap.registry import QUALITY_FLAGS, TABLES


def test_dictionary_describes_every_table_field_and_flag_from_the_registry(client):
    response = client.get("/v1/dictionary")
    assert response.status_code == 200
    body = response.json()
    assert [t["name"] for t in body["tables"]] == list(TABLES)
    for table in body["tables"]:
        registered = TABLES[table["name"]]
        assert table["key"] == registered.key and table["order"] == list(registered.order)
        assert [f["name"] for f in table["fields"]] == registered.served_columns
        for field in table["fields"]:
            spec = registered.field(field["name"])
            assert (field["description"], field["unit"], field["origin"]) == (spec.description, spec.unit, spec.origin)
    ders = next(t for t in body["tables"] if t["name"] == "ders")
    assert next(f for f in ders["fields"] if f["name"] == "status")["values"]["withdrawn"]
    assert body["quality_flags"] == QUALITY_FLAGS


def test_dictionary_lists_each_configured_utility_with_its_sources_and_data_dates(client, sample_run):
    body = client.get("/v1/dictionary").json()
    configs = sample_run.hostcap.configs()
    assert [u["utility"] for u in body["utilities"]] == sorted({c.utility for c in configs})
    coned = next(u for u in body["utilities"] if u["utility"] == "coned")
    assert coned["display_name"] == "Con Edison"
    network = next(s for s in coned["sources"] if s["source"] == "coned/network")
    config = next(c for c in configs if (c.utility, c.dataset) == ("coned", "network"))
    assert network["description"] == config.description
    assert network["upstream"] is None and config.upstream is None  # the bundled configs fetch nothing
    feeders = sample_run.gold("feeders")
    dates = [r["hca_refresh_date"] for r in feeders.to_pylist() if r["source"] == "coned/network" and r["hca_refresh_date"]]
    assert network["as_of"]["hca_refresh_date_min"] == min(dates).isoformat()
    assert network["as_of"]["hca_refresh_date_max"] == max(dates).isoformat()
    assert body["meta"]["snapshot"] == sample_run.report.run_id


def test_dictionary_sends_an_etag_and_answers_304_to_it(client):
    first = client.get("/v1/dictionary")
    again = client.get("/v1/dictionary", headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304 and again.headers["etag"] == first.headers["etag"]


def test_utilities_carry_their_display_names_from_the_configs(client, sample_run):
    names = {c.utility: c.display_name for c in sample_run.hostcap.configs() if c.display_name}
    data = client.get("/v1/utilities").json()["data"]
    assert {u["utility"]: u["display_name"] for u in data} == names

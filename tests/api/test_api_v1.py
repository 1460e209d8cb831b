"""The v1 resources: values, filters, sorting and pagination, checked against the gold parquet."""

from __future__ import annotations

import math
from urllib.parse import parse_qsl

import pytest

from hostcap.api.schemas.ders import DerDetail, DersPublic
from hostcap.api.schemas.feeders import FeederDetail, FeedersPublic, SegmentsPublic
from hostcap.api.schemas.substations import SubstationDetail, SubstationsPublic
from hostcap.api.schemas.utilities import UtilitiesPublic
from hostcap.layers.gold import (
    DER_COLUMNS,
    FEEDER_COLUMNS,
    SEGMENT_COLUMNS,
    SUBSTATION_COLUMNS,
)

FEEDER = "90846a9265100bed291343121a7ce5d9"  # coned 4Z81: installed, planned and withdrawn DER, segments


def ids(body: dict, key: str = "feeder_id") -> list[str]:
    return [item[key] for item in body["data"]]


def everything(client, url: str, params: dict | None = None) -> tuple[list[dict], int]:
    """Every item of a paged list, following next_cursor; and how many pages it took."""
    path, _, query = url.partition("?")
    params = [*parse_qsl(query), *(params or {}).items()]
    items, pages, count = [], 0, None
    while True:
        body = client.get(path, params=params).json()
        items += body["data"]
        pages += 1
        assert count in (None, body["count"])
        count = body["count"]
        if body["next_cursor"] is None:
            assert len(items) == count
            return items, pages
        params = [*(p for p in params if p[0] != "cursor"), ("cursor", body["next_cursor"])]


def test_models_name_exactly_the_gold_columns():
    from hostcap.api.schemas.ders import DerPublic
    from hostcap.api.schemas.feeders import FeederPublic, SegmentPublic
    from hostcap.api.schemas.substations import SubstationPublic
    from hostcap.feeder_view import VIEW_COLUMNS

    for model, columns in (
        (FeederPublic, [*FEEDER_COLUMNS, *VIEW_COLUMNS]),
        (SegmentPublic, SEGMENT_COLUMNS),
        (DerPublic, DER_COLUMNS),
        (SubstationPublic, SUBSTATION_COLUMNS),
    ):
        assert set(model.model_fields) == set(columns), model.__name__


def test_feeders_default_page_is_gold_order_with_total_and_meta(client, gold, sample_run):
    response = client.get("/v1/feeders?limit=20")
    body = FeedersPublic.model_validate_json(response.content).model_dump(mode="json")
    assert ids(body) == [f["feeder_id"] for f in gold("feeders")][:20]
    assert body["count"] == len(gold("feeders")) == 51
    assert body["meta"]["snapshot"] == sample_run.report.run_id == response.headers["x-hostcap-snapshot"]
    assert response.headers["x-total-count"] == "51"
    assert response.headers["link"].startswith("</v1/feeders?limit=20&cursor=")


def test_feeders_cursor_walks_every_feeder_once(client, gold):
    items, pages = everything(client, "/v1/feeders", {"limit": 7})
    assert pages == math.ceil(51 / 7)
    assert [f["feeder_id"] for f in items] == [f["feeder_id"] for f in gold("feeders")]


@pytest.mark.parametrize(
    "params, keep",
    [
        ({"utility": "coned"}, lambda f: f["utility"] == "coned"),
        ({"utility": "nobody"}, lambda f: False),
        ({"substation": "milan"}, lambda f: (f["substation_name"] or "").upper() == "MILAN"),
        ({"substation": "dfb6df15ab31938d7b8753ff60aacdf0"}, lambda f: f["substation_id"] == "dfb6df15ab31938d7b8753ff60aacdf0"),
        ({"min_max_hc_mw": 5}, lambda f: f["max_hc_mw"] is not None and f["max_hc_mw"] >= 5),
        ({"max_max_hc_mw": 2.68}, lambda f: f["max_hc_mw"] is not None and f["max_hc_mw"] <= 2.68),
        ({"min_max_hc_mw": 1, "max_max_hc_mw": 3}, lambda f: f["max_hc_mw"] is not None and 1 <= f["max_hc_mw"] <= 3),
        ({"min_headroom_mw": 0}, lambda f: f["headroom_after_queue_mw"] is not None and f["headroom_after_queue_mw"] >= 0),
        (
            {"min_headroom_mw": -3, "utility": "national_grid"},
            lambda f: f["utility"] == "national_grid" and f["headroom_after_queue_mw"] >= -3,
        ),
    ],
)
def test_feeder_filters(client, gold, params, keep):
    body = client.get("/v1/feeders", params={**params, "limit": 1000}).json()
    expected = [f["feeder_id"] for f in gold("feeders") if keep(f)]
    assert ids(body) == expected
    assert body["count"] == len(expected)


@pytest.mark.parametrize("column", ["max_hc_mw", "min_hc_mw", "headroom_after_queue_mw", "installed_der_mw", "planned_der_mw"])
@pytest.mark.parametrize("descending", [False, True])
def test_feeder_sorts_nulls_last_ties_in_gold_order(client, gold, column, descending):
    body = client.get("/v1/feeders", params={"sort": f"-{column}" if descending else column, "limit": 1000}).json()
    rows = list(enumerate(gold("feeders")))
    known = sorted(
        (r for r in rows if r[1][column] is not None),
        key=lambda r: ((-r[1][column] if descending else r[1][column]), r[0]),
    )
    expected = [r[1]["feeder_id"] for r in known] + [r[1]["feeder_id"] for r in rows if r[1][column] is None]
    assert ids(body) == expected


@pytest.mark.parametrize(
    "query, where",
    [
        ("sort=max_hc", "sort"),
        ("limit=0", "limit"),
        ("limit=10001", "limit"),
        ("min_max_hc_mw=nan", "min_max_hc_mw"),
        ("max_max_hc_mw=1e999", "max_max_hc_mw"),
        ("min_headroom_mw=x", "min_headroom_mw"),
        ("utility=CONED", "utility"),
        ("substation=" + "x" * 65, "substation"),
        ("cursor=not*base64", "cursor"),
        ("format=xml", "format"),
    ],
)
def test_feeder_list_validates_its_parameters(client, query, where):
    response = client.get(f"/v1/feeders?{query}")
    assert response.status_code == 422
    assert f"query parameter {where}" in response.json()["detail"]


def test_one_feeder(client, gold):
    body = FeederDetail.model_validate_json(client.get(f"/v1/feeders/{FEEDER.upper()}").content)
    row = next(f for f in gold("feeders") if f["feeder_id"] == FEEDER)
    assert body.data.native_feeder_id == row["native_feeder_id"] == "4Z81"
    assert body.data.max_hc_mw == row["max_hc_mw"] and body.data.segment_count == row["segment_count"]
    assert body.data.installed_der_count == 44 and body.data.planned_der_count == 17


@pytest.mark.parametrize("suffix", ["", "/ders", "/segments"])
def test_unknown_feeder_is_404_and_a_bad_id_422(client, suffix):
    missing = client.get(f"/v1/feeders/{'f' * 32}{suffix}")
    assert missing.status_code == 404 and missing.headers["content-type"] == "application/problem+json"
    assert missing.json()["detail"].startswith(f"no feeder {'f' * 32} in snapshot ")
    assert client.get(f"/v1/feeders/4Z81{suffix}").status_code == 422


@pytest.mark.parametrize(
    "query, keep",
    [
        ("", lambda d: True),
        ("status=withdrawn", lambda d: d["status"] == "withdrawn"),
        ("status=installed&status=planned", lambda d: d["status"] in ("installed", "planned")),
        ("der_type=solar", lambda d: d["der_type"] == "solar"),
        (
            "der_type=storage&der_type=solar_storage&status=installed",
            lambda d: d["der_type"] in ("storage", "solar_storage") and d["status"] == "installed",
        ),
    ],
)
def test_feeder_ders_filters(client, gold, query, keep):
    body = DersPublic.model_validate_json(client.get(f"/v1/feeders/{FEEDER}/ders?limit=1000&{query}").content)
    expected = [d["der_id"] for d in gold("ders") if d["feeder_id"] == FEEDER and keep(d)]
    assert [d.der_id for d in body.data] == expected and body.count == len(expected)


def test_feeder_segments(client, gold):
    items, pages = everything(client, f"/v1/feeders/{FEEDER}/segments", {"limit": 50})
    expected = [s for s in gold("feeder_segments") if s["feeder_id"] == FEEDER]
    assert len(expected) > 50 and pages == math.ceil(len(expected) / 50)
    assert [s["segment_id"] for s in items] == [s["segment_id"] for s in expected]
    assert items[0]["max_hc_mw"] == expected[0]["max_hc_mw"]
    assert items[0]["hca_refresh_date"] == expected[0]["hca_refresh_date"].isoformat()
    SegmentsPublic.model_validate(
        {"data": items, "count": len(items), "next_cursor": None, "meta": {"snapshot": "s", "published_at": None}}
    )


def test_feeder_grain_source_has_no_segments(client, gold):
    grid = next(f for f in gold("feeders") if f["utility"] == "national_grid")
    body = client.get(f"/v1/feeders/{grid['feeder_id']}/segments").json()
    assert body["data"] == [] and body["count"] == 0 and body["next_cursor"] is None


@pytest.mark.parametrize(
    "query, keep",
    [
        ("", lambda d: True),
        ("utility=national_grid", lambda d: d["utility"] == "national_grid"),
        ("status=planned&der_type=storage", lambda d: d["status"] == "planned" and d["der_type"] == "storage"),
        (f"feeder_id={FEEDER}&status=withdrawn", lambda d: d["feeder_id"] == FEEDER and d["status"] == "withdrawn"),
        (f"feeder_id={FEEDER}&utility=nyseg_rge", lambda d: False),
    ],
)
def test_ders_list(client, gold, query, keep):
    items, _ = everything(client, f"/v1/ders?limit=300&{query}")
    assert [d["der_id"] for d in items] == [d["der_id"] for d in gold("ders") if keep(d)]


def test_one_der(client, gold):
    row = next(d for d in gold("ders") if d["quality_flags"] == "transmission,unparsed_value")
    body = DerDetail.model_validate_json(client.get(f"/v1/ders/{row['der_id']}").content)
    assert body.data.native_der_id == row["native_der_id"]
    assert body.data.quality_flags == ["transmission", "unparsed_value"]
    assert body.data.unparsed_values == row["unparsed_values"] != ""
    assert client.get(f"/v1/ders/{'0' * 32}").status_code == 404


def test_substations(client, gold):
    body = SubstationsPublic.model_validate_json(client.get("/v1/substations").content)
    assert [s.model_dump(mode="json") for s in body.data] == gold("substations")
    coned = client.get("/v1/substations?utility=coned").json()
    assert ids(coned, "substation_id") == [s["substation_id"] for s in gold("substations") if s["utility"] == "coned"]
    first = gold("substations")[0]
    one = SubstationDetail.model_validate_json(client.get(f"/v1/substations/{first['substation_id']}").content)
    assert one.data.feeder_count == first["feeder_count"]
    assert client.get(f"/v1/substations/{'a' * 32}").status_code == 404


def test_utilities_summarize_the_gold(client, gold, sample_run):
    body = UtilitiesPublic.model_validate_json(client.get("/v1/utilities").content)
    assert [u.utility for u in body.data] == ["central_hudson", "coned", "national_grid", "nyseg_rge", "orange_rockland"]
    assert body.count == 5
    for summary in body.data:
        feeders = [f for f in gold("feeders") if f["utility"] == summary.utility]
        ders = [d for d in gold("ders") if d["utility"] == summary.utility and "transmission" not in d["quality_flags"]]
        installed = [d for d in ders if d["status"] == "installed"]
        assert summary.feeder_count == len(feeders)
        assert summary.segment_count == sum(1 for s in gold("feeder_segments") if s["utility"] == summary.utility)
        assert summary.total_max_hc_mw == pytest.approx(sum(f["max_hc_mw"] or 0 for f in feeders))
        assert summary.installed_der_count == len(installed)
        assert summary.installed_der_mw == pytest.approx(sum(d["nameplate_kw"] or 0 for d in installed) / 1000)
        assert summary.planned_der_count == sum(d["status"] == "planned" for d in ders)
        assert summary.hca_refresh_date_max == max(f["hca_refresh_date"] for f in feeders)
        assert summary.last_refresh_run_id == sample_run.report.run_id
        assert summary.last_refresh_status == "succeeded"

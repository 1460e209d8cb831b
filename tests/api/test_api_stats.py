"""What the explorer reads besides the resource lists: per-utility aggregates for charts, feeders
above 1 and 5 MW, the kept snapshots, whole filtered lists in one response, and the explorer's
own page and files beside the API."""

from __future__ import annotations

import csv
import io
from collections import Counter, defaultdict

import pytest

from hostcap.api.schemas.snapshots import SnapshotsPublic
from hostcap.api.schemas.stats import DerMwPublic, MaxHcDistributionPublic
from hostcap.api.schemas.utilities import UtilitiesPublic


def _distribution_ders(gold) -> list[dict]:
    return [d for d in gold("ders") if "transmission" not in (d["quality_flags"] or "").split(",")]


def test_utilities_count_feeders_above_1_and_5_mw(client, gold):
    for summary in UtilitiesPublic.model_validate_json(client.get("/v1/utilities").content).data:
        max_hc = [f["max_hc_mw"] for f in gold("feeders") if f["utility"] == summary.utility and f["max_hc_mw"] is not None]
        assert summary.feeders_max_hc_above_1_mw == sum(v > 1 for v in max_hc)
        assert summary.feeders_max_hc_above_5_mw == sum(v > 5 for v in max_hc)
        assert 0 < summary.feeders_max_hc_above_5_mw < summary.feeders_max_hc_above_1_mw < summary.feeder_count


def test_max_hc_distribution_puts_every_feeder_with_a_value_in_one_bin(client, gold):
    body = MaxHcDistributionPublic.model_validate_json(client.get("/v1/stats/feeder-max-hc").content)
    assert body.count == len(body.data) == 5 * 6
    for entry in body.data:
        low = -float("inf") if entry.bin_min_mw is None else entry.bin_min_mw
        high = float("inf") if entry.bin_max_mw is None else entry.bin_max_mw
        expected = sum(
            f["utility"] == entry.utility and f["max_hc_mw"] is not None and low <= f["max_hc_mw"] < high for f in gold("feeders")
        )
        assert entry.feeder_count == expected, entry
    with_value = Counter(f["utility"] for f in gold("feeders") if f["max_hc_mw"] is not None)
    binned = Counter()
    for entry in body.data:
        binned[entry.utility] += entry.feeder_count
    assert binned == with_value


def test_der_mw_sums_distribution_der_by_utility_type_and_status(client, gold):
    body = DerMwPublic.model_validate_json(client.get("/v1/stats/der-mw").content)
    expected: dict[tuple, list] = defaultdict(lambda: [0, 0.0])
    for d in _distribution_ders(gold):
        totals = expected[d["utility"], d["der_type"], d["status"]]
        totals[0] += 1
        totals[1] += (d["nameplate_kw"] or 0) / 1000
    got = {(e.utility, e.der_type, e.status): [e.der_count, e.nameplate_mw] for e in body.data}
    assert got.keys() == expected.keys()
    for key, (der_count, mw) in expected.items():
        assert got[key][0] == der_count
        assert got[key][1] == pytest.approx(mw, abs=1e-6)
    installed = {
        u.utility: u.installed_der_mw for u in UtilitiesPublic.model_validate_json(client.get("/v1/utilities").content).data
    }
    for utility, mw in installed.items():
        assert sum(e.nameplate_mw for e in body.data if e.utility == utility and e.status == "installed") == pytest.approx(mw)


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_all_pages_answers_every_match_at_once(client, gold, fmt):
    params = {"utility": "coned", "min_max_hc_mw": 1, "sort": "-max_hc_mw", "limit": 2, "all_pages": "true", "format": fmt}
    response = client.get("/v1/feeders", params=params)
    expected = sorted(
        (f for f in gold("feeders") if f["utility"] == "coned" and (f["max_hc_mw"] or 0) >= 1),
        key=lambda f: -f["max_hc_mw"],
    )
    assert len(expected) > 2 and response.headers["x-total-count"] == str(len(expected))
    assert "link" not in response.headers
    if fmt == "json":
        body = response.json()
        rows, next_cursor = body["data"], body["next_cursor"]
        assert next_cursor is None
    else:
        rows = list(csv.DictReader(io.StringIO(response.text)))
    assert [r["feeder_id"] for r in rows] == [f["feeder_id"] for f in expected]


def test_snapshots_list_the_kept_history_and_mark_the_served_one(client, sample_run):
    body = SnapshotsPublic.model_validate_json(client.get("/v1/snapshots").content)
    history = list(reversed(sample_run.lake.history()))
    assert [s.snapshot for s in body.data] == [h["snapshot"] for h in history]
    assert [s.served for s in body.data] == [h["snapshot"] == sample_run.report.run_id for h in history]
    assert body.meta.snapshot == sample_run.report.run_id


def test_the_explorer_is_served_beside_the_api(client):
    page = client.get("/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert '<script type="module" src="/explorer/js/main.js">' in page.text
    assert "http" not in page.text.lower()  # no CDN: every asset is the package's own
    script = client.get("/explorer/js/main.js")
    assert script.status_code == 200 and "javascript" in script.headers["content-type"]
    assert client.get("/explorer/app.css").headers["content-type"].startswith("text/css")
    schema = client.get("/openapi.json").json()
    assert "/" not in schema["paths"] and not any(path.startswith("/explorer") for path in schema["paths"])
    assert client.get("/docs").status_code == 200
    assert client.get("/v1/nope").json()["detail"] == "no such endpoint: /v1/nope (see /docs)"

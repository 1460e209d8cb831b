"""Headroom a developer can bet on: DER added since the study, what binds, freshness, scenarios.

Expected values are computed here from the raw files (pandas straight from the CSV) or by hand
from gold's DER records, independently of the code under test.
"""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import pandas as pd
import pytest

from hostcap.canonical import HC_CRITERIA, NOT_PUBLISHED
from hostcap.feeder_view import months_before, snapshot_date
from tests.conftest import REAL_FILES, Run


def _feeders(run: Run, utility: str) -> dict[str, dict]:
    return {row["native_feeder_id"]: row for row in run.rows("feeders") if row["utility"] == utility}


def test_added_since_study_is_national_grids_published_figure(real_run: Run, real_dir: Path):
    raw = pd.read_csv(real_dir / REAL_FILES["national_grid/network"], dtype={"Master_CDF": str})
    raw = raw.drop_duplicates("Master_CDF", keep="last").set_index("Master_CDF")
    since = raw["feeder_dg_connected_since_refresh"]
    # several feeders: the largest, a negative one, a zero one and a few in between
    chosen = [since.idxmax(), since.idxmin(), since[since == 0].index[0], *since[since > 0].index[:3]]
    assert since[chosen[1]] < 0
    feeders = _feeders(real_run, "national_grid")
    for feeder in chosen:
        row = feeders[feeder]
        assert row["added_since_study_source"] == "utility_published"
        assert row["added_since_study_mw"] == pytest.approx(float(since[feeder]), abs=1e-9), feeder
        expected = float(raw.loc[feeder, "feeder_max_hc"]) - float(since[feeder]) - row["planned_der_mw"]
        assert row["headroom_since_study_mw"] == pytest.approx(expected, abs=1e-9), feeder
        assert row["headroom_after_queue_mw"] == pytest.approx(row["max_hc_mw"] - row["planned_der_mw"], abs=1e-9)
        assert row["binding_criterion_at_best"] == NOT_PUBLISHED  # the feeder file has no per-criterion limits
    assert sum(row["added_since_study_source"] == "utility_published" for row in feeders.values()) == len(raw)


def test_added_since_study_from_project_records_counts_installed_der_completed_after_the_study(sample_run: Run):
    ders = [d for d in sample_run.rows("ders") if d["utility"] == "coned" and d["status"] == "installed"]
    checked = 0
    for feeder in _feeders(sample_run, "coned").values():
        mine = [d for d in ders if d["feeder_id"] == feeder["feeder_id"] and "transmission" not in (d["quality_flags"] or "")]
        assert all(d["completion_date"] is not None for d in mine)
        after = sum(d["nameplate_kw"] or 0 for d in mine if d["completion_date"] > feeder["hca_refresh_date"]) / 1000
        assert feeder["added_since_study_source"] == "project_records"
        assert feeder["added_since_study_mw"] == pytest.approx(after, abs=1e-6)
        checked += after > 0
    assert checked >= 2


def test_a_feeder_with_undated_installed_der_has_no_derived_figure(sample_run: Run):
    """NYSEG/RG&E's installed file has no completion dates: the DER since the study is unknowable."""
    for feeder in _feeders(sample_run, "nyseg_rge").values():
        if feeder["installed_der_count"]:
            assert feeder["added_since_study_mw"] is None and feeder["added_since_study_source"] is None
            assert feeder["headroom_since_study_mw"] is None


def test_segment_binding_criterion_is_the_lowest_published_limit(sample_run: Run):
    segments = [s for s in sample_run.rows("feeder_segments") if s["utility"] in ("coned", "orange_rockland")]
    published = 0
    for segment in segments:
        limits = {HC_CRITERIA[f]: segment[f] for f in HC_CRITERIA if segment[f] is not None}
        if not limits:
            assert segment["binding_criterion"] == NOT_PUBLISHED and segment["binding_limit_mw"] is None
            continue
        published += 1
        assert segment["binding_limit_mw"] == min(limits.values())
        assert limits[segment["binding_criterion"]] == min(limits.values())
    assert published == len(segments) > 100
    for segment in sample_run.rows("feeder_segments"):
        if segment["utility"] in ("nyseg_rge", "central_hudson"):  # their files publish no per-criterion limits
            assert segment["binding_criterion"] == NOT_PUBLISHED


def test_feeder_binding_criterion_is_the_lowest_limit_at_its_best_and_worst_locations(sample_run: Run):
    segments = pd.DataFrame([s for s in sample_run.rows("feeder_segments") if s["utility"] == "coned"])
    for feeder in _feeders(sample_run, "coned").values():
        mine = segments[segments.feeder_id == feeder["feeder_id"]]
        limits = mine[list(HC_CRITERIA)].min(axis=1)
        for where, hc in (("best", mine.max_hc_mw.max()), ("worst", mine.max_hc_mw.min())):
            at = limits[mine.max_hc_mw == hc]
            assert feeder[f"binding_limit_at_{where}_mw"] == at.min()
            # rows tied at the location and the limit: the criterion first in HC_CRITERIA's order
            tied = mine.loc[at[at == at.min()].index]
            named = [w for f, w in HC_CRITERIA.items() if (tied[f] == at.min()).any()]
            assert feeder[f"binding_criterion_at_{where}"] == named[0]


def test_ages_are_days_from_each_date_to_the_snapshots_build_date(sample_run: Run):
    feeders = sample_run.hostcap.gold_table("feeders").to_pylist()
    as_of = snapshot_date(sample_run.lake.require_current())
    for feeder in feeders:
        assert feeder["as_of_date"] == as_of
        study = feeder["hca_refresh_date"]
        assert feeder["hca_age_days"] == (None if study is None else (as_of - study).days)
        der = feeder["der_data_date"]
        assert feeder["der_data_age_days"] == (None if der is None else (as_of - der).days)
    assert {f["utility"] for f in feeders if f["der_data_date"] is not None} == {"coned", "orange_rockland", "central_hudson"}


def test_months_before_keeps_the_day_or_takes_the_months_last():
    assert months_before(dt.date(2026, 10, 1), 24) == dt.date(2024, 10, 1)
    assert months_before(dt.date(2026, 3, 31), 1) == dt.date(2026, 2, 28)
    assert months_before(dt.date(2026, 1, 15), 13) == dt.date(2024, 12, 15)


@pytest.mark.parametrize("utility", ["coned", "central_hudson", "national_grid"])
def test_every_scenarios_headroom_equals_a_hand_computation(sample_run: Run, utility: str):
    served = {f["feeder_id"]: f for f in sample_run.hostcap.gold_table("feeders").to_pylist()}
    as_of = snapshot_date(sample_run.lake.require_current())
    cutoff = months_before(as_of, 24)
    queued = [
        d
        for d in sample_run.rows("ders")
        if d["utility"] == utility and d["status"] == "planned" and "transmission" not in (d["quality_flags"] or "")
    ]
    has_milestones = any(d["milestone_date"] for d in queued)
    assert has_milestones == (utility != "national_grid")  # SIR inventories publish the application approval
    chosen = sorted({d["feeder_id"] for d in queued if d["feeder_id"] in served})[:4]
    assert chosen
    for feeder_id in chosen:
        feeder, mine = served[feeder_id], [d for d in queued if d["feeder_id"] == feeder_id]
        kw = lambda ders: sum(d["nameplate_kw"] or 0 for d in ders) / 1000  # noqa: E731
        live = [
            d
            for d in mine
            if max((d[k] for k in ("queue_date", "application_date", "milestone_date") if d[k]), default=cutoff) >= cutoff
        ]
        assert feeder["headroom_after_queue_mw"] == pytest.approx(feeder["max_hc_mw"] - kw(mine), abs=1e-6)
        assert feeder["headroom_without_stale_mw"] == pytest.approx(feeder["max_hc_mw"] - kw(live), abs=1e-6)
        if has_milestones:
            passed = [d for d in mine if d["milestone_date"] is not None]
            assert feeder["headroom_past_milestone_mw"] == pytest.approx(feeder["max_hc_mw"] - kw(passed), abs=1e-6)
        else:
            assert feeder["headroom_past_milestone_mw"] is None


def test_substation_headroom_is_the_bank_rating_less_installed_and_queued(sample_run: Run):
    rows = sample_run.rows("substations")
    rated = [s for s in rows if s["bank_capacity_mw"] is not None]
    assert rated
    for s in rows:
        if s["bank_capacity_mw"] is None:
            assert s["bank_headroom_mw"] is None
        else:
            expected = s["bank_capacity_mw"] - s["installed_der_mw"] - s["planned_der_mw"]
            assert math.isclose(s["bank_headroom_mw"], expected, abs_tol=1e-9)

"""The pipeline on the real utility files: the facts the files' README pins, checked in gold.

Expected values are computed here from the raw files with the csv module, independently of the
pipeline, wherever a fact is not a published count.
"""

from __future__ import annotations

import csv
import math
from collections import defaultdict
from pathlib import Path

import pytest

from tests.conftest import REAL_FILES, Run


def kw(text: str) -> float:
    """A rating as the contract reads it: empty and null tokens are missing, counted as 0 kW."""
    return 0.0 if text.strip().upper() in ("", "NULL", "NONE", "NA", "N/A") else float(text)


def raw_rows(real_dir: Path, source_id: str) -> list[dict[str, str]]:
    with (real_dir / REAL_FILES[source_id]).open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def by_utility(run: Run, table: str, utility: str) -> list[dict]:
    return [row for row in run.rows(table) if row["utility"] == utility]


def test_refresh_publishes_and_conserves_every_row(real_run: Run):
    report = real_run.report
    assert report.status == "succeeded" and report.published
    expected_rows = {
        "nyseg_rge/installed_der": 13_727,
        "nyseg_rge/planned_der": 1_688,
        "national_grid/network": 1_909,
        "national_grid/installed_der": 25_537,
        "national_grid/planned_der": 30_957,
    }
    for source_id, rows in expected_rows.items():
        source = real_run.source(source_id)
        assert source.rows_in == rows, source_id
        assert source.loaded + source.quarantined + source.excluded == rows, source_id
    assert all(check.passed for check in report.checks), [c for c in report.checks if not c.passed]


def test_national_grid_feeders(real_run: Run):
    feeders = by_utility(real_run, "feeders", "national_grid")
    assert len(feeders) == 1_909
    assert len({f["native_feeder_id"] for f in feeders}) == 1_909
    assert sum(f["max_hc_mw"] > 5 for f in feeders) == 438
    assert sum(f["max_hc_mw"] > 0 for f in feeders) == 1_554
    leading_zero = [f for f in feeders if f["native_feeder_id"].split("_")[2].startswith("0")]
    assert len(leading_zero) == 83
    assert any(f["native_feeder_id"] == "36_31_09450" for f in feeders)


def test_national_grid_ders_counted_once(real_run: Run, real_dir: Path):
    ders = by_utility(real_run, "ders", "national_grid")
    statuses = defaultdict(int)
    for der in ders:
        statuses[der["status"]] += 1
    assert statuses == {"installed": 25_537, "planned": 6_268}
    assert len({d["native_der_id"] for d in ders}) == len(ders)
    installed_ids = {r["DER_ID"] for r in raw_rows(real_dir, "national_grid/installed_der")}
    planned_in_gold = {d["native_der_id"] for d in ders if d["status"] == "planned"}
    assert not planned_in_gold & installed_ids


def test_nyseg_installed_conflicting_duplicate_is_flagged(real_run: Run):
    ders = by_utility(real_run, "ders", "nyseg_rge")
    installed = [d for d in ders if d["status"] == "installed"]
    assert len(installed) == 13_726
    conflicted = [d for d in ders if "duplicate_conflict" in d["quality_flags"].split(",")]
    assert [d["native_der_id"] for d in conflicted] == ["12979"]
    planned = [d for d in ders if d["status"] == "planned"]
    assert len(planned) == 1_688


def test_nyseg_hybrids_are_one_record_with_their_breakdown(real_run: Run, real_dir: Path):
    raw = {r["ProjectID"]: r for r in raw_rows(real_dir, "nyseg_rge/installed_der") if r["Hybrid"] == "Y"}
    gold = {d["native_der_id"]: d for d in by_utility(real_run, "ders", "nyseg_rge") if d["hybrid"]}
    assert raw.keys() <= gold.keys()
    assert len(raw) > 100
    for project_id, row in raw.items():
        der = gold[project_id]
        assert der["solar_pv_kw"] == pytest.approx(float(row["SolarPV"]))
        assert der["storage_kw"] == pytest.approx(float(row["EnergyStorageSystem"]))
    pv_storage = [d for d in gold.values() if d["der_type_raw"] == "PVESS"]
    assert pv_storage and all(d["der_type"] == "solar_storage" for d in pv_storage)


def test_feeder_rollups_convert_kw_to_mw(real_run: Run, real_dir: Path):
    installed = raw_rows(real_dir, "national_grid/installed_der")
    installed_ids = {r["DER_ID"] for r in installed}
    expected_installed: dict[str, float] = defaultdict(float)
    expected_planned: dict[str, float] = defaultdict(float)
    for row in installed:
        expected_installed[row["DER_INTERCONNECTION_LOCATION"].strip().upper()] += kw(row["DER_NAMEPLATE_RATING"])
    for row in raw_rows(real_dir, "national_grid/planned_der"):
        if row["INTERCONNECTION_QUEUE_REQUEST_ID"] not in installed_ids:
            expected_planned[row["DER_INTERCONNECTION_LOCATION"].strip().upper()] += kw(row["DER_NAMEPLATE_RATING"])
    feeders = by_utility(real_run, "feeders", "national_grid")
    for feeder in feeders:
        fid = feeder["native_feeder_id"]
        assert feeder["installed_der_mw"] == pytest.approx(expected_installed.get(fid, 0.0) / 1000, abs=1e-9), fid
        assert feeder["planned_der_mw"] == pytest.approx(expected_planned.get(fid, 0.0) / 1000, abs=1e-9), fid
        assert math.isclose(feeder["headroom_after_queue_mw"], feeder["max_hc_mw"] - feeder["planned_der_mw"], abs_tol=1e-6)
    assert sum(f["installed_der_mw"] for f in feeders) > 100  # hundreds of MW, not hundreds of thousands


def test_bom_never_reaches_a_column_name(real_run: Run):
    bronze = real_run.lake.read_table("national_grid/installed_der", layer="bronze")
    assert "DER_ID" in bronze.column_names
    assert not any("\ufeff" in name for name in bronze.column_names)


def test_unknown_and_missing_feeders_are_flagged(real_run: Run):
    ders = by_utility(real_run, "ders", "national_grid")
    flags = [set(d["quality_flags"].split(",")) for d in ders]
    no_feeder = sum("no_feeder" in f for f in flags)
    unknown = sum("unknown_feeder" in f for f in flags)
    assert no_feeder > 0 and unknown > 0
    assert 100 < no_feeder + unknown < 2_000  # "null or unknown to the network file in ~400 rows" per file

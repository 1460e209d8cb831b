"""Every folder under tests/cases/bad is a bad input with its expected outcome (expected.yaml):
quarantined rows with their reasons, unparsed values kept as raw text, or a source error that
names the file and the column. Nothing is lost: rows are conserved in every case that loads."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

CASES = Path(__file__).parent / "cases" / "bad"


def case_files(case: Path) -> dict[str, bytes]:
    root = case / "files"
    return {path.relative_to(root).as_posix(): path.read_bytes() for path in root.rglob("*") if path.is_file()}


@pytest.mark.parametrize("case", sorted(p for p in CASES.iterdir() if p.is_dir()), ids=lambda p: p.name)
def test_bad_input(case: Path, run_files):
    expected = yaml.safe_load((case / "expected.yaml").read_text())
    run = run_files(case_files(case))
    source = run.source(expected["source"])
    if "source_error" in expected:
        assert source.status == "failed"
        for fragment in expected["source_error"]:
            assert fragment in source.error
        assert not run.report.published  # its only source failed: nothing to publish
        return
    assert source.status == "succeeded", source.error
    assert source.loaded + source.quarantined + source.excluded == source.rows_in
    if "quarantine" in expected:
        rows = run.lake.read_table(expected["source"], layer="quarantine").to_pylist()
        assert [{"row": r["_row"], "reason": r["_reason"]} for r in rows] == expected["quarantine"]
    if "silver_rows" in expected:
        assert source.loaded == expected["silver_rows"]
    for item in expected.get("unparsed", []):
        silver = run.lake.read_table(expected["source"], layer="silver").to_pylist()
        (row,) = [r for r in silver if r["_row"] == item["row"]]
        assert row["unparsed_values"] == item["values"]
        assert "unparsed_value" in row["quality_flags"].split(",")

"""Every folder under tests/cases/bad is a bad input with its expected outcome (expected.yaml):
quarantined rows with their reasons, unparsed values kept as raw text, or a source error that
names the file and the column. Nothing is lost: rows are conserved in every case that loads."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
import yaml

from tests.test_units import sir_workbook

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


NETWORK_HEADER = (
    "Master_CDF,feeder_voltage,feeder_max_hc,feeder_min_hc,feeder_dg_connected_since_refresh,hca_refresh_date,color,shape_length"
)
NETWORK_ROW = "36_01_00001,13.2,5,1,0,,green,1"


def test_a_file_wider_than_4096_columns_loads_in_a_real_refresh(run_files):
    hours = range(1, 4201)  # hourly values: numeric headers over numbers, past the 4,096th column
    header = NETWORK_HEADER + "," + ",".join(map(str, hours))
    row = NETWORK_ROW + "," + ",".join("0.5" for _ in hours)
    run = run_files({"national_grid/network/feeders.csv": f"{header}\n{row}\n"})
    source = run.source("national_grid/network")
    assert (source.status, source.loaded, run.report.status) == ("succeeded", 1, "succeeded"), source.error
    assert source.unmapped_columns[-1] == "4200"


def rewritten(book: bytes, part: str, old: bytes, new: bytes) -> bytes:
    """The workbook with `old` replaced by `new` in one of its zip parts."""
    source, buffer = zipfile.ZipFile(io.BytesIO(book)), io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info)
            target.writestr(info, content.replace(old, new) if info.filename == part else content)
    return buffer.getvalue()


def test_sir_headers_with_a_footnote_inside_the_cell_load_in_a_real_refresh(run_files):
    book = sir_workbook("SIR", [{"Application /": "ORU-1", "PV": 7.5, "Project Complete": "Y"}])
    for old, new in ((b"Application /", b"Application1 /"), (b"Project Complete", b"Project Complete4")):
        book = rewritten(book, "xl/sharedStrings.xml", old, new)
    run = run_files({"orange_rockland/der/sir.xlsx": book})
    source = run.source("orange_rockland/der")
    assert (source.status, source.loaded) == ("succeeded", 1), source.error
    assert run.rows("ders")[0]["native_der_id"] == "ORU-1"


def test_a_link_out_of_the_source_root_is_refused_and_reported(run_files, tmp_path: Path):
    secret = tmp_path / "secret.csv"
    secret.write_text(f"{NETWORK_HEADER}\n36_99_00001,13.2,5,1,0,,SECRET,1\n")
    folder = tmp_path / "src" / "national_grid" / "network"
    folder.mkdir(parents=True)
    (folder / "a_outside.csv").symlink_to(secret)
    run = run_files({"national_grid/network/feeders.csv": f"{NETWORK_HEADER}\n{NETWORK_ROW}\n"})
    source = run.source("national_grid/network")
    assert source.status == "failed"
    assert source.error == (
        "national_grid/network, file national_grid/network/a_outside.csv: "
        "refused: a symbolic link to a file outside the source root"
    )
    assert "a_outside.csv" in run.hostcap.validate()["national_grid/network"][0]


def test_a_link_inside_the_source_root_is_read(run_files, tmp_path: Path):
    folder = tmp_path / "src" / "national_grid" / "network"
    folder.mkdir(parents=True)
    (folder / "current.csv").symlink_to(folder / "feeders.csv.bak")
    run = run_files({"national_grid/network/feeders.csv.bak": f"{NETWORK_HEADER}\n{NETWORK_ROW}\n"})
    source = run.source("national_grid/network")
    assert (source.status, source.loaded, [f.path for f in source.files]) == (
        "succeeded",
        1,
        ["national_grid/network/current.csv"],
    ), source.error


def test_a_header_repeated_in_another_case_fails_its_source_naming_both(run_files):
    header = NETWORK_HEADER.replace("feeder_min_hc", "FEEDER_MAX_HC")
    run = run_files({"national_grid/network/feeders.csv": f"{header}\n{NETWORK_ROW}\n"})
    source = run.source("national_grid/network")
    assert source.status == "failed"
    assert source.error.endswith(
        "the columns 'feeder_max_hc' and 'FEEDER_MAX_HC' all carry 'feeder_max_hc' (for feeder_max_hc_mw); keep one of them"
    )

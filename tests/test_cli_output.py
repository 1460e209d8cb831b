"""What the CLI prints: nothing from a file drives the terminal, numbers are never cut, and
`--json` is there for scripts."""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from hostcap.report import RefreshReport
from hostcap.terminal import SafeFormatter
from tests.conftest import REPO, SAMPLE, copy_configs

#: terminal control characters: C0 but the output's own line breaks, DEL, C1, bidi overrides
CONTROL = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
SOURCES = ["national_grid/network", "central_hudson/network"]
EVIL_NAME = "net\x1b]0;pwned\x07.csv"
EVIL_HEADER = "note\x1b[2J\x9b31m"


def hostile_source(tmp_path: Path) -> tuple[Path, Path]:
    """Sources where national_grid/network is one file whose name carries an OSC title sequence
    and lacks a required column (so the source fails, naming the file), and central_hudson's
    network has an extra header with a clear-screen sequence (reported as drift)."""
    source = tmp_path / "src"
    for source_id in SOURCES:
        shutil.copytree(SAMPLE / source_id, source / source_id)
    network = source / "national_grid" / "network"
    for path in network.iterdir():
        path.unlink()
    (network / EVIL_NAME).write_text("Master_CDF,feeder_voltage\r\n36_01_00001,13.2\r\n")
    (hudson,) = (source / "central_hudson" / "network").iterdir()
    lines = hudson.read_text(encoding="utf-8-sig").splitlines()
    hudson.write_text("\n".join([f"{lines[0]},{EVIL_HEADER}", *(f"{line},x" for line in lines[1:])]) + "\n")
    return source, copy_configs(tmp_path / "cfg", SOURCES)


def cli(*args: str, columns: int = 40, env: dict | None = None) -> subprocess.CompletedProcess:
    """`hostcap` in its own process, its output a pipe (as under systemd or CI), `columns` wide."""
    return subprocess.run(
        [sys.executable, "-c", "from hostcap.cli import app; app(prog_name='hostcap')", *args],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=REPO,
        env={**os.environ, "COLUMNS": str(columns), **(env or {})},
    )


def test_terminal_escapes_from_files_are_shown_escaped_in_refresh_and_runs(tmp_path: Path):
    source, configs = hostile_source(tmp_path)
    lake = str(tmp_path / "lake")
    refreshed = cli("refresh", "--source", str(source), "--lake", lake, "--config", str(configs), columns=200)
    assert refreshed.returncode == 1, refreshed.stderr
    assert "published: yes" in refreshed.stdout
    assert "file national_grid/network/net\\x1b]0;pwned\\x07.csv: required column" in refreshed.stderr
    (run_id,) = [p.stem for p in (tmp_path / "lake" / "runs").iterdir()]
    shown = cli("runs", "show", run_id, "--lake", lake, columns=200)
    assert shown.returncode == 0, shown.stderr
    (drift,) = [line for line in shown.stdout.splitlines() if "columns not mapped (drift)" in line]
    assert drift.startswith("central_hudson/network: ") and drift.endswith(", note\\x1b[2J\\x9b31m")
    listed = cli("runs", "--lake", lake)
    validated = cli("validate", "--source", str(source), "--config", str(configs))
    assert validated.returncode == 2 and "net\\x1b]0;pwned\\x07.csv" in validated.stdout
    for result in (refreshed, shown, listed, validated):
        assert not CONTROL.search(result.stdout + result.stderr), repr(CONTROL.search(result.stdout + result.stderr))
    # the lake keeps what the file said, byte for byte; only its display is escaped
    report = RefreshReport.model_validate_json((tmp_path / "lake" / "runs" / f"{run_id}.json").read_text())
    assert EVIL_NAME in report.failed_sources[0].error


def test_log_lines_show_file_text_escaped_and_stay_one_line():
    record = logging.LogRecord(
        "hostcap.refresh", logging.WARNING, __file__, 1, "source failed: %s", (EVIL_NAME + "\nFAKE",), None
    )
    line = SafeFormatter("%(levelname)s %(name)s: %(message)s").format(record)
    assert line == "WARNING hostcap.refresh: source failed: net\\x1b]0;pwned\\x07.csv\\nFAKE"


def test_numbers_and_ids_are_whole_in_narrow_piped_output_and_json_parses(tmp_path: Path):
    source = tmp_path / "src"
    shutil.copytree(SAMPLE / "central_hudson", source / "central_hudson")
    configs = copy_configs(tmp_path / "cfg", ["central_hudson/network", "central_hudson/der"])
    lake = str(tmp_path / "lake")
    base = ("--source", str(source), "--config", str(configs))
    refreshed = cli("refresh", *base, "--lake", lake, columns=30)
    assert refreshed.returncode == 0, refreshed.stderr
    report = RefreshReport.model_validate(json.loads(cli("runs", "show", "--json", _only_run(lake), "--lake", lake).stdout))
    assert "…" not in refreshed.stdout
    for s in report.sources:
        (line,) = [line for line in refreshed.stdout.splitlines() if s.source in line]
        cells = [cell.strip() for cell in line.split("│")[1:-1]]
        assert cells == [
            s.source,
            s.status,
            str(len(s.files)),
            f"{s.rows_in:,}",
            f"{s.loaded:,}",
            f"{s.quarantined:,}",
            f"{s.excluded:,}",
            f"{s.duration_s:.2f}",
        ]
    assert max(s.rows_in for s in report.sources) >= 1000  # a number with a thousands separator
    assert f"{report.gold['feeder_segments']:,}" in refreshed.stdout

    listed = cli("runs", "--lake", lake, columns=30)
    assert report.run_id in listed.stdout and "…" not in listed.stdout
    assert [r["run_id"] for r in json.loads(cli("runs", "--json", "--lake", lake).stdout)] == [report.run_id]
    snapshots = json.loads(cli("snapshots", "--json", "--lake", lake).stdout)
    assert [(s["snapshot"], s["current"]) for s in snapshots] == [(report.run_id, True)]
    assert json.loads(cli("validate", "--json", *base).stdout) == {"central_hudson/network": [], "central_hudson/der": []}
    again = cli("refresh", "--json", *base, "--lake", lake)
    assert again.returncode == 0 and json.loads(again.stdout)["status"] == "unchanged"


def _only_run(lake: str) -> str:
    (run,) = [p.stem for p in (Path(lake) / "runs").iterdir()]
    return run

"""`hostcap fetch`, `hostcap sources`, `hostcap refresh --fetch` and fetching before every refresh."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from hostcap.acquire.settings import FetchSettings
from hostcap.cli import app
from tests.acquire.conftest import FAST, layer_path, live_hostcap
from tests.acquire.emulator import Fault
from tests.acquire.layers import cecony_family
from tests.acquire.test_arcgis_pull import CONED

FAST_ENV = {f"HOSTCAP_FETCH_{name.upper()}": str(value) for name, value in FAST.model_dump().items() if name != "user_agent"}


def _run(*args: str, env: dict | None = None):
    return CliRunner().invoke(app, list(args), env={**FAST_ENV, **(env or {})})


def test_fetch_sources_and_refresh_with_fetch_on_the_command_line(tmp_path, emulator):
    hostcap = live_hostcap(tmp_path, emulator.url, [CONED])
    emulator.layers[layer_path(hostcap, CONED)] = cecony_family(30, max_record_count=7)
    where = ["--source", str(tmp_path / "src"), "--config", str(hostcap.settings.config_dir)]

    fetched = _run("fetch", CONED, *where)
    assert fetched.exit_code == 0, fetched.output
    assert "coned/network" in fetched.output and "fetched" in fetched.output and "30" in fetched.output

    listed = json.loads(_run("sources", *where, "--json").stdout)
    [row] = [r for r in listed if r["source"] == CONED]
    assert row["kind"] == "arcgis" and row["last_fetch"] == "fetched" and row["last_pull"]
    assert row["upstream_last_edit"] == "2023-11-14T22:13:20+00:00" and row["upstream"].startswith(emulator.url)

    unknown = _run("fetch", "coned/nope", *where)
    assert unknown.exit_code == 2 and "no source 'coned/nope'" in unknown.stderr

    emulator.layers[layer_path(hostcap, CONED)].last_edit += 1
    emulator.faults = [Fault(lambda p, q: q.get("resultOffset") == "7", status=500, times=99)]
    refreshed = _run("refresh", "--fetch", *where, "--lake", str(tmp_path / "lake"), "--json")
    report = json.loads(refreshed.stdout)
    assert refreshed.exit_code == 1 and report["published"]  # published from the last good pull
    [source] = report["sources"]
    assert source["status"] == "stale" and "page 2, resultOffset=7" in source["error"] and "HTTP 500" in source["error"]


def test_the_before_refresh_setting_fetches_on_every_refresh(tmp_path, emulator, monkeypatch):
    monkeypatch.setenv("HOSTCAP_FETCH_BEFORE_REFRESH", "true")
    hostcap = live_hostcap(tmp_path, emulator.url, [CONED], before_refresh=FetchSettings().before_refresh)
    emulator.layers[layer_path(hostcap, CONED)] = cecony_family(12, max_record_count=5)
    report = hostcap.refresh(trigger="schedule")
    assert report.published and report.gold["feeder_segments"] == 12
    assert hostcap.refresh(trigger="watch").status == "unchanged"


def test_every_fetch_setting_and_command_is_in_the_readme():
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    for name in FetchSettings.model_fields:
        assert f"`HOSTCAP_FETCH_{name.upper()}`" in readme, name
    for text in ("`hostcap fetch [", "`hostcap sources [", "`hostcap refresh --fetch`", "## Live sources"):
        assert text in readme, text

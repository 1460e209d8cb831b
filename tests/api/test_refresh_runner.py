"""One refresh path: a refresh whose configs fail to load is a run like any other, with its report in
the lake, whoever started it (the watcher and the schedule: tests/test_orchestration.py)."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from hostcap.cli import app
from hostcap.core import Hostcap


def break_configs(hostcap: Hostcap) -> None:
    (Path(hostcap.settings.config_dir) / "national_grid" / "network.yaml").write_text("utility: [unclosed\n")


def listed_runs(hostcap: Hostcap) -> list[dict]:
    """`hostcap runs --json`: what the CLI lists."""
    listed = CliRunner().invoke(app, ["runs", "--json", "--lake", hostcap.settings.lake_dir])
    assert listed.exit_code == 0, listed.output
    return json.loads(listed.stdout)


def test_a_cli_refresh_whose_configs_fail_to_load_is_a_failed_run_in_the_lake(refreshable):
    break_configs(refreshable)
    before = set(refreshable.lake.runs())
    settings = refreshable.settings
    refreshed = CliRunner().invoke(
        app,
        ["refresh", "--json", "--source", settings.source_dir, "--lake", settings.lake_dir, "--config", str(settings.config_dir)],
    )
    assert refreshed.exit_code != 0
    (run_id,) = set(refreshable.lake.runs()) - before
    report = refreshable.lake.read_report(run_id)
    assert report["status"] == "failed" and "network.yaml" in report["error"] and report["trigger"] == "manual"
    assert json.loads(refreshed.stdout)["run_id"] == run_id
    assert next(r for r in listed_runs(refreshable) if r["run_id"] == run_id)["status"] == "failed"


def test_an_api_refresh_whose_configs_fail_to_load_is_listed_by_the_cli_and_after_a_restart(
    make_client, refreshable, api_settings, wait_for
):
    break_configs(refreshable)
    with make_client(refreshable, api_settings()) as client:
        run_id = client.post("/v1/refreshes").json()["data"]["run_id"]
        wait_for(lambda: client.get(f"/v1/refreshes/{run_id}").json()["data"]["status"] != "running", "the failure")
        detail = client.get(f"/v1/refreshes/{run_id}").json()
        assert detail["data"]["status"] == "failed" and "network.yaml" in detail["data"]["error"]
        assert detail["report"] == refreshable.lake.read_report(run_id)
        assert client.get("/v1/feeders").json()["count"] == 51  # still the old snapshot
        served = client.get("/v1/refreshes").json()["data"]
    # a new server over the same lake (a restart) knows the run from the lake alone, as the CLI does
    with make_client(Hostcap(refreshable.settings), api_settings()) as restarted:
        assert restarted.get("/v1/refreshes").json()["data"] == served
        assert restarted.get(f"/v1/refreshes/{run_id}").json()["data"]["status"] == "failed"
    cli = {r["run_id"]: r["status"] for r in listed_runs(refreshable)}
    assert cli[run_id] == "failed" and set(cli) == {r["run_id"] for r in served}

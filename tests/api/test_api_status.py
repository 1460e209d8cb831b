"""`/v1/status`, and the watcher and scheduler of `serve --watch` running inside the app."""

from __future__ import annotations

import datetime as dt

from hostcap.orchestration import OrchestrationSettings
from hostcap.orchestration.schedule import Schedule


def test_a_server_without_orchestration_runs_nothing_by_itself(client):
    body = client.get("/v1/status").json()
    assert body["data"] == {
        "watch": None,
        "schedule": None,
        "running": False,
        "last": None,
        "refresh_running": None,
        "fallback": None,
    }
    assert body["meta"]["snapshot"]


def test_the_watcher_refreshes_through_the_server_and_status_shows_it_and_the_schedule(
    refreshable, make_client, api_settings, wait_for
):
    settings = OrchestrationSettings(schedule="0 6 1 * *", schedule_timezone="UTC", watch_quiet_s=0.3, watch_mode="events")
    old = refreshable.lake.current()
    expected_next = Schedule("0 6 1 * *").next_after(dt.datetime.now(dt.UTC)).isoformat()
    with make_client(refreshable, api_settings(), orchestration=settings, watch=True) as client:
        # the lake was built from every sample source and this server's config has two: the content
        # differs from the published snapshot's, so the watcher refreshes as it starts
        wait_for(
            lambda: (client.get("/v1/status").json()["data"]["last"] or {}).get("outcome") == "ran",
            "the watcher's refresh",
            timeout_s=120,
        )
        body = client.get("/v1/status").json()
        status = body["data"]
        assert status["watch"] == {
            "mode": "events",
            "quiet_s": 0.3,
            "poll_s": None,
            "changes_noticed": 0,
            "checks": 1,
            "refreshes": 1,
            "pending": False,
        }
        assert status["schedule"] == {"expression": "0 6 1 * *", "timezone": "UTC", "next_run": expected_next, "refreshes": 0}
        assert status["refresh_running"] is None and not status["running"]
        run_id = status["last"]["run_id"]
        assert body["meta"]["snapshot"] == run_id != old  # served as soon as it finished
        run = client.get(f"/v1/refreshes/{run_id}").json()["data"]
        assert run["trigger"] == "watch" and run["status"] == "succeeded"
        # one refresh at a time: the API's own requests go through the same refresher
        assert client.get("/readyz").json()["snapshot"] == run_id

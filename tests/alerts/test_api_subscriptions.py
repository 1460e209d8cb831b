"""`/v1/subscriptions` (key required, secrets never shown), the delivery log, the Atom feeds, and
the CLI's `subscriptions` and `notify --dry-run`."""

from __future__ import annotations

import json
import re
import warnings
from xml.etree import ElementTree as ET

from hostcap.alerts.atom import NS
from hostcap.api import create_app
from hostcap.api.settings import ApiSettings
from tests.alerts.conftest import Receiver

KEY = {"X-API-Key": "test-key-0123456789"}
SECRET = "api-secret-0123456789abc"
RFC3339 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")


def _client(hostcap):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # starlette's TestClient warns about its httpx dependency
        from fastapi.testclient import TestClient
    return TestClient(create_app(hostcap, ApiSettings(api_key=KEY["X-API-Key"], api_reload_interval_s=0)))


def test_subscriptions_need_the_key_and_never_show_the_secret(lakes, receiver: Receiver):
    lake = lakes()
    body = {
        "url": receiver.url,
        "secret": SECRET,
        "description": "mine",
        "filter": {"feeder_ids": ["36_30_0001"]},
        "triggers": {"headroom_below_mw": 2},
    }
    with _client(lake.hostcap) as client:
        assert client.post("/v1/subscriptions", json=body).status_code == 401
        assert client.get("/v1/subscriptions").status_code == 401
        made = client.post("/v1/subscriptions", json=body, headers=KEY)
        assert made.status_code == 201, made.text
        found = made.json()["id"]
        listed = client.get("/v1/subscriptions", headers=KEY)
        assert listed.json()["count"] == 1 and listed.json()["data"][0]["id"] == found
        for response in (made, listed, client.get(f"/v1/subscriptions/{found}", headers=KEY)):
            assert SECRET not in response.text and "secret" not in response.text
        assert client.get("/v1/subscriptions/sub_0000000000000000", headers=KEY).status_code == 404
        assert client.get("/v1/subscriptions/../../CURRENT", headers=KEY).status_code == 404

        snapshot = lake.publish()
        assert lake.hostcap.notifier.drain(30)
        log = client.get(f"/v1/subscriptions/{found}/deliveries", headers=KEY)
        assert log.status_code == 200 and SECRET not in log.text
        [delivery] = log.json()["data"]
        assert (delivery["status"], delivery["snapshot"], delivery["event_count"]) == ("delivered", snapshot, 1)
        assert len(receiver.received) == 1

        assert client.delete(f"/v1/subscriptions/{found}").status_code == 401
        assert client.delete(f"/v1/subscriptions/{found}", headers=KEY).status_code == 204
        assert client.get(f"/v1/subscriptions/{found}/deliveries", headers=KEY).status_code == 404
    # stored in the lake: a new app over it (a restart) sees what was stored
    with _client(lake.hostcap) as client:
        assert client.get("/v1/subscriptions", headers=KEY).json()["count"] == 0


def test_bad_urls_and_private_destinations_are_refused(lakes):
    lake = lakes(webhook_allow_private=False)
    triggers = {"feeder_presence": True}
    with _client(lake.hostcap) as client:
        for url in (
            "file:///etc/passwd",
            "ftp://example.org/",
            "gopher://example.org",
            "http://user:pw@example.org/",
            "http:///nohost",
            "http://127.0.0.1:8080/",
            "http://10.1.2.3/",
            "http://169.254.169.254/latest/meta-data",
            "http://[::1]/",
            "http://[::ffff:192.168.0.1]/",
            "http://localhost/",
            "http://0.0.0.0/",
        ):
            response = client.post("/v1/subscriptions", json={"url": url, "secret": SECRET, "triggers": triggers}, headers=KEY)
            assert response.status_code == 422, (url, response.text)
        assert (
            client.post("/v1/subscriptions", json={"url": "https://example.org/h", "triggers": triggers}, headers=KEY).status_code
            == 422
        )
        assert (
            client.post(
                "/v1/subscriptions", json={"url": "https://example.org/h", "secret": SECRET, "triggers": {}}, headers=KEY
            ).status_code
            == 422
        )
        assert client.get("/v1/subscriptions", headers=KEY).json()["count"] == 0


def _atom(response) -> ET.Element:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/atom+xml")
    feed = ET.fromstring(response.content)
    assert feed.tag == f"{{{NS}}}feed"
    for element in (feed, *feed.findall(f"{{{NS}}}entry")):
        assert element.findtext(f"{{{NS}}}id").startswith("urn:hostcap:")
        assert element.findtext(f"{{{NS}}}title")
        assert RFC3339.match(element.findtext(f"{{{NS}}}updated"))
    assert feed.find(f"{{{NS}}}author/{{{NS}}}name") is not None
    return feed


def _links(feed: ET.Element) -> dict[str, str]:
    return {link.get("rel"): link.get("href") for link in feed.findall(f"{{{NS}}}link")}


def test_atom_feeds_validate_and_page(lakes):
    lake = lakes()
    feed_only = lake.subscribe(
        None, filter={"feeder_ids": ["36_30_0001"]}, triggers={"headroom_below_mw": 2}, description="feeder 1"
    )
    first = lake.hostcap.lake.current()
    second = lake.publish()
    from tests.alerts.conftest import BEFORE
    from tests.conftest import write_files

    write_files(lake.source, BEFORE)
    third = lake.hostcap.refresh().snapshot
    with _client(lake.hostcap) as client:
        feed = _atom(client.get("/v1/changes.atom", params={"limit": 1}))
        [entry] = feed.findall(f"{{{NS}}}entry")
        assert entry.findtext(f"{{{NS}}}id") == f"urn:hostcap:changes:{second}:{third}"
        links = _links(feed)
        assert "previous" not in links and {"self", "first", "next"} <= set(links)
        page_two = _atom(client.get(links["next"].replace("http://testserver", "")))
        assert [e.findtext(f"{{{NS}}}id") for e in page_two.findall(f"{{{NS}}}entry")] == [
            f"urn:hostcap:changes:{first}:{second}"
        ]
        assert "next" not in _links(page_two) and "previous" in _links(page_two)
        whole = _atom(client.get("/v1/changes.atom"))
        ids = [e.findtext(f"{{{NS}}}id") for e in whole.findall(f"{{{NS}}}entry")]
        assert len(ids) == len(set(ids)) == 2

        mine = _atom(client.get(f"/v1/subscriptions/{feed_only}/changes.atom"))
        [entry] = mine.findall(f"{{{NS}}}entry")  # the way back up (third) crosses no threshold downwards
        assert entry.findtext(f"{{{NS}}}id") == f"urn:hostcap:subscription:{feed_only}:{second}"
        assert "headroom_below: national_grid feeder 36_30_0001" in entry.findtext(f"{{{NS}}}content")
        assert client.get("/v1/subscriptions/sub_0000000000000000/changes.atom").status_code == 404
        assert client.get("/v1/changes.atom", params={"page": 0}).status_code == 422


def test_cli_subscriptions_and_notify_dry_run(lakes, receiver: Receiver):
    from typer.testing import CliRunner

    from hostcap.cli import app

    lake = lakes()
    runner = CliRunner(env={"HOSTCAP_WEBHOOK_ALLOW_PRIVATE": "1"})
    at = ["--lake", lake.hostcap.settings.lake_dir]
    added = runner.invoke(
        app, ["subscriptions", "add", "--url", receiver.url, "--feeder", "36_30_0001", "--headroom-below", "2", *at, "--json"]
    )
    assert added.exit_code == 0, added.output
    made = json.loads(added.output)
    assert len(made["secret"]) >= 32  # generated, shown this once
    listed = runner.invoke(app, ["subscriptions", "list", *at, "--json"])
    assert [s["id"] for s in json.loads(listed.output)] == [made["id"]] and made["secret"] not in listed.output
    assert runner.invoke(app, ["subscriptions", "add", "--url", "ftp://x/", *at]).exit_code == 2
    refused = CliRunner().invoke(app, ["subscriptions", "add", "--url", receiver.url, "--feeder-presence", *at])
    assert refused.exit_code == 2 and "loopback" in refused.output

    write_files_after(lake)
    dry = runner.invoke(app, ["notify", "--dry-run", *at, "--json"])
    assert dry.exit_code == 0, dry.output
    [notification] = json.loads(dry.output)
    assert notification["subscription_id"] == made["id"] and notification["body"]["events"][0]["type"] == "headroom_below"
    assert receiver.received == [] and lake.hostcap.notifier.outbox.batches() == []  # nothing sent or written

    assert runner.invoke(app, ["subscriptions", "remove", made["id"], *at]).exit_code == 0
    assert json.loads(runner.invoke(app, ["subscriptions", "list", *at, "--json"]).output) == []
    assert runner.invoke(app, ["subscriptions", "remove", made["id"], *at]).exit_code == 4


def write_files_after(lake) -> None:
    """Publish AFTER with the notifier idle (its subscription is then notified by the refresh
    itself); the dry run then recomputes the same notification without sending it."""
    lake.hostcap.alerts.webhook_allow_private = False  # the refresh's own delivery is refused, not sent
    lake.publish()
    assert lake.hostcap.notifier.drain(30)


def test_every_webhook_setting_and_command_is_in_the_readme():
    from pathlib import Path

    from hostcap.alerts import AlertSettings

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    for name in AlertSettings.model_fields:
        assert f"`HOSTCAP_{name.upper()}`" in readme, name
    for text in (
        "`hostcap subscriptions add [",
        "`hostcap notify [--dry-run]",
        "X-Hostcap-Signature",
        "Idempotency-Key",
        "/v1/changes.atom",
        "/v1/subscriptions/{id}/deliveries",
    ):
        assert text in readme, text

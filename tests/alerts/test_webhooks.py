"""Webhooks after a publish, to a real receiver on 127.0.0.1: one signed delivery per matching
subscription, none for the others; retries, failure, timeouts, and refused destinations."""

from __future__ import annotations

import json
import socket

import pytest

from tests.alerts.conftest import Receiver, verify


def _log(lakes, subscription_id: str) -> list:
    return lakes.hostcap.notifier.outbox.log(subscription_id, 10)


def test_one_signed_delivery_per_matching_subscription(lakes, receiver: Receiver):
    lake = lakes()
    secrets = {}

    def subscribe(secret: str, **spec) -> str:
        found = lake.subscribe(receiver.url, secret=secret, **spec)
        secrets[found] = secret
        return found

    headroom = subscribe("headroom-secret-0001", filter={"feeder_ids": ["36_30_0001"]}, triggers={"headroom_below_mw": 2})
    presence = subscribe("presence-secret-0002", filter={"utilities": ["National_Grid"]}, triggers={"feeder_presence": True})
    queue = subscribe("queue-secret-00000003", triggers={"der_min_kw": 1000})
    unchanged = subscribe(
        "quiet-secret-00000004",
        filter={"feeder_ids": ["36_30_0003"]},
        triggers={"headroom_below_mw": 10, "max_hc_change_pct": 1, "der_min_kw": 0, "feeder_presence": True},
    )
    elsewhere = subscribe("other-secret-00000005", filter={"utilities": ["coned"]}, triggers={"feeder_presence": True})
    small = subscribe("small-secret-00000006", triggers={"der_min_kw": 5000})
    snapshot = lake.publish()
    assert lake.hostcap.notifier.drain(30)

    by_subscription = {}
    for request in receiver.received:
        body = json.loads(request.body)
        assert body["subscription_id"] not in by_subscription, "one delivery per subscription and publish"
        assert verify(secrets[body["subscription_id"]], request.headers, request.body)
        assert request.headers["Idempotency-Key"] == f"{body['subscription_id']}:{snapshot}" == body["id"]
        by_subscription[body["subscription_id"]] = body
    assert set(by_subscription) == {headroom, presence, queue}
    assert [
        (e["type"], e["native_feeder_id"], e["old_headroom_mw"], e["new_headroom_mw"])
        for e in by_subscription[headroom]["events"]
    ] == [("headroom_below", "36_30_0001", 2.5, -1.0)]
    assert sorted((e["type"], e["native_feeder_id"]) for e in by_subscription[presence]["events"]) == [
        ("feeder_added", "36_30_0004"),
        ("feeder_removed", "36_30_0002"),
    ]
    assert [(e["type"], e["native_der_id"], e["new_status"]) for e in by_subscription[queue]["events"]] == [
        ("der_joined_queue", "900002", "planned")
    ]
    assert all(body["snapshot"] == snapshot and body["event_count"] == len(body["events"]) for body in by_subscription.values())
    for found in (headroom, presence, queue):
        [delivery] = _log(lake, found)
        assert (delivery.status, delivery.snapshot, len(delivery.attempts)) == ("delivered", snapshot, 1)
        assert delivery.attempts[0].status_code == 200 and len(delivery.attempts[0].excerpt) == 200
    assert all(_log(lake, found) == [] for found in (unchanged, elsewhere, small))
    assert lake.hostcap.notifier.outbox.batches() == []  # every notification final: the outbox is empty


def test_receiver_down_then_back_is_delivered_after_a_retry(lakes, wait_for):
    receiver = Receiver().start()
    receiver.stop()  # its port now refuses connections
    lake = lakes(webhook_backoff_s=0.2, webhook_backoff_max_s=0.5)
    found = lake.subscribe(receiver.url, triggers={"feeder_presence": True})
    lake.publish()
    wait_for(lambda: any(d.attempts for d in _log(lake, found)), "a failed first attempt")
    [pending] = _log(lake, found)
    assert pending.status == "pending" and pending.attempts[0].status_code is None
    receiver.start()
    try:
        assert lake.hostcap.notifier.drain(30)
        [delivery] = _log(lake, found)
        assert delivery.status == "delivered" and len(delivery.attempts) >= 2
        assert len(receiver.received) == 1
    finally:
        receiver.stop()


def test_a_receiver_always_failing_is_marked_failed_and_the_publish_stands(lakes):
    receiver = Receiver(respond=lambda n: (500, 0.0)).start()
    try:
        lake = lakes(webhook_retry_for_s=1.0)
        found = lake.subscribe(receiver.url, triggers={"feeder_presence": True})
        snapshot = lake.publish()
        assert lake.hostcap.lake.current() == snapshot
        assert lake.hostcap.notifier.drain(30)
        [delivery] = _log(lake, found)
        assert delivery.status == "failed" and delivery.finished_at
        assert len(delivery.attempts) >= 3 and {a.status_code for a in delivery.attempts} == {500}
        assert delivery.attempts[-1].error == "HTTP 500" and delivery.attempts[-1].excerpt.startswith("answer ")
        assert len(receiver.received) == len(delivery.attempts)
        assert len({r.headers["Idempotency-Key"] for r in receiver.received}) == 1
    finally:
        receiver.stop()


def test_a_slow_receiver_times_out(lakes):
    receiver = Receiver(respond=lambda n: (200, 3.0)).start()
    try:
        lake = lakes(webhook_timeout_s=0.3, webhook_retry_for_s=0)
        found = lake.subscribe(receiver.url, triggers={"feeder_presence": True})
        lake.publish()
        assert lake.hostcap.notifier.drain(30)
        [delivery] = _log(lake, found)
        assert delivery.status == "failed" and delivery.attempts[0].error == "timed out after 0.3 s"
        assert delivery.attempts[0].duration_ms < 2000
    finally:
        receiver.stop()


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:{port}/hook", "http://localhost:{port}/hook", "http://hooks.example.org:{port}/hook"]
)
def test_private_destinations_are_refused_where_it_connects(lakes, receiver: Receiver, monkeypatch, url):
    """A subscription made while private destinations were allowed (or a name that resolves
    somewhere private only later) is refused at connect time, on the address resolved then."""
    lake = lakes()
    found = lake.subscribe(url.format(port=receiver.port), triggers={"feeder_presence": True})
    real = socket.getaddrinfo

    def resolve(host, *args, **kwargs):  # the name now leads to this machine (DNS rebinding)
        return real("127.0.0.1" if host == "hooks.example.org" else host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", resolve)
    lake.hostcap.notifier.settings.webhook_allow_private = False
    lake.publish()
    assert lake.hostcap.notifier.drain(30)
    [delivery] = _log(lake, found)
    assert delivery.status == "failed" and len(delivery.attempts) == 1
    assert delivery.attempts[0].error.startswith("refused: ") and "loopback" in delivery.attempts[0].error
    assert receiver.received == []

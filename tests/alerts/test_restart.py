"""A `hostcap refresh` killed while its notification is being delivered: the outbox in the lake
keeps it, and the next process delivers it, with the same idempotency key and body."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from tests.alerts.conftest import AFTER, Receiver, verify
from tests.conftest import write_files

SECRET = "restart-secret-0123456789"


def _hostcap(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", "from hostcap.cli import app; app()", *args], capture_output=True, text=True, env=env, timeout=120
    )


def test_killed_mid_delivery_is_delivered_after_a_restart(lakes, receiver: Receiver, wait_for):
    lake = lakes()
    settings = lake.hostcap.settings
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("HOSTCAP_")},
        "HOSTCAP_SETTLE_S": "0",
        "HOSTCAP_WEBHOOK_ALLOW_PRIVATE": "1",
    }
    added = _hostcap(
        "subscriptions",
        "add",
        "--url",
        receiver.url,
        "--secret",
        SECRET,
        "--feeder-presence",
        "--lake",
        settings.lake_dir,
        "--json",
        env=env,
    )
    assert added.returncode == 0, added.stderr
    subscription = json.loads(added.stdout)["id"]
    assert "secret" not in json.loads(added.stdout)

    write_files(lake.source, AFTER)
    receiver.hold.clear()  # the receiver takes the first delivery and does not answer
    command = [
        sys.executable,
        "-c",
        "from hostcap.cli import app; app()",
        "refresh",
        "--source",
        settings.source_dir,
        "--lake",
        settings.lake_dir,
        "--config",
        str(settings.config_dir),
        "--json",
    ]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    try:
        wait_for(lambda: len(receiver.received) == 1, "the first delivery to arrive")
    finally:
        process.kill()
        process.wait(30)
    receiver.hold.set()
    snapshot = lake.hostcap.lake.current()
    assert [batch.snapshot for batch in lake.hostcap.notifier.outbox.batches()] == [snapshot]

    notified = _hostcap("notify", "--lake", settings.lake_dir, "--json", env=env)
    assert notified.returncode == 0, notified.stderr
    [state] = json.loads(notified.stdout)
    assert (state["subscription_id"], state["status"]) == (subscription, "delivered")
    first, second = receiver.received
    assert first.headers["Idempotency-Key"] == second.headers["Idempotency-Key"] == f"{subscription}:{snapshot}"
    assert first.body == second.body and verify(SECRET, second.headers, second.body)
    assert lake.hostcap.notifier.outbox.batches() == []

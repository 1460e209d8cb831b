"""Subscriptions, their deliveries and the feeder history on an S3 lake: stored in the bucket,
they outlive the process that made them (a new Hostcap over the same lake is a restart)."""

from __future__ import annotations

import json
from pathlib import Path

from hostcap.alerts import SubscriptionIn
from hostcap.core import Hostcap
from tests.alerts.conftest import AFTER, BEFORE, Receiver, fast, verify
from tests.conftest import write_files
from tests.s3.conftest import MotoS3, s3_hostcap


def _restarted(hostcap: Hostcap) -> Hostcap:
    return Hostcap(hostcap.settings, alerts=fast())


def test_subscriptions_deliveries_and_history_live_in_the_bucket(moto_s3: MotoS3, tmp_path: Path):
    source = tmp_path / "src"
    source_ids = write_files(source, BEFORE)
    bucket = moto_s3.bucket("alerts")
    lake = f"s3://{bucket}/lake"
    first = Hostcap(s3_hostcap(moto_s3, tmp_path, str(source), lake, source_ids).settings, alerts=fast())
    assert first.refresh().published
    receiver = Receiver().start()
    try:
        secret = "s3-secret-0123456789"
        given = SubscriptionIn.model_validate(
            {
                "url": receiver.url,
                "secret": secret,
                "filter": {"feeder_ids": ["36_30_0001"]},
                "triggers": {"headroom_below_mw": 2},
            }
        )
        subscription = first.notifier.subscriptions.add(given).id
        assert any(key.endswith(f"{subscription}.json") for key in moto_s3.objects(bucket, "lake/"))

        restarted = _restarted(first)
        assert [s.id for s in restarted.notifier.subscriptions.all()] == [subscription]
        write_files(source, AFTER)
        report = restarted.refresh()
        assert report.published and restarted.notifier.drain(30)
        [request] = receiver.received
        assert verify(secret, request.headers, request.body)
        assert json.loads(request.body)["snapshot"] == report.snapshot

        again = _restarted(first)
        [delivery] = again.notifier.outbox.log(subscription, 10)
        assert (delivery.status, delivery.snapshot) == ("delivered", report.snapshot)
        points = again.feeder_history("36_30_0001")["points"]
        assert [p["max_hc_mw"] for p in points] == [3.0, 1.5]
    finally:
        receiver.stop()

"""The durable outbox and the delivery log, in the lake beside the subscriptions.

    alerts/outbox/<snapshot>.json                    one per publish: every notification it makes
                                                     (idempotency key, subscription, body), written
                                                     before the first is sent; deleted once all
                                                     are delivered or failed
    alerts/deliveries/<subscription>/<snapshot>.json how one notification went: status and attempts
    alerts/EVALUATED.json                            the last publish whose notifications are in the outbox

A process killed mid-delivery leaves the outbox behind: the next one (`hostcap serve`, `hostcap
notify`) sends every notification not yet delivered or failed again, with the same idempotency
key and body. Delivery is therefore at least once; a receiver drops duplicates by the key.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Literal

from pydantic import BaseModel, Field

from hostcap.io.storage import Storage

OUTBOX = "alerts/outbox"
LOG = "alerts/deliveries"
EVALUATED = "alerts/EVALUATED.json"


def now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds")


class Notification(BaseModel):
    """One subscription's notification of one publish, as the outbox keeps it until it is final."""

    id: str = Field(description="The idempotency key: the same for every attempt.")
    subscription_id: str
    body: str


class Batch(BaseModel):
    """Every notification of one publish."""

    snapshot: str
    previous: str | None
    created_at: str
    #: seconds since the epoch: retries stop this long after it plus the retry time
    created_s: float
    notifications: list[Notification]


class AttemptPublic(BaseModel):
    at: str = Field(description="When it was made (UTC).", examples=["2026-11-01T06:00:03.120+00:00"])
    status_code: int | None = Field(description="The receiver's HTTP status; null when there was no answer.", examples=[200])
    error: str | None = Field(description="Why it failed; null when it succeeded.", examples=[None])
    excerpt: str = Field(description="The first 200 characters of the receiver's answer.", examples=["ok"])
    duration_ms: int = Field(description="How long it took.", examples=[42])


class DeliveryPublic(BaseModel):
    """How one notification went."""

    id: str = Field(
        description="Idempotency key, sent as `Idempotency-Key`.", examples=["sub_3f9a0c2d1b7e4a6f:20261101T060000Z-0a1b2c"]
    )
    subscription_id: str = Field(description="The subscription.", examples=["sub_3f9a0c2d1b7e4a6f"])
    snapshot: str = Field(description="The publish it reports.", examples=["20261101T060000Z-0a1b2c"])
    previous: str | None = Field(description="The publish it compares with.", examples=["20261001T060000Z-0d4e5f"])
    status: Literal["pending", "delivered", "failed"] = Field(
        description="`pending` (being retried), `delivered`, or `failed` (retried for the retry time, or refused).",
        examples=["delivered"],
    )
    event_count: int = Field(description="Events in the notification.", examples=[3])
    created_at: str = Field(description="When the publish was evaluated (UTC).", examples=["2026-11-01T06:00:03+00:00"])
    finished_at: str | None = Field(description="When it was delivered or marked failed.", examples=[None])
    attempts: list[AttemptPublic] = Field(description="Every attempt so far, oldest first.")


class Outbox:
    def __init__(self, storage: Storage, keep: int = 100):
        self.storage = storage
        self.keep = keep

    # the outbox -------------------------------------------------------------------------------

    def add(self, batch: Batch) -> None:
        """Keep a publish's notifications (before any is sent), and note the publish as evaluated."""
        if batch.notifications:
            self.storage.write_bytes_atomic(f"{OUTBOX}/{batch.snapshot}.json", batch.model_dump_json().encode())
        self.storage.write_bytes_atomic(EVALUATED, json.dumps({"snapshot": batch.snapshot}).encode())

    def evaluated(self) -> str | None:
        """The last publish whose notifications were put in the outbox."""
        return json.loads(self.storage.read_bytes(EVALUATED))["snapshot"] if self.storage.exists(EVALUATED) else None

    def batches(self) -> list[Batch]:
        """Publishes with notifications not all final, oldest first."""
        return [Batch.model_validate_json(self.storage.read_bytes(ref.path)) for ref in self.storage.list_files(OUTBOX, "*.json")]

    def close(self, snapshot: str) -> None:
        """Drop a publish's batch once every notification in it is final."""
        path = f"{OUTBOX}/{snapshot}.json"
        if self.storage.exists(path):
            self.storage.delete_file(path)

    # the log ------------------------------------------------------------------------------------

    def state(self, subscription_id: str, snapshot: str) -> DeliveryPublic | None:
        path = f"{LOG}/{subscription_id}/{snapshot}.json"
        return DeliveryPublic.model_validate_json(self.storage.read_bytes(path)) if self.storage.exists(path) else None

    def record(self, delivery: DeliveryPublic) -> None:
        """Save how a notification stands; once final, trim the subscription's log to `keep`."""
        base = f"{LOG}/{delivery.subscription_id}"
        self.storage.write_bytes_atomic(f"{base}/{delivery.snapshot}.json", delivery.model_dump_json().encode())
        if delivery.status != "pending":
            refs = self.storage.list_files(base, "*.json")
            for ref in refs[: max(len(refs) - self.keep, 0)]:
                self.storage.delete_file(ref.path)

    def log(self, subscription_id: str, limit: int) -> list[DeliveryPublic]:
        """A subscription's latest deliveries, newest first."""
        refs = self.storage.list_files(f"{LOG}/{subscription_id}", "*.json")[::-1][:limit]
        return [DeliveryPublic.model_validate_json(self.storage.read_bytes(ref.path)) for ref in refs]

    def forget(self, subscription_id: str) -> None:
        """Delete a removed subscription's log."""
        self.storage.delete_dir(f"{LOG}/{subscription_id}")

    @staticmethod
    def started(batch: Batch, notification: Notification, event_count: int) -> DeliveryPublic:
        return DeliveryPublic(
            id=notification.id,
            subscription_id=notification.subscription_id,
            snapshot=batch.snapshot,
            previous=batch.previous,
            status="pending",
            event_count=event_count,
            created_at=batch.created_at,
            finished_at=None,
            attempts=[],
        )

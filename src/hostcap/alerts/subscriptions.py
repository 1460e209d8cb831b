"""Subscriptions kept in the lake (a local directory or S3), one JSON object each under
`alerts/subscriptions/`, so they survive restarts and every process over the lake sees the same
ones. One object per subscription: adding or removing one never rewrites the others."""

from __future__ import annotations

import json
import re

from hostcap.alerts import SUBSCRIPTION_FILES, SUBSCRIPTIONS_DIR
from hostcap.alerts.model import Subscription, SubscriptionIn
from hostcap.alerts.urls import check_destination
from hostcap.errors import LakeError
from hostcap.io.storage import Storage

_ID = re.compile(r"^sub_[0-9a-f]{16}$")


class NoSuchSubscription(LakeError):
    """No subscription has this ID."""


class SubscriptionStore:
    def __init__(self, storage: Storage, allow_private: bool = False):
        self.storage = storage
        self.allow_private = allow_private

    @staticmethod
    def _path(subscription_id: str) -> str:
        if not _ID.match(subscription_id):
            raise NoSuchSubscription(f"no subscription {subscription_id!r}")
        return f"{SUBSCRIPTIONS_DIR}/{subscription_id}.json"

    def add(self, given: SubscriptionIn) -> Subscription:
        """Store a new subscription (refusing a literal private destination now, unless allowed)."""
        if given.url is not None:
            check_destination(given.url, self.allow_private)
        subscription = Subscription.new(given)
        self.storage.write_bytes_atomic(self._path(subscription.id), json.dumps(subscription.stored(), indent=1).encode())
        return subscription

    def get(self, subscription_id: str) -> Subscription:
        path = self._path(subscription_id)
        if not self.storage.exists(path):
            raise NoSuchSubscription(f"no subscription {subscription_id!r}")
        return Subscription.model_validate_json(self.storage.read_bytes(path))

    def all(self) -> list[Subscription]:
        """Every subscription, oldest ID first."""
        return [
            Subscription.model_validate_json(self.storage.read_bytes(ref.path))
            for ref in self.storage.list_files(SUBSCRIPTIONS_DIR, SUBSCRIPTION_FILES)
        ]

    def remove(self, subscription_id: str) -> None:
        path = self._path(subscription_id)
        if not self.storage.exists(path):
            raise NoSuchSubscription(f"no subscription {subscription_id!r}")
        self.storage.delete_file(path)

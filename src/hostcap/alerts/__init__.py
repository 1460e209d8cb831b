"""Subscriptions and notifications: who wants to hear about which changes to which feeders, and
delivering that to them (signed webhooks, an Atom feed) after every publish.

The names below are imported from their modules when first used (PEP 562), so a command that
never notifies (a refresh with nothing to do, or with no subscription to notify, `runs`,
`--help`) does not pay for them.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

_MODULES = {
    "AlertSettings": "settings", "Filter": "model", "NoSuchSubscription": "subscriptions", "Notifier": "notifier",
    "Subscription": "model", "SubscriptionIn": "model", "SubscriptionPublic": "model", "Triggers": "model",
}  # fmt: skip

__all__ = [
    "AlertSettings", "Filter", "NoSuchSubscription", "Notifier", "Subscription", "SubscriptionIn", "SubscriptionPublic",
    "Triggers",
]  # fmt: skip

if TYPE_CHECKING:
    from hostcap.alerts.model import Filter, Subscription, SubscriptionIn, SubscriptionPublic, Triggers
    from hostcap.alerts.notifier import Notifier
    from hostcap.alerts.settings import AlertSettings
    from hostcap.alerts.subscriptions import NoSuchSubscription
    from hostcap.io.storage import Storage

#: where the lake keeps the subscriptions, one JSON object each (see hostcap.alerts.subscriptions)
SUBSCRIPTIONS_DIR = "alerts/subscriptions"
SUBSCRIPTION_FILES = "sub_*.json"


def any_subscription(storage: Storage) -> bool:
    """Whether the lake holds a subscription: without one a publish notifies nobody, so a refresh
    need not load the notifier. A listing that fails answers yes: the notifier then meets the
    failure on its own thread and logs it, so a publish is never failed by its notifications."""
    try:
        return bool(storage.list_files(SUBSCRIPTIONS_DIR, SUBSCRIPTION_FILES))
    except Exception:
        return True


def __getattr__(name: str) -> object:
    if name not in _MODULES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{_MODULES[name]}"), name)

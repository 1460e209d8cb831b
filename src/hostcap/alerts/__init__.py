"""Subscriptions and notifications: who wants to hear about which changes to which feeders, and
delivering that to them (signed webhooks, an Atom feed) after every publish.

The names below are imported from their modules when first used (PEP 562), so a command that
never notifies (a refresh with nothing to do, `runs`, `--help`) does not pay for them.
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


def __getattr__(name: str) -> object:
    if name not in _MODULES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{_MODULES[name]}"), name)

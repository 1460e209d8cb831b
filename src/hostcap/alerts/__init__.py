"""Subscriptions and notifications: who wants to hear about which changes to which feeders, and
delivering that to them (signed webhooks, an Atom feed) after every publish."""

from hostcap.alerts.model import Filter, Subscription, SubscriptionIn, SubscriptionPublic, Triggers
from hostcap.alerts.notifier import Notifier
from hostcap.alerts.settings import AlertSettings
from hostcap.alerts.subscriptions import NoSuchSubscription

__all__ = [
    "AlertSettings", "Filter", "NoSuchSubscription", "Notifier", "Subscription", "SubscriptionIn", "SubscriptionPublic",
    "Triggers",
]

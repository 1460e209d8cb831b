"""Atom (RFC 4287) feeds of changes, paged as RFC 5005 describes (`first`, `next`, `previous`
links), for people who would rather follow a feed reader than run a webhook receiver.

One entry per publish, newest first; an entry's `id` names the pair of snapshots it compares, so
it never changes, and its `updated` is when the newer one was published.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode
from xml.etree import ElementTree as ET

from hostcap.alerts.model import Subscription

NS = "http://www.w3.org/2005/Atom"
MEDIA_TYPE = "application/atom+xml"


@dataclass(frozen=True)
class Entry:
    id: str
    title: str
    updated: str
    content: str


def _stamp(value: str | None) -> str:
    """An RFC 3339 time (a missing one: the epoch, so the feed stays valid)."""
    if not value:
        return "1970-01-01T00:00:00Z"
    return dt.datetime.fromisoformat(value).astimezone(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def render(feed_id: str, title: str, url: str, entries: list[Entry], page: int, limit: int) -> bytes:
    """Page `page` (from 1) of `entries` (newest first), `limit` a page, as an Atom document
    whose links point back at `url` with `page` and `limit`."""
    ET.register_namespace("", NS)
    feed = ET.Element(f"{{{NS}}}feed")
    shown = entries[(page - 1) * limit : page * limit]

    def sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
        element = ET.SubElement(parent, f"{{{NS}}}{tag}", attrs)
        element.text = text
        return element

    def link(rel: str, to_page: int) -> None:
        sub(feed, "link", rel=rel, href=f"{url}?{urlencode({'page': to_page, 'limit': limit})}", type=MEDIA_TYPE)

    sub(feed, "id", feed_id)
    sub(feed, "title", title)
    sub(feed, "updated", _stamp(entries[0].updated if entries else None))
    sub(sub(feed, "author"), "name", "hostcap")
    sub(feed, "generator", "hostcap")
    link("self", page)
    link("first", 1)
    if page > 1:
        link("previous", page - 1)
    if page * limit < len(entries):
        link("next", page + 1)
    for item in shown:
        entry = sub(feed, "entry")
        sub(entry, "id", item.id)
        sub(entry, "title", item.title)
        sub(entry, "updated", _stamp(item.updated))
        sub(entry, "content", item.content, type="text")
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)


def pairs(history: list[dict]) -> list[tuple[str, dict]]:
    """Each publish with the one before it, newest first: `(previous snapshot, publish)`."""
    return [(history[i - 1]["snapshot"], history[i]) for i in range(len(history) - 1, 0, -1)]


def describe_event(event: dict) -> str:
    """One line of a subscription feed entry."""
    where = f"{event['utility']} feeder {event['native_feeder_id'] or event['feeder_id'] or '(unknown)'}"
    kind = event["type"]
    if kind.startswith("headroom"):
        return f"{kind}: {where}: headroom {event['old_headroom_mw']} → {event['new_headroom_mw']} MW (threshold {event['threshold_mw']} MW)"
    if kind == "max_hc_change":
        return f"{kind}: {where}: max HC {event['old_max_hc_mw']} → {event['new_max_hc_mw']} MW"
    if kind.startswith("der_"):
        return f"{kind}: {where}: DER {event['native_der_id']} ({event['nameplate_kw']} kW) {event['old_status']} → {event['new_status']}"
    return f"{kind}: {where}"


def changes_entries(history: list[dict], counts: Callable[[str, str], dict[str, int]]) -> list[Entry]:
    """An entry per publish saying how many of each kind of change it made (`counts(old, new)`)."""
    entries = []
    for old, item in pairs(history):
        found = counts(old, item["snapshot"])
        lines = [f"{kind.replace('_', ' ')}: {count}" for kind, count in found.items()]
        lines.append(f"details: GET /v1/changes?since={old} while {item['snapshot']} is served")
        entries.append(
            Entry(
                f"urn:hostcap:changes:{old}:{item['snapshot']}",
                f"{sum(found.values())} changes published in snapshot {item['snapshot']}",
                item.get("published_at") or "",
                "\n".join(lines),
            )
        )
    return entries


def subscription_entries(
    subscription: Subscription, history: list[dict], events: Callable[[Subscription, str, str], list[dict]]
) -> list[Entry]:
    """An entry per publish that has events for `subscription` (`events(subscription, old, new)`)."""
    entries = []
    for old, item in pairs(history):
        found = events(subscription, old, item["snapshot"])
        if found:
            entries.append(
                Entry(
                    f"urn:hostcap:subscription:{subscription.id}:{item['snapshot']}",
                    f"{len(found)} changes for {subscription.description or subscription.id} in snapshot {item['snapshot']}",
                    item.get("published_at") or "",
                    "\n".join(map(describe_event, found)),
                )
            )
    return entries

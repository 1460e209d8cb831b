"""The bundle's `CHANGES.md`: what changed since the previous publish, for people.

Made from `hostcap.diff` (the same diff as `hostcap diff` and `/v1/changes`): counts of each kind
of change, then the first few of each, so a reader sees the size of a change and examples of it
without a file as long as the data.
"""

from __future__ import annotations

from hostcap.diff import SnapshotDiff

#: changes listed per kind; the counts cover all of them
SHOWN = 20

_TITLES = {
    "feeders_added": "Feeders added",
    "feeders_removed": "Feeders removed",
    "max_hc_changes": "Max hosting capacity changed",
    "ders_now_installed": "DER planned before, now installed",
    "ders_new": "DER new",
    "ders_withdrawn": "DER withdrawn",
    "ders_removed": "DER no longer in the data",
}


def _line(kind: str, item: dict) -> str:
    if kind == "max_hc_changes":
        return f"- {item['utility']} feeder {item['native_feeder_id']}: {item['old_max_hc_mw']} → {item['new_max_hc_mw']} MW"
    if kind.startswith("feeders_"):
        return f"- {item['utility']} feeder {item['native_feeder_id']}"
    return f"- {item['utility']} DER {item['native_der_id']} ({item['status']}, {item['nameplate_kw']} kW)"


def first_publish(snapshot: str) -> str:
    return f"# Changes in snapshot {snapshot}\n\nThe first snapshot published: everything in it is new.\n"


def unknown_previous(snapshot: str, previous: str, why: str) -> str:
    return f"# Changes in snapshot {snapshot}\n\nThe previous snapshot ({previous}) could not be read, so no change is listed: {why}\n"


def render(diff: SnapshotDiff) -> str:
    """Markdown: the counts of each kind of change from `diff.old` to `diff.new`, then examples."""
    counts = diff.change_counts()
    changes = diff.model_dump(include=set(counts))
    lines = [f"# Changes in snapshot {diff.new}", "", f"Since the previous publish, snapshot {diff.old}.", ""]
    lines += ["| change | count |", "|---|---:|", *(f"| {_TITLES[kind]} | {n:,} |" for kind, n in counts.items()), ""]
    for kind, items in changes.items():
        if items:
            more = f" (the first {SHOWN} of {len(items):,})" if len(items) > SHOWN else ""
            lines += [f"## {_TITLES[kind]}{more}", "", *(_line(kind, item) for item in items[:SHOWN]), ""]
    return "\n".join(lines)

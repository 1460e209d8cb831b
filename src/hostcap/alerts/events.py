"""What a publish means for each subscription: the changes between the previous and the new
published gold, found once per publish (`ChangeSet.between`), then matched against every
subscription's filter and triggers (`events_for`).

Only feeders and DER that changed in a way some trigger can see are kept in the change set, and
they are indexed by utility, so a thousand subscriptions cost a thousand small lookups rather
than a thousand passes over the gold tables.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from hostcap.alerts.model import Filter, Subscription, Triggers
from hostcap.lake import Lake

if TYPE_CHECKING:
    import pyarrow as pa

FEEDER_COLUMNS = [
    "feeder_id",
    "native_feeder_id",
    "utility",
    "substation_id",
    "substation_name",
    "max_hc_mw",
    "headroom_after_queue_mw",
]
DER_COLUMNS = ["der_id", "native_der_id", "utility", "status", "feeder_id", "native_feeder_id", "nameplate_kw", "county"]
QUEUED = "planned"


def _lower(values: Iterable[str | None]) -> frozenset[str]:
    return frozenset(v.strip().lower() for v in values if v)


@dataclass(frozen=True)
class Gold:
    """The columns of one snapshot's gold the triggers read, keyed by canonical ID."""

    feeders: dict[str, dict]
    #: the queued DER (hand-made gold in tests may hold others too)
    ders: dict[str, dict]
    #: per feeder, the lower-case counties of its DER (computed from `ders` when not given)
    counties: dict[str, set[str]] | None = None
    table: pa.Table | None = None

    def place_counties(self) -> dict[str, set[str]]:
        if self.counties is not None:
            return self.counties
        found: dict[str, set[str]] = defaultdict(set)
        for der in self.ders.values():
            if der["feeder_id"] and der["county"]:
                found[der["feeder_id"]].add(der["county"].strip().lower())
        return found

    @classmethod
    def read(cls, lake: Lake, snapshot: str) -> Gold:
        """Every feeder; the DER only when queued, and the county of each feeder's DER (the only
        DER a trigger can see are those joining or leaving the queue: queued on one side)."""
        import pyarrow.compute as pc  # here: a command with nothing to notify never loads pyarrow

        feeders = lake.read_table("feeders", snapshot=snapshot).select(FEEDER_COLUMNS).to_pylist()
        ders = lake.read_table("ders", snapshot=snapshot).select(DER_COLUMNS)
        queued = ders.filter(pc.equal(ders["status"], QUEUED)).to_pylist()
        places = ders.select(["feeder_id", "county"]).group_by(["feeder_id", "county"]).aggregate([]).to_pylist()
        counties: dict[str, set[str]] = defaultdict(set)
        for place in places:
            if place["feeder_id"] and place["county"]:
                counties[place["feeder_id"]].add(place["county"].strip().lower())
        return cls({row["feeder_id"]: row for row in feeders}, {row["der_id"]: row for row in queued}, counties, ders)

    def ders_by_id(self, ids: set[str]) -> dict[str, dict]:
        """Any DER of this snapshot, queued or not, by ID (those that left the queue)."""
        if self.table is None:
            return {key: row for key, row in self.ders.items() if key in ids}
        import pyarrow as pa
        import pyarrow.compute as pc

        found = self.table.filter(pc.is_in(self.table["der_id"], pa.array(sorted(ids), pa.string()))).to_pylist()
        return {row["der_id"]: row for row in found}


@dataclass(frozen=True)
class Change:
    """A feeder or DER as it was (`old`) and is (`new`; None when gone), and where it is, for filters."""

    kind: str  # "feeder" or "der"
    old: dict | None
    new: dict | None
    utility: str
    feeders: frozenset[str]
    substations: frozenset[str]
    counties: frozenset[str]

    @property
    def row(self) -> dict:
        return self.new if self.new is not None else self.old  # type: ignore[return-value]


def _same(a: float | None, b: float | None) -> bool:
    return (a is None and b is None) or (a is not None and b is not None and math.isclose(a, b, abs_tol=1e-9))


@dataclass
class ChangeSet:
    """Every feeder and DER change a trigger can see between two snapshots, by utility."""

    old: str | None
    new: str
    by_utility: dict[str, list[Change]] = field(default_factory=lambda: defaultdict(list))

    def __len__(self) -> int:
        return sum(map(len, self.by_utility.values()))

    @classmethod
    def between(cls, old_gold: Gold | None, new_gold: Gold, old: str | None, new: str) -> ChangeSet:
        """The changes from `old_gold` to `new_gold`; none without an earlier snapshot (a first
        publish is not a change)."""
        found = cls(old, new)
        if old_gold is None:
            return found
        feeders = {**old_gold.feeders, **new_gold.feeders}
        counties: dict[str, set[str]] = defaultdict(set)
        for gold in (old_gold, new_gold):
            for feeder, places in gold.place_counties().items():
                counties[feeder] |= places
        # a DER queued on one side only: fetch it from the other side, wherever it stands there
        old_ders = {**old_gold.ders, **old_gold.ders_by_id(new_gold.ders.keys() - old_gold.ders.keys())}
        new_ders = {**new_gold.ders, **new_gold.ders_by_id(old_gold.ders.keys() - new_gold.ders.keys())}
        for key in old_gold.feeders.keys() | new_gold.feeders.keys():
            before, after = old_gold.feeders.get(key), new_gold.feeders.get(key)
            if before and after and all(_same(before[c], after[c]) for c in ("max_hc_mw", "headroom_after_queue_mw")):
                continue
            row = after or before
            found._add(
                Change(
                    "feeder",
                    before,
                    after,
                    row["utility"],
                    _lower([key, row["native_feeder_id"]]),
                    _lower([row["substation_id"], row["substation_name"]]),
                    frozenset(counties.get(key, ())),
                )
            )
        for key in old_ders.keys() | new_ders.keys():
            before, after = old_ders.get(key), new_ders.get(key)
            if (before or {}).get("status") == QUEUED or (after or {}).get("status") == QUEUED:
                if (before or {}).get("status") == (after or {}).get("status"):
                    continue
                row = after or before
                feeder = feeders.get(row["feeder_id"] or "", {})
                found._add(
                    Change(
                        "der",
                        before,
                        after,
                        row["utility"],
                        _lower([row["feeder_id"], row["native_feeder_id"]]),
                        _lower([feeder.get("substation_id"), feeder.get("substation_name")]),
                        _lower([row["county"]]),
                    )
                )
        return found

    def _add(self, change: Change) -> None:
        self.by_utility[change.utility.lower()].append(change)


@dataclass(frozen=True)
class _Where:
    """A filter as lower-case sets, compiled once per evaluation."""

    utilities: frozenset[str]
    substations: frozenset[str]
    counties: frozenset[str]
    feeders: frozenset[str]

    @classmethod
    def of(cls, f: Filter) -> _Where:
        return cls(_lower(f.utilities), _lower(f.substations), _lower(f.counties), _lower(f.feeder_ids))

    def matches(self, change: Change) -> bool:
        return (
            (not self.substations or not self.substations.isdisjoint(change.substations))
            and (not self.counties or not self.counties.isdisjoint(change.counties))
            and (not self.feeders or not self.feeders.isdisjoint(change.feeders))
        )


def _feeder_events(t: Triggers, old: dict | None, new: dict | None) -> list[dict]:
    if old is None or new is None:
        return [{"type": "feeder_added" if old is None else "feeder_removed"}] if t.feeder_presence else []
    found = []
    before, after = old["headroom_after_queue_mw"], new["headroom_after_queue_mw"]
    if before is not None and after is not None:
        if t.headroom_below_mw is not None and before >= t.headroom_below_mw > after:
            found.append(
                {
                    "type": "headroom_below",
                    "threshold_mw": t.headroom_below_mw,
                    "old_headroom_mw": before,
                    "new_headroom_mw": after,
                }
            )
        if t.headroom_above_mw is not None and before < t.headroom_above_mw <= after:
            found.append(
                {
                    "type": "headroom_above",
                    "threshold_mw": t.headroom_above_mw,
                    "old_headroom_mw": before,
                    "new_headroom_mw": after,
                }
            )
    before, after = old["max_hc_mw"], new["max_hc_mw"]
    if before is not None and after is not None and not _same(before, after):
        delta = after - before
        pct = math.inf if before == 0 else abs(delta) / abs(before) * 100
        if (t.max_hc_change_mw is not None and abs(delta) > t.max_hc_change_mw) or (
            t.max_hc_change_pct is not None and pct > t.max_hc_change_pct
        ):
            found.append(
                {
                    "type": "max_hc_change",
                    "old_max_hc_mw": before,
                    "new_max_hc_mw": after,
                    "change_mw": round(delta, 6),
                    "change_pct": None if math.isinf(pct) else round(pct, 3),
                }
            )
    return found


def _der_events(t: Triggers, old: dict | None, new: dict | None) -> list[dict]:
    row = new if new is not None else old
    if t.der_min_kw is None or row["nameplate_kw"] is None or row["nameplate_kw"] < t.der_min_kw:
        return []
    joined = (new or {}).get("status") == QUEUED
    return [
        {
            "type": "der_joined_queue" if joined else "der_left_queue",
            "der_id": row["der_id"],
            "native_der_id": row["native_der_id"],
            "nameplate_kw": row["nameplate_kw"],
            "county": row["county"],
            "old_status": (old or {}).get("status"),
            "new_status": (new or {}).get("status"),
        }
    ]


def events_for(subscription: Subscription, changes: ChangeSet) -> list[dict]:
    """The events of `changes` that `subscription`'s filter and triggers select, in a stable order."""
    where, triggers = _Where.of(subscription.filter), subscription.triggers
    utilities = where.utilities or changes.by_utility.keys()
    found = []
    for utility in sorted(utilities):
        for change in changes.by_utility.get(utility, ()):
            if not where.matches(change):
                continue
            row = change.row
            which = _feeder_events if change.kind == "feeder" else _der_events
            for event in which(triggers, change.old, change.new):
                found.append(
                    {
                        **event,
                        "utility": row["utility"],
                        "feeder_id": row["feeder_id"],
                        "native_feeder_id": row["native_feeder_id"],
                    }
                )
    return sorted(found, key=lambda e: (e["utility"], e["type"], e["feeder_id"] or "", e.get("der_id") or ""))

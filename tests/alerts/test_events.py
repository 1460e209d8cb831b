"""The filters and triggers, on hand-made gold: counties (DER only in gold; a feeder through its
DER), substations by ID or name, max HC changes in MW or percent, and the queue boundary."""

from __future__ import annotations

from hostcap.alerts.events import ChangeSet, Gold, events_for
from hostcap.alerts.model import Subscription

F = {
    "feeder_id": "f1",
    "native_feeder_id": "N1",
    "utility": "coned",
    "substation_id": "s1",
    "substation_name": "Kensico",
    "max_hc_mw": 4.0,
    "headroom_after_queue_mw": 3.0,
}
D = {
    "der_id": "d1",
    "native_der_id": "D1",
    "utility": "coned",
    "status": "planned",
    "feeder_id": "f1",
    "native_feeder_id": "N1",
    "nameplate_kw": 1500.0,
    "county": "Westchester",
}


def _sub(**spec) -> Subscription:
    return Subscription(
        id="sub_0000000000000001",
        url=None,
        description="",
        created_at="2026-01-01T00:00:00+00:00",
        secret=None,
        **{"filter": {}, **spec},
    )


def _types(sub: Subscription, old: Gold, new: Gold) -> list[str]:
    return [e["type"] for e in events_for(sub, ChangeSet.between(old, new, "a", "b"))]


def test_max_hc_change_in_mw_or_percent():
    old, new = Gold({"f1": F}, {}), Gold({"f1": {**F, "max_hc_mw": 4.5}}, {})
    assert _types(_sub(triggers={"max_hc_change_mw": 0.4}), old, new) == ["max_hc_change"]
    assert _types(_sub(triggers={"max_hc_change_mw": 0.5}), old, new) == []  # "more than"
    assert _types(_sub(triggers={"max_hc_change_pct": 10}), old, new) == ["max_hc_change"]
    assert _types(_sub(triggers={"max_hc_change_pct": 12.5}), old, new) == []


def test_headroom_crossings_both_ways():
    down, up = Gold({"f1": F}, {}), Gold({"f1": {**F, "headroom_after_queue_mw": 1.0}}, {})
    assert _types(_sub(triggers={"headroom_below_mw": 2}), down, up) == ["headroom_below"]
    assert _types(_sub(triggers={"headroom_below_mw": 2}), up, down) == []
    assert _types(_sub(triggers={"headroom_above_mw": 2}), up, down) == ["headroom_above"]
    assert _types(_sub(triggers={"headroom_below_mw": 0.5}), down, up) == []


def test_county_substation_and_feeder_filters():
    old = Gold({"f1": F}, {})
    new = Gold({"f1": {**F, "max_hc_mw": 1.0}}, {"d1": D})
    both = {"max_hc_change_mw": 1, "der_min_kw": 1000}
    assert _types(_sub(filter={"counties": ["westchester"]}, triggers=both), old, new) == ["der_joined_queue", "max_hc_change"]
    assert _types(_sub(filter={"counties": ["Putnam"]}, triggers=both), old, new) == []
    assert _types(_sub(filter={"substations": ["KENSICO"]}, triggers=both), old, new) == ["der_joined_queue", "max_hc_change"]
    assert _types(_sub(filter={"substations": ["s2"]}, triggers=both), old, new) == []
    assert _types(_sub(filter={"feeder_ids": ["n1"], "utilities": ["ConEd"]}, triggers=both), old, new) == [
        "der_joined_queue",
        "max_hc_change",
    ]
    assert _types(_sub(filter={"utilities": ["national_grid"]}, triggers=both), old, new) == []


def test_leaving_the_queue_and_the_size_floor():
    queued = Gold({"f1": F}, {"d1": D})
    for after in ({"d1": {**D, "status": "installed"}}, {"d1": {**D, "status": "withdrawn"}}, {}):
        assert _types(_sub(triggers={"der_min_kw": 1500}), queued, Gold({"f1": F}, after)) == ["der_left_queue"]
    assert _types(_sub(triggers={"der_min_kw": 1501}), queued, Gold({"f1": F}, {})) == []
    assert _types(_sub(triggers={"der_min_kw": 0}), queued, queued) == []

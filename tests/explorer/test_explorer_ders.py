"""How the explorer's map groups DER into points and what it says about where they are: run in
Node on the explorer's own module, with rows shaped as `/v1/ders?format=geojson` answers them,
including a DER that carries a location of its own (no source publishes one yet)."""

from __future__ import annotations

import json

from tests.explorer.node import module, needs_node, run

pytestmark = needs_node

SHOWN, HIDDEN = "a" * 32, "b" * 32
AT_FEEDER = [-73.8, 41.08]  # the shown feeder's representative point


def der(status: str, kw: float | None, feeder: str = SHOWN, at=AT_FEEDER, source: str | None = "feeder_point") -> dict:
    properties = {"feeder_id": feeder, "native_feeder_id": "4Z81", "status": status, "nameplate_kw": kw}
    if source is not None:
        properties["location_source"] = source
    return {"type": "Feature", "geometry": at and {"type": "Point", "coordinates": at}, "properties": properties}


def points(features: list[dict]) -> list[dict]:
    return run(f"""
        import {{ derPoints, derText }} from {module("map-ders.js")};
        const points = derPoints({json.dumps(features)}, new Set([{json.dumps(SHOWN)}]));
        console.log(JSON.stringify(points.map((p) => ({{ ...p, text: derText(p) }}))));
    """)


def test_der_at_their_feeders_point_are_one_point_that_says_so():
    found = points(
        [
            der("installed", 500),
            der("installed", 1300.5),
            der("planned", 250, source=None),  # a row found without a place carries no location_source
            der("installed", 800, feeder=HIDDEN),  # a feeder the filters do not select: not drawn
            der("planned", 100, at=None),  # no location: not drawn
        ]
    )
    assert len(found) == 1
    point = found[0]
    assert point["at"] == [41.08, -73.8] and point["source"] == "feeder_point"
    assert point["installed"] == {"count": 2, "kw": 1800.5} and point["planned"] == {"count": 1, "kw": 250}
    assert point["text"] == (
        "3 DER placed at feeder 4Z81's representative point, not their sites (no source publishes where DER sit): "
        "2 installed (1.8\u00a0MW), 1 planned (0.25\u00a0MW)."
    )


def test_a_der_with_a_location_of_its_own_is_drawn_there():
    site = [-73.79, 41.09]
    found = points([der("installed", 500), der("planned", 2000, at=site, source="site")])
    assert [(p["at"], p["source"]) for p in found] == [([41.08, -73.8], "feeder_point"), ([41.09, -73.79], "site")]
    assert found[1]["text"] == "1 DER at their own location (site): 0 installed (0\u00a0MW), 1 planned (2\u00a0MW)."

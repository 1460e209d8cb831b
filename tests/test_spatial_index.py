"""The read model's spatial index, whose lines are packed coordinates under a tree of boxes (each
over a run of lines): `locate` equals a brute-force computation over every line, whatever the
lines (multi-lines, missing, empty or unreadable geometry, a segment of an unknown feeder) and
wherever the point (on the lines, between them, where no line is)."""

from __future__ import annotations

import itertools
import json
import math

import numpy as np
import pyarrow as pa
import pytest

from hostcap.serving.rows import compact
from hostcap.serving.spatial import LINES_PER_BOX, SpatialIndex
from tests.api.test_api_spatial import lines, to_line_km

FEEDERS = 40


def random_lines(rng: np.random.Generator, count: int) -> tuple[list[str], list[str | None]]:
    """Segments of random walks around downstate New York: feeder IDs and GeoJSON texts."""
    feeder_ids, texts = [], []
    for i in range(count):
        start = rng.uniform((-74.3, 40.6), (-73.6, 41.3))

        def walk(start=start) -> list[list[float]]:
            steps = rng.normal(0, 0.002, (int(rng.integers(2, 6)), 2))
            return np.round(start + np.cumsum(steps, axis=0), 6).tolist()

        geometry = (
            {"type": "MultiLineString", "coordinates": [walk(), walk()]}
            if i % 7 == 0
            else {"type": "LineString", "coordinates": walk()}
        )
        feeder_ids.append(f"f{i % (FEEDERS + 1):03d}")  # f040 is no feeder of the snapshot
        texts.append(json.dumps(geometry))
    texts[1], texts[2], texts[3] = None, '{"type":"LineString","coordinates":[]}', "not json"
    return feeder_ids, texts


def brute_locate(feeder_ids: list[str], texts: list, lat: float, lon: float, tolerance: float) -> list[tuple[str, float]]:
    best: dict[str, float] = {}
    for feeder, text in zip(feeder_ids, texts):
        try:
            geometry = json.loads(text) if text else None
        except ValueError:
            geometry = None
        if geometry is None or feeder >= f"f{FEEDERS:03d}":
            continue
        for line in lines(geometry):
            km = to_line_km(lat, lon, line) if len(line) > 1 else math.inf
            if km <= tolerance:
                best[feeder] = min(km, best.get(feeder, math.inf))
    return sorted(best.items(), key=lambda item: (item[1], item[0]))


@pytest.mark.parametrize("count", [LINES_PER_BOX - 3, 3_000])
def test_locate_equals_brute_force(count):
    rng = np.random.default_rng(count)
    feeder_ids, texts = random_lines(rng, count)
    known = [f"f{i:03d}" for i in range(FEEDERS)]
    nan = [math.nan] * FEEDERS
    feeders = pa.table({
        "feeder_id": known, "point_lon": nan, "point_lat": nan,
        "bbox_min_lon": nan, "bbox_min_lat": nan, "bbox_max_lon": nan, "bbox_max_lat": nan,
    })  # fmt: skip
    segments = pa.table({"feeder_id": feeder_ids, "geometry": pa.array(texts, pa.string())})
    index = SpatialIndex(feeders, segments, pa.table({"feeder_id": pa.array([], pa.string())}))
    on_lines = [json.loads(t)["coordinates"][0] for t in texts if t and t.startswith('{"type": "LineString"')][:40]
    places = [(lat + rng.normal(0, 0.0003), lon + rng.normal(0, 0.0003)) for lon, lat in on_lines]
    places += [(40.9, -73.9), (44.0, -75.0)]
    found = 0
    for (lat, lon), tolerance in itertools.product(places, (0.05, 0.2, 1.0)):
        positions, km = index.locate(lat, lon, tolerance)
        expected = brute_locate(feeder_ids, texts, lat, lon, tolerance)
        assert [known[p] for p in positions] == [feeder for feeder, _ in expected]
        assert km.tolist() == pytest.approx([distance for _, distance in expected], abs=1e-9)
        found += len(expected)
    assert found


def test_a_snapshot_whose_sources_publish_no_lines_locates_nothing():
    """The CSV exports (National Grid, NYSEG/RG&E) carry no geometry: a snapshot of them alone
    has a geometry column of nulls only, as the read model holds it (`compact`). It loads, and
    `locate` finds no feeder anywhere."""
    segments = compact(pa.table({"feeder_id": ["f000"] * 5, "geometry": pa.array([None] * 5, pa.string())}))
    nan = [math.nan]
    feeders = pa.table({
        "feeder_id": ["f000"], "point_lon": nan, "point_lat": nan,
        "bbox_min_lon": nan, "bbox_min_lat": nan, "bbox_max_lon": nan, "bbox_max_lat": nan,
    })  # fmt: skip
    index = SpatialIndex(feeders, segments, pa.table({"feeder_id": pa.array([], pa.string())}))
    positions, km = index.locate(42.65, -73.75, 5.0)
    assert len(positions) == len(km) == 0

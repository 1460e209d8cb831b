"""The spatial index at statewide size: build time, memory, and `near`/`locate`/`bbox` latency.

In process (`figures`): a million synthetic two-vertex segments on 8,000 feeders spread over New
York's extent (each feeder a random walk from its own origin), and 100,000 DER on those feeders:
the read model's `SpatialIndex` is built from them as a snapshot load builds it, then queried at
random places near the lines. A sample of answers is checked against a brute-force numpy
computation over every segment and feeder, so the figures are of correct answers.

Over HTTP (`http_figures`): `hostcap serve` over the scale-1 sample lake (its ArcGIS-style layers
carry lines), `/v1/locate` and `near` on `/v1/feeders` under 32 connections (wrk, as `bench api`),
each request at another place on the lines, with the server's memory.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow as pa

from bench.api import run as api
from bench.refresh import SCRATCH
from hostcap.config import Settings
from hostcap.core import Hostcap
from hostcap.sample import generate_sample
from hostcap.serving.spatial import Box, Near, SpatialIndex, point_km
from hostcap.serving.store import release_freed_memory

SEGMENTS = 1_000_000
FEEDERS = 8_000
DERS = 100_000
QUERIES = 2_000
CHECKED = 25
#: New York's extent (lon, lat)
EXTENT = ((-79.7, 40.5), (-71.9, 45.0))
STEP_DEGREES = 0.0012  # about 100 m


def _rss_mib() -> float:
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmRSS:")) / 1024


def synthetic(rng: np.random.Generator) -> tuple[pa.Table, pa.Table, pa.Table, np.ndarray]:
    """Feeders, segments and DER tables with the columns the index reads; and the segments' ends."""
    per = SEGMENTS // FEEDERS
    (lon0, lat0), (lon1, lat1) = EXTENT
    origins = np.column_stack((rng.uniform(lon0, lon1, FEEDERS), rng.uniform(lat0, lat1, FEEDERS)))
    steps = rng.normal(0, STEP_DEGREES, (FEEDERS, per, 2))
    walk = origins[:, None, :] + np.cumsum(steps, axis=1)
    starts = np.concatenate((origins[:, None, :], walk[:, :-1]), axis=1)
    ends = np.stack((starts, walk), axis=2).reshape(-1, 2, 2)  # segment × vertex × (lon, lat)
    feeder_ids = [f"{i:032x}" for i in range(FEEDERS)]
    texts = [
        f'{{"type":"LineString","coordinates":[[{a:.6f},{b:.6f}],[{c:.6f},{d:.6f}]]}}'
        for a, b, c, d in ends.reshape(-1, 4).tolist()
    ]
    segments = pa.table({"feeder_id": np.repeat(feeder_ids, per), "geometry": texts})
    vertices = walk.reshape(FEEDERS, per, 2)
    lo, hi = np.minimum(vertices.min(axis=1), origins), np.maximum(vertices.max(axis=1), origins)
    feeders = pa.table({
        "feeder_id": feeder_ids, "point_lon": walk[:, per // 2, 0], "point_lat": walk[:, per // 2, 1],
        "bbox_min_lon": lo[:, 0], "bbox_min_lat": lo[:, 1], "bbox_max_lon": hi[:, 0], "bbox_max_lat": hi[:, 1],
    })  # fmt: skip
    ders = pa.table({"feeder_id": rng.choice(feeder_ids, DERS)})
    return feeders, segments, ders, ends


def _brute_locate(ends: np.ndarray, per: int, lat: float, lon: float, tolerance: float) -> list[str]:
    a = np.column_stack(((ends[:, 0, 0] - lon), ends[:, 0, 1] - lat))
    b = np.column_stack(((ends[:, 1, 0] - lon), ends[:, 1, 1] - lat))
    scale = np.array([111.32 * np.cos(np.radians(lat)), 111.32])
    a, b = a * scale, b * scale
    d = b - a
    length = (d * d).sum(axis=1)
    t = np.clip(-(a * d).sum(axis=1) / np.where(length == 0, 1, length), 0, 1)
    km = np.hypot(*(a + t[:, None] * d).T)
    near = np.flatnonzero(km <= tolerance)
    best: dict[str, float] = {}
    for segment, distance in zip(near.tolist(), km[near].tolist()):
        feeder = f"{segment // per:032x}"
        best[feeder] = min(distance, best.get(feeder, np.inf))
    return [f for f, _ in sorted(best.items(), key=lambda item: (item[1], item[0]))]


def _percentiles(samples: list[float]) -> dict:
    ms = np.array(samples) * 1000
    return {"p50_ms": round(float(np.percentile(ms, 50)), 3), "p99_ms": round(float(np.percentile(ms, 99)), 3)}


def figures() -> dict:
    rng = np.random.default_rng(17)
    feeders, segments, ders, ends = synthetic(rng)
    before = _rss_mib()
    started = time.perf_counter()
    index = SpatialIndex(feeders, segments, ders)
    build_s = time.perf_counter() - started
    release_freed_memory()  # as a snapshot load does once its indexes are built
    index_mib = _rss_mib() - before
    picks = ends[rng.integers(0, len(ends), QUERIES), 0] + rng.normal(0, 0.0005, (QUERIES, 2))
    timings: dict[str, list[float]] = {"near_feeders": [], "near_ders": [], "bbox_feeders": [], "locate": []}
    checked = 0
    per = SEGMENTS // FEEDERS
    lons, lats = feeders.column("point_lon").to_numpy(), feeders.column("point_lat").to_numpy()
    for i, (lon, lat) in enumerate(picks.tolist()):
        near = Near(lat, lon, 5.0)
        t0 = time.perf_counter()
        distances = index.feeder_distances(near)
        t1 = time.perf_counter()
        index.of_ders(distances, np.nan)
        t2 = time.perf_counter()
        index.feeders_in_box(Box(lon - 0.05, lat - 0.05, lon + 0.05, lat + 0.05))
        t3 = time.perf_counter()
        located = [f"{feeder:032x}" for feeder in index.locate(lat, lon, 0.1)[0].tolist()]
        t4 = time.perf_counter()
        for name, seconds in zip(timings, (t1 - t0, t2 - t1, t3 - t2, t4 - t3)):
            timings[name].append(seconds)
        if i < CHECKED:
            brute = point_km(lat, lon, lons, lats)
            assert np.array_equal(np.flatnonzero(~np.isnan(distances)), np.flatnonzero(brute <= 5.0)), "near differs"
            assert located == _brute_locate(ends, per, lat, lon, 0.1), "locate differs"
            checked += 1
    return {
        "segments": SEGMENTS, "feeders": FEEDERS, "ders": DERS, "queries": QUERIES, "checked_against_brute_force": checked,
        "build_s": round(build_s, 2), "index_rss_mib": round(index_mib),
        "latency": {name: _percentiles(samples) for name, samples in timings.items()},
        "invocation": "python -m bench spatial",
    }  # fmt: skip


#: (name, path: {id} is replaced per request by the next place, bars from the issue)
HTTP_ENDPOINTS = [
    ("locate", "/v1/locate?{id}&tolerance_km=0.1", {"max_p99_ms": 20}),
    ("near_feeders_5km", "/v1/feeders?{id}&radius_km=5&limit=100", {}),
]
MAX_RSS_MIB = 600


def geometry_lake(scale: float = 1.0) -> Path:
    """The sample at `scale` and its lake (built once), with the lines of the ArcGIS-style layers."""
    sample, lake = SCRATCH / f"sample-geo-{scale:g}", SCRATCH / f"lake-geo-{scale:g}"
    if not (sample / ".complete").exists():
        print(f"generating the scale {scale:g} sample", flush=True)
        generate_sample(sample, scale)
        (sample / ".complete").touch()
    if not (lake / "CURRENT.json").exists():
        print(f"refreshing the scale {scale:g} lake", flush=True)
        Hostcap(Settings(source_dir=str(sample), lake_dir=str(lake))).refresh()
    return lake


def http_figures(duration: int = 15, runs: int = 3) -> dict:
    lake = geometry_lake()
    places = api.places(lake)
    port = api.free_port()
    base = f"http://127.0.0.1:{port}"
    server = api.start(
        [sys.executable, "-c", "from hostcap.cli import app; app()", "serve", "--lake", str(lake), "--port", str(port)]
    )
    measured: dict[str, list[dict]] = {name: [] for name, _, _ in HTTP_ENDPOINTS}
    try:
        api.wait_ready(base, server, timeout_s=300)
        rss_loaded = api.rss_mib(server.pid)
        status = api.get_json(f"{base}/v1/utilities")["data"]
        files = {}
        for name, _, _ in HTTP_ENDPOINTS:
            with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as out:
                lines = (
                    f"lat={lat:.6f}&lon={lon:.6f}" if name == "locate" else f"near={lat:.6f},{lon:.6f}" for lat, lon in places
                )
                out.write("\n".join(lines))
                files[name] = out.name
        for _ in range(runs):
            for name, path, _ in HTTP_ENDPOINTS:
                measured[name].append(api.measure_endpoint(base, server.pid, path, files[name], duration, 32, 2))
    finally:
        api.stop(server)
    results = [
        {
            **api.median_of(measured[name], name, bars),
            "url_path": path,
            "command": measured[name][0]["command"],
            "runs": measured[name],
        }
        for name, path, bars in HTTP_ENDPOINTS
    ]
    return {
        "segments": sum(u["segment_count"] for u in status), "feeders": sum(u["feeder_count"] for u in status),
        "server_rss_loaded_mib": round(rss_loaded, 1), "max_rss_mib": MAX_RSS_MIB, "endpoints": results,
    }  # fmt: skip

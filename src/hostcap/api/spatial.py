"""The `bbox` and `near` parameters of the feeder and DER lists, applied to a selection.

A selection is row positions in list order; these keep the rows the place selects, and with
`near` order them nearest first (ties keep the list's order) and add each row's `distance_km`.
"""

from __future__ import annotations

import numpy as np

from hostcap.api.problems import ProblemError
from hostcap.api.queries import SpatialQuery
from hostcap.serving.spatial import FEEDER_POINT, Box, Near, SpatialIndex

Extra = dict[str, np.ndarray]


def _box(text: str) -> Box:
    box = Box(*map(float, text.split(",")))
    if not (-180 <= box.min_lon <= box.max_lon <= 180 and -90 <= box.min_lat <= box.max_lat <= 90):
        raise ProblemError(422, "`bbox` is minlon,minlat,maxlon,maxlat with min ≤ max, in WGS84 degrees")
    return box


def _near(text: str, radius_km: float) -> Near:
    lat, lon = map(float, text.split(","))
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise ProblemError(422, "`near` is lat,lon in WGS84 degrees (latitude first)")
    return Near(lat, lon, radius_km)


def _apply(selected: np.ndarray, keep: np.ndarray | None, distances: np.ndarray | None) -> tuple[np.ndarray, Extra]:
    if keep is not None:
        selected = selected[keep[selected]]
    if distances is None:
        return selected, {}
    selected = selected[~np.isnan(distances[selected])]
    selected = selected[np.argsort(distances[selected], kind="stable")]
    return selected, {"distance_km": np.round(distances[selected], 4)}


def feeders(spatial: SpatialIndex, selected: np.ndarray, query: SpatialQuery) -> tuple[np.ndarray, Extra]:
    """Feeders whose bounding box meets `bbox` and whose representative point is within `near`."""
    keep = None if query.bbox is None else spatial.feeders_in_box(_box(query.bbox))
    distances = None if query.near is None else spatial.feeder_distances(_near(query.near, query.radius_km))
    return _apply(selected, keep, distances)


def ders(spatial: SpatialIndex, selected: np.ndarray, query: SpatialQuery) -> tuple[np.ndarray, Extra]:
    """DER whose location (their feeder's representative point) is in `bbox` and within `near`;
    the rows say where their location comes from (`location_source`)."""
    if query.bbox is None and query.near is None:
        return selected, {}
    keep = None if query.bbox is None else spatial.of_ders(spatial.points_in_box(_box(query.bbox)), False)
    near = None if query.near is None else spatial.of_ders(spatial.feeder_distances(_near(query.near, query.radius_km)), np.nan)
    selected, extra = _apply(selected, keep, near)
    return selected, {"location_source": np.full(len(selected), FEEDER_POINT, dtype=object), **extra}

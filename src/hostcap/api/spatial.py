"""Where: the `bbox`, `near` and named-place parameters of the feeder and DER lists, applied to a selection.

A selection is row positions in list order; these keep the rows the place selects, and with
`near` order them nearest first (ties keep the list's order) and add each row's `distance_km`.
A place that matches the parameter's pattern but no place on Earth (a latitude of 95, a box whose
minimum exceeds its maximum) is a 400.
"""

from __future__ import annotations

import numpy as np

from hostcap.api.problems import ProblemError
from hostcap.api.queries import DersQuery, FeedersQuery, PlaceQuery
from hostcap.serving import Snapshot
from hostcap.serving.places import PlaceFilter
from hostcap.serving.spatial import FEEDER_POINT, Box, Near

Extra = dict[str, np.ndarray]


def _box(text: str) -> Box:
    box = Box(*map(float, text.split(",")))
    if not (-180 <= box.min_lon <= box.max_lon <= 180 and -90 <= box.min_lat <= box.max_lat <= 90):
        raise ProblemError(400, "`bbox` is minlon,minlat,maxlon,maxlat with min ≤ max, in WGS84 degrees")
    return box


def _near(text: str, radius_km: float) -> Near:
    lat, lon = map(float, text.split(","))
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise ProblemError(400, "`near` is lat,lon in WGS84 degrees (latitude first)")
    return Near(lat, lon, radius_km)


def _places(query: PlaceQuery) -> PlaceFilter:
    return PlaceFilter(query.county, query.zip_code, query.town, query.load_zone)


def _both(one: np.ndarray | None, other: np.ndarray | None) -> np.ndarray | None:
    return one if other is None else other if one is None else one & other


def _apply(selected: np.ndarray, keep: np.ndarray | None, distances: np.ndarray | None) -> tuple[np.ndarray, Extra]:
    if keep is not None:
        selected = selected[keep[selected]]
    if distances is None:
        return selected, {}
    selected = selected[~np.isnan(distances[selected])]
    selected = selected[np.argsort(distances[selected], kind="stable")]
    return selected, {"distance_km": np.round(distances[selected], 4)}


def feeders(snapshot: Snapshot, selected: np.ndarray, query: FeedersQuery) -> tuple[np.ndarray, Extra]:
    """Feeders whose bounding box meets `bbox`, whose representative point is within `near`, and
    that are in the places named."""
    spatial = snapshot.spatial
    keep = None if query.bbox is None else spatial.feeders_in_box(_box(query.bbox))
    keep = _both(keep, snapshot.places.feeders(_places(query)))
    distances = None if query.near is None else spatial.feeder_distances(_near(query.near, query.radius_km))
    return _apply(selected, keep, distances)


def ders(snapshot: Snapshot, selected: np.ndarray, query: DersQuery) -> tuple[np.ndarray, Extra]:
    """DER in the places named, and whose location (their feeder's representative point) is in
    `bbox` and within `near`; those found by location say where it comes from (`location_source`)."""
    spatial, places = snapshot.spatial, snapshot.places.ders(_places(query))
    if query.bbox is None and query.near is None:
        return _apply(selected, places, None)
    keep = None if query.bbox is None else spatial.of_ders(spatial.points_in_box(_box(query.bbox)), False)
    keep = _both(keep, places)
    near = None if query.near is None else spatial.of_ders(spatial.feeder_distances(_near(query.near, query.radius_km)), np.nan)
    selected, extra = _apply(selected, keep, near)
    return selected, {"location_source": np.full(len(selected), FEEDER_POINT, dtype=object), **extra}

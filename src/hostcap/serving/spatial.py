"""Where things are, for the spatial queries: R-trees (shapely's STRtree) built once per snapshot.

Three trees: the feeders' representative points (`near`), their bounding boxes (`bbox`) and every
segment's line (`locate`). A DER has no coordinates in any source, so it stands at its feeder's
representative point (`location_source`). A tree answers with the candidates whose boxes come
near the query, and only those are measured, so a query costs milliseconds however many segments
the state has.

Distances are in km on a flat projection centred on the query point (longitude scaled by the
cosine of its latitude, 111.32 km a degree): within well under 1 % of the great-circle distance
over the tens of km a site search spans.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import shapely

KM_PER_DEGREE = 111.32
#: what `location_source` says of a DER placed at its feeder's representative point
FEEDER_POINT = "feeder_point"


@dataclass(frozen=True)
class Box:
    """A WGS84 box: `bbox=minlon,minlat,maxlon,maxlat`."""

    min_lon: float
    min_lat: float
    max_lon: float
    max_lat: float


@dataclass(frozen=True)
class Near:
    """A circle: `near=lat,lon` and `radius_km`."""

    lat: float
    lon: float
    radius_km: float


def _columns(table: pa.Table, names: tuple[str, ...]) -> list[np.ndarray]:
    return [np.asarray(table.column(n).to_numpy(zero_copy_only=False), dtype=np.float64) for n in names]


def _km_scale(lat: float) -> tuple[float, float]:
    return KM_PER_DEGREE * max(math.cos(math.radians(lat)), 1e-6), KM_PER_DEGREE


def _search_box(lat: float, lon: float, km: float) -> shapely.Geometry:
    """A lon/lat box holding every point within `km` of (lat, lon) (widened at its far latitude)."""
    dlat = km / KM_PER_DEGREE
    dlon = km / _km_scale(min(abs(lat) + dlat, 89.9))[0]
    return shapely.box(lon - dlon, lat - dlat, lon + dlon, lat + dlat)


def point_km(lat: float, lon: float, lons: np.ndarray, lats: np.ndarray) -> np.ndarray:
    """Distances (km) from (lat, lon) to points, on the flat projection centred there."""
    sx, sy = _km_scale(lat)
    return np.hypot((lons - lon) * sx, (lats - lat) * sy)


class SpatialIndex:
    def __init__(self, feeders: pa.Table, segments: pa.Table, ders: pa.Table):
        lon, lat = _columns(feeders, ("point_lon", "point_lat"))
        self._lon, self._lat = lon, lat
        self._located = np.flatnonzero(~np.isnan(lon) & ~np.isnan(lat))
        self._points = shapely.STRtree(shapely.points(lon[self._located], lat[self._located]))
        box = _columns(feeders, ("bbox_min_lon", "bbox_min_lat", "bbox_max_lon", "bbox_max_lat"))
        self._boxed = np.flatnonzero(~np.isnan(np.column_stack(box)).any(axis=1))
        self._boxes = shapely.STRtree(shapely.box(*(b[self._boxed] for b in box)))
        lines = shapely.from_geojson(segments.column("geometry").to_numpy(zero_copy_only=False), on_invalid="ignore")
        self._lined = np.flatnonzero(~shapely.is_missing(lines))
        self._lines = shapely.STRtree(lines[self._lined])
        self._segment_feeder = segments.column("feeder_id")
        self.feeder_count = len(lon)
        feeder_ids = feeders.column("feeder_id").cast(pa.string())
        #: per DER, its feeder's position (-1: no feeder in the snapshot)
        self.der_feeder = pc.index_in(ders.column("feeder_id").cast(pa.string()), value_set=feeder_ids.combine_chunks())
        self.der_feeder = self.der_feeder.fill_null(-1).to_numpy().astype(np.int64)

    def of_ders(self, per_feeder: np.ndarray, missing) -> np.ndarray:
        """A per-feeder array carried over to each DER (the value at its feeder; `missing` without one)."""
        values = np.append(per_feeder, missing)  # position -1 reads the appended value
        return values[self.der_feeder]

    def feeder_points(self) -> tuple[np.ndarray, np.ndarray]:
        """Every feeder's representative point: longitudes and latitudes (NaN without one)."""
        return self._lon, self._lat

    def feeder_point(self, position: int) -> tuple[float, float]:
        """(lon, lat) of the feeder's representative point (NaN without one)."""
        return float(self._lon[position]), float(self._lat[position])

    def der_points(self, positions: list[int]) -> list[tuple[float, float]]:
        """(lon, lat) of each DER's location: its feeder's representative point (NaN without one)."""
        feeders = self.der_feeder[positions]
        lon, lat = np.append(self._lon, np.nan)[feeders], np.append(self._lat, np.nan)[feeders]
        return list(zip(lon.tolist(), lat.tolist()))

    def feeders_in_box(self, box: Box) -> np.ndarray:
        """Per feeder: whether its bounding box meets `box` (a feeder without geometry never does)."""
        keep = np.zeros(self.feeder_count, dtype=bool)
        hits = self._boxes.query(shapely.box(box.min_lon, box.min_lat, box.max_lon, box.max_lat))
        keep[self._boxed[hits]] = True
        return keep

    def points_in_box(self, box: Box) -> np.ndarray:
        """Per feeder: whether its representative point lies in `box` (edges included)."""
        keep = np.zeros(self.feeder_count, dtype=bool)
        hits = self._points.query(shapely.box(box.min_lon, box.min_lat, box.max_lon, box.max_lat), predicate="intersects")
        keep[self._located[hits]] = True
        return keep

    def feeder_distances(self, near: Near) -> np.ndarray:
        """Per feeder: km from the centre to its representative point, NaN beyond the radius or without one."""
        found = self._located[self._points.query(_search_box(near.lat, near.lon, near.radius_km))]
        distances = np.full(self.feeder_count, np.nan)
        km = point_km(near.lat, near.lon, self._lon[found], self._lat[found])
        inside = km <= near.radius_km
        distances[found[inside]] = km[inside]
        return distances

    def segments_near(self, lat: float, lon: float, tolerance_km: float) -> tuple[np.ndarray, np.ndarray]:
        """Segments (positions) whose line passes within `tolerance_km` of the point, and their distances."""
        found = self._lines.query(_search_box(lat, lon, tolerance_km))
        hits = self._lined[found]
        if not len(hits):
            return hits, np.empty(0)
        sx, sy = _km_scale(lat)
        lines = self._lines.geometries.take(found)
        flat = shapely.transform(lines, lambda xy: np.column_stack(((xy[:, 0] - lon) * sx, (xy[:, 1] - lat) * sy)))
        km = shapely.distance(flat, shapely.points(0.0, 0.0))
        inside = km <= tolerance_km
        return hits[inside], km[inside]

    def locate(self, lat: float, lon: float, tolerance_km: float) -> list[tuple[str, float]]:
        """Feeders (IDs) with a segment within `tolerance_km` of the point, nearest first, each with
        the distance to its nearest such segment (ties by feeder ID)."""
        positions, km = self.segments_near(lat, lon, tolerance_km)
        nearest: dict[str, float] = {}
        for feeder_id, distance in zip(self._segment_feeder.take(pa.array(positions, pa.int64())).to_pylist(), km.tolist()):
            if feeder_id is not None and distance < nearest.get(feeder_id, math.inf):
                nearest[feeder_id] = distance
        return sorted(nearest.items(), key=lambda item: (item[1], item[0]))

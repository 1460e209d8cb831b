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


def _positions(column: pa.ChunkedArray, ids: pa.Array) -> np.ndarray:
    """Each value's position in `ids` (-1 where absent)."""
    return pc.index_in(column.cast(pa.string()), value_set=ids).fill_null(-1).to_numpy().astype(np.int64)


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
        self.feeder_count = len(lon)
        feeder_ids = feeders.column("feeder_id").cast(pa.string()).combine_chunks()
        self._id_rank = np.empty(self.feeder_count, dtype=np.int64)  # ties in `locate` go by feeder ID
        self._id_rank[np.argsort(np.array(feeder_ids.to_pylist(), dtype=object), kind="stable")] = np.arange(self.feeder_count)
        #: per DER, its feeder's position (-1: no feeder in the snapshot)
        self.der_feeder = _positions(ders.column("feeder_id"), feeder_ids)
        # one tree item per line: a multi-line's parts apart, each knowing its segment's feeder
        lines = shapely.from_geojson(segments.column("geometry").to_numpy(zero_copy_only=False), on_invalid="ignore")
        lined = np.flatnonzero(~shapely.is_missing(lines))
        if (shapely.get_num_geometries(lines[lined]) > 1).any():
            parts, part_of = shapely.get_parts(lines[lined], return_index=True)
        else:  # no multi-line: no copy of every line
            parts, part_of = lines[lined], np.arange(len(lined))
        del lines
        self._line_feeder = _positions(segments.column("feeder_id"), feeder_ids)[lined[part_of]].astype(np.int32)
        self._lines = shapely.STRtree(parts)

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

    def locate(self, lat: float, lon: float, tolerance_km: float) -> tuple[np.ndarray, np.ndarray]:
        """Feeders (positions) with a segment within `tolerance_km` of the point, nearest first
        (ties by feeder ID), and the distance to each one's nearest such segment.

        Only the lines the tree finds near the point are measured, all at once: their vertices on
        the flat projection, then every edge's distance to the point (the foot of the
        perpendicular, clamped to the edge), the least per line and then per feeder."""
        found = self._lines.query(_search_box(lat, lon, tolerance_km))
        if not len(found):
            return found, np.empty(0)
        coordinates, line = shapely.get_coordinates(self._lines.geometries.take(found), return_index=True)
        sx, sy = _km_scale(lat)
        x, y = (coordinates[:, 0] - lon) * sx, (coordinates[:, 1] - lat) * sy
        km = np.full(len(found), np.inf)
        np.minimum.at(km, line, np.hypot(x, y))  # a vertex (and a line of one vertex)
        edge = line[1:] == line[:-1]
        ax, ay, dx, dy = x[:-1][edge], y[:-1][edge], np.diff(x)[edge], np.diff(y)[edge]
        length = dx * dx + dy * dy
        t = np.clip(-(ax * dx + ay * dy) / np.where(length == 0, 1, length), 0, 1)
        np.minimum.at(km, line[:-1][edge], np.hypot(ax + t * dx, ay + t * dy))
        feeder = self._line_feeder[found]
        near = (km <= tolerance_km) & (feeder >= 0)
        nearest = np.full(self.feeder_count, np.inf)
        np.minimum.at(nearest, feeder[near], km[near])
        located = np.flatnonzero(np.isfinite(nearest))
        order = np.lexsort((self._id_rank[located], nearest[located]))
        return located[order], nearest[located[order]]

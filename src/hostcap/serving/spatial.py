"""Where things are, for the spatial queries: R-trees (shapely's STRtree) built once per snapshot.

Three trees: the feeders' representative points (`near`), their bounding boxes (`bbox`) and the
segments' lines (`locate`). A DER has no coordinates in any source, so it stands at its feeder's
representative point (`location_source`). A tree answers with the candidates whose boxes come
near the query, and only those are measured, so a query costs milliseconds however many segments
the state has.

The lines are held as flat coordinate arrays, not as one geometry object each: a GEOS line and
its Python object cost a few hundred bytes, about ten times its coordinates, and a statewide
snapshot has about a million. Their tree holds one box per run of `LINES_PER_BOX` nearby lines
(packed in sort-tile-recursive order, as the tree itself packs), and a query measures every line
of the boxes it finds.

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
#: lines under one box of the `locate` tree: fewer boxes hold less memory, more lines per box cost
#: a query more measuring (see BENCHMARKS.md, "Spatial index")
LINES_PER_BOX = 16
#: segments whose GeoJSON is parsed at a time while the index is built
READ_BATCH = 20_000
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


def _ranges(starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """The positions `starts[i]` to `ends[i] - 1` of every i, one after another."""
    lengths = ends - starts
    shift = np.repeat(starts - np.cumsum(lengths) + lengths, lengths)
    return np.arange(int(lengths.sum())) + shift


def _read_lines(texts: pa.ChunkedArray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The vertices of GeoJSON lines (a multi-line's parts apart): their coordinates, each part's
    vertex count, and each part's row. Read `READ_BATCH` rows at a time, so only one batch's
    geometry objects exist at once: a million of them take a few hundred MiB, which a reload
    would need beside the snapshot still served."""
    coordinates, counts, rows = [np.empty((0, 2))], [np.empty(0, dtype=np.int64)], [np.empty(0, dtype=np.int64)]
    for start in range(0, len(texts), READ_BATCH):
        lines = shapely.from_geojson(texts.slice(start, READ_BATCH).to_numpy(zero_copy_only=False), on_invalid="ignore")
        lined = np.flatnonzero(~shapely.is_missing(lines))
        if (shapely.get_num_geometries(lines[lined]) > 1).any():
            parts, part_of = shapely.get_parts(lines[lined], return_index=True)
        else:  # no multi-line: no copy of every line
            parts, part_of = lines[lined], np.arange(len(lined))
        vertices, vertex_part = shapely.get_coordinates(parts, return_index=True)
        coordinates.append(vertices)
        counts.append(np.bincount(vertex_part, minlength=len(parts)))
        rows.append(start + lined[part_of])
    return np.concatenate(coordinates), np.concatenate(counts), np.concatenate(rows)


def _tile_order(x: np.ndarray, y: np.ndarray, run: int) -> np.ndarray:
    """Sort-tile-recursive order: vertical slices by x, each sorted by y, every slice a whole
    number of runs, so each run of `run` items in this order lies close together."""
    slices = max(1, math.ceil(math.sqrt(len(x) / run)))
    per_slice = math.ceil(len(x) / slices / run) * run
    slice_of = np.empty(len(x), dtype=np.int64)
    slice_of[np.argsort(x, kind="stable")] = np.arange(len(x)) // per_slice
    return np.lexsort((y, slice_of))


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
        self._pack_lines(segments, _positions(segments.column("feeder_id"), feeder_ids))

    def _pack_lines(self, segments: pa.Table, segment_feeder: np.ndarray) -> None:
        """The segments' lines (a multi-line's parts apart) as flat vertices in tile order, each
        knowing its segment's feeder and whether it ends its line; and the tree of the boxes of
        each run of `LINES_PER_BOX` lines, run r's vertices from `_run_starts[r]` to `_run_starts[r + 1]`."""
        coordinates, counts, part_of = _read_lines(segments.column("geometry"))
        kept = np.flatnonzero(counts)  # an empty line is nowhere
        starts = np.concatenate(([0], np.cumsum(counts)))[kept]
        lo, hi = np.minimum.reduceat(coordinates, starts), np.maximum.reduceat(coordinates, starts)
        order = _tile_order(lo[:, 0] + hi[:, 0], lo[:, 1] + hi[:, 1], LINES_PER_BOX)
        kept, lo, hi = kept[order], lo[order], hi[order]
        vertices = _ranges(starts[order], starts[order] + counts[kept])
        self._x, self._y = coordinates[vertices, 0], coordinates[vertices, 1]
        del coordinates, vertices
        ends = np.cumsum(counts[kept])
        self._vertex_feeder = np.repeat(segment_feeder[part_of[kept]].astype(np.int32), counts[kept])
        self._line_ends = np.zeros(len(self._x), dtype=bool)
        self._line_ends[ends - 1] = True
        runs = np.arange(0, len(kept), LINES_PER_BOX)
        self._run_starts = np.concatenate(([0], ends[runs[1:] - 1], ends[-1:]))
        self._runs = shapely.STRtree(
            shapely.box(
                np.minimum.reduceat(lo[:, 0], runs),
                np.minimum.reduceat(lo[:, 1], runs),
                np.maximum.reduceat(hi[:, 0], runs),
                np.maximum.reduceat(hi[:, 1], runs),
            )
            if len(runs)
            else []
        )

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

        Only the lines of the boxes the tree finds near the point are measured, all at once: their
        vertices on the flat projection, then every edge's distance to the point (the foot of the
        perpendicular, clamped to the edge), each vertex taking the least of its own and its
        edge's (a line's last vertex has none), then the least per feeder."""
        runs = self._runs.query(_search_box(lat, lon, tolerance_km))
        if not len(runs):
            return runs, np.empty(0)
        vertices = _ranges(self._run_starts[runs], self._run_starts[runs + 1])
        sx, sy = _km_scale(lat)
        x, y = (self._x[vertices] - lon) * sx, (self._y[vertices] - lat) * sy
        km = np.hypot(x, y)  # a vertex (and a line of one vertex)
        edge = np.flatnonzero(~self._line_ends[vertices[:-1]])  # the last vertex of a run ends its line
        ax, ay, dx, dy = x[edge], y[edge], x[edge + 1] - x[edge], y[edge + 1] - y[edge]
        length = dx * dx + dy * dy
        t = np.clip(-(ax * dx + ay * dy) / np.where(length == 0, 1, length), 0, 1)
        km[edge] = np.minimum(km[edge], np.hypot(ax + t * dx, ay + t * dy))
        feeder = self._vertex_feeder[vertices]
        near = (km <= tolerance_km) & (feeder >= 0)
        nearest = np.full(self.feeder_count, np.inf)
        np.minimum.at(nearest, feeder[near], km[near])
        located = np.flatnonzero(np.isfinite(nearest))
        order = np.lexsort((self._id_rank[located], nearest[located]))
        return located[order], nearest[located[order]]

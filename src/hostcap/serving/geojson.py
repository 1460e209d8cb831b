"""Rows as GeoJSON features (RFC 7946): each row's JSON is the feature's `properties`.

The geometry of each kind of row, in WGS84 longitude/latitude:

- a segment: its own line, the GeoJSON text gold keeps, copied as it is (never parsed);
- a feeder: its segments' lines (one line, or a `GeometryCollection` of them); for a feeder-grain
  source that publishes no segments, its representative point; and its bounding box as the
  feature's `bbox`;
- a DER: its feeder's representative point (no source publishes DER coordinates).

A row without a location is a feature with a null geometry, as the spec allows, so a GeoJSON
page holds the same rows as the JSON page. Paging travels as foreign members of the collection
(`count`, `next_cursor`, `meta`), which GIS readers ignore.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING

import orjson
import pyarrow as pa

from hostcap.serving.segments import SegmentIndex
from hostcap.serving.spatial import SpatialIndex

if TYPE_CHECKING:
    from hostcap.serving.snapshot import Snapshot

#: a page's features, from its row positions and the rows' JSON (their `properties`)
Features = Callable[[list[int], list], list[bytes]]

MEDIA_TYPE = "application/geo+json"
_BOX = ("bbox_min_lon", "bbox_min_lat", "bbox_max_lon", "bbox_max_lat")


def _point(lon: float, lat: float) -> bytes | None:
    if math.isnan(lon) or math.isnan(lat):
        return None
    return orjson.dumps({"type": "Point", "coordinates": [lon, lat]})


def feature(properties: bytes, geometry: bytes | None, box: list[float] | None = None) -> bytes:
    parts = [b'{"type":"Feature","geometry":', geometry or b"null"]
    if box is not None:
        parts += [b',"bbox":', orjson.dumps(box)]
    return b"".join((*parts, b',"properties":', bytes(properties), b"}"))


def segment_geometries(segments: SegmentIndex, positions: list[int]) -> list[bytes | None]:
    texts = segments.rows.table.column("geometry").take(pa.array(positions, pa.int64())).to_pylist()
    return [None if text is None else text.encode() for text in texts]


def feeder_features(
    feeders: pa.Table, segments: SegmentIndex, spatial: SpatialIndex, positions: list[int], rows: list
) -> list[bytes]:
    """The features of the feeders at `positions` (their rows' JSON given in the same order)."""
    taken = feeders.select(["feeder_id", *_BOX]).take(pa.array(positions, pa.int64())).to_pylist()
    features = []
    for position, row, properties in zip(positions, taken, rows):
        lines = [text for text in segment_geometries(segments, segments.of_feeder(row["feeder_id"]).tolist()) if text]
        if len(lines) > 1:
            geometry = b'{"type":"GeometryCollection","geometries":[' + b",".join(lines) + b"]}"
        else:
            geometry = lines[0] if lines else _point(*spatial.feeder_point(position))
        box = [row[name] for name in _BOX]
        features.append(feature(properties, geometry, None if None in box else box))
    return features


def der_geometries(spatial: SpatialIndex, positions: list[int]) -> list[bytes | None]:
    return [_point(lon, lat) for lon, lat in spatial.der_points(positions)]


def feeders_of(snapshot: Snapshot) -> Features:
    return lambda positions, rows: feeder_features(
        snapshot.feeders.rows.table, snapshot.segments, snapshot.spatial, positions, rows
    )


def segments_of(snapshot: Snapshot) -> Features:
    return lambda positions, rows: list(map(feature, rows, segment_geometries(snapshot.segments, positions)))


def ders_of(snapshot: Snapshot) -> Features:
    return lambda positions, rows: list(map(feature, rows, der_geometries(snapshot.spatial, positions)))


def collection(features: list[bytes], tail: bytes = b"") -> bytes:
    """A FeatureCollection; `tail` adds foreign members (`,"count":…`)."""
    return b"".join((b'{"type":"FeatureCollection","features":[', b",".join(features), b"]", tail, b"}"))

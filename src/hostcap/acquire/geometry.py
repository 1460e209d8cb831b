"""ArcGIS JSON geometry → GeoJSON geometry in WGS84 longitude/latitude.

A pull asks for `outSR=4326`; a server that answers in Web Mercator anyway (102100/3857, National
Grid's default) is converted here, and any other spatial reference fails the pull rather than land
coordinates no one can read.
"""

from __future__ import annotations

import math

WGS84 = {4326, 4269}  # NAD83 differs from WGS84 by about a metre: close enough for a map
WEB_MERCATOR = {102100, 102113, 3857, 900913}
_R = 6378137.0


class UnknownSpatialReference(ValueError):
    pass


def _projector(wkid: int | None):
    if wkid is None or wkid in WGS84:
        return lambda point: [point[0], point[1]]
    if wkid in WEB_MERCATOR:
        return lambda point: [
            math.degrees(point[0] / _R),
            math.degrees(2 * math.atan(math.exp(point[1] / _R)) - math.pi / 2),
        ]
    raise UnknownSpatialReference(f"coordinates in spatial reference {wkid}, not WGS84 (outSR=4326 was asked)")


def spatial_reference(body: dict) -> int | None:
    reference = body.get("spatialReference") or {}
    return reference.get("latestWkid") or reference.get("wkid")


def to_geojson(geometry: dict | None, wkid: int | None) -> dict | None:
    """The GeoJSON of one ArcGIS geometry (point, multipoint, polyline, polygon); None stays None."""
    if not geometry:
        return None
    project = _projector(wkid)

    def line(points: list) -> list:
        return [project(p) for p in points]

    if "x" in geometry:
        if geometry["x"] is None:
            return None
        return {"type": "Point", "coordinates": project([geometry["x"], geometry["y"]])}
    if "points" in geometry:
        return {"type": "MultiPoint", "coordinates": line(geometry["points"])}
    if "paths" in geometry:
        paths = [line(path) for path in geometry["paths"]]
        if len(paths) == 1:
            return {"type": "LineString", "coordinates": paths[0]}
        return {"type": "MultiLineString", "coordinates": paths}
    if "rings" in geometry:
        return {"type": "Polygon", "coordinates": [line(ring) for ring in geometry["rings"]]}
    raise ValueError(f"unknown ArcGIS geometry with keys {sorted(geometry)}")

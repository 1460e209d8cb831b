"""Where a feeder is: its WGS84 bounding box and a representative point, from the geometry of
its network rows, with nothing but string and number functions every engine has.

Gold keeps a segment's line as the GeoJSON text its source published (a fetch lands ArcGIS
layers as GeoJSON in WGS84 longitude/latitude; see `hostcap.acquire.geometry`): text both DuckDB
and Spark store and compare without a spatial extension, and any GIS reads. A feeder's vertices
are the coordinates of every one of its latest network rows (its segments; a feeder-grain row's
own line), read out of that text:

- its bounding box is their least and greatest longitude and latitude;
- its representative point is the vertex nearest the box's centre (squared degrees), the one of
  least longitude, then latitude, among equally near ones: a point on the feeder's own lines
  (a centre alone may fall off a bent feeder), the same on every engine.

A source without geometry (the CSV exports) gives nulls, and the feeder is flagged `no_geometry`.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from hostcap.layers import parse

GEOMETRY = "geometry"
BOX = ("bbox_min_lon", "bbox_min_lat", "bbox_max_lon", "bbox_max_lat")
POINT = ("point_lon", "point_lat")
#: white space JSON allows between tokens
_BLANKS = (" ", "\t", "\n", "\r")


def vertex_texts(geometry: ir.StringValue) -> ir.StringValue:
    """`lon,lat;lon,lat;…` of a GeoJSON geometry's coordinates, at any nesting depth (a third
    ordinate, where present, is kept and ignored by the caller, as is whatever follows the
    coordinates in the object, `"type":…` included, which ends up after the last vertex's
    latitude). One regex cuts everything up to the coordinates; the rest is plain replaces,
    several times cheaper per character than a regex replace over a whole line."""
    text = geometry.re_replace(r'^.*"coordinates"\s*:', "")
    for blank in _BLANKS:
        text = text.replace(blank, "")
    text = text.replace("],[", ";")
    for bracket in "[]{}":
        text = text.replace(bracket, "")
    return text


def vertices(rows: ir.Table, keys: list[str]) -> ir.Table:
    """One row per vertex of the rows' geometries: `keys`, `lon` and `lat`, both null where the
    vertex is unreadable or off the globe. Nulled, not filtered out: a filter on the parsed
    numbers is evaluated ahead of the parsing (engines push it down), which parses every
    vertex twice over; the aggregates over vertices pass nulls over."""
    lines = rows.filter(rows[GEOMETRY].notnull())
    points = lines.select(*keys, _vertex=vertex_texts(lines[GEOMETRY]).split(";").unnest())
    parsed = points.select(
        *keys,
        _lon=parse.parse_number(points._vertex.re_extract(r"^([^,]*),", 1)),
        _lat=parse.parse_number(points._vertex.re_extract(r"^[^,]*,([^,]*)", 1)),
    )
    on_globe = parsed._lon.between(-180, 180) & parsed._lat.between(-90, 90)
    return parsed.select(
        *keys,
        lon=ibis.ifelse(on_globe, parsed._lon, ibis.null("float64")),
        lat=ibis.ifelse(on_globe, parsed._lat, ibis.null("float64")),
    )


def feeder_locations(rows: ir.Table, keys: list[str]) -> ir.Table:
    """Per `keys` with any readable vertex: the bounding box (BOX) and representative point (POINT)."""
    points = vertices(rows, keys)
    box = points.group_by(keys).aggregate(
        bbox_min_lon=points.lon.min(), bbox_min_lat=points.lat.min(),
        bbox_max_lon=points.lon.max(), bbox_max_lat=points.lat.max(),
    )  # fmt: skip
    centred = points.inner_join(box, keys)
    dx = centred.lon - (centred.bbox_min_lon + centred.bbox_max_lon) / 2
    dy = centred.lat - (centred.bbox_min_lat + centred.bbox_max_lat) / 2
    centred = centred.mutate(_d=dx * dx + dy * dy)
    nearest = centred.group_by(keys).aggregate(_nearest=centred._d.min())
    candidates = centred.inner_join(nearest, keys)
    candidates = candidates.filter(candidates._d == candidates._nearest)
    west = candidates.group_by(keys).aggregate(point_lon=candidates.lon.min())
    chosen = candidates.inner_join(west, keys)
    chosen = chosen.filter(chosen.lon == chosen.point_lon)
    point = chosen.group_by(keys).aggregate(point_lon=chosen.point_lon.min(), point_lat=chosen.lat.min())
    return box.inner_join(point, keys)

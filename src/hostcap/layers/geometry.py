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
    latitude). One regex cuts everything up to the coordinates, lazily: it stops at the
    geometry's one `"coordinates"` key, where a greedy one read every line to its end looking for
    a later one (7% of a statewide gold's feeders stage). The rest is plain replaces, several
    times cheaper per character than a regex replace over a whole line."""
    text = geometry.re_replace(r'^.*?"coordinates"\s*:', "")
    for blank in _BLANKS:
        text = text.replace(blank, "")
    text = text.replace("],[", ";")
    for bracket in "[]{}":
        text = text.replace(bracket, "")
    return text


def vertices(rows: ir.Table, keys: list[str]) -> ir.Table:
    """One row per vertex of the rows' geometries: `keys`, `lon` and `lat`, both null where the
    vertex is unreadable (no second ordinate, not a number, off the globe).

    Unreadable vertices are nulled, not filtered out: engines push a filter on `lon` and `lat`
    through the projection that computes them, and evaluate their number parsing once for the
    filter and again for the result."""
    lines = rows.filter(rows[GEOMETRY].notnull())
    points = lines.select(*keys, _vertex=vertex_texts(lines[GEOMETRY]).split(";").unnest())
    points = points.select(*keys, _ordinates=points._vertex.split(","))
    # the first two ordinates; a vertex of one ordinate has no second, and no index past the end
    # is taken (Spark's ANSI mode fails on one)
    paired = points._ordinates.length() >= 2
    unpaired = ibis.null("string")
    parsed = points.select(
        *keys,
        lon=parse.read_ordinate(ibis.ifelse(paired, points._ordinates[0], unpaired)),
        lat=parse.read_ordinate(ibis.ifelse(paired, points._ordinates[1], unpaired)),
    )  # the globe's bounds below are narrower than parse.within_magnitude's check
    readable = parsed.lon.between(-180, 180) & parsed.lat.between(-90, 90)
    nowhere = ibis.null("float64")
    return parsed.select(*keys, lon=ibis.ifelse(readable, parsed.lon, nowhere), lat=ibis.ifelse(readable, parsed.lat, nowhere))


def feeder_locations(rows: ir.Table, keys: list[str], shares_subqueries: bool) -> ir.Table:
    """Per `keys` with any readable vertex: the bounding box (BOX) and representative point (POINT).
    Unreadable vertices (nulls) count in no box and are never the point.

    Extracting the vertices out of the text is most of the work. An engine that computes a
    subquery read several times once (DuckDB) gets aggregates joined back onto the vertex table,
    all hash operations; one that would extract the vertices again for every reference (Spark)
    gets window functions over the one vertex table, which sort it but read it once. Both give
    the same box and point (the parity tests run both)."""
    points = vertices(rows, keys)
    return _by_aggregates(points, keys) if shares_subqueries else _by_windows(points, keys)


def _by_aggregates(points: ir.Table, keys: list[str]) -> ir.Table:
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
    candidates = candidates.filter(candidates._d == candidates._nearest)  # a null distance is never equal
    west = candidates.group_by(keys).aggregate(point_lon=candidates.lon.min())
    chosen = candidates.inner_join(west, keys)
    chosen = chosen.filter(chosen.lon == chosen.point_lon)
    point = chosen.group_by(keys).aggregate(point_lon=chosen.point_lon.min(), point_lat=chosen.lat.min())
    return box.inner_join(point, keys)


def _by_windows(points: ir.Table, keys: list[str]) -> ir.Table:
    feeder = ibis.window(group_by=keys)
    boxed = points.mutate(
        bbox_min_lon=points.lon.min().over(feeder), bbox_min_lat=points.lat.min().over(feeder),
        bbox_max_lon=points.lon.max().over(feeder), bbox_max_lat=points.lat.max().over(feeder),
    )  # fmt: skip
    dx = boxed.lon - (boxed.bbox_min_lon + boxed.bbox_max_lon) / 2
    dy = boxed.lat - (boxed.bbox_min_lat + boxed.bbox_max_lat) / 2
    centred = boxed.mutate(_d=dx * dx + dy * dy)
    nearest_first = ibis.window(group_by=keys, order_by=[centred.lon.isnull(), centred._d, centred.lon, centred.lat])
    ranked = centred.mutate(_rank=ibis.row_number().over(nearest_first))
    chosen = ranked.filter((ranked._rank == 0) & ranked.lon.notnull())
    return chosen.select(*keys, *BOX, point_lon=chosen.lon, point_lat=chosen.lat)

"""New York's counties: the Census outlines the package ships, and each feeder's county derived from them.

No source publishes a feeder's county, so hostcap derives it (the feeders' `county` field):

- the county whose outline holds the feeder's representative point (the nearest within ~1 km off
  every outline: the outlines are simplified, so a shoreline feeder may fall just outside);
- for a feeder without geometry, the county most of its DER are in, as the SIR inventory
  publishes it (ties: the first by name);
- none without either.

Counties are named as the Census does (`St. Lawrence`); a DER's published county is read in that
spelling too where it is a New York county, so the two compare and roll up together.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from functools import cache
from importlib import resources

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import shapely

#: how far (degrees, ~1 km) a point may lie outside every outline and still take the nearest county
_SHORE_DEGREES = 0.01


def county_key(value: str) -> str:
    """A county's name as filters compare it: upper case, without a trailing " County", `ST. ` for Saint."""
    key = re.sub(r"\s+COUNTY$", "", " ".join(value.upper().split()))
    return re.sub(r"^(SAINT|ST)\.?\s", "ST. ", key)


@cache
def county_outlines() -> tuple[list[str], np.ndarray]:
    """New York's county names (Census spelling) and outlines, as the package ships them."""
    path = resources.files("hostcap.explorer") / "static" / "vendor" / "ny-counties.geojson"
    features = json.loads(path.read_text())["features"]
    outlines = shapely.from_geojson([json.dumps(f["geometry"]) for f in features])
    return [f["properties"]["name"] for f in features], outlines


@cache
def _census_names() -> dict[str, str]:
    return {county_key(name): name for name in county_outlines()[0]}


def census_name(value: str | None) -> str | None:
    """A published county in the Census spelling where it is a New York county (else title case)."""
    if value is None:
        return None
    key = county_key(value)
    return _census_names().get(key, key.title())


def counties_at(lons: np.ndarray, lats: np.ndarray) -> list[str | None]:
    """The county holding each point (the nearest within ~1 km off the outlines; else None)."""
    names, outlines = county_outlines()
    tree = shapely.STRtree(outlines)
    points = shapely.points(lons, lats)
    found: list[str | None] = [None] * len(points)
    located = np.flatnonzero(~(np.isnan(lons) | np.isnan(lats)))
    inside, county = tree.query(points[located], predicate="within")
    for point, outline in zip(inside.tolist(), county.tolist()):
        found[located[point]] = names[outline]
    for point in located.tolist():
        if found[point] is None:
            nearest, distance = tree.query_nearest(points[point], max_distance=_SHORE_DEGREES, return_distance=True)
            if len(nearest):
                found[point] = names[int(nearest[0])]
    return found


def _floats(column: pa.ChunkedArray) -> np.ndarray:
    return np.asarray(column.to_numpy(zero_copy_only=False), dtype=np.float64)


def feeder_counties(feeders: pa.Table, ders: pa.Table) -> pa.Array:
    """Each feeder's county (in `feeders`' order): from its representative point, else the one
    most of its DER are in."""
    lons, lats = _floats(feeders.column("point_lon")), _floats(feeders.column("point_lat"))
    counties = counties_at(lons, lats)
    unplaced = np.isnan(lons) | np.isnan(lats)  # a point outside New York is in no county, whatever its DER say
    feeder_ids = feeders.column("feeder_id").cast(pa.string())
    der_feeders = pc.index_in(ders.column("feeder_id").cast(pa.string()), value_set=feeder_ids.combine_chunks())
    votes: dict[int, Counter] = {}
    for feeder, county in zip(der_feeders.to_pylist(), map(census_name, ders.column("county").to_pylist())):
        if feeder is not None and county and unplaced[feeder]:
            votes.setdefault(feeder, Counter())[county] += 1
    for feeder, counted in votes.items():
        counties[feeder] = min(counted, key=lambda name: (-counted[name], name))
    return pa.array(counties, pa.string())

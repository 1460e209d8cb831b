"""Places users filter by: county, ZIP code, town and NYISO load zone, for DER and feeders.

DER carry all four as the SIR inventory publishes them (where a source does). Feeders carry their
load zone where the network layer publishes it; the rest is derived:

- a feeder's county is the New York county (Census outlines, the explorer's base map) holding its
  representative point; for a feeder without geometry, the county most of its DER are in (ties:
  the first by name); none without either;
- a feeder's ZIP codes and towns are those of its DER.

Values compare case-insensitively, a county without a trailing " County" and ZIP codes by their
first five digits.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass
from functools import cache
from importlib import resources

import numpy as np
import pyarrow as pa
import shapely

from hostcap.serving.rows import Codes
from hostcap.serving.spatial import SpatialIndex

#: how far (degrees, ~1 km) a point may lie outside every outline and still take the nearest county
#: (the outlines are simplified: a shoreline feeder may fall just outside)
_SHORE_DEGREES = 0.01


def county_key(value: str) -> str:
    key = re.sub(r"\s+COUNTY$", "", " ".join(value.upper().split()))
    return re.sub(r"^(SAINT|ST)\.?\s", "ST. ", key)


def zip_key(value: str) -> str:
    return value.strip()[:5]


def text_key(value: str) -> str:
    return " ".join(value.upper().split())


KEYS = {"county": county_key, "zip_code": zip_key, "town": text_key, "load_zone": text_key}
#: the DER column each place is published in
DER_COLUMNS = {"county": "county", "zip_code": "zip_code", "town": "city", "load_zone": "load_zone"}


@dataclass(frozen=True)
class PlaceFilter:
    """Only rows in these places (None: any); every one given must match."""

    county: str | None = None
    zip_code: str | None = None
    town: str | None = None
    load_zone: str | None = None

    def given(self) -> dict[str, str]:
        return {name: KEYS[name](value) for name, value in vars(self).items() if value is not None}


@cache
def county_outlines() -> tuple[list[str], np.ndarray]:
    """New York's county names (Census spelling) and outlines, as the package ships them."""
    path = resources.files("hostcap.explorer") / "static" / "vendor" / "ny-counties.geojson"
    features = json.loads(path.read_text())["features"]
    outlines = shapely.from_geojson([json.dumps(f["geometry"]) for f in features])
    return [f["properties"]["name"] for f in features], outlines


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


def _codes(values: list[str | None], key) -> Codes:
    return Codes(pa.chunked_array([pa.array([None if v is None else key(v) for v in values], pa.string())]))


class Places:
    def __init__(self, feeders: pa.Table, ders: pa.Table, spatial: SpatialIndex):
        self._ders = {name: _codes(ders.column(column).to_pylist(), KEYS[name]) for name, column in DER_COLUMNS.items()}
        self._der_feeder = spatial.der_feeder
        self._feeder_count = feeders.num_rows
        #: per feeder and per DER, its load zone as the roll-ups name it (None: none published)
        self.feeder_zones = [None if z is None else text_key(z) for z in feeders.column("load_zone").to_pylist()]
        self.der_zones = [None if z is None else text_key(z) for z in ders.column("load_zone").to_pylist()]
        self._feeder_zone = _codes(self.feeder_zones, text_key)
        census = {county_key(name): name for name in county_outlines()[0]}
        #: per DER, its published county as the roll-ups name it (the Census spelling where it is a New York county)
        self.der_counties = [
            None if c is None else census.get(county_key(c), county_key(c).title()) for c in ders.column("county").to_pylist()
        ]
        #: per feeder, its derived county (None without geometry or DER with a county)
        self.feeder_counties = self._derived_counties(counties_at(*spatial.feeder_points()), self.der_counties)
        self._feeder_county = _codes(self.feeder_counties, county_key)

    def _derived_counties(self, located: list[str | None], der_counties: list[str | None]) -> list[str | None]:
        """Each feeder's county from its point, else the one most of its DER are in."""
        votes: dict[int, Counter] = {}
        for feeder, county in zip(self._der_feeder.tolist(), der_counties):
            if feeder >= 0 and county and located[feeder] is None:
                votes.setdefault(feeder, Counter())[county] += 1
        for feeder, counted in votes.items():
            located[feeder] = min(counted, key=lambda name: (-counted[name], name))
        return located

    def ders(self, places: PlaceFilter) -> np.ndarray | None:
        """Per DER: whether it is in every place given (None: no place given)."""
        keep = None
        for name, value in places.given().items():
            passing = self._ders[name].mask((value,))
            keep = passing if keep is None else keep & passing
        return keep

    def _feeders_of(self, der_mask: np.ndarray) -> np.ndarray:
        keep = np.zeros(self._feeder_count + 1, dtype=bool)  # the last entry catches DER without a feeder
        keep[self._der_feeder[der_mask]] = True
        return keep[:-1]

    def feeders(self, places: PlaceFilter) -> np.ndarray | None:
        """Per feeder: whether it is in every place given (None: no place given): its published
        load zone; its county from geometry, else from its DER; its DER's ZIP codes and towns."""
        keep = None
        for name, value in places.given().items():
            if name == "load_zone":
                passing = self._feeder_zone.mask((value,))
            elif name == "county":
                passing = self._feeder_county.mask((value,))
            else:
                passing = self._feeders_of(self._ders[name].mask((value,)))
            keep = passing if keep is None else keep & passing
        return keep

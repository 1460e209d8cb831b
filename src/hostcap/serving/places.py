"""Places users filter by: county, ZIP code, town and NYISO load zone, for DER and feeders.

DER carry all four as the SIR inventory publishes them (where a source does). Feeders carry their
load zone where the network layer publishes it, and their derived county (the served feeders'
`county`, see hostcap.counties); a feeder's ZIP codes and towns are those of its DER.

Values compare case-insensitively, a county without a trailing " County" and ZIP codes by their
first five digits.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from hostcap.counties import census_name, county_key
from hostcap.serving.rows import Codes
from hostcap.serving.spatial import SpatialIndex


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
        #: per DER, its published county as the roll-ups name it (the Census spelling where it is a New York county)
        self.der_counties = [census_name(c) for c in ders.column("county").to_pylist()]
        #: per feeder, its derived county (hostcap.counties; None without geometry or DER with a county)
        self.feeder_counties = feeders.column("county").to_pylist()
        self._feeder_county = _codes(self.feeder_counties, county_key)

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

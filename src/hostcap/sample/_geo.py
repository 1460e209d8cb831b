"""Plausible lines for the sample's ArcGIS-style layers, inside each utility's real service territory.

The services publish every segment's line; the sample's layer exports carry it in a ``geometry``
column as GeoJSON text in WGS84 (what a fetch lands), so an offline sample draws a real-looking map.
A feeder starts a few km from its substation's real location and grows as a tree of short segments:
most continue where the previous one ended, turning gently; some branch off an earlier vertex, as
laterals leave a distribution main (so a feeder stays a few km across, not a long wandering line).
The lines come from their own random stream, so adding them left every other sample value as it was.
"""

from __future__ import annotations

import math
import random

import orjson

#: approximate (longitude, latitude) of each sample substation's town, in its utility's territory
SITES: dict[str, tuple[float, float]] = {
    # Con Edison: Staten Island, Queens, the Bronx, Westchester
    "Fresh Kills": (-74.185, 40.575), "Wainwright": (-74.160, 40.600), "Woodrow": (-74.190, 40.540),
    "Willowbrook": (-74.140, 40.600), "Fox Hills": (-74.090, 40.615), "Jamaica": (-73.800, 40.700),
    "Flushing": (-73.830, 40.760), "Parkchester": (-73.860, 40.835), "Dunwoodie": (-73.870, 40.930),
    "Sprain Brook": (-73.850, 40.960), "Grasslands": (-73.800, 41.080), "Elmsford": (-73.820, 41.050),
    "Harrison": (-73.715, 40.970), "Ardsley": (-73.845, 41.010), "Millwood": (-73.800, 41.195),
    "Buchanan": (-73.940, 41.260), "Ossining": (-73.860, 41.160), "Pleasantville": (-73.790, 41.135),
    "Mohansic": (-73.810, 41.290),
    # Orange & Rockland: Rockland and Orange counties, and its New Jersey subsidiary (RECO)
    "Monroe": (-74.185, 41.330), "Sloatsburg": (-74.190, 41.155), "West Nyack": (-73.970, 41.095),
    "New Hempstead": (-74.050, 41.150), "Harriman": (-74.145, 41.310), "Blooming Grove": (-74.180, 41.400),
    "Port Jervis": (-74.690, 41.375), "Middletown": (-74.420, 41.445), "Wallkill": (-74.185, 41.605),
    "Cuddebackville": (-74.600, 41.460), "Pearl River": (-74.020, 41.060), "Spring Valley": (-74.045, 41.115),
    "Tallman": (-74.100, 41.110), "Congers": (-73.945, 41.150), "Stony Point": (-73.990, 41.230),
    "Warwick": (-74.360, 41.255), "Chester": (-74.270, 41.360), "Goshen": (-74.325, 41.400),
    "Mahwah": (-74.145, 41.090), "Ramsey": (-74.140, 41.055), "Allendale": (-74.130, 41.030),
    "Upper Saddle River": (-74.100, 41.060), "Franklin Lakes": (-74.210, 41.015), "Oakland": (-74.240, 41.030),
    # Central Hudson: the mid-Hudson valley
    "Woodstock": (-74.120, 42.040), "Kingston": (-74.000, 41.930), "Saugerties": (-73.950, 42.075),
    "Modena": (-74.110, 41.665), "Highland": (-73.960, 41.720), "Milan": (-73.780, 41.970),
    "Pleasant Valley": (-73.820, 41.745), "Fishkill Plains": (-73.860, 41.560), "Hurley Avenue": (-74.040, 41.925),
    "Rhinebeck": (-73.910, 41.925), "Ellenville": (-74.395, 41.715), "Newburgh": (-74.030, 41.510),
    "Marlboro": (-73.990, 41.605), "Coxsackie": (-73.800, 42.350), "Catskill": (-73.870, 42.215),
    "New Paltz": (-74.085, 41.745), "Pawling": (-73.600, 41.560), "Millerton": (-73.510, 41.955),
    "Hunter": (-74.220, 42.210), "Wiccopee": (-73.830, 41.545),
}  # fmt: skip

#: km per degree of latitude; a degree of longitude is this times cos(latitude)
KM_PER_DEGREE = 111.32
_START_KM = 3.0  # how far from its substation a feeder may start
_STEP_KM = (0.03, 0.12)  # length of one vertex-to-vertex step
_BRANCH_SHARE = 0.3  # segments that start a lateral from an earlier vertex


class FeederLine:
    """One feeder's segments, drawn one after another from where the previous one ended."""

    def __init__(self, rng: random.Random, substation: str):
        lon, lat = SITES[substation]
        self._rng = rng
        self._scale = (KM_PER_DEGREE * math.cos(math.radians(lat)), KM_PER_DEGREE)
        self._heading = rng.uniform(0, 2 * math.pi)
        self._at = self._moved((lon, lat), rng.uniform(0, _START_KM), rng.uniform(0, 2 * math.pi))
        self._vertices = [self._at]

    def _moved(self, point: tuple[float, float], km: float, heading: float) -> tuple[float, float]:
        return (point[0] + km * math.cos(heading) / self._scale[0], point[1] + km * math.sin(heading) / self._scale[1])

    def segment(self) -> str:
        """The next segment: a GeoJSON LineString of 2-4 vertices, 6 decimals (about 0.1 m)."""
        if len(self._vertices) > 1 and self._rng.random() < _BRANCH_SHARE:
            self._at = self._rng.choice(self._vertices)
            self._heading += self._rng.choice((-1, 1)) * math.pi / 2
        points = [self._at]
        for _ in range(self._rng.randint(1, 3)):
            self._heading += self._rng.gauss(0, 0.35)
            points.append(self._moved(points[-1], self._rng.uniform(*_STEP_KM), self._heading))
        self._at = points[-1]
        self._vertices.extend(points[1:])
        coordinates = [[round(lon, 6), round(lat, 6)] for lon, lat in points]
        return orjson.dumps({"type": "LineString", "coordinates": coordinates}).decode()

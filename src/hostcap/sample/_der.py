"""The DER model shared by every DER generator: project sizes by kind, and the junk values sources carry.

Sizes are in kW (every source's DER unit). The common residential sizes are the most frequent ratings in
the real NYSEG and National Grid files (6, 7.6, 5, 10 kW…); the ranges of the other kinds are typical for
NY interconnections (community solar up to 5 MW, CHP tens to hundreds of kW…).
"""

from __future__ import annotations

import math
import random

RESIDENTIAL_PV_KW = (6, 7.6, 5, 10, 3.8, 3, 7, 11.4, 12, 4, 8, 3.6, 4.2, 15.2, 9, 5.16, 7.5, 11, 7.2, 6.6)
COMMERCIAL_PV_KW = (5000, 2000, 4000, 750, 500, 1000, 25, 50, 100, 250)

# kind: (share drawn from the common sizes, common sizes, log-uniform range, decimals)
_SIZES: dict[str, tuple[float, tuple[float, ...], tuple[float, float], int]] = {
    "res_pv": (0.7, RESIDENTIAL_PV_KW, (2.0, 25.0), 2),
    "com_pv": (0.5, COMMERCIAL_PV_KW, (25.0, 5000.0), 1),
    "res_ess": (0.6, (5, 10, 11.4, 13.5, 25), (3.0, 30.0), 1),
    "ess": (0.4, (1000, 2000, 3000, 5000), (20.0, 5000.0), 0),
    "wind_small": (0.5, (2.4, 3.5, 10, 20), (1.0, 100.0), 2),
    "wind_large": (0.0, (), (900.0, 80000.0), 0),
    "chp": (0.0, (), (30.0, 2000.0), 0),
    "hydro": (0.0, (), (50.0, 5000.0), 0),
    "fuel_cell": (0.0, (), (5.0, 1000.0), 0),
    "farm_waste": (0.0, (), (50.0, 1500.0), 0),
    "biogas": (0.0, (), (300.0, 12000.0), 0),
    "gas_turbine": (0.0, (), (200.0, 5000.0), 0),
    "engine": (0.0, (), (50.0, 3000.0), 0),
    "steam": (0.0, (), (100.0, 5000.0), 0),
    "other": (0.0, (), (5.0, 2000.0), 0),
    "bulk": (0.0, (), (20000.0, 900000.0), 0),
}

#: Values that are present but unreadable (they must become null, flagged, not quarantine the row).
BAD_NUMBER = "abc"
JUNK_DATES = ("ASAP", "Q3 2022", "On Hold", "TBD")


def kw(rng: random.Random, kind: str) -> float:
    """A plausible nameplate (kW) for a DER of ``kind`` (see ``_SIZES`` for the kinds)."""
    common_share, common, (low, high), places = _SIZES[kind]
    if common and rng.random() < common_share:
        return float(rng.choice(common))
    return round(math.exp(rng.uniform(math.log(low), math.log(high))), places)

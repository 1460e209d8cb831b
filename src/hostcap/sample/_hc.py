"""The hosting-capacity model shared by every network generator: feeder HC, segment HC, legend bands.

The distribution of feeder max HC follows the real National Grid file (18.6% zeros, 5.3% at the 10 MW
study cap, most feeders between 1.5 and 10 MW). Segment values are derived from their feeder's so that a
feeder's max HC is exactly the max of its segments' and its min HC the min of theirs (source-formats §3).
"""

from __future__ import annotations

import random
from typing import NamedTuple

#: Several utilities stop the study at 10 MW; a value of exactly 10 means "at least 10".
STUDY_CAP_MW = 10.0


class Band(NamedTuple):
    """One legend band of the utilities' HC maps (the bands of National Grid's ``color`` column)."""

    low: float
    high: float
    name: str
    hex: str


BANDS = (
    Band(0.00, 0.29, "brown", "953736"),
    Band(0.30, 0.49, "red", "FF0000"),
    Band(0.50, 0.99, "yellow", "FFFF00"),
    Band(1.00, 1.49, "green", "00B050"),
    Band(1.50, 1.99, "turquoise", "40E0D0"),
    Band(2.00, 2.99, "light blue", "9DC3E6"),
    Band(3.00, 4.99, "blue", "0070C0"),
    Band(5.00, STUDY_CAP_MW, "dark blue", "002060"),
)

# Share of non-zero feeders per max-HC range (from the real National Grid feeders); the last range lies
# above the study cap and becomes exactly 10 where a utility caps.
_NONZERO_RANGES = (
    ((0.01, 0.29), 0.040),
    ((0.30, 0.49), 0.024),
    ((0.50, 0.99), 0.054),
    ((1.00, 1.49), 0.044),
    ((1.50, 1.99), 0.140),
    ((2.00, 2.99), 0.190),
    ((3.00, 4.99), 0.088),
    ((5.00, 9.99), 0.180),
    ((10.01, 20.0), 0.053),
)


def band(mw: float) -> Band:
    """The legend band a HC value falls in (values above the top band stay in it)."""
    for candidate in BANDS:
        if mw <= candidate.high:
            return candidate
    return BANDS[-1]


def feeder_max_hcs(rng: random.Random, n: int, zero_share: float) -> list[float]:
    """Uncapped max HC (MW) of ``n`` feeders; always includes one zero and one above the study cap.

    Planting both extremes keeps the "zero is a value" and "exactly 10" cases alive at tiny scales.
    """
    ranges = [r for r, _ in _NONZERO_RANGES]
    weights = [w for _, w in _NONZERO_RANGES]
    values = [0.0 if rng.random() < zero_share else round(rng.uniform(*rng.choices(ranges, weights)[0]), 2) for _ in range(n)]
    if n >= 2:
        zero, high = rng.sample(range(n), 2)
        values[zero] = 0.0
        values[high] = round(rng.uniform(*ranges[-1]), 2)
    return values


def min_hc(rng: random.Random, max_hc: float) -> float:
    """A feeder's min HC: what fits anywhere on it, a fraction of its max HC."""
    return round(max_hc * rng.uniform(0.0, 0.35), 2)


def capped(mw: float, cap: float | None) -> float:
    """``mw`` limited to the study cap, if the utility caps."""
    return mw if cap is None else min(mw, cap)


def segment_hcs(
    rng: random.Random, n: int, feeder_max: float, feeder_min: float, cap: float | None = None
) -> list[tuple[float, float]]:
    """(min, max) HC of a feeder's ``n`` segments: one segment reaches the feeder's max, one its min.

    Every segment satisfies feeder_min <= seg_min <= seg_max <= feeder_max, so the feeder's HC is exactly
    the max/min over its segments, which is how the pipeline derives it for sources without feeder columns.
    """
    top, bottom = rng.randrange(n), rng.randrange(n)
    out = []
    for i in range(n):
        seg_max = feeder_max if i == top else max(feeder_min, round(feeder_max * rng.uniform(0.15, 1.0), 2))
        seg_min = feeder_min if i == bottom else round(feeder_min + rng.uniform(0, 0.5) * (seg_max - feeder_min), 2)
        seg_max = capped(seg_max, cap)
        out.append((min(seg_min, seg_max), seg_max))
    return out

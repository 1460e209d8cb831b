"""Aggregates for charts, computed once per snapshot: how feeders' max hosting capacity is
distributed per utility, and DER nameplate MW per utility, technology and status.

Small tables (a few rows per utility), so a chart never needs every feeder or DER record.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from hostcap.serving.encode import FLAGS, plain
from hostcap.serving.utilities import distribution_ders

#: bin edges (MW) of the max HC distribution; the first bin is open below, the last above
MAX_HC_EDGES_MW = (1, 2, 5, 10, 20)

MAX_HC_SCHEMA = pa.schema(
    [
        ("utility", pa.string()),
        ("bin_min_mw", pa.float64()),
        ("bin_max_mw", pa.float64()),
        ("feeder_count", pa.int64()),
    ]
)
DER_MW_SCHEMA = pa.schema(
    [
        ("utility", pa.string()),
        ("der_type", pa.string()),
        ("status", pa.string()),
        ("der_count", pa.int64()),
        ("nameplate_mw", pa.float64()),
    ]
)


def max_hc_distribution(feeders: pa.Table) -> pa.Table:
    """Feeders per utility and max HC bin (every bin of every utility, zeros included, so charts
    line up); a feeder without a max HC is in no bin. Bins hold `bin_min_mw <= max_hc_mw <
    bin_max_mw`, a null bound being open."""
    feeders = plain(feeders.select(["utility", "max_hc_mw"]))
    utilities = np.array(feeders.column("utility").to_pylist(), dtype=object)
    max_hc = np.asarray(feeders.column("max_hc_mw").to_numpy(zero_copy_only=False), dtype=np.float64)
    known = ~np.isnan(max_hc)
    bins = np.digitize(max_hc, MAX_HC_EDGES_MW)
    lows, highs = (None, *MAX_HC_EDGES_MW), (*MAX_HC_EDGES_MW, None)
    rows = [
        {
            "utility": utility,
            "bin_min_mw": low,
            "bin_max_mw": high,
            "feeder_count": int(np.count_nonzero(known & (utilities == utility) & (bins == i))),
        }
        for utility in sorted(set(utilities))
        for i, (low, high) in enumerate(zip(lows, highs, strict=True))
    ]
    return pa.Table.from_pylist(rows, schema=MAX_HC_SCHEMA)


def der_mw_by_type(ders: pa.Table) -> pa.Table:
    """DER records and nameplate MW per utility, technology and status (transmission-level records
    left out, as in the feeder roll-ups and the utility summary), by utility, type, status."""
    ders = distribution_ders(plain(ders.select(["utility", "der_type", "status", "der_id", "nameplate_kw", FLAGS])))
    grouped = ders.group_by(["utility", "der_type", "status"]).aggregate([("der_id", "count"), ("nameplate_kw", "sum")])
    rows = [
        {
            "utility": row["utility"],
            "der_type": row["der_type"],
            "status": row["status"],
            "der_count": row["der_id_count"],
            "nameplate_mw": round((row["nameplate_kw_sum"] or 0) / 1000, 6),
        }
        for row in grouped.to_pylist()
    ]
    rows.sort(key=lambda r: (r["utility"], r["der_type"] or "", r["status"]))
    return pa.Table.from_pylist(rows, schema=DER_MW_SCHEMA)


def place_schema(place: str) -> pa.Schema:
    return pa.schema(
        [
            (place, pa.string()),
            ("feeder_count", pa.int64()),
            ("total_max_hc_mw", pa.float64()),
            ("headroom_after_queue_mw", pa.float64()),
            ("installed_der_count", pa.int64()),
            ("installed_der_mw", pa.float64()),
            ("planned_der_count", pa.int64()),
            ("planned_der_mw", pa.float64()),
        ]
    )


def place_rollup(place: str, feeders: pa.Table, feeder_places: list, ders: pa.Table, der_places: list) -> pa.Table:
    """Per place (a county or a load zone), its feeders' totals and its DER's (transmission-level
    records left out), by place; `feeder_places` and `der_places` name each row's place (None: none)."""
    totals: dict[str, dict] = {}

    def of(name: str) -> dict:
        return totals.setdefault(name, {place: name, **{f: 0 for f in place_schema(place).names[1:]}})

    for name, max_hc, headroom in zip(
        feeder_places, feeders.column("max_hc_mw").to_pylist(), feeders.column("headroom_after_queue_mw").to_pylist()
    ):
        if name is not None:
            row = of(name)
            row["feeder_count"] += 1
            row["total_max_hc_mw"] += max_hc or 0.0
            row["headroom_after_queue_mw"] += headroom or 0.0
    ders = distribution_ders(
        plain(ders.select(["status", "nameplate_kw", FLAGS])).append_column("_place", pa.array(der_places, pa.string()))
    )
    for name, status, kw in zip(*(ders.column(c).to_pylist() for c in ("_place", "status", "nameplate_kw"))):
        if name is not None and status in ("installed", "planned"):
            row = of(name)
            row[f"{status}_der_count"] += 1
            row[f"{status}_der_mw"] += (kw or 0.0) / 1000
    rows = [{k: round(v, 6) if isinstance(v, float) else v for k, v in row.items()} for _, row in sorted(totals.items())]
    return pa.Table.from_pylist(rows, schema=place_schema(place))

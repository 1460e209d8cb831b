"""Per-utility summary of a snapshot: counts, totals, how current the data is, and its last refresh."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

from hostcap.serving.encode import FLAGS, plain

SCHEMA = pa.schema(
    [
        ("utility", pa.string()),
        ("display_name", pa.string()),
        ("feeder_count", pa.int64()),
        ("feeders_max_hc_above_1_mw", pa.int64()),
        ("feeders_max_hc_above_5_mw", pa.int64()),
        ("segment_count", pa.int64()),
        ("substation_count", pa.int64()),
        ("total_max_hc_mw", pa.float64()),
        ("installed_der_count", pa.int64()),
        ("installed_der_mw", pa.float64()),
        ("planned_der_count", pa.int64()),
        ("planned_der_mw", pa.float64()),
        ("withdrawn_der_count", pa.int64()),
        ("hca_refresh_date_min", pa.date32()),
        ("hca_refresh_date_max", pa.date32()),
        ("der_latest_date", pa.date32()),
        ("last_refresh_run_id", pa.string()),
        ("last_refresh_at", pa.string()),
        ("last_refresh_status", pa.string()),
    ]
)
#: project sizes (MW) the summary counts feeders above: "where could a 1 MW / 5 MW project go?"
HC_THRESHOLDS_MW = (1, 5)
#: DER dates that say how recent a utility's DER data is (planned in-service dates lie ahead)
_DER_DATES = ("application_date", "queue_date", "completion_date")


def _worst(statuses) -> str | None:
    """A utility's sources' outcome in a refresh: `failed` (its data is missing), `stale` (its last
    good data is served), else `succeeded` (loaded, or unchanged and reused); None without sources."""
    found = set(statuses)
    return next((s for s in ("failed", "stale") if s in found), "succeeded" if found else None)


def _by_utility(table: pa.Table, aggregations: list[tuple[str, str]], keys: tuple[str, ...] = ()) -> dict:
    """`{(utility, *keys): {"<column>_<function>": value}}` from one Arrow group-by."""
    grouped = table.group_by(["utility", *keys]).aggregate(aggregations).to_pylist()
    return {tuple(row.pop(k) for k in ("utility", *keys)): row for row in grouped}


def distribution_ders(ders: pa.Table) -> pa.Table:
    """The DER records that are not transmission-level, as the feeder roll-ups count them."""
    return ders.filter(pc.invert(pc.match_substring_regex(ders.column(FLAGS), "(^|,)transmission(,|$)")))


def utility_summaries(
    feeders: pa.Table, segments: pa.Table, substations: pa.Table, ders: pa.Table, report: dict | None
) -> pa.Table:
    """One row per utility that has data in the snapshot or a source in its refresh report.

    DER counts and MW leave out transmission-level records, as the feeder roll-ups do. Display
    names are those of the configs the snapshot was built with (its report's `utilities`).
    """
    feeders = plain(feeders.select(["utility", "feeder_id", "max_hc_mw", "hca_refresh_date"]))
    segments = plain(segments.select(["utility", "segment_id"]))
    substations = plain(substations.select(["utility", "substation_id"]))
    ders = plain(ders.select(["utility", "status", "der_id", "nameplate_kw", FLAGS, *_DER_DATES]))
    network = _by_utility(
        feeders,
        [("feeder_id", "count"), ("max_hc_mw", "sum"), ("hca_refresh_date", "min"), ("hca_refresh_date", "max")],
    )
    segment_counts = _by_utility(segments, [("segment_id", "count")])
    substation_counts = _by_utility(substations, [("substation_id", "count")])
    above = {
        mw: _by_utility(feeders.filter(pc.greater(feeders.column("max_hc_mw"), mw)), [("feeder_id", "count")])
        for mw in HC_THRESHOLDS_MW
    }
    der_totals = _by_utility(distribution_ders(ders), [("der_id", "count"), ("nameplate_kw", "sum")], ("status",))
    der_dates = _by_utility(ders, [(name, "max") for name in _DER_DATES])
    sources = (report or {}).get("sources", [])
    names = (report or {}).get("utilities", {})
    utilities = {key[0] for table in (network, der_totals, der_dates) for key in table}
    utilities |= {source["source"].split("/")[0] for source in sources}
    rows = []
    for utility in sorted(utilities):
        feeder = network.get((utility,), {})
        der = {status: der_totals.get((utility, status), {}) for status in ("installed", "planned", "withdrawn")}
        dates = [d for d in der_dates.get((utility,), {}).values() if d is not None]
        own_sources = [s for s in sources if s["source"].split("/")[0] == utility]
        rows.append(
            {
                "utility": utility,
                "display_name": names.get(utility, utility),
                "feeder_count": feeder.get("feeder_id_count", 0),
                **{
                    f"feeders_max_hc_above_{mw}_mw": above[mw].get((utility,), {}).get("feeder_id_count", 0)
                    for mw in HC_THRESHOLDS_MW
                },
                "segment_count": segment_counts.get((utility,), {}).get("segment_id_count", 0),
                "substation_count": substation_counts.get((utility,), {}).get("substation_id_count", 0),
                "total_max_hc_mw": round(feeder.get("max_hc_mw_sum") or 0.0, 6),
                "installed_der_count": der["installed"].get("der_id_count", 0),
                "installed_der_mw": round((der["installed"].get("nameplate_kw_sum") or 0) / 1000, 6),
                "planned_der_count": der["planned"].get("der_id_count", 0),
                "planned_der_mw": round((der["planned"].get("nameplate_kw_sum") or 0) / 1000, 6),
                "withdrawn_der_count": der["withdrawn"].get("der_id_count", 0),
                "hca_refresh_date_min": feeder.get("hca_refresh_date_min"),
                "hca_refresh_date_max": feeder.get("hca_refresh_date_max"),
                "der_latest_date": max(dates, default=None),
                "last_refresh_run_id": report["run_id"] if report else None,
                "last_refresh_at": report.get("finished_at") if report else None,
                "last_refresh_status": _worst(s["status"] for s in own_sources),
            }
        )
    return pa.Table.from_pylist(rows, schema=SCHEMA)

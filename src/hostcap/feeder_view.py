"""Feeders as served and exported: gold's feeders plus the figures that depend on a date, and
their county (derived from the outlines the package ships, see hostcap.counties).

Gold holds dates, never ages, so it stays the same whatever day it is built (the engines agree,
and a utility's unchanged rows are reused as they are). The ages and the queue scenarios are
computed here, as of the snapshot's build date (the date of its run ID), so the API and an export
of one snapshot always say the same; `as_of_date` on each row says which date that is.

Queue scenarios (each a planned MW and a headroom, `max_hc_mw` less that MW):
- `all_queued`: every queued project is built (gold's `planned_der_mw`, `headroom_after_queue_mw`);
- `past_milestone`: only queued projects past a utility study or agreement milestone (their source
  config's `der.milestone_fields`); null for a utility whose sources publish no milestone;
- `without_stale`: queue entries whose latest date (queued, application, milestone) is more than
  `stale_months` months before the as-of date are dropped; entries with no date are kept.
"""

from __future__ import annotations

import datetime as dt

import pyarrow as pa
import pyarrow.compute as pc

from hostcap.counties import feeder_counties
from hostcap.registry import TABLES

#: scenario name → the feeder column holding its headroom (MW)
SCENARIOS = {
    "all_queued": "headroom_after_queue_mw",
    "past_milestone": "headroom_past_milestone_mw",
    "without_stale": "headroom_without_stale_mw",
}
DEFAULT_STALE_MONTHS = 24
#: the columns the view adds to gold's feeders, in order (hostcap.registry: the fields gold does not store)
VIEW_COLUMNS = tuple(TABLES["feeders"].view_columns)
_ACTIVITY_DATES = ("queue_date", "application_date", "milestone_date")


def snapshot_date(snapshot_id: str) -> dt.date:
    """The UTC date a snapshot was built: its run ID starts `YYYYMMDDT`."""
    return dt.datetime.strptime(snapshot_id[:8], "%Y%m%d").date()


def months_before(day: dt.date, months: int) -> dt.date:
    """The same day `months` calendar months earlier (the month's last day where it is shorter)."""
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    month += 1
    following = dt.date(year + (month == 12), month % 12 + 1, 1)
    return dt.date(year, month, min(day.day, (following - dt.timedelta(days=1)).day))


def feeder_view(feeders: pa.Table, ders: pa.Table, as_of: dt.date, stale_months: int = DEFAULT_STALE_MONTHS) -> pa.Table:
    """`feeders` with `as_of_date`, the age in days of its HC study and of its DER data, the
    planned MW and headroom of the `past_milestone` and `without_stale` scenarios, and its county."""
    county = feeder_counties(feeders, _plain(ders.select(["feeder_id", "county"])))
    ders = _plain(ders.select(["utility", "feeder_id", "status", "nameplate_kw", "quality_flags", *_ACTIVITY_DATES]))
    planned = ders.filter(pc.equal(ders.column("status"), "planned"))
    planned = planned.filter(pc.is_valid(planned.column("feeder_id")))
    transmission = pc.match_substring_regex(planned.column("quality_flags"), "(^|,)transmission(,|$)")
    planned = planned.filter(pc.invert(pc.fill_null(transmission, False)))  # not on a feeder, as in gold
    with_milestone = set(planned.filter(pc.is_valid(planned.column("milestone_date"))).column("utility").to_pylist())
    latest = _latest_activity(planned)
    stale = pc.fill_null(pc.less(latest, pa.scalar(months_before(as_of, stale_months))), False)
    passed = _planned_mw(planned.filter(pc.is_valid(planned.column("milestone_date"))), feeders)
    kept = _planned_mw(planned.filter(pc.invert(stale)), feeders)
    knows_milestones = pc.is_in(feeders.column("utility"), pa.array(sorted(with_milestone), pa.string()))
    passed = pc.if_else(knows_milestones, passed, pa.scalar(None, pa.float64()))
    max_hc = feeders.column("max_hc_mw")
    as_of_scalar = pa.scalar(as_of, pa.date32())
    columns = {
        "as_of_date": pa.array([as_of] * feeders.num_rows, pa.date32()),
        "hca_age_days": pc.days_between(feeders.column("hca_refresh_date"), as_of_scalar),
        "der_data_age_days": pc.days_between(feeders.column("der_data_date"), as_of_scalar),
        "planned_past_milestone_der_mw": passed,
        "headroom_past_milestone_mw": pc.round(pc.subtract(max_hc, passed), 9),
        "planned_without_stale_der_mw": kept,
        "headroom_without_stale_mw": pc.round(pc.subtract(max_hc, kept), 9),
        "county": county,
    }
    for name in VIEW_COLUMNS:
        feeders = feeders.append_column(name, columns[name])
    return feeders


def _plain(table: pa.Table) -> pa.Table:
    """The table with dictionary-encoded columns (as the serving read model holds them) decoded."""
    for i, field in enumerate(table.schema):
        if pa.types.is_dictionary(field.type):
            table = table.set_column(i, field.name, table.column(i).cast(field.type.value_type))
    return table


def _latest_activity(planned: pa.Table) -> pa.ChunkedArray:
    """Each queued entry's latest known date (null when it has none)."""
    dates = [planned.column(name).cast(pa.date32()) for name in _ACTIVITY_DATES]
    return pc.max_element_wise(*dates, skip_nulls=True)


def _planned_mw(planned: pa.Table, feeders: pa.Table) -> pa.Array:
    """Nameplate MW of `planned` per feeder, in `feeders`' order (0 for a feeder with none)."""
    sums = planned.group_by("feeder_id").aggregate([("nameplate_kw", "sum")])
    at = pc.index_in(feeders.column("feeder_id"), sums.column("feeder_id"))
    kw = pc.fill_null(pc.take(sums.column("nameplate_kw_sum"), at), 0.0)
    return pc.round(pc.divide(pc.cast(kw, pa.float64()), 1000.0), 9)

"""Gold's explainable headroom: what binds at a location, and the DER connected since the study.

A hosting-capacity study has a date, and DER connected after it is not in its numbers. Some
utilities publish that DER per feeder (`der_since_last_study_mw`); elsewhere it is derived from
the project records: installed DER completed after the feeder's study date. Where a source
publishes per-criterion limits (thermal, over-voltage, …), the lowest one at a location binds.
Both are engine-neutral Ibis, so DuckDB and Spark build the same gold.
"""

from __future__ import annotations

import ibis
import ibis.expr.datatypes as dt
import ibis.expr.types as ir

from hostcap.canonical import HC_CRITERIA, NOT_PUBLISHED
from hostcap.layers import parse

#: where `added_since_study_mw` comes from
PUBLISHED = "utility_published"
DERIVED = "project_records"

#: exact kW sums: floats would differ in the last bit between engines that sum in another order
KW_SUM = dt.Decimal(38, 9)

_KEYS = ["utility", "native_feeder_id"]
#: stands in for a missing limit when taking the least (every engine's LEAST treats nulls its own way)
_NO_LIMIT = 1e300


def with_binding(table: ir.Table) -> ir.Table:
    """`table` plus, at each row, the lowest published limit (MW, `binding_limit_mw`) and the
    criterion it belongs to, in words (`binding_criterion`); a row with no published limit says
    "not published". Ties go to the first in HC_CRITERIA's order.

    The limit is a column before the criterion is chosen, so that each criterion is compared
    with it by name: written into each comparison, the least of nine limits was written out
    ten times, a quarter of gold's SQL, which DuckDB plans on every refresh."""
    limits = [table[field] for field in HC_CRITERIA]
    least = parse.least([v.fill_null(_NO_LIMIT) for v in limits])
    limited = table.mutate(binding_limit_mw=ibis.ifelse(ibis.or_(*[v.notnull() for v in limits]), least, ibis.null("float64")))
    limit = limited.binding_limit_mw
    return limited.mutate(
        binding_criterion=ibis.cases(*[(limited[f] == limit, words) for f, words in HC_CRITERIA.items()], else_=NOT_PUBLISHED)
    )


def feeder_binding(latest: ir.Table) -> ir.Table:
    """Per feeder, the binding criterion and limit at its best location (the row with the highest
    max HC) and at its worst (the lowest max HC). Rows tied for a location give the lowest limit,
    then the criterion first in HC_CRITERIA's order (as within a row): the same answer on every engine."""
    words = list(HC_CRITERIA.values())
    located = with_binding(
        latest.select(*_KEYS, *HC_CRITERIA, _hc=ibis.coalesce(latest.segment_max_hc_mw, latest.feeder_max_hc_mw))
    )
    located = located.select(*_KEYS, "_hc", "binding_criterion", "binding_limit_mw")
    ends = located.group_by(_KEYS).aggregate(_best=located._hc.max(), _worst=located._hc.min())
    located = located.inner_join(ends, _KEYS)
    result = ends.select(*_KEYS)
    for where, hc in (("best", located._best), ("worst", located._worst)):
        # a feeder none of whose rows has an HC still has a location: all of its rows
        at = located.filter((located._hc == hc) | hc.isnull())
        lowest = at.group_by(_KEYS).aggregate(_low=at.binding_limit_mw.min())
        at = at.inner_join(lowest, _KEYS)
        at = at.filter((at.binding_limit_mw == at._low) | at._low.isnull())
        rank = ibis.cases(*[(at.binding_criterion == w, i) for i, w in enumerate(words)], else_=len(words))
        chosen = at.group_by(_KEYS).aggregate(_rank=rank.min(), **{f"binding_limit_at_{where}_mw": at._low.max()})
        criterion = ibis.cases(*[(chosen._rank == i, w) for i, w in enumerate(words)], else_=NOT_PUBLISHED)
        result = result.inner_join(chosen.mutate(**{f"binding_criterion_at_{where}": criterion}).drop("_rank"), _KEYS)
    return result


def installed_since_study(ders: ir.Table, feeder_dates: ir.Table) -> ir.Table:
    """Per feeder (`feeder_id`, `hca_refresh_date`): installed DER completed after the study (kW),
    and how many installed records have no completion date (which makes the figure unknowable)."""
    installed = ders.filter(ders.status == "installed")
    records = installed.select(_der_feeder="feeder_id", _done="completion_date", _kw="nameplate_kw")
    joined = feeder_dates.inner_join(records, feeder_dates.feeder_id == records._der_feeder)
    after = joined._done.notnull() & (joined._done > joined.hca_refresh_date)
    return joined.group_by(since_feeder_id="feeder_id").aggregate(
        _after_kw=ibis.ifelse(after, joined._kw.fill_null(0).round(6).cast(KW_SUM), ibis.literal(0).cast(KW_SUM)).sum(),
        _undated=joined._done.isnull().cast("int64").sum(),
    )


def added_since_study(
    published: ir.NumericValue, study_date: ir.Value, after_kw: ir.NumericValue, undated: ir.IntegerValue
) -> dict[str, ir.Value]:
    """`added_since_study_mw` and where it comes from: the utility's own figure where it publishes
    one; else the project records, when the feeder has a study date and every installed record on
    it has a completion date (null, and no source, when neither holds)."""
    derivable = study_date.notnull() & (undated.fill_null(0) == 0)
    derived = ibis.ifelse(derivable, (after_kw.cast("float64").fill_null(0.0) / 1000.0).round(9), ibis.null("float64"))
    source = ibis.cases((published.notnull(), PUBLISHED), (derivable, DERIVED), else_=ibis.null("string"))
    return {"added_since_study_mw": ibis.coalesce(published, derived), "added_since_study_source": source}

"""Gold: the unified statewide model the API serves (source-formats.md §5).

Built from the union of every source's silver: feeders rolled up from segments, one DER record per
project (installed wins over planned; the later file and row win a conflict, which is flagged),
DER counts and MW per feeder, and substations.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

from hostcap.canonical import HC_CRITERIA
from hostcap.io.readers import ROW
from hostcap.layers import geometry, headroom, parse
from hostcap.layers.bronze import FILE, FILE_HASH, RUN_ID
from hostcap.layers.silver import ROW_HASH
from hostcap.registry import TABLES

_KW = headroom.KW_SUM

LINEAGE_OUT = {"source": "source", "source_file": FILE, "source_row": ROW, "run_id": RUN_ID}

#: gold's columns, in order, as the registry describes them
FEEDER_COLUMNS = TABLES["feeders"].columns
SEGMENT_COLUMNS = TABLES["feeder_segments"].columns
DER_COLUMNS = TABLES["ders"].columns
SUBSTATION_COLUMNS = TABLES["substations"].columns


def _flag_union(*parts: ir.StringValue) -> ir.StringValue:
    """Join comma-separated flag lists, skipping empty ones."""
    return ibis.literal(",").join([ibis.ifelse(p.fill_null("") == "", ibis.null("string"), p) for p in parts])


def _has_flag(flags: ir.StringValue, flag: str) -> ir.BooleanValue:
    return ("," + flags.fill_null("") + ",").contains(f",{flag},")


def _keep_latest(
    table: ir.Table, keys: list[str], conflict_keys: list[str] | None = None, prefer: ir.BooleanValue | None = None
) -> ir.Table:
    """The one row per `keys` that wins: a row where `prefer` holds first, then the later file and row.

    With `conflict_keys`, adds `_conflict`: whether the rows sharing those keys differ in content.
    Done with hash aggregates and joins on one integer order key per row, not with window
    functions: a window sorts every row with every column it carries, and silver is wide.
    """
    files = table.select(FILE).distinct()
    files = files.mutate(_file_order=ibis.row_number().over(order_by=files[FILE]))
    keyed = table.inner_join(files, FILE)
    # (preferred, file order, row) packed into one int64 that sorts the same way
    order = keyed._file_order * _ROWS_PER_FILE + keyed[ROW]
    if prefer is not None:
        order = order + ibis.ifelse(prefer, _PREFERRED, 0)
    keyed = keyed.mutate(_order=order)
    same_keys = conflict_keys == keys
    if same_keys:
        winners = keyed.group_by(keys).aggregate(_winner=keyed._order.max(), _conflict=_differs(keyed))
        latest = keyed.inner_join(winners.drop(*keys), keyed._order == winners._winner).drop("_winner")
    else:
        # a semi join, not an inner join: the optimizer takes an inner join on a maximum for one
        # that multiplies rows, and joins everything else to every row first (at statewide scale,
        # each segment of a feeder to each DER on it: eight million rows for five thousand feeders)
        winners = keyed.group_by(keys).aggregate(_winner=keyed._order.max())
        latest = keyed.semi_join(winners, keyed._order == winners._winner)
    if conflict_keys and not same_keys:
        conflicts = keyed.group_by(conflict_keys).aggregate(_conflict=_differs(keyed))
        latest = latest.inner_join(conflicts, conflict_keys)
    return latest.drop("_file_order", "_order")


#: a file holds fewer rows than this, and fewer than 2**20 files compete for one key; both are
#: beyond 32 bits so that every engine computes the order key in 64-bit integers
_ROWS_PER_FILE = 2**32
_PREFERRED = 2**52


def _differs(table: ir.Table) -> ir.BooleanValue:
    return table[ROW_HASH].min() != table[ROW_HASH].max()


def _lineage(table: ir.Table) -> dict[str, ir.Value]:
    return {out: table[col] for out, col in LINEAGE_OUT.items()}


def _kw_to_mw(kw_sum: ir.NumericValue) -> ir.FloatingValue:
    return (kw_sum.cast("float64") / 1000.0).round(9)


def distribution_rows(network: ir.Table) -> ir.Table:
    """The network rows gold keeps: none on a transmission feeder."""
    return network.filter(~_has_flag(network.quality_flags, "transmission"))


def known_feeder_ids(network: ir.Table) -> ir.Table:
    """The `feeder_id` of every feeder of gold's network, read from silver: the feeders of the
    latest network rows (`latest_network_rows` keeps a row of every utility and native feeder ID
    it is given, and a feeder's ID is made of those two), without waiting for them to be picked."""
    return distribution_rows(network).select("feeder_id")


def latest_network_rows(network: ir.Table) -> ir.Table:
    """One row per feeder (feeder grain) or per segment: the later file and row win, conflicts flagged.

    Without the columns that only pick the rows (the key, the row hash) or that gold never
    shows (the file's hash): the rows are kept for the feeders and segments to read, and at
    statewide scale the two hashes alone are a fifth of their bytes."""
    network = distribution_rows(network)
    segment_key = ibis.ifelse(
        network.is_segment, network.native_segment_id.fill_null(network[FILE] + ":" + network[ROW].cast("string")), ""
    )
    keys = ["utility", "native_feeder_id", "_segment_key"]
    return _keep_latest(network.mutate(_segment_key=segment_key), keys, conflict_keys=keys).drop(
        "_segment_key", ROW_HASH, FILE_HASH
    )


def build_segments(latest: ir.Table) -> ir.Table:
    segments = headroom.with_binding(latest.filter(latest.is_segment))
    return segments.select(
        "segment_id",
        "feeder_id",
        "native_feeder_id",
        "native_segment_id",
        "utility",
        "voltage_kv",
        max_hc_mw=segments.segment_max_hc_mw,
        min_hc_mw=segments.segment_min_hc_mw,
        phases=segments.phases,
        hca_refresh_date=segments.hca_refresh_date,
        binding_criterion=segments.binding_criterion,
        binding_limit_mw=segments.binding_limit_mw,
        **{field: segments[field] for field in HC_CRITERIA},
        geometry=segments.geometry,
        quality_flags=_flag_union(segments.quality_flags, ibis.ifelse(segments._conflict, "duplicate_conflict", "")),
        **_lineage(segments),
    )


def build_ders(ders: ir.Table, feeder_ids: ir.Table) -> ir.Table:
    """One record per (utility, native DER ID): installed first, then the later file and row."""
    ranked = _keep_latest(ders, ["utility", "native_der_id"], ["utility", "source", "native_der_id"], ders.status == "installed")
    known = feeder_ids.select(_known_feeder="feeder_id").distinct()
    joined = ranked.left_join(known, ranked.feeder_id == known._known_feeder)
    unknown = joined.feeder_id.notnull() & joined._known_feeder.isnull() & ~_has_flag(joined.quality_flags, "transmission")
    flags = _flag_union(
        joined.quality_flags,
        ibis.ifelse(joined._conflict, "duplicate_conflict", ""),
        ibis.ifelse(unknown, "unknown_feeder", ""),
    )
    return joined.mutate(quality_flags=flags, **_lineage(joined)).select(DER_COLUMNS)


def der_rollups(ders: ir.Table) -> ir.Table:
    """Installed and planned DER count and MW per feeder; transmission records are not on a feeder."""
    counted = ders.filter(
        ders.feeder_id.notnull() & ders.status.isin(["installed", "planned"]) & ~_has_flag(ders.quality_flags, "transmission")
    )
    kw = counted.nameplate_kw.fill_null(0).round(6).cast(_KW)
    installed = counted.status == "installed"
    return counted.group_by(rollup_feeder_id=counted.feeder_id).aggregate(
        installed_der_count=installed.cast("int64").sum(),
        installed_kw=ibis.ifelse(installed, kw, ibis.literal(0).cast(_KW)).sum(),
        planned_der_count=(~installed).cast("int64").sum(),
        planned_kw=ibis.ifelse(~installed, kw, ibis.literal(0).cast(_KW)).sum(),
    )


def build_feeders(latest: ir.Table, ders: ir.Table, shares_subqueries: bool) -> ir.Table:
    """Feeder values from feeder-level columns where the source has them; otherwise the max of its
    segments' max HC and the min of their min HC. Values repeated on segments are never summed.
    With the DER roll-ups of the gold `ders`, the DER added since the study and what binds
    (hostcap.layers.headroom), and where it is (hostcap.layers.geometry, whose way of finding it
    depends on whether the engine computes a subquery read several times once)."""
    representative = _keep_latest(latest, ["utility", "native_feeder_id"])
    stats = latest.group_by(_u="utility", _f="native_feeder_id").aggregate(
        _seg_max=latest.segment_max_hc_mw.max(),
        _seg_min=latest.segment_min_hc_mw.min(),
        _feeder_max=latest.feeder_max_hc_mw.max(),
        _feeder_min=latest.feeder_min_hc_mw.min(),
        _voltage=latest.voltage_kv.max(),
        _feeder_voltage=latest.feeder_voltage_kv.max(),
        _bank=latest.bank_capacity_mw.max(),
        _date=latest.hca_refresh_date.max(),
        _der_date=latest.der_refresh_date.max(),
        _since_published=latest.der_since_last_study_mw.max(),
        _substation=latest.substation_name.max(),
        segment_count=latest.is_segment.cast("int64").sum(),
        _any_conflict=latest._conflict.any(),
        _any_unparsed=_has_flag(latest.quality_flags, "unparsed_value").any(),
    )
    feeders = representative.inner_join(stats, [representative.utility == stats._u, representative.native_feeder_id == stats._f])
    rollups = der_rollups(ders)
    feeders = feeders.left_join(rollups, feeders.feeder_id == rollups.rollup_feeder_id)
    # each feeder's study date from the latest rows themselves, not from `feeders` (a feeder's ID
    # is made of its utility and native ID, so there is one group per feeder either way): read
    # off the joins above, the representative rows and the statistics were computed twice
    since = headroom.installed_since_study(
        ders, latest.group_by("feeder_id").aggregate(hca_refresh_date=latest.hca_refresh_date.max())
    )
    feeders = feeders.left_join(since, feeders.feeder_id == since.since_feeder_id)
    binds = headroom.feeder_binding(latest).rename(_bu="utility", _bf="native_feeder_id")
    feeders = feeders.left_join(binds, [feeders.utility == binds._bu, feeders.native_feeder_id == binds._bf])
    located = geometry.feeder_locations(latest, ["utility", "native_feeder_id"], shares_subqueries).rename(
        _lu="utility", _lf="native_feeder_id"
    )
    feeders = feeders.left_join(located, [feeders.utility == located._lu, feeders.native_feeder_id == located._lf])
    added = headroom.added_since_study(feeders._since_published, feeders._date, feeders._after_kw, feeders._undated)
    max_hc = ibis.coalesce(feeders._feeder_max, feeders._seg_max)
    min_hc = ibis.coalesce(feeders._feeder_min, feeders._seg_min)
    planned_mw = _kw_to_mw(feeders.planned_kw.fill_null(0))
    substation_key = parse.normalize_id(parse.trim(feeders._substation))
    return feeders.select(
        "feeder_id",
        "native_feeder_id",
        "utility",
        substation_id=parse.md5_id(feeders.utility, substation_key),
        substation_name=feeders._substation,
        voltage_kv=ibis.coalesce(feeders._feeder_voltage, feeders._voltage),
        max_hc_mw=max_hc,
        min_hc_mw=min_hc,
        hca_refresh_date=feeders._date,
        der_data_date=feeders._der_date,
        segment_count=feeders.segment_count,
        installed_der_count=feeders.installed_der_count.fill_null(0),
        installed_der_mw=_kw_to_mw(feeders.installed_kw.fill_null(0)),
        planned_der_count=feeders.planned_der_count.fill_null(0),
        planned_der_mw=planned_mw,
        headroom_after_queue_mw=(max_hc - planned_mw).round(9),
        **added,
        headroom_since_study_mw=(max_hc - added["added_since_study_mw"] - planned_mw).round(9),
        binding_criterion_at_best=feeders.binding_criterion_at_best,
        binding_limit_at_best_mw=feeders.binding_limit_at_best_mw,
        binding_criterion_at_worst=feeders.binding_criterion_at_worst,
        binding_limit_at_worst_mw=feeders.binding_limit_at_worst_mw,
        connected_der_mw=feeders.connected_der_mw,
        queued_der_mw=feeders.queued_der_mw,
        load_zone=feeders.load_zone,
        bank_capacity_mw=feeders._bank,
        **{column: feeders[column] for column in (*geometry.BOX, *geometry.POINT)},
        quality_flags=_flag_union(
            ibis.ifelse(feeders._any_conflict, "duplicate_conflict", ""),
            ibis.ifelse(feeders._any_unparsed, "unparsed_value", ""),
            ibis.ifelse(max_hc.isnull(), "no_hosting_capacity", ""),
            ibis.ifelse((max_hc < 0) | (min_hc < 0) | (min_hc > max_hc), "invalid_capacity", ""),
            ibis.ifelse(feeders.point_lon.isnull(), "no_geometry", ""),
        ),
        **_lineage(feeders),
    )


def build_substations(feeders: ir.Table) -> ir.Table:
    named = feeders.filter(feeders.substation_id.notnull())
    rolled = named.group_by("substation_id", "utility").aggregate(
        substation_name=named.substation_name.max(),
        feeder_count=named.count(),
        bank_capacity_mw=named.bank_capacity_mw.max(),
        max_hc_mw=named.max_hc_mw.max(),
        installed_der_count=named.installed_der_count.sum(),
        installed_der_mw=named.installed_der_mw.cast(_KW).sum().cast("float64").round(9),
        planned_der_count=named.planned_der_count.sum(),
        planned_der_mw=named.planned_der_mw.cast(_KW).sum().cast("float64").round(9),
    )
    # the bank's rating less every DER on its feeders, installed and queued (negative: over-subscribed)
    bank_headroom = (rolled.bank_capacity_mw - rolled.installed_der_mw - rolled.planned_der_mw).round(9)
    return rolled.mutate(bank_headroom_mw=bank_headroom).select(SUBSTATION_COLUMNS)

"""The history tables' shape and the one way rows are added to them: change rows only.

A history table holds, per key (feeder or DER record), one row for each published entry at which
its values differed from its previous row: when it first appears, each time a tracked value
changes, and a row with `present` false when it leaves the published data. The value at any
entry is its key's last row at or before that entry. Most feeders and nearly all DER records
do not change from one month to the next, so years of monthly history stay a small multiple of
one snapshot's size. Everything here is plain pyarrow over tables that fit in memory.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa
import pyarrow.compute as pc

from hostcap.io.arrays import constant, empty_table

ENTRY = "entry"
PRESENT = "present"


@dataclass(frozen=True)
class Kind:
    """One history table: the gold table it follows, its key, and the values it tracks."""

    name: str
    gold: str
    key: str
    fields: pa.Schema

    @property
    def schema(self) -> pa.Schema:
        head = [pa.field(ENTRY, pa.int32()), pa.field(self.key, pa.string()), pa.field(PRESENT, pa.bool_())]
        return pa.schema(head + list(self.fields))


FEEDERS = Kind(
    "feeders",
    "feeders",
    "feeder_id",
    pa.schema(
        [
            ("utility", pa.string()),
            ("native_feeder_id", pa.string()),
            ("max_hc_mw", pa.float64()),
            ("min_hc_mw", pa.float64()),
            ("installed_der_count", pa.int64()),
            ("installed_der_mw", pa.float64()),
            ("planned_der_count", pa.int64()),
            ("planned_der_mw", pa.float64()),
            ("headroom_after_queue_mw", pa.float64()),
            ("hca_refresh_date", pa.date32()),
            ("der_data_date", pa.date32()),
        ]
    ),
)
DERS = Kind(
    "ders",
    "ders",
    "der_id",
    pa.schema(
        [
            ("utility", pa.string()),
            ("native_der_id", pa.string()),
            ("feeder_id", pa.string()),
            ("status", pa.string()),
            ("nameplate_kw", pa.float64()),
            ("application_date", pa.date32()),
            ("queue_date", pa.date32()),
            ("planned_in_service_date", pa.date32()),
            ("completion_date", pa.date32()),
        ]
    ),
)
KINDS = (FEEDERS, DERS)


def empty(kind: Kind) -> pa.Table:
    return empty_table(kind.schema)


def state_of(kind: Kind, gold: pa.Table) -> pa.Table:
    """The tracked values of a published gold table: its key and fields, typed as the history
    keeps them (a column an older snapshot lacks is null)."""
    columns = {kind.key: gold[kind.key].cast(pa.string())}
    for field in kind.fields:
        columns[field.name] = (
            gold[field.name].cast(field.type) if field.name in gold.column_names else pa.nulls(len(gold), field.type)
        )
    return pa.table(columns)


def latest(kind: Kind, rows: pa.Table) -> pa.Table:
    """Each key's last row (its value as of the newest entry): the first of its rows sorted by
    key, then newest entry first."""
    if len(rows) == 0:
        return rows
    order = pc.sort_indices(rows, sort_keys=[(kind.key, "ascending"), (ENTRY, "descending")])
    keys = rows[kind.key].take(order).combine_chunks()
    starts = pc.not_equal(keys.slice(1), keys.slice(0, len(keys) - 1))
    return rows.take(order.filter(pa.concat_arrays([constant(True, 1, pa.bool_()), starts])))


def _stamped(kind: Kind, table: pa.Table, entry: int, present: bool) -> pa.Table:
    n = len(table)
    head = {ENTRY: constant(entry, n, pa.int32()), kind.key: table[kind.key], PRESENT: constant(present, n, pa.bool_())}
    return pa.table({**head, **{f.name: table[f.name] for f in kind.fields}}, schema=kind.schema)


def append(kind: Kind, rows: pa.Table, state: pa.Table, entry: int) -> pa.Table:
    """`rows` plus the change rows that make `state` (a `state_of`) the value of every key at `entry`."""
    before = latest(kind, rows)
    before = before.filter(before[PRESENT])
    # a key whose whole row is found before is unchanged; a row found only in the new state is new or changed
    changed = state.filter(pc.invert(_same_as_before(kind, state, before)))
    gone = before.filter(pc.invert(pc.is_in(before[kind.key], value_set=state[kind.key])))
    gone = pa.table({kind.key: gone[kind.key], **{f.name: pa.nulls(len(gone), f.type) for f in kind.fields}})
    added = pa.concat_tables([_stamped(kind, changed, entry, True), _stamped(kind, gone, entry, False)])
    if len(added) == 0:
        return rows  # the same table: its file is kept as it is
    # `rows` are in order and `entry` is beyond theirs: the new rows go after them, sorted alone
    return pa.concat_tables([rows, ordered(kind, added)]).combine_chunks()


def _same_as_before(kind: Kind, state: pa.Table, before: pa.Table) -> pa.ChunkedArray:
    """Per row of `state`: whether `before` (one row per key) holds the same row. Plain kernels,
    with no Python value converted and no Acero (a join or group-by imports pyarrow.dataset and
    pandas, which cost a refresh more than this work)."""
    at = pc.index_in(state[kind.key], value_set=before[kind.key])  # null for a key new at this entry
    same = None
    for name in [kind.key, *kind.fields.names]:
        new, old = state[name], before[name].take(at)
        equal = pc.equal(new, old)  # null when a side is missing
        if pa.types.is_floating(new.type):
            equal = pc.or_(equal, pc.and_(pc.is_nan(new), pc.is_nan(old)))
        equal = pc.coalesce(equal, pc.and_(pc.is_null(new), pc.is_null(old)))
        same = equal if same is None else pc.and_(same, equal)
    return same


def trim(kind: Kind, rows: pa.Table, first_entry: int) -> pa.Table:
    """Forget entries before `first_entry`, keeping what was true at it: a key's last earlier row,
    if it was present and nothing replaced it at `first_entry`, is moved to `first_entry`; a key
    leaving at `first_entry` is then never seen, so its row goes."""
    older = rows.filter(pc.less(rows[ENTRY], first_entry))
    if len(older) == 0:
        return rows
    newer = rows.filter(pc.greater_equal(rows[ENTRY], first_entry))
    newer = newer.filter(pc.or_(newer[PRESENT], pc.not_equal(newer[ENTRY], first_entry)))
    carried = latest(kind, older)
    at_first = newer.filter(pc.equal(newer[ENTRY], first_entry))[kind.key]
    carried = carried.filter(pc.and_(carried[PRESENT], pc.invert(pc.is_in(carried[kind.key], value_set=at_first))))
    carried = carried.set_column(0, ENTRY, constant(first_entry, len(carried), pa.int32()))
    return ordered(kind, pa.concat_tables([carried, newer]))


def ordered(kind: Kind, rows: pa.Table) -> pa.Table:
    """Rows in one order (entry, then key), so equal histories are equal tables and equal files."""
    return rows.sort_by([(ENTRY, "ascending"), (kind.key, "ascending")]).combine_chunks()

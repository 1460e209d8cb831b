"""Reading the history: a feeder's values at every entry, a DER record's status moves.

Both answer for one key from the change rows (`changes`): a feeder's value at an entry is its
last row at or before it; a DER record's statuses are its change rows with runs of the same
status folded into one transition.
"""

from __future__ import annotations

import datetime as dt

import pyarrow.compute as pc

from hostcap.history.changes import DERS, ENTRY, FEEDERS, PRESENT, Kind
from hostcap.history.store import Recorded


def _rows(kind: Kind, history: Recorded, key: str) -> list[dict]:
    """The key's change rows, oldest first, dates as ISO text (what JSON, the API and the CLI show)."""
    table = history.tables[kind.name]
    rows = table.filter(pc.equal(table[kind.key], key.lower())).to_pylist()
    return [{name: v.isoformat() if isinstance(v, dt.date) else v for name, v in row.items()} for row in rows]


def find_feeder(history: Recorded, feeder: str) -> str | None:
    """The canonical ID of a feeder named by its canonical ID or its native ID (None when the
    history has no such feeder; LookupError naming the utilities when a native ID is ambiguous)."""
    table = history.tables[FEEDERS.name]
    for column, value in ((FEEDERS.key, feeder.lower()), ("native_feeder_id", feeder.strip().upper())):
        found = table.filter(pc.equal(table[column], value)).select([FEEDERS.key, "utility"]).to_pylist()
        ids = {row[FEEDERS.key]: row["utility"] for row in found}
        if len(ids) > 1:
            raise LookupError(
                f"feeder {feeder} is on more than one utility ({', '.join(sorted(set(ids.values())))}): give its canonical ID"
            )
        if ids:
            return next(iter(ids))
    return None


def _ids(kind: Kind, row: dict) -> dict:
    return {kind.key: row[kind.key], "utility": row["utility"], f"native_{kind.key}": row[f"native_{kind.key}"]}


def feeder_history(history: Recorded, feeder_id: str) -> dict | None:
    """Per entry in which the feeder was published: the snapshot, when, and its values; None when
    the history never had it."""
    rows = _rows(FEEDERS, history, feeder_id)
    if not rows:
        return None
    points, at, value = [], 0, None
    for entry in history.entries:
        while at < len(rows) and rows[at][ENTRY] <= entry.entry:
            value, at = rows[at], at + 1
        if value is not None and value[PRESENT]:
            fields = {name: value[name] for name in FEEDERS.fields.names if name not in ("utility", "native_feeder_id")}
            points.append({"snapshot": entry.snapshot, "published_at": entry.published_at, **fields})
    named = next(row for row in reversed(rows) if row[PRESENT])
    return {**_ids(FEEDERS, named), "points": points}


def der_history(history: Recorded, der_id: str) -> dict | None:
    """The DER record's status transitions (a status of null: not in the published data) and every
    change of its tracked values, each with the snapshot and time it was first published; None
    when the history never had it."""
    rows = _rows(DERS, history, der_id)
    if not rows:
        return None
    published = {entry.entry: entry for entry in history.entries}
    changes, transitions = [], []
    for row in rows:
        entry = published[row[ENTRY]]
        when = {"snapshot": entry.snapshot, "published_at": entry.published_at}
        values = {name: row[name] for name in DERS.fields.names if name not in ("utility", "native_der_id")}
        changes.append({**when, "present": row[PRESENT], **values})
        status = row["status"] if row[PRESENT] else None
        if not transitions or transitions[-1]["status"] != status:
            transitions.append({**when, "status": status})
    named = next(row for row in reversed(rows) if row[PRESENT])
    return {**_ids(DERS, named), "statuses": transitions, "changes": changes}

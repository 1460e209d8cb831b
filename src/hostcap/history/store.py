"""Where the history lives in the lake, and how it follows the publishes.

Layout under the lake root, beside (not inside) the snapshots, so retention never deletes it:
    history/INDEX.json               the entries and the current file of each table, with checksums
    history/<table>-<sha256>.parquet the change rows of `feeders` and `ders` (see `changes`)

One entry per publish, oldest first: `{"entry", "snapshot", "published_at"}`. A rollback is a
publish too: it adds an entry carrying the earlier snapshot's id and values, so the history says
what was served from when (the values go back, then forward again at the next refresh).

A write puts the new table files under names made of their content hash (a table to which the
publish added no change row keeps its file, not encoded again), then replaces the index in one
step (it names the files and their checksums), then deletes files no index names:
a reader sees the old history or the new, and a crash leaves the old one whole. Reading checks
every file against the index (LakeDamaged when it differs).

`record` runs after every publish, under the refresh lock: it appends the entries HISTORY.json
has beyond the history's last one (normally just the new publish, read from its gold alone).
When the history is missing or damaged, it is rebuilt from the snapshots still kept (what was
published before them is then lost). Entries published more than `months` months ago are
dropped, keeping what was true at the oldest remaining one; the newest entry always stays.
"""

from __future__ import annotations

import calendar
import datetime as dt
import json
import logging
from dataclasses import dataclass, field

import pyarrow as pa

from hostcap import seal as sealing
from hostcap.errors import HostcapError, LakeDamaged, LakeError, describe
from hostcap.history import changes
from hostcap.history.changes import KINDS, Kind
from hostcap.lake import Lake
from hostcap.seal import Checksum

log = logging.getLogger(__name__)

FOLDER = "history"
INDEX = f"{FOLDER}/INDEX.json"


@dataclass(frozen=True)
class Entry:
    entry: int
    snapshot: str
    published_at: str | None


@dataclass(frozen=True)
class Recorded:
    """A history as read: its entries, oldest first, and each table's change rows."""

    entries: list[Entry]
    tables: dict[str, pa.Table]
    #: the index's own checksum: a history's version, for caches and ETags
    version: str
    #: the index's entry (file and checksum) of each table as read and not changed since: a
    #: write keeps that file rather than encode and hash the same rows again
    files: dict[str, dict] = field(default_factory=dict)

    @classmethod
    def empty(cls) -> Recorded:
        return cls([], {kind.name: changes.empty(kind) for kind in KINDS}, "")


def read(lake: Lake, index: bytes | None = None) -> Recorded | None:
    """The lake's history (None when there is none); LakeDamaged when a file of it is damaged."""
    if index is None:
        if not lake.storage.exists(INDEX):
            return None
        index = lake.storage.read_bytes(INDEX)
    found = sealing.parse_json(index, INDEX)
    try:
        entries = [Entry(int(e["entry"]), str(e["snapshot"]), e["published_at"]) for e in found["entries"]]
        files = {
            kind.name: (found["files"][kind.name]["path"], Checksum(**found["files"][kind.name]["checksum"])) for kind in KINDS
        }
    except (TypeError, KeyError, ValueError) as exc:
        raise LakeDamaged(f"{INDEX} is damaged (not a history index: {exc})") from None
    tables = {}
    for kind in KINDS:
        path, expected = files[kind.name]
        if not path.startswith(f"{FOLDER}/") or not lake.storage.exists(path):
            raise LakeDamaged(f"{path} is missing")
        data = lake.storage.read_bytes(path)
        sealing.check(data, expected, path)
        table = sealing.from_parquet(data, path)
        if table.schema != kind.schema:
            raise LakeDamaged(f"{path} is damaged (not a history of {kind.name})")
        tables[kind.name] = table
    return Recorded(entries, tables, Checksum.of(index).sha256, {name: _file(*files[name]) for name in tables})


def _file(path: str, checksum: Checksum) -> dict:
    """A table's entry in the index."""
    return {"path": path, "checksum": {"sha256": checksum.sha256, "size": checksum.size}}


def _unchanged_files(history: Recorded, tables: dict[str, pa.Table]) -> dict[str, dict]:
    """The index entries of `history` whose tables are still the ones in `tables`."""
    return {name: entry for name, entry in history.files.items() if tables[name] is history.tables[name]}


def _write(lake: Lake, history: Recorded) -> None:
    files = {}
    for kind in KINDS:
        if kind.name in history.files:
            files[kind.name] = history.files[kind.name]
            continue
        data = sealing.to_parquet(history.tables[kind.name])
        checksum = Checksum.of(data)
        path = f"{FOLDER}/{kind.name}-{checksum.sha256[:16]}.parquet"
        if not lake.storage.exists(path):
            lake.storage.write_bytes_atomic(path, data)
        files[kind.name] = _file(path, checksum)
    index = {"entries": [e.__dict__ for e in history.entries], "files": files}
    lake.storage.write_bytes_atomic(INDEX, json.dumps(index, indent=1).encode())
    named = {f["path"] for f in files.values()}
    for ref in lake.storage.list_files(FOLDER, "*.parquet"):
        if ref.path not in named:
            lake.storage.delete_file(ref.path)


def _add(lake: Lake, history: Recorded, snapshot: str, published_at: str | None) -> Recorded:
    """`history` plus one entry: the gold of `snapshot` as published at `published_at`."""
    number = history.entries[-1].entry + 1 if history.entries else 0
    tables = {kind.name: changes.append(kind, history.tables[kind.name], _state(lake, kind, snapshot), number) for kind in KINDS}
    return Recorded([*history.entries, Entry(number, snapshot, published_at)], tables, "", _unchanged_files(history, tables))


def _state(lake: Lake, kind: Kind, snapshot: str) -> pa.Table:
    """The tracked values of the snapshot's gold table: only the columns the history keeps are decoded."""
    columns = [kind.key, *kind.fields.names]
    return changes.state_of(kind, lake.read_table(kind.gold, snapshot=snapshot, columns=columns))


def _cutoff(months: int, now: dt.datetime) -> str:
    """The ISO time `months` calendar months before `now` (day clamped to the month's length)."""
    year, month = divmod(now.year * 12 + now.month - 1 - months, 12)
    day = min(now.day, calendar.monthrange(year, month + 1)[1])
    return now.replace(year=year, month=month + 1, day=day).isoformat(timespec="seconds")


def _bounded(history: Recorded, months: int, now: dt.datetime) -> Recorded:
    cutoff = _cutoff(months, now)
    kept = [e for e in history.entries if (e.published_at or "") >= cutoff] or history.entries[-1:]
    if len(kept) == len(history.entries):
        return history
    first = kept[0].entry
    tables = {kind.name: changes.trim(kind, history.tables[kind.name], first) for kind in KINDS}
    return Recorded(kept, tables, "", _unchanged_files(history, tables))


def _unrecorded(published: list[dict], entries: list[Entry]) -> list[dict]:
    """The publishes of HISTORY.json the history has not recorded: those after its last entry
    (found by snapshot and time; a snapshot published again is a new publish)."""
    if not entries:
        return published
    last = entries[-1]
    for i, item in enumerate(published):
        if item["snapshot"] == last.snapshot and item.get("published_at") == last.published_at:
            return published[i + 1 :]
    return [item for item in published if (item.get("published_at") or "") > (last.published_at or "")]


def _from_snapshots(lake: Lake, history: Recorded, published: list[dict]) -> Recorded:
    for item in published:
        try:
            history = _add(lake, history, item["snapshot"], item.get("published_at"))
        except LakeError as exc:  # a kept snapshot that cannot be read adds nothing
            log.warning("history: snapshot %s left out: %s", item["snapshot"], exc.message)
    return history


def record(lake: Lake, months: int, now: dt.datetime | None = None) -> Recorded:
    """Bring the history up to date with HISTORY.json after a publish (see the module's doc);
    a missing or damaged history is rebuilt from the kept snapshots."""
    try:
        history = read(lake)
    except LakeDamaged as exc:
        log.warning("history damaged, rebuilt from the snapshots kept: %s", exc.message)
        history = None
    new = _unrecorded(lake.history(), history.entries) if history is not None else lake.history()
    if history is not None and not new:
        return history
    updated = _bounded(_from_snapshots(lake, history or Recorded.empty(), new), months, now or dt.datetime.now(dt.UTC))
    _write(lake, updated)
    return updated


def follow(lake: Lake, months: int) -> None:
    """`record` after a publish, which it never undoes: a failure is logged, and the next publish
    records what this one missed."""
    try:
        record(lake, months)
    except (HostcapError, OSError, pa.ArrowException) as exc:
        log.warning("history not recorded (the next publish records it): %s", describe(exc))

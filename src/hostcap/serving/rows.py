"""A gold table held in memory to answer from, and the column views its filters work on.

Requests select rows by position (numpy arrays built once per snapshot), then take their JSON or
CSV; nothing per request goes through an engine or a query language.
"""

from __future__ import annotations

from array import array
from dataclasses import dataclass

import numpy as np
import orjson
import pyarrow as pa

from hostcap.serving.encode import csv_bytes, encode_rows, plain, public_rows


class Rows:
    """One table's rows: the Arrow table (compacted), plus each row's JSON for tables on hot paths.

    Pre-encoding trades memory for speed, so large cold tables (segments) encode on request. The
    rows' JSON is laid out in `layout` order (default: the table's), comma-separated, so rows next
    to each other in it are one JSON array's content in one slice (`json_span`).
    """

    def __init__(self, table: pa.Table, preencode: bool, layout: np.ndarray | None = None):
        self._json: memoryview | None = None
        if preencode:
            buffer, offsets = encode_rows(table if layout is None else table.take(pa.array(layout)), b",")
            bounds = np.frombuffer(offsets, dtype=np.int64)
            starts, ends = bounds[:-1], bounds[1:] - 1  # a row ends before the comma after it
            if layout is not None:  # by position in the table
                starts, ends = np.empty_like(starts), np.empty_like(ends)
                starts[layout], ends[layout] = bounds[:-1], bounds[1:] - 1
            self._json = memoryview(buffer)
            # `array`s, not numpy: indexing them gives Python ints, the fastest slice bounds
            self._starts, self._ends = array("q", starts.tobytes()), array("q", ends.tobytes())
        self.table = compact(table)

    def __len__(self) -> int:
        return self.table.num_rows

    def json_rows(self, positions: list[int]) -> list:
        """Each row's JSON (bytes-like) at the given positions."""
        if self._json is None:
            return [orjson.dumps(row) for row in public_rows(plain(self._take(positions)))]
        json, starts, ends = self._json, self._starts, self._ends
        return [json[starts[i] : ends[i]] for i in positions]

    def json_span(self, first: int, last: int) -> bytes:
        """The JSON array of the rows from position `first` to `last`, which must be a run of
        rows next to each other in the layout: one slice, where `json_array` joins one per row."""
        return b"".join((b"[", self._json[self._starts[first] : self._ends[last]], b"]"))

    def json_objects(self, positions: list[int], extra: dict[str, list] | None = None) -> list:
        """Each row's JSON at `positions`; `extra` adds per-answer fields (one value per position,
        such as a query's `distance_km`) at the end of each object."""
        rows = self.json_rows(positions)
        if extra:
            tails = [orjson.dumps(dict(zip(extra, values)))[1:] for values in zip(*extra.values())]
            rows = [b"".join((row[:-1], b",", tail)) for row, tail in zip(rows, tails)]
        return rows

    def json_array(self, positions: list[int], extra: dict[str, list] | None = None) -> bytes:
        """`json_objects` as a JSON array."""
        return b"".join((b"[", b",".join(self.json_objects(positions, extra)), b"]"))  # one copy fewer than `+`

    def csv(self, positions: list[int], raw: bool = False, extra: dict[str, list] | None = None) -> bytes:
        """The rows at `positions` as CSV (with `extra`'s columns last), formulas in text cells
        neutralized unless `raw`."""
        table = self._take(positions)
        for name, values in (extra or {}).items():
            table = table.append_column(name, pa.array(values))
        return csv_bytes(table, raw)

    def _take(self, positions: list[int]) -> pa.Table:
        return self.table.take(pa.array(positions, type=pa.int64()))


class Codes:
    """A string column as integer codes, so `value in {…}` filters are one vectorized comparison."""

    def __init__(self, column: pa.ChunkedArray):
        if pa.types.is_dictionary(column.type):
            column = column.cast(column.type.value_type)
        encoded = column.combine_chunks().dictionary_encode()
        self.values: dict[str, int] = {value: code for code, value in enumerate(encoded.dictionary.to_pylist())}
        self.codes = encoded.indices.fill_null(-1).to_numpy().astype(np.int32)
        self._lookups: dict[tuple[str, ...], np.ndarray] = {}

    def mask(self, wanted: tuple[str, ...], positions: np.ndarray | None = None) -> np.ndarray:
        """Which rows (all, or those at `positions`) hold one of `wanted`; an absent value matches nothing."""
        lookup = self._lookups.get(wanted)
        if lookup is None:
            lookup = np.zeros(len(self.values) + 1, dtype=bool)  # the last entry is for nulls (code -1)
            lookup[[self.values[w] for w in wanted if w in self.values]] = True
            if len(self._lookups) < 256:  # filters come in few combinations; keep the table bounded anyway
                self._lookups[wanted] = lookup
        return lookup[self.codes if positions is None else self.codes[positions]]

    def groups(self) -> dict[str, np.ndarray]:
        """Row positions per value, in table order."""
        order = np.argsort(self.codes, kind="stable")
        bounds = np.searchsorted(self.codes[order], np.arange(len(self.values) + 1))
        return {value: order[bounds[code] : bounds[code + 1]] for value, code in self.values.items()}


class Ids:
    """Unique string IDs → row position, by binary search over a sorted array.

    A dict of 100,000 IDs costs about ten times the memory of this array.
    """

    def __init__(self, column: pa.ChunkedArray):
        ids = np.array([value.encode() for value in column.to_pylist()], dtype=bytes)
        self._order = np.argsort(ids, kind="stable")
        self._sorted = ids[self._order]

    def find(self, value: str) -> int | None:
        key = value.encode()
        at = int(np.searchsorted(self._sorted, key))
        if at < len(self._sorted) and self._sorted[at] == key:
            return int(self._order[at])
        return None


def compact(table: pa.Table) -> pa.Table:
    """The table in less memory, for tables held whole for the snapshot's lifetime, with the
    same values and column types as far as any reader can tell (`plain` gives the table back):

    - string columns that repeat (IDs of parents, file names, run IDs) dictionary-encoded, with
      the narrowest indices their distinct values fit (most have a few values: one byte a row);
    - columns of nulls only (a criterion no source of the snapshot reports, the geometry of
      sources that publish none) all one array of nulls per type: Arrow still gives each a
      buffer of values as long as the column, which a statewide table of segments held six times.
      Such a column is never dictionary-encoded: its empty dictionary would fail numpy's
      conversion of the column."""
    nulls: dict[pa.DataType, pa.Array] = {}
    for i, field in enumerate(table.schema):
        column = table.column(i)
        if len(column) and column.null_count == len(column):
            if field.type not in nulls:
                nulls[field.type] = pa.nulls(len(column), field.type)
            table = table.set_column(i, field, pa.chunked_array([nulls[field.type]], field.type))
        elif pa.types.is_string(field.type) and (distinct := len(column.unique())) * 2 < len(column):
            indices = next(
                kind for kind in (pa.int8(), pa.int16(), pa.int32()) if distinct <= np.iinfo(kind.to_pandas_dtype()).max
            )
            table = table.set_column(i, field.name, column.dictionary_encode().cast(pa.dictionary(indices, field.type)))
    return table


def floats(column: pa.ChunkedArray) -> np.ndarray:
    """A numeric column as float64, null → NaN (NaN fails every comparison, so filters drop it)."""
    return np.asarray(column.to_numpy(zero_copy_only=False), dtype=np.float64)


def sort_order(values: np.ndarray, descending: bool) -> np.ndarray:
    """Positions by value, nulls (NaN) last in either direction, ties in table order."""
    key = -values if descending else values
    return np.argsort(np.where(np.isnan(key), np.inf, key), kind="stable").astype(np.int64)


@dataclass(frozen=True)
class Page:
    """One page of a selection: the rows to show, how many matched, and where the next page starts."""

    positions: list[int]
    total: int
    next_offset: int | None


def page(selected: np.ndarray, offset: int, limit: int) -> Page:
    end = offset + limit
    return Page(selected[offset:end].tolist(), len(selected), end if end < len(selected) else None)

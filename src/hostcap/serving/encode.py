"""Gold rows as the API shows them, from Arrow and without an engine: JSON (orjson) and CSV.

JSON differs from the gold table in one way: `quality_flags`, a comma-separated string in gold,
is a list of strings. CSV keeps the gold columns and values, for analysts; text cells a
spreadsheet would run as formulas are neutralized (see `hostcap.io.export`) unless asked raw.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterator
from itertools import accumulate

import orjson
import pyarrow as pa

from hostcap.io.export import write_csv

FLAGS = "quality_flags"

#: rows converted to Python at a time: bounds the memory a large table's encoding needs
_BATCH_ROWS = 4096


def public_row(row: dict) -> dict:
    """One gold row as a JSON object: the flag string becomes a list ("" → [])."""
    if FLAGS in row:
        flags = row[FLAGS]
        row[FLAGS] = flags.split(",") if flags else []
    return row


def public_rows(table: pa.Table) -> Iterator[dict]:
    for batch in table.to_batches(max_chunksize=_BATCH_ROWS):
        for row in batch.to_pylist():
            yield public_row(row)


def encode_rows(table: pa.Table, separator: bytes = b"") -> tuple[bytes, array]:
    """Every row's JSON, back to back in one buffer with `separator` between rows, and the offsets
    where each row starts (row i is `buffer[offsets[i]:offsets[i + 1] - len(separator)]`, the last
    row ending at the buffer's end). orjson writes dates as ISO 8601, NaN as null. With a comma as
    separator, rows i to j are a JSON array's content as one slice.

    One buffer rather than a bytes object per row, and offsets in an `array` rather than a list of
    ints: orjson over-allocates each result, and 100,000 small long-lived objects interleaved with
    the rows' temporary ones fragment the heap to several times their size. The buffer is joined
    from one piece per batch of rows, so it is exactly as long as its JSON: grown a row at a
    time, a statewide table's kept up to an eighth more than it held, for the snapshot's lifetime.
    """
    pieces: list[bytes] = []
    lengths = array("q")
    for batch in table.to_batches(max_chunksize=_BATCH_ROWS):
        rows = [orjson.dumps(public_row(row)) for row in batch.to_pylist()]
        if rows:  # an empty batch (a table's empty chunk) is no piece: it would add a separator
            lengths.extend(map(len, rows))
            pieces.append(separator.join(rows))
    step = len(separator)
    offsets = array("q", accumulate((length + step for length in lengths), initial=0))
    return separator.join(pieces), offsets


def plain(table: pa.Table) -> pa.Table:
    """The table with dictionary-encoded columns decoded to their values."""
    schema = pa.schema([f.with_type(f.type.value_type) if pa.types.is_dictionary(f.type) else f for f in table.schema])
    return table.cast(schema)


def csv_bytes(table: pa.Table, raw: bool = False) -> bytes:
    """The table as CSV with a header row, formulas in text cells neutralized unless `raw`."""
    sink = pa.BufferOutputStream()
    write_csv(plain(table), sink, raw=raw)
    return sink.getvalue().to_pybytes()

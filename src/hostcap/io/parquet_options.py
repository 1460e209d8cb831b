"""How the lake's Parquet files encode each column: free text too long to repeat or to compare
(a segment's line as GeoJSON, hundreds of bytes a row) gets neither a dictionary nor min/max
statistics.

A dictionary only pays where values repeat, and long text rarely does: the writer builds one
for each row group anyway and throws it away once it outgrows its page. Statistics are there to
skip row groups by a column's range, and nothing filters on such a column; their min and max
of long strings are costly to compute and stored in every row group's footer. On a table
with lines, both together took about a third of the time spent encoding it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pyarrow as pa

#: mean bytes per value above which a text column is long text
LONG_TEXT_BYTES = 256


def long_text_columns(rows: pa.Table | pa.RecordBatch) -> list[str]:
    """The text columns of `rows` whose values average more than LONG_TEXT_BYTES (a stream of
    batches is judged by its first: a table's columns keep their kind of content)."""
    import pyarrow as pa

    long_text = []
    for field, column in zip(rows.schema, rows.columns, strict=True):
        if (pa.types.is_string(field.type) or pa.types.is_large_string(field.type)) and len(column):
            if column.nbytes / len(column) > LONG_TEXT_BYTES:
                long_text.append(field.name)
    return long_text


def writer_options(rows: pa.Table | pa.RecordBatch) -> dict:
    """Keyword arguments for pyarrow's Parquet writer of a table whose rows look like `rows`."""
    long_text = set(long_text_columns(rows))
    if not long_text:
        return {}
    others = [name for name in rows.schema.names if name not in long_text]
    return {"use_dictionary": others, "write_statistics": others}

"""How the lake's Parquet files encode each column.

A dictionary only pays where values repeat. The writer builds one for every column of every
row group anyway and throws it away once it outgrows its page, so a column whose values are
mostly distinct gets none: the canonical IDs and row hashes (32 hex characters each, a million
distinct in a statewide table), source row numbers, free text such as a segment's line. On the
two-utility benchmark's files, skipping the dictionaries that would be thrown away made the
writes a sixth faster and the files smaller.

Free text too long to compare (a segment's line as GeoJSON, hundreds of bytes a row) also gets
no min/max statistics: they are there to skip row groups by a column's range, nothing filters
on such a column, and the min and max of long strings are costly to compute and stored in every
row group's footer. On a table with lines, the dictionary and the statistics together took
about a third of the time spent encoding it. A table of rows as received (bronze, quarantine,
excluded: every data column the source's text, read whole or by lineage) keeps statistics on
its lineage only, which at statewide scale takes a sixth off the time spent encoding bronze.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Collection

    import pyarrow as pa

#: mean bytes per value above which a text column is long text
LONG_TEXT_BYTES = 256
#: the values a column is judged by: its first ones (a stream of batches is judged by its first)
SAMPLE_ROWS = 1000
#: the share of distinct values in the sample above which a column gets no dictionary
DISTINCT_SHARE = 0.5


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


def mostly_distinct_columns(rows: pa.Table | pa.RecordBatch) -> list[str]:
    """The columns of `rows` more than DISTINCT_SHARE of whose first SAMPLE_ROWS values differ.
    A thousand values are enough: a column of IDs is distinct in any stretch of it, and
    one of repeated codes repeats early."""
    import pyarrow as pa
    import pyarrow.compute as pc

    sample = rows.slice(0, SAMPLE_ROWS)
    if sample.num_rows < 2:
        return []
    limit = DISTINCT_SHARE * sample.num_rows
    return [
        field.name
        for field, column in zip(sample.schema, sample.columns, strict=True)
        if not pa.types.is_nested(field.type) and pc.count_distinct(column).as_py() > limit
    ]


def writer_options(rows: pa.Table | pa.RecordBatch, statistics: Collection[str] | None = None) -> dict:
    """Keyword arguments for pyarrow's Parquet writer of a table whose rows look like `rows`.
    With `statistics`, only those of its columns get min/max (a table of text as received, whose
    columns nobody reads by range, keeps them on its lineage alone)."""
    long_text = set(long_text_columns(rows))
    plain = long_text | set(mostly_distinct_columns(rows))
    options: dict = {}
    if plain:
        options["use_dictionary"] = [name for name in rows.schema.names if name not in plain]
    if long_text or statistics is not None:
        kept = rows.schema.names if statistics is None else [name for name in rows.schema.names if name in statistics]
        options["write_statistics"] = [name for name in kept if name not in long_text]
    return options

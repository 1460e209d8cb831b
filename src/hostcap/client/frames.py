"""Rows and Arrow tables as the DataFrame the caller asked for: pandas (default) or polars.

polars is optional and imported only when asked for; pandas comes with hostcap.
"""

from __future__ import annotations

from typing import Any, Literal

import pyarrow as pa
import pyarrow.compute as pc

from hostcap.registry import TABLES

Frame = Literal["pandas", "polars"]


#: the fields the registry types as dates (JSON carries them as ISO text)
_DATES = {spec.name for table in TABLES.values() for spec in table.fields if spec.type == "date"}


def _dates(table: pa.Table) -> pa.Table:
    """The table with every registered date field that JSON carried as text typed as a date."""
    for i, name in enumerate(table.column_names):
        if name in _DATES and (pa.types.is_string(table.schema.field(i).type) or pa.types.is_null(table.schema.field(i).type)):
            table = table.set_column(i, name, pc.cast(table.column(i), pa.date32()))
    return table


def from_rows(rows: list[dict], frame: Frame) -> Any:
    """API items (JSON objects) as a DataFrame, dates as dates."""
    return from_arrow(_dates(pa.Table.from_pylist(rows)), frame)


def from_arrow(table: pa.Table, frame: Frame) -> Any:
    if frame == "pandas":
        return table.to_pandas()
    if frame == "polars":
        try:
            import polars
        except ImportError:
            raise ImportError("frame='polars' needs polars: pip install polars") from None
        return polars.from_arrow(table)
    raise ValueError(f"frame must be 'pandas' or 'polars', not {frame!r}")

"""Arrow arrays of constants and row numbers, made from buffers.

pyarrow's `pa.array`, `pa.scalar` and `pa.repeat` of Python values first ask whether the value is
a pandas object, which imports pandas (a large share of a refresh's start) the first time. A
refresh needs no pandas: the columns it makes from Python values (lineage stamps, row numbers,
history entries) are made here, from a buffer, instead.
"""

from __future__ import annotations

import struct

import numpy as np
import pyarrow as pa


def row_numbers(first: int, n: int) -> pa.Array:
    """int64 `first`, `first + 1`, ... (`n` of them)."""
    return pa.Array.from_buffers(pa.int64(), n, [None, pa.py_buffer(np.arange(first, first + n, dtype=np.int64))])


def constant(value: str | int | bool, n: int, type: pa.DataType) -> pa.Array:
    """`value` `n` times, of `type`: a string, integer or boolean type."""
    return pa.repeat(_one(value, type)[0], n)


def _one(value: str | int | bool, type: pa.DataType) -> pa.Array:
    if pa.types.is_string(type):
        data = value.encode()
        return pa.Array.from_buffers(type, 1, [None, pa.py_buffer(struct.pack("<ii", 0, len(data))), pa.py_buffer(data)])
    if pa.types.is_boolean(type):
        return pa.Array.from_buffers(type, 1, [None, pa.py_buffer(bytes([bool(value)]))])
    if pa.types.is_integer(type):
        return pa.Array.from_buffers(type, 1, [None, pa.py_buffer(np.array([value], dtype=str(type)))])
    raise TypeError(f"no constant of type {type}")


def empty_table(schema: pa.Schema) -> pa.Table:
    """A table of `schema` with no rows (`schema.empty_table()` converts Python values)."""
    return pa.Table.from_arrays([pa.nulls(0, field.type) for field in schema], schema=schema)

"""Arrow arrays of constants and row numbers, made from buffers.

pyarrow's `pa.array`, `pa.scalar` and `pa.repeat` of Python values first ask whether the value is
a pandas object, which imports pandas (a large share of a refresh's start) the first time. A
refresh needs no pandas: the columns it makes from Python values (lineage stamps, row numbers,
history entries, the text of a workbook's or a JSON layer's cells) are made here, from a buffer,
instead.
"""

from __future__ import annotations

import struct
from collections.abc import Sequence

import numpy as np
import pyarrow as pa


def row_numbers(first: int, n: int) -> pa.Array:
    """int64 `first`, `first + 1`, ... (`n` of them)."""
    return pa.Array.from_buffers(pa.int64(), n, [None, pa.py_buffer(np.arange(first, first + n, dtype=np.int64))])


#: the most bytes a string array's 32-bit offsets reach
_MAX_STRING_BYTES = 2**31 - 1


def strings(values: Sequence[str | None]) -> pa.Array | pa.ChunkedArray:
    """A string array of `values` (None is null), as `pa.array(values, pa.string())` makes it.

    Text that is all ASCII (nearly every cell) is encoded in one call, its lengths counted in
    characters; otherwise each value is encoded. Past 2 GiB of text, which 32-bit offsets cannot
    address, pyarrow's own conversion splits the array into chunks."""
    n = len(values)
    nulls = None in values
    texts = [value or "" for value in values] if nulls else values
    joined = "".join(texts)
    if joined.isascii():
        data, lengths = joined.encode("ascii"), map(len, texts)
    else:
        encoded = [text.encode() for text in texts]
        data, lengths = b"".join(encoded), map(len, encoded)
    if len(data) > _MAX_STRING_BYTES:
        return pa.array(values, pa.string())
    offsets = np.zeros(n + 1, dtype=np.int32)
    np.cumsum(np.fromiter(lengths, dtype=np.int32, count=n), out=offsets[1:])
    validity = None
    if nulls:
        present = np.fromiter((value is not None for value in values), dtype=bool, count=n)
        validity = pa.py_buffer(np.packbits(present, bitorder="little"))
    return pa.Array.from_buffers(pa.string(), n, [validity, pa.py_buffer(offsets), pa.py_buffer(data)])


def integers(values: Sequence[int]) -> pa.Array:
    """An int64 array of `values`."""
    return pa.Array.from_buffers(pa.int64(), len(values), [None, pa.py_buffer(np.array(values, dtype=np.int64))])


def constant(value: str | int | bool, n: int, type: pa.DataType) -> pa.Array:
    """`value` `n` times, of `type`: a string, integer or boolean type."""
    return pa.repeat(scalar(value, type), n)


def scalar(value: str | int | bool, type: pa.DataType) -> pa.Scalar:
    """`value` as an Arrow scalar of `type` (a string, integer or boolean type), for a compute
    function to compare with (given a Python value, it converts it as `pa.scalar` does)."""
    return _one(value, type)[0]


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

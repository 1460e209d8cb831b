"""A snapshot's seal: the sha256 and size of every file the snapshot is made of, so that a damaged
file is told apart from an intact one when it is read, rather than served or built upon.

A publish writes the seal (`snapshots/<id>/checksums.json`) after the manifest and before the
pointer moves. It lists the snapshot's gold tables and manifest and every bronze, silver,
quarantine and excluded file the manifest refers to, including those an earlier snapshot wrote,
so one snapshot's seal verifies everything read through it. Checking costs one sha256 over bytes
that are read anyway. A snapshot written before seals existed has none; its files are checked
only by parsing them.

Checking a seal needs no pyarrow, so it is imported only where a table is written or read:
a refresh with nothing to do verifies the published snapshot without loading it.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import tempfile
import weakref
from collections.abc import Collection, Iterator
from contextlib import contextmanager, suppress
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from hostcap.errors import LakeDamaged
from hostcap.registry import TABLES

if TYPE_CHECKING:
    import pyarrow as pa

SEAL = "checksums.json"
#: the files a snapshot is made of: its gold tables, and per source the layers its manifest points to
GOLD_TABLES = tuple(TABLES)
SOURCE_LAYERS = ("bronze", "silver", "quarantine", "excluded")

Data = bytes | memoryview


@dataclass(frozen=True)
class Checksum:
    sha256: str
    size: int

    @classmethod
    def of(cls, data: Data) -> Checksum:
        return cls(hashlib.sha256(data).hexdigest(), len(data))


def check(data: Data, expected: Checksum | None, path: str) -> None:
    """Raise LakeDamaged naming `path` when `data` is not what the publish recorded for it."""
    if expected is not None:
        compare(Checksum.of(data), expected, path)


def compare(found: Checksum, expected: Checksum, path: str) -> None:
    """Raise LakeDamaged naming `path` when a file's checksum is not what its publish recorded."""
    if found != expected:
        raise LakeDamaged(
            f"{path} is damaged: {found.size:,} bytes with sha256 {found.sha256[:12]}, but its publish wrote "
            f"{expected.size:,} bytes with sha256 {expected.sha256[:12]}"
        )


def encode(files: dict[str, Checksum], sealed_at: str) -> bytes:
    return json.dumps(
        {"sealed_at": sealed_at, "files": {path: asdict(c) for path, c in sorted(files.items())}}, indent=1
    ).encode()


def decode(data: bytes, path: str) -> tuple[dict[str, Checksum], str | None]:
    """The files a seal lists and when it was written; LakeDamaged when it is not a seal."""
    try:
        seal = json.loads(data)
        return {name: Checksum(**entry) for name, entry in seal["files"].items()}, seal.get("sealed_at")
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        raise LakeDamaged(f"{path} is damaged (not a list of checksums: {exc})") from None


#: rows per row group of a file written from a stream of batches (`to_parquet`): few enough that a
#: group is small beside a statewide table, enough that a reader's cost per group is too
ROW_GROUP_ROWS = 1 << 17


def to_parquet(rows: pa.Table | pa.RecordBatchReader, statistics: Collection[str] | None = None) -> memoryview:
    """The Parquet file of `rows`, in memory, so it is hashed as written and written in one step.
    A stream of batches (a query's result) is encoded as it arrives, one row group per
    ROW_GROUP_ROWS rows, so only the compressed file and one group are held, never the whole
    table as Arrow. Long text is encoded plainly; with `statistics`, only those columns get
    min/max (hostcap.io.parquet_options)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from hostcap.io.arrays import empty_table
    from hostcap.io.parquet_options import writer_options

    sink = pa.BufferOutputStream()
    if isinstance(rows, pa.Table):
        pq.write_table(rows, sink, compression="snappy", **writer_options(rows, statistics))
        return memoryview(sink.getvalue())
    batches = iter(rows)
    first = next(batches, None)
    if first is None:  # one empty row group, as a whole empty table is written
        pq.write_table(empty_table(rows.schema), sink, compression="snappy")
        return memoryview(sink.getvalue())
    with pq.ParquetWriter(sink, rows.schema, compression="snappy", **writer_options(first, statistics)) as writer:
        for group in _row_groups(rows.schema, first, batches):
            writer.write_table(group, row_group_size=ROW_GROUP_ROWS)
    return memoryview(sink.getvalue())


def _row_groups(schema: pa.Schema, first: pa.RecordBatch, rest: Iterator[pa.RecordBatch]) -> Iterator[pa.Table]:
    """The batches gathered into tables of ROW_GROUP_ROWS rows (the last one shorter), each a row
    group. Gathered, not concatenated: the writer encodes a group's batches one after another as
    it would one array, so a table that fits one group gives the file its whole write gives, byte
    for byte. Batches smaller than a group are what let a query's result be streamed cheaply
    (see hostcap.engine.duckdb.STREAM_ROWS)."""
    import pyarrow as pa

    pending, held = [first], first.num_rows
    for batch in rest:
        pending.append(batch)
        held += batch.num_rows
        while held >= ROW_GROUP_ROWS:
            gathered = pa.Table.from_batches(pending, schema)
            yield gathered.slice(0, ROW_GROUP_ROWS)
            left = gathered.slice(ROW_GROUP_ROWS)
            pending, held = left.to_batches(), left.num_rows
    if held:
        yield pa.Table.from_batches(pending, schema)


class WrittenParquet:
    """A Parquet file as written, kept for a later query of this process (a source's silver
    until gold is built, gold for its facts): a private temporary copy of the file, which an
    in-process engine reads natively (DuckDB's `read_parquet`) and decodes only the columns a
    query reads, batch by batch. Compressed Parquet is several times smaller than the same rows
    as Arrow, and on disk it is not held by this process at all. (Not a pyarrow dataset over the
    bytes: importing pyarrow.dataset also imports pandas, which costs a short refresh more than
    its whole read.) The copy is deleted when this object is collected, or, when the process was
    killed before it could, by the next process that keeps one."""

    def __init__(self, data: Data, schema: pa.Schema):
        self.schema = schema
        _sweep_once()
        descriptor, self.path = tempfile.mkstemp(prefix=f"{_SPILL_PREFIX}{os.getpid()}-", suffix=".parquet")
        with os.fdopen(descriptor, "wb") as file:
            file.write(data)
        weakref.finalize(self, _remove, self.path)

    def read(self, columns: list[str] | None = None) -> pa.Table:
        """The rows (only `columns`, when given) as Arrow."""
        import pyarrow.parquet as pq

        return pq.ParquetFile(self.path).read(columns=columns)


#: a kept file's name in the temporary directory: this prefix, the owning process's ID, a dash
_SPILL_PREFIX = "hostcap-kept-"


def _remove(path: str) -> None:
    with suppress(FileNotFoundError):
        os.remove(path)


@functools.cache
def _sweep_once() -> None:
    """Remove the kept files of processes that no longer run (a refresh killed midway), once
    per process."""
    folder = Path(tempfile.gettempdir())
    for path in folder.glob(f"{_SPILL_PREFIX}*.parquet"):
        owner = path.name[len(_SPILL_PREFIX) :].split("-", 1)[0]
        if owner.isdigit() and not _running(int(owner)):
            _remove(str(path))


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True


@contextmanager
def _readable(path: str) -> Iterator[None]:
    """Reading Parquet inside: a file pyarrow cannot read is LakeDamaged, naming `path`."""
    import pyarrow as pa

    try:
        yield
    except (pa.ArrowException, OSError) as exc:
        raise LakeDamaged(f"{path} is damaged (not readable as Parquet: {exc})") from None


def from_parquet(data: Data, path: str, columns: list[str] | None = None, use_threads: bool = True) -> pa.Table:
    """The table of a Parquet file's bytes; with `columns`, only those of them the file has;
    decoded on Arrow's threads unless not `use_threads` (see `Lake.read_table`). Read as one
    file: `pq.read_table` goes through pyarrow.dataset, whose import (and the pandas it pulls
    in) costs more than the read."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    with _readable(path):
        file = pq.ParquetFile(pa.BufferReader(data))
        names = None if columns is None else [c for c in columns if c in file.schema_arrow.names]
        return file.read(columns=names, use_threads=use_threads)


def parquet_schema(data: Data, path: str) -> pa.Schema:
    """The Arrow schema of a Parquet file in memory, as `from_parquet` would read it."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    with _readable(path):
        return pq.read_schema(pa.BufferReader(data))


def check_parquet(data: Data | BinaryIO, path: str) -> None:
    """A cheap check of an unsealed Parquet file (its bytes, or the file open for random
    access): its footer must parse (a truncated file fails)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    with _readable(path):
        source = pa.BufferReader(data) if isinstance(data, (bytes, bytearray, memoryview)) else data
        _ = pq.ParquetFile(source).metadata  # reading the footer is the check


def parse_json(data: bytes, path: str) -> object:
    """A small JSON file of the lake (pointer, history, manifest); LakeDamaged naming it when it is not JSON."""
    try:
        return json.loads(data)
    except ValueError as exc:
        raise LakeDamaged(f"{path} is damaged (not valid JSON: {exc})") from None

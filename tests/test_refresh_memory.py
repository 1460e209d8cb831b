"""What a refresh holds in memory: a source's rows are let go once written, and what a later
query needs is kept as the Parquet file written (compressed), not as the rows in Arrow."""

from __future__ import annotations

import gc
import os
import subprocess
import sys
import tempfile
import weakref
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from hostcap import build, seal
from hostcap.build import Builder
from tests.conftest import make_hostcap

SOURCES = ["national_grid/network", "national_grid/installed_der", "coned/network", "coned/der"]


def test_a_loaded_source_keeps_its_silver_as_the_file_written_not_its_rows(
    tmp_path: Path, sample_copy: Path, monkeypatch: pytest.MonkeyPatch
):
    """By the time gold is built, no source's bronze rows are in memory, and the silver handed
    to gold is each file's bytes as written, not its rows."""
    read: list[weakref.ref] = []
    alive_at_gold: list[int] = []  # bronze tables read and still in memory when gold starts
    given_to_gold: list = []

    def bronze_spied(*args, **kwargs):
        table = build_bronze(*args, **kwargs)
        read.append(weakref.ref(table))
        return table

    def gold_spied(self, network, ders, **reuse):
        gc.collect()
        alive_at_gold.append(sum(ref() is not None for ref in read))
        given_to_gold.extend(network + ders)
        return gold(self, network, ders, **reuse)

    build_bronze, gold = build.build_bronze, Builder.build_gold
    monkeypatch.setattr(build, "build_bronze", bronze_spied)
    monkeypatch.setattr(Builder, "build_gold", gold_spied)

    hostcap = make_hostcap(tmp_path, sample_copy, SOURCES)
    report = hostcap.refresh()
    assert report.status == "succeeded", report.error
    assert len(read) == len(SOURCES)
    assert alive_at_gold == [0]
    assert len(given_to_gold) == len(SOURCES)
    for stored in given_to_gold:
        assert isinstance(stored.arrow, seal.WrittenParquet), stored.path
        written = hostcap.lake.storage.read_bytes(stored.path)
        assert stored.arrow.read().equals(seal.from_parquet(written, stored.path)), stored.path


def _stream(table: pa.Table, rows: int) -> pa.RecordBatchReader:
    return pa.RecordBatchReader.from_batches(table.schema, table.to_batches(max_chunksize=rows))


def test_a_table_streamed_to_parquet_is_the_file_written_whole():
    """Batches written as they come give the file of the whole table, byte for byte, in one
    batch or several, so a plan's results stay comparable to the expressions'; an empty result too."""
    table = pa.table({"id": pa.array(range(1000)), "name": pa.array([f"row {i}" for i in range(1000)])})
    assert seal.to_parquet(_stream(table, 1000)) == seal.to_parquet(table)
    empty = table.schema.empty_table()
    assert seal.to_parquet(_stream(empty, 1000)) == seal.to_parquet(empty)
    several = seal.to_parquet(_stream(table, 300))
    assert several == seal.to_parquet(table)
    assert seal.from_parquet(several, "streamed").equals(table)
    kept = seal.WrittenParquet(several, table.schema)
    assert kept.read(columns=["name"]).column("name").equals(table.column("name"))
    path = Path(kept.path)
    del kept
    gc.collect()
    assert not path.exists()  # the private copy goes with the object


@pytest.mark.parametrize("batch_rows", [100, 250, 333, 1000])
def test_a_stream_is_written_in_row_groups_of_a_fixed_size_whatever_its_batches(monkeypatch: pytest.MonkeyPatch, batch_rows: int):
    """A query's result comes in small batches; the file has row groups of ROW_GROUP_ROWS rows
    (the last one shorter), wherever the batches end, and the rows in their order."""
    monkeypatch.setattr(seal, "ROW_GROUP_ROWS", 250)
    table = pa.table({"id": pa.array(range(1010)), "name": pa.array([f"row {i}" for i in range(1010)])})
    written = seal.to_parquet(_stream(table, batch_rows))
    metadata = pq.ParquetFile(pa.BufferReader(written)).metadata
    assert [metadata.row_group(i).num_rows for i in range(metadata.num_row_groups)] == [250, 250, 250, 250, 10]
    assert seal.from_parquet(written, "streamed").equals(table)


def test_long_text_is_written_without_a_dictionary_or_statistics():
    """A column of long text (a segment's line) is encoded plainly, with no min/max in the footer;
    a column of distinct values (IDs, row numbers) has no dictionary but keeps its min/max; a
    column of repeated values keeps both; every row reads back as written, streamed or whole."""
    line = '{"type":"LineString","coordinates":[' + ",".join(f"[-73.{i:04d},42.{i:04d}]" for i in range(40)) + "]}"
    table = pa.table({"id": pa.array(range(500)), "feeder": pa.array(["F1", "F2"] * 250), "geometry": [line] * 500})
    for written in (seal.to_parquet(table), seal.to_parquet(_stream(table, 200))):
        metadata = pq.ParquetFile(pa.BufferReader(written)).metadata
        columns = {metadata.row_group(0).column(i).path_in_schema: metadata.row_group(0).column(i) for i in range(3)}
        assert not columns["geometry"].is_stats_set
        assert not any("DICTIONARY" in encoding for encoding in columns["geometry"].encodings)
        assert columns["feeder"].is_stats_set and columns["feeder"].statistics.max == "F2"
        assert any("DICTIONARY" in encoding for encoding in columns["feeder"].encodings)
        assert not any("DICTIONARY" in encoding for encoding in columns["id"].encodings)
        assert columns["id"].is_stats_set and columns["id"].statistics.min == 0
        assert seal.from_parquet(written, "long text").equals(table)


def test_files_kept_by_a_killed_process_are_removed_by_the_next(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """A refresh killed midway cannot remove its kept files; the next process that keeps one
    removes those whose process is gone, and no other."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    seal._sweep_once.cache_clear()
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    orphan = tmp_path / f"hostcap-kept-{dead.stdout.strip()}-abc.parquet"
    alive = tmp_path / f"hostcap-kept-{os.getppid()}-abc.parquet"
    for path in (orphan, alive):
        path.write_bytes(b"x")
    table = pa.table({"id": [1, 2]})
    kept = seal.WrittenParquet(seal.to_parquet(table), table.schema)
    assert not orphan.exists() and alive.exists()
    assert Path(kept.path).parent == tmp_path and kept.read().equals(table)


def test_a_table_written_but_not_scanned_again_gets_no_private_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """`write_table` (bronze, quarantine, excluded) writes the lake's file only: a private copy
    of it (seal.WrittenParquet, written to the temporary directory) is made for a table scanned
    again (`write_scannable`) alone, not written and deleted for every table."""
    from hostcap.lake import Lake

    copies: list[str] = []
    real_mkstemp = tempfile.mkstemp

    def mkstemp(*args, **kwargs):
        descriptor, path = real_mkstemp(*args, **kwargs)
        copies.append(path)
        return descriptor, path

    monkeypatch.setattr(tempfile, "mkstemp", mkstemp)
    lake, table = Lake(str(tmp_path / "lake")), pa.table({"id": [1, 2]})
    path = lake.write_table("s1", "bronze", "u/network", table)
    assert copies == [] and pq.read_table(tmp_path / "lake" / path).equals(table)
    _, kept = lake.write_scannable("s1", "silver", "u/network", table)
    assert copies == [kept.path]


def test_rows_as_received_have_min_and_max_on_their_lineage_only(tmp_path: Path, sample_copy: Path):
    """Bronze, quarantine and excluded hold the source's text as received, which nothing reads
    by range: their files keep min/max statistics on the lineage columns alone (computing them
    on every text column took a sixth of bronze's encoding); silver keeps them on its columns."""
    hostcap = make_hostcap(tmp_path, sample_copy, ["orange_rockland/network", "nyseg_rge/network"])
    assert hostcap.refresh().published
    lineage = set(build.AS_RECEIVED_STATISTICS)
    layers = {}
    for path in sorted((tmp_path / "lake" / "snapshots").glob("*/*/*/*.parquet")):
        metadata = pq.ParquetFile(path).metadata.row_group(0)
        columns = [metadata.column(i) for i in range(metadata.num_columns)]
        with_statistics = {c.path_in_schema for c in columns if c.is_stats_set}
        layers.setdefault(path.parent.parent.name, []).append((path, with_statistics, {c.path_in_schema for c in columns}))
    assert {"bronze", "quarantine", "excluded", "silver"} <= set(layers)
    for layer in ("bronze", "quarantine", "excluded"):
        for path, with_statistics, names in layers[layer]:
            assert with_statistics == names & lineage and "_row" in with_statistics, path
    for path, with_statistics, names in layers["silver"]:
        assert with_statistics == names, path

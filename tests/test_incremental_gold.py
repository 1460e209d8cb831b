"""Incremental gold: when some sources change, the utilities none of whose sources changed keep their
published gold rows, and the result is exactly the gold a full rebuild gives."""

from __future__ import annotations

import shutil
from pathlib import Path

import pyarrow as pa
import pytest

from hostcap.build import Builder
from hostcap.config import Settings
from hostcap.core import Hostcap
from hostcap.gold_reuse import GOLD_INPUTS, reusable_tables, reusable_utilities
from hostcap.lake import GOLD_TABLES, Lake
from hostcap.layers.plans import ORDER, merged_by_utility
from tests.conftest import REAL_FILES, copy_configs
from tests.test_refresh import SOURCES, the_file


def hostcap_over(root: Path, source: Path, configs: Path, engine: str) -> Hostcap:
    return Hostcap(Settings(source_dir=str(source), lake_dir=str(root / "lake"), config_dir=configs, engine=engine))


def refresh_both_ways(
    tmp_path: Path, source: Path, configs: Path, change, monkeypatch, engine: str = "duckdb"
) -> tuple[Hostcap, Hostcap, list[str]]:
    """Publish, `change` the files, then refresh the same lake twice over (copied): once as it
    does, once with nothing kept. Both runs share a run id, so lineage is alike."""
    incremental = hostcap_over(tmp_path / "a", source, configs, engine)
    assert incremental.refresh().published
    shutil.copytree(tmp_path / "a", tmp_path / "b")
    change()

    reused: list[str] = []
    real_reuse = Builder.reuse_silver
    monkeypatch.setattr(
        Builder,
        "reuse_silver",
        lambda self, source_id, snapshot: reused.append(source_id) or real_reuse(self, source_id, snapshot),
    )
    report = incremental.refresh(run_id="20990101T000000Z-000001")
    assert report.published
    read_by_incremental = list(reused)

    monkeypatch.setattr("hostcap.gold_reuse.reusable_utilities", lambda unchanged, previous: set())
    monkeypatch.setattr("hostcap.gold_reuse.reusable_tables", lambda unchanged, previous: set())
    full = hostcap_over(tmp_path / "b", source, configs, engine)
    assert full.refresh(run_id="20990101T000000Z-000001").published
    return incremental, full, read_by_incremental


def dropping_last_lines(path: Path, count: int):
    """A change to the files: `path` loses its last `count` lines."""

    def change() -> None:
        lines = path.read_bytes().splitlines(keepends=True)
        path.write_bytes(b"".join(lines[:-count]))

    return change


def assert_same_gold(incremental: Hostcap, full: Hostcap) -> None:
    for table in GOLD_TABLES:
        kept, rebuilt = incremental.lake.read_table(table), full.lake.read_table(table)
        assert kept.num_rows == rebuilt.num_rows, table
        assert kept.equals(rebuilt), table
    assert incremental.lake.read_table("ders").num_rows > 0


def test_one_changed_utility_is_rebuilt_and_the_others_keep_their_gold(tmp_path: Path, sample_copy: Path, monkeypatch, engine):
    configs = copy_configs(tmp_path / "cfg", SOURCES)
    path = the_file(sample_copy, "national_grid/network")  # rebuilt rows sort after the kept ones
    change = dropping_last_lines(path, 3)
    incremental, full, reused = refresh_both_ways(tmp_path, sample_copy, configs, change, monkeypatch, engine)
    assert_same_gold(incremental, full)
    # National Grid's unchanged DER silver was read to rebuild it; Con Edison's was not read at all
    assert sorted(reused) == ["national_grid/installed_der", "national_grid/planned_der"]
    feeders = incremental.lake.read_table("feeders")
    assert set(feeders["utility"].to_pylist()) == {"coned", "national_grid"}


def test_a_rebuilt_utility_that_sorts_first_goes_before_the_kept_rows(tmp_path: Path, sample_copy: Path, monkeypatch):
    """Con Edison rebuilt, National Grid kept: the kept rows are merged after the rebuilt ones
    (not sorted again), and the result is still exactly a full rebuild's, row for row."""
    configs = copy_configs(tmp_path / "cfg", SOURCES)
    change = dropping_last_lines(the_file(sample_copy, "coned/network"), 3)
    incremental, full, reused = refresh_both_ways(tmp_path, sample_copy, configs, change, monkeypatch)
    assert_same_gold(incremental, full)
    assert reused == ["coned/der"]


def test_on_the_real_files_a_changed_der_file_rebuilds_only_its_utility(tmp_path: Path, real_dir: Path, monkeypatch, engine):
    """Only DER changed: the segments (network silver alone) are the published file, copied byte
    for byte and not computed; the rest is rebuilt for the changed utility; all equal a full rebuild."""
    source = tmp_path / "src"
    for source_id, name in REAL_FILES.items():
        (source / source_id).mkdir(parents=True)
        shutil.copy2(real_dir / name, source / source_id / name)
    configs = copy_configs(tmp_path / "cfg", list(REAL_FILES))
    change = dropping_last_lines(source / "nyseg_rge/planned_der" / REAL_FILES["nyseg_rge/planned_der"], 20)
    copies: list[str] = []
    real_copy = Lake.copy_table
    monkeypatch.setattr(Lake, "copy_table", lambda self, *args: copies.append(args[-1]) or real_copy(self, *args))
    incremental, full, reused = refresh_both_ways(tmp_path, source, configs, change, monkeypatch, engine)
    assert_same_gold(incremental, full)
    assert reused == ["nyseg_rge/installed_der"]
    assert copies == ["feeder_segments"]
    before, after = incremental.lake.history()[-2:]
    segments = [
        incremental.lake.storage.read_bytes(f"snapshots/{entry['snapshot']}/gold/feeder_segments.parquet")
        for entry in (before, after)
    ]
    assert segments[0] == segments[1]


@pytest.mark.parametrize(
    ("unchanged", "previous", "whole"),
    [
        # only DER changed: the segments are made from network silver alone
        (
            {"a/network": True, "a/planned_der": False, "b/network": True},
            {"a/network": {}, "a/planned_der": {}, "b/network": {}},
            {"feeder_segments"},
        ),
        ({"a/network": False, "a/planned_der": True}, {"a/network": {}, "a/planned_der": {}}, set()),
        # a network source added or dropped changes the segments
        ({"a/network": True, "a/der": False}, {"a/network": {}, "b/network": {}, "a/der": {}}, set()),
        ({"a/network": True, "b/network": True, "a/der": False}, {"a/network": {}, "a/der": {}}, set()),
    ],
)
def test_a_gold_table_is_copied_whole_only_when_every_source_it_is_made_from_is_the_same(unchanged, previous, whole):
    assert reusable_tables(unchanged, previous) == whole
    assert set(GOLD_INPUTS) == set(GOLD_TABLES)


@pytest.mark.parametrize(
    ("unchanged", "previous", "kept"),
    [
        ({"a/x": True, "a/y": True, "b/x": False}, {"a/x": {}, "a/y": {}, "b/x": {}}, {"a"}),
        ({"a/x": True, "a/y": False}, {"a/x": {}, "a/y": {}}, set()),
        # a source added to, or dropped from, a utility changes its gold
        ({"a/x": True, "a/y": True}, {"a/x": {}}, set()),
        ({"a/x": True, "b/x": False}, {"a/x": {}, "a/y": {}, "b/x": {}}, set()),
        ({"a/x": True}, {}, set()),
    ],
)
def test_a_utility_is_kept_only_with_the_same_sources_all_unchanged(unchanged, previous, kept):
    assert reusable_utilities(unchanged, previous) == kept


def test_kept_rows_and_rebuilt_rows_are_merged_in_gold_order():
    """Kept rows come in the published order and rebuilt ones sorted; each utility's rows come
    whole from one side, before, between and after the other's, a batch spanning utilities
    included: the written table is in gold's order without sorting the kept rows again."""
    kept = pa.table({"utility": ["a", "a", "c", "c", "e"], "row": [1, 2, 5, 6, 8]})
    rebuilt = pa.table({"utility": ["b", "b", "d", "f"], "row": [3, 4, 7, 9]})
    batches = [*kept.slice(0, 3).to_batches(), *kept.slice(3).to_batches()]
    merged = pa.Table.from_batches(list(merged_by_utility(batches, rebuilt)))
    assert merged["row"].to_pylist() == list(range(1, 10))
    assert pa.Table.from_batches(list(merged_by_utility([], rebuilt)), rebuilt.schema).equals(rebuilt)
    assert pa.Table.from_batches(list(merged_by_utility(batches, rebuilt.slice(0, 0))), kept.schema).equals(kept)
    # which holds because every gold table is written sorted by utility first
    assert {name: order[0] for name, order in ORDER.items()} == dict.fromkeys(ORDER, "utility")

"""The in-memory read model on small hand-made tables: cases the bundled sample lacks."""

from __future__ import annotations

import datetime as dt

import numpy as np
import orjson
import pyarrow as pa
import pytest

from hostcap.serving.ders import ON_FEEDER, DerIndex
from hostcap.serving.encode import plain
from hostcap.serving.feeders import SORT_COLUMNS, FeederFilter, FeederIndex
from hostcap.serving.refs import FeederRefs
from hostcap.serving.rows import Codes, Ids, Rows, compact


def feeders(max_hc: list[float | None]) -> pa.Table:
    n = len(max_hc)
    return pa.table(
        {
            "feeder_id": [f"{i:032x}" for i in range(n)],
            "utility": ["coned" if i % 2 else "national_grid" for i in range(n)],
            "native_feeder_id": [f"F{i}" for i in range(n)],
            "substation_id": [None] * n,
            "substation_name": pa.array([None] * n, pa.string()),
            "max_hc_mw": pa.array(max_hc, pa.float64()),
            "min_hc_mw": pa.array([None] * n, pa.float64()),
            "headroom_after_queue_mw": pa.array(max_hc, pa.float64()),
            "installed_der_mw": [0.0] * n,
            "planned_der_mw": [0.0] * n,
            "quality_flags": ["" if v is not None else "no_hosting_capacity" for v in max_hc],
            # the other columns the list sorts by, unknown here
            **{name: pa.array([None] * n, pa.float64()) for name in SORT_COLUMNS if name not in _GIVEN},
        }
    )


_GIVEN = ("max_hc_mw", "min_hc_mw", "headroom_after_queue_mw", "installed_der_mw", "planned_der_mw")


def test_feeders_without_max_hc_never_match_and_sort_last():
    index = FeederIndex(feeders([3.0, None, 7.0, 3.0, None, 0.0]))
    assert index.above(-1e300) == [2, 0, 3, 5]
    assert index.above(3.0) == [2]
    assert index.above(7.0) == []
    for threshold in (-1e300, 0.0, 3.0, 7.0):
        assert index.above_json(threshold) == index.rows.json_array(index.above(threshold))
    assert index.select(FeederFilter(sort="max_hc_mw")).tolist() == [5, 0, 3, 2, 1, 4]
    assert index.select(FeederFilter(sort="-max_hc_mw")).tolist() == [2, 0, 3, 5, 1, 4]
    assert index.select(FeederFilter(max_max_hc_mw=3.0)).tolist() == [0, 3, 5]
    assert index.select(FeederFilter(utility="coned", min_max_hc_mw=0)).tolist() == [3, 5]


def test_a_native_id_two_utilities_share_resolves_to_both_unless_narrowed():
    table = pa.table(
        {
            "feeder_id": ["a" * 32, "b" * 32, None],
            "utility": ["coned", "national_grid", "coned"],
            "native_feeder_id": ["12-3", "12-3", None],
        }
    )
    refs = FeederRefs(table)
    assert refs.resolve(" 12-3 ") == ["a" * 32, "b" * 32]
    assert refs.resolve("12-3", "national_grid") == ["b" * 32]
    assert refs.resolve("A" * 32) == ["a" * 32]
    assert refs.resolve("a" * 32, "national_grid") == []
    assert refs.resolve("nope") == []


def test_rows_encode_flags_as_lists_dates_as_iso_and_compact_repeats():
    table = pa.table(
        {
            "id": ["x", "y", "z", "w"],
            "source_file": ["f.csv"] * 4,
            "when": pa.array([dt.date(2025, 6, 30), None, dt.date(2024, 1, 2), None], pa.date32()),
            "quality_flags": ["", "a,b", "a", ""],
        }
    )
    for preencode in (True, False):
        rows = Rows(table, preencode=preencode)
        assert pa.types.is_dictionary(rows.table.schema.field("source_file").type)
        assert orjson.loads(rows.json_array([1, 0])) == [
            {"id": "y", "source_file": "f.csv", "when": None, "quality_flags": ["a", "b"]},
            {"id": "x", "source_file": "f.csv", "when": "2025-06-30", "quality_flags": []},
        ]
        assert rows.csv([0]).decode().splitlines() == ['"id","source_file","when","quality_flags"', '"x","f.csv",2025-06-30,""']
        assert rows.json_array([]) == b"[]"


def test_compact_holds_the_same_values_and_types_in_less_memory():
    """Repeats become a dictionary with the narrowest indices that fit; every column of nulls
    only is one shared array of its type. `plain` gives the table back, value for value."""
    n = 1000
    table = pa.table(
        {
            "id": [f"{i:032x}" for i in range(n)],
            "utility": ["coned", "national_grid"] * (n // 2),
            "feeder_id": [f"f{i % 300}" for i in range(n)],
            **{f"criterion_{k}": pa.nulls(n, pa.float64()) for k in range(6)},
            "geometry": pa.nulls(n, pa.string()),
            "limit_mw": pa.array([1.5] + [None] * (n - 1), pa.float64()),
        }
    )
    # as a table is read from Parquet: each column's buffers its own
    table = pa.table({name: pa.array(column.to_pylist(), column.type) for name, column in zip(table.column_names, table.columns)})
    compacted = compact(table)
    assert compacted.schema.field("id").type == pa.string()  # distinct: as it was
    assert compacted.schema.field("utility").type == pa.dictionary(pa.int8(), pa.string())
    assert compacted.schema.field("feeder_id").type == pa.dictionary(pa.int16(), pa.string())
    assert [compacted.schema.field(name).type for name in ("criterion_0", "geometry", "limit_mw")] == [
        pa.float64(),
        pa.string(),
        pa.float64(),
    ]
    assert plain(compacted).schema == table.schema
    assert plain(compacted).to_pylist() == table.to_pylist()
    # the six float columns of nulls hold one array's memory between them
    shared = {buffer.address for k in range(6) for buffer in compacted.column(f"criterion_{k}").chunk(0).buffers() if buffer}
    assert len(shared) == 1
    assert compacted.get_total_buffer_size() < table.get_total_buffer_size() / 2


def test_rows_encoded_from_a_table_with_empty_chunks_have_no_stray_separators():
    schema = pa.schema([("id", pa.string())])
    batches = [pa.record_batch([pa.array(ids, pa.string())], schema=schema) for ids in (["a", "b"], [], ["c"], [])]
    rows = Rows(pa.Table.from_batches(batches, schema), preencode=True)
    assert rows.json_span(0, 2) == b'[{"id":"a"},{"id":"b"},{"id":"c"}]'
    assert rows.json_array([2, 0]) == b'[{"id":"c"},{"id":"a"}]'
    assert Rows(pa.Table.from_batches([], schema), preencode=True).json_array([]) == b"[]"


def test_rows_laid_out_in_another_order_answer_alike_and_a_run_of_the_layout_is_one_array():
    table = pa.table({"id": ["a", "b", "c", "d", "e"], "n": [1, None, 3, 4, 5]})
    plain, laid_out = Rows(table, preencode=True), Rows(table, preencode=True, layout=np.array([3, 1, 4, 0, 2]))
    for positions in ([], [0], [4, 0, 2], [1, 2, 3, 4, 0]):
        assert laid_out.json_array(positions) == plain.json_array(positions)
        assert laid_out.json_objects(positions, {"x": [0.5] * len(positions)}) == plain.json_objects(
            positions, {"x": [0.5] * len(positions)}
        )
    assert laid_out.json_span(1, 0) == plain.json_array([1, 4, 0])
    assert laid_out.json_span(2, 2) == plain.json_array([2])


def test_a_feeders_der_answer_is_of_feeders_rows_one_feeder_or_several():
    statuses = ["installed", "withdrawn", "planned", "installed", "withdrawn", "planned", "planned", None]
    feeder_ids = ["f2", "f1", "f1", None, "f1", "f2", "f3", "f1"]
    table = pa.table(
        {
            "der_id": [f"d{i}" for i in range(8)],
            "utility": ["coned"] * 8,
            "status": statuses,
            "der_type": ["solar"] * 8,
            "feeder_id": feeder_ids,
            "quality_flags": ["", "a", "", "", "", "b,c", "", ""],
        }
    )
    ders = DerIndex(table)
    for asked in (["f1"], ["f2"], ["f3"], ["f4"], [], ["f1", "f2"], ["f3", "f1", "f4"]):
        expected = ders.rows.json_array(ders.of_feeders(asked, ON_FEEDER).tolist())
        assert ders.on_feeders_json(asked) == expected
    assert [d["der_id"] for d in orjson.loads(ders.on_feeders_json(["f1"]))] == ["d2"]
    assert [d["der_id"] for d in orjson.loads(ders.on_feeders_json(["f2"]))] == ["d0", "d5"]


@pytest.mark.parametrize("values", [["b", None, "a", "b"], []])
def test_codes_and_ids(values):
    codes = Codes(pa.chunked_array([values], pa.string()))
    assert codes.mask(("b", "zz")).tolist() == [v == "b" for v in values]
    assert {k: v.tolist() for k, v in codes.groups().items()} == {
        value: [i for i, v in enumerate(values) if v == value] for value in set(values) - {None}
    }
    unique = [f"id{i}" for i in range(len(values))]
    ids = Ids(pa.chunked_array([unique], pa.string()))
    assert [ids.find(v) for v in unique] == list(range(len(values)))
    assert ids.find("id") is None

"""CSV writing: which text cells a spreadsheet would run as formulas, and that nothing else changes."""

from __future__ import annotations

import io

import pyarrow as pa
import pyarrow.csv as pacsv

from hostcap.io.export import write_table


def test_every_formula_start_is_neutralized_and_nothing_else_changes():
    text = ["=1+1", "+1", "-1", "@A1", "\t=1", "\r=1", "a=1", " =1", "", None, "'=1"]
    table = pa.table(
        {
            "text": text,
            "coded": pa.array(text).dictionary_encode(),
            "number": pa.array([-1.5] * len(text)),
            "count": pa.array([-2] * len(text)),
        }
    )
    safe, raw = io.BytesIO(), io.BytesIO()
    write_table(table, "csv", safe)
    write_table(table, "csv", raw, csv_raw=True)
    expected = ["'=1+1", "'+1", "'-1", "'@A1", "'\t=1", "'\r=1", "a=1", " =1", "", None, "'=1"]
    for sink, column in ((safe, expected), (raw, text)):
        written = pacsv.read_csv(
            io.BytesIO(sink.getvalue()),
            convert_options=pacsv.ConvertOptions(strings_can_be_null=True, quoted_strings_can_be_null=False),
        )
        assert written.column("text").to_pylist() == column == written.column("coded").to_pylist()
        assert set(written.column("number").to_pylist()) == {-1.5} and set(written.column("count").to_pylist()) == {-2}

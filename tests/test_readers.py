"""Readers keep every value as text, as received, and number rows as a spreadsheet does."""

from __future__ import annotations

import datetime as dt
import io
import subprocess
import sys
import zipfile
from pathlib import Path

import pyarrow as pa
import pytest
import xlsxwriter

from hostcap.config.source import ReadOptions
from hostcap.errors import SourceError
from hostcap.io import arrays
from hostcap.io.limits import MAX_COLUMNS, MAX_ROW_BYTES, MAX_SHEET_CELLS, MAX_WORKBOOK_BYTES
from hostcap.io.readers import (
    UTF8_CHECK_CHUNK,
    cell_text,
    match_headers,
    normalize_header,
    read_file,
    read_headers,
)
from tests.test_units import sir_workbook

CSV = ReadOptions(type="csv")


def rows(table) -> list[dict]:
    return table.to_pylist()


def test_csv_keeps_text_bom_crlf_and_empty_headers():
    data = '\ufeff,Master_CDF,Master_CDF,"PV\r\n(kWAC)"\r\n0,0001RO0304,a,"1,5"\r\n1,36_31_09450,b,\r\n'.encode()
    table = read_file(data, CSV, "s", "f.csv")
    assert table.column_names == ["column_1", "Master_CDF", "Master_CDF_2", "PV (kWAC)", "_row", "_parse_error"]
    assert rows(table)[0] == {
        "column_1": "0",
        "Master_CDF": "0001RO0304",
        "Master_CDF_2": "a",
        "PV (kWAC)": "1,5",
        "_row": 2,
        "_parse_error": None,
    }
    assert rows(table)[1]["PV (kWAC)"] == ""  # empty stays empty text, never a number or null


def test_csv_with_other_delimiter_header_row_and_lf():
    options = ReadOptions(type="csv", delimiter=";", header_row=3)
    data = b"title\nexported 2026-10\nID;HC\n36_01_1;0.5\n\n36_01_2;abc\n"
    table = read_file(data, options, "s", "f.csv")
    assert [(r["ID"], r["HC"], r["_row"]) for r in rows(table)] == [("36_01_1", "0.5", 4), ("36_01_2", "abc", 5)]
    assert read_headers(data, options, "s", "f.csv") == ["ID", "HC"]


def test_csv_ragged_rows_are_kept_with_their_record_number():
    data = b'A,B\n1,"two\nlines"\n3\n4,5,6\n7,8\n'
    table = rows(read_file(data, CSV, "s", "f.csv"))
    assert [r["_row"] for r in table] == [2, 3, 4, 5]
    assert table[0]["B"] == "two\nlines" and table[0]["_parse_error"] is None
    assert table[1]["_parse_error"] == "expected 2 fields, found 1: 3"
    assert table[2]["_parse_error"] == "expected 2 fields, found 3: 4,5,6" and table[2]["A"] == "4"
    assert table[3] == {"A": "7", "B": "8", "_row": 5, "_parse_error": None}


def test_other_encodings_are_read_as_configured():
    data = "Feeder,Notes\nWO3081,Café\n".encode("cp1252")
    table = read_file(data, ReadOptions(type="csv", encoding="cp1252"), "s", "f.csv")
    assert rows(table)[0]["Notes"] == "Café"


def test_xlsx_header_below_merged_groups_and_cell_rendering():
    book = sir_workbook(
        "SIR", [{"Application /": "ORU-1", "PV": 7.5, "ESS": 5000, "Construction Complete Date": dt.date(2024, 2, 29)}]
    )
    options = ReadOptions(type="xlsx", header_row=5, sheet="SIR")
    (row,) = rows(read_file(book, options, "s", "w.xlsx"))
    assert row["Application / Job #"] == "ORU-1" and row["_row"] == 6
    assert (row["PV (kWAC)"], row["ESS (kWAC)"], row["Construction Complete Date"]) == ("7.5", "5000", "2024-02-29")
    assert "Project Complete (Y/N/W)2" in row  # bronze keeps the header as sent, footnote and all
    assert match_headers(["Project Complete (Y/N/W)"], list(row)) == ["Project Complete (Y/N/W)2"]
    with pytest.raises(SourceError, match="no sheet 'Inventory'; the workbook has SIR"):
        read_file(book, ReadOptions(type="xlsx", header_row=5, sheet="Inventory"), "src", "w.xlsx")


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (5000.0, "5000"),
        (7.6, "7.6"),
        (1105354.0, "1105354"),
        (True, "TRUE"),
        (None, ""),
        (dt.datetime(2024, 5, 1), "2024-05-01"),
        (dt.datetime(2024, 5, 1, 13, 47), "2024-05-01 13:47:00"),
    ],
)
def test_cell_text(value, text):
    assert cell_text(value) == text


def test_xlsx_skips_blank_rows_and_renders_each_cell_by_its_own_type():
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    ws = book.add_worksheet("SIR")
    stamp = book.add_format({"num_format": "yyyy-mm-dd hh:mm"})
    ws.write_row(0, 0, ["ID", "Flag", "kW"])
    ws.write_row(1, 0, ["A-1", True, 1])
    # row 3 is left empty; row 4 holds nothing but white space
    ws.write_row(3, 0, [" ", "\n", "\t "])
    ws.write_row(4, 0, ["", 0, False])  # zero and FALSE are values: the row is kept
    ws.write_row(5, 0, ["A-2", 1, True])  # equal values of other types render by their own type
    ws.write_datetime(6, 0, dt.datetime(2024, 5, 1, 13, 47), stamp)
    ws.write(6, 2, 2.5)
    book.close()
    table = read_file(buffer.getvalue(), ReadOptions(type="xlsx", sheet="SIR"), "s", "w.xlsx")
    assert [(r["ID"], r["Flag"], r["kW"], r["_row"]) for r in rows(table)] == [
        ("A-1", "TRUE", "1", 2),
        ("", "0", "FALSE", 5),
        ("A-2", "1", "TRUE", 6),
        ("2024-05-01 13:47:00", "", "2.5", 7),
    ]


def test_a_csv_wider_than_4096_columns_is_read_as_text_in_every_column():
    # numeric and empty headers over numbers: the kind of column a type guess would make int64
    width = 5000
    header = ",".join("" if i % 2 else str(i) for i in range(width))
    data = f"{header}\n{','.join(str(i) for i in range(width))}\n".encode()
    table = read_file(data, CSV, "s", "f.csv")
    assert table.num_columns == width + 2
    assert {str(table.schema.field(i).type) for i in range(width)} == {"string"}
    (row,) = rows(table)
    assert (row["4998"], row["column_5000"]) == ("4998", "4999")


def test_a_csv_over_the_column_limit_fails_its_source_naming_the_limit():
    data = (",".join(f"c{i}" for i in range(MAX_COLUMNS + 1)) + "\n").encode()
    with pytest.raises(SourceError, match=rf"s, file f.csv: the header has {MAX_COLUMNS + 1:,} columns; at most {MAX_COLUMNS:,}"):
        read_file(data, CSV, "s", "f.csv")


def test_fields_over_a_megabyte_and_a_long_header_line_are_read():
    big = "x" * 1_500_000
    data = f'A,{"B" * 1_900_000}\n1,"{big}"\n2,small\n'.encode()
    table = rows(read_file(data, CSV, "s", "f.csv"))
    assert [r["_row"] for r in table] == [2, 3]
    assert len(table[0]["B" * 1_900_000]) == 1_500_000 and table[1]["A"] == "2"
    assert read_headers(data, CSV, "s", "f.csv") == ["A", "B" * 1_900_000]


@pytest.mark.parametrize("ragged", [False, True], ids=["even", "ragged"])
def test_a_row_over_the_row_limit_fails_naming_the_row(ragged):
    extra = ",extra" if ragged else ""
    data = f'A,B\n1,2{extra}\n3,4\n5,"{"x" * (MAX_ROW_BYTES + 1)}"\n'.encode()
    with pytest.raises(SourceError, match=rf"s, file f.csv, row 4: the row is longer than {MAX_ROW_BYTES // 2**20} MiB"):
        read_file(data, CSV, "s", "f.csv")


def test_an_unclosed_quote_fails_naming_the_row_it_opens_on():
    data = b'A,B\n1,2\n3,"never closed\n' + b"5,6\n" * (MAX_ROW_BYTES // 4 + 1)
    with pytest.raises(SourceError, match=r"row 3: .*a quote that is never closed"):
        read_file(data, CSV, "s", "f.csv")


@pytest.mark.parametrize(
    ("data", "encoding", "where"),
    [
        (b"A,B\n1,2\n3,caf\xe9\n", "utf-8", "line 3, byte 6"),
        ("A,B\n1,2\n".encode("cp1252") + b"3,ok\n4,x\x81\n", "cp1252", "line 4, byte 4"),
        (b"\xef\xbb\xbfA,B\n1,\xff\n", "utf-8-sig", "line 2, byte 3"),  # counted from the file's start, BOM and all
        (b"A,B\n" + b"1,2\n" * 300_000 + b"3,\xff\n", "utf-8", "line 300002, byte 3"),  # past the first chunk checked
    ],
    ids=["utf-8", "cp1252", "utf-8-sig", "past-a-chunk"],
)
def test_an_encoding_error_names_the_line_and_byte(data, encoding, where):
    with pytest.raises(SourceError, match=rf"s, file f.csv: not valid {encoding} at {where} \(0x"):
        read_file(data, ReadOptions(type="csv", encoding=encoding), "s", "f.csv")


def test_a_header_check_reports_a_file_that_stops_being_utf8_after_its_header():
    """`hostcap validate` reads only the header, yet the refresh would fail on the whole file."""
    with pytest.raises(SourceError, match=r"not valid utf-8 at line 3, byte 3 \(0xff\)"):
        read_headers(b"A,B\n1,2\n3,\xff\n", CSV, "s", "f.csv")


def test_a_character_split_across_the_encoding_check_chunks_is_read_whole():
    """The check decodes a chunk at a time: a character cut in two by a chunk's end is not an error."""
    head = b"A,B\n1,"
    filler = b"x" * (UTF8_CHECK_CHUNK - len(head) - 1)  # "é" starts on a chunk's last byte
    table = read_file(head + filler + "é\n".encode(), CSV, "s", "f.csv")
    assert table["B"].to_pylist() == ["x" * len(filler) + "é"]


@pytest.mark.parametrize(
    ("data", "where"),
    [
        (b"A,B,C\ra\nb,\xf1", "line 2, byte 3"),  # a sequence cut short by the end of the file
        (b"A,B\n1,2\n3,4,\xe2\x82\n5,6\n", "line 3, byte 5"),  # ... and by a line break
    ],
    ids=["at-the-end", "mid-file"],
)
def test_a_ragged_row_that_is_not_utf8_is_an_encoding_error_and_nothing_else(data, where):
    """Arrow hands a ragged row's text to Python decoded: undecodable, it used to fail inside
    Arrow, printing "Exception ignored" and a traceback, and the file failed with a parse error
    that showed the bad bytes instead of saying where the text stops being UTF-8."""
    unraisable: list[object] = []
    hook, sys.unraisablehook = sys.unraisablehook, unraisable.append
    try:
        with pytest.raises(SourceError, match=rf"^s, file f.csv: not valid utf-8 at {where} \(0x"):
            read_file(data, ReadOptions(type="csv"), "s", "f.csv")
    finally:
        sys.unraisablehook = hook
    assert unraisable == []


def one_cell_workbook(cell: tuple[int, int], sheet: str = "SIR") -> bytes:
    """A header in A1 and one more cell far away: a tiny file with a huge used range."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    other = book.add_worksheet("Notes")
    other.write(1_048_575, 16_383, "elsewhere")  # an unread sheet does not count
    ws = book.add_worksheet(sheet)
    ws.write(0, 0, "ID")
    ws.write(*cell, "x")
    book.close()
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("cell", "ref", "cells"),
    [((1_048_575, 27), "A1:AB1048576", 29_360_128), ((1_048_575, 16_383), "A1:XFD1048576", 17_179_869_184)],
)
def test_a_sheet_with_a_far_cell_fails_before_it_is_expanded(cell, ref, cells):
    book = one_cell_workbook(cell)
    assert len(book) < 10_000
    options = ReadOptions(type="xlsx", sheet="SIR")
    message = rf"s, file w.xlsx: the sheet's used range {ref} has {cells:,} cells; at most {MAX_SHEET_CELLS:,}"
    with pytest.raises(SourceError, match=message):
        read_file(book, options, "s", "w.xlsx")
    with pytest.raises(SourceError, match=message):
        read_headers(book, options, "s", "w.xlsx")


def test_a_lone_far_cell_counts_from_a1_as_the_reader_lays_it_out():
    """Found by the property test: a sheet holding only XFD1048576 made the workbook reader panic
    (a native panic, not an Exception) instead of being refused as the huge sheet it is."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    book.add_worksheet("SIR").write(1_048_575, 16_383, "far")
    book.close()
    message = rf"the sheet's used range A1:XFD1048576 has 17,179,869,184 cells; at most {MAX_SHEET_CELLS:,}"
    with pytest.raises(SourceError, match=message):
        read_file(buffer.getvalue(), ReadOptions(type="xlsx", sheet="SIR"), "s", "w.xlsx")


def test_a_sheet_within_the_cell_limit_is_read_though_another_sheet_is_not():
    book = one_cell_workbook((3, 1))
    ((row, *_),) = [rows(read_file(book, ReadOptions(type="xlsx", sheet="SIR"), "s", "w.xlsx"))]
    assert row["ID"] == "" and row["column_2"] == "x" and row["_row"] == 4


def test_a_workbook_that_unzips_past_the_limit_fails_its_source():
    parts = zipfile.ZipFile(io.BytesIO(sir_workbook("SIR", [{"PV": 1}])))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as bomb:
        for info in parts.infolist():
            content = parts.read(info)
            if info.filename == "xl/sharedStrings.xml":  # padding where the reader reads it
                content = content.replace(b"</sst>", b" " * (MAX_WORKBOOK_BYTES + 1) + b"</sst>")
            bomb.writestr(info.filename, content)
    assert len(buffer.getvalue()) < 2 * 2**20
    with pytest.raises(SourceError, match=rf"the workbook unzips to more than {MAX_WORKBOOK_BYTES >> 20} MiB"):
        read_file(buffer.getvalue(), ReadOptions(type="xlsx", sheet="SIR", header_row=5), "s", "w.xlsx")


@pytest.mark.parametrize(
    ("wanted", "header"),
    [
        ("Metering (NA / NM / RNM / RC / CDG / S-SFA)", "Metering1\n(NA / NM / RNM / \nRC / CDG / S-SFA)"),
        ("CESIR Study cost paid by applicant", "CESIR Study\ncost paid by \napplicant4"),
        ("Project Complete (Y/N/W)", "Project Complete (Y/N/W)2"),
        ("Interconnection Queue Position", "Interconnection12 Queue Position"),
    ],
)
def test_a_footnote_glued_to_any_word_of_a_header_is_ignored(wanted, header):
    assert match_headers([wanted], [normalize_header(header)]) == [normalize_header(header)]


@pytest.mark.parametrize(
    ("wanted", "headers", "matched"),
    [
        ("Phase", ["Phase 3"], []),  # a number standing apart is part of the name
        ("Zone", ["Zone 12"], []),
        ("Zone1 Load", ["Zone1 Load", "Zone Load"], ["Zone1 Load"]),  # exact matches win
        ("Feeder", ["Feeder123"], []),  # three digits are no footnote
        ("kW AC", ["kW2 AC3"], ["kW2 AC3"]),
    ],
)
def test_only_one_or_two_digits_glued_to_a_letter_are_a_footnote(wanted, headers, matched):
    assert match_headers([wanted], headers) == matched


@pytest.mark.parametrize(
    "values",
    [[], ["A-1", "", "3W75"], ["Café", None, "", "東京", None], [None, None], ["x" * 70_000, "a\nb"]],
    ids=["empty", "ascii", "unicode and nulls", "all null", "long"],
)
def test_strings_make_the_array_pyarrow_makes(values: list[str | None]):
    made = arrays.strings(values)
    made.validate(full=True)
    assert made.equals(pa.array(values, pa.string()))


def test_strings_past_what_32_bit_offsets_address_are_left_to_pyarrow(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(arrays, "_MAX_STRING_BYTES", 3)
    values = ["ab", None, "cd"]
    assert arrays.strings(values).to_pylist() == values


#: reads each file given with the options named beside it, then says whether pandas was imported
READ_IN_A_FRESH_PROCESS = """
import sys
from pathlib import Path
from hostcap.config.source import ReadOptions
from hostcap.io.readers import read_file
kinds = {".xlsx": ReadOptions(type="xlsx", header_row=5, sheet="SIR"), ".csv": ReadOptions(type="csv"), ".ndjson": ReadOptions(type="ndjson")}
for path in map(Path, sys.argv[1:]):
    assert read_file(path.read_bytes(), kinds[path.suffix], "s", path.name).num_rows >= 2
print("pandas" in sys.modules)
"""


def test_reading_a_workbook_a_csv_or_a_json_layer_never_imports_pandas(tmp_path: Path):
    """pyarrow imports pandas (a fifth of a second) the first time it converts Python values;
    the readers that build columns from Python values (arrays.strings) or compare with one (the
    row size check of a CSV file over MAX_ROW_BYTES) must not ask it to."""
    workbook, ragged, large, layer = tmp_path / "w.xlsx", tmp_path / "r.csv", tmp_path / "large.csv", tmp_path / "l.ndjson"
    workbook.write_bytes(sir_workbook("SIR", [{"Application /": "A-1", "PV": 7.5}, {"Application /": "Å-2", "ESS": 5}]))
    ragged.write_bytes(b"A,B\n1\n2,3,4\n")
    large.write_bytes(b"A,B\n" + b"36_01_1,0.5\n" * (MAX_ROW_BYTES // 10))
    layer.write_text('{"ID": "a", "kW": 1.5}\n{"ID": "b", "Name": "Café"}\n')
    done = subprocess.run(
        [sys.executable, "-c", READ_IN_A_FRESH_PROCESS, *map(str, (workbook, ragged, large, layer))],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "False"

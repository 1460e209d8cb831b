"""The used range of a sheet, measured before the workbook reader opens it: the plain-form scan
(regexes over the bytes) finds exactly what the XML parse finds, or hands the sheet to the parse;
a cell the reader would see is never missed, however the sheet is written."""

from __future__ import annotations

import io
import zipfile
from xml.parsers import expat

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hostcap.io.limits import MAX_SHEET_CELLS
from hostcap.io.workbook_size import WorkbookTooLarge, _Extent, _letters, _PlainExtent, check_workbook

#: how a cell tag may be written: the plain form, and every other form a writer (or an attacker) may use
FORMS = {
    "plain": '<c r="{ref}" s="1" t="n"><v>1</v></c>',
    "self-closing": '<c r="{ref}"/>',
    "r not first": '<c s="1" r="{ref}"><v>1</v></c>',
    "prefixed": '<x:c r="{ref}"><x:v>1</x:v></x:c>',
    "no reference": "<c><v>1</v></c>",
    "lower case": '<c r="{lower}"/>',
    "single quotes": "<c r='{ref}'/>",
    "character reference": '<c r="&#{first};{rest}"/>',
    "space before the end": '<c r="{ref}" />',
    "tab": '<c\tr="{ref}"/>',
    "line break": '<c\nr="{ref}"/>',
    "empty": "<c/>",
    "value with a bracket": '<c r="{ref}" t="a&gt;b"/>',
}
#: what may surround the cells: nothing, or text that hides a far cell from a reader
EXTRAS = {
    "none": "",
    "comment": '<!-- <c r="XFD1048576"/> -->',
    "cdata": '<row r="1"><c r="A1" t="inlineStr"><is><t><![CDATA[<c r="XFD1048576"/>]]></t></is></c></row>',
    "processing instruction": '<?hidden <c r="XFD1048576"/>?>',
}
DECLARATIONS = [
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n',
    "<?xml version='1.0'?>",
    "",
    '\ufeff<?xml version="1.0"?>',
]

cells = st.tuples(st.integers(1, 1_048_576), st.integers(1, 16_384), st.sampled_from(sorted(FORMS)))


def _cell(row: int, column: int, form: str) -> str:
    ref = f"{_letters(column)}{row}"
    return FORMS[form].format(ref=ref, lower=ref.lower(), first=ord(ref[0]), rest=ref[1:])


def sheet(rows: list[tuple[bool, list[tuple[int, int, str]]]], extra: str, declaration: str) -> str:
    body = "".join(
        (f'<row r="{cells[0][0]}">' if numbered and cells else "<row>") + "".join(_cell(*cell) for cell in cells) + "</row>"
        for numbered, cells in rows
    )
    return (
        f'{declaration}<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:x="urn:x">'
        f"{extra}<sheetData>{body}</sheetData></worksheet>"
    )


def parsed(xml: bytes) -> tuple[int, int] | None:
    """The parse's used range, None when the XML is not well-formed."""
    extent = _Extent()
    try:
        extent.scan(xml)
    except expat.ExpatError:
        return None
    return extent.bottom, extent.right


def plain(xml: bytes, chunk: int) -> tuple[int, int] | None:
    """The plain scan's used range over chunks of `chunk` bytes; None when it hands the sheet on."""
    extent = _PlainExtent()
    if all(extent.scan(xml[i : i + chunk]) for i in range(0, len(xml), chunk)) and extent.finish():
        return extent.bottom, extent.right
    return None


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rows=st.lists(st.tuples(st.booleans(), st.lists(cells, max_size=4)), max_size=6),
    extra=st.sampled_from(sorted(EXTRAS)),
    declaration=st.sampled_from(DECLARATIONS),
    encoding=st.sampled_from(["utf-8", "utf-16"]),
    chunk=st.sampled_from([1, 5, 64, 1 << 20]),
)
def test_the_plain_scan_finds_what_the_parse_finds_or_hands_the_sheet_on(rows, extra, declaration, encoding, chunk):
    text = sheet(
        rows, EXTRAS[extra], declaration.replace("?>", ' encoding="UTF-16"?>', 1) if encoding == "utf-16" else declaration
    )
    xml = text.encode(encoding)
    measured = plain(xml, chunk)
    if measured is not None:
        assert measured == parsed(xml)
        forms = {form for _, cells in rows for *_, form in cells}
        assert forms <= {"plain", "self-closing"} and extra == "none" and encoding == "utf-8"


def test_the_usual_sheets_take_the_plain_scan():
    rows = [(True, [(1, 1, "plain"), (1, 28, "self-closing")]), (True, [(30_007, 3, "plain")])]
    for declaration in DECLARATIONS[:2]:
        assert plain(sheet(rows, "", declaration).encode(), 7) == (30_007, 28)


def _workbook(xml: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as book:
        book.writestr("xl/worksheets/sheet1.xml", xml)
    return buffer.getvalue()


@pytest.mark.parametrize("form", ["prefixed", "r not first", "character reference", "single quotes"])
def test_a_far_cell_in_any_form_is_refused(form):
    """Through check_workbook: the sheet falls back to the parse, which places the far cell."""
    xml = sheet([(True, [(1, 1, "plain"), (1_048_576, 16_384, form)])], "", DECLARATIONS[0])
    with pytest.raises(WorkbookTooLarge, match=f"A1:XFD1048576 has 17,179,869,184 cells; at most {MAX_SHEET_CELLS:,}"):
        check_workbook(_workbook(xml), "")


def test_a_far_cell_only_inside_a_comment_is_not_a_cell():
    xml = sheet([(True, [(2, 2, "plain")])], EXTRAS["comment"], DECLARATIONS[0])
    check_workbook(_workbook(xml), "")

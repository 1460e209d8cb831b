"""Property: whatever bytes arrive as a source file, a real refresh ends with a status, conserves
the source's rows and never lets the failure out of the source.

Hypothesis writes hostile CSV files (quotes, delimiters and line breaks inside fields, ragged rows,
control characters, formulas, other encodings, very long fields and very wide rows, or plain
random bytes) and hostile workbooks (any cell values, far-away cells, random bytes), and every
example is refreshed beside a second, healthy source, which must load whatever the first does.
"""

from __future__ import annotations

import io
import tempfile
from pathlib import Path

import xlsxwriter
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hostcap.report import RefreshReport
from tests.conftest import SAMPLE, make_hostcap

HOSTILE = "national_grid/installed_der"
HEALTHY = "national_grid/network"
WORKBOOK_SOURCE = "coned/der"
NG_HEADER = [
    "DER_ID",
    "SERVICE_STREET_ADDRESS",
    "DER_TYPE",
    "DER_NAMEPLATE_RATING",
    "DER_INTERCONNECTION_LOCATION",
    "INTERCONNECTION_COST",
]

#: text that is awkward for a CSV parser, a terminal, a spreadsheet or a number parser
nasty_text = st.one_of(
    st.text(max_size=30),
    st.sampled_from(
        [
            '"',
            '""',
            ",",
            "\r\n",
            "\n",
            "\r",
            "\x00",
            "\x1b]0;x\x07",
            '=HYPERLINK("http://x/")',
            "@SUM(1)",
            "-1e999",
            "NaN",
            "1_000",
            "²",
            "٣",
            "\ufeff",
            "null",
            " ",
            "\t",
            "9" * 40,
            "\u202e",
            "é",
            "\ufffd",
        ]
    ),
    st.builds(lambda c, n: c * n, st.sampled_from(["x", '"', ","]), st.integers(1_000, 200_000)),
)


def _csv_field(value: str) -> str:
    return '"' + value.replace('"', '""') + '"' if any(c in value for c in ',"\r\n') else value


@st.composite
def hostile_csv(draw) -> bytes:
    kind = draw(st.sampled_from(["rows", "rows", "rows", "random", "wide"]))
    if kind == "random":
        return draw(st.binary(max_size=4_000))
    header = list(NG_HEADER) if draw(st.booleans()) else draw(st.lists(nasty_text, max_size=8))
    rows = draw(st.lists(st.lists(nasty_text, max_size=len(header) + 2), max_size=20))
    if kind == "wide":  # a year-by-year export: thousands of numeric columns
        width = draw(st.integers(4_000, 6_000))
        rows = [(row + [""] * len(header))[: len(header)] + ["1"] * width for row in rows or [[]]]
        header += [str(1900 + i) for i in range(width)]
    quote = draw(st.booleans())
    lines = [",".join(_csv_field(v) if quote else v for v in row) for row in [header, *rows]]
    text = draw(st.sampled_from(["\r\n", "\n", "\r"])).join(lines)
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "utf-16"]))
    return text.encode(encoding, errors="replace")


@st.composite
def hostile_workbook(draw) -> bytes:
    if draw(st.integers(0, 4)) == 0:
        return draw(st.binary(max_size=4_000))
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False, "strings_to_numbers": False})
    sheet = book.add_worksheet("New Template" if draw(st.integers(0, 5)) else "Sheet1")
    cell = st.one_of(
        nasty_text.map(lambda t: t[:1_000]),
        st.floats(allow_nan=False, allow_infinity=False),
        st.integers(-(2**60), 2**60),
        st.booleans(),
    )
    for row in range(draw(st.integers(0, 12))):
        for col, value in enumerate(draw(st.lists(cell, max_size=8))):
            sheet.write(row, col, value)
    if draw(st.booleans()):  # a far-away cell makes the used range huge (XFD1048576 is the last)
        far = st.tuples(st.integers(0, 1_048_575), st.integers(0, 16_383))
        row, col = draw(st.one_of(st.sampled_from([(1_048_575, 16_383), (1_048_575, 27)]), far))
        sheet.write(row, col, "far")
    book.close()
    return buffer.getvalue()


def refresh_with(source_id: str, name: str, content: bytes) -> RefreshReport:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "src" / source_id).mkdir(parents=True)
        (root / "src" / source_id / name).write_bytes(content)
        healthy = SAMPLE / HEALTHY
        (root / "src" / HEALTHY).mkdir(parents=True)
        for path in healthy.iterdir():
            (root / "src" / HEALTHY / path.name).write_bytes(path.read_bytes())
        return make_hostcap(root, root / "src", [source_id, HEALTHY]).refresh()


def assert_contained(report: RefreshReport, source_id: str) -> None:
    assert report.status in ("succeeded", "partial"), (report.status, report.error)
    assert report.finished_at and report.published
    by_source = {s.source: s for s in report.sources}
    assert by_source[HEALTHY].status == "succeeded"
    hostile = by_source[source_id]
    assert hostile.status in ("succeeded", "failed")
    if hostile.status == "succeeded":
        assert hostile.rows_in == hostile.loaded + hostile.quarantined + hostile.excluded
    else:
        assert hostile.error and source_id in hostile.error
        assert "Traceback" not in hostile.error
    assert all(check.passed for check in report.checks), report.checks


EXAMPLES = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@EXAMPLES
@given(content=hostile_csv())
def test_any_csv_file_ends_in_a_status_with_its_rows_conserved(content: bytes):
    assert_contained(refresh_with(HOSTILE, "der.csv", content), HOSTILE)


@EXAMPLES
@given(content=hostile_workbook())
def test_any_workbook_ends_in_a_status_with_its_rows_conserved(content: bytes):
    assert_contained(refresh_with(WORKBOOK_SOURCE, "sir.xlsx", content), WORKBOOK_SOURCE)

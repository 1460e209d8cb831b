"""The cell parsers (hostcap.layers.parse) give exactly what their plain formulation gives, on every
engine, over a corpus of the strings where engines and shortcuts differ.

parse.py spends as few regex evaluations per cell as it can (a match before a trim, one pattern for
both number shapes, one extract per date part); the reference below is the rule written plainly,
one regex per step, as it was before. Every shortcut must agree with it cell for cell, nulls
included, or silver would change under the same data.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir
import pyarrow as pa
import pytest

from hostcap.config.source import DEFAULT_NULL_TOKENS
from hostcap.engine import open_engine
from hostcap.layers import parse
from hostcap.layers.plans import with_trimmed


class Reference:
    """Each rule of hostcap.layers.parse in its plain form: the oracle the fast form is checked against."""

    TRIM = r"^[ \t\r\n]+|[ \t\r\n]+$"
    PLAIN_NUMBER = r"^[+-]?\$?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d{1,2})?$"
    GROUPED_NUMBER = r"^[+-]?\$?\d{1,3}(,\d{3})+(\.\d*)?$"
    DATES = {
        "ymd": (r"^(\d{4})[-/](\d{1,2})[-/](\d{1,2})([ T].*)?$", (1, 2, 3)),
        "mdy": (r"^(\d{1,2})/(\d{1,2})/(\d{4})( .*)?$", (3, 1, 2)),
    }

    @classmethod
    def clean(cls, value: ir.StringValue, null_tokens: list[str]) -> ir.StringValue:
        tokens = sorted({t.strip().upper() for t in null_tokens} | {""})
        text = value.re_replace(cls.TRIM, "")
        return ibis.ifelse(text.upper().isin(tokens), ibis.null(), text)

    @classmethod
    def number(cls, text: ir.StringValue, factor: float) -> ir.FloatingValue:
        ok = text.re_search(cls.PLAIN_NUMBER) | text.re_search(cls.GROUPED_NUMBER)
        number = ibis.ifelse(ok, text.re_replace(r"[$,]", ""), "0").cast("float64")
        if factor != 1.0:
            number = number * factor
        return ibis.ifelse(ok & (number.abs() < parse.MAX_MAGNITUDE), number, ibis.null("float64"))

    @classmethod
    def _text_date(cls, text: ir.StringValue, fmt: str) -> tuple[ir.BooleanValue, ir.DateValue]:
        pattern, groups = cls.DATES[fmt]
        year, month, day = (text.re_extract(pattern, g) for g in groups)
        iso = year + "-" + month.lpad(2, "0") + "-" + day.lpad(2, "0")
        date = ibis.ifelse(text.re_search(pattern), iso, ibis.null("string")).try_cast("date")
        return date.year().between(1900, 2100), date

    @classmethod
    def date(cls, text: ir.StringValue, formats: list[str]) -> ir.DateValue:
        candidates = []
        for fmt in formats:
            if fmt in cls.DATES:
                candidates.append(cls._text_date(text, fmt))
            elif fmt == "excel_serial":
                matched = text.re_search(r"^\d{5}(\.\d+)?$")
                days = ibis.ifelse(matched, text.re_extract(r"^(\d+)", 1), "0").cast("int64")
                valid = matched & days.between(367, 73050)
                candidates.append((valid, ibis.date(1899, 12, 30) + ibis.ifelse(valid, days, 0).as_interval("D")))
            elif fmt == "epoch_ms":
                matched = text.re_search(r"^\d{12,13}$")
                seconds = ibis.ifelse(matched, text, "0").cast("int64") // 1000
                valid = matched & seconds.between(-2208988800, 4102444800)
                candidates.append((valid, ibis.ifelse(valid, seconds, 0).as_timestamp("s").date()))
        return ibis.cases(*candidates, else_=ibis.null("date"))


NUMBERS = [
    "0", "1", "+1", "-1", "+-1", "1-", "--1", "007", "1.", ".5", ".", "+.5", "-.e1", "1.5.5",
    "$1", "-$1.50", "$-1", "$$1", "$", "$,", "1$", "$.5",
    "1,000", "12,345.67", "1,00", ",100", "1,000,000", "1,0000", "$1,234", "-1,234.5", "1,234e3", "1,,000", "1,000.",
    "1e5", "1E05", "1e123", "1e+5", "1e-05", "1.5e", "e5", "1e1e1", "2.5E+10", "1e", "1e+", ".5e1", "5.e-1",
    "1_000", "inf", "-inf", "Infinity", "nan", "NaN", "１２３", "1.5d", "1.5f", "0x10", "1 000", "1.5 kW", "٣",
    "999999999999999", "1000000000000000", "1e15", "9.99e14", "-1e15", "-999999999999999.9", "99e13",
    "1e-100", "5E-123", "1e+100", "0.1", "0.30000000000000004", "123456789.123456789", "-0", "-0.0", "4.9e-99",
]  # fmt: skip
DATES = [
    "2024-01-05", "2024/1/5", "2024-1-05 10:00", "2024-01-05T10:00:00", "2024-01-05T", "2024-01-05 ", "2024-01-05x",
    "2024-02-30", "2024-02-29", "2023-02-29", "2024-13-01", "2024-00-10", "2024-1-0", "2024-04-31", "2024-1/5",
    "1899-12-31", "1900-01-01", "2100-12-31", "2101-01-01", "0000-01-01", "9999-12-31", "20240105", "2024-001-05",
    "1/5/2024", "01/05/2024 3:00 PM", "2/30/2024", "2/29/2023", "12/31/2099", "12/31/1899", "13/1/2024", "1/32/2024",
    "0/5/2024", "1/5/24", "1/5/2024x", "1-5-2024", "5-1-2024", "1/5/2024\n", "2024-01-05\n1", "Jan 5 2024",
    "２０２４-01-05", "1/5/２０２４", "2024‐01‐05",
    "45000", "45000.5", "00367", "00366", "73050", "73051", "99999", "4500", "450000", "45000.", "45000.5.5", "1e5",
    "1700000000000", "170000000000", "99999999999", "4102444800000", "4102444800999", "4102444801000",
    "9999999999999", "-1700000000000", "17000000000000", "0000000000000",
]  # fmt: skip
IDS = ["1105354.0", "1105354.00", "1105354.", "abc.0", "ab-12", "12.50", "٣.0", "x1.0", "0.0", "FEEDER 12", "feeder_7"]
TEXTS = [
    "", " ", "  \t ", "\t", "\n", "\r\n", "\r", "1\r", "\r1", "\t1", "1\n", "\v", "\f", "\v1\f", " \v1\f ", "\t1\t", "\n1\r\n", " 1 ", "1 ", " 1",
    " a b ", "a\nb", " a\nb ", "a\n", "\na", "\u00a01\u00a0", "\u30001\u3000", " \u0301x", "x\u0301 ", "%", "_", " % ", "'",
    "na", "NA", "N/a", " n/a ", "NULL", " null\t", "None", "nOnE", "none ", "NAN", "n a", "N/A/", "ß", "ſ", "ı", "-", "Ǆ",
]  # fmt: skip
CORPUS = [None, *TEXTS, *NUMBERS, *DATES, *IDS]
#: every corpus string padded as cells come: trimmed away, or (\v, \f) kept
PADDED = [None] + [f"{pad}{s}{end}" for s in CORPUS if s is not None for pad, end in ((" ", "\t"), ("\r\n", ""), ("\v", " "))]
#: the orders sources list their formats in, and every format alone
DATE_FORMATS = [
    ["ymd", "mdy", "excel_serial", "epoch_ms"],
    ["epoch_ms", "ymd", "mdy"],
    ["mdy", "ymd"],
    ["ymd"],
    ["mdy"],
    ["excel_serial"],
    ["epoch_ms"],
]
NULL_TOKENS = [list(DEFAULT_NULL_TOKENS), ["", "NULL", "null", "None", "na", "N/A"], [" tbd ", "-", "SS", "I"]]


def _pairs(cell: ir.StringValue) -> dict[str, tuple[ir.Value, ir.Value]]:
    """Every parser on `cell`, the fast form beside the reference, by a name for the failure message."""
    pairs = {}
    for i, tokens in enumerate(NULL_TOKENS):
        pairs[f"clean{i}"] = (parse.null_if_token(parse.trim(cell), tokens), Reference.clean(cell, tokens))
    cleaned = Reference.clean(cell, DEFAULT_NULL_TOKENS)
    pairs["trim"] = (parse.trim(cell), cell.re_replace(Reference.TRIM, ""))
    for factor in (1.0, 1000.0, 0.001):
        number = parse.within_magnitude(parse.read_number(cleaned, factor))  # as silver's typed stage reads and checks it
        pairs[f"number*{factor}"] = (number, Reference.number(cleaned, factor))
    for i, formats in enumerate(DATE_FORMATS):
        date = parse.first_plausible(parse.date_candidates(cleaned, formats))
        pairs[f"date{i}"] = (date, Reference.date(cleaned, formats))
    return pairs


def _compare(engine_kind: str, corpus: list[str | None]) -> None:
    """Each parser in a query of its own: one query of them all takes DuckDB minutes to plan."""
    engine = open_engine(engine_kind)
    try:
        table = engine.from_arrow("corpus", pa.table({"cell": pa.array(corpus, pa.string())}))
        results = {
            name: engine.to_arrow(table.select("cell", fast=fast, reference=reference)).to_pylist()
            for name, (fast, reference) in _pairs(table.cell).items()
        }
    finally:
        engine.close()
    differences = [
        (name, row["cell"], row["fast"], row["reference"])
        for name, rows in results.items()
        for row in rows
        if row["fast"] != row["reference"] and not (_is_nan(row["fast"]) and _is_nan(row["reference"]))
    ]
    assert differences == []
    assert all(len(rows) == len(corpus) for rows in results.values())
    # the corpus exercises what it claims: numbers and dates are read, null tokens removed
    assert any(row["reference"] is not None for row in results["number*1.0"])
    assert len({row["reference"] for row in results["date0"]}) > 10
    assert any(row["reference"] is None for row in results["clean0"] if row["cell"] is not None)


def _is_nan(value: object) -> bool:
    return isinstance(value, float) and value != value


@pytest.mark.parametrize("engine_kind", ["duckdb", pytest.param("spark", marks=pytest.mark.spark)])
def test_fast_parsers_give_the_reference_results(engine_kind: str, request: pytest.FixtureRequest):
    if engine_kind == "spark":
        request.getfixturevalue("spark_session")
    _compare(engine_kind, CORPUS)


@pytest.mark.parametrize("engine_kind", ["duckdb", pytest.param("spark", marks=pytest.mark.spark)])
def test_fast_parsers_give_the_reference_results_with_whitespace_around(engine_kind: str, request: pytest.FixtureRequest):
    if engine_kind == "spark":
        request.getfixturevalue("spark_session")
    _compare(engine_kind, PADDED)


def test_a_compiled_plans_trim_gives_the_reference_results():
    """A compiled plan reads each cell trimmed by Arrow (plans.with_trimmed), not by parse.trim."""
    cells = [*CORPUS, *PADDED]
    engine = open_engine("duckdb")
    try:
        table = engine.from_arrow("corpus", pa.table({"cell": pa.array(cells, pa.string())}))
        reference = engine.to_arrow(table.select(trimmed=table.cell.re_replace(Reference.TRIM, ""))).column("trimmed")
    finally:
        engine.close()
    trimmed = with_trimmed(pa.table({"cell": pa.array(cells, pa.string())}), {"cell": "trimmed"}).column("trimmed")
    assert trimmed.to_pylist() == reference.to_pylist()
    assert "" in trimmed.to_pylist() and "\v1\f" in trimmed.to_pylist()  # blanks emptied, \v and \f kept

"""Strict, engine-neutral parsing of raw text into typed values.

Numbers and dates are validated with a regex before any cast, because engines accept different
strings (`1_000`, `1.5d`, full-width digits): with a strict pattern every engine agrees, and a
value that fails it becomes null while its raw text is kept by the caller.

This runs on every cell of every source, so each step costs as few regex evaluations as give the
same result: a match is cheap, a replace or an extract (which must find groups) is not, and a
plain string replace cheaper than either; a regex replace or extract runs only on the cells a
match picks.
"""

from __future__ import annotations

from collections.abc import Sequence

import ibis
import ibis.expr.types as ir

from hostcap.layers.plans import TRIMMED_CHARACTERS

#: the whitespace trimmed from a cell (not \v or \f, which no engine strips alike), and a cell
#: that has some at its start or at its end: two anchored patterns, since one alternation of
#: both (`^…|…$`) makes the regex engine try every position of the cell, long ones included
_WHITESPACE = f"[{TRIMMED_CHARACTERS.encode('unicode_escape').decode()}]"
_TRIM = f"^{_WHITESPACE}+|{_WHITESPACE}+$"
_LEADING = f"^{_WHITESPACE}"
_TRAILING = f"{_WHITESPACE}$"
#: optional sign and `$`, then a plain decimal (optional exponent) or one with thousands commas
_NUMBER = r"^[+-]?\$?((\d+(\.\d*)?|\.\d+)([eE][+-]?\d{1,2})?|\d{1,3}(,\d{3})+(\.\d*)?)$"
#: a number as a coordinate is written (GeoJSON: no `$`, no thousands commas), otherwise as _NUMBER
_ORDINATE = r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d{1,2})?$"
_FLOAT_ID = r"^\d+\.0+$"
#: no capacity, cost or count a utility publishes comes near this; a larger number is a typo or a
#: corrupt cell, and it would overflow gold's exact kW sums (decimals of 38 digits, 9 after the point)
MAX_MAGNITUDE = 1e15

#: each text date format: the regex a date in it matches, and the regexes whose first groups,
#: joined by `-`, are its `year-month-day` (either separator of ymd becomes `-` after)
_DATE_PATTERNS = {
    "ymd": (r"^\d{4}[-/]\d{1,2}[-/]\d{1,2}([ T].*)?$", (r"^(\d{4}[-/]\d{1,2}[-/]\d{1,2})",)),
    "mdy": (r"^\d{1,2}/\d{1,2}/\d{4}( .*)?$", (r"^\d{1,2}/\d{1,2}/(\d{4})", r"^(\d{1,2}/\d{1,2})/")),
}
_EXCEL_SERIAL = r"^\d{5}(\.\d+)?$"
_EPOCH_MS = r"^\d{12,13}$"


def trim(value: ir.StringValue) -> ir.StringValue:
    """The text without leading and trailing whitespace. A regex, not .strip(): some engine/sqlglot
    pairs corrupt \v and \f in strip(). The replace runs only where an end is whitespace (most
    cells have none): a match tells that for a fraction of a replace's cost."""
    edged = value.re_search(_LEADING) | value.re_search(_TRAILING)
    return ibis.ifelse(edged, value.re_replace(_TRIM, ""), value)


def null_if_token(text: ir.StringValue, null_tokens: Sequence[str]) -> ir.StringValue:
    """The (trimmed) text, or null when it is a null token (any case) or empty.

    The tokens are compared one by one, not looked up in a list: DuckDB plans a list of five or
    more (`IN`, or an array's `contains`) as a join, which computes the text twice over. Each
    comparison repeats `text`, so pass a column (the trimmed text of an earlier projection), not
    the trimming expression: repeated expressions make a query that takes longer to plan than a
    small source takes to run."""
    tokens = sorted({t.strip().upper() for t in null_tokens} | {""})
    # `CASE upper WHEN …`: the upper-cased text is written once, not once per token
    return text.upper().cases(*((token, ibis.null("string")) for token in tokens), else_=text)


def normalize_id(text: ir.StringValue) -> ir.StringValue:
    """Upper-case; an all-digit ID exported as a float (`1105354.0`) loses its `.0`."""
    upper = text.upper()
    return ibis.ifelse(upper.re_search(_FLOAT_ID), upper.re_extract(r"^(\d+)\.", 1), upper)


def read_number(text: ir.StringValue, factor: float = 1.0) -> ir.FloatingValue:
    """A decimal number (optional sign, `$`, thousands commas, exponent), times the unit factor,
    or null. Its magnitude is checked apart (`within_magnitude`), against the name of a column
    holding it, or not at all where the caller's own range is narrower (a coordinate): the
    check names the number twice, and written around the reading it would write the reading out
    twice in the SQL, more to plan, and read twice by an engine that does not share an
    expression between a CASE's condition and its branch.

    The replaces run only on the cells that have a `$` or a comma (few do; a coordinate never):
    two `contains` cost a fraction of the two replaces, which copy every cell they are given."""
    marked = text.contains("$") | text.contains(",")
    digits = ibis.ifelse(marked, text.replace("$", "").replace(",", ""), text)
    number = ibis.ifelse(text.re_search(_NUMBER), digits, ibis.null("string")).cast("float64")
    return number * factor if factor != 1.0 else number


def read_ordinate(text: ir.StringValue) -> ir.FloatingValue:
    """A coordinate's longitude or latitude, or null: a number as `read_number` reads one, less
    the `$` and thousands commas no coordinate has. Read a million times for a statewide gold
    (every vertex of every line), where testing for those two and matching `_NUMBER`'s
    alternatives cost a fifth of reading the vertices."""
    return ibis.ifelse(text.re_search(_ORDINATE), text, ibis.null("string")).cast("float64")


def within_magnitude(number: ir.FloatingValue) -> ir.FloatingValue:
    """The number, or null (unreadable) from MAX_MAGNITUDE on."""
    return ibis.ifelse(number.abs() < MAX_MAGNITUDE, number, ibis.null("float64"))


def _text_date(text: ir.StringValue, pattern: str, parts: tuple[str, ...]) -> ir.DateValue:
    """The matched parts rebuilt as a strict `YYYY-M-D` (month and day of one or two digits) and
    cast: every engine reads that one form alike and gives null for an impossible day (Feb 30), so
    no calendar arithmetic is needed, and the expression stays small (Spark compiles each stage to
    one Java method, capped at 64 KB). The parts are extracted only from text the pattern matches."""
    iso = ibis.literal("-").join([text.re_extract(part, 1) for part in parts]).replace("/", "-")
    return ibis.ifelse(text.re_search(pattern), iso, ibis.null("string")).try_cast("date")


def _excel_serial(text: ir.StringValue) -> ir.DateValue:
    matched = text.re_search(_EXCEL_SERIAL)
    days = ibis.ifelse(matched, text.re_extract(r"^(\d+)", 1), "0").cast("int64")
    valid = matched & days.between(367, 73050)  # 1901 .. 2099
    return ibis.ifelse(valid, ibis.date(1899, 12, 30) + days.as_interval("D"), ibis.null("date"))


def _epoch_ms(text: ir.StringValue) -> ir.DateValue:
    matched = text.re_search(_EPOCH_MS)
    seconds = ibis.ifelse(matched, text, "0").cast("int64") // 1000
    valid = matched & seconds.between(-2208988800, 4102444800)  # 1900 .. 2100
    return ibis.ifelse(valid, seconds.as_timestamp("s").date(), ibis.null("date"))


def date_candidates(text: ir.StringValue, formats: Sequence[str]) -> list[ir.DateValue]:
    """Per configured format (in order), the date the text reads as in it, or null; its year is
    not checked yet (`first_plausible` does). A caller that keeps each candidate as a column of
    its own writes the check once, against the column's name, rather than around the whole
    reading: the SQL takes less time to plan, and no engine reads a date twice."""
    candidates = []
    for fmt in formats:
        if fmt in _DATE_PATTERNS:
            candidates.append(_text_date(text, *_DATE_PATTERNS[fmt]))
        elif fmt == "excel_serial":
            candidates.append(_excel_serial(text))
        elif fmt == "epoch_ms":
            candidates.append(_epoch_ms(text))
    return candidates


def first_plausible(candidates: Sequence[ir.DateValue]) -> ir.DateValue:
    """The first candidate whose year is 1900 to 2100, else null: the date of the first
    configured format that reads the text as a real calendar date."""
    if not candidates:
        return ibis.null("date")
    return ibis.cases(*((date.year().between(1900, 2100), date) for date in candidates), else_=ibis.null("date"))


def parse_yes_no(text: ir.StringValue) -> ir.BooleanValue:
    upper = text.upper()
    return ibis.cases(
        (upper.isin(["Y", "YES", "TRUE"]), True), (upper.isin(["N", "NO", "FALSE"]), False), else_=ibis.null("boolean")
    )


def greatest(values: Sequence[ir.Value]) -> ir.Value:
    """The greatest of one or more values (one is itself: Spark's GREATEST takes two or more)."""
    return values[0] if len(values) == 1 else ibis.greatest(*values)


def least(values: Sequence[ir.Value]) -> ir.Value:
    """The least of one or more values (one is itself, as for `greatest`)."""
    return values[0] if len(values) == 1 else ibis.least(*values)


def md5_id(utility: str | ir.StringValue, native: ir.StringValue) -> ir.StringValue:
    """Canonical ID: md5 of `<utility>|<normalized native id>` as 32 lower-case hex characters."""
    prefix = ibis.literal(utility) if isinstance(utility, str) else utility
    return ibis.ifelse(native.isnull(), ibis.null("string"), (prefix + "|" + native).hexdigest("md5"))

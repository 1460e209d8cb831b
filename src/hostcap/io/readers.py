"""File readers: every file becomes an Arrow table of text columns, as received.

Bronze keeps every value as text, so readers never infer types: a CSV's `0001RO0304` stays a
string and an XLSX cell is rendered as the text a person sees (numbers without a spurious `.0`,
dates as ISO dates). Each row carries `_row`, its record number in the file counting the header
as `header_row`, so an error can point a person at the row in a spreadsheet.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import functools
import io
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from itertools import zip_longest

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
from python_calamine import CalamineSheet, CalamineWorkbook

from hostcap.config.source import ReadOptions
from hostcap.errors import PROCESS_EXITS, SourceError
from hostcap.io.arrays import integers, row_numbers, scalar, strings
from hostcap.io.limits import MAX_COLUMNS, MAX_ROW_BYTES
from hostcap.io.ndjson import ndjson_headers, ndjson_table
from hostcap.io.workbook_size import WorkbookTooLarge, check_workbook

ROW = "_row"
PARSE_ERROR = "_parse_error"
_BOM = "\ufeff"
#: bytes decoded at a time when checking that a file is UTF-8
UTF8_CHECK_CHUNK = 1 << 20


def normalize_header(value: object) -> str:
    """Trim and collapse white space (line breaks included) and drop a BOM: `PV\\n(kWAC)` → `PV (kWAC)`."""
    return " ".join(str(value).replace(_BOM, "").split())


def unique_headers(raw: Sequence[object]) -> list[str]:
    """Normalized headers; an empty one becomes `column_<n>`, a repeated one gets `_<k>` appended."""
    names: list[str] = []
    seen: dict[str, int] = {}
    for position, value in enumerate(raw, start=1):
        name = normalize_header(value) or f"column_{position}"
        count = seen.get(name, 0) + 1
        seen[name] = count
        names.append(name if count == 1 else f"{name}_{count}")
    return names


def read_file(data: bytes, options: ReadOptions, source: str, file: str) -> pa.Table:
    """Read one file's bytes as configured; raise SourceError naming the source and file."""
    with _reading(data, options, source, file):
        if options.type == "csv":
            return _read_csv(data, options, source, file)
        if options.type == "ndjson":
            return ndjson_table(data, source, file, ROW, PARSE_ERROR)
        return _read_xlsx(data, options, source, file)


def read_headers(data: bytes, options: ReadOptions, source: str, file: str) -> list[str]:
    """Only the header row (normalized), for checking a file against its config without parsing
    the rest. A CSV's bytes are still checked to be in its encoding throughout, as a refresh's
    read would: a file it would fail on does not pass the check."""
    with _reading(data, options, source, file):
        if options.type == "csv":
            return unique_headers(_csv_header(_utf8(data, options.encoding), options, source, file))
        if options.type == "ndjson":
            return unique_headers(ndjson_headers(data, source, file))
        records = _sheet(data, options, source, file).to_python(skip_empty_area=False, nrows=options.header_row)
    if len(records) < options.header_row:
        raise SourceError(source, f"no header row at row {options.header_row}", file=file)
    return unique_headers(records[options.header_row - 1])


@contextmanager
def _reading(data: bytes, options: ReadOptions, source: str, file: str) -> Iterator[None]:
    """Make a reader's own error a SourceError naming the file; an encoding error names where."""
    try:
        yield
    except SourceError:
        raise
    except UnicodeDecodeError:
        raise SourceError(source, _undecodable(data, options.encoding), file=file) from None
    except pa.ArrowInvalid as exc:
        if "invalid UTF8" in str(exc):
            raise SourceError(source, _undecodable(data, options.encoding), file=file) from None
        raise SourceError(source, f"cannot read the file as {options.type}: {exc}", file=file) from exc
    except PROCESS_EXITS:
        raise
    except BaseException as exc:  # a reader's own error (a native reader's panic too), made to name the file
        raise SourceError(source, f"cannot read the file as {options.type}: {exc}", file=file) from exc


def _undecodable(data: bytes, encoding: str) -> str:
    """Where the bytes stop being `encoding`, as a person finds it: 1-based line and byte."""
    try:
        # a BOM is UTF-8 too; utf-8-sig's own offsets would count from after it
        data.decode("utf-8" if _is_utf8(encoding) else encoding)
    except UnicodeDecodeError as exc:
        line_start = data.rfind(b"\n", 0, exc.start) + 1
        line = data.count(b"\n", 0, exc.start) + 1
        return (
            f"not valid {encoding} at line {line}, byte {exc.start - line_start + 1} (0x{data[exc.start]:02x}): "
            "set read.encoding to the file's encoding"
        )
    return f"not valid {encoding}"


def _utf8(data: bytes, encoding: str) -> bytes:
    """The bytes as UTF-8 without a BOM; UnicodeDecodeError when they are not `encoding`."""
    if _is_utf8(encoding):
        _check_utf8(data)
    else:
        data = data.decode(encoding).encode("utf-8")
    return data.removeprefix(_BOM.encode("utf-8"))


def _is_utf8(encoding: str) -> bool:
    return encoding.lower().replace("_", "-") in ("utf-8", "utf8", "utf-8-sig")


def _check_utf8(data: bytes) -> None:
    """Raise UnicodeDecodeError unless `data` is UTF-8, before any reader parses it.

    Arrow's CSV reader hands a ragged row's text to Python decoded, and text it cannot decode
    failed inside Arrow: "Exception ignored" and a traceback on standard error, and a parse
    error that showed the bad bytes instead of where the text stops being UTF-8. An ASCII file
    (most are) passes at memory speed; any other is decoded a chunk at a time, never whole."""
    if data.isascii():
        return
    decoder = codecs.getincrementaldecoder("utf-8")()
    view = memoryview(data)
    for start in range(0, len(data), UTF8_CHECK_CHUNK):
        decoder.decode(view[start : start + UTF8_CHECK_CHUNK])
    decoder.decode(b"", final=True)


def _records(data: bytes, options: ReadOptions, source: str, file: str) -> Iterator[tuple[int, list[str]]]:
    """The non-empty records of UTF-8 CSV bytes with their 1-based numbers, decoded as they are
    read; a record over MAX_ROW_BYTES fails naming its number."""
    csv.field_size_limit(MAX_ROW_BYTES)  # process-wide, and always this same value
    text = io.TextIOWrapper(io.BytesIO(data), encoding="utf-8", newline="")
    reader = csv.reader(text, delimiter=options.delimiter, quotechar=options.quote)
    number = 0
    while True:
        try:
            record = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            if "field limit" not in str(exc):
                raise
            raise _too_long(source, file, number + 1) from None
        if not record:
            continue
        number += 1
        chars = sum(map(len, record))
        if chars > MAX_ROW_BYTES // 4 and len(options.delimiter.join(record).encode()) > MAX_ROW_BYTES:
            raise _too_long(source, file, number)
        yield number, record


def _too_long(source: str, file: str, row: int) -> SourceError:
    return SourceError(
        source,
        f"the row is longer than {MAX_ROW_BYTES >> 20} MiB (a field that big, or a quote that is never closed)",
        file=file,
        row=row,
    )


def _csv_header(data: bytes, options: ReadOptions, source: str, file: str) -> list[str]:
    """The header record (read no further than it), at most MAX_COLUMNS wide."""
    for number, record in _records(data, options, source, file):
        if number == options.header_row:
            if len(record) > MAX_COLUMNS:
                raise SourceError(source, f"the header has {len(record):,} columns; at most {MAX_COLUMNS:,}", file=file)
            return record
    if options.header_row == 1:
        raise SourceError(source, "the file is empty: no header row", file=file)
    raise SourceError(source, f"no header row at row {options.header_row}", file=file)


def _read_csv(data: bytes, options: ReadOptions, source: str, file: str) -> pa.Table:
    """Fast path with Arrow's reader; a file with ragged rows is re-read row by row so that each
    bad row is kept, with its exact record number and what was wrong, instead of being lost.

    The header's width is learned first, so that every column, however many, is read as text."""
    data = _utf8(data, options.encoding)
    header = _csv_header(data, options, source, file)
    names = [f"f{i}" for i in range(len(header))]
    ragged: list[int] = []

    def on_invalid(row: pacsv.InvalidRow) -> str:
        ragged.append(1)
        return "skip"

    try:
        table = pacsv.read_csv(
            pa.BufferReader(data),  # the bytes in place: a file object hands Arrow a copy of each block
            read_options=pacsv.ReadOptions(skip_rows=options.header_row - 1, column_names=names, block_size=MAX_ROW_BYTES),
            parse_options=pacsv.ParseOptions(
                delimiter=options.delimiter,
                quote_char=options.quote,
                newlines_in_values=True,
                invalid_row_handler=on_invalid,
            ),
            convert_options=pacsv.ConvertOptions(
                column_types=dict.fromkeys(names, pa.string()),
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except pa.ArrowInvalid as exc:
        if "straddling" not in str(exc):
            raise
        ragged.append(1)  # a record over the block size: the exact path names it
    if ragged:
        return _read_csv_rowwise(data, options, source, file)
    headers = unique_headers(header)
    body = table.slice(1).rename_columns(headers)
    first = options.header_row + 1
    if len(data) > MAX_ROW_BYTES:  # Arrow reads a longer row at the end of a file: bound it here too
        _check_row_bytes(body, source, file, first)
    rows = row_numbers(first, body.num_rows)
    return body.append_column(ROW, rows).append_column(PARSE_ERROR, pa.nulls(body.num_rows, pa.string()))


def _check_row_bytes(body: pa.Table, source: str, file: str, first: int) -> None:
    """Fail on the first row whose fields add up to more than MAX_ROW_BYTES."""
    if not body.num_rows:
        return
    lengths = [pc.cast(pc.binary_length(column), pa.int64()) for column in body.columns]
    sizes = functools.reduce(pc.add, lengths)
    over = pc.indices_nonzero(pc.greater(sizes, scalar(MAX_ROW_BYTES, pa.int64())))
    if len(over):
        raise _too_long(source, file, first + over[0].as_py())


def _read_csv_rowwise(data: bytes, options: ReadOptions, source: str, file: str) -> pa.Table:
    """Slow, exact path: a row with the wrong number of fields keeps what fits, plus its error."""
    header_at = options.header_row
    headers = unique_headers(_csv_header(data, options, source, file))
    width = len(headers)
    columns: list[list[str | None]] = [[] for _ in range(width)]
    rows: list[int] = []
    errors: list[str | None] = []
    for number, rec in _records(data, options, source, file):
        if number <= header_at:
            continue
        rows.append(number)
        if len(rec) == width:
            errors.append(None)
        else:
            errors.append(f"expected {width} fields, found {len(rec)}: {options.delimiter.join(rec)}"[:2000])
        for i in range(width):
            columns[i].append(rec[i] if i < len(rec) else None)
    arrays = {name: strings(values) for name, values in zip(headers, columns)}
    return pa.table({**arrays, ROW: integers(rows), PARSE_ERROR: strings(errors)})


def cell_text(value: object) -> str:
    """The text a person sees in a cell: `5000` not `5000.0`, dates as ISO dates."""
    if type(value) is str:  # the common case first
        return value
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time(0) else value.isoformat(sep=" ")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    return str(value)


def _sheet(data: bytes, options: ReadOptions, source: str, file: str) -> CalamineSheet:
    """The configured sheet of a workbook, once its size is known to be within the limits."""
    accepted = options.sheets
    try:  # several names accepted: every sheet is sized (one that cannot be located is)
        check_workbook(data, accepted[0] if len(accepted) == 1 else "")
    except WorkbookTooLarge as exc:
        raise SourceError(source, str(exc), file=file) from None
    workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
    found = next((name for name in accepted if name in workbook.sheet_names), None)
    if found is None:
        raise SourceError(
            source,
            f"no sheet {' or '.join(map(repr, accepted))}; the workbook has {', '.join(workbook.sheet_names)}",
            file=file,
        )
    return workbook.get_sheet_by_name(found)


def _read_xlsx(data: bytes, options: ReadOptions, source: str, file: str) -> pa.Table:
    """Read the configured sheet; rows above the header (titles, merged group cells) are skipped,
    fully empty rows are not data, and `_row` is the sheet's own row number.

    The sheet is turned into text a column at a time, not a cell at a time: Python work per cell
    was most of the cost of reading a workbook, and a column's cells mostly share one type, so
    most columns are text already and the rest repeat a few values (see `_column_text`)."""
    grid = _sheet(data, options, source, file).to_python(skip_empty_area=False)
    if len(grid) < options.header_row:
        raise SourceError(source, f"no header row at row {options.header_row}", file=file)
    headers = unique_headers(grid[options.header_row - 1])
    body = grid[options.header_row :]
    n = len(body)
    # a row shorter than the others is padded with empty cells, a header past every row is empty
    texts = [_column_text(cells) for cells in zip_longest(*body)]
    texts += [("",) * n] * (len(headers) - len(texts))
    arrays = {name: strings(column) for name, column in zip(headers, texts)}
    table = pa.table({**arrays, ROW: row_numbers(options.header_row + 1, n), PARSE_ERROR: pa.nulls(n, pa.string())})
    blank = set(_blank_rows(texts, n))
    if blank:  # rare: dropped from every column, row numbers included, in one step
        table = table.take(integers([i for i in range(n) if i not in blank]))
    return table


def _column_text(cells: Sequence[object]) -> Sequence[str]:
    """The `cell_text` of each of a column's cells, rendering each distinct value once.

    A column of text (most columns) is returned as it is. A column whose other cells are of one
    type (capacities, dates) repeats few values, and equal values of one type render alike (the
    reader's dates and times carry no time zone), so each is rendered once and looked up. Values
    of different types can be equal yet render differently (`True == 1.0` is `TRUE` and `1`), so
    a column mixing several types besides text is rendered cell by cell.
    """
    kinds = set(map(type, cells))
    kinds.discard(str)
    if not kinds:
        return cells
    if len(kinds) > 1:
        return list(map(cell_text, cells))
    rendered = {value: cell_text(value) for value in set(cells) if type(value) is not str}
    return list(map(rendered.get, cells, cells))  # a string, not in `rendered`, is its own text


def _blank_rows(columns: Sequence[Sequence[str]], n: int) -> list[int]:
    """The positions of the rows (of `n`) whose every cell is white space at most.

    A row's joined text strips to nothing exactly when each of its cells does, so the rows are
    narrowed column by column: the first column with a value in nearly every row leaves next to
    nothing for the other columns to look at."""
    blank: Sequence[int] = range(n)
    for texts in columns:
        if not blank:
            break
        blank = [i for i in blank if not texts[i].strip()]
    return list(blank)


#: a footnote: one or two digits glued to the end of a word (`Metering1 (NA / NM …)`,
#: `… applicant4`), or to the end of the header after any other character (`(Y/N/W)2`); a number
#: standing apart (`Phase 3`) or longer (`Feeder123`) is part of the name
_FOOTNOTE = re.compile(r"(?<=[^\W\d_])\d{1,2}(?=[\s(/)\-:,.]|$)|(?<=[^\d\s])\d{1,2}$")


def match_headers(wanted: Sequence[str], headers: Sequence[str]) -> list[str]:
    """The headers that carry a configured column: by name after white-space folding,
    case-insensitively, or with footnote digits glued to the end of a word (`Circuit ID1`,
    `Metering1 (NA / NM)`); exact matches come first.

    A union of several files can hold a column under its old and new name (an alias): all are
    returned, and silver takes the first that has a value.
    """
    keys = {normalize_header(w).casefold() for w in wanted}
    exact = [h for h in headers if h.casefold() in keys]
    footnoted = [h for h in headers if h not in exact and _FOOTNOTE.sub("", h).casefold() in keys]
    return exact + footnoted

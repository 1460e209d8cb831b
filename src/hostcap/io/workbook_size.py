"""How big a workbook gets once opened, found before the workbook reader opens it.

An XLSX file is a zip of XML parts: a few kilobytes can unzip to gigabytes, and one cell at
`XFD1048576` makes the reader hold a range of seventeen billion cells. Both are measured here
from the zip itself, streaming (never holding a part in memory), so an oversized workbook
fails its source with a clear message instead of exhausting memory. A sheet in the plain form
spreadsheet writers use is measured with regexes over its bytes; any other is parsed as XML.
"""

from __future__ import annotations

import functools
import io
import posixpath
import re
import zipfile
from collections.abc import Iterator
from operator import itemgetter
from xml.etree import ElementTree
from xml.parsers import expat

from hostcap.io.limits import MAX_SHEET_CELLS, MAX_WORKBOOK_BYTES

_CHUNK = 1 << 20
_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
_PACKAGE_RELS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
#: a cell reference (`AB12`) or a row number (`12`)
_REF = re.compile(r"([A-Z]*)(\d*)")


class WorkbookTooLarge(ValueError):
    """The workbook exceeds a limit; the message names it."""


def check_workbook(data: bytes, sheet: str) -> None:
    """Raise WorkbookTooLarge if the workbook unzips past MAX_WORKBOOK_BYTES or the used range
    of `sheet` (every worksheet, if the sheet cannot be located) is over MAX_SHEET_CELLS."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        return  # not a zip: the workbook reader says what is wrong with it
    with archive:
        members = [info for info in archive.infolist() if not info.is_dir()]
        if sum(info.file_size for info in members) > MAX_WORKBOOK_BYTES:
            raise WorkbookTooLarge(_over_size())
        sheets = set(_sheet_parts(archive, sheet))
        total = 0
        for info in members:
            plain = _PlainExtent() if info.filename in sheets else None
            for chunk in _unzipped(archive, info):
                total += len(chunk)
                if total > MAX_WORKBOOK_BYTES:  # sizes in the zip's directory can lie
                    raise WorkbookTooLarge(_over_size())
                if plain is not None and not plain.scan(chunk):
                    plain = None  # not in the plain form: measured by the XML parser below
            if info.filename not in sheets:
                continue
            cells = plain if plain is not None and plain.finish() else _parsed_extent(archive, info)
            if cells.count > MAX_SHEET_CELLS:
                raise WorkbookTooLarge(
                    f"the sheet's used range {cells.describe()} has {cells.count:,} cells; at most {MAX_SHEET_CELLS:,}"
                )


def _over_size() -> str:
    return f"the workbook unzips to more than {MAX_WORKBOOK_BYTES >> 20} MiB"


def _unzipped(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> Iterator[bytes]:
    with archive.open(info) as part:
        while chunk := part.read(_CHUNK):
            yield chunk


def _sheet_parts(archive: zipfile.ZipFile, sheet: str) -> list[str]:
    """The zip member holding `sheet`; every worksheet part if the workbook does not say."""
    worksheets = [n for n in archive.namelist() if n.startswith("xl/worksheets/") and n.endswith(".xml")]
    try:
        book = ElementTree.fromstring(_small(archive, "xl/workbook.xml"))
        rels = ElementTree.fromstring(_small(archive, "xl/_rels/workbook.xml.rels"))
    except (KeyError, ElementTree.ParseError, WorkbookTooLarge):
        return worksheets
    rel_id = next((s.get(_REL_ID) for s in book.iter(f"{_MAIN}sheet") if s.get("name") == sheet), None)
    target = next((r.get("Target") for r in rels.iter(f"{_PACKAGE_RELS}Relationship") if r.get("Id") == rel_id), None)
    if not target:
        return worksheets
    return [target.lstrip("/") if target.startswith("/") else posixpath.normpath(f"xl/{target}")]


def _small(archive: zipfile.ZipFile, name: str) -> bytes:
    if archive.getinfo(name).file_size > _CHUNK * 16:
        raise WorkbookTooLarge(name)
    return archive.read(name)


def _parsed_extent(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> _Extent:
    """A sheet part's used range, parsed as XML (its bytes were counted already)."""
    cells = _Extent()
    for chunk in _unzipped(archive, info):
        cells.scan(chunk)
    return cells


class _Range:
    """A used range as the reader lays it out: from A1 to the farthest row and column."""

    bottom = right = 0

    @property
    def count(self) -> int:
        """The cells the reader materializes: it lays the sheet out from A1 (empty rows and
        columns before the first cell included), so one cell at XFD1048576 is the whole sheet."""
        return self.bottom * self.right

    def describe(self) -> str:
        return f"A1:{_letters(self.right)}{self.bottom}" if self.bottom else "empty"


class _PlainExtent(_Range):
    """The used range of a sheet written in the plain form spreadsheet writers use, read with a
    few regex passes over the bytes instead of one Python call per XML element (which cost twice
    the workbook's own read): UTF-8, no comment, CDATA, DOCTYPE or processing instruction, and
    every cell tag `<c r="A1"` followed only by plain `name="value"` attributes (no second `r`,
    no `&`, `<` or `>` in a value). Then every cell is placed by its own reference, as `_Extent`
    places it, and rows do not move it. `scan` says False at the first sign of anything else,
    and the sheet is parsed as XML instead (`_Extent`): a cell the reader would see is never
    missed. Tags are taken whole: a chunk is read up to its last `>`, the rest kept for the next."""

    def __init__(self) -> None:
        self._rest = b""
        self._started = False

    def scan(self, chunk: bytes) -> bool:
        data = self._rest + chunk
        if not self._started:
            if len(data) < _DECLARATION_BYTES and chunk:  # the declaration may not be whole yet
                self._rest = data
                return True
            declared = _DECLARATION.match(data)
            encoding = declared and _ENCODING.search(declared.group(1))
            if not declared or (encoding and encoding.group(1).lower() != b"utf-8"):
                return False
            data = data[declared.end() :]
            self._started = True
        end = data.rfind(b">") + 1
        whole, self._rest = data[:end], data[end:]
        if len(self._rest) > _CHUNK:  # no tag ends for a whole chunk: not a plain sheet, and not held here
            return False
        return self._measure(whole)

    def finish(self) -> bool:
        """Whether the whole part was in the plain form (the range is then complete)."""
        return (self._started or self.scan(b"")) and b"<" not in self._rest

    def _measure(self, tags: bytes) -> bool:
        if b"<!" in tags or b"<?" in tags or _OTHER_CELL.search(tags):
            return False
        references = _PLAIN_CELL.findall(tags)
        if len(references) != tags.count(b"<c "):  # every cell tag opens so (_OTHER_CELL): all plain
            return False
        if references:  # a sheet's cells share few rows and fewer columns: each is converted once
            self.bottom = max(self.bottom, max(map(int, set(map(itemgetter(1), references)))))
            farthest = max(set(map(itemgetter(0), references)), key=_column_order)
            self.right = max(self.right, _column(farthest.decode()))
        return True


#: a part's opening: an XML declaration (after an optional UTF-8 byte order mark), and the
#: encoding it names (none: UTF-8); a plain sheet's is within its first bytes
_DECLARATION = re.compile(rb"(?:\xef\xbb\xbf)?<\?xml([^>]*)\?>")
_DECLARATION_BYTES = 256
_ENCODING = re.compile(rb"""encoding\s*=\s*["']([^"']*)""")
#: a cell tag in the plain form: its reference first, then plain attributes, none of them `r`
_PLAIN_CELL = re.compile(rb'<c r="([A-Z]{1,3})([1-9][0-9]{0,6})"(?: (?!r=)[a-z]{1,3}="[^"<>&]*")*/?>')
#: a cell tag that does not open with `<c `: a namespace prefix, or other white space, `/` or `>`
#: after the name (a cell tag is `<`, any prefix, `c`, then one of those)
_OTHER_CELL = re.compile(rb"<c[\t\n\r\f\v/>]|<[^\s<>/!?:]+:c[\s/>]")


def _column_order(letters: bytes) -> tuple[int, bytes]:
    """Column letters in the order of their columns (`Z` before `AA`)."""
    return len(letters), letters


class _Extent(_Range):
    """The used range of a sheet, from its row and cell tags as the reader places them: at the
    `r` reference when there is one, else next to the previous row or cell. Parsed as XML (not
    matched as text), so quoting, prefixes and character references cannot hide a cell."""

    def __init__(self) -> None:
        self.row = self.col = 0
        self._parser = expat.ParserCreate()
        self._parser.StartElementHandler = self._start

    def scan(self, chunk: bytes) -> None:
        self._parser.Parse(chunk, False)

    def _start(self, name: str, attrs: dict[str, str]) -> None:
        # called for every element of the sheet (a cell's value too): kept to plain string work
        tag = name.rpartition(":")[2]
        if tag != "c" and tag != "row":
            return
        letters, digits = _split_ref(attrs.get("r", ""))
        if tag == "row":
            self.row, self.col = (int(digits) if digits else self.row + 1), 0
            return
        self.col = _column(letters) if letters else self.col + 1
        self.row = int(digits) if digits else max(self.row, 1)
        if self.row > self.bottom:
            self.bottom = self.row
        if self.col > self.right:
            self.right = self.col


def _split_ref(ref: str) -> tuple[str, str]:
    """A reference's column letters and row digits (`AB12` → `AB`, `12`), as the pattern `_REF`
    splits it ("" and "" when it does not match), without a regex for the usual ASCII case."""
    ref = ref.strip().upper()
    letters = ref.rstrip("0123456789")
    if ref.isascii() and (not letters or letters.isalpha()):
        return letters, ref[len(letters) :]
    found = _REF.fullmatch(ref)
    return found.groups() if found else ("", "")


@functools.lru_cache(maxsize=4096)
def _column(letters: str) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - 64
    return number


def _letters(column: int) -> str:
    name = ""
    while column:
        column, rest = divmod(column - 1, 26)
        name = chr(65 + rest) + name
    return name

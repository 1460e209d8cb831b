"""How big a workbook gets once opened, found before the workbook reader opens it.

An XLSX file is a zip of XML parts: a few kilobytes can unzip to gigabytes, and one cell at
`XFD1048576` makes the reader hold a range of seventeen billion cells. Both are measured here
from the zip itself, streaming (never holding a part in memory), so an oversized workbook
fails its source with a clear message instead of exhausting memory.
"""

from __future__ import annotations

import functools
import io
import posixpath
import re
import zipfile
from collections.abc import Iterator
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
            cells = _Extent() if info.filename in sheets else None
            for chunk in _unzipped(archive, info):
                total += len(chunk)
                if total > MAX_WORKBOOK_BYTES:  # sizes in the zip's directory can lie
                    raise WorkbookTooLarge(_over_size())
                if cells is not None:
                    cells.scan(chunk)
            if cells is not None and cells.count > MAX_SHEET_CELLS:
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


class _Extent:
    """The used range of a sheet, from its row and cell tags as the reader places them: at the
    `r` reference when there is one, else next to the previous row or cell. Parsed as XML (not
    matched as text), so quoting, prefixes and character references cannot hide a cell."""

    def __init__(self) -> None:
        self.row = self.col = 0
        self.bottom = self.right = 0
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

    @property
    def count(self) -> int:
        """The cells the reader materializes: it lays the sheet out from A1 (empty rows and
        columns before the first cell included), so one cell at XFD1048576 is the whole sheet."""
        return self.bottom * self.right

    def describe(self) -> str:
        return f"A1:{_letters(self.right)}{self.bottom}" if self.bottom else "empty"


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

"""How large a source file may be once read: a file past a limit fails its source with a message
naming the file, the limit and (where one is to blame) the row, instead of exhausting memory.

The limits sit far above any real utility file (the widest has a few hundred columns, the
largest workbook a few megabytes of sheet XML) and are listed in the README.
"""

from __future__ import annotations

#: Columns in one file: as many as a spreadsheet can hold (A … XFD).
MAX_COLUMNS = 16_384

#: One CSV row (record), quoted line breaks included; it is also the block size the CSV reader
#: parses, since a record cannot straddle two blocks.
MAX_ROW_BYTES = 16 << 20

#: The parts of a workbook (sheet XML, shared strings, …) once unzipped, added up.
MAX_WORKBOOK_BYTES = 256 << 20

#: Cells of the read sheet's used range (rows × columns from its first cell to its last):
#: the workbook reader holds the whole range in memory, empty cells included.
MAX_SHEET_CELLS = 10_000_000

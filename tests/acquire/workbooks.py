"""SIR inventory workbooks as the DPS pages link them, for the emulator: the DPS template's
columns under title rows, the header on the row the utility's config names, on its sheet."""

from __future__ import annotations

import io
import random

import py7zr
import xlsxwriter

from hostcap.sample.sir import COLUMNS

STATUSES = ("Y", "N", "W")  # installed, queued, withdrawn


def projects(utility: str, feeders: list[str], n: int, seed: int = 7) -> list[dict]:
    """`n` projects on `feeders`, statuses in turn, each with a PV size and an approval date."""
    rng = random.Random(seed)
    return [
        {
            "Company": utility,
            "Developer": "Hudson Solar LLC",
            "Application / Job #": f"{utility[:3].upper()}-{1000 + i}",
            "City/Town": "Kingston",
            "County": "Ulster",
            "Zip Code": "12401",
            "NYISO Load Zone": "G",
            "Circuit ID": rng.choice(feeders),
            "Substation": "",
            "Hybrid (Y/N)": "N",
            "PV (kWAC)": round(rng.uniform(5, 5000), 1),
            "Application Approved Date (Utility)": f"2025-0{1 + i % 9}-15",
            "Project Complete (Y/N/W)": STATUSES[i % 3],
        }
        for i in range(n)
    ]


def workbook(sheet: str, header_row: int, rows: list[dict]) -> bytes:
    """An .xlsx with a title above, the header on `header_row` (1-based) and `rows` below it."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    book.add_worksheet("Notes").write(0, 0, "Interconnection queue")
    sheet_ = book.add_worksheet(sheet)
    sheet_.write(0, 0, "SIR Inventory Report")
    for column, name in enumerate(COLUMNS):
        sheet_.write(header_row - 1, column, name)
    for number, row in enumerate(rows, start=header_row):
        for column, name in enumerate(COLUMNS):
            if row.get(name) not in (None, ""):
                sheet_.write(number, column, row[name])
    book.close()
    return buffer.getvalue()


def seven_zip(name: str, data: bytes) -> bytes:
    """`data` as the member `name` of a .7z archive (how Con Edison's inventory is published)."""
    buffer = io.BytesIO()
    with py7zr.SevenZipFile(buffer, "w") as archive:
        archive.writestr(data, name)
    return buffer.getvalue()


def dps_page(*links: tuple[str, str]) -> str:
    """A DPS interconnection-queue page linking to `(href, text)` files among other links."""
    items = "".join(f'<li><a href="{href}">{text}</a></li>' for href, text in links)
    return f"<html><body><h1>Interconnection queue data</h1><ul>{items}</ul><a href='/about'>About</a></body></html>"

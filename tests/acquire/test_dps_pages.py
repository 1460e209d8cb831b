"""The SIR inventory workbooks: the newest link on a (fake) DPS page, a conditional GET, and Con
Edison's `.7z` unpacked to the workbook that is landed and refreshed."""

from __future__ import annotations

import io
from pathlib import Path

import py7zr

from hostcap.acquire.dps import newest_link
from tests.acquire.conftest import REPO, live_hostcap

CONED_DER = "coned/der"
WORKBOOK = REPO / "data/sample/coned/der/coned_sir_inventory_2026-10.xlsx"


def _seven_zip(name: str, data: bytes) -> bytes:
    buffer = io.BytesIO()
    with py7zr.SevenZipFile(buffer, "w") as archive:
        archive.writestr(data, name)
    return buffer.getvalue()


def _page(*links: str) -> str:
    items = "".join(f'<li><a href="{href}">{text}</a></li>' for href, text in (link.split("|") for link in links))
    return f"<html><body><h1>Interconnection queue</h1><ul>{items}</ul><a href='/about'>About</a></body></html>"


def test_the_newest_link_is_chosen_by_the_date_it_names():
    html = _page(
        "/files/queue-2026-03.7z|March 2026",
        "/files/SIR%20January%202027.xlsx|Inventory",
        "/files/report.pdf|Report",
        "/files/sir_11-2026.xlsx|older",
    )
    assert newest_link(html, "http://127.0.0.1/pages/x", r"\.(xlsx|7z)$") == "http://127.0.0.1/files/SIR%20January%202027.xlsx"
    assert newest_link(_page("/a.xlsx|one", "/b.xlsx|two"), "http://127.0.0.1/p", r"\.xlsx$") == "http://127.0.0.1/a.xlsx"
    assert newest_link(_page("/report.pdf|r"), "http://127.0.0.1/p", r"\.xlsx$") is None


def test_con_edisons_archive_is_unpacked_landed_refreshed_and_not_downloaded_again(tmp_path, emulator):
    hostcap = live_hostcap(tmp_path, emulator.url, [CONED_DER])
    page = hostcap.configs()[0].upstream.url.split("/", 3)[3]
    workbook = WORKBOOK.read_bytes()
    emulator.files["coned-2026-09.7z"] = _seven_zip("old/SIR September.xlsx", b"not this one")
    emulator.files["coned-2026-10.7z"] = _seven_zip("inventory/SIR October.xlsx", workbook)
    emulator.pages[page] = _page("/files/coned-2026-09.7z|September", "/files/coned-2026-10.7z|October")

    [result] = hostcap.fetch().sources

    assert result.status == "fetched" and result.url == f"{emulator.url}/files/coned-2026-10.7z", result
    landed = tmp_path / "src/coned/der/der.xlsx"
    assert landed.read_bytes() == workbook
    report = hostcap.refresh()
    assert report.published and report.sources[0].rows_in > 0 and report.sources[0].status == "succeeded"

    emulator.requests.clear()
    [again] = hostcap.fetch().sources  # the same file: a conditional GET answered 304
    assert again.status == "unchanged" and again.bytes < 2000
    assert [p for p, _q, _h in emulator.requests] == [page, "files/coned-2026-10.7z"]
    assert landed.stat().st_size == len(workbook)


def test_a_damaged_archive_lands_nothing(tmp_path, emulator):
    hostcap = live_hostcap(tmp_path, emulator.url, [CONED_DER])
    page = hostcap.configs()[0].upstream.url.split("/", 3)[3]
    emulator.files["coned.7z"] = b"7z\xbc\xaf\x27\x1c broken"
    emulator.pages[page] = _page("/files/coned.7z|now")
    [result] = hostcap.fetch().sources
    assert result.status == "failed" and "cannot unpack the archive" in result.error
    assert not Path(tmp_path / "src/coned/der/der.xlsx").exists()

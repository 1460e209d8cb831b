"""A workbook published as the newest link on a web page (the DPS interconnection-queue pages).

The page is read for its links; the newest one matching the source's pattern is the file (a date
in the link's URL or text decides, else the first on the page, which is how the pages list them).
The file is downloaded with a conditional GET (the last pull's ETag and Last-Modified), so an
unchanged file costs one page and one empty 304 answer. An archive (Con Edison's `.7z`, or a
`.zip`) is unpacked to the workbook its `member` glob names.
"""

from __future__ import annotations

import fnmatch
import io
import re
import zipfile
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import urljoin

import httpx

from hostcap.acquire.http import HttpClient, Traffic, UpstreamError
from hostcap.acquire.upstream import PageUpstream

_MONTHS = {
    m: i for i, m in enumerate(["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], start=1)
}
_YMD = re.compile(r"(20\d\d)[-_./]?(0[1-9]|1[0-2])(?:[-_./]?([0-3]\d))?(?!\d)")
_MY = re.compile(r"(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*[-_ ./%20]*(20\d\d)", re.I)
_MDY = re.compile(r"(?<!\d)(0?[1-9]|1[0-2])[-_.](?:([0-3]?\d)[-_.])?(20\d\d)(?!\d)")


#: the largest workbook an archive may unpack to
MAX_WORKBOOK_BYTES = 512 << 20


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[tuple[str, str]] = []
        self._href: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag == "a":
            self._href, self._text = dict(attrs).get("href"), []

    def handle_data(self, data: str) -> None:
        if self._href is not None:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._href:
            self.links.append((self._href, " ".join("".join(self._text).split())))
            self._href = None


def _date_of(text: str) -> tuple[int, int, int] | None:
    """The (year, month, day) a link names, if any."""
    if m := _YMD.search(text):
        return int(m[1]), int(m[2]), int(m[3] or 0)
    if m := _MY.search(text):
        return int(m[2]), _MONTHS[m[1][:3].lower()], 0
    if m := _MDY.search(text):
        return int(m[3]), int(m[1]), int(m[2] or 0)
    return None


def newest_link(html: str, base: str, pattern: str) -> str | None:
    """The URL of the newest link matching `pattern` (see the module)."""
    parser = _Links()
    parser.feed(html)
    matching = [(urljoin(base, href), text) for href, text in parser.links if re.search(pattern, href, re.I)]
    if not matching:
        return None
    ranked = [(_date_of(url) or _date_of(text) or (0, 0, 0), -i, url) for i, (url, text) in enumerate(matching)]
    return max(ranked)[2]


@dataclass
class PageFile:
    """The file found: its URL, the bytes to land (None when the server says 304), validators."""

    url: str
    data: bytes | None
    etag: str | None
    last_modified: str | None


def fetch_page_file(client: HttpClient, upstream: PageUpstream, last: dict | None, traffic: Traffic) -> PageFile:
    """Find the newest file on the page and download it unless it is the last pull's, unchanged."""
    html = client.get(upstream.url, lambda r: r.text, traffic=traffic)
    url = newest_link(html, upstream.url, upstream.link_pattern)
    if url is None:
        raise UpstreamError(upstream.url, f"no link matching {upstream.link_pattern!r} on the page")
    headers = {}
    if last and last.get("url") == url:
        if last.get("etag"):
            headers["If-None-Match"] = last["etag"]
        if last.get("last_modified"):
            headers["If-Modified-Since"] = last["last_modified"]

    def parse(response: httpx.Response) -> PageFile:
        etag, modified = response.headers.get("ETag"), response.headers.get("Last-Modified")
        if response.status_code == 304:
            return PageFile(url, None, etag or (last or {}).get("etag"), modified or (last or {}).get("last_modified"))
        return PageFile(url, response.content, etag, modified)

    return client.get(url, parse, headers=headers, traffic=traffic)


def workbook_bytes(url: str, data: bytes, member: str) -> bytes:
    """The workbook itself: `data`, or the archive member matching `member`."""
    path = url.split("?", 1)[0].lower()
    if path.endswith(".7z"):
        import py7zr  # only a Con Edison pull needs it

        with py7zr.SevenZipFile(io.BytesIO(data)) as archive:
            names = [n for n in archive.getnames() if fnmatch.fnmatch(n.rsplit("/", 1)[-1].lower(), member.lower())]
            if not names:
                raise UpstreamError(url, f"no member matching {member!r} in the archive")
            factory = py7zr.io.BytesIOFactory(MAX_WORKBOOK_BYTES)
            archive.extract(targets=[names[0]], factory=factory)
            product = factory.products[names[0]]
            product.seek(0)
            return product.read()
    if path.endswith(".zip"):
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = [n for n in archive.namelist() if fnmatch.fnmatch(n.rsplit("/", 1)[-1].lower(), member.lower())]
            if not names:
                raise UpstreamError(url, f"no member matching {member!r} in the archive")
            return archive.read(names[0])
    return data

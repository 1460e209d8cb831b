"""HTTP for the client: GET with retries on 429/503 and an ETag cache of the pages it has read.

A page the client has read before is asked for with `If-None-Match`; a 304 reuses the body kept
for it, so reading an unchanged table again costs headers only. 429 and 503 (a server busy, or
with no snapshot yet) are retried after `Retry-After` seconds when the server says, else after an
exponential backoff, both capped, a bounded number of times; then the error is raised.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import httpx

RETRIED = (429, 503)


@dataclass
class Stats:
    """What the client's requests came to: answered with a body, reused on 304, retried."""

    fetched: int = 0
    not_modified: int = 0
    retries: int = 0


@dataclass
class Retry:
    """How often and how long to retry a 429 or 503."""

    attempts: int = 5
    backoff_s: float = 0.5
    max_wait_s: float = 30.0

    def wait(self, attempt: int, response: httpx.Response) -> float:
        """Seconds to wait before retry number `attempt` (from 0): the server's `Retry-After`
        (in seconds) if it sent one, else the backoff doubled each time; never above `max_wait_s`."""
        after = response.headers.get("retry-after", "")
        wait = float(after) if after.strip().isdigit() else self.backoff_s * 2**attempt
        return min(wait, self.max_wait_s)


@dataclass
class Transport:
    """GETs JSON through `http`, keeping each URL's ETag and body to reuse on 304."""

    http: httpx.Client
    retry: Retry = field(default_factory=Retry)
    sleep: Callable[[float], None] = time.sleep
    stats: Stats = field(default_factory=Stats)
    _cache: dict[str, tuple[str, bytes]] = field(default_factory=dict)

    def get(self, path: str, params: dict | None = None) -> bytes:
        """The body of a GET (raising `httpx.HTTPStatusError` for an error status once retries are spent)."""
        url = str(self.http.build_request("GET", path, params=params).url)
        attempt = 0
        while True:
            cached = self._cache.get(url)
            response = self.http.get(url, headers={"If-None-Match": cached[0]} if cached else {})
            if response.status_code == 304 and cached:
                self.stats.not_modified += 1
                return cached[1]
            if response.status_code in RETRIED and attempt < self.retry.attempts:
                self.stats.retries += 1
                self.sleep(self.retry.wait(attempt, response))
                attempt += 1
                continue
            response.raise_for_status()
            self.stats.fetched += 1
            if tag := response.headers.get("etag"):
                self._cache[url] = (tag, response.content)
            return response.content

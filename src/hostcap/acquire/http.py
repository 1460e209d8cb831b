"""One polite, persistent HTTP client for every upstream request.

Polite: a User-Agent naming hostcap, at most `per_host` requests in flight and `rate_per_s`
requests a second to one host. Persistent: a timeout, a dropped connection, 429 (its
`Retry-After` honoured) and 5xx are retried with capped exponential backoff and full jitter,
bounded both in count and in total time; anything else fails at once. A response that arrives
whole but says it failed (ArcGIS's error inside HTTP 200) is judged by the caller's `parse`,
which raises `Retry` for a transient one.
"""

from __future__ import annotations

import email.utils
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar
from urllib.parse import urlsplit

import httpx

from hostcap.acquire.settings import FetchSettings

T = TypeVar("T")

_RETRY_STATUSES = {429, 500, 502, 503, 504}


class UpstreamError(Exception):
    """A request failed for good: after its retries, or at once when a retry cannot help."""

    def __init__(self, url: str, message: str):
        super().__init__(f"{url}: {message}")
        self.url, self.reason = url, message


class Retry(Exception):
    """Raised by a response parser: the answer says a transient failure; ask again."""

    def __init__(self, message: str, after_s: float | None = None):
        super().__init__(message)
        self.after_s = after_s


@dataclass
class Traffic:
    """What a client has sent and received, for reports and progress."""

    requests: int = 0
    retries: int = 0
    bytes: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add(self, requests: int = 0, retries: int = 0, size: int = 0) -> None:
        with self.lock:
            self.requests += requests
            self.retries += retries
            self.bytes += size


class _Host:
    """The concurrency and rate limits of one host."""

    def __init__(self, per_host: int, rate_per_s: float):
        self.slots = threading.BoundedSemaphore(per_host)
        self.interval = 1.0 / rate_per_s
        self.next_at = 0.0
        self.lock = threading.Lock()

    def wait_turn(self) -> None:
        with self.lock:
            now = time.monotonic()
            start = max(now, self.next_at)
            self.next_at = start + self.interval
        if start > now:
            time.sleep(start - now)


def retry_after(value: str | None) -> float | None:
    """`Retry-After` in seconds: a number of seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


class HttpClient:
    """Shared by every source of a fetch, so the per-host limits hold across them."""

    def __init__(self, settings: FetchSettings, transport: httpx.BaseTransport | None = None):
        self.settings = settings
        timeout = httpx.Timeout(settings.timeout_s, connect=settings.connect_timeout_s)
        self._client = httpx.Client(
            timeout=timeout,
            headers={"User-Agent": settings.user_agent},
            follow_redirects=True,
            transport=transport,
        )
        self._hosts: dict[str, _Host] = {}
        self._lock = threading.Lock()

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> HttpClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _host(self, url: str) -> _Host:
        key = urlsplit(url).netloc
        with self._lock:
            if key not in self._hosts:
                self._hosts[key] = _Host(self.settings.per_host, self.settings.rate_per_s)
            return self._hosts[key]

    def _backoff(self, attempt: int, hint: float | None) -> float:
        cap = self.settings.backoff_max_s
        if hint is not None:
            return min(hint, cap)
        return random.uniform(0, min(cap, self.settings.backoff_s * 2**attempt))

    def _attempt(
        self, url: str, params: dict[str, str] | None, headers: dict[str, str] | None, deadline: float
    ) -> tuple[httpx.Response, int]:
        """One attempt, read whole and never past `deadline`, and the bytes it received. A timeout
        bounds each wait for bytes, not a body that keeps dripping in below it; so every wait is
        cut to the time left, and a body still arriving when the time is up is cut off."""
        left = deadline - time.monotonic()
        if left <= 0:
            raise httpx.ConnectTimeout("no time left to send the request")
        timeout = httpx.Timeout(min(self.settings.timeout_s, left), connect=min(self.settings.connect_timeout_s, left))
        with self._client.stream("GET", url, params=params, headers=headers, timeout=timeout) as response:
            raw = bytearray()
            for chunk in response.iter_raw():
                raw += chunk
                if time.monotonic() > deadline:
                    raise httpx.ReadTimeout("the answer was still arriving when the time was up", request=response.request)
        whole = httpx.Response(response.status_code, headers=response.headers, content=bytes(raw), request=response.request)
        return whole, len(raw)

    def get(
        self,
        url: str,
        parse: Callable[[httpx.Response], T],
        params: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
        traffic: Traffic | None = None,
    ) -> T:
        """GET `url` and return `parse(response)`, retrying what a retry can help (see the module)."""
        traffic = traffic or Traffic()
        host = self._host(url)
        deadline = time.monotonic() + self.settings.retry_budget_s
        attempt = 0
        while True:
            try:
                with host.slots:
                    host.wait_turn()
                    traffic.add(requests=1)
                    response, size = self._attempt(url, params, headers, deadline)
                traffic.add(size=size)
                if response.status_code in _RETRY_STATUSES:
                    raise Retry(f"HTTP {response.status_code}", retry_after(response.headers.get("Retry-After")))
                if response.status_code >= 400:
                    raise UpstreamError(url, f"HTTP {response.status_code}: {response.text[:200]}")
                return parse(response)
            except (httpx.TimeoutException, httpx.TransportError, Retry) as exc:
                reason = _why(exc)
                attempt += 1
                wait = self._backoff(attempt - 1, exc.after_s if isinstance(exc, Retry) else None)
                if attempt > self.settings.retries:
                    raise UpstreamError(url, f"{reason} (gave up after {attempt} attempts)") from None
                if time.monotonic() + wait > deadline:
                    raise UpstreamError(
                        url, f"{reason} (gave up: retrying would pass {self.settings.retry_budget_s:g} s)"
                    ) from None
                traffic.add(retries=1)
                time.sleep(wait)


def _why(exc: Exception) -> str:
    if isinstance(exc, httpx.TimeoutException):
        return f"timed out ({type(exc).__name__})"
    if isinstance(exc, httpx.TransportError):
        return f"connection failed ({type(exc).__name__}: {exc})"
    return str(exc)

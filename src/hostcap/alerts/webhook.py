"""One webhook delivery attempt: sign the body, connect only to an allowed address, POST, and
keep a short excerpt of the answer.

The signature is HMAC-SHA256, keyed with the subscription's secret, over `<timestamp>.<body>`
(the timestamp as sent in `X-Hostcap-Timestamp`, in Unix seconds), sent as
`X-Hostcap-Signature: sha256=<hex>`; a receiver recomputes it and compares in constant time, and
rejects old timestamps to stop replays. `Idempotency-Key` is the same for every attempt of one
subscription's notification of one snapshot, so a receiver can drop duplicates.

Connections go through `http.client` with the connect step replaced: the host is resolved here,
every address it resolves to is checked (`urls.refused_address`), and the connection is made to a
checked address, so what is checked is what is connected to. Redirects are not followed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import http.client
import socket
import time
from dataclasses import asdict, dataclass
from urllib.parse import urlsplit

from hostcap import __version__
from hostcap.alerts.urls import UrlRefused, refused_address

SIGNATURE_HEADER = "X-Hostcap-Signature"
TIMESTAMP_HEADER = "X-Hostcap-Timestamp"
IDEMPOTENCY_HEADER = "Idempotency-Key"
#: characters of a receiver's answer kept in the delivery log
EXCERPT_CHARS = 200
_READ_AT_MOST = 4096


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """The `X-Hostcap-Signature` value of `body` sent at `timestamp`."""
    return "sha256=" + hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class Attempt:
    """How one attempt went: the HTTP status (None when there was no answer), why it failed, and
    the start of the answer's body."""

    at: str
    status_code: int | None
    error: str | None
    excerpt: str
    duration_ms: int

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300

    @property
    def final(self) -> bool:
        """A refusal no retry can change (the destination is not allowed)."""
        return self.error is not None and self.error.startswith("refused:")

    def as_dict(self) -> dict:
        return asdict(self)


def _connect(host: str, port: int, timeout: float | None, allow_private: bool) -> socket.socket:
    """A connection to `host`, made to an address checked first; UrlRefused when any address the
    name resolves to is not allowed (a name must not lead to both)."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    if not allow_private:
        for *_, address in infos:
            if reason := refused_address(address[0]):
                raise UrlRefused(f"{host} resolves to {reason}")
    error: OSError | None = None
    for family, kind, proto, _, address in infos:
        sock = socket.socket(family, kind, proto)
        try:
            sock.settimeout(timeout)
            sock.connect(address)
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            return sock
        except OSError as exc:
            sock.close()
            error = exc
    raise error or OSError(f"{host} resolves to no address")


class _CheckedHTTP(http.client.HTTPConnection):
    allow_private = False

    def connect(self) -> None:
        self.sock = _connect(self.host, self.port, self.timeout, self.allow_private)


class _CheckedHTTPS(http.client.HTTPSConnection, _CheckedHTTP):
    """TLS over a checked connection (HTTPSConnection.connect wraps what `_CheckedHTTP.connect` made)."""


def _excerpt(data: bytes) -> str:
    text = data[: EXCERPT_CHARS * 4].decode("utf-8", "replace")
    return "".join(c if c.isprintable() else " " for c in text)[:EXCERPT_CHARS]


def post(url: str, body: bytes, headers: dict[str, str], timeout_s: float, allow_private: bool) -> Attempt:
    """POST `body` to `url` once. Never raises for the receiver's faults: they are in the Attempt."""
    at = dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds")
    started = time.perf_counter()
    parts = urlsplit(url)
    kind = _CheckedHTTPS if parts.scheme == "https" else _CheckedHTTP
    connection = kind(parts.hostname, parts.port, timeout=timeout_s)
    connection.allow_private = allow_private
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    status, error, excerpt = None, None, ""
    try:
        connection.request(
            "POST", path, body, {"Content-Type": "application/json", "User-Agent": f"hostcap/{__version__}", **headers}
        )
        response = connection.getresponse()
        status, excerpt = response.status, _excerpt(response.read(_READ_AT_MOST))
        if not 200 <= status < 300:
            error = f"HTTP {status}"
    except UrlRefused as exc:
        error = f"refused: {exc.message}"
    except TimeoutError:
        error = f"timed out after {timeout_s:g} s"
    except (OSError, http.client.HTTPException) as exc:
        error = f"{type(exc).__name__}: {exc}"[:EXCERPT_CHARS]
    finally:
        connection.close()
    return Attempt(at, status, error, excerpt, round((time.perf_counter() - started) * 1000))


def signed_headers(secret: str, body: bytes, idempotency_key: str, now: float | None = None) -> dict[str, str]:
    """The headers of one attempt: a fresh timestamp and its signature, and the idempotency key."""
    timestamp = str(int(now if now is not None else time.time()))
    return {TIMESTAMP_HEADER: timestamp, SIGNATURE_HEADER: sign(secret, timestamp, body), IDEMPOTENCY_HEADER: idempotency_key}

"""uvicorn's httptools protocol with bounded requests: the head's size and header count, and the
time a client has to send a request.

httptools (llhttp) sets no limit of its own: it gathers a header of any length, uvicorn keeps
every header, and no timer runs before a request's head is complete. One connection could send
100 MB headers, and any number of connections could stay open forever by sending nothing, or a
byte now and then (slowloris). The limits sit here, in the protocol, because by the time the app
sees a request its whole head has already been read into memory.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from uvicorn.protocols.http.httptools_impl import STATUS_LINE, HttpToolsProtocol

from hostcap.api.problems import MEDIA_TYPE, problem_body

#: after a refusal, how long the connection stays half-open, discarding what the client still
#: sends: closing a socket with unread input resets it, and the client would lose the answer
LINGER_S = 2.0


@dataclass(frozen=True)
class RequestLimits:
    """Largest request head (request line and headers, in bytes), most headers, and the seconds a
    client has to send a whole request once the server is ready for one."""

    max_head_bytes: int
    max_headers: int
    timeout_s: float


class BoundedProtocol(HttpToolsProtocol):
    """Refuse an oversized head (431) as soon as it passes the limit, a head with too many headers
    (431), and a request not received in time (408; an idle connection is just closed)."""

    def __init__(self, *args, limits: RequestLimits, **kwargs):
        super().__init__(*args, **kwargs)
        self.limits = limits
        self._reading_head = True
        self._head_bytes = 0
        self._refused = False
        self._timer: asyncio.TimerHandle | None = None

    # the clock: from when the server is ready for a request until the request is fully received

    def _start_clock(self) -> None:
        self._stop_clock()
        self._timer = self.loop.call_later(self.limits.timeout_s, self._timed_out)

    def _stop_clock(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def _answering(self) -> bool:
        return self.cycle is not None and not self.cycle.response_complete

    def _timed_out(self) -> None:
        self._timer = None
        if self.transport.is_closing() or (self._answering() and not self.cycle.more_body):
            return  # the request was received in time; the app is answering it
        if self._head_bytes and not self._answering():
            self._refuse(408, f"the request did not arrive within {self.limits.timeout_s:g} s")
        else:
            self.transport.close()

    # protocol and parser callbacks

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._start_clock()

    def connection_lost(self, exc: Exception | None) -> None:
        self._stop_clock()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self._refused:
            return
        if self._reading_head:
            self._head_bytes += len(data)
        super().data_received(data)
        # a head that ended within `data` was measured exactly by on_headers_complete
        if self._reading_head and self._head_bytes > self.limits.max_head_bytes and not self._refused:
            self._refuse_large_head()

    def on_header(self, name: bytes, value: bytes) -> None:
        if self._refused:
            return
        if len(self.headers) >= self.limits.max_headers:
            self._refuse(431, f"the request has more than {self.limits.max_headers} headers")
            return
        super().on_header(name, value)

    def on_headers_complete(self) -> None:
        if self._refused:
            return
        if len(self.url) + sum(len(name) + len(value) + 4 for name, value in self.headers) > self.limits.max_head_bytes:
            self._refuse_large_head()
            return
        self._reading_head = False
        super().on_headers_complete()

    def on_body(self, body: bytes) -> None:
        if not self._refused:
            super().on_body(body)

    def on_message_complete(self) -> None:
        if self._refused:
            return
        super().on_message_complete()
        self._reading_head, self._head_bytes = True, 0
        # answered before its body was read (an error, say): the next request's clock starts now
        if self._answering():
            self._stop_clock()
        else:
            self._start_clock()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing():
            self._start_clock()

    # refusing

    def _refuse_large_head(self) -> None:
        self._refuse(431, f"the request head (request line and headers) is larger than {self.limits.max_head_bytes} bytes")

    def _refuse(self, status: int, detail: str) -> None:
        """Answer with a problem and close, discarding the rest of the request (and of the
        connection's). While the app is still answering an earlier request, just close."""
        self._refused = True
        self._stop_clock()
        self.logger.warning("refused a request from %s: %s", self.client and self.client[0], detail)
        if self._answering():
            self.transport.close()
            return
        body = problem_body(status, detail)
        head = [STATUS_LINE[status]]
        for name, value in self.server_state.default_headers:
            head += [name, b": ", value, b"\r\n"]
        head += [
            f"content-type: {MEDIA_TYPE}\r\ncontent-length: {len(body)}\r\nconnection: close\r\n\r\n".encode(),
            body,
        ]
        self.transport.write(b"".join(head))
        if self.transport.can_write_eof():
            self.transport.write_eof()
            self.loop.call_later(LINGER_S, self.transport.close)
        else:
            self.transport.close()

"""Small ASGI middlewares (plain ASGI: they cost microseconds, not a task per request)."""

from __future__ import annotations

from collections.abc import Callable

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from hostcap.api.problems import ProblemError, problem_response

SNAPSHOT_HEADER = "X-Hostcap-Snapshot"
_SNAPSHOT_HEADER_RAW = SNAPSHOT_HEADER.lower().encode()


class SizeLimits:
    """Refuse a query string or request body over its limit before any handler sees it."""

    def __init__(self, app: ASGIApp, max_query_bytes: int, max_body_bytes: int):
        self.app = app
        self.max_query_bytes = max_query_bytes
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        path = scope["path"]
        if len(scope["query_string"]) > self.max_query_bytes:
            detail = f"the query string is longer than {self.max_query_bytes} bytes"
            return await problem_response(414, detail, path)(scope, receive, send)
        for name, value in scope["headers"]:
            if name == b"content-length" and (not value.isdigit() or int(value) > self.max_body_bytes):
                detail = f"the request body is larger than {self.max_body_bytes} bytes"
                return await problem_response(413, detail, path)(scope, receive, send)
        await self.app(scope, self._bounded(receive), send)

    def _bounded(self, receive: Receive) -> Receive:
        """A body sent without a length (chunked) is cut off at the limit too."""
        received = 0

        async def bounded() -> Message:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > self.max_body_bytes:
                raise ProblemError(413, f"the request body is larger than {self.max_body_bytes} bytes")
            return message

        return bounded


class SnapshotHeader:
    """Name the served snapshot on every response a handler did not already label (errors, docs),
    so any response tells which published snapshot it came from."""

    def __init__(self, app: ASGIApp, snapshot_id: Callable[[], str | None]):
        self.app = app
        self.snapshot_id = snapshot_id

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)

        async def labelled(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = message.get("headers", [])
                snapshot = self.snapshot_id()
                if snapshot is not None and not any(name == _SNAPSHOT_HEADER_RAW for name, _ in headers):
                    message["headers"] = [*headers, (_SNAPSHOT_HEADER_RAW, snapshot.encode())]
            await send(message)

        await self.app(scope, receive, labelled)


class HeadAsGet:
    """Answer HEAD wherever GET is answered, with GET's status and headers and no body.

    FastAPI's routes answer only the methods they name, so HEAD was 405 everywhere. Outermost, so
    every route (the fast lane's too) answers a HEAD exactly as its GET.
    """

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            return await self.app(scope, receive, send)

        async def headers_only(message: Message) -> None:
            if message["type"] == "http.response.body":
                if message.get("more_body", False):
                    return
                message = {"type": "http.response.body", "body": b"", "more_body": False}
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, headers_only)

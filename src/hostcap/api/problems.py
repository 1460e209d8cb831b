"""Every error as RFC 9457 problem details (`application/problem+json`), from one set of handlers."""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from http import HTTPStatus

import orjson
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response
from starlette.routing import Match

from hostcap.errors import HostcapError

log = logging.getLogger(__name__)

MEDIA_TYPE = "application/problem+json"
_SHOWN_INPUT = 60


class ProblemError(Exception):
    """Raise to answer with a problem: a status, a detail that helps, and optional extension members."""

    def __init__(self, status: int, detail: str, headers: dict[str, str] | None = None, **extensions):
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.headers = headers
        self.extensions = extensions


def problem_body(status: int, detail: str, instance: str | None = None, **extensions) -> bytes:
    """The problem document itself, for answers written below the app (the HTTP protocol's)."""
    body = {"type": "about:blank", "title": HTTPStatus(status).phrase, "status": status, "detail": detail}
    if instance is not None:
        body["instance"] = instance
    body.update(extensions)
    return orjson.dumps(body)


def problem_response(
    status: int, detail: str, instance: str | None = None, headers: dict[str, str] | None = None, **extensions
) -> Response:
    body = problem_body(status, detail, instance, **extensions)
    return Response(body, status_code=status, media_type=MEDIA_TYPE, headers=headers)


def _validation_message(error: dict) -> tuple[str, str]:
    """Where (`query parameter maxHostingCapacity`) and what, with the offending input when short."""
    location = error.get("loc", ())
    where = f"{location[0]} parameter {'.'.join(map(str, location[1:]))}" if len(location) > 1 else "request"
    message = error.get("msg", "invalid value")
    value = error.get("input")
    if isinstance(value, str):
        shown = value if len(value) <= _SHOWN_INPUT else value[:_SHOWN_INPUT] + "…"
        message += f" (got {shown!r})"
    return where, message


#: the methods a 405's `Allow` may name (HEAD goes with GET: see `middleware.HeadAsGet`)
_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")
#: an absolute local path left in a message once the known roots are named
_ABSOLUTE_PATH = re.compile(r"(?<![\w:/>.])/[^\s'\"]+")


def _allowed_methods(request: Request) -> list[str]:
    """Every method some route answers at this path, asked of the router itself (routes of
    included routers are not listed flat, and Starlette's own 405 names only the first match's)."""
    routes = request.app.router.routes
    allowed = {m for m in _METHODS if any(r.matches({**request.scope, "method": m})[0] is Match.FULL for r in routes)}
    return sorted(allowed | ({"HEAD"} if "GET" in allowed else set()))


def without_paths(message: str, roots: Mapping[str, str]) -> str:
    """`message` with each of `roots` (a server directory → the name a client may see, such as
    "<lake>") replaced, and any other absolute path cut to "<path>"."""
    for root, name in sorted(roots.items(), key=lambda item: -len(item[0])):
        message = message.replace(root.rstrip("/"), name)
    return _ABSOLUTE_PATH.sub("<path>", message)


def install(app: FastAPI, private_roots: Mapping[str, str] | None = None) -> None:
    """Answer every error the app can raise with a problem. A server-side error's message (5xx)
    reaches the log whole and the client without server paths: `private_roots` names them."""
    roots = dict(private_roots or {})

    @app.exception_handler(ProblemError)
    async def _problem(request: Request, exc: ProblemError) -> Response:
        return problem_response(exc.status, exc.detail, request.url.path, exc.headers, **exc.extensions)

    @app.exception_handler(HostcapError)
    async def _hostcap(request: Request, exc: HostcapError) -> Response:
        detail = exc.message
        if exc.http_status >= 500:
            log.error("%s on %s: %s", type(exc).__name__, request.url.path, exc.message)
            detail = without_paths(detail, roots)
        return problem_response(exc.http_status, detail, request.url.path)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> Response:
        errors = [_validation_message(error) for error in exc.errors()]
        detail = "; ".join(f"{where}: {message}" for where, message in errors)
        listed = [{"location": where, "message": message} for where, message in errors]
        return problem_response(422, detail, request.url.path, errors=listed)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        detail = exc.detail if exc.status_code != 404 else f"no such endpoint: {request.url.path} (see /docs)"
        headers = exc.headers
        if exc.status_code == 405:
            headers = {**(headers or {}), "Allow": ", ".join(_allowed_methods(request))}
        return problem_response(exc.status_code, str(detail), request.url.path, headers)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> Response:
        log.exception("unhandled error on %s", request.url.path)
        return problem_response(500, "internal error; the server log has the details", request.url.path)

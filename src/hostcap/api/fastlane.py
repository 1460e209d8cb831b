"""A fast lane for the hottest GET lists: the middleware stack calls their endpoint itself.

FastAPI's routing, dependency solving and per-field query-model extraction cost about 200 µs a
request, several times the in-memory answer. An endpoint marked `@fast_lane` takes the request
and one query model and nothing else, so this middleware can do FastAPI's part itself: read the
query string as FastAPI does (a repeated parameter's last value), validate the same model and
await the endpoint.

Anything the lane does not answer goes on down the stack to the route, which answers exactly as
it always has: another method, a parameter that does not validate (the route's 422 names it), an
error the endpoint raises (no snapshot yet, a stale cursor). The lane changes speed, not answers.
"""

from __future__ import annotations

import inspect
import types
import typing
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from urllib.parse import parse_qsl

from fastapi.params import Query
from fastapi.routing import APIRoute
from pydantic import BaseModel, ValidationError
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute
from starlette.types import ASGIApp, Receive, Scope, Send

from hostcap.api.problems import ProblemError
from hostcap.errors import HostcapError

_MARK = "__hostcap_fast_lane__"

Endpoint = Callable[[Request, BaseModel], Awaitable[Response]]


def fast_lane(endpoint: Endpoint) -> Endpoint:
    """Mark `async def endpoint(request: Request, query: Annotated[Model, Query()])` (a GET route
    without dependencies or path parameters) to be answered on the fast lane."""
    setattr(endpoint, _MARK, True)
    return endpoint


def _is_scalar(annotation: object) -> bool:
    """FastAPI reads a sequence-typed field with `getlist`; the lane reads single values only."""
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        return all(_is_scalar(arg) for arg in typing.get_args(annotation))
    if origin is not None:
        return origin is typing.Literal
    return not (isinstance(annotation, type) and issubclass(annotation, (list, tuple, set, frozenset)))


def query_values(query_string: bytes) -> dict[str, str]:
    """The query string's values by name, a repeated name's last, decoded as Starlette's
    `request.query_params` decodes them (what FastAPI reads), without building its multidict: the
    lane reads a few single values, and building that multidict was a tenth of a laned answer's CPU."""
    return dict(parse_qsl(query_string.decode("latin-1"), keep_blank_values=True))


@dataclass(frozen=True)
class _Lane:
    endpoint: Endpoint
    model: type[BaseModel]
    fields: tuple[str, ...]

    @classmethod
    def of(cls, route: APIRoute) -> _Lane:
        """The lane of a marked route, refusing at startup a route it could not answer exactly."""
        endpoint, name = route.endpoint, route.endpoint.__name__
        if route.methods != {"GET"} or route.dependencies or route.param_convertors:
            raise TypeError(f"{name}: a fast-lane route is a GET without dependencies or path parameters")
        query = typing.get_type_hints(endpoint, include_extras=True).get("query")
        model, *metadata = typing.get_args(query) if typing.get_origin(query) is typing.Annotated else (None,)
        if list(inspect.signature(endpoint).parameters) != ["request", "query"] or not (
            isinstance(model, type) and issubclass(model, BaseModel) and any(isinstance(m, Query) for m in metadata)
        ):
            raise TypeError(f"{name}: a fast-lane endpoint takes (request, query: Annotated[<model>, Query()])")
        fields = model.model_fields
        if model.model_config.get("extra", "ignore") != "ignore" or any(
            field.alias is not None or not _is_scalar(field.annotation) for field in fields.values()
        ):
            raise TypeError(f"{name}: the fast lane reads query models of single-valued, unaliased fields only")
        return cls(endpoint, model, tuple(fields))

    async def answer(self, request: Request) -> Response | None:
        """The endpoint's response, or None to leave the request to the route."""
        params = query_values(request.scope["query_string"])
        given = {name: params[name] for name in self.fields if name in params}
        try:
            query = self.model.model_validate(given)
            return await self.endpoint(request, query)
        except (ValidationError, ProblemError, HostcapError):
            return None


class FastLane:
    """Answer GET requests to the marked routes among `routes` (by exact path) on the fast lane."""

    def __init__(self, app: ASGIApp, routes: Iterable[BaseRoute]):
        self.app = app
        self.lanes = {
            route.path: _Lane.of(route)
            for route in routes
            if isinstance(route, APIRoute) and getattr(route.endpoint, _MARK, False)
        }

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        # under a root path, routes match the path without it: leave those requests to the router
        if scope["type"] == "http" and scope["method"] == "GET" and not scope.get("root_path"):
            lane = self.lanes.get(scope["path"])
            if lane is not None:
                response = await lane.answer(Request(scope, receive))
                if response is not None:
                    return await response(scope, receive, send)
        await self.app(scope, receive, send)

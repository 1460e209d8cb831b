"""Endpoints that answer one small per-snapshot table whole (per-utility summaries, chart
aggregates): no filters or pages, JSON `{data, count, meta}` or CSV, ETag and 304."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel
from starlette.responses import Response

from hostcap.api import openapi
from hostcap.api.deps import list_request
from hostcap.api.queries import ListQuery
from hostcap.api.responses import whole
from hostcap.serving import Snapshot
from hostcap.serving.rows import Rows


def add_table_route(
    router: APIRouter,
    path: str,
    *,
    name: str,
    rows: Callable[[Snapshot], Rows],
    response_model: type[BaseModel],
    csv_example: str,
    summary: str,
    description: str,
) -> None:
    """GET `path` answers `rows(snapshot)`, every row; `name` also names the OpenAPI operation."""

    async def endpoint(request: Request, query: Annotated[ListQuery, Query()]) -> Response:
        asked = list_request(request, query)
        return whole(request, asked, rows(asked.snapshot))

    router.add_api_route(
        path,
        endpoint,
        methods=["GET"],
        name=name,
        response_model=response_model,
        responses=openapi.listing(csv_example, paged=False),
        summary=summary,
        description=description,
    )

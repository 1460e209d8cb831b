"""`/v1/feeders/{id}/history` and `/v1/ders/{id}/history`: what every recorded publish served."""

from __future__ import annotations

from typing import Annotated

import orjson
from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from hostcap.api import openapi
from hostcap.api.params import DerIdPath, FeederIdPath
from hostcap.api.problems import ProblemError
from hostcap.api.responses import matches
from hostcap.api.schemas.history import DerHistoryPublic, FeederHistoryPublic
from hostcap.history import views
from hostcap.history.store import Recorded
from hostcap.serving.history import HistoryCache

router = APIRouter(prefix="/v1", tags=["history"])

JSON = "application/json"


async def get_history(request: Request) -> Recorded:
    cache: HistoryCache = request.app.state.history
    return cache.current()


HistoryDep = Annotated[Recorded, Depends(get_history)]

RESPONSES = {
    200: {"description": "The history. Headers: `ETag` (changes when a publish is recorded)."},
    304: {"description": "Not modified: `If-None-Match` holds the current ETag."},
    404: openapi.problem("Not in any recorded publish (or no history recorded yet)."),
    **openapi.VALIDATION,
}


def _answer(request: Request, history: Recorded, found: dict | None, what: str) -> Response:
    if found is None:
        raise ProblemError(404, f"no {what} in the {len(history.entries)} publishes recorded in the history")
    tag = f'"history-{history.version[:20]}"'
    headers = {"ETag": tag}
    if matches(request.headers.get("if-none-match"), tag):
        return Response(status_code=304, headers=headers)
    meta = {
        "entries": len(history.entries),
        "oldest": history.entries[0].published_at if history.entries else None,
        "newest": history.entries[-1].published_at if history.entries else None,
    }
    return Response(orjson.dumps({"data": found, "meta": meta}), media_type=JSON, headers=headers)


@router.get("/feeders/{feeder_id}/history", response_model=FeederHistoryPublic, responses=RESPONSES, summary="A feeder's history")
async def feeder_history(request: Request, history: HistoryDep, feeder_id: FeederIdPath) -> Response:
    """The feeder's hosting capacity, DER counts and MW, headroom after the queue, and the
    source's HC study and DER data dates, as each recorded publish served them, oldest first
    (a rollback shows as a publish of the earlier snapshot, its values back). Kept for
    `HOSTCAP_HISTORY_MONTHS` months, longer than the snapshots themselves."""
    return _answer(request, history, views.feeder_history(history, feeder_id), f"feeder {feeder_id}")


@router.get("/ders/{der_id}/history", response_model=DerHistoryPublic, responses=RESPONSES, summary="A DER record's history")
async def der_history(request: Request, history: HistoryDep, der_id: DerIdPath) -> Response:
    """The DER record's status moves (`planned` → `installed` or `withdrawn`, null when it left
    the published data), each with the publish that first showed it, and every change of its
    feeder, nameplate or dates."""
    return _answer(request, history, views.der_history(history, der_id), f"DER record {der_id}")

"""`/v1/changes`: what changed between an earlier snapshot and the served one.

Answered from the two snapshots' gold files in the lake (not from the served indexes): a diff is
an occasional analytical question, not a hot path, but an expensive one, so each pair of
snapshots is diffed once and paged from memory (`hostcap.serving.changes`).
"""

from __future__ import annotations

from typing import Annotated

import orjson
from fastapi import APIRouter, Depends, Query, Request
from pydantic import Field
from starlette.responses import Response

from hostcap.api import openapi
from hostcap.api.deps import served_snapshot
from hostcap.api.middleware import SNAPSHOT_HEADER
from hostcap.api.paging import encode_cursor, window
from hostcap.api.params import SNAPSHOT_ID
from hostcap.api.problems import ProblemError
from hostcap.api.queries import Paging
from hostcap.api.schemas.refreshes import RUN_ID_EXAMPLE
from hostcap.diff import SnapshotDiff
from hostcap.serving.changes import ChangesCache, DiffsBusy

router = APIRouter(prefix="/v1/changes", tags=["changes"])

#: seconds a client is asked to wait when too many diffs are being computed
BUSY_RETRY_S = 5


class ChangesPublic(SnapshotDiff):
    counts: dict[str, int] = Field(
        description="How many of each kind of change in all (not only on this page).", examples=[{"ders_new": 12}]
    )
    count: int = Field(description="How many changes in all (the sum of `counts`).", examples=[12])
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last page.", examples=[None])
    meta: dict = Field(description="The served snapshot.", examples=[{"snapshot": RUN_ID_EXAMPLE}])


class _ChangesQuery(Paging):
    since: str = Field(
        pattern=SNAPSHOT_ID, description="An earlier snapshot (see `hostcap snapshots`).", examples=[RUN_ID_EXAMPLE]
    )


async def _cache(request: Request) -> ChangesCache:
    return request.app.state.changes


@router.get(
    "",
    response_model=ChangesPublic,
    responses={
        **openapi.CURSOR,
        404: openapi.problem("The snapshot is not in the lake (see `hostcap snapshots`)."),
        **openapi.VALIDATION,
        503: openapi.problem(
            "No snapshot has been published yet, or the server is computing as many diffs as it allows at once; "
            "`Retry-After` says when to try again."
        ),
    },
    summary="What changed since a snapshot",
)
def changes(
    request: Request, query: Annotated[_ChangesQuery, Query()], cache: Annotated[ChangesCache, Depends(_cache)]
) -> Response:
    """Feeders added and removed, `max_hc_mw` changes, DER that went from planned to installed,
    and new, withdrawn and removed DER, from `since` to the served snapshot; `counts` has how many
    of each.

    Paged like every list, with `limit` applying to each kind: a page holds up to `limit` changes
    of each kind, and following `next_cursor` until it is null gives every change once
    (`all_pages=true`: all of them in one response). The first request for a pair of snapshots
    computes the diff (about a second for a statewide lake); the next ones answer from memory.
    (A plain `def`: the first request reads files, so FastAPI runs it in a worker thread.)"""
    snapshot = served_snapshot(request)
    limit, offset = window(query, snapshot)
    try:
        found = cache.get(query.since, snapshot.id)
    except DiffsBusy:
        raise ProblemError(
            503,
            "the server is computing as many diffs as it allows at once: retry shortly",
            headers={"Retry-After": str(BUSY_RETRY_S)},
        ) from None
    end = offset + limit
    cursor = encode_cursor(snapshot.id, end) if end < found.longest() else None
    counts = found.counts()
    total = sum(counts.values())
    lists = {kind: orjson.Fragment(items) for kind, items in found.page(offset, limit).items()}
    body = {
        "old": found.old,
        "new": found.new,
        **lists,
        "counts": counts,
        "count": total,
        "next_cursor": cursor,
        "meta": snapshot.meta,
    }
    headers = {SNAPSHOT_HEADER: snapshot.id, "X-Total-Count": str(total)}
    return Response(orjson.dumps(body), media_type="application/json", headers=headers)

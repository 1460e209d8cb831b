"""Pagination for every v1 list: `limit` plus an opaque cursor, a total count, and a next link.

A cursor is the offset of the next page in the snapshot it was issued for. Once a newer
snapshot is published the offsets may mean other rows, so an old cursor gets 409 rather than a
silently shifted page (an offset past the end gives an empty page).
"""

from __future__ import annotations

import base64
import binascii
import sys
from dataclasses import dataclass

import numpy as np
import orjson
from fastapi import Request
from starlette.responses import Response

from hostcap.api.deps import ListRequest, list_request
from hostcap.api.problems import ProblemError
from hostcap.api.queries import PageQuery
from hostcap.api.responses import listing
from hostcap.serving import Snapshot
from hostcap.serving.rows import Rows, page


@dataclass(frozen=True)
class PageRequest(ListRequest):
    """A list request with its page: how many items, from which offset."""

    limit: int
    offset: int


def encode_cursor(snapshot_id: str, offset: int) -> str:
    return base64.urlsafe_b64encode(f"{snapshot_id}|{offset}".encode()).decode().rstrip("=")


def _offset(cursor: str, snapshot: Snapshot) -> int:
    """The page offset a cursor holds. A cursor that is not one of the published snapshot's
    (issued for an older snapshot, or never issued) gets 409: either way, start again."""
    try:
        snapshot_id, offset = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode().split("|")
        if not offset.isdigit():
            raise ValueError(offset)
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise ProblemError(409, "not a cursor of the published snapshot: start again from the first page") from None
    if snapshot_id != snapshot.id:
        raise ProblemError(
            409,
            f"the cursor belongs to snapshot {snapshot_id}, but {snapshot.id} is published now: "
            "start again from the first page",
        )
    return int(offset)


def page_request(request: Request, query: PageQuery) -> PageRequest:
    asked = list_request(request, query)
    if query.all_pages:  # one page longer than any selection
        return PageRequest(asked.snapshot, asked.format, sys.maxsize, 0)
    offset = 0 if query.cursor is None else _offset(query.cursor, asked.snapshot)
    return PageRequest(asked.snapshot, asked.format, query.limit, offset)


def paged(request: Request, asked: PageRequest, rows: Rows, selected: np.ndarray) -> Response:
    """The page of `selected` (row positions in list order) as `{data, count, next_cursor, meta}` or
    CSV; the total is also in `X-Total-Count` and the next page in a `Link` header (for CSV)."""
    snapshot = asked.snapshot
    chosen = page(selected, asked.offset, asked.limit)
    cursor = None if chosen.next_offset is None else encode_cursor(snapshot.id, chosen.next_offset)
    headers = {"X-Total-Count": str(chosen.total)}
    if cursor is not None:
        headers["Link"] = f'<{request.url.include_query_params(cursor=cursor)}>; rel="next"'

    def json_body() -> bytes:  # joined in one copy: a page of feeders is ~70 kB, and each `+` copies it again
        return b"".join((
            b'{"data":', rows.json_array(chosen.positions), b',"count":', str(chosen.total).encode(),
            b',"next_cursor":', orjson.dumps(cursor), b',"meta":', orjson.dumps(snapshot.meta), b"}",
        ))

    return listing(request, asked, json_body, lambda: rows.csv(chosen.positions), headers)

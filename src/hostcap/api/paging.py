"""Pagination for every v1 list: `limit` plus an opaque cursor, a total count, and a next link.

A cursor is the offset of the next page in the snapshot it was issued for. Once a newer
snapshot is published the offsets may mean other rows, so an old cursor gets 409 rather than a
silently shifted page (an offset past the end gives an empty page); anything that is not a cursor
this API wrote gets 400.
"""

from __future__ import annotations

import base64
import binascii
import re
import sys
from dataclasses import dataclass

import numpy as np
import orjson
from fastapi import Request
from starlette.responses import Response

from hostcap.api.deps import ListRequest, list_request
from hostcap.api.params import SNAPSHOT_ID
from hostcap.api.problems import ProblemError
from hostcap.api.queries import PageQuery, Paging
from hostcap.api.responses import listing
from hostcap.serving import Snapshot, geojson
from hostcap.serving.geojson import Features
from hostcap.serving.rows import Rows, page


@dataclass(frozen=True)
class PageRequest(ListRequest):
    """A list request with its page: how many items, from which offset."""

    limit: int
    offset: int


#: what a cursor decodes to: `<snapshot id>|<offset>`
_CURSOR = re.compile(rf"({SNAPSHOT_ID.strip('^$')})\|([0-9]{{1,18}})")


def encode_cursor(snapshot_id: str, offset: int) -> str:
    return base64.urlsafe_b64encode(f"{snapshot_id}|{offset}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[str, int] | None:
    """The snapshot and offset of a cursor exactly as `encode_cursor` writes them, else None.

    Strict at every step, because the cursor is client input: canonical base64 (the cursor must
    re-encode to itself), ASCII text, a snapshot ID, and an offset of at most 18 ASCII digits
    (`str.isdigit` and `int` also take `²`, `١٢` and `1_000`).
    """
    try:
        text = base64.b64decode(cursor + "=" * (-len(cursor) % 4), altchars=b"-_", validate=True).decode("ascii")
    except (binascii.Error, UnicodeDecodeError):
        return None
    match = _CURSOR.fullmatch(text)
    if match is None:
        return None
    snapshot_id, offset = match[1], int(match[2])
    return (snapshot_id, offset) if encode_cursor(snapshot_id, offset) == cursor else None


def _offset(cursor: str, snapshot: Snapshot) -> int:
    """The page offset a cursor holds: 400 for a cursor never issued, 409 for one issued for
    another snapshot than the published one (its offsets may mean other rows now)."""
    decoded = decode_cursor(cursor)
    if decoded is None:
        raise ProblemError(400, "not a cursor this API issued: start again from the first page (without `cursor`)")
    snapshot_id, offset = decoded
    if snapshot_id != snapshot.id:
        raise ProblemError(
            409,
            f"the cursor belongs to snapshot {snapshot_id}, but {snapshot.id} is published now: start again from the first page",
        )
    return offset


def window(query: Paging, snapshot: Snapshot) -> tuple[int, int]:
    """The page asked for in `snapshot`: how many items (`limit`), from which offset."""
    if query.all_pages:  # one page longer than any selection
        return sys.maxsize, 0
    return query.limit, 0 if query.cursor is None else _offset(query.cursor, snapshot)


def page_request(request: Request, query: PageQuery) -> PageRequest:
    asked = list_request(request, query)
    limit, offset = window(query, asked.snapshot)
    return PageRequest(**vars(asked), limit=limit, offset=offset)


def paged(
    request: Request,
    asked: PageRequest,
    rows: Rows,
    selected: np.ndarray,
    extra: dict[str, np.ndarray] | None = None,
    features: Features | None = None,
) -> Response:
    """The page of `selected` (row positions in list order) as `{data, count, next_cursor, meta}`,
    CSV, or (given `features`) a GeoJSON FeatureCollection with the same members; the total is also
    in `X-Total-Count` and the next page in a `Link` header (for CSV).
    `extra`: fields computed for this answer (one value per selected row), added to each row."""
    snapshot = asked.snapshot
    chosen = page(selected, asked.offset, asked.limit)
    end = asked.offset + len(chosen.positions)
    added = {name: values[asked.offset : end].tolist() for name, values in (extra or {}).items()}
    cursor = None if chosen.next_offset is None else encode_cursor(snapshot.id, chosen.next_offset)
    headers = {"X-Total-Count": str(chosen.total)}
    if cursor is not None:
        # relative (RFC 8288 resolves it against the request): the Host header is the client's to
        # write, and echoing it would let anyone make our answer point at another site
        following = request.url.include_query_params(cursor=cursor)
        headers["Link"] = f'<{following.path}?{following.query}>; rel="next"'

    members = b"".join((
        b',"count":', str(chosen.total).encode(), b',"next_cursor":', orjson.dumps(cursor),
        b',"meta":', orjson.dumps(snapshot.meta),
    ))  # fmt: skip

    def json_body() -> bytes:  # joined in one copy: a page of feeders is ~70 kB, and each `+` copies it again
        return b"".join((b'{"data":', rows.json_array(chosen.positions, added), members, b"}"))

    def geojson_body() -> bytes:
        return geojson.collection(features(chosen.positions, rows.json_objects(chosen.positions, added)), members)

    return listing(
        request, asked, json_body, lambda raw: rows.csv(chosen.positions, raw, added), headers,
        geojson_body if features is not None else None,
    )  # fmt: skip

"""Responses built from pre-encoded JSON: snapshot header, ETag and 304, JSON or CSV.

Handlers return these directly, so FastAPI does not re-validate and re-serialize bodies that
were encoded once per snapshot; the response models still document (and tests check) them.
"""

from __future__ import annotations

from collections.abc import Callable

import orjson
from fastapi import Request
from starlette.responses import Response

from hostcap.api.deps import ListRequest
from hostcap.api.middleware import SNAPSHOT_HEADER
from hostcap.api.queries import OutputFormat
from hostcap.serving import Snapshot
from hostcap.serving.geojson import MEDIA_TYPE as GEOJSON
from hostcap.serving.rows import Rows

JSON = "application/json"
CSV = "text/csv; charset=utf-8"


def etag(snapshot: Snapshot, fmt: OutputFormat) -> str:
    """A list's content is fixed by the snapshot and the format (the URL fixes the rest)."""
    return f'"{snapshot.id}-{fmt}"'


def matches(if_none_match: str | None, tag: str) -> bool:
    """Whether an `If-None-Match` header names `tag` (or `*`): the client holds this version."""
    if not if_none_match:
        return False
    return any(t.strip() in ("*", tag, f"W/{tag}") for t in if_none_match.split(","))


def listing(
    request: Request,
    asked: ListRequest,
    json_body: Callable[[], bytes],
    csv_body: Callable[[bool], bytes],
    headers: dict[str, str] | None = None,
    geojson_body: Callable[[], bytes] | None = None,
) -> Response:
    """A list endpoint's answer: 304 when the client holds this snapshot's version, else the body.
    `csv_body(raw)` writes the CSV, with formulas neutralized unless `raw` (the `csv_raw` asked);
    `geojson_body` the GeoJSON of a list whose query offers it."""
    snapshot, fmt = asked.snapshot, asked.format
    tag = etag(snapshot, fmt)
    all_headers = {SNAPSHOT_HEADER: snapshot.id, "ETag": tag, "Vary": "Accept", **(headers or {})}
    if matches(request.headers.get("if-none-match"), tag):
        return Response(status_code=304, headers=all_headers)
    if fmt == "csv":
        return Response(csv_body(asked.csv_raw), media_type=CSV, headers=all_headers)
    if fmt == "geojson" and geojson_body is not None:
        return Response(geojson_body(), media_type=GEOJSON, headers=all_headers)
    return Response(json_body(), media_type=JSON, headers=all_headers)


def whole(request: Request, asked: ListRequest, rows: Rows) -> Response:
    """An unpaged list of every row of a small per-snapshot table, as `{data, count, meta}` or CSV."""
    everything = list(range(len(rows)))

    def json_body() -> bytes:
        return (
            b'{"data":'
            + rows.json_array(everything)
            + b',"count":'
            + str(len(rows)).encode()
            + b',"meta":'
            + orjson.dumps(asked.snapshot.meta)
            + b"}"
        )

    return listing(request, asked, json_body, lambda raw: rows.csv(everything, raw))


def resource(snapshot: Snapshot, data: bytes) -> Response:
    """One resource in its v1 envelope `{data, meta}`."""
    body = b'{"data":' + data + b',"meta":' + orjson.dumps(snapshot.meta) + b"}"
    return Response(body, media_type=JSON, headers={SNAPSHOT_HEADER: snapshot.id})

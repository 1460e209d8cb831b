"""`/v1/dictionary`: the data dictionary, generated from the registry and the source configs."""

from __future__ import annotations

import hashlib

import orjson
from fastapi import APIRouter, Request, Response

from hostcap.api.deps import HostcapDep, StoreDep
from hostcap.api.responses import matches
from hostcap.api.schemas.dictionary import DictionaryPublic
from hostcap.dictionary import dictionary, source_dates

router = APIRouter(prefix="/v1/dictionary", tags=["dictionary"])


@router.get(
    "",
    response_model=DictionaryPublic,
    summary="Data dictionary: tables, fields, quality flags, utilities and sources",
    responses={304: {"description": "Not modified: the dictionary is the one the `If-None-Match` ETag names."}},
)
def get_dictionary(request: Request, hostcap: HostcapDep, store: StoreDep) -> Response:
    """Every gold table (key, sort order, title) and field (type, unit, description, allowed values,
    whether the utility publishes it or hostcap derives it), every quality flag with its meaning, and
    per configured utility its name and sources: dataset, publisher and terms, upstream, known quirks
    (the config's description) and the oldest and newest dates of its data in the served snapshot.
    Sends an `ETag`; a request with a matching `If-None-Match` gets 304."""
    snapshot = store.current
    gold = {"feeders": snapshot.feeders.rows.table, "ders": snapshot.ders.rows.table} if snapshot else None
    body = dictionary(hostcap.configs(), source_dates(gold) if gold else {})
    content = orjson.dumps({**body, "meta": snapshot.meta if snapshot else None})
    tag = f'"{hashlib.sha256(content).hexdigest()[:32]}"'
    if matches(request.headers.get("if-none-match"), tag):
        return Response(status_code=304, headers={"ETag": tag})
    return Response(content, media_type="application/json", headers={"ETag": tag})

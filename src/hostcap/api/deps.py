"""Dependencies the routers share, as `Annotated` aliases: the served snapshot, the refresher and
the API key check; and the list request every list endpoint builds from its query model.

All are `async def` although none awaits: FastAPI runs a plain `def` dependency in a worker
thread, and that hop would cost more than the whole in-memory answer.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request, Security
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer

from hostcap.api.crosssite import refuse_cross_site
from hostcap.api.problems import ProblemError
from hostcap.api.queries import ListQuery, OutputFormat
from hostcap.api.settings import ApiSettings
from hostcap.core import Hostcap
from hostcap.orchestration.runner import Runner
from hostcap.serving import Snapshot, SnapshotStore


def served_snapshot(request: Request) -> Snapshot:
    """The snapshot this request is answered from, taken once so the whole answer is consistent."""
    snapshot = request.app.state.store.current
    if snapshot is None:
        raise ProblemError(
            503,
            "no published snapshot yet: start a refresh (POST /v1/refreshes, or `hostcap refresh`) and retry",
            headers={"Retry-After": "30"},
        )
    return snapshot


async def get_snapshot(request: Request) -> Snapshot:
    return served_snapshot(request)


async def get_refresher(request: Request) -> Runner:
    return request.app.state.refresher


async def get_hostcap(request: Request) -> Hostcap:
    return request.app.state.hostcap


async def get_store(request: Request) -> SnapshotStore:
    return request.app.state.store


@dataclass(frozen=True)
class ListRequest:
    """What every list answer needs: the snapshot it is answered from, the format asked for, and
    whether CSV text cells go out raw (formulas not neutralized)."""

    snapshot: Snapshot
    format: OutputFormat
    csv_raw: bool


def list_request(request: Request, query: ListQuery) -> ListRequest:
    """Lists take their parameters as one query model and call this directly, not as a dependency:
    each dependency level costs FastAPI more per request than the in-memory answer."""
    fmt = query.format
    if fmt is None:
        accept = request.headers.get("accept", "")
        fmt = "geojson" if query.GEO and _prefers_geojson(accept) else "csv" if _prefers_csv(accept) else "json"
    return ListRequest(served_snapshot(request), fmt, query.csv_raw)


def _weights(accept: str) -> dict[str, float]:
    """`Accept`'s media ranges and their q-values (1 when absent; an unreadable q counts as 0)."""
    weights = {}
    for item in accept.split(","):
        media, *params = (part.strip() for part in item.split(";"))
        q = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        if media:
            weights[media.lower()] = q
    return weights


def _prefers_csv(accept: str) -> bool:
    """CSV only when `Accept` weighs it above JSON (the most specific range applies; JSON wins ties)."""
    if "csv" not in accept.lower() and "text/*" not in accept.lower():
        return False  # the common case, decided without parsing
    weights = _weights(accept)

    def weight(kind: str, sub: str) -> float:
        return next((weights[r] for r in (f"{kind}/{sub}", f"{kind}/*", "*/*") if r in weights), 0.0)

    return weight("text", "csv") > weight("application", "json")


def _prefers_geojson(accept: str) -> bool:
    """GeoJSON only when `Accept` names `application/geo+json` above JSON (JSON wins ties)."""
    if "geo+json" not in accept.lower():
        return False
    weights = _weights(accept)
    json = next((weights[r] for r in ("application/json", "application/*", "*/*") if r in weights), 0.0)
    return weights.get("application/geo+json", 0.0) > json


_api_key_header = APIKeyHeader(name="X-API-Key", auto_error=False, description="The key set in `HOSTCAP_API_KEY`.")
_bearer = HTTPBearer(auto_error=False, description="`Authorization: Bearer <the key set in HOSTCAP_API_KEY>`.")


async def require_api_key(
    request: Request,
    api_key: Annotated[str | None, Security(_api_key_header)],
    bearer: Annotated[HTTPAuthorizationCredentials | None, Security(_bearer)],
) -> None:
    """When `HOSTCAP_API_KEY` is set, the request must carry it (compared in constant time)."""
    settings: ApiSettings = request.app.state.settings
    if settings.api_key is None:
        return
    expected = settings.api_key.get_secret_value().encode()
    offered = api_key if api_key is not None else bearer.credentials if bearer is not None else None
    if offered is None or not hmac.compare_digest(offered.encode(), expected):
        raise ProblemError(
            401,
            "this endpoint needs the API key: send it as `X-API-Key: <key>` or `Authorization: Bearer <key>`",
            headers={"WWW-Authenticate": 'Bearer realm="hostcap"'},
        )


SnapshotDep = Annotated[Snapshot, Depends(get_snapshot)]
RefresherDep = Annotated[Runner, Depends(get_refresher)]
StoreDep = Annotated[SnapshotStore, Depends(get_store)]
HostcapDep = Annotated[Hostcap, Depends(get_hostcap)]
#: what every state change (starting a refresh) passes first: not forged by another site, and the key
STATE_CHANGE = [Depends(refuse_cross_site), Depends(require_api_key)]

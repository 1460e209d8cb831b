"""`/v1/snapshots/{id}/bundle`: a snapshot's release bundle, the whole data set in one zip."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request
from starlette.responses import Response, StreamingResponse

from hostcap.api import openapi
from hostcap.api.params import SNAPSHOT_ID
from hostcap.api.responses import matches
from hostcap.api.schemas.refreshes import RUN_ID_EXAMPLE

router = APIRouter(prefix="/v1/snapshots", tags=["changes"])

ZIP = "application/zip"


@router.get(
    "/{snapshot_id}/bundle",
    response_class=StreamingResponse,
    responses={
        200: {"content": {ZIP: {}}, "description": "The bundle (a zip), streamed."},
        304: {"description": "The client's copy (`If-None-Match`) is current."},
        404: openapi.problem("The snapshot is not kept in the lake."),
        **openapi.VALIDATION,
    },
    summary="Download a snapshot's release bundle",
)
def bundle(
    request: Request,
    snapshot_id: Annotated[
        str, Path(pattern=SNAPSHOT_ID, description="A published snapshot (see `/v1/snapshots`).", examples=[RUN_ID_EXAMPLE])
    ],
) -> Response:
    """Every gold table of the snapshot in one zip: each as Parquet and CSV, a DuckDB database
    holding them all, a Frictionless `datapackage.json` (types, units, descriptions, primary and
    foreign keys, sources and licenses) and `CHANGES.md` (what changed since the previous publish).
    All in one folder `hostcap-<snapshot>/`. The server makes it right after each publish and keeps
    it in the lake; a snapshot whose bundle is not made yet (published by another process) or is
    damaged gets it made now, which takes seconds at statewide size. The `ETag` is the zip's sha256
    (`If-None-Match` gets 304). (A plain `def`: it checks or makes the file first, so FastAPI runs
    it in a worker thread.)"""
    found = request.app.state.hostcap.bundle(snapshot_id)
    headers = {
        "ETag": f'"{found.sha256}"',
        "Content-Length": str(found.size),
        "Content-Disposition": f'attachment; filename="{found.filename}"',
    }
    if matches(request.headers.get("if-none-match"), headers["ETag"]):
        return Response(status_code=304, headers={"ETag": headers["ETag"]})
    return StreamingResponse(found.chunks(), media_type=ZIP, headers=headers)

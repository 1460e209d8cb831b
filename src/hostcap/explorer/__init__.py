"""The web explorer: static pages (plain HTML, CSS and ES modules, no build step) that read the v1
API, served by the API app at `/` with their files under `/explorer/`.

Everything ships inside the package, so the explorer works with no internet access. The one thing
it asks the server about itself is `/explorer/config.json`: the settings an operator chose for it
(a web tile layer under the map's feeders, only when `HOSTCAP_MAP_TILE_URL` names one).
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.staticfiles import StaticFiles
from starlette.responses import FileResponse, JSONResponse

STATIC = Path(__file__).parent / "static"
ASSETS = "/explorer"


def mount_explorer(app: FastAPI) -> None:
    """`/` answers the explorer's page; its assets live under `/explorer/`, a prefix of their own, so
    the API's paths, `/docs` and `/openapi.json` keep their routes (and unknown paths their 404s)."""

    # before the assets' mount, which would otherwise answer the path (404: no such file)
    @app.get(f"{ASSETS}/config.json", include_in_schema=False)
    async def config(request: Request) -> JSONResponse:
        """`tiles`: null, or the tile URL template and its credit (plain text) from the API settings."""
        settings = request.app.state.settings
        tiles = None
        if settings.map_tile_url is not None:
            tiles = {"url": settings.map_tile_url, "attribution": settings.map_tile_attribution}
        return JSONResponse({"tiles": tiles}, headers={"Cache-Control": "no-cache"})

    app.mount(ASSETS, StaticFiles(directory=STATIC), name="explorer")

    @app.get("/", include_in_schema=False)
    async def explorer() -> FileResponse:
        return FileResponse(STATIC / "index.html")

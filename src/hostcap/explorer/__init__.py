"""The web explorer: static pages (plain HTML, CSS and ES modules, no build step) that read the v1
API, served by the API app at `/` with their files under `/explorer/`.

Everything ships inside the package, so the explorer works with no internet access.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from starlette.responses import FileResponse

STATIC = Path(__file__).parent / "static"
ASSETS = "/explorer"


def mount_explorer(app: FastAPI) -> None:
    """`/` answers the explorer's page; its assets live under `/explorer/`, a prefix of their own, so
    the API's paths, `/docs` and `/openapi.json` keep their routes (and unknown paths their 404s)."""
    app.mount(ASSETS, StaticFiles(directory=STATIC), name="explorer")

    @app.get("/", include_in_schema=False)
    async def explorer() -> FileResponse:
        return FileResponse(STATIC / "index.html")

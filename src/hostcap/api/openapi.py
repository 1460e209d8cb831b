"""OpenAPI documentation of the responses endpoints share (problems, CSV, 304)."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

from hostcap.api.problems import MEDIA_TYPE
from hostcap.api.schemas.common import Problem


def problem(description: str) -> dict[str, Any]:
    return {"description": description, "model": Problem, "content": {MEDIA_TYPE: {}}}


#: on every endpoint
COMMON: dict[int | str, dict[str, Any]] = {
    413: problem("The request body is over the size limit."),
    414: problem("The query string is over the size limit."),
    500: problem("Unexpected server error (details in the server log)."),
}
#: a route that reads a JSON body: one that does not parse is 400 (FastAPI's own answer)
JSON_BODY = {400: problem("The body is not JSON: it could not be parsed.")}
VALIDATION = {422: problem("A parameter is invalid; `detail` and `errors` say which and why.")}
#: on every state change (see `deps.STATE_CHANGE`)
STATE_CHANGE = {
    401: problem("`HOSTCAP_API_KEY` is set and the request does not carry it."),
    403: problem("A browser sent the request for another site's page (`Sec-Fetch-Site` or `Origin` says so)."),
    415: problem("The body is text/plain or form data, what another site's page can send: send none, or JSON."),
}
NO_SNAPSHOT = {503: problem("No snapshot has been published yet; `Retry-After` says when to try again.")}
#: on every paged list
CURSOR = {
    400: problem(
        "The cursor is not one this API issued: start again from the first page; or a place (`bbox`, `near`) "
        "that is no place on Earth."
    ),
    409: problem("The cursor belongs to an older snapshot: start again from the first page."),
}


#: the GeoJSON a list with places answers (see hostcap.serving.geojson)
GEOJSON = {
    "application/geo+json": {
        "schema": {
            "type": "object",
            "description": "A FeatureCollection: each row a Feature whose `properties` are the row as in JSON; "
            "`count`, `next_cursor` and `meta` as foreign members.",
        }
    }
}


def listing(csv_example: str, paged: bool = True, geo: bool = False) -> dict[int | str, dict[str, Any]]:
    """A list endpoint: JSON or CSV (and GeoJSON for a list with places), ETag and 304; and for a
    paged one, a bad or stale cursor."""
    geojson = "; GeoJSON with `format=geojson` or `Accept: application/geo+json`" if geo else ""
    return {
        **(CURSOR if paged else {}),
        200: {
            "description": f"The list (JSON; CSV with `format=csv` or `Accept: text/csv`{geojson}). Headers: `ETag`, "
            "`X-Hostcap-Snapshot`, and for paged lists `X-Total-Count` and `Link` (next page).",
            "content": {"text/csv": {"schema": {"type": "string"}, "example": csv_example}, **(GEOJSON if geo else {})},
        },
        304: {"description": "Not modified: `If-None-Match` holds the current ETag (same snapshot and format)."},
        **VALIDATION,
        **NO_SNAPSHOT,
    }


def resource(name: str) -> dict[int | str, dict[str, Any]]:
    return {404: problem(f"No {name} with this ID in the served snapshot."), **VALIDATION, **NO_SNAPSHOT}


def install(app: FastAPI, key_set: bool) -> None:
    """Describe the API key only when one is set: without it the refresh endpoints take no
    credentials and never answer 401, and a schema saying otherwise misleads clients and tests."""
    if key_set:
        return
    generate = app.openapi

    def without_key() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = generate()
            schema.get("components", {}).pop("securitySchemes", None)
            for item in schema["paths"].values():
                for operation in item.values():
                    operation.pop("security", None)
                    operation.get("responses", {}).pop("401", None)
        return app.openapi_schema

    app.openapi = without_key

"""OpenAPI documentation of the responses endpoints share (problems, CSV, 304)."""

from __future__ import annotations

from typing import Any

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
VALIDATION = {422: problem("A parameter is invalid; `detail` and `errors` say which and why.")}
NO_SNAPSHOT = {503: problem("No snapshot has been published yet; `Retry-After` says when to try again.")}
#: on every paged list
CURSOR = {
    400: problem("The cursor is not one this API issued: start again from the first page."),
    409: problem("The cursor belongs to an older snapshot: start again from the first page."),
}


def listing(csv_example: str, paged: bool = True) -> dict[int | str, dict[str, Any]]:
    """A list endpoint: JSON or CSV, ETag and 304; and for a paged one, a bad or stale cursor."""
    return {
        **(CURSOR if paged else {}),
        200: {
            "description": "The list (JSON; CSV with `format=csv` or `Accept: text/csv`). Headers: `ETag`, "
            "`X-Hostcap-Snapshot`, and for paged lists `X-Total-Count` and `Link` (next page).",
            "content": {"text/csv": {"schema": {"type": "string"}, "example": csv_example}},
        },
        304: {"description": "Not modified: `If-None-Match` holds the current ETag (same snapshot and format)."},
        **VALIDATION,
        **NO_SNAPSHOT,
    }


def resource(name: str) -> dict[int | str, dict[str, Any]]:
    return {404: problem(f"No {name} with this ID in the served snapshot."), **VALIDATION, **NO_SNAPSHOT}

"""Refusing state changes another site's page asks a browser to make (cross-site request forgery).

Without an API key the refresh endpoints are open to anything that can reach the server, and a
browser reaches it on its user's behalf: an `<img src=".../refreshData">` or a form posted from
any page would start a refresh. Browsers say where a request comes from (`Sec-Fetch-Site`, and
`Origin` on every POST and cross-origin request); scripts and `curl` send neither. So a request
is refused when a browser says it comes from another origin, or when it carries a body only a
form or a simple `fetch` sends (text/plain, form data): a state change is never a simple request.
Reads stay open; the browser keeps their answers from the other site anyway.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from fastapi import Request

from hostcap.api.problems import ProblemError

#: `Sec-Fetch-Site` values of a request this origin's own page made, or its user typed
_OWN = frozenset({"same-origin", "none"})
#: the body types a page can send without a CORS preflight
_FORM_TYPES = frozenset({"text/plain", "application/x-www-form-urlencoded", "multipart/form-data"})


def _from_another_site(request: Request) -> bool:
    site = request.headers.get("sec-fetch-site")
    if site is not None:
        return site not in _OWN
    origin = request.headers.get("origin")
    # "null" (a sandboxed frame, a file: page) has no host and never matches
    return origin is not None and urlsplit(origin).netloc != request.headers.get("host")


async def refuse_cross_site(request: Request) -> None:
    """403 for a browser's request from another origin; 415 for a body a form could send."""
    if _from_another_site(request):
        raise ProblemError(
            403,
            "refused: a browser sent this request for another site's page (Sec-Fetch-Site or Origin says so); "
            "start refreshes from the explorer, a script or curl",
        )
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type in _FORM_TYPES:
        raise ProblemError(
            415, f"a {content_type} body is what another site's page can send: send no body, or `application/json`"
        )

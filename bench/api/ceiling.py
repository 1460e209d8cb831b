"""The API's ceiling: a bare ASGI app that answers each path with one pre-encoded body.

Served by uvicorn under the options `hostcap serve` uses (`hostcap.api.server.uvicorn_options`:
one process, the bounded httptools protocol, access log off, log level info) on 127.0.0.1, it does
nothing per request but pick the body by path and send its bytes, so its req/s under the same wrk
load is the most an endpoint answering that many bytes could reach on this server and machine.
hostcap's req/s as a fraction of it is the share the app's own work leaves.

    python bench/api/ceiling.py --port <port> --answers '{"<path>": ["<content type>", <body bytes>], ...}'
"""

from __future__ import annotations

import argparse
import json

import uvicorn

from hostcap.api.server import uvicorn_options
from hostcap.api.settings import ApiSettings

PREFIX, SUFFIX = b'{"padding":"', b'"}'


def body_of(size: int) -> bytes:
    """A JSON object of exactly `size` bytes (at least the bytes of an empty one)."""
    return PREFIX + b"x" * max(size - len(PREFIX) - len(SUFFIX), 0) + SUFFIX


def bare_app(answers: dict[str, tuple[str, int]]):
    """The ASGI app: lifespan events acknowledged, every HTTP request answered 200 with the body
    of its path (`answers`: path → content type and body size; any other path: 404, empty)."""
    messages = {}
    for path, (content_type, size) in answers.items():
        body = body_of(size)
        headers = [(b"content-type", content_type.encode()), (b"content-length", str(len(body)).encode())]
        messages[path] = (
            {"type": "http.response.start", "status": 200, "headers": headers},
            {"type": "http.response.body", "body": body},
        )
    missing = (
        {"type": "http.response.start", "status": 404, "headers": [(b"content-length", b"0")]},
        {"type": "http.response.body"},
    )

    async def app(scope, receive, send) -> None:
        if scope["type"] == "lifespan":
            while (await receive())["type"] != "lifespan.shutdown":
                await send({"type": "lifespan.startup.complete"})
            await send({"type": "lifespan.shutdown.complete"})
            return
        start, answer = messages.get(scope["path"], missing)
        await send(start)
        await send(answer)

    return app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--answers", required=True, help="JSON: path → [content type, body bytes].")
    args = parser.parse_args()
    answers = {path: (content_type, int(size)) for path, (content_type, size) in json.loads(args.answers).items()}
    uvicorn.run(bare_app(answers), host="127.0.0.1", port=args.port, **uvicorn_options(ApiSettings()))


if __name__ == "__main__":
    main()

"""The API's ceiling: a bare ASGI app that answers every request with one pre-encoded JSON body.

Served by uvicorn with the settings `hostcap serve` uses (hostcap.api.server: the same host, access
log off, log level info, uvicorn's default loop and HTTP parser), it does nothing per request but
send bytes, so its req/s under the same wrk load is the most any endpoint could reach on this server
and machine. hostcap's req/s as a fraction of it is the share the app's own work leaves.

    python bench/api/ceiling.py --port <port> --bytes <body size>
"""

from __future__ import annotations

import argparse

import uvicorn

PREFIX, SUFFIX = b'{"padding":"', b'"}'


def body_of(size: int) -> bytes:
    """A JSON object of exactly `size` bytes (at least the bytes of an empty one)."""
    return PREFIX + b"x" * max(size - len(PREFIX) - len(SUFFIX), 0) + SUFFIX


def bare_app(body: bytes):
    """The ASGI app: lifespan events acknowledged, every HTTP request answered 200 with `body`."""
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    start = {"type": "http.response.start", "status": 200, "headers": headers}
    answer = {"type": "http.response.body", "body": body}

    async def app(scope, receive, send) -> None:
        if scope["type"] == "lifespan":
            while (await receive())["type"] != "lifespan.shutdown":
                await send({"type": "lifespan.startup.complete"})
            await send({"type": "lifespan.shutdown.complete"})
            return
        await send(start)
        await send(answer)

    return app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--bytes", type=int, required=True, help="Size of the answer's body.")
    args = parser.parse_args()
    uvicorn.run(bare_app(body_of(args.bytes)), host="127.0.0.1", port=args.port, access_log=False, log_level="info")


if __name__ == "__main__":
    main()

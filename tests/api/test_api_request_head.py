"""The request head (request line and headers) is bounded in size, header count and time, against
a real `hostcap serve` on 127.0.0.1 spoken to over raw sockets: the limits live in the server's
HTTP protocol, below the app, so only a real server shows them."""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Iterator

import pytest

from hostcap.config import Settings
from tests.conftest import CONFIGS, Server

MAX_HEAD_BYTES = 8192
MAX_HEADERS = 20
HEAD_TIMEOUT_S = 1.0
#: how long past the timeout a connection may still be open before the test calls it a failure
GRACE_S = 4.0


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, serve) -> Iterator[Server]:
    """A server over an empty lake (the head limits do not depend on data) with small limits."""
    root = tmp_path_factory.mktemp("head-limits")
    (root / "src").mkdir()
    settings = Settings(source_dir=str(root / "src"), lake_dir=str(root / "lake"), config_dir=CONFIGS)
    env = {
        "HOSTCAP_API_MAX_HEADER_BYTES": str(MAX_HEAD_BYTES),
        "HOSTCAP_API_MAX_HEADERS": str(MAX_HEADERS),
        "HOSTCAP_API_CLIENT_TIMEOUT_S": str(HEAD_TIMEOUT_S),
    }
    with serve(settings, env=env) as running:
        yield running
    assert "Traceback" not in running.output, running.output


def _connect(server: Server) -> socket.socket:
    host, port = server.url.removeprefix("http://").split(":")
    return socket.create_connection((host, int(port)), timeout=GRACE_S + HEAD_TIMEOUT_S)


def _read_until_closed(conn: socket.socket) -> bytes:
    """Everything the server sends until it closes the connection (a socket timeout fails the test)."""
    received = b""
    while chunk := conn.recv(65536):
        received += chunk
    return received


def _status(response: bytes) -> int:
    return int(response.split(b" ", 2)[1])


def _problem(response: bytes) -> dict:
    head, _, body = response.partition(b"\r\n\r\n")
    assert b"content-type: application/problem+json" in head.lower()
    return json.loads(body)


def _send_and_read(server: Server, request: bytes) -> bytes:
    with _connect(server) as conn:
        try:
            conn.sendall(request)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server refused before the client finished: what it answered is still readable
        return _read_until_closed(conn)


def _get(headers: list[bytes]) -> bytes:
    """A GET of /healthz with these extra headers (three more: Host, Connection and the blank line's)."""
    lines = [b"GET /healthz HTTP/1.1", b"Host: 127.0.0.1", b"Connection: close", *headers]
    return b"\r\n".join(lines) + b"\r\n\r\n"


def _answered(conn: socket.socket, within_s: float) -> bool:
    """Whether the server sent something or closed the connection within `within_s`."""
    conn.settimeout(within_s)
    try:
        conn.recv(1, socket.MSG_PEEK)
        return True
    except TimeoutError:
        return False
    except ConnectionResetError:
        return True
    finally:
        conn.settimeout(GRACE_S + HEAD_TIMEOUT_S)


def test_a_head_within_the_limits_is_answered(server):
    headers = [b"X-Pad-%d: %s" % (i, b"v" * 100) for i in range(MAX_HEADERS - 2)]
    assert _status(_send_and_read(server, _get(headers))) == 200


def test_a_header_over_the_size_limit_is_431(server):
    request = (
        b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nX-Big: " + b"a" * (MAX_HEAD_BYTES * 2) + b"\r\n\r\n"
    )
    response = _send_and_read(server, request)
    assert _status(response) == 431
    assert str(MAX_HEAD_BYTES) in _problem(response)["detail"]


def test_a_head_that_never_ends_is_refused_while_it_is_still_arriving(server):
    """One endless header, sent in pieces: the server answers 431 once the limit is passed,
    long before the client would have finished (the client stops after 100 times the limit)."""
    with _connect(server) as conn:
        conn.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Endless: ")
        sent, refused = 0, False
        while sent < MAX_HEAD_BYTES * 100 and not refused:
            try:
                conn.sendall(b"a" * 4096)
                sent += 4096
            except (BrokenPipeError, ConnectionResetError):
                refused = True
            refused = refused or (sent >= MAX_HEAD_BYTES * 2 and _answered(conn, 0.2))
        assert refused, f"the server read {sent} bytes of one header without answering"
        assert _status(_read_until_closed(conn)) == 431


def test_too_many_headers_is_431(server):
    response = _send_and_read(server, _get([b"X-H%d: 1" % i for i in range(MAX_HEADERS)]))
    assert _status(response) == 431
    assert f"more than {MAX_HEADERS} headers" in _problem(response)["detail"]


def test_idle_connections_are_closed_after_the_timeout(server):
    conns = [_connect(server) for _ in range(20)]
    try:
        started = time.monotonic()
        for conn in conns:
            assert _read_until_closed(conn) == b""
        assert time.monotonic() - started < HEAD_TIMEOUT_S + GRACE_S
    finally:
        for conn in conns:
            conn.close()


def _trickle(conn: socket.socket, piece: bytes) -> bool:
    """Send `piece` every 0.2 s until the server answers or closes (True) or the grace ends (False)."""
    for _ in range(int((HEAD_TIMEOUT_S + GRACE_S) / 0.2)):
        try:
            conn.sendall(piece)
        except (BrokenPipeError, ConnectionResetError):
            return True
        if _answered(conn, 0.2):
            return True
    return False


def test_a_head_sent_slowly_times_out_with_408(server):
    """Slowloris: a header line every 0.2 s keeps the connection busy but never ends the head."""
    with _connect(server) as conn:
        conn.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        started = time.monotonic()
        assert _trickle(conn, b"X-Slow: 1\r\n"), "a head that never ended kept its connection open"
        assert time.monotonic() - started < HEAD_TIMEOUT_S + GRACE_S
        try:
            response = _read_until_closed(conn)
        except ConnectionResetError:
            return  # closed before the answer could be read: still closed
        assert response == b"" or _status(response) == 408


def test_a_body_sent_slowly_is_cut_off(server):
    """A body trickled a byte at a time ends with the connection closed, after whatever answer the app gave."""
    with _connect(server) as conn:
        conn.sendall(b"POST /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 1000\r\n\r\n")
        started = time.monotonic()
        assert _trickle(conn, b"x")
        try:
            received = _read_until_closed(conn)
        except ConnectionResetError:
            received = b""
        assert time.monotonic() - started < HEAD_TIMEOUT_S + GRACE_S + 1, f"still open; received {received[:80]!r}"


def test_a_keep_alive_connection_serves_requests_one_after_another(server):
    """The head timer restarts with each request: requests spaced by less than the timeout all pass."""
    with _connect(server) as conn:
        for _ in range(3):
            conn.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            response = b""
            while not response.endswith(b"}"):
                response += conn.recv(65536)
            assert _status(response) == 200
            time.sleep(HEAD_TIMEOUT_S / 2)  # idle for part of the timeout between requests, as a client may

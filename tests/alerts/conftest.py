"""Alerts fixtures: a real webhook receiver on 127.0.0.1, and a lake with two publishes whose
changes are known (small National Grid files: one feeder's capacity falls, one feeder goes, one
comes, a large DER joins the queue)."""

from __future__ import annotations

import hashlib
import hmac
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from hostcap.alerts import AlertSettings, SubscriptionIn
from hostcap.core import Hostcap
from tests.conftest import make_hostcap, write_files

NETWORK = "national_grid/network/network.csv"
PLANNED = "national_grid/planned_der/planned.csv"
_HEAD = "Master_CDF,feeder_voltage,feeder_max_hc,feeder_min_hc,feeder_dg_connected_since_refresh,hca_refresh_date,color,shape_length\n"
_DER_HEAD = (
    "DER_TYPE,DER_NAMEPLATE_RATING,INVERTER_NAMEPLATE_RATING,PLANNED_INSTALLATION_DATE,DER_STATUS,DER_STATUS_RATIONALE,"
    "TOTAL_MW_FOR_SUBSTATION,INTERCONNECTION_QUEUE_REQUEST_ID,INTERCONNECTION_QUEUE_POSITION,DER_INTERCONNECTION_LOCATION\n"
)


def _feeder(feeder: str, max_hc: float) -> str:
    return f"{feeder},13.2,{max_hc},0.5,0,2026/04/01 00:00:00+00,blue,1.0\n"


def _der(der: str, kw: float, feeder: str) -> str:
    return f"Solar,{kw},null,,null,null,1,{der},5/28/2022 5:00,{feeder}\n"


#: before: 0001 has 3 MW and a 500 kW DER queued (headroom 2.5 MW); 0002 and 0003 exist
BEFORE = {
    NETWORK: _HEAD + _feeder("36_30_0001", 3.0) + _feeder("36_30_0002", 2.0) + _feeder("36_30_0003", 5.0),
    PLANNED: _DER_HEAD + _der("900001", 500, "36_30_0001"),
}
#: after: 0001 falls to 1.5 MW and a 2,000 kW DER joins its queue (headroom -1 MW); 0002 goes, 0004 comes
AFTER = {
    NETWORK: _HEAD + _feeder("36_30_0001", 1.5) + _feeder("36_30_0003", 5.0) + _feeder("36_30_0004", 4.0),
    PLANNED: _DER_HEAD + _der("900001", 500, "36_30_0001") + _der("900002", 2000, "36_30_0001"),
}


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    """A webhook receiver on 127.0.0.1: records every request; `respond(request number)` says
    what to answer: (status, seconds to wait first). `hold` blocks answers while it is clear."""

    respond: Callable[[int], tuple[int, float]] = lambda n: (200, 0.0)
    port: int = 0
    received: list[Received] = field(default_factory=list)
    hold: threading.Event = field(default_factory=threading.Event)
    server: ThreadingHTTPServer | None = None

    def __post_init__(self) -> None:
        self.hold.set()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"

    def start(self) -> Receiver:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.received.append(Received(dict(self.headers), body))
                status, delay = receiver.respond(len(receiver.received))
                receiver.hold.wait(60)
                time.sleep(delay)
                try:
                    self.send_response(status)
                    self.end_headers()
                    self.wfile.write(b"answer " * 100)
                except OSError:
                    pass  # the sender gave up (its timeout, or it was killed)

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.hold.set()
            self.server.shutdown()
            self.server.server_close()
            self.server = None


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    found = Receiver().start()
    yield found
    found.stop()


def verify(secret: str, headers: dict[str, str], body: bytes, tolerance_s: float = 300) -> bool:
    """What a receiver does (the README's example): recompute the signature over timestamp and
    body, compare in constant time, refuse an old timestamp."""
    timestamp = headers["X-Hostcap-Timestamp"]
    expected = "sha256=" + hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, headers["X-Hostcap-Signature"]) and abs(time.time() - int(timestamp)) < tolerance_s


def fast(**overrides) -> AlertSettings:
    """Delivery settings for tests: 127.0.0.1 allowed, short backoff."""
    values = {
        "webhook_allow_private": True,
        "webhook_backoff_s": 0.05,
        "webhook_backoff_max_s": 0.2,
        "webhook_retry_for_s": 30,
        "webhook_timeout_s": 5,
        **overrides,
    }
    return AlertSettings(**values)


@dataclass
class Lakes:
    """A lake published once from BEFORE; `publish()` publishes AFTER."""

    hostcap: Hostcap
    source: Path

    def publish(self) -> str:
        write_files(self.source, AFTER)
        report = self.hostcap.refresh()
        assert report.published, report.error
        return report.snapshot

    def subscribe(self, url: str | None, secret: str = "secret-0123456789abcdef", **spec) -> str:
        given = SubscriptionIn.model_validate({"url": url, "secret": secret if url else None, **spec})
        return self.hostcap.notifier.subscriptions.add(given).id


@pytest.fixture
def lakes(tmp_path: Path) -> Callable[..., Lakes]:
    """`lakes(**alert settings)`: a lake published once (no subscriptions yet)."""

    def make(**alerts) -> Lakes:
        source = tmp_path / "src"
        base = make_hostcap(tmp_path, source, write_files(source, BEFORE))
        hostcap = Hostcap(base.settings, alerts=fast(**alerts))
        assert hostcap.refresh().published
        return Lakes(hostcap, source)

    return make

"""Publish-to-delivery latency: 1,000 webhook subscriptions over the statewide (scale 1) sample.

A lake is published once from the scale-1 sample; 1,000 subscriptions are made, every one of
which the next publish concerns (DER leaving the NYSEG/RG&E queue, with filters and thresholds
varying between them), all pointing at a receiver on 127.0.0.1; then one source changes (a month's
queue update: a slice of the planned DER file is gone) and a refresh publishes it. The figure is
from the moment the pointer was replaced (CURRENT.json's time) to the moment the receiver got the
last of the 1,000 signed deliveries (evaluation, outbox write, signing, sending, logging); bar ≤ 5 s.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
from pathlib import Path

from bench import machine, refresh
from hostcap.alerts import AlertSettings, SubscriptionIn
from hostcap.config import Settings
from hostcap.core import Hostcap

SUBSCRIPTIONS = 1000
BAR_S = 5.0
REPO = Path(__file__).resolve().parents[1]


#: the receiver, run as its own process (not competing with hostcap for this one's interpreter):
#: prints its port, then, once it has `expected` deliveries, their count and when the last arrived
RECEIVER = """
import sys, threading, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
expected, count, last, lock = int(sys.argv[1]), 0, 0.0, threading.Lock()
class Handler(BaseHTTPRequestHandler):
    def do_POST(self):
        global count, last
        self.rfile.read(int(self.headers["Content-Length"]))
        self.send_response(204)
        self.end_headers()
        with lock:
            count += 1
            last = time.time()
            if count == expected:
                print(count, last, flush=True)
    def log_message(self, *args):
        pass
ThreadingHTTPServer.request_queue_size = 256
server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
server.daemon_threads = True
print(server.server_address[1], flush=True)
server.serve_forever()
"""


def _subscription(i: int, url: str) -> SubscriptionIn:
    utilities = [["nyseg_rge"], ["NYSEG_RGE"], ["nyseg_rge", "coned"]][i % 3]
    triggers = {"der_min_kw": 0, **([{}, {"headroom_below_mw": 1 + i % 7}, {"max_hc_change_pct": 5 + i % 20}][i % 3])}
    return SubscriptionIn(
        url=url,
        secret=f"bench-secret-{i:06d}-abcdef",
        description=f"bench {i}",
        filter={"utilities": utilities},
        triggers=triggers,
    )


def one_run(work: Path) -> dict:
    shutil.rmtree(work, ignore_errors=True)
    source = work / "src"
    shutil.copytree(refresh.ensure_sample(1.0), source)
    settings = Settings(source_dir=str(source), lake_dir=str(work / "lake"), config_dir=REPO / "sources", settle_s=0)
    hostcap = Hostcap(settings, alerts=AlertSettings(webhook_allow_private=True))
    assert hostcap.refresh().published
    receiver = subprocess.Popen([sys.executable, "-c", RECEIVER, str(SUBSCRIPTIONS)], stdout=subprocess.PIPE, text=True)
    url = f"http://127.0.0.1:{receiver.stdout.readline().strip()}/hook"
    for i in range(SUBSCRIPTIONS):
        hostcap.notifier.subscriptions.add(_subscription(i, url))
    planned = next((source / refresh.CHANGED_SOURCE).iterdir())
    lines = planned.read_bytes().splitlines(keepends=True)
    planned.write_bytes(b"".join(lines[: len(lines) * 19 // 20]))
    refresh.backdate(planned)
    report = hostcap.refresh()
    assert report.published, report.error
    published = os.stat(work / "lake" / "CURRENT.json").st_mtime
    assert hostcap.notifier.drain(120), "deliveries did not finish"
    count, last = receiver.stdout.readline().split()
    receiver.kill()
    receiver.wait()
    log = hostcap.notifier.outbox
    delivered = sum(log.state(s.id, report.snapshot).status == "delivered" for s in hostcap.notifier.subscriptions.all())
    assert int(count) == delivered == SUBSCRIPTIONS, (count, delivered)
    latency = float(last) - published
    print(f"  {SUBSCRIPTIONS} deliveries, last {latency:.2f} s after the publish", flush=True)
    return {"latency_s": round(latency, 3), "deliveries": delivered}


def figures(runs: int) -> dict:
    work = refresh.SCRATCH / "notify"
    measured = [one_run(work) for _ in range(runs)]
    shutil.rmtree(work, ignore_errors=True)
    median = statistics.median(run["latency_s"] for run in measured)
    return {
        "machine": machine.facts(),
        "subscriptions": SUBSCRIPTIONS,
        "scale": 1.0,
        "bar_s": BAR_S,
        "latency_s": median,
        "runs": measured,
        "invocation": f"python -m bench notify --runs {runs}",
    }

"""Load benchmark of the API: req/s and p50/p99 latency of the hot calls, each against its ceiling.

Starts `hostcap serve` on 127.0.0.1 over a lake you built (statewide scale: see README.md here),
drives it with wrk (Debian package `wrk`) at a fixed concurrency, and writes the figures, the
exact wrk commands and the machine's state to a JSON file. Beside it, in the same run, it drives
the ceiling (ceiling.py: a bare ASGI app under the same uvicorn options answering, per call, a
pre-encoded body of the size and content type of that call's typical answer), each call's run
followed by its ceiling's, so hostcap's req/s is also a share of what the server and machine allow
at that moment.

    python bench/api/run.py --lake <lake dir> [--duration 15] [--runs 3] [--out bench/results/api.json]

`python -m bench api` runs it over the scale-1 benchmark lake (see bench/__main__.py).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

import numpy as np

from hostcap.config import Settings
from hostcap.core import Hostcap

HERE = Path(__file__).resolve().parent
SCRIPT = HERE / "wrk.lua"
CEILING = HERE / "ceiling.py"


@dataclass(frozen=True)
class Endpoint:
    """A measured call: `path`'s `{id}` is replaced per request by the next line of the file of
    `rotates` ("feeders": every feeder's native ID; "places": `lat=..&lon=..` on the lake's lines)."""

    name: str
    path: str
    bars: dict
    rotates: str | None = None


#: the calls, with their bars from the issues (`/v1/locate` only over a lake with segment lines)
ENDPOINTS = [
    Endpoint("getDERsForFeeder", "/getDERsForFeeder?feederID={id}", {"min_rps": 2000, "max_p99_ms": 20}, "feeders"),
    Endpoint("getFeeders", "/getFeeders?maxHostingCapacity=5", {}),
    Endpoint("v1_feeders_limit_100", "/v1/feeders?limit=100", {"min_rps": 1000}),
    Endpoint("locate", "/v1/locate?{id}&tolerance_km=0.1", {}, "places"),
]
MAX_RSS_MIB = 500
#: hostcap's req/s ÷ its ceiling's has no numeric bar: it is recorded, beside the figure the issue
#: gave before this measurement existed
CEILING_BAR = "record"
CEILING_REFERENCE = {"endpoint": "getDERsForFeeder", "ratio": 0.29, "requests_per_s": 9410, "ceiling_requests_per_s": 32500}
#: how many answers are fetched to size a rotating call's ceiling body (evenly spaced over its IDs)
SIZE_SAMPLE = 200
#: query places for `/v1/locate`
PLACES = 5_000


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def get_json(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=10) as response:
        return json.load(response)


def wait_ready(base: str, server: subprocess.Popen, timeout_s: float = 120, path: str = "/readyz") -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"the server exited: {server.stdout.read() if server.stdout else ''}")
        try:
            get_json(base + path)
            return
        except OSError:
            time.sleep(0.25)
    sys.exit("the server did not become ready (is there a published snapshot in the lake?)")


def start(command: list[str]) -> subprocess.Popen:
    """A server process, its output captured (read when it exits early)."""
    env = {k: v for k, v in os.environ.items() if k != "HOSTCAP_API_KEY"}
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)


def stop(server: subprocess.Popen) -> None:
    server.send_signal(signal.SIGINT)
    server.communicate(timeout=30)


def url_of(base: str, endpoint: Endpoint, rotated: str = "") -> str:
    """The URL wrk asks for with `rotated` as the `{id}` (percent-encoded as a client would)."""
    return base + endpoint.path.replace("{id}", urllib.parse.quote(rotated, safe="=&,."))


def typical_answer(base: str, endpoint: Endpoint, ids: list[str]) -> tuple[str, int]:
    """The content type and mean body size of the call's answers: over an even sample of its IDs
    when it rotates through them, else its one answer."""
    step = max(len(ids) // SIZE_SAMPLE, 1)
    content_types, sizes = set(), []
    for rotated in ids[::step][:SIZE_SAMPLE] if endpoint.rotates else [""]:
        with urllib.request.urlopen(url_of(base, endpoint, rotated), timeout=10) as response:
            content_types.add(response.headers["content-type"])
            sizes.append(len(response.read()))
    if len(content_types) != 1:
        sys.exit(f"{endpoint.name} answers with several content types: {sorted(content_types)}")
    return content_types.pop(), round(statistics.mean(sizes))


def places(lake: str | Path) -> list[tuple[float, float]]:
    """Query places (lat, lon): vertices of the lake's segment lines, nudged by up to ~50 m (none
    when the lake's sources publish no lines)."""
    segments = Hostcap(Settings(lake_dir=str(lake))).lake.read_table("feeder_segments").column("geometry")
    texts = [t for t in segments.to_pylist() if t]
    if not texts:
        return []
    rng = np.random.default_rng(17)
    points = [json.loads(texts[i])["coordinates"][0] for i in rng.integers(0, len(texts), PLACES)]
    return [(lat + rng.normal(0, 0.0003), lon + rng.normal(0, 0.0003)) for lon, lat in points]


def feeder_ids(base: str) -> list[str]:
    """Every feeder's native ID, as clients of the prototype call it."""
    ids, cursor = [], None
    while True:
        body = get_json(f"{base}/v1/feeders?limit=10000" + (f"&cursor={cursor}" if cursor else ""))
        ids += [f["native_feeder_id"] for f in body["data"]]
        cursor = body["next_cursor"]
        if cursor is None:
            return ids


def cpu_seconds(pid: int) -> float:
    """User + system CPU time the process has used."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def machine_busy_seconds() -> float:
    """CPU seconds all processes have used (every core), from /proc/stat."""
    user, nice, system, _idle, _iowait, irq, softirq, steal = map(int, Path("/proc/stat").read_text().split()[1:9])
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def run_wrk(command: list[str], pid: int) -> tuple[dict, float, float, float]:
    """Run wrk; return its JSON summary line, the server's peak RSS meanwhile, the CPU seconds
    the server used (which other load on the machine does not inflate), and the CPU seconds the
    machine's other processes used meanwhile (neither the server nor wrk)."""
    peak = rss_mib(pid)
    cpu_before = cpu_seconds(pid)
    busy_before = machine_busy_seconds()
    wrk_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.wait(0.2):
            peak = max(peak, rss_mib(pid))

    sampler = threading.Thread(target=sample)
    sampler.start()
    try:
        output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    finally:
        done.set()
        sampler.join()
    server = cpu_seconds(pid) - cpu_before
    wrk_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    wrk = wrk_after.ru_utime + wrk_after.ru_stime - wrk_before.ru_utime - wrk_before.ru_stime
    others = machine_busy_seconds() - busy_before - server - wrk
    return json.loads(output.strip().splitlines()[-1]), peak, server, max(others, 0.0)


def measure_endpoint(base: str, pid: int, path: str, ids_file: str, duration: int, connections: int, threads: int) -> dict:
    """One measured wrk run (after a 3 s warm-up) of one endpoint."""
    extra = ["--", ids_file] if "{id}" in path else []
    wrk = ["wrk", f"-t{threads}", f"-c{connections}", "--latency", "-s", str(SCRIPT)]
    subprocess.run([*wrk, "-d3s", base + path, *extra], check=True, capture_output=True)  # warm-up
    command = [*wrk, f"-d{duration}s", base + path, *extra]
    load_before = os.getloadavg()[0]
    summary, peak_rss, cpu, others = run_wrk(command, pid)
    seconds = summary["duration_us"] / 1e6
    return {
        "command": " ".join(command)
        .replace(base, "http://127.0.0.1:PORT")
        .replace(str(SCRIPT), "bench/api/wrk.lua")
        .replace(ids_file, "IDS"),
        "requests": summary["requests"],
        "errors": sum(summary["errors"].values()),
        "errors_by_kind": {kind: n for kind, n in summary["errors"].items() if n},
        "requests_per_s": round(summary["requests"] / seconds, 1),
        "mb_per_s": round(summary["bytes"] / seconds / 1e6, 1),
        "latency_ms": {k: round(v / 1000, 2) for k, v in summary["latency_us"].items()},
        "server_cpu_ms_per_request": round(cpu * 1000 / max(summary["requests"], 1), 3),
        "server_rss_peak_mib": round(peak_rss, 1),
        "load_average_1m_before": round(load_before, 2),
        "other_processes_cpu_cores": round(others / seconds, 2),
    }


def median_of(runs: list[dict], name: str, bars: dict) -> dict:
    """The endpoint's median figures over its runs, judged against its bars."""
    rps = statistics.median(r["requests_per_s"] for r in runs)
    p50 = statistics.median(r["latency_ms"]["p50"] for r in runs)
    p99 = statistics.median(r["latency_ms"]["p99"] for r in runs)
    errors = sum(r["errors"] for r in runs)
    return {
        "endpoint": name,
        "requests_per_s": rps,
        "latency_ms": {"p50": p50, "p99": p99},
        "server_cpu_ms_per_request": statistics.median(r["server_cpu_ms_per_request"] for r in runs),
        "server_rss_peak_mib": max(r["server_rss_peak_mib"] for r in runs),
        "errors": errors,
        "bars": bars,
        "meets_bars": errors == 0 and rps >= bars.get("min_rps", 0) and p99 <= bars.get("max_p99_ms", float("inf")),
    }


def ceiling_of(runs: list[dict], hostcap_runs: list[dict], answer: tuple[str, int]) -> dict:
    """A call's ceiling: its median figures, and the call's req/s as a share of it, of the medians
    and round by round (a round's two runs, one after the other, met the same load); and the
    same share of server CPU per request (the ceiling's over the call's), which other load on the
    machine hardly moves."""
    rps = statistics.median(r["requests_per_s"] for r in runs)
    hostcap_rps = statistics.median(r["requests_per_s"] for r in hostcap_runs)
    cpu = statistics.median(r["server_cpu_ms_per_request"] for r in runs)
    hostcap_cpu = statistics.median(r["server_cpu_ms_per_request"] for r in hostcap_runs)
    return {
        "content_type": answer[0],
        "body_bytes": answer[1],
        "requests_per_s": rps,
        "latency_ms": {k: statistics.median(r["latency_ms"][k] for r in runs) for k in ("p50", "p99")},
        "server_cpu_ms_per_request": cpu,
        "errors": sum(r["errors"] for r in runs),
        "ratio": round(hostcap_rps / rps, 3),
        "cpu_ratio": round(cpu / hostcap_cpu, 3),
        "round_ratios": [round(h["requests_per_s"] / c["requests_per_s"], 3) for h, c in zip(hostcap_runs, runs)],
        "bar": CEILING_BAR,
        "command": runs[0]["command"],
        "runs": runs,
    }


def _rotated(endpoint: Endpoint, lake: str, base: str) -> list[str]:
    """The `{id}` values a rotating call goes through; none for a fixed URL."""
    if endpoint.rotates == "feeders":
        return feeder_ids(base)
    if endpoint.rotates == "places":
        return [f"lat={lat:.6f}&lon={lon:.6f}" for lat, lon in places(lake)]
    return []


def measure_api(lake: str, duration: int = 20, runs: int = 3, connections: int = 32, threads: int = 2) -> dict:
    """Serve `lake` on 127.0.0.1 and its ceiling beside it, and load-test each call and then its
    ceiling with the same wrk command, `runs` rounds of every call, so load that comes and goes meets
    both alike; the medians, each call's share of its ceiling, and every run."""
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed: apt-get install -y wrk")
    port, ceiling_port = free_port(), free_port()
    base, ceiling_base = f"http://127.0.0.1:{port}", f"http://127.0.0.1:{ceiling_port}"
    server = start([sys.executable, "-c", "from hostcap.cli import app; app()", "serve", "--lake", lake, "--port", str(port)])
    ceiling, files = None, {}
    try:
        wait_ready(base, server)
        snapshot = get_json(f"{base}/readyz")["snapshot"]
        rotated = {e.name: _rotated(e, lake, base) for e in ENDPOINTS}
        endpoints = [e for e in ENDPOINTS if rotated[e.name] or not e.rotates]  # locate: only over lines
        rss_loaded = rss_mib(server.pid)
        answers = {e.name: typical_answer(base, e, rotated[e.name]) for e in endpoints}
        routes = {urllib.parse.urlsplit(e.path).path: answers[e.name] for e in endpoints}
        ceiling = start([sys.executable, str(CEILING), "--port", str(ceiling_port), "--answers", json.dumps(routes)])
        wait_ready(ceiling_base, ceiling, path=next(iter(routes)))
        for e in endpoints:
            with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as out:
                out.write("\n".join(rotated[e.name]))
                files[e.name] = out.name
        measured: dict[str, list[dict]] = {e.name: [] for e in endpoints}
        ceilings: dict[str, list[dict]] = {e.name: [] for e in endpoints}
        for _ in range(runs):
            for e in endpoints:
                for target, pid, into in ((base, server.pid, measured), (ceiling_base, ceiling.pid, ceilings)):
                    into[e.name].append(measure_endpoint(target, pid, e.path, files[e.name], duration, connections, threads))
    finally:
        for name in files.values():
            os.unlink(name)
        stop(server)
        if ceiling is not None:
            stop(ceiling)
    results = []
    for e in endpoints:
        result = {
            **median_of(measured[e.name], e.name, e.bars),
            "url_path": e.path,
            "command": measured[e.name][0]["command"],
            "runs": measured[e.name],
            "ceiling": ceiling_of(ceilings[e.name], measured[e.name], answers[e.name]),
        }
        results.append(result)
        print(line_of(result), flush=True)
    reference = CEILING_REFERENCE
    print(
        f"÷ ceiling: bar {CEILING_BAR} (no numeric bar); before: {reference['endpoint']} {reference['ratio']:.0%} "
        f"({reference['requests_per_s']:,} against {reference['ceiling_requests_per_s']:,} req/s)",
        flush=True,
    )
    peak = max(r["server_rss_peak_mib"] for r in results)
    return {
        "recorded_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "snapshot": snapshot,
        "feeder_ids_rotated": len(rotated["getDERsForFeeder"]),
        "connections": connections,
        "wrk_threads": threads,
        "duration_s": duration,
        "runs_per_figure": runs,
        "packages": {package: version(package) for package in ("fastapi", "uvicorn", "httptools", "orjson")},
        "server_rss_after_load_mib": round(rss_loaded, 1),
        "server_rss_peak_mib": peak,
        "rss_bar_mib": MAX_RSS_MIB,
        "meets_rss_bar": peak <= MAX_RSS_MIB,
        "ceiling_bar": CEILING_BAR,
        "ceiling_reference": CEILING_REFERENCE,
        "results": results,
    }


def line_of(result: dict) -> str:
    """One call's figures and its share of its ceiling, as printed."""
    ceiling = result["ceiling"]
    return (
        f"{result['endpoint']:22} {result['requests_per_s']:8.0f} req/s  p50 {result['latency_ms']['p50']:6.2f} ms  "
        f"p99 {result['latency_ms']['p99']:6.2f} ms  cpu {result['server_cpu_ms_per_request']:.3f} ms/req  "
        f"errors {result['errors']}  rss {result['server_rss_peak_mib']:.0f} MiB  "
        + ("ok" if result["meets_bars"] else "BELOW BAR")
        + f"  | ceiling {ceiling['requests_per_s']:8.0f} req/s ({ceiling['body_bytes']:,} bytes {ceiling['content_type']}): "
        f"÷ ceiling {ceiling['ratio']:.0%} (rounds {', '.join(f'{r:.0%}' for r in ceiling['round_ratios'])}; bar: {CEILING_BAR}), "
        f"of CPU per request {ceiling['cpu_ratio']:.0%}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lake", required=True, help="Lake with a published snapshot (statewide: scale 1).")
    parser.add_argument("--duration", type=int, default=15, help="Seconds per measured run (after a 3 s warm-up).")
    parser.add_argument("--runs", type=int, default=3, help="Measured runs per endpoint; the median is reported.")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--threads", type=int, default=2, help="wrk threads.")
    parser.add_argument("--out", type=Path, default=HERE.parent / "results" / "api.json")
    args = parser.parse_args()
    report = measure_api(args.lake, args.duration, args.runs, args.connections, args.threads)
    args.out.write_text(json.dumps(report, indent=2) + "\n")
    print(
        f"server RSS: {report['server_rss_after_load_mib']:.0f} MiB loaded, {report['server_rss_peak_mib']:.0f} MiB peak; wrote {args.out}"
    )


if __name__ == "__main__":
    main()

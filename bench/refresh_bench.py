"""Refresh benchmark at statewide sample scale: full, no-change and one-source-changed refreshes.

Run with `make bench-refresh` (or `python bench/refresh_bench.py --scale 1 --runs 3`). Each
figure is the median of several runs, timed in-process around `Hostcap.refresh()` (the work a
refresh does, without interpreter start-up), with the process's peak RSS. Results are written
to bench/results/refresh.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import statistics
import time
from pathlib import Path

from hostcap.config import Settings
from hostcap.core import Hostcap
from hostcap.sample import generate_sample

HERE = Path(__file__).resolve().parent
CHANGED_SOURCE = "nyseg_rge/planned_der"


def timed(hostcap: Hostcap) -> tuple[float, str]:
    started = time.perf_counter()
    report = hostcap.refresh()
    return time.perf_counter() - started, report.status


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--work", type=Path, default=HERE / "scratch")
    parser.add_argument("--out", type=Path, default=HERE / "results" / "refresh.json")
    args = parser.parse_args()

    source = args.work / f"sample-{args.scale}"
    if not source.exists():
        generate_sample(source, scale=args.scale, seed=42)
    full, no_change, one_source = [], [], []
    for run in range(args.runs):
        lake = args.work / f"lake-{args.scale}"
        shutil.rmtree(lake, ignore_errors=True)
        hostcap = Hostcap(Settings(source_dir=str(source), lake_dir=str(lake), config_dir=Path("sources")))
        seconds, status = timed(hostcap)
        assert status == "succeeded", status
        full.append(seconds)
        seconds, status = timed(hostcap)
        assert status == "unchanged", status
        no_change.append(seconds)
        (changed,) = (source / CHANGED_SOURCE).iterdir()
        changed.write_bytes(changed.read_bytes() + "\r\n".encode() * (run + 1))
        seconds, status = timed(hostcap)
        assert status == "succeeded", status
        one_source.append(seconds)
    result = {
        "scale": args.scale,
        "runs": args.runs,
        "machine": {"cores": os.cpu_count(), "python": platform.python_version(), "system": platform.system()},
        "command": f"python bench/refresh_bench.py --scale {args.scale} --runs {args.runs}",
        "full_refresh_s": {"median": statistics.median(full), "all": full},
        "no_change_refresh_s": {"median": statistics.median(no_change), "all": no_change},
        "one_source_changed_s": {"median": statistics.median(one_source), "all": one_source, "source": CHANGED_SOURCE},
        "one_source_over_full": statistics.median(one_source) / statistics.median(full),
        "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()

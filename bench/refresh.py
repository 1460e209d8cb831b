"""Refresh figures: full refreshes at several scales, no-change and one-source-changed refreshes
at statewide scale (DuckDB), and a full refresh on Spark.

Every figure times the command a user runs (`hostcap refresh ...`, interpreter start included) as
a separate process, several times; the median is reported with each run, and the refresh's own
duration from its run report beside it.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import sys
import time
from pathlib import Path

from bench import machine, measure

HERE = Path(__file__).resolve().parent
SCRATCH = HERE / "scratch"
RESULTS = HERE / "results"
HOSTCAP = str(Path(sys.executable).with_name("hostcap"))
#: the source changed for the one-source figure: a small DER file, as a monthly queue update is
CHANGED_SOURCE = "nyseg_rge/planned_der"

#: the bars: a full refresh at scale 1, scale 4 against scale 1, a refresh with nothing to do and
#: one with one source changed (a share of the full refresh measured in the same run), Spark local
BARS = {
    "full_scale_1_max_s": 15.0,
    "full_scale_1_max_rss_mib": 3 * 1024,
    "scale_4_over_1_max": 4.0,
    "no_change_max_s": 0.5,
    "one_source_max_share": 0.25,
    "spark_scale_1_max_s": 120.0,
}


def sample_dir(scale: float) -> Path:
    return SCRATCH / f"sample-{scale:g}"


def lake_dir(scale: float, engine: str = "duckdb") -> Path:
    return SCRATCH / f"lake-{engine}-{scale:g}"


def ensure_sample(scale: float) -> Path:
    """Source files at `scale` (generated once: the generator is deterministic)."""
    target = sample_dir(scale)
    if not (target / ".complete").exists():
        shutil.rmtree(target, ignore_errors=True)
        print(f"generating scale {scale:g} sample data", flush=True)
        measure.run([HOSTCAP, "sample", "--out", str(target), "--scale", f"{scale:g}"])
        (target / ".complete").touch()
    return target


def backdate(path: Path) -> None:
    """Make a just-written file look delivered a while ago, so the refresh does not wait for it to
    settle (`settle_s`: a delivery safeguard, not refresh work, and no part of what is measured)."""
    then = time.time() - 3600
    os.utime(path, (then, then))


def refresh_command(scale: float, engine: str = "duckdb") -> list[str]:
    return [HOSTCAP, "refresh", "--source", str(sample_dir(scale)), "--lake", str(lake_dir(scale, engine)), "--engine", engine]


def shown(command: list[str]) -> str:
    """The command as a reader would type it from the repository root."""
    root = str(HERE.parent) + "/"
    return " ".join(part.replace(root, "") for part in ["hostcap", *command[1:]])


def _last_report_s(lake: Path) -> float:
    newest = max((lake / "runs").glob("*.json"), key=lambda p: p.name)
    return json.loads(newest.read_text())["duration_s"]


def timed(command: list[str], lake: Path, label: str) -> dict:
    measured = measure.run(command)
    run = {"seconds": measured.seconds, "peak_rss_mib": measured.peak_rss_mib, "refresh_s": _last_report_s(lake)}
    print(
        f"  {label}: {measured.seconds:.2f} s (refresh {run['refresh_s']:.2f} s), peak RSS {measured.peak_rss_mib:.0f} MiB",
        flush=True,
    )
    return run


def figure(runs: list[dict], command: str) -> dict:
    """The command (as shown), the median of each figure over its runs, and every run as measured."""
    return {
        "command": command,
        "median_s": round(statistics.median(r["seconds"] for r in runs), 3),
        "median_peak_rss_mib": round(statistics.median(r["peak_rss_mib"] for r in runs), 1),
        "runs": runs,
    }


def warm_plans(command: list[str], lake: Path) -> None:
    """One refresh, not timed, into a lake then removed: it fills the plan cache
    (hostcap.plan_cache) as any earlier refresh under this code and these headers would have, so
    the figures are of the steady state. The first refresh after an upgrade compiles its plans
    again, once; it is not what a scheduled refresh costs."""
    shutil.rmtree(lake, ignore_errors=True)
    measure.run(command)
    shutil.rmtree(lake, ignore_errors=True)


def full_refreshes(scale: float, runs: int, engine: str = "duckdb") -> dict:
    """A full refresh into an empty lake, `runs` times, with the plans compiled (DuckDB) before."""
    ensure_sample(scale)
    command = refresh_command(scale, engine)
    if engine == "duckdb":
        warm_plans(command, lake_dir(scale, engine))
    measured = []
    for run in range(runs):
        shutil.rmtree(lake_dir(scale, engine), ignore_errors=True)
        measured.append(timed(command, lake_dir(scale, engine), f"full refresh, {engine}, scale {scale:g}, run {run + 1}"))
    return figure(measured, shown(command))


def incremental_refreshes(scale: float, runs: int) -> dict:
    """With the lake current: refreshes with no change, then with one source's file changed."""
    command = refresh_command(scale)
    lake = lake_dir(scale)
    if not (lake / "CURRENT.json").exists():
        measure.run(command)
    no_change = [timed(command, lake, f"no-change refresh, run {run + 1}") for run in range(runs)]
    (changed,) = (p for p in (sample_dir(scale) / CHANGED_SOURCE).iterdir() if p.is_file())
    original = changed.read_bytes()
    one_source = []
    try:
        # run 0 is not timed: it compiles the plans of a refresh that keeps the other utilities'
        # gold (hostcap.plan_cache), as the first such refresh under this code does once
        for run in range(runs + 1):
            changed.write_bytes(original + b"\r\n" * (run + 1))  # new content, the same rows
            backdate(changed)
            if run == 0:
                measure.run(command)
                continue
            one_source.append(timed(command, lake, f"one-source-changed refresh, run {run}"))
    finally:
        changed.write_bytes(original)
    return {
        "no_change": figure(no_change, shown(command)),
        "one_source_changed": {**figure(one_source, shown(command)), "changed_source": CHANGED_SOURCE},
    }


def duckdb_figures(scales: list[float], runs: int) -> dict:
    result = {"machine": machine.facts(), "runs_per_figure": runs, "bars": BARS, "full": {}}
    for scale in scales:
        result["full"][f"{scale:g}"] = full_refreshes(scale, runs)
    if 1.0 in scales:
        result.update(incremental_refreshes(1.0, runs))
    return result


def spark_figures(runs: int) -> dict:
    return {"machine": machine.facts(), "runs_per_figure": runs, "full": {"1": full_refreshes(1.0, runs, engine="spark")}}


def write(name: str, result: dict) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps(result, indent=2) + "\n")
    print(f"wrote {path.relative_to(HERE.parent)}", flush=True)
    return path

"""hostcap against the floor: its whole-command refresh beside DuckDB merely reading the same CSV
files and writing them to Parquet (bench/rawcopy.py), as a ratio measured in the same run.

Seconds depend on the machine and on what else it is doing; the ratio to a floor measured beside
them depends much less, so the bars are ratios. To keep the two sides under the same conditions the
runs alternate: each round runs, per case, the floor, the layered floor, a full refresh into an
empty lake and a no-change refresh of that lake, so a machine that gets busier or quieter meanwhile
moves them all. Every run is kept; medians are reported.

The layered floor (bench/layered.py) is no bar: DuckDB alone writing the least a bronze, silver
and gold of the same files must write, files side by side. hostcap's ratio to it is the cost of
everything a refresh does beyond touching each layer once (typing, validation, the feeder and DER
tables, workbooks, history, starting the application).
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from bench import cases, machine, measure, refresh
from bench.cases import Case
from bench.rawcopy import COPY

#: each floor's script, by name: the raw floor and the layered one
FLOORS = {"floor": refresh.HERE / "rawcopy.py", "layered": refresh.HERE / "layered.py"}
#: the issue's bars: hostcap ÷ floor for a full refresh, peak memory at statewide scale, and the
#: whole command of a refresh with nothing to do
BARS = {
    "two_utility_max_ratio": 2.5,
    "two_utility_aim_ratio": 2.0,
    "scale_1_max_ratio": 3.0,
    "scale_1_max_rss_mib": 1536,
    "no_change_max_s": 0.5,
}


def lake_dir(case: Case) -> Path:
    """The case's own lake (not the `refresh` part's, which the API benchmark serves from)."""
    return refresh.SCRATCH / f"floor-lake-{case.name}"


def out_dir(case: Case, floor: str = "floor") -> Path:
    """Where a floor of the case (`floor` or `layered`) writes its files."""
    return refresh.SCRATCH / f"{floor}-out-{case.name}"


def refresh_command(case: Case) -> list[str]:
    return [
        refresh.HOSTCAP, "refresh", "--source", str(case.source_dir), "--lake", str(lake_dir(case)),
        "--config", str(case.config_dir), "--engine", "duckdb",
    ]  # fmt: skip


def floor_command(case: Case, floor: str = "floor") -> list[str]:
    """The raw floor (`floor`) or the layered floor (`layered`) of the case's CSV files."""
    return [sys.executable, str(FLOORS[floor]), "--out", str(out_dir(case, floor)), *map(str, case.files())]


def _floor_shown(case: Case, floor: str = "floor") -> str:
    root = str(refresh.HERE.parent) + "/"
    return f"python bench/{FLOORS[floor].name} --out {str(out_dir(case, floor)).replace(root, '')} <the {len(case.files())} CSV files>"


def _floor_run(case: Case, label: str, floor: str = "floor") -> dict:
    shutil.rmtree(out_dir(case, floor), ignore_errors=True)
    measured = measure.run(floor_command(case, floor))
    print(f"  {label}: {measured.seconds:.2f} s, peak RSS {measured.peak_rss_mib:.0f} MiB", flush=True)
    return {"seconds": measured.seconds, "peak_rss_mib": measured.peak_rss_mib}


def _round(case: Case, number: int) -> dict[str, dict]:
    """One run of each figure of the case: floor, layered floor, full refresh into an empty lake,
    no-change refresh."""
    command = refresh_command(case)
    floor = _floor_run(case, f"floor, {case.name}, run {number}")
    layered = _floor_run(case, f"layered floor, {case.name}, run {number}", "layered")
    shutil.rmtree(lake_dir(case), ignore_errors=True)
    full = refresh.timed(command, lake_dir(case), f"full refresh, {case.name}, run {number}")
    no_change = refresh.timed(command, lake_dir(case), f"no-change refresh, {case.name}, run {number}")
    return {"floor": floor, "layered": layered, "full": full, "no_change": no_change}


def _case_figures(case: Case, rounds: list[dict[str, dict]]) -> dict:
    shown = refresh.shown(refresh_command(case))
    floor = refresh.figure([r["floor"] for r in rounds], _floor_shown(case))
    layered = refresh.figure([r["layered"] for r in rounds], _floor_shown(case, "layered"))
    full = refresh.figure([r["full"] for r in rounds], shown)
    return {
        **case.describe(),
        "floor": floor,
        "layered": layered,
        "full": full,
        "no_change": refresh.figure([r["no_change"] for r in rounds], shown),
        "ratio": round(full["median_s"] / floor["median_s"], 2),
        "run_ratios": [round(r["full"]["seconds"] / r["floor"]["seconds"], 2) for r in rounds],
        "layered_ratio": round(layered["median_s"] / floor["median_s"], 2),
        "ratio_to_layered": round(full["median_s"] / layered["median_s"], 2),
    }


def _verdicts(two: dict, one: dict) -> dict[str, bool]:
    """Each bar of the issue: met or not."""
    return {
        "two_utility_ratio": two["ratio"] <= BARS["two_utility_max_ratio"],
        "two_utility_aim": two["ratio"] <= BARS["two_utility_aim_ratio"],
        "scale_1_ratio": one["ratio"] <= BARS["scale_1_max_ratio"],
        "scale_1_rss": one["full"]["median_peak_rss_mib"] <= BARS["scale_1_max_rss_mib"],
        "two_utility_no_change": two["no_change"]["median_s"] <= BARS["no_change_max_s"],
        "scale_1_no_change": one["no_change"]["median_s"] <= BARS["no_change_max_s"],
    }


def figures(runs: int) -> dict:
    """The two-utility real-file case and statewide scale 1, `runs` alternating rounds of each."""
    result = {"machine": machine.facts(), "runs_per_figure": runs, "bars": BARS, "floor_sql": COPY}
    measured = [cases.two_utility(), cases.statewide(1.0)]
    rounds: dict[str, list[dict]] = {case.name: [] for case in measured}
    for case in measured:
        refresh.warm_plans(refresh_command(case), lake_dir(case))
    for number in range(1, runs + 1):
        for case in measured:
            rounds[case.name].append(_round(case, number))
    result["cases"] = {case.name: _case_figures(case, rounds[case.name]) for case in measured}
    result["verdicts"] = _verdicts(result["cases"]["two_utility"], result["cases"]["scale_1"])
    print("hostcap ÷ floor: " + ", ".join(f"{name} {c['ratio']:.2f}×" for name, c in result["cases"].items()), flush=True)
    return result

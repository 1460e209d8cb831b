"""`python -m bench <part>`: run one part of the benchmarks, or all of them, and write the results.

python -m bench all        # data, refresh, floor, spark, api, then BENCHMARKS.md
python -m bench data       # generate the sample data at every scale (once)
python -m bench refresh    # DuckDB: full refresh at each scale, no-change and one-source at scale 1
python -m bench floor      # hostcap ÷ the raw DuckDB read-and-write of the same files (and beside a layered floor): two-utility real files, scale 1
python -m bench spark      # Spark (local): full refresh at scale 1 (needs the spark extra and Java)
python -m bench api        # load test of the API over the scale-1 lake, each call against its bare-ASGI ceiling (needs wrk)
python -m bench notify     # publish-to-delivery latency of 1,000 webhook subscriptions at scale 1
python -m bench spatial    # the spatial index over a million synthetic segments, and locate/near over HTTP at scale 1 (needs wrk)
python -m bench report     # BENCHMARKS.md from bench/results/*.json
"""

from __future__ import annotations

import argparse

from bench import floor, machine, measure, notify, refresh, report, spatial
from bench.api.run import measure_api

SCALES = [0.25, 1.0, 4.0]


def run_data(args: argparse.Namespace) -> None:
    for scale in args.scales:
        refresh.ensure_sample(scale)


def run_refresh(args: argparse.Namespace) -> None:
    refresh.write("refresh", refresh.duckdb_figures(args.scales, args.runs))


def run_floor(args: argparse.Namespace) -> None:
    refresh.write("floor", {**floor.figures(args.runs), "invocation": f"python -m bench floor --runs {args.runs}"})


def run_spark(args: argparse.Namespace) -> None:
    refresh.write("spark", refresh.spark_figures(args.spark_runs or args.runs))


def run_api(args: argparse.Namespace) -> None:
    lake = refresh.lake_dir(1.0)
    if not (lake / "CURRENT.json").exists():
        refresh.ensure_sample(1.0)
        measure.run(refresh.refresh_command(1.0))
    result = {"machine": machine.facts(), **measure_api(str(lake), args.duration, args.runs)}
    result["invocation"] = f"python -m bench api --duration {args.duration} --runs {args.runs}"
    refresh.write("api", result)


def run_notify(args: argparse.Namespace) -> None:
    refresh.write("notify", notify.figures(args.runs))


def run_spatial(args: argparse.Namespace) -> None:
    refresh.write("spatial", {"machine": machine.facts(), **spatial.figures(), "http": spatial.http_figures(runs=args.runs)})


def run_report(args: argparse.Namespace) -> None:
    path = report.write()
    print(f"wrote {path.name}")


def run_all(args: argparse.Namespace) -> None:
    for part in (run_data, run_refresh, run_floor, run_spark, run_api, run_notify, run_spatial, run_report):
        part(args)


PARTS = {
    "all": run_all,
    "data": run_data,
    "refresh": run_refresh,
    "floor": run_floor,
    "spark": run_spark,
    "api": run_api,
    "notify": run_notify,
    "spatial": run_spatial,
    "report": run_report,
}


def main() -> None:
    parser = argparse.ArgumentParser(
        prog="python -m bench", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("part", choices=PARTS)
    parser.add_argument("--runs", type=int, default=3, help="runs per figure; the median is reported (default 3)")
    parser.add_argument("--spark-runs", type=int, default=None, help="runs of the Spark refresh (default: --runs)")
    parser.add_argument("--scales", type=float, nargs="+", default=SCALES, help="scales of the full refresh")
    parser.add_argument("--duration", type=int, default=15, help="seconds per measured API run (default 15)")
    args = parser.parse_args()
    compile_hostcap()
    PARTS[args.part](args)


def compile_hostcap() -> None:
    """Compile hostcap's modules to bytecode first, as installing a package does: an editable
    install run with PYTHONDONTWRITEBYTECODE set would otherwise compile them again at every
    start of every command measured, a cost no installed copy has."""
    import compileall
    from pathlib import Path

    import hostcap

    compileall.compile_dir(Path(hostcap.__file__).parent, quiet=1)


if __name__ == "__main__":
    main()

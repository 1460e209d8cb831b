"""Full refresh time on DuckDB and on Spark (local mode) over the same source files, side by side.

    hostcap sample --out bench/scratch/sample-1.0 --scale 1
    python bench/spark/run.py --source bench/scratch/sample-1.0 --out bench/spark/results.json

Spark's session start is timed apart from its refresh (a cluster or a long-lived service pays it
once); both refreshes run in this one process, each into its own temporary lake.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

from hostcap.config import Settings
from hostcap.core import Hostcap

REPO = Path(__file__).resolve().parents[2]


def refresh(source: str, engine: str, lake: str) -> dict:
    hostcap = Hostcap(Settings(source_dir=source, lake_dir=lake, config_dir=REPO / "sources", engine=engine))
    started = time.perf_counter()
    report = hostcap.refresh()
    seconds = time.perf_counter() - started
    if report.status != "succeeded":
        sys.exit(f"{engine}: refresh {report.status}: {report.error or [s.error for s in report.failed_sources]}")
    return {"refresh_s": round(seconds, 2), "rows_in": sum(s.rows_in for s in report.sources), "gold": report.gold}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--source", required=True, help="source root, e.g. from `hostcap sample --scale 1`")
    parser.add_argument("--out", type=Path, required=True, help="JSON file to write")
    parser.add_argument("--master", default="local[*]", help="Spark master URL")
    parser.add_argument("--command", default=" ".join(sys.argv), help="the command line to record")
    args = parser.parse_args()
    from hostcap.engine.spark import start_session

    with tempfile.TemporaryDirectory() as lakes:
        duckdb = refresh(args.source, "duckdb", os.path.join(lakes, "duckdb"))
        started = time.perf_counter()
        session = start_session(args.master)
        session_s = round(time.perf_counter() - started, 2)
        spark = {**refresh(args.source, "spark", os.path.join(lakes, "spark")), "session_start_s": session_s}
        session.stop()
    result = {
        "command": args.command,
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "system": platform.platform()},
        "spark_master": args.master,
        "duckdb": duckdb,
        "spark": spark,
        "spark_over_duckdb": round(spark["refresh_s"] / duckdb["refresh_s"], 2),
        "spark_with_startup_over_duckdb": round((spark["refresh_s"] + session_s) / duckdb["refresh_s"], 2),
    }
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()

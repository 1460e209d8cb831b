"""Spark that scales out: a refresh on a real standalone cluster (a master and two workers on
127.0.0.1, from the PySpark distribution) publishes the gold DuckDB does, with every table
written by the executors; and the driver only ever receives counts."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from hostcap.lake import Lake
from hostcap.report import RefreshReport
from tests.conftest import SAMPLE, Run, _wait_until, copy_configs, free_port, make_hostcap
from tests.test_engines import assert_same_gold

pytestmark = pytest.mark.spark

#: a DER workbook (with a quarantined row; its silver stages are the widest) and a network (with
#: excluded rows): every layer a source writes
CLUSTER_SOURCES = ["central_hudson/der", "central_hudson/network"]
#: the processes of the cluster and the driver talk over loopback only
LOOPBACK = {"SPARK_LOCAL_IP": "127.0.0.1", "SPARK_LOCAL_HOSTNAME": "127.0.0.1"}


@dataclass
class Cluster:
    master_url: str
    ui_url: str
    logs: Path

    def alive_workers(self) -> int:
        try:
            state = httpx.get(f"{self.ui_url}/json/", timeout=5).json()
        except (httpx.TransportError, ValueError):
            return 0
        return sum(worker["state"] == "ALIVE" for worker in state.get("workers", []))

    def log_text(self) -> str:
        return "\n".join(
            f"--- {path.name}\n{path.read_text(errors='replace')[-3000:]}" for path in sorted(self.logs.glob("*.log"))
        )


@pytest.fixture(scope="module")
def spark_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    """A standalone master and two one-core, 1 GiB workers, started from pyspark's `bin/spark-class`
    and stopped (SIGTERM, then SIGKILL) at the end; waits are bounded polls of the master's status."""
    pyspark = pytest.importorskip("pyspark", reason="the Spark tests need the spark extra: pip install -e '.[dev,spark]'")
    spark_home = Path(pyspark.__file__).parent
    root = tmp_path_factory.mktemp("spark-cluster")
    logs = root / "logs"
    logs.mkdir()
    env = {**os.environ, **LOOPBACK, "SPARK_HOME": str(spark_home), "SPARK_NO_DAEMONIZE": "1"}
    port, ui_port = free_port(), free_port()
    cluster = Cluster(f"spark://127.0.0.1:{port}", f"http://127.0.0.1:{ui_port}", logs)
    commands = {
        "master": [
            "org.apache.spark.deploy.master.Master",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--webui-port",
            str(ui_port),
        ],
        **{
            f"worker{i}": [
                "org.apache.spark.deploy.worker.Worker",
                cluster.master_url,
                "--host",
                "127.0.0.1",
                "--webui-port",
                str(free_port()),
                "--cores",
                "1",
                "--memory",
                "1g",
                "--work-dir",
                str(root / f"worker{i}"),
            ]
            for i in (1, 2)
        },
    }
    processes = []
    try:
        for name, args in commands.items():
            with open(logs / f"{name}.log", "wb") as log:
                processes.append(
                    subprocess.Popen(
                        [str(spark_home / "bin" / "spark-class"), *args],
                        stdout=log,
                        stderr=subprocess.STDOUT,
                        env=env,
                        start_new_session=True,
                    )
                )
        _wait_until(lambda: _running(processes, cluster) and cluster.alive_workers() == 2, "two workers to join the master", 120)
        yield cluster
    finally:
        for process in processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=30)


def _running(processes: list[subprocess.Popen], cluster: Cluster) -> bool:
    for process in processes:
        assert process.poll() is None, f"a cluster process exited ({process.returncode}):\n{cluster.log_text()}"
    return True


def _cluster_refresh(root: Path, source_dir: Path, cluster: Cluster) -> tuple[Run, str]:
    """`hostcap refresh --engine spark --spark-master <the cluster>` as a command (its own driver
    process, so no session of this test process is reused); its report and the driver's log."""
    configs = root / "configs"
    if not configs.exists():
        copy_configs(configs, CLUSTER_SOURCES)
    lake = root / "lake"
    env = {k: v for k, v in os.environ.items() if not k.startswith("HOSTCAP_")}
    env.update(LOOPBACK, HOSTCAP_SETTLE_S="0", PYSPARK_SUBMIT_ARGS="--conf spark.ui.enabled=false pyspark-shell")
    command = [
        sys.executable,
        "-c",
        "from hostcap.cli import app; app()",
        "refresh",
        "--json",
        "--source",
        str(source_dir),
        "--lake",
        str(lake),
        "--config",
        str(configs),
        "--engine",
        "spark",
        "--spark-master",
        cluster.master_url,
    ]
    done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=600)
    assert done.stdout.strip(), f"no report (exit {done.returncode}):\n{done.stderr[-5000:]}\n{cluster.log_text()}"
    report = RefreshReport.model_validate(json.loads(done.stdout))
    return Run(report, Lake(str(lake)), None), done.stderr


def test_a_refresh_on_a_standalone_cluster_publishes_the_gold_duckdb_does(tmp_path: Path, spark_cluster: Cluster):
    source_dir = tmp_path / "src"
    for source_id in CLUSTER_SOURCES:
        shutil.copytree(SAMPLE / source_id, source_dir / source_id)
    duckdb = make_hostcap(tmp_path / "duckdb", source_dir, CLUSTER_SOURCES)
    expected = Run(duckdb.refresh(), duckdb.lake, duckdb)

    spark, driver_log = _cluster_refresh(tmp_path / "spark", source_dir, spark_cluster)
    assert spark.report.status == expected.report.status == "succeeded", spark.report.error
    assert spark.report.engine == "spark"
    assert_same_gold(expected, spark)
    for layer in ("bronze", "silver", "quarantine", "excluded"):
        assert spark.lake.read_table(CLUSTER_SOURCES[0] if layer == "quarantine" else CLUSTER_SOURCES[1], layer=layer).num_rows
    # the seal covers the files the executors wrote; their staging directories are gone; and
    # every stage was compiled to Java (none over the JVM's 64 KB method limit)
    assert spark.lake.verify(spark.report.snapshot)[1] == {}
    assert not list((tmp_path / "spark" / "lake").rglob("*.staging")), "staging directories left in the lake"
    assert "CodeGenerator" not in driver_log and "Whole-stage codegen disabled" not in driver_log, driver_log[-5000:]


@pytest.mark.usefixtures("spark_session")
def test_on_spark_the_driver_receives_counts_never_tables(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Every row Spark hands to or takes from the driver is counted: none of the data's own."""
    from hostcap.engine.spark import SparkEngine

    received: list[int] = []
    sent: list[int] = []
    to_arrow, from_arrow = SparkEngine.to_arrow, SparkEngine.from_arrow

    def counted_to_arrow(self, expr):
        table = to_arrow(self, expr)
        received.append(table.num_rows)
        return table

    def counted_from_arrow(self, hint, table):
        sent.append(table.num_rows)
        return from_arrow(self, hint, table)

    monkeypatch.setattr(SparkEngine, "to_arrow", counted_to_arrow)
    monkeypatch.setattr(SparkEngine, "from_arrow", counted_from_arrow)
    source_dir = tmp_path / "src"
    for source_id in CLUSTER_SOURCES:
        shutil.copytree(SAMPLE / source_id, source_dir / source_id)
    hostcap = make_hostcap(tmp_path, source_dir, CLUSTER_SOURCES, "spark")
    report = hostcap.refresh()
    assert report.status == "succeeded", report.error
    assert min(report.gold["feeder_segments"], report.gold["ders"]) > 50
    # one source changes: the other's silver, from the first snapshot, is checked against its
    # seal by the driver and read from the lake by the executors
    network = next((source_dir / CLUSTER_SOURCES[1]).iterdir())
    network.write_bytes(b"".join(network.read_bytes().splitlines(keepends=True)[:-50]))
    again = hostcap.refresh()
    assert [s.status for s in again.sources] == ["skipped-unchanged", "succeeded"], again.error
    assert again.gold["ders"] == report.gold["ders"] and again.published
    assert hostcap.lake.verify(again.snapshot)[1] == {}
    # per source its outcome counts; for gold one row of facts per table and the utilities
    assert received and max(received) <= 8, received
    assert not any(sent), sent

"""DuckDB and Spark give the same gold; asking for Spark without what it needs fails clearly."""

from __future__ import annotations

import math
import os
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest
from typer.testing import CliRunner

from hostcap.cli import app
from hostcap.engine import open_engine
from hostcap.errors import ConfigError
from hostcap.lake import Lake
from tests.conftest import Run, copy_configs, write_files
from tests.test_units import ng_network

#: each gold table with its ID
GOLD_IDS = {"feeders": "feeder_id", "feeder_segments": "segment_id", "substations": "substation_id", "ders": "der_id"}


def comparable(run: Run, table: str) -> pa.Table:
    """A gold table without `run_id`, which names the refresh and so differs between any two runs."""
    data = run.gold(table)
    return data.drop_columns([name for name in data.column_names if name == "run_id"])


def assert_same_gold(duckdb: Run, spark: Run) -> None:
    """IDs, strings, dates and counts equal; floats within 1e-9 (engines sum in different orders)."""
    for table, key in GOLD_IDS.items():
        expected, actual = comparable(duckdb, table), comparable(spark, table)
        assert actual.schema == expected.schema, table
        assert actual.num_rows == expected.num_rows, table
        floats = {f.name for f in expected.schema if pa.types.is_floating(f.type)}
        by_id = {row[key]: row for row in actual.to_pylist()}
        assert len(by_id) == actual.num_rows, table
        for row in expected.to_pylist():
            other = by_id[row[key]]
            for column, value in row.items():
                if column in floats and value is not None and other[column] is not None:
                    assert math.isclose(value, other[column], rel_tol=0, abs_tol=1e-9), (table, row[key], column)
                else:
                    assert other[column] == value, (table, row[key], column)


@pytest.mark.spark
@pytest.mark.usefixtures("spark_session")
def test_sample_gold_is_identical_on_duckdb_and_spark(refreshed: Callable[[str, str], Run]):
    duckdb, spark = refreshed("sample", "duckdb"), refreshed("sample", "spark")
    assert duckdb.report.status == spark.report.status == "succeeded"
    assert_same_gold(duckdb, spark)


@pytest.mark.spark
@pytest.mark.usefixtures("spark_session", "real_dir")
def test_real_gold_is_identical_on_duckdb_and_spark(refreshed: Callable[[str, str], Run]):
    duckdb, spark = refreshed("real", "duckdb"), refreshed("real", "spark")
    assert duckdb.report.status == spark.report.status == "succeeded"
    assert_same_gold(duckdb, spark)


@pytest.mark.spark
@pytest.mark.usefixtures("spark_session")
def test_cli_refresh_on_spark(tmp_path: Path):
    source, lake = tmp_path / "src", Lake(str(tmp_path / "lake"))
    write_files(source, ng_network("36_01_00001,13.2,9,1,0,,green,1.0"))
    configs = copy_configs(tmp_path / "configs", ["national_grid/network"])
    args = [
        "refresh",
        "--source",
        str(source),
        "--lake",
        lake.root,
        "--config",
        str(configs),
        "--engine",
        "spark",
        "--spark-master",
        "local[1]",
    ]  # the test session's Spark is active, so it is reused as is
    result = CliRunner().invoke(app, args, catch_exceptions=False)
    assert result.exit_code == 0 and "published: yes" in result.output, result.output
    assert lake.read_report(lake.require_current())["engine"] == "spark"


def test_spark_without_its_extra_names_the_extra(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setitem(sys.modules, "pyspark.sql", None)  # as if pyspark were not installed
    with pytest.raises(ConfigError, match=r"pip install 'hostcap\[spark\]'"):
        open_engine("spark")


def test_duckdb_siblings_side_by_side_are_apart_and_leave_nothing_once_closed():
    """Each source of a refresh is loaded in a sibling session: a connection of the engine's
    database whose tables and views (its Parquet files registered too) are its own, so two open
    at once never see each other's, and closing one drops them. The thread cap holds for the
    database's queries until `siblings_done`, which puts back the count it had."""
    from hostcap.engine.duckdb import DuckDBEngine
    from hostcap.seal import WrittenParquet, to_parquet

    engine = DuckDBEngine(threads=2)
    threads = "SELECT current_setting('threads') AS threads"
    first, second = engine.sibling(threads=1), engine.sibling(threads=1)
    assert engine.query(threads).to_pylist() == first.query(threads).to_pylist() == [{"threads": 1}]
    rows = pa.table({"x": [1, 2]})
    for sibling, total in ((first, "3"), (second, "30")):
        sibling.register("bronze", rows)
        sibling.register("kept", WrittenParquet(to_parquet(rows), rows.schema))
        sibling.create("classified", f"SELECT {total} AS total")
        sibling.view("summed", 'SELECT sum(x) AS total FROM "bronze"')
    assert first.query("SELECT total FROM classified").to_pylist() == [{"total": 3}]
    assert second.query("SELECT total FROM classified").to_pylist() == [{"total": 30}]
    assert second.query("SELECT count(*) AS n FROM kept").to_pylist() == [{"n": 2}]
    # in memory, never checkpointed (which compresses every table): siblings as their engine
    never = "SELECT current_setting('checkpoint_threshold') AS threshold"
    assert first.query(never).to_pylist() == engine.query(never).to_pylist() == [{"threshold": "1.0 TiB"}]
    made = "SELECT (SELECT count(*) FROM duckdb_tables()) AS tables, (SELECT count(*) FROM duckdb_views() WHERE NOT internal) AS views"
    assert engine.query(made).to_pylist() == [{"tables": 0, "views": 0}]  # none of the database's
    first.close()
    with pytest.raises(duckdb.ConnectionException):
        first.db.execute("SELECT 1")
    assert second.query("SELECT total FROM summed").to_pylist() == [{"total": 3}]

    # a session that made its Ibis backend makes its tables its own too
    expressions = engine.sibling(threads=1)
    assert expressions.to_arrow(expressions.materialize("rows", expressions.from_arrow("rows", rows))).num_rows == 2
    assert engine.query(made).to_pylist() == [{"tables": 0, "views": 0}]
    expressions.close()
    second.close()

    engine.siblings_done()  # the sources are loaded: gold's queries get the threads back
    assert engine.query(threads).to_pylist() == [{"threads": 2}]
    later = engine.sibling()
    later.close()
    engine.close()


@pytest.mark.spark  # needs the spark extra, which the Spark run installs
def test_spark_without_java_says_so(monkeypatch: pytest.MonkeyPatch):
    from hostcap.engine.spark import start_session

    monkeypatch.delenv("JAVA_HOME", raising=False)
    monkeypatch.setenv("PATH", "")
    with pytest.raises(ConfigError, match="needs a Java runtime"):
        start_session()


def test_unknown_engine_is_a_config_error():
    with pytest.raises(ConfigError, match="supported: duckdb, spark"):
        open_engine("flink")


def test_a_duckdb_cursor_reads_what_its_engine_made_and_registered_beside_it():
    """Gold's tables are computed on cursors, beside the engine's own statements: a cursor sees
    the tables `create` made, Parquet and Arrow registered, and runs with the engine's settings."""
    from hostcap.engine.duckdb import DuckDBEngine
    from hostcap.seal import WrittenParquet, to_parquet

    engine = DuckDBEngine()
    rows = pa.table({"x": [1, 2, 3]})
    engine.register("arrow_rows", rows)
    engine.register("parquet_rows", WrittenParquet(to_parquet(rows), rows.schema))
    engine.create("made", 'SELECT sum(x) AS total FROM "arrow_rows"')
    cursor = engine.cursor()
    try:
        answer = cursor.query('SELECT (SELECT total FROM made) AS made, (SELECT count(*) FROM parquet_rows) AS parquet, '
                              "(SELECT max(x) FROM arrow_rows) AS arrow, current_setting('TimeZone') AS zone, "
                              "current_setting('enable_progress_bar') AS progress_bar")  # fmt: skip
        # no progress bar drawn on the terminal: a long gold stage ran on a cursor and drew one
        assert answer.to_pylist() == [{"made": 6, "parquet": 3, "arrow": 3, "zone": "UTC", "progress_bar": False}]
        streamed = engine.stream('SELECT x FROM "arrow_rows" ORDER BY x', pa.schema([("x", pa.int64())]))
        assert cursor.query("SELECT count(*) AS n FROM made").to_pylist() == [{"n": 1}]  # while the engine streams
        assert streamed.read_all().column("x").to_pylist() == [1, 2, 3]
    finally:
        cursor.close()
        engine.close()


def test_a_duckdb_cursor_interrupted_from_another_thread_stops_its_statement():
    """Gold interrupts what still runs once something failed: a statement stops at once, and
    interrupting a connection with nothing running, or closed, does nothing."""
    from hostcap.engine.duckdb import DuckDBEngine

    engine = DuckDBEngine()
    cursor = engine.cursor()
    raised: list[duckdb.Error] = []

    def endless() -> None:
        try:
            cursor.create("never", "SELECT count(*) AS n FROM range(1000000000000)")
        except duckdb.Error as exc:
            raised.append(exc)

    try:
        running = threading.Thread(target=endless)
        running.start()
        deadline = time.monotonic() + 10
        while running.is_alive() and time.monotonic() < deadline:
            cursor.interrupt()  # until the statement has started and is stopped
            running.join(0.05)
        assert not running.is_alive() and isinstance(raised[0], duckdb.InterruptException)
        assert cursor.query("SELECT 1 AS one").to_pylist() == [{"one": 1}]  # the connection still works
    finally:
        cursor.close()
        cursor.interrupt()  # closed: nothing happens
        engine.close()


@pytest.mark.spark  # needs the spark extra, which the Spark run installs
def test_a_local_session_is_sized_for_its_cores_and_a_cluster_keeps_its_settings():
    from hostcap.engine.spark import _local_conf

    assert _local_conf("local[3]")["spark.sql.shuffle.partitions"] == "3"
    assert _local_conf("local")["spark.sql.shuffle.partitions"] == "1"
    assert _local_conf("local[*]")["spark.sql.shuffle.partitions"] == str(os.cpu_count())
    assert "TieredStopAtLevel=1" in _local_conf("local[*]")["spark.driver.extraJavaOptions"]
    assert 1024 <= int(_local_conf("local[*]")["spark.driver.memory"].removesuffix("m")) <= 4096
    assert _local_conf("spark://127.0.0.1:7077") == {}


@pytest.mark.spark
def test_the_local_session_runs_with_the_local_settings(spark_session):
    """The settings reach the JVM pyspark starts (its options are fixed when it starts)."""
    jvm_args = spark_session._jvm.java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments()
    assert "-XX:TieredStopAtLevel=1" in list(jvm_args)
    assert spark_session.conf.get("spark.sql.shuffle.partitions") == str(os.cpu_count())
    heap_mib = spark_session._jvm.java.lang.Runtime.getRuntime().maxMemory() / 2**20
    assert heap_mib >= 0.9 * int(spark_session.sparkContext.getConf().get("spark.driver.memory").removesuffix("m"))


@pytest.mark.spark
def test_the_local_jvm_has_room_for_the_code_of_many_refreshes(spark_session):
    """With the quick compiler alone the JVM keeps compiled code in 48 MB, which a few refreshes
    of the sample filled: the JVM then failed (`Out of space in CodeCache`) and exited, and every
    later Spark test of the session with it. The room it has is what its memory pools report."""
    from hostcap.engine.spark import CODE_CACHE_MIB

    management = spark_session._jvm.java.lang.management.ManagementFactory
    pools = [pool for pool in management.getMemoryPoolMXBeans() if "Code" in pool.getName()]
    room_mib = sum(pool.getUsage().getMax() for pool in pools) / 2**20
    assert pools and room_mib >= CODE_CACHE_MIB * 0.99, [pool.getName() for pool in pools]


@pytest.mark.spark
@pytest.mark.usefixtures("spark_session")
def test_sibling_sessions_keep_their_own_tables_and_start_with_the_settings():
    """Sources run side by side on siblings: the same view name in two is two tables, and a
    setting changed on the parent at run time holds in a sibling made after."""
    engine = open_engine("spark")
    setting = "spark.sql.legacy.timeParserPolicy"
    before = engine.session.conf.get(setting)
    engine.session.conf.set(setting, "CORRECTED")
    try:
        first, second = engine.sibling(), engine.sibling()
        assert first.session is not second.session
        assert second.session.conf.get(setting) == "CORRECTED"
        tables = [sibling.from_arrow("rows", pa.table({"x": [n]})) for n, sibling in enumerate((first, second))]
        assert tables[0].get_name() == tables[1].get_name()
        assert [first.to_arrow(tables[0]).to_pylist(), second.to_arrow(tables[1]).to_pylist()] == [[{"x": 0}], [{"x": 1}]]
        first.close()
        second.close()
    finally:
        engine.session.conf.set(setting, before)
        engine.close()


@pytest.mark.spark
@pytest.mark.usefixtures("spark_session")
def test_a_materialized_result_frees_the_stages_it_was_computed_from():
    """Only the result stays in executor memory, not a copy of the rows per stage before it."""
    engine = open_engine("spark")
    try:
        persisted = engine.session.sparkContext._jsc.getPersistentRDDs
        table = engine.from_arrow("rows", pa.table({"x": list(range(100))}))
        before = persisted().size()
        first = engine.stage("first", table.mutate(y=table.x + 1))
        second = engine.stage("second", first.mutate(z=first.y * 2))
        result = engine.materialize("result", second.filter(second.z > 10))
        assert engine.to_arrow(result.aggregate(n=result.count())).to_pylist() == [{"n": 95}]
        assert persisted().size() == before + 1
    finally:
        engine.close()

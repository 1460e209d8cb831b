"""Apache Spark through PySpark: `local[*]` on one machine, or any master URL on a cluster.

The executors read and write the lake themselves: a source's bronze (written by the driver as it
reads the files) and an earlier snapshot's silver are read from their Parquet files, and every
table a refresh computes is written by an executor. Only counts and check facts come back to the
driver, through Spark's own Arrow support (Ibis's PySpark backend would round-trip through
pandas). Materialized results are local checkpoints behind temporary views, so nothing is written
to a warehouse directory.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Sequence
from typing import TYPE_CHECKING

import ibis
import pyarrow as pa

from hostcap.engine import Engine, Stored
from hostcap.errors import ConfigError

if TYPE_CHECKING:
    from hostcap.lake import Lake

DEFAULT_MASTER = "local[*]"

#: settings for a session hostcap starts itself (an active session, e.g. a notebook's, is used as is)
_SESSION_CONF = {
    # source headers that differ only in case are different columns, as they are on DuckDB
    "spark.sql.caseSensitive": "true",
    "spark.sql.session.timeZone": "UTC",
    "spark.ui.showConsoleProgress": "false",
    # a refresh is a batch command: nobody browses its web UI, and the UI's listeners cost every job
    "spark.ui.enabled": "false",
}


def _import_pyspark():
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise ConfigError("engine 'spark' needs the spark extra: pip install 'hostcap[spark]'") from None
    return SparkSession


def start_session(master: str | None = None):
    """A new (or the process's existing) SparkSession on `master`, with hostcap's settings."""
    session_class = _import_pyspark()
    if not (os.environ.get("JAVA_HOME") or shutil.which("java")):
        raise ConfigError(
            "engine 'spark' needs a Java runtime (17 or later): install one (e.g. openjdk-17-jre-headless) or set JAVA_HOME"
        )
    master = master or DEFAULT_MASTER
    builder = session_class.builder.master(master).appName("hostcap")
    for key, value in {**_SESSION_CONF, **_local_conf(master)}.items():
        builder = builder.config(key, value)
    return builder.getOrCreate()


#: MiB the driver's JVM keeps compiled code in, on one machine (see `_local_conf`)
CODE_CACHE_MIB = 256


def _local_conf(master: str) -> dict[str, str]:
    """Settings for one machine (`local`, `local[N]`, `local[*]`), where the driver's JVM is the
    executor too; a cluster keeps its own settings.

    - As many shuffle partitions as cores: Spark's default of 200 is sized for clusters, and on a
      few cores every shuffle of a refresh's small tables would run 200 map outputs and tasks.
    - The JVM's quick compiler only (`-XX:TieredStopAtLevel=1`): a refresh runs many distinct
      generated classes, each briefly, and the optimizing compiler spent more CPU compiling them
      than it saved running them (on a small machine, more than the executor's own work). With
      that compiler alone the JVM keeps compiled code in 48 MB, which a few refreshes of every
      source in one JVM (a test session, a server) fill: the compiler then stops, and at the next
      adapter it needs the JVM fails (`Out of space in CodeCache`) and exits. So it gets 256 MB,
      a little more than its own default with both compilers.
    - A heap of a quarter of the machine's memory, 1 to 4 GiB (`_driver_memory`): with Spark's
      1 GiB the materialized stages of a statewide refresh do not fit, and are written to disk
      and read back at every use."""
    found = re.fullmatch(r"local(?:\[(\d+|\*)(?:,\d+)?\])?", master)
    if not found:
        return {}
    threads = found.group(1)
    cores = 1 if threads is None else (os.cpu_count() or 1) if threads == "*" else int(threads)
    return {
        "spark.sql.shuffle.partitions": str(cores),
        "spark.driver.extraJavaOptions": f"-XX:TieredStopAtLevel=1 -XX:ReservedCodeCacheSize={CODE_CACHE_MIB}m",
        "spark.driver.memory": f"{_driver_memory()}m",
    }


def _driver_memory() -> int:
    """MiB of heap for a local driver: a quarter of physical memory, from 1 to 4 GiB (1 GiB, Spark's
    default, where the system does not say)."""
    try:
        physical = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return 1024
    return max(1024, min(4096, physical // 4 // 2**20))


class SparkEngine(Engine):
    kind = "spark"
    in_process = False
    concurrent_sessions = True

    def __init__(self, master: str | None = None, session=None):
        """On `session` if given, else the active session, else one started on `master`."""
        session = session or _import_pyspark().getActiveSession()
        # an engine stops only the session it started; a reused one (tests, notebooks) stays up
        self._owns_session = session is None
        self.session = session or start_session(master)
        super().__init__(ibis.pyspark.connect(self.session))
        self._views: list[str] = []
        self._checkpoints = []
        #: lazy stages not yet read by a materialized result (see `stage`)
        self._pending = []

    def sibling(self, threads: int | None = None) -> SparkEngine:
        """On a new session of the same application: its temporary views are its own, so sources
        run side by side, their jobs sharing the executors (a source whose stage is one task
        leaves the other cores to another source). It starts with this session's settings."""
        session = self.session.newSession()
        settings = self.session.conf
        for key, value in settings.getAll.items():
            if settings.isModifiable(key):
                session.conf.set(key, value)
        return SparkEngine(session=session)

    def _view(self, hint: str, frame) -> ibis.Table:
        name = self._name(hint)
        frame.createOrReplaceTempView(name)
        self._views.append(name)
        return self.con.table(name)

    def from_arrow(self, hint: str, table: pa.Table) -> ibis.Table:
        """Checkpointed at once: Spark makes an Arrow table a driver-local relation, and its optimizer
        would evaluate every later projection over it on the driver, in one thread and in driver memory."""
        frame = self.session.createDataFrame(table).localCheckpoint(eager=True)
        self._checkpoints.append(frame)
        return self._view(hint, frame)

    def materialize(self, hint: str, expr: ibis.Table) -> ibis.Table:
        """Computed now and kept in executor memory; the checkpoint also cuts the query plan, so
        later queries do not re-plan everything upstream of it."""
        frame = self.session.sql(self.con.compile(expr)).localCheckpoint(eager=True)
        self._checkpoints.append(frame)
        self._release_stages()
        return self._view(hint, frame)

    def _release_stages(self) -> None:
        """Free the rows of the stages a materialized result was computed from: each is read only
        by the next step, and the result's own checkpoint no longer refers to them. Kept, a wide
        source's stages hold several copies of its rows in executor memory, and push each other
        out to disk."""
        for frame in self._pending:
            _free(frame)
        self._pending.clear()

    def stage(self, hint: str, expr: ibis.Table) -> ibis.Table:
        """A lazy local checkpoint: the chain of stages still runs as one job (each step's rows are
        kept as the next one reads them), but each step is code-generated on its own. Fused, a
        wide source's steps compile to one Java method over the JVM's 64 KB limit, and Spark falls
        back to slow interpreted execution."""
        frame = self.session.sql(self.con.compile(expr)).localCheckpoint(eager=False)
        self._checkpoints.append(frame)
        self._pending.append(frame)
        return self._view(hint, frame)

    def to_arrow(self, expr: ibis.Table) -> pa.Table:
        """Spark's Arrow result cast to the expression's schema (Spark may choose large types)."""
        table = self.session.sql(self.con.compile(expr)).toArrow()
        return table.cast(expr.schema().to_pyarrow())

    def store(self, lake: Lake, snapshot: str, layer: str, name: str, expr: ibis.Table, order: Sequence[str] = ()) -> Stored:
        """Written by an executor, as one Parquet file: the lake keeps one file per table on either
        engine. The rows are shuffled into one partition (the work before the shuffle stays spread
        over the executors; the writer streams, so no process holds the table), sorted there, then
        moved into place and hashed for the seal by the driver, which reads the file but keeps
        none of it."""
        frame = self._nullable(self.session.sql(self.con.compile(expr))).repartition(1)
        if order:
            frame = frame.sortWithinPartitions(*order)
        frame.write.parquet(lake.location(lake.staging(snapshot, layer, name)), compression="snappy")
        return Stored(lake.adopt(snapshot, layer, name))

    def _nullable(self, frame):
        """The frame with every column nullable, as the expression's schema and DuckDB's files have
        them: Spark proves some columns never null (counts, coalesced values) and would write
        them to Parquet as required. Rebuilt from its rows with the nullable schema, in the JVM."""
        from pyspark.sql import DataFrame
        from pyspark.sql.types import StructField, StructType

        schema = StructType([StructField(field.name, field.dataType, True) for field in frame.schema])
        jsession = self.session._jsparkSession
        return DataFrame(jsession.createDataFrame(frame._jdf.rdd(), jsession.parseDataType(schema.json())), self.session)

    def reuse(self, lake: Lake, name: str, layer: str, snapshot: str) -> Stored:
        return Stored(lake.checked_path(name, layer, snapshot))

    def scan(self, hint: str, lake: Lake, table: Stored) -> ibis.Table:
        """Read by the executors from the lake (the Arrow the driver may hold is not shipped)."""
        return self._view(hint, self.session.read.parquet(lake.location(table.path)))

    def close(self) -> None:
        if self._owns_session:
            # stopping frees everything; freeing first would queue removals the stop then refuses
            self.session.stop()
            return
        for name in self._views:
            self.session.catalog.dropTempView(name)
        for frame in self._checkpoints:
            _free(frame)


def _free(checkpoint) -> None:
    """Drop a local checkpoint's rows from executor memory. `DataFrame.unpersist` would not: it
    uncaches a cached frame, and a checkpoint's rows are the persisted RDD under its plan."""
    checkpoint._jdf.queryExecution().logical().rdd().unpersist(False)

"""Apache Spark through PySpark: `local[*]` on one machine, or any master URL on a cluster.

Arrow goes in and out through Spark's own Arrow support (Ibis's PySpark backend would round-trip
through pandas, which is slower and loses types); materialized results are local checkpoints behind
temporary views, so nothing is written to a warehouse directory.
"""

from __future__ import annotations

import os
import shutil

import ibis
import pyarrow as pa

from hostcap.engine import Engine
from hostcap.errors import ConfigError

DEFAULT_MASTER = "local[*]"

#: settings for a session hostcap starts itself (an active session, e.g. a notebook's, is used as is)
_SESSION_CONF = {
    # source headers that differ only in case are different columns, as they are on DuckDB
    "spark.sql.caseSensitive": "true",
    "spark.sql.session.timeZone": "UTC",
    "spark.ui.showConsoleProgress": "false",
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
            "engine 'spark' needs a Java runtime (17 or later): install one (e.g. openjdk-17-jre-headless) "
            "or set JAVA_HOME"
        )
    builder = session_class.builder.master(master or DEFAULT_MASTER).appName("hostcap")
    for key, value in _SESSION_CONF.items():
        builder = builder.config(key, value)
    return builder.getOrCreate()


class SparkEngine(Engine):
    kind = "spark"

    def __init__(self, master: str | None = None):
        session = _import_pyspark().getActiveSession()
        # an engine stops only the session it started; a reused one (tests, notebooks) stays up
        self._owns_session = session is None
        self.session = session or start_session(master)
        super().__init__(ibis.pyspark.connect(self.session))
        self._views: list[str] = []
        self._checkpoints = []

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
        return self._view(hint, frame)

    def stage(self, hint: str, expr: ibis.Table) -> ibis.Table:
        """A view: Spark does not merge a projection into one that references its non-trivial
        columns more than once (CollapseProject), so the chain of stages runs as one job."""
        return self._view(hint, self.session.sql(self.con.compile(expr)))

    def to_arrow(self, expr: ibis.Table) -> pa.Table:
        """Spark's Arrow result cast to the expression's schema (Spark may choose large types)."""
        table = self.session.sql(self.con.compile(expr)).toArrow()
        return table.cast(expr.schema().to_pyarrow())

    def close(self) -> None:
        for name in self._views:
            self.session.catalog.dropTempView(name)
        for frame in self._checkpoints:
            frame.unpersist()
        if self._owns_session:
            self.session.stop()

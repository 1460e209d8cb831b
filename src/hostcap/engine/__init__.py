"""The execution backend. The only package that knows which engine runs the Ibis expressions.

Layers build engine-neutral Ibis expressions; an `Engine` turns Arrow into engine tables,
materializes intermediate results, and brings results back as Arrow. Each engine lives in its own
module and is imported only when asked for, so Spark (an optional extra) costs nothing otherwise.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pyarrow as pa

from hostcap.errors import ConfigError

if TYPE_CHECKING:
    import ibis

    from hostcap.lake import Lake
    from hostcap.seal import WrittenParquet

ENGINES = ("duckdb", "spark")


@dataclass(frozen=True)
class Stored:
    """A table in the lake, as the refresh wrote or found it: its path, and its rows when they
    are in this process's memory (an in-process engine scans them there instead of reading the
    file again; Spark always reads the file): an Arrow table, or the file as written or read
    (`seal.WrittenParquet`), which holds the compressed file rather than the rows."""

    path: str | None
    arrow: pa.Table | WrittenParquet | None = None


class Engine:
    """An Ibis connection plus the few operations the pipeline needs from it."""

    kind: str
    #: whether sessions opened side by side in one process (`sibling`) run independently, one per thread
    concurrent_sessions: bool = False
    #: whether the engine computes in this process, so tables pass through its memory (else its
    #: workers read and write the lake themselves)
    in_process: bool = True
    #: whether it runs SQL text itself (register, create, query), so silver can run a cached plan
    runs_sql: bool = False
    #: whether a subquery a query reads several times is computed once (DuckDB keeps such a
    #: common table expression's rows; Spark computes it again for every reference)
    shares_subqueries: bool = False

    def __init__(self, con: ibis.BaseBackend):
        self.con = con
        self._names = itertools.count()

    def sibling(self, threads: int | None = None) -> Engine:
        """An engine of its own for one source's work, beside this one's: its own tables and
        names, on the same machinery. `threads` caps an in-process engine's threads, until
        `siblings_done`."""
        raise NotImplementedError

    def siblings_done(self) -> None:
        """No more sibling sessions are needed: undo what making them changed, if anything
        (DuckDB's thread cap)."""

    def _name(self, hint: str) -> str:
        return f"{hint.replace('/', '_')}_{next(self._names)}"

    def from_arrow(self, hint: str, table: pa.Table) -> ibis.Table:
        """Expose an Arrow table to the engine as a table expression."""
        raise NotImplementedError

    def materialize(self, hint: str, expr: ibis.Table) -> ibis.Table:
        """Compute an expression once into an engine table, so later expressions reuse it."""
        raise NotImplementedError

    def stage(self, hint: str, expr: ibis.Table) -> ibis.Table:
        """An intermediate step read only by the next one, which refers to its columns many times.

        Materialized by default: an optimizer that merges projections would otherwise inline each
        column at every reference. An engine whose optimizer keeps such steps apart may return a
        view instead, so one job computes the whole chain.
        """
        return self.materialize(hint, expr)

    def to_arrow(self, expr: ibis.Table) -> pa.Table:
        """A small result (counts, facts) brought to this process."""
        raise NotImplementedError

    # the lake: an in-process engine's rows pass through this process; Spark overrides all three

    def store(self, lake: Lake, snapshot: str, layer: str, name: str, expr: ibis.Table, order: Sequence[str] = ()) -> Stored:
        """Compute `expr` and write it as table `layer/name` of `snapshot`, its rows sorted by `order`."""
        table = self.to_arrow(expr.order_by(list(order)) if order else expr)
        return Stored(*lake.write_scannable(snapshot, layer, name, table))

    def reuse(self, lake: Lake, name: str, layer: str, snapshot: str) -> Stored:
        """A table an earlier snapshot wrote, checked against that snapshot's seal now."""
        return Stored(None, lake.read_scannable(name, layer=layer, snapshot=snapshot))

    def scan(self, hint: str, lake: Lake, table: Stored) -> ibis.Table:
        """A stored table as a table expression."""
        return self.from_arrow(hint, table.arrow)

    def close(self) -> None:
        raise NotImplementedError


def open_engine(kind: str = "duckdb", spark_master: str | None = None, threads: int | None = None) -> Engine:
    """The engine named by the settings; Spark reuses an active SparkSession if there is one.

    `threads` caps an in-process engine's threads (DuckDB); Spark's parallelism is its master's."""
    if kind == "duckdb":
        from hostcap.engine.duckdb import DuckDBEngine

        return DuckDBEngine(threads)
    if kind == "spark":
        from hostcap.engine.spark import SparkEngine

        return SparkEngine(spark_master)
    raise ConfigError(f"engine {kind!r} is not available; supported: {', '.join(ENGINES)}")

"""The execution backend. The only package that knows which engine runs the Ibis expressions.

Layers build engine-neutral Ibis expressions; this module turns Arrow into engine tables,
materializes intermediate results, and brings results back as Arrow.
"""

from __future__ import annotations

import itertools

import ibis
import pyarrow as pa

from hostcap.errors import ConfigError


class Engine:
    """An Ibis connection plus the few operations the pipeline needs from it."""

    def __init__(self, kind: str = "duckdb"):
        if kind != "duckdb":
            raise ConfigError(f"engine {kind!r} is not available; supported: duckdb")
        self.kind = kind
        self.con = ibis.duckdb.connect()
        self._names = itertools.count()
        self._registered: list[pa.Table] = []

    def _name(self, hint: str) -> str:
        return f"{hint.replace('/', '_')}_{next(self._names)}"

    def from_arrow(self, hint: str, table: pa.Table) -> ibis.Table:
        """Expose an Arrow table to the engine without copying it (kept alive while the engine is)."""
        name = self._name(hint)
        self._registered.append(table)
        self.con.con.register(name, table)
        return self.con.table(name)

    def materialize(self, hint: str, expr: ibis.Table) -> ibis.Table:
        """Compute an expression once into an engine table, so later expressions reuse it."""
        return self.con.create_table(self._name(hint), expr)

    def to_arrow(self, expr: ibis.Table) -> pa.Table:
        return self.con.to_pyarrow(expr)

    def count(self, expr: ibis.Table) -> int:
        return int(self.con.execute(expr.count()))

    def close(self) -> None:
        self.con.disconnect()
        self._registered.clear()

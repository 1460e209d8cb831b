"""DuckDB in-process: Arrow tables are registered without copying; stages are views, and
materialized tables live in memory."""

from __future__ import annotations

import ibis
import pyarrow as pa
import sqlglot.expressions as sge
from ibis.backends.sql.datatypes import DuckDBType

from hostcap.engine import Engine


def _quoted(name: str) -> str:
    return sge.to_identifier(name, quoted=True).sql("duckdb")


class DuckDBEngine(Engine):
    kind = "duckdb"
    concurrent_sessions = True

    def __init__(self):
        super().__init__(ibis.duckdb.connect())
        self._registered: list[pa.Table] = []

    def from_arrow(self, hint: str, table: pa.Table) -> ibis.Table:
        """Zero-copy: DuckDB scans the Arrow table in place (kept alive while the engine is)."""
        name = self._name(hint)
        self._registered.append(table)
        self.con.con.register(name, table)
        return self.con.table(name)

    def materialize(self, hint: str, expr: ibis.Table) -> ibis.Table:
        return self.con.create_table(self._name(hint), expr)

    def stage(self, hint: str, expr: ibis.Table) -> ibis.Table:
        """A view: Ibis compiles the next stage against its name, so nothing is inlined, and
        DuckDB runs the chain of stages as one pipeline instead of storing each step's table.

        Each column is cast to the type Ibis gives it: DuckDB's own type can differ (a date plus
        an interval is a timestamp there), and a table would have been cast on insert."""
        name = self._name(hint)
        columns = ", ".join(
            f"CAST({_quoted(column)} AS {DuckDBType.to_string(dtype)}) AS {_quoted(column)}"
            for column, dtype in expr.schema().items()
        )
        self.con.con.execute(f"CREATE VIEW {_quoted(name)} AS SELECT {columns} FROM ({self.con.compile(expr)})")
        return self.con.table(name)

    def to_arrow(self, expr: ibis.Table) -> pa.Table:
        return self.con.to_pyarrow(expr)

    def close(self) -> None:
        self.con.disconnect()
        self._registered.clear()

"""DuckDB in-process: Arrow tables are registered without copying; materialized tables live in memory."""

from __future__ import annotations

import ibis
import pyarrow as pa

from hostcap.engine import Engine


class DuckDBEngine(Engine):
    kind = "duckdb"
    concurrent_sessions = True

    def __init__(self, threads: int | None = None):
        """`threads` caps DuckDB's worker threads (default: one per core)."""
        super().__init__(ibis.duckdb.connect(**({"threads": threads} if threads else {})))
        self._registered: list[pa.Table] = []

    def from_arrow(self, hint: str, table: pa.Table) -> ibis.Table:
        """Zero-copy: DuckDB scans the Arrow table in place (kept alive while the engine is)."""
        name = self._name(hint)
        self._registered.append(table)
        self.con.con.register(name, table)
        return self.con.table(name)

    def materialize(self, hint: str, expr: ibis.Table) -> ibis.Table:
        return self.con.create_table(self._name(hint), expr)

    def to_arrow(self, expr: ibis.Table) -> pa.Table:
        return self.con.to_pyarrow(expr)

    def close(self) -> None:
        self.con.disconnect()
        self._registered.clear()

"""DuckDB in-process: Arrow tables are registered without copying; materialized tables live in memory.

Besides Ibis expressions it runs SQL text as given (`register`, `create`, `query`: the
`SqlEngine` of hostcap.layers.plans), so a cached plan runs with no expression built and
no Ibis backend made; the Ibis backend over the same connection is made when first used.
"""

from __future__ import annotations

import functools
import itertools
from typing import TYPE_CHECKING

import duckdb
import pyarrow as pa

from hostcap.engine import Engine

if TYPE_CHECKING:
    import ibis

    from hostcap.seal import WrittenParquet

#: rows per batch of a streamed result (`stream`), so per row group of a table written from one:
#: few enough that a batch is small beside the table, enough that a reader's cost per group is too
BATCH_ROWS = 1 << 17

#: what Ibis sets on the connections it makes, set here for SQL run without it: plans are
#: compiled by Ibis and must run as they would under it
_SETTINGS = {"TimeZone": "UTC", "python_enable_replacements": False}


class DuckDBEngine(Engine):
    kind = "duckdb"
    concurrent_sessions = True
    runs_sql = True
    shares_subqueries = True

    def __init__(self, threads: int | None = None, connection: duckdb.DuckDBPyConnection | None = None):
        """`threads` caps DuckDB's worker threads (default: one per core); with `connection`, the
        engine runs on that connection (see `cursor`)."""
        self.db = connection or duckdb.connect(config={"threads": threads} if threads else {})
        for name, value in _SETTINGS.items():
            self.db.execute(f"SET {name} = ?", [value])
        #: what is exposed under each name, kept alive while the engine is
        self._registered: dict[str, pa.Table | WrittenParquet] = {}
        self._names = itertools.count()

    def sibling(self, threads: int | None = None) -> DuckDBEngine:
        """A connection of its own: an in-memory database of its own."""
        return DuckDBEngine(threads)

    def cursor(self) -> DuckDBEngine:
        """Another connection to this engine's database, to run a statement beside one of this
        engine's: it sees the tables `create` made and the Parquet files `register` exposed, and
        the Arrow tables registered so far are registered on it too (DuckDB keeps those per
        connection). Close it when done."""
        cursor = DuckDBEngine(connection=self.db.cursor())
        for name, table in self._registered.items():
            if isinstance(table, pa.Table):
                cursor.register(name, table)
        return cursor

    @functools.cached_property
    def con(self) -> ibis.BaseBackend:
        import ibis  # only expressions need it; a cached plan runs without (see hostcap.layers.plans)

        return ibis.duckdb.from_connection(self.db)

    def from_arrow(self, hint: str, table: pa.Table | WrittenParquet) -> ibis.Table:
        """DuckDB scans the Arrow table in place, or the written Parquet file with its own reader (kept alive while the engine is)."""
        name = self._name(hint)
        self.register(name, table)
        return self.con.table(name)

    def materialize(self, hint: str, expr: ibis.Table) -> ibis.Table:
        return self.con.create_table(self._name(hint), expr)

    def to_arrow(self, expr: ibis.Table) -> pa.Table:
        return self.con.to_pyarrow(expr)

    def register(self, name: str, table: pa.Table | WrittenParquet) -> None:
        """Expose rows under `name`, scanned in place (kept alive while the engine is): an Arrow
        table as it is, a written Parquet file through DuckDB's own reader."""
        self._registered[name] = table
        if isinstance(table, pa.Table):
            self.db.register(name, table)
        else:
            path = table.path.replace("'", "''")
            self.db.execute(f"CREATE OR REPLACE VIEW \"{name}\" AS SELECT * FROM read_parquet('{path}')")

    def create(self, name: str, sql: str) -> None:
        """A table `name` holding the result of `sql` (a query). Not a temporary table, which
        only its own connection sees: the database is this engine's alone, in memory, and a
        `cursor` reads the table too."""
        self.db.execute(f'CREATE TABLE "{name}" AS {sql}')

    def query(self, sql: str, schema: pa.Schema | None = None) -> pa.Table:
        """The result of `sql` as Arrow, cast to `schema` when given (as Ibis casts a result to
        its expression's schema)."""
        table = self.db.sql(sql).to_arrow_table()
        return table if schema is None or table.schema == schema else table.cast(schema)

    def stream(self, sql: str, schema: pa.Schema) -> pa.RecordBatchReader:
        """The result of `sql` as batches of at most `BATCH_ROWS` rows, cast to `schema` as
        `query` casts, computed as they are read: a result written straight to the lake is
        never held whole (read it before the next statement on this engine)."""
        batches = self.db.sql(sql).to_arrow_reader(BATCH_ROWS)
        return batches if batches.schema == schema else batches.cast(schema)

    def close(self) -> None:
        self.db.close()
        self._registered.clear()

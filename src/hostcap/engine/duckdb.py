"""DuckDB in-process: Arrow tables are registered without copying; materialized tables live in memory.

Besides Ibis expressions it runs SQL text as given (`register`, `create`, `query`: the
`SqlEngine` of hostcap.layers.plans), so a cached plan runs with no expression built and
no Ibis backend made; the Ibis backend over the same connection is made when first used.
"""

from __future__ import annotations

import functools
import itertools
import threading
from contextlib import suppress
from typing import TYPE_CHECKING

import duckdb
import pyarrow as pa

from hostcap.engine import Engine

if TYPE_CHECKING:
    import ibis

    from hostcap.seal import WrittenParquet

#: rows per batch of a streamed result (`stream`). DuckDB grows each batch's Arrow buffers by
#: reallocating them, and a buffer of tens of megabytes (a statewide batch of lines) is fresh
#: memory every time, touched page by page: batches this small reuse what the last one freed.
#: The file written from them still has row groups of `seal.ROW_GROUP_ROWS`.
STREAM_ROWS = 1 << 13

#: what Ibis sets on the connections it makes, set here for SQL run without it: plans are
#: compiled by Ibis and must run as they would under it
_SETTINGS = {"TimeZone": "UTC", "python_enable_replacements": False}
#: DuckDB draws a progress bar on the terminal for a statement that runs over two seconds (a
#: statewide gold stage), in the middle of the command's own output, which already says what runs
_QUIET = {"enable_progress_bar": False}
#: a database in this process's memory is never checkpointed: DuckDB compresses every table it
#: holds at the commit after its estimate of changes passes `checkpoint_threshold` (16 MB), which
#: a stage whose subqueries are not kept (gold's latest network rows) passes at statewide scale;
#: the next statement then spent 0.9 s compressing tables that live for one refresh
_IN_MEMORY = {"checkpoint_threshold": "1TiB"}


class DuckDBEngine(Engine):
    kind = "duckdb"
    concurrent_sessions = True
    runs_sql = True
    shares_subqueries = True

    def __init__(self, threads: int | None = None, connection: duckdb.DuckDBPyConnection | None = None, temporary: bool = False):
        """`threads` caps DuckDB's worker threads (default: one per core); with `connection`, the
        engine runs on that connection (see `cursor`); `temporary`: the tables and views it makes
        are its connection's own, dropped when it closes (see `sibling`)."""
        self.db = connection or duckdb.connect(config={**_IN_MEMORY, **({"threads": threads} if threads else {})})
        for name, value in {**_SETTINGS, **_QUIET}.items():
            self.db.execute(f"SET {name} = ?", [value])
        #: what is exposed under each name, kept alive while the engine is
        self._registered: dict[str, pa.Table | WrittenParquet] = {}
        self._names = itertools.count()
        self._temporary = temporary
        #: connections are made, and the thread count set, by one thread at a time
        self._sessions_lock = threading.Lock()
        #: the thread cap `sibling` set, and the database's thread count before it, until `siblings_done`
        self._cap: int | None = None
        self._uncapped: int | None = None

    def sibling(self, threads: int | None = None) -> DuckDBEngine:
        """A session of its own on this engine's database: a connection whose tables and views
        are temporary, so sessions side by side never see each other's, and closing it drops
        them. A connection costs next to nothing, where a database of its own built its whole
        catalog of functions (some 15 ms of CPU a source) and started on memory no query had
        touched; and what a source's session held is the database's again for the next source,
        and for gold. DuckDB counts threads per database, not per connection: `threads` caps
        every query's until `siblings_done` (side by side, each source's query runs on one
        thread, and the sources, not one source's query, share the cores)."""
        with self._sessions_lock:
            if threads is not None and threads != self._cap:  # set once, not under every source's queries
                if self._uncapped is None:
                    self._uncapped = int(self.db.execute("SELECT current_setting('threads')").fetchone()[0])
                self.db.execute(f"SET threads = {int(threads)}")
                self._cap = threads
            return DuckDBEngine(connection=self.db.cursor(), temporary=True)

    def siblings_done(self) -> None:
        """The thread count `sibling` capped, as it was."""
        with self._sessions_lock:
            if self._uncapped is not None:
                self.db.execute(f"SET threads = {self._uncapped}")
            self._cap = self._uncapped = None

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
        return self.con.create_table(self._name(hint), expr, temp=self._temporary)

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
            self.db.execute(f"CREATE OR REPLACE {self._own}VIEW \"{name}\" AS SELECT * FROM read_parquet('{path}')")

    def create(self, name: str, sql: str) -> None:
        """A table `name` holding the result of `sql` (a query): a sibling's own (temporary), or
        else one of the database (in memory), which a `cursor` reads too."""
        self.db.execute(f'CREATE {self._own}TABLE "{name}" AS {sql}')

    def view(self, name: str, sql: str) -> None:
        """A view `name` of the query `sql`, computed where it is read. To stream a long query,
        read a view of it: DuckDB parses the view's text once, while the relation `query` and
        `stream` make of a query reads its text in Python (to find its parameters) and binds it
        once more than running it does, which for a source's classification (tens of KB)
        costs as much as a small source's rows."""
        self.db.execute(f'CREATE {self._own}VIEW "{name}" AS {sql}')

    def query(self, sql: str, schema: pa.Schema | None = None) -> pa.Table:
        """The result of `sql` as Arrow, cast to `schema` when given (as Ibis casts a result to
        its expression's schema)."""
        table = self.db.sql(sql).to_arrow_table()
        return table if schema is None or table.schema == schema else table.cast(schema)

    def stream(self, sql: str, schema: pa.Schema) -> pa.RecordBatchReader:
        """The result of `sql` as batches of at most `STREAM_ROWS` rows, cast to `schema` as
        `query` casts, computed as they are read: a result written straight to the lake is
        never held whole (read it before the next statement on this engine)."""
        batches = self.db.sql(sql).to_arrow_reader(STREAM_ROWS)
        return batches if batches.schema == schema else batches.cast(schema)

    def interrupt(self) -> None:
        """Stop the statement running on this connection (it raises `duckdb.InterruptException`
        where it runs); from any thread. Nothing happens when none runs or the connection is closed."""
        with suppress(duckdb.ConnectionException):
            self.db.interrupt()

    def close(self) -> None:
        """Close the connection: a sibling's tables and views go with it; the engine's own
        closes its database."""
        self.db.close()
        self._registered.clear()

    @property
    def _own(self) -> str:
        """What makes a table or view this connection's own, when the engine's are (`temporary`)."""
        return "TEMP " if self._temporary else ""

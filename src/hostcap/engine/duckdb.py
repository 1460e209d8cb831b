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

#: rows per batch of a streamed result (`stream`), so per row group of a table written from one:
#: few enough that a batch is small beside the table, enough that a reader's cost per group is too
BATCH_ROWS = 1 << 17

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

    def __init__(self, threads: int | None = None, connection: duckdb.DuckDBPyConnection | None = None):
        """`threads` caps DuckDB's worker threads (default: one per core); with `connection`, the
        engine runs on that connection (see `cursor`)."""
        self.db = connection or duckdb.connect(config={**_IN_MEMORY, **({"threads": threads} if threads else {})})
        for name, value in {**_SETTINGS, **_QUIET}.items():
            self.db.execute(f"SET {name} = ?", [value])
        #: what is exposed under each name, kept alive while the engine is
        self._registered: dict[str, pa.Table | WrittenParquet] = {}
        self._names = itertools.count()
        self._threads = threads
        #: the engine whose `sibling` made this one, which takes it back when it is closed
        self._parent: DuckDBEngine | None = None
        #: siblings closed and emptied, by their thread cap, for the next `sibling` to reuse
        self._idle: dict[int | None, list[DuckDBEngine]] = {}
        self._idle_lock = threading.Lock()
        self._closed = False

    def sibling(self, threads: int | None = None) -> DuckDBEngine:
        """An in-memory database of its own, so sessions side by side never see each other's
        tables; one closed earlier is reused, emptied. A new DuckDB database builds its whole
        catalog of functions (some 15 ms of CPU) and starts on memory no query has touched,
        while a refresh loads its sources one after another on each of a few workers: with
        reuse, a refresh makes one database per worker rather than one per source."""
        with self._idle_lock:
            idle = self._idle.get(threads)
            if idle:
                return idle.pop()
        sibling = DuckDBEngine(threads)
        sibling._parent = self
        return sibling

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

    def view(self, name: str, sql: str) -> None:
        """A view `name` of the query `sql`, computed where it is read. To stream a long query,
        read a view of it: DuckDB parses the view's text once, while the relation `query` and
        `stream` make of a query reads its text in Python (to find its parameters) and binds it
        once more than running it does, which for a source's classification (tens of KB)
        costs as much as a small source's rows."""
        self.db.execute(f'CREATE VIEW "{name}" AS {sql}')

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

    def interrupt(self) -> None:
        """Stop the statement running on this connection (it raises `duckdb.InterruptException`
        where it runs); from any thread. Nothing happens when none runs or the connection is closed."""
        with suppress(duckdb.ConnectionException):
            self.db.interrupt()

    def close(self) -> None:
        """A sibling is emptied and given back to the engine that made it (if that one is still
        open); an engine of its own closes its database, and the siblings it keeps."""
        parent = self._parent
        if parent is not None and self._emptied():
            with parent._idle_lock:
                if not parent._closed:
                    parent._idle.setdefault(self._threads, []).append(self)
                    return
        self._closed = True
        self.db.close()
        self._registered.clear()
        self.close_idle()

    def close_idle(self) -> None:
        """Close the siblings kept for reuse: each holds the memory its largest session used,
        which the work after the sources (gold) needs more."""
        with self._idle_lock:
            idle = [sibling for siblings in self._idle.values() for sibling in siblings]
            self._idle.clear()
        for sibling in idle:
            sibling._parent = None
            sibling.close()

    def _emptied(self) -> bool:
        """Drop every table and view this database holds and forget what was registered, as a
        new database would be. False when that fails, or when the session made its Ibis backend,
        which may leave more (functions, settings): the database is then closed instead.

        The engine's own statements (`register`, `create`, `query`, `stream`) leave nothing
        but tables and views; code that runs other SQL on `db` must not hand the session on.
        Looking for anything else instead (DuckDB's catalog of functions and its settings)
        took 17 ms a source, more than the reuse saves on a small one."""
        if "con" in self.__dict__:
            return False
        try:
            for name, table in self._registered.items():
                if isinstance(table, pa.Table):
                    self.db.unregister(name)
            self._registered.clear()
            made = self.db.execute(
                "SELECT 'TABLE', table_name FROM duckdb_tables() "
                "UNION ALL SELECT 'VIEW', view_name FROM duckdb_views() WHERE NOT internal"
            ).fetchall()
            for kind, name in made:
                quoted = name.replace('"', '""')
                self.db.execute(f'DROP {kind} "{quoted}"')
        except duckdb.Error:
            return False
        return True

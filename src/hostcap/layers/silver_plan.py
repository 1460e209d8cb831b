"""Silver compiled to SQL text: the expressions a source's silver is made of, turned into a
`SilverPlan` (hostcap.layers.plans) once per config, header set and code.

The plan is compiled from the very expressions every other engine runs (`build_classified` and
the three below), so both paths give the same rows; `ExpressionSilver` runs them directly (Spark,
and the reference the plan is tested against).
"""

from __future__ import annotations

from typing import Protocol

import ibis
import ibis.expr.types as ir
import pyarrow as pa
from ibis.expr import operations as ops

from hostcap.config.source import SourceConfig
from hostcap.io.readers import ROW
from hostcap.layers.bronze import FILE, data_columns
from hostcap.layers.plans import (
    BRONZE,
    OUTCOME,
    REASON,
    REJECTED,
    SET_ASIDE,
    UNPARSED,
    SilverPlan,
    schema_text,
    set_aside_schema,
)
from hostcap.layers.silver import build_classified, trimmed_names


def outcome_counts(classified: ir.Table) -> ir.Table:
    """Every count a source's report needs, in one small query: rows per outcome and reason,
    and whether the silver ones have an unparsed value."""
    unparsed = (classified[OUTCOME] == "silver") & (classified.unparsed_values != "")
    return classified.group_by(classified[OUTCOME], classified[REASON], **{UNPARSED: unparsed}).aggregate(n=classified.count())


def set_aside_counts(set_aside: ir.Table) -> ir.Table:
    """`outcome_counts` of the rows set aside (none of them silver, so none counted unparsed)."""
    counts = set_aside.group_by(set_aside[OUTCOME], set_aside[REASON]).aggregate(n=set_aside.count())
    return counts.mutate(**{UNPARSED: ibis.literal(False)})


def silver_rows(classified: ir.Table) -> ir.Table:
    return classified.filter(classified[OUTCOME] == "silver").drop(OUTCOME, REASON)


def rejected_rows(bronze: ir.Table, classified: ir.Table, outcome: str) -> ir.Table:
    """The bronze rows with `outcome` (quarantine, excluded), as received, with their reason;
    `classified` is every classified row, or (a compiled plan's) only the rows set aside."""
    picked = classified.filter(classified[OUTCOME] == outcome).select(FILE, ROW, REASON)
    return bronze.inner_join(picked, [FILE, ROW]).order_by([FILE, ROW])


class Compiling:
    """The `Stages` of build_classified for compiling: each materialized result becomes one SQL
    statement, and what follows reads it as a table of that name.

    An intermediate stage becomes a common table expression of the next statement instead, not a
    table: DuckDB keeps each such step's projection apart (it computes every column once, however
    often the next step refers to it) and streams the whole chain, where a table would first copy
    every row of every wide step into memory (at statewide scale, more time than the parsing)."""

    #: the compiled SQL runs on DuckDB, which computes a subquery read several times once
    shares_subqueries = True

    def __init__(self, dialect: str):
        self.dialect = dialect
        self.statements: list[tuple[str, str]] = []
        #: per statement, the earlier statements it reads (its steps' included)
        self.reads: dict[str, list[str]] = {}
        self._pending: list[tuple[str, str]] = []
        self._pending_reads: set[str] = set()

    @property
    def kind(self) -> str:
        """The engine that runs the SQL: its dialect's."""
        return self.dialect

    def stage(self, hint: str, expr: ir.Table) -> ir.Table:
        self._pending.append((hint, ibis.to_sql(expr, dialect=self.dialect)))
        self._pending_reads |= self.statements_read(expr)
        return ibis.table(expr.schema(), name=hint)

    def materialize(self, hint: str, expr: ir.Table) -> ir.Table:
        sql = ibis.to_sql(expr, dialect=self.dialect)
        if self._pending:
            steps = ",\n".join(f'"{name}" AS NOT MATERIALIZED (\n{step}\n)' for name, step in self._pending)
            sql = f"WITH {steps}\nSELECT * FROM (\n{sql}\n)"
            self._pending.clear()
        self.reads[hint] = sorted(self.statements_read(expr) | self._pending_reads)
        self._pending_reads = set()
        self.statements.append((hint, sql))
        return ibis.table(expr.schema(), name=hint)

    def statements_read(self, expr: ir.Table) -> set[str]:
        """The statements made so far that `expr` reads."""
        made = {name for name, _ in self.statements}
        return {table.name for table in expr.op().find(ops.UnboundTable)} & made


def compile_silver(config: SourceConfig, bronze_schema: pa.Schema, dialect: str) -> SilverPlan:
    """The plan of a source's silver over a bronze table with `bronze_schema`."""
    trim = trimmed_names(config, data_columns(bronze_schema.names))
    given = bronze_schema
    for name in trim.values():
        given = given.append(pa.field(name, pa.string()))
    bronze = ibis.table(ibis.Schema.from_pyarrow(given), name=BRONZE)
    compiling = Compiling(dialect)
    classified = build_classified(config, bronze, compiling, trimmed_given=True)
    received = bronze.select(*bronze_schema.names)
    classified_schema = classified.schema().to_pyarrow()
    set_aside = ibis.table(ibis.Schema.from_pyarrow(set_aside_schema(classified_schema)), name=SET_ASIDE)
    rejected = {o: rejected_rows(received, set_aside, o) for o in REJECTED}
    results = {"silver": silver_rows(classified), **rejected}
    return SilverPlan(
        trim=trim,
        stages=compiling.statements,
        set_aside_counts=ibis.to_sql(set_aside_counts(set_aside), dialect=dialect),
        schemas={
            "classified": schema_text(classified_schema),
            **{name: schema_text(expr.schema().to_pyarrow()) for name, expr in results.items()},
        },
    )


class ExpressionEngine(Protocol):
    """What running the expressions needs from an engine (hostcap.engine.Engine)."""

    def from_arrow(self, hint: str, table: pa.Table) -> ir.Table: ...

    def stage(self, hint: str, expr: ir.Table) -> ir.Table: ...

    def materialize(self, hint: str, expr: ir.Table) -> ir.Table: ...

    def to_arrow(self, expr: ir.Table) -> pa.Table: ...

    #: whether a subquery read several times is computed once (see hostcap.engine.Engine)
    shares_subqueries: bool
    #: which engine it is (hostcap.engine.Engine.kind)
    kind: str


class ExpressionSilver:
    """A source's silver results from its expressions, built now over its bronze table: the
    path of an engine that does not run SQL text (Spark, where the tables stay on the
    executors), and the reference a compiled plan is checked against."""

    def __init__(self, engine: ExpressionEngine, config: SourceConfig, bronze: ir.Table):
        self.engine = engine
        self.bronze = bronze
        self.classified = build_classified(config, bronze, engine)

    def counts(self) -> list[dict]:
        return self.engine.to_arrow(outcome_counts(self.classified)).to_pylist()

    def silver(self) -> ir.Table:
        return silver_rows(self.classified)

    def rejected(self, outcome: str) -> ir.Table:
        return rejected_rows(self.bronze, self.classified, outcome)

"""Silver as SQL text: the queries a source's silver is made of, compiled once and run as text.

Building the silver expressions and compiling them to SQL depends only on the source config,
the bronze header set (names and types) and the code, and costs more than running the SQL on a
source of ordinary size; so an engine that runs SQL text gets a `SilverPlan` (see
hostcap.plan_cache, which keeps it across runs) and runs it over the bronze table registered as
`bronze`, with no expression built. The queries are compiled from the very expressions every
other engine runs (`build_classified` and the three below), so both paths give the same rows.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Protocol

import ibis
import ibis.expr.types as ir
import pyarrow as pa

from hostcap.config.source import SourceConfig
from hostcap.io.readers import ROW
from hostcap.layers.bronze import FILE
from hostcap.layers.silver import OUTCOME, REASON, build_classified

BRONZE = "bronze"
#: where a row that is not silver goes, with the reason or rule that sent it there
REJECTED = ("quarantine", "excluded")
UNPARSED = "_unparsed"


def outcome_counts(classified: ir.Table) -> ir.Table:
    """Every count a source's report needs, in one small query: rows per outcome and reason,
    and whether the silver ones have an unparsed value."""
    unparsed = (classified[OUTCOME] == "silver") & (classified.unparsed_values != "")
    return classified.group_by(classified[OUTCOME], classified[REASON], **{UNPARSED: unparsed}).aggregate(n=classified.count())


def silver_rows(classified: ir.Table) -> ir.Table:
    return classified.filter(classified[OUTCOME] == "silver").drop(OUTCOME, REASON)


def rejected_rows(bronze: ir.Table, classified: ir.Table, outcome: str) -> ir.Table:
    """The bronze rows with `outcome` (quarantine, excluded), as received, with their reason."""
    picked = classified.filter(classified[OUTCOME] == outcome).select(FILE, ROW, REASON)
    return bronze.inner_join(picked, [FILE, ROW]).order_by([FILE, ROW])


class _Compiling:
    """The `Stages` of build_classified for compiling: each stage becomes one SQL statement,
    and the next stage reads it as a table of that name."""

    def __init__(self, dialect: str):
        self.dialect = dialect
        self.statements: list[tuple[str, str]] = []

    def stage(self, hint: str, expr: ir.Table) -> ir.Table:
        self.statements.append((hint, ibis.to_sql(expr, dialect=self.dialect)))
        return ibis.table(expr.schema(), name=hint)

    materialize = stage


def _schema_text(schema: pa.Schema) -> str:
    return base64.b64encode(schema.serialize().to_pybytes()).decode()


@dataclass(frozen=True)
class SilverPlan:
    """Stages to create in order (name, SELECT), then the queries read from the last one; the
    Arrow schema of each query's result, as the expression path returns it."""

    stages: list[tuple[str, str]]
    counts: str
    silver: str
    rejected: dict[str, str]
    schemas: dict[str, str]

    @classmethod
    def compile(cls, config: SourceConfig, bronze_schema: pa.Schema, dialect: str) -> SilverPlan:
        bronze = ibis.table(ibis.Schema.from_pyarrow(bronze_schema), name=BRONZE)
        compiling = _Compiling(dialect)
        classified = build_classified(config, bronze, compiling)
        results = {"silver": silver_rows(classified), **{o: rejected_rows(bronze, classified, o) for o in REJECTED}}
        sql = {name: ibis.to_sql(expr, dialect=dialect) for name, expr in results.items()}
        return cls(
            stages=compiling.statements,
            counts=ibis.to_sql(outcome_counts(classified), dialect=dialect),
            silver=sql["silver"],
            rejected={o: sql[o] for o in REJECTED},
            schemas={name: _schema_text(expr.schema().to_pyarrow()) for name, expr in results.items()},
        )

    @classmethod
    def from_dict(cls, data: dict) -> SilverPlan:
        return cls(
            stages=[(name, sql) for name, sql in data["stages"]],
            counts=data["counts"],
            silver=data["silver"],
            rejected=dict(data["rejected"]),
            schemas=dict(data["schemas"]),
        )

    def to_dict(self) -> dict:
        return {"stages": self.stages, "counts": self.counts, "silver": self.silver, "rejected": self.rejected, "schemas": self.schemas}

    def schema(self, result: str) -> pa.Schema:
        return pa.ipc.read_schema(pa.py_buffer(base64.b64decode(self.schemas[result])))


def plan_identity(config: SourceConfig, bronze_schema: pa.Schema, dialect: str) -> dict:
    """Everything a silver plan is compiled from, besides the code: the key of its cache entry."""
    return {
        "plan": "silver",
        "dialect": dialect,
        "config": config.model_dump_json(),
        "bronze": [[field.name, str(field.type)] for field in bronze_schema],
    }


class SqlEngine(Protocol):
    """What running a plan needs from an engine: Arrow in, SQL text run, Arrow out."""

    def register(self, name: str, table: pa.Table) -> None: ...

    def create(self, name: str, sql: str) -> None: ...

    def query(self, sql: str, schema: pa.Schema | None = None) -> pa.Table: ...


class ExpressionEngine(Protocol):
    """What running the expressions needs from an engine (hostcap.engine.Engine)."""

    def from_arrow(self, hint: str, table: pa.Table) -> ir.Table: ...

    def stage(self, hint: str, expr: ir.Table) -> ir.Table: ...

    def materialize(self, hint: str, expr: ir.Table) -> ir.Table: ...

    def to_arrow(self, expr: ir.Table) -> pa.Table: ...


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


class PlannedSilver:
    """A source's silver results from its compiled plan, on an engine session of its own: the
    same results as ExpressionSilver's, with no expression built."""

    def __init__(self, engine: SqlEngine, plan: SilverPlan, bronze: pa.Table):
        self.engine = engine
        self.plan = plan
        engine.register(BRONZE, bronze)
        for name, sql in plan.stages:
            engine.create(name, sql)

    def counts(self) -> list[dict]:
        return self.engine.query(self.plan.counts).to_pylist()

    def silver(self) -> pa.Table:
        return self.engine.query(self.plan.silver, self.plan.schema("silver"))

    def rejected(self, outcome: str) -> pa.Table:
        return self.engine.query(self.plan.rejected[outcome], self.plan.schema(outcome))

"""Gold as expressions, and compiled to SQL text from them.

`gold_tables` is the one description of how gold is made from silver; every engine runs it. An
engine that runs SQL text (DuckDB) gets it as a `GoldPlan` (hostcap.layers.plans) instead: the
same expressions compiled over placeholder tables, kept in the plan cache under the silver
schemas, the utilities kept from the published snapshot and the code, and run as text over the
silver registered under the placeholders' names.
"""

from __future__ import annotations

from collections.abc import Callable

import ibis
import ibis.expr.types as ir
import pyarrow as pa

from hostcap.checks import GOLD_KEYS
from hostcap.config.source import SourceConfig
from hostcap.io.readers import ROW
from hostcap.layers import gold as gold_layer
from hostcap.layers.bronze import LINEAGE
from hostcap.layers.plans import (
    FAMILIES,
    ORDER,
    OUTCOME,
    REASON,
    GoldPlan,
    gold_input,
    gold_published,
    gold_written,
    schema_text,
)
from hostcap.layers.silver import build_classified
from hostcap.layers.silver_plan import Compiling, ExpressionEngine


def empty_silver(family: str, scan: Callable[[str, pa.Table], ir.Table], stages: ExpressionEngine | Compiling) -> ir.Table:
    """A silver table with no rows and the family's canonical schema, for a gold with no such
    source: what `build_classified` makes of an empty bronze table."""
    stub = {"native_feeder_id": "id"} if family == "network" else {"native_der_id": "id", "nameplate_kw": "kw"}
    config = SourceConfig.model_validate(
        {
            "utility": "none", "dataset": "network" if family == "network" else "installed_der",
            "description": "", "location": "", "read": {"type": "csv"}, "columns": stub,
            **({"network": {"grain": "feeder"}} if family == "network" else {"der": {"status": "installed"}}),
        }
    )  # fmt: skip
    empty = pa.table({name: pa.array([], pa.int64() if name == ROW else pa.string()) for name in LINEAGE})
    return build_classified(config, scan(f"empty_{family}", empty), stages).drop(OUTCOME, REASON)


def _union(tables: list[ir.Table]) -> ir.Table:
    return ibis.union(*tables) if len(tables) > 1 else tables[0]


#: the stages of the latest network rows and of the DER records: each keeps the latest of every
#: key of a union of silver, and its compiled SQL computes its subqueries again at each read
#: rather than keep them (see `_recomputed`)
LATEST_NETWORK = "latest_network"
GOLD_DERS = "gold_ders"
_RECOMPUTED = (LATEST_NETWORK, GOLD_DERS)
#: the stage of the feeders, which keeps its subqueries (the vertices of every line, read several times)
GOLD_FEEDERS = "gold_feeders"


def gold_tables(
    stages: ExpressionEngine | Compiling,
    silver: dict[str, list[ir.Table]],
    kept: tuple[dict[str, ir.Table], set[str]] | None = None,
) -> dict[str, ir.Table]:
    """Each gold table's expression from every source's silver (`silver[family]`, none empty),
    with `stages` materializing the steps read more than once. With `kept` (published gold
    tables and some utilities), those utilities' rows are taken from the published tables as they
    are (see `hostcap.gold_reuse`)."""
    network = _union(silver["network"])
    latest = stages.materialize(LATEST_NETWORK, gold_layer.latest_network_rows(network))
    ders = stages.materialize(GOLD_DERS, gold_layer.build_ders(_union(silver["der"]), gold_layer.known_feeder_ids(network)))
    feeders = stages.materialize(GOLD_FEEDERS, gold_layer.build_feeders(latest, ders, stages.shares_subqueries))
    tables = {
        "feeders": feeders.select(gold_layer.FEEDER_COLUMNS),
        "feeder_segments": gold_layer.build_segments(latest),
        "substations": gold_layer.build_substations(feeders),
        "ders": ders,
    }
    if kept is None:
        return tables
    published, utilities = kept
    return {name: ibis.union(fresh, kept_rows(fresh, published[name], utilities)) for name, fresh in tables.items()}


def kept_rows(fresh: ir.Table, published: ir.Table, utilities: set[str]) -> ir.Table:
    """The published rows of the kept `utilities`, shaped as the `fresh` table's rows."""
    rows = published.filter(published.utility.isin(sorted(utilities))).select(fresh.columns)
    return rows.cast(fresh.schema())


def facts_queries(gold: dict[str, ir.Table]) -> tuple[ir.Table, ir.Table]:
    """The checks' facts in two small queries over the written gold: per table its rows, its
    key's distinct and null values (and the feeders flagged `invalid_capacity`); the utilities present."""
    per_table = []
    for name, key in GOLD_KEYS.items():
        table = gold[name]
        flagged = ibis.literal(0, "int64")
        if name == "feeders":
            flagged = ibis.coalesce(table.quality_flags.split(",").contains("invalid_capacity").cast("int64").sum(), 0)
        facts = table.aggregate(
            rows=table.count(),
            distinct=table[key].nunique(),
            nulls=ibis.coalesce(table[key].isnull().cast("int64").sum(), 0),
            flagged=flagged,
        )
        per_table.append(facts.mutate(table=ibis.literal(name)))
    utilities = ibis.union(gold["feeders"].select("utility"), gold["ders"].select("utility"), distinct=True)
    return ibis.union(*per_table), utilities


def _placeholder(name: str, schema: pa.Schema) -> ir.Table:
    return ibis.table(ibis.Schema.from_pyarrow(schema), name=name)


def compile_gold(
    silver: dict[str, list[pa.Schema]], kept: tuple[dict[str, pa.Schema], set[str]] | None, dialect: str
) -> GoldPlan:
    """The plan of gold over silver tables with these schemas per family (and, with `kept`,
    published gold tables with these schemas whose rows of those utilities are kept)."""
    compiling = Compiling(dialect)
    empty = {}
    inputs = {}
    for family in FAMILIES:
        schemas = silver[family]
        if not schemas:
            schema = empty_silver(family, lambda n, t: _placeholder(n, t.schema), Compiling(dialect)).schema().to_pyarrow()
            empty[family] = schema_text(schema)
            schemas = [schema]
        inputs[family] = [_placeholder(gold_input(family, i), schema) for i, schema in enumerate(schemas)]
    tables = gold_tables(compiling, inputs)
    kept_tables = {}
    if kept is not None:
        # the kept rows are a query of their own, left in the published file's order (already
        # gold's order, which is by utility first), and merged with the rebuilt rows by utility
        # as they are written (hostcap.layers.plans.merged_by_utility) rather than sorted again
        published = {name: _placeholder(gold_published(name), schema) for name, schema in kept[0].items()}
        kept_tables = {
            name: ibis.to_sql(kept_rows(fresh, published[name], kept[1]), dialect=dialect) for name, fresh in tables.items()
        }
    written = {name: _placeholder(gold_written(name), expr.schema().to_pyarrow()) for name, expr in tables.items()}
    per_table, utilities = facts_queries(written)
    return GoldPlan(
        stages=[
            (name, _recomputed(sql, dialect, written_out=name == LATEST_NETWORK) if name in _RECOMPUTED else sql)
            for name, sql in compiling.statements
        ],
        tables={name: ibis.to_sql(expr.order_by(ORDER[name]), dialect=dialect) for name, expr in tables.items()},
        schemas={name: schema_text(expr.schema().to_pyarrow()) for name, expr in tables.items()},
        reads={**compiling.reads, **{name: sorted(compiling.statements_read(expr)) for name, expr in tables.items()}},
        facts=(ibis.to_sql(per_table, dialect=dialect), ibis.to_sql(utilities, dialect=dialect)),
        empty=empty,
        kept=kept_tables,
    )


def _recomputed(sql: str, dialect: str, written_out: bool) -> str:
    """`sql` with every common table expression computed again where it is read, not kept:
    marked NOT MATERIALIZED, or, `written_out`, written out as a subquery at each read. The
    latest of each key of a union of silver (`gold._keep_latest`) reads the union twice (the
    files in it, then the rows) and the union with its order key twice (the winner of each key,
    then the rows), and each first read needs a few columns. Kept, they were copies of all the
    silver read; read again, they are scans of the silver, which read only the columns needed.

    DuckDB still keeps the rows of a NOT MATERIALIZED one that is read more than once, every
    column of them, so the latest network rows (wide rows, with lines) have theirs written out:
    at scale 1 that stage takes a fifth less time. The DER records, written out, took longer.

    Computed twice, a subquery must give the same rows twice: these stages' are deterministic
    (their one window numbers distinct file names in order; the order key is file and row). A
    subquery with a random value, or a window or limit over a partial order, must not be in a
    stage named here. tests/test_plan_cache.py compares the plan's gold with its expressions',
    whose subqueries DuckDB keeps, on the sample and the real files."""
    import sqlglot
    from sqlglot import exp

    statement = sqlglot.parse_one(sql, dialect=dialect)
    if not written_out:
        for table in statement.find_all(exp.CTE):
            table.set("materialized", False)
        return statement.sql(dialect=dialect, pretty=True)
    bodies = {cte.alias: cte.this for cte in statement.find_all(exp.CTE)}
    if bodies:
        statement.find(exp.With).pop()
    read = [table for table in statement.find_all(exp.Table) if table.name in bodies and not table.db]
    while read:  # a body written out may read another common table expression: write that out too
        for table in read:
            alias = exp.TableAlias(this=exp.to_identifier(table.alias_or_name))
            table.replace(exp.Subquery(this=bodies[table.name].copy(), alias=alias))
        read = [table for table in statement.find_all(exp.Table) if table.name in bodies and not table.db]
    return statement.sql(dialect=dialect, pretty=True)

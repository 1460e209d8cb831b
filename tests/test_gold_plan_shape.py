"""Gold's compiled plan, as DuckDB runs it, never makes more rows at one step than gold has to
read: a join that multiplies rows (each segment of a feeder with each DER on it) costs time and
memory that grow with the product of the two, where the result needs neither."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pyarrow as pa

from hostcap.config import load_source_configs
from hostcap.engine.duckdb import DuckDBEngine
from hostcap.layers.gold_plan import compile_gold
from hostcap.layers.plans import FAMILIES, gold_input
from tests.conftest import CONFIGS, Run


def _operators(node: dict) -> Iterator[dict]:
    yield node
    for child in node.get("children", []):
        yield from _operators(child)


def _steps_of_each_stage(run: Run, profile: Path) -> tuple[dict[str, list[dict]], dict[str, list[pa.Table]]]:
    """Per stage of gold's plan over the run's silver, the operators DuckDB ran (each with the
    rows it made, `intermediate_rows`); and the silver, per family."""
    family = {c.source_id: c.family for c in load_source_configs(CONFIGS)}
    silver = {name: [] for name in FAMILIES}
    for source_id in run.lake.read_manifest(run.lake.require_current()):
        silver[family[source_id]].append(run.lake.read_table(source_id, "silver"))
    plan = compile_gold({name: [t.schema for t in tables] for name, tables in silver.items()}, None, "duckdb")
    engine = DuckDBEngine(threads=1)
    try:
        for name, tables in silver.items():
            for i, table in enumerate(tables):
                engine.register(gold_input(name, i), table)
        steps = {}
        for name, sql in plan.stages:
            engine.db.execute(f"PRAGMA enable_profiling = 'json'; PRAGMA profiling_output = '{profile}'")
            engine.create(name, sql)
            engine.db.execute("PRAGMA disable_profiling")
            steps[name] = [op for root in json.loads(profile.read_text())["operator"] for op in _operators(root)]
        return steps, silver
    finally:
        engine.close()


def test_no_step_of_gold_makes_more_rows_than_its_inputs_or_the_lines_vertices(
    refreshed: Callable[[str, str], Run], tmp_path: Path
):
    run = refreshed("sample", "duckdb")
    steps, silver = _steps_of_each_stage(run, tmp_path / "profile.json")
    rows = lambda op: op["intermediate_rows"]  # noqa: E731
    # the one step that rightly makes more rows than it reads: each line's vertices, one row each
    vertices = max(rows(op) for ops in steps.values() for op in ops if op["type"] == "UNNEST")
    largest = max(vertices, *(sum(t.num_rows for t in tables) for tables in silver.values()))
    assert vertices > 0  # the sample has lines, so the bound is not the inputs' alone
    for stage, ops in steps.items():
        for op in ops:
            assert rows(op) <= largest, (stage, op["type"], op["extra_info"], rows(op), largest)

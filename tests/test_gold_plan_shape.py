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


def _semi_joins_on_the_latest(ops: list[dict]) -> int:
    """How many of the steps pick the latest row of each key (gold._keep_latest's semi join)."""
    return sum(
        1
        for op in ops
        if op["type"] == "HASH_JOIN"
        and op["extra_info"].get("Join Type") == "SEMI"
        and "_winner" in str(op["extra_info"].get("Conditions"))
    )


def test_each_feeder_is_picked_and_each_binding_limit_taken_once(refreshed: Callable[[str, str], Run], tmp_path: Path):
    """The feeders' stage picks each feeder's representative row once (the DER added since the
    study reads each feeder's date from the latest rows, not from a second copy of the feeders'
    joins), and the least of the published limits is written once per table that has one (the
    criterion that binds is chosen by comparing each limit with it by name)."""
    run = refreshed("sample", "duckdb")
    steps, silver = _steps_of_each_stage(run, tmp_path / "profile.json")
    assert _semi_joins_on_the_latest(steps["gold_feeders"]) == 1
    plan = compile_gold({name: [t.schema for t in tables] for name, tables in silver.items()}, None, "duckdb")
    assert dict(plan.stages)["gold_feeders"].count("LEAST(") == 1
    assert plan.tables["feeder_segments"].count("LEAST(") == 1

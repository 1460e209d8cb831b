"""Compiled silver plans: built once per config, header set and code, never served for any other,
and giving exactly the rows the expressions give."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pyarrow as pa
import pytest

from hostcap import plan_cache
from hostcap.config import Settings, load_source_configs
from hostcap.core import Hostcap
from hostcap.engine.duckdb import DuckDBEngine
from hostcap.io.readers import read_file
from hostcap.layers.bronze import ReadResult, build_bronze
from hostcap.layers.silver_plan import REJECTED, ExpressionSilver, PlannedSilver, SilverPlan, plan_identity
from hostcap.refresh import new_run_id
from hostcap.seal import to_parquet
from tests.conftest import CONFIGS, REAL_FILES, SAMPLE, copy_configs

SOURCE = "national_grid/network"
#: what a tampered plan's counts query reports, so a refresh that used it is recognized
MARKER = 424242


def _bronze(config, files: list[Path]) -> pa.Table:
    reads = [ReadResult(str(f), "0" * 64, read_file(f.read_bytes(), config.read, config.source_id, str(f))) for f in files]
    return build_bronze(config, reads, "run")


def _assert_same_results(config, bronze: pa.Table) -> None:
    """The plan, through its JSON form as the cache keeps it, gives byte for byte what the expressions give."""
    plan = SilverPlan.from_dict(json.loads(json.dumps(SilverPlan.compile(config, bronze.schema, "duckdb").to_dict())))
    expected_engine, planned_engine = DuckDBEngine(), DuckDBEngine()
    try:
        expected = ExpressionSilver(expected_engine, config, expected_engine.from_arrow("bronze", bronze))
        planned = PlannedSilver(planned_engine, plan, bronze)
        key = lambda row: json.dumps(row, sort_keys=True)  # noqa: E731
        assert sorted(map(key, planned.counts())) == sorted(map(key, expected.counts())), config.source_id
        assert to_parquet(planned.silver()) == to_parquet(expected_engine.to_arrow(expected.silver())), config.source_id
        for outcome in REJECTED:
            assert to_parquet(planned.rejected(outcome)) == to_parquet(expected_engine.to_arrow(expected.rejected(outcome))), (
                config.source_id, outcome
            )
    finally:
        expected_engine.close()
        planned_engine.close()


def test_a_plan_gives_the_expressions_rows_on_the_sample():
    configs = load_source_configs(CONFIGS)
    for config in configs:
        _assert_same_results(config, _bronze(config, sorted((SAMPLE / config.location).glob(config.read.pattern))))
    assert len(configs) >= 10


def test_a_plan_gives_the_expressions_rows_on_the_real_files(real_dir: Path):
    configs = {c.source_id: c for c in load_source_configs(CONFIGS)}
    for source_id, name in REAL_FILES.items():
        _assert_same_results(configs[source_id], _bronze(configs[source_id], [real_dir / name]))


def test_the_key_changes_with_config_headers_types_and_code(monkeypatch: pytest.MonkeyPatch):
    config = next(c for c in load_source_configs(CONFIGS) if c.source_id == SOURCE)
    schema = pa.schema([("FEEDER", pa.string()), ("_row", pa.int64())])
    key = lambda c, s: plan_cache.plan_key(plan_identity(c, s, "duckdb"))  # noqa: E731
    base = key(config, schema)
    assert key(config, schema) == base
    changed = [
        key(config.model_copy(update={"null_tokens": [*config.null_tokens, "UNKNOWN"]}), schema),
        key(config, pa.schema([("Feeder", pa.string()), ("_row", pa.int64())])),
        key(config, pa.schema([("_row", pa.int64()), ("FEEDER", pa.string())])),
        key(config, pa.schema([("FEEDER", pa.large_string()), ("_row", pa.int64())])),
        plan_cache.plan_key(plan_identity(config, schema, "spark")),
    ]
    monkeypatch.setattr(plan_cache, "code_version", lambda: "other code")
    changed.append(key(config, schema))
    assert len({base, *changed}) == len(changed) + 1


def _tamper(cache: Path) -> int:
    """Make every cached plan report MARKER loaded rows, so a refresh that used one shows it."""
    entries = list(cache.glob("*.json"))
    for entry in entries:
        plan = json.loads(entry.read_text())
        plan["counts"] = f"SELECT 'silver' AS _outcome, NULL AS _reason, false AS _unparsed, {MARKER}::BIGINT AS n"
        entry.write_text(json.dumps(plan))
    return len(entries)


def test_a_changed_config_header_or_code_is_never_served_an_old_plan(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    source_dir = tmp_path / "src"
    shutil.copytree(SAMPLE / SOURCE, source_dir / SOURCE)
    data = next((source_dir / SOURCE).glob("*.csv"))
    configs = copy_configs(tmp_path / "configs", [SOURCE])
    cache = tmp_path / "plans"
    hostcap = Hostcap(
        Settings(source_dir=str(source_dir), lake_dir=str(tmp_path / "lake"), config_dir=configs, plan_cache_dir=cache)
    )

    def loaded() -> int:
        report = hostcap.refresh()
        return report.sources[0].loaded

    def append(line: str) -> None:
        data.write_text(data.read_text().rstrip("\n") + "\n" + line + "\n")

    rows = loaded()
    assert rows != MARKER and _tamper(cache) == 1
    last = data.read_text().splitlines()[-1]

    # the same config and header set, one more row: the cached (here tampered) plan is what runs
    append(last)
    assert loaded() == MARKER

    # a changed config
    config_file = configs / f"{SOURCE}.yaml"
    config_file.write_text(config_file.read_text() + "null_tokens: ['N/A', 'TBD']\n")
    assert loaded() == rows + 1
    _tamper(cache)

    # a changed header set: a new column
    lines = data.read_text().splitlines()
    data.write_text("\n".join([lines[0] + ",Extra"] + [line + ",x" for line in lines[1:]]) + "\n")
    assert loaded() == rows + 1
    _tamper(cache)

    # changed code
    append(last + ",y")
    monkeypatch.setattr(plan_cache, "code_version", lambda: "other code")
    assert loaded() == rows + 2


def test_a_warm_cache_publishes_what_a_cold_one_does(tmp_path: Path):
    """Two refreshes of the sample into two lakes, the first compiling every plan, the second
    reading them all from the cache: every silver, quarantine, excluded and gold file is the same."""
    cache = tmp_path / "plans"
    run_id = new_run_id()  # the same in both lakes: every row carries it
    lakes = []
    for name in ("cold", "warm"):
        hostcap = Hostcap(Settings(source_dir=str(SAMPLE), lake_dir=str(tmp_path / name), config_dir=CONFIGS, plan_cache_dir=cache))
        report = hostcap.refresh(run_id=run_id)
        assert report.published, report.error
        lakes.append(tmp_path / name / "snapshots" / run_id)
    files = [sorted(p.relative_to(lake) for p in lake.rglob("*.parquet")) for lake in lakes]
    assert files[0] == files[1] and len(files[0]) > 10
    for rel in files[0]:
        assert (lakes[0] / rel).read_bytes() == (lakes[1] / rel).read_bytes(), rel

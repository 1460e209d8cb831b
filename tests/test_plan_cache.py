"""Compiled silver plans: built once per config, header set and code, never served for any other,
and giving exactly the rows the expressions give."""

from __future__ import annotations

import functools
import json
import shutil
from pathlib import Path

import pyarrow as pa
import pytest

from hostcap import plan_cache
from hostcap.config import Settings, SourceConfig, load_source_configs
from hostcap.core import Hostcap
from hostcap.engine.duckdb import DuckDBEngine
from hostcap.io.readers import read_file
from hostcap.layers.bronze import ReadResult, build_bronze
from hostcap.layers.gold_plan import (
    compile_gold,
    empty_silver,
    facts_queries,
    gold_tables,
)
from hostcap.layers.plans import (
    ORDER,
    REJECTED,
    GoldPlan,
    PlannedGold,
    PlannedSilver,
    SilverPlan,
    gold_facts,
    gold_identity,
    silver_identity,
)
from hostcap.layers.silver_plan import ExpressionSilver, compile_silver
from hostcap.refresh import new_run_id
from hostcap.seal import to_parquet
from tests.conftest import CONFIGS, REAL_FILES, SAMPLE, copy_configs

SOURCE = "national_grid/network"
#: the reason a tampered plan sets every row aside for, so a refresh that used it is recognized
MARKER = "set aside by a tampered plan"


def _bronze(config, files: list[Path]) -> pa.Table:
    reads = [ReadResult(str(f), "0" * 64, read_file(f.read_bytes(), config.read, config.source_id, str(f))) for f in files]
    return build_bronze(config, reads, "run")


def _assert_same_results(config, bronze: pa.Table) -> None:
    """The plan, through its JSON form as the cache keeps it, gives byte for byte what the expressions give."""
    plan = SilverPlan.from_dict(json.loads(json.dumps(compile_silver(config, bronze.schema, "duckdb").to_dict())))
    expected_engine, planned_engine = DuckDBEngine(), DuckDBEngine()
    try:
        expected = ExpressionSilver(expected_engine, config, expected_engine.from_arrow("bronze", bronze))
        planned = PlannedSilver(planned_engine, plan, bronze)
        key = functools.partial(json.dumps, sort_keys=True)
        assert to_parquet(planned.silver()) == to_parquet(expected_engine.to_arrow(expected.silver())), config.source_id
        assert sorted(map(key, planned.counts())) == sorted(map(key, expected.counts())), config.source_id
        for outcome in REJECTED:
            assert to_parquet(planned.rejected(outcome)) == to_parquet(expected_engine.to_arrow(expected.rejected(outcome))), (
                config.source_id,
                outcome,
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


def test_a_plan_sets_rows_aside_in_file_and_row_order_whatever_order_the_files_are_read_in(tmp_path: Path):
    """The rows set aside are picked out of bronze by position (PlannedSilver.rejected), and come
    out as the expressions give them, ordered by file and row, though bronze holds the files in
    the order they were read: here `b.csv` before `a.csv`, each with rows quarantined and excluded."""
    config = next(c for c in load_source_configs(CONFIGS) if c.source_id == "orange_rockland/network")
    (sample,) = (SAMPLE / config.location).glob(config.read.pattern)
    files = [tmp_path / "b.csv", tmp_path / "a.csv"]
    for file in files:
        shutil.copyfile(sample, file)
    bronze = _bronze(config, files)
    plan = SilverPlan.from_dict(compile_silver(config, bronze.schema, "duckdb").to_dict())
    expected_engine, planned_engine = DuckDBEngine(), DuckDBEngine()
    try:
        expected = ExpressionSilver(expected_engine, config, expected_engine.from_arrow("bronze", bronze))
        planned = PlannedSilver(planned_engine, plan, bronze)
        planned.silver().read_all()
        for outcome in REJECTED:
            rows = planned.rejected(outcome)
            assert to_parquet(rows) == to_parquet(expected_engine.to_arrow(expected.rejected(outcome))), outcome
            names = [file.rsplit("/", 1)[-1] for file in rows.column("_file").to_pylist()]
            assert names[0] == "a.csv" and set(names) == {"a.csv", "b.csv"}, outcome
            keys = list(zip(rows.column("_file").to_pylist(), rows.column("_row").to_pylist(), strict=True))
            assert keys == sorted(keys), outcome
    finally:
        expected_engine.close()
        planned_engine.close()


def test_the_key_changes_with_config_headers_types_and_code(monkeypatch: pytest.MonkeyPatch):
    config = next(c for c in load_source_configs(CONFIGS) if c.source_id == SOURCE)
    schema = pa.schema([("FEEDER", pa.string()), ("_row", pa.int64())])

    def key(config: SourceConfig, schema: pa.Schema) -> str:
        return plan_cache.plan_key(silver_identity(config, schema, "duckdb"))

    base = key(config, schema)
    assert key(config, schema) == base
    changed = [
        key(config.model_copy(update={"null_tokens": [*config.null_tokens, "UNKNOWN"]}), schema),
        key(config, pa.schema([("Feeder", pa.string()), ("_row", pa.int64())])),
        key(config, pa.schema([("_row", pa.int64()), ("FEEDER", pa.string())])),
        key(config, pa.schema([("FEEDER", pa.large_string()), ("_row", pa.int64())])),
        plan_cache.plan_key(silver_identity(config, schema, "spark")),
    ]
    monkeypatch.setattr(plan_cache, "code_version", lambda: "other code")
    changed.append(key(config, schema))
    assert len({base, *changed}) == len(changed) + 1


def test_the_gold_key_changes_with_inputs_schemas_kept_utilities_and_code(monkeypatch: pytest.MonkeyPatch):
    network = pa.schema([("native_feeder_id", pa.string()), ("_row", pa.int64())])
    der = pa.schema([("native_der_id", pa.string()), ("nameplate_kw", pa.float64())])
    gold = pa.schema([("utility", pa.string()), ("feeder_id", pa.string())])

    def key(silver: dict, kept: tuple | None = None, dialect: str = "duckdb") -> str:
        return plan_cache.plan_key(gold_identity(silver, kept, dialect))

    base = key({"network": [network], "der": [der]})
    assert key({"network": [network], "der": [der]}) == base
    changed = [
        key({"network": [network, network], "der": [der]}),
        key({"network": [network], "der": []}),
        key({"network": [network], "der": [der.set(1, pa.field("nameplate_kw", pa.decimal128(38, 9)))]}),
        key({"network": [network], "der": [der]}, ({"feeders": gold}, {"coned"})),
        key({"network": [network], "der": [der]}, ({"feeders": gold}, {"coned", "oru"})),
        key({"network": [network], "der": [der]}, ({"feeders": gold.remove(1)}, {"coned"})),
        key({"network": [network], "der": [der]}, dialect="spark"),
    ]
    monkeypatch.setattr(plan_cache, "code_version", lambda: "other code")
    changed.append(key({"network": [network], "der": [der]}))
    assert len({base, *changed}) == len(changed) + 1


def _tamper(cache: Path) -> int:
    """Make every cached silver plan set every row aside with the reason MARKER, so a refresh
    that used one shows it."""
    entries = [entry for entry in cache.glob("*.json") if "trim" in json.loads(entry.read_text())]
    for entry in entries:
        plan = json.loads(entry.read_text())
        name, sql = plan["stages"][-1]
        plan["stages"][-1] = [name, f"SELECT * REPLACE ('quarantine' AS _outcome, '{MARKER}' AS _reason) FROM ({sql})"]
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

    def loaded() -> int | str:
        """The rows loaded, or MARKER when a tampered plan ran."""
        source = hostcap.refresh().sources[0]
        return MARKER if MARKER in source.quarantine_reasons else source.loaded

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
        hostcap = Hostcap(
            Settings(source_dir=str(SAMPLE), lake_dir=str(tmp_path / name), config_dir=CONFIGS, plan_cache_dir=cache)
        )
        report = hostcap.refresh(run_id=run_id)
        assert report.published, report.error
        lakes.append(tmp_path / name / "snapshots" / run_id)
    files = [sorted(p.relative_to(lake) for p in lake.rglob("*.parquet")) for lake in lakes]
    assert files[0] == files[1] and len(files[0]) > 10
    for rel in files[0]:
        assert (lakes[0] / rel).read_bytes() == (lakes[1] / rel).read_bytes(), rel


def _assert_same_gold(silver: dict[str, list[pa.Table]], kept: tuple[dict[str, pa.Table], set[str]] | None = None) -> None:
    """Gold's plan, through its JSON form as the cache keeps it, writes byte for byte what its
    expressions write, and counts the same facts."""
    schemas = {family: [table.schema for table in tables] for family, tables in silver.items()}
    kept_schemas = None if kept is None else ({name: t.schema for name, t in kept[0].items()}, kept[1])
    plan = GoldPlan.from_dict(json.loads(json.dumps(compile_gold(schemas, kept_schemas, "duckdb").to_dict())))
    expected_engine, planned_engine = DuckDBEngine(), DuckDBEngine()
    try:
        scanned = {
            family: [expected_engine.from_arrow("silver", t) for t in tables]
            or [empty_silver(family, expected_engine.from_arrow, expected_engine)]
            for family, tables in silver.items()
        }
        published = None if kept is None else ({n: expected_engine.from_arrow(n, t) for n, t in kept[0].items()}, kept[1])
        expressions = gold_tables(expected_engine, scanned, published)
        expected = {name: expected_engine.to_arrow(expr.order_by(ORDER[name])) for name, expr in expressions.items()}
        written: dict[str, pa.Table] = {}
        facts = PlannedGold(planned_engine, plan, silver, None if kept is None else kept[0]).build(
            lambda name, rows: written.setdefault(name, rows.read_all())
        )
        assert written.keys() == expected.keys()
        for name, table in expected.items():
            assert to_parquet(written[name]) == to_parquet(table), name
        per_table, utilities = facts_queries({name: expected_engine.from_arrow(name, table) for name, table in expected.items()})
        assert facts == gold_facts(
            expected_engine.to_arrow(per_table).to_pylist(), expected_engine.to_arrow(utilities).to_pylist()
        )
    finally:
        expected_engine.close()
        planned_engine.close()


@pytest.mark.parametrize("dataset", ["sample", "real"])
def test_gold_s_plan_writes_what_its_expressions_write(dataset: str, refreshed, request: pytest.FixtureRequest):
    if dataset == "real":
        request.getfixturevalue("real_dir")  # skips when the real files are absent
    run = refreshed(dataset, "duckdb")
    silver: dict[str, list[pa.Table]] = {"network": [], "der": []}
    for source in run.report.sources:
        family = "network" if source.source.endswith("/network") else "der"
        silver[family].append(run.lake.read_table(source.source, layer="silver"))
    assert silver["network"] and silver["der"]
    _assert_same_gold(silver)
    # one utility's rows kept from the published gold, the others' rebuilt
    utility = run.report.sources[0].source.split("/")[0]
    others = {f: [t for t in ts if t.num_rows == 0 or t["utility"][0].as_py() != utility] for f, ts in silver.items()}
    _assert_same_gold(others, ({name: run.lake.read_table(name) for name in ORDER}, {utility}))
    # no DER source at all: gold is made with an empty DER silver
    _assert_same_gold({"network": silver["network"], "der": []})

"""The registry of gold tables and fields is the one description gold, the API and exports follow."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from hostcap.registry import QUALITY_FLAGS, TABLES
from tests.conftest import REPO


@pytest.mark.parametrize("dataset", ["sample", "real"])
def test_every_gold_column_is_registered_and_every_registered_column_is_in_gold(dataset, refreshed, request):
    if dataset == "real":
        request.getfixturevalue("real_dir")
    run = refreshed(dataset, "duckdb")
    assert run.report.published
    for name, table in TABLES.items():
        assert run.gold(name).column_names == table.columns, name
        # as served and exported: gold's columns, then the ones the served table adds
        assert run.hostcap.gold_table(name).column_names == table.served_columns, name


def test_every_field_is_described_typed_and_sourced():
    for table in TABLES.values():
        assert table.key in table.columns and set(table.order) <= set(table.columns)
        for target, key in table.foreign_keys.values():
            assert TABLES[target].key == key
        for spec in table.fields:
            assert spec.description.endswith("."), (table.name, spec.name)
            assert spec.origin in ("utility", "hostcap")
            if spec.type == "flags":
                assert spec.values and set(spec.values) <= set(QUALITY_FLAGS)


def test_openapi_field_descriptions_come_from_the_registry(sample_run):
    from hostcap.api import create_app

    components = create_app(sample_run.hostcap).openapi()["components"]["schemas"]
    models = {
        "feeders": "FeederPublic",
        "feeder_segments": "SegmentPublic",
        "substations": "SubstationPublic",
        "ders": "DerPublic",
    }
    for name, model in models.items():
        properties = components[model]["properties"]
        assert list(properties) == TABLES[name].served_columns
        for spec in TABLES[name].fields:
            assert properties[spec.name]["description"] == spec.described(), (model, spec.name)
    statuses = components["DerPublic"]["properties"]["status"]
    assert statuses["enum"] == list(TABLES["ders"].field("status").values)
    assert "`transmission`: Transmission-level project" in components["DerPublic"]["properties"]["quality_flags"]["description"]


def test_the_registry_imports_nothing_heavy():
    """Gold's column lists and keys are read by refreshes that must not import Ibis or pyarrow."""
    code = "import sys, hostcap.registry; print(json.dumps(sorted(sys.modules)))"
    out = subprocess.run(
        [sys.executable, "-c", f"import json; {code}"],
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONPATH": str(REPO / "src")},
    ).stdout
    loaded = {name.split(".")[0] for name in json.loads(out)}
    assert not loaded & {"ibis", "pyarrow", "pydantic", "fastapi", "duckdb"}

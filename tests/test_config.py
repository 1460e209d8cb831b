"""Source configs: the repository's configs are valid, and a bad one is reported with file and field."""

from __future__ import annotations

from pathlib import Path

import pytest

from hostcap.config import load_source_configs
from hostcap.errors import ConfigError
from tests.conftest import CONFIGS

EXPECTED_SOURCES = {
    "nyseg_rge/network",
    "nyseg_rge/installed_der",
    "nyseg_rge/planned_der",
    "national_grid/network",
    "national_grid/installed_der",
    "national_grid/planned_der",
    "coned/network",
    "coned/der",
    "orange_rockland/network",
    "orange_rockland/der",
    "central_hudson/network",
    "central_hudson/der",
}


def test_one_config_per_source():
    configs = load_source_configs(CONFIGS)
    assert {c.source_id for c in configs} == EXPECTED_SOURCES
    sir = [c for c in configs if c.dataset == "der"]
    assert {c.read.sheet for c in sir} == {"New Template", "SIR", "Inventory"}
    assert all(c.der.status_map == {"Y": "installed", "N": "planned", "W": "withdrawn"} for c in sir)


def write(root: Path, rel: str, text: str) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


GOOD = """
utility: acme
dataset: network
description: x
location: acme/network
read: {type: csv}
network: {grain: feeder}
columns:
  native_feeder_id: FEEDER
"""


def test_a_sixth_utility_is_one_yaml_file(tmp_path: Path):
    write(tmp_path, "acme/network.yaml", GOOD)
    (config,) = load_source_configs(tmp_path)
    assert config.source_id == "acme/network"
    assert config.columns["native_feeder_id"].name == "FEEDER"


def test_every_problem_is_reported_with_file_and_field(tmp_path: Path):
    write(
        tmp_path,
        "acme/network.yaml",
        GOOD.replace("native_feeder_id: FEEDER", "native_feeder_id: F\n  max_hc: X") + "colour: red\n",
    )
    write(
        tmp_path,
        "acme/installed_der.yaml",
        GOOD.replace("dataset: network", "dataset: installed_der").replace("network: {grain: feeder}", "der: {status: maybe}"),
    )
    write(tmp_path, "other/network.yaml", GOOD)
    with pytest.raises(ConfigError) as caught:
        load_source_configs(tmp_path)
    message = caught.value.message
    assert "acme/network.yaml: colour: Extra inputs are not permitted" in message
    assert "acme/installed_der.yaml: der.status: Input should be 'installed', 'planned' or 'withdrawn'" in message
    assert "other/network.yaml: a config for acme/network must live at acme/network.yaml" in message


def test_unknown_canonical_field_and_unmapped_rule_field(tmp_path: Path):
    text = GOOD.replace("native_feeder_id: FEEDER", "native_feeder_id: F\n  max_hc: X")
    write(tmp_path, "acme/network.yaml", text)
    with pytest.raises(ConfigError, match=r"acme/network.yaml: .*unknown canonical field\(s\) for network: max_hc"):
        load_source_configs(tmp_path)
    write(tmp_path, "acme/network.yaml", GOOD + "exclude:\n  - {rule: nj, description: x, field: load_zone, equals_any: [X]}\n")
    with pytest.raises(ConfigError, match="exclude.nj.field: 'load_zone' is not mapped"):
        load_source_configs(tmp_path)


def test_extends_merges_a_template_and_detects_loops(tmp_path: Path):
    write(tmp_path, "_templates/base.yaml", "read: {type: csv, delimiter: ';'}\nnetwork: {grain: segment}\n")
    write(
        tmp_path,
        "acme/network.yaml",
        "extends: ../_templates/base.yaml\n" + GOOD.replace("network: {grain: feeder}\n", "").replace("read: {type: csv}\n", ""),
    )
    (config,) = load_source_configs(tmp_path)
    assert (config.read.delimiter, config.network.grain) == (";", "segment")
    write(tmp_path, "_templates/base.yaml", "extends: base.yaml\n")
    with pytest.raises(ConfigError, match="loops back"):
        load_source_configs(tmp_path)

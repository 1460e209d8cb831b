"""Load every source config, collecting every problem with its file and field before failing."""

from __future__ import annotations

from pathlib import Path

import yaml
from pydantic import ValidationError

from hostcap.config.source import SourceConfig
from hostcap.errors import ConfigError


def _describe(error: ValidationError) -> list[str]:
    problems = []
    for item in error.errors():
        where = ".".join(str(part) for part in item["loc"]) or "(top level)"
        problems.append(f"{where}: {item['msg']}")
    return problems


TEMPLATE_PREFIX = "_"
#: libyaml's parser where PyYAML has it: ten times faster than the pure-Python one, which every
#: command that reads the configs (a refresh, even one with nothing to do) would wait for
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _merge(base: dict, override: dict) -> dict:
    """Deep merge: mappings merge key by key, anything else in `override` replaces `base`."""
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _read_yaml(path: Path, rel: str, seen: tuple[Path, ...] = ()) -> dict:
    """A YAML mapping, with `extends: <relative path>` merged under it (sources of one family
    share a template, so a quirk is described once)."""
    if path in seen:
        raise ConfigError(f"{rel}: `extends` loops back to {path.name}")
    try:
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=_LOADER)
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"{rel}: cannot read YAML: {exc}") from exc
    if not isinstance(raw, dict):
        raise ConfigError(f"{rel}: expected a mapping of settings at the top level")
    parent = raw.pop("extends", None)
    if parent is None:
        return raw
    base = _read_yaml((path.parent / str(parent)).resolve(), f"{rel} (extends {parent})", (*seen, path))
    return _merge(base, raw)


def load_source_config(path: Path, config_dir: Path) -> SourceConfig:
    """Parse and validate one YAML file; raise ConfigError naming the file and every bad field."""
    rel = path.relative_to(config_dir).as_posix()
    raw = _read_yaml(path.resolve(), rel)
    try:
        config = SourceConfig.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError("\n".join(f"{rel}: {p}" for p in _describe(exc))) from exc
    expected = f"{config.utility}/{config.dataset}.yaml"
    if rel != expected:
        raise ConfigError(f"{rel}: a config for {config.source_id} must live at {expected}")
    return config


def load_source_configs(config_dir: Path) -> list[SourceConfig]:
    """Every config under `config_dir`, sorted by source id; all problems reported together."""
    config_dir = Path(config_dir)
    if not config_dir.is_dir():
        raise ConfigError(f"config directory {config_dir} does not exist")
    configs: list[SourceConfig] = []
    problems: list[str] = []
    for path in sorted(config_dir.rglob("*.yaml")):
        if any(part.startswith(TEMPLATE_PREFIX) for part in path.relative_to(config_dir).parts):
            continue
        try:
            configs.append(load_source_config(path, config_dir))
        except ConfigError as exc:
            problems.append(exc.message)
    if problems:
        raise ConfigError("\n".join(problems))
    if not configs:
        raise ConfigError(f"no source configs (*.yaml) under {config_dir}")
    return sorted(configs, key=lambda c: c.source_id)

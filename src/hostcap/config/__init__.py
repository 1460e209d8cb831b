"""Configuration: project settings (from the environment) and one validated model per source.

The names below are imported from their modules when first used (PEP 562): building the source
config models is most of this package's import, and a command that reads no source config
(`runs`, `snapshots`, `--help`) has no use for them.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

_MODULES = {"Settings": "settings", "SourceConfig": "source", "load_source_configs": "loader"}

__all__ = ["Settings", "SourceConfig", "load_source_configs"]

if TYPE_CHECKING:
    from hostcap.config.loader import load_source_configs
    from hostcap.config.settings import Settings
    from hostcap.config.source import SourceConfig


def __getattr__(name: str) -> object:
    if name not in _MODULES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{_MODULES[name]}"), name)

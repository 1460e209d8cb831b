"""Configuration: project settings (from the environment) and one validated model per source."""

from hostcap.config.loader import load_source_configs
from hostcap.config.settings import Settings
from hostcap.config.source import SourceConfig

__all__ = ["Settings", "SourceConfig", "load_source_configs"]

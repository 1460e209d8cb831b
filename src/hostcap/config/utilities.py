"""The utilities the source configs describe, with their names for people.

A utility's display name is given once, in one of its configs (`display_name`); the list of
utilities is the configs' own, so neither lives in code (the explorer, `/v1/utilities` and the
data dictionary read it from here).
"""

from __future__ import annotations

from hostcap.config.source import SourceConfig
from hostcap.errors import ConfigError


def utility_names(configs: list[SourceConfig]) -> dict[str, str]:
    """`{utility code: display name}` of every configured utility, by code; a utility none of whose
    configs names it is shown by its code. Two configs naming one utility differently fail."""
    names: dict[str, str] = {}
    for config in configs:
        name = config.display_name
        if name is None:
            continue
        if names.get(config.utility, name) != name:
            raise ConfigError(
                f"{config.utility}: display_name {name!r} ({config.utility}/{config.dataset}.yaml) differs from "
                f"{names[config.utility]!r} given in another of its configs"
            )
        names[config.utility] = name
    return {utility: names.get(utility, utility) for utility in sorted({c.utility for c in configs})}

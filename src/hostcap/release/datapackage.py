"""The bundle's `datapackage.json`: a Frictionless Data Package describing its CSV tables.

Each gold table is a tabular resource (its CSV, with the sha256 and size Frictionless checks)
with a Table Schema (`fields`: types, units, descriptions; primary and foreign keys). Its
`sources` and `licenses` come from the source configs that feed it (`publication:` in each
YAML): network sources feed feeders, segments and substations, DER sources the DER table. The
Parquet file and DuckDB table holding the same rows are named beside each resource.
"""

from __future__ import annotations

from collections.abc import Iterable

import pyarrow as pa

from hostcap.config import SourceConfig
from hostcap.registry import TABLES
from hostcap.release import fields

#: the source family (`SourceConfig.family`) whose configs feed each table
_FAMILY = {"feeders": "network", "feeder_segments": "network", "substations": "network", "ders": "der"}


def _source(config: SourceConfig) -> dict:
    publication = config.publication
    title = f"{publication.publisher}: {config.description}" if publication else config.description
    return {"title": title, **({"path": publication.url} if publication and publication.url else {})}


def _license(config: SourceConfig) -> dict | None:
    publication = config.publication
    if publication is None:
        return None
    return {
        "name": "publisher-terms",
        "title": f"{publication.publisher}: {publication.terms}",
        **({"path": publication.url} if publication.url else {}),
    }


def _unique(items: Iterable[dict | None]) -> list[dict]:
    seen: list[dict] = []
    for item in items:
        if item is not None and item not in seen:
            seen.append(item)
    return seen


def resource(table: str, arrow: pa.Schema, files: dict[str, str], digest: tuple[str, int], configs: list[SourceConfig]) -> dict:
    """The resource of one table; `files` maps each format (csv, parquet, duckdb) to its path in the bundle."""
    feeding = [config for config in configs if config.family == _FAMILY[table]]
    registered = TABLES[table]
    return {
        "name": table,
        "title": registered.title,
        "description": registered.description,
        "path": files["csv"],
        "profile": "tabular-data-resource",
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8",
        "hash": f"sha256:{digest[0]}",
        "bytes": digest[1],
        "schema": fields.schema(table, arrow),
        "sources": [_source(config) for config in feeding],
        "licenses": _unique(_license(config) for config in feeding),
        "hostcap:parquet": files["parquet"],
        "hostcap:duckdb": f"{files['duckdb']}#{table}",
    }


def package(snapshot: str, created: str, resources: list[dict], configs: list[SourceConfig]) -> dict:
    """The whole package of one snapshot."""
    return {
        "profile": "tabular-data-package",
        "name": f"hostcap-{snapshot.lower()}",
        "id": snapshot,
        "title": f"New York hosting capacity and DER, snapshot {snapshot}",
        "description": "Hosting capacity of New York's distribution feeders and the distributed energy resources "
        "installed and queued on them, from the five utilities' own publications, built by hostcap. "
        "Every table is here as CSV (this package's resources), Parquet and a DuckDB database; CHANGES.md "
        "says what changed since the previous publish.",
        "created": created,
        "sources": [_source(config) for config in configs],
        "licenses": _unique(_license(config) for config in configs),
        "resources": resources,
    }

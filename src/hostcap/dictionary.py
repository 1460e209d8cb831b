"""The data dictionary: every gold table and field as the registry describes them, and per
utility its sources (dataset, upstream, known quirks) with the dates of the data published.

Generated, never written by hand: the tables from hostcap.registry, the utilities and their
sources from the source configs (a config's `description` is where its quirks are told), and the
as-of dates from the published gold, whose rows each name the source that loaded them.
"""

from __future__ import annotations

from dataclasses import asdict

import pyarrow as pa

from hostcap.config import SourceConfig
from hostcap.config.utilities import utility_names
from hostcap.registry import QUALITY_FLAGS, TABLES, Table

#: per source family, the gold table its rows land in and the dates that say how current they are
_DATES = {
    "network": ("feeders", ("hca_refresh_date", "der_data_date")),
    "der": ("ders", ("application_date", "queue_date", "completion_date")),
}


def _table(table: Table) -> dict:
    fields = []
    for spec in table.fields:
        described = asdict(spec)
        described["values"] = dict(spec.values) if spec.values else None
        fields.append({**described, "unit": spec.unit})
    return {
        "name": table.name,
        "title": table.title,
        "description": table.description,
        "key": table.key,
        "order": list(table.order),
        "foreign_keys": {c: list(target) for c, target in table.foreign_keys.items()},
        "fields": fields,
    }


def source_dates(gold: dict[str, pa.Table]) -> dict[str, dict[str, str | None]]:
    """Per source (`<utility>/<dataset>`), the oldest and newest of each of its dates in the
    published gold (`{"hca_refresh_date_min": …, "hca_refresh_date_max": …}`)."""
    found: dict[str, dict[str, str | None]] = {}
    for table, dates in _DATES.values():
        rows = gold[table].select(["source", *dates])
        rows = pa.table({name: rows.column(name).cast(_plain(rows.schema.field(name).type)) for name in rows.column_names})
        grouped = rows.group_by("source").aggregate([(name, how) for name in dates for how in ("min", "max")])
        for row in grouped.to_pylist():
            source = row.pop("source")
            found[source] = {name: None if value is None else value.isoformat() for name, value in row.items()}
    return found


def _plain(kind: pa.DataType) -> pa.DataType:
    return kind.value_type if pa.types.is_dictionary(kind) else kind


def _source(config: SourceConfig, dates: dict[str, dict[str, str | None]]) -> dict:
    publication = config.publication
    return {
        "source": f"{config.utility}/{config.dataset}",
        "dataset": config.dataset,
        "family": config.family,
        "description": config.description,
        "publisher": publication.publisher if publication else None,
        "url": publication.url if publication else None,
        "terms": publication.terms if publication else None,
        "upstream": config.upstream.model_dump(mode="json", exclude_none=True) if config.upstream else None,
        "as_of": dates.get(f"{config.utility}/{config.dataset}", {}),
    }


def dictionary(configs: list[SourceConfig], dates: dict[str, dict[str, str | None]]) -> dict:
    """The whole dictionary: tables, quality flags, and utilities with their sources."""
    names = utility_names(configs)
    return {
        "tables": [_table(table) for table in TABLES.values()],
        "quality_flags": dict(QUALITY_FLAGS),
        "utilities": [
            {
                "utility": utility,
                "display_name": name,
                "sources": [_source(c, dates) for c in configs if c.utility == utility],
            }
            for utility, name in names.items()
        ],
    }

"""What the release bundle says about each gold table, from the registry (hostcap.registry): its
key, the keys that point into other tables, and per column its type, unit, description and
allowed values.

Columns and types are the published table's own (its Arrow schema, so a bundle can never
describe a column the table does not have); everything else is the registry's, so the bundle
says of a field what `/docs` and `/v1/dictionary` say.
"""

from __future__ import annotations

import pyarrow as pa

from hostcap.registry import TABLES

#: gold keeps flags as one comma-separated text; the API lists them
_FLAGS_NOTE = " In the bundle: one comma-separated text, empty when there are none."


def frictionless_type(kind: pa.DataType) -> str:
    """The Table Schema type of an Arrow column type."""
    if pa.types.is_integer(kind):
        return "integer"
    if pa.types.is_floating(kind) or pa.types.is_decimal(kind):
        return "number"
    if pa.types.is_boolean(kind):
        return "boolean"
    if pa.types.is_date(kind):
        return "date"
    if pa.types.is_timestamp(kind):
        return "datetime"
    return "string"


def field(table: str, column: pa.Field) -> dict:
    """The Table Schema field of one gold column."""
    registered = TABLES[table]
    spec = registered.field(column.name)
    description = spec.described() + (_FLAGS_NOTE if spec.type == "flags" else "")
    out: dict = {"name": column.name, "type": frictionless_type(column.type), "description": description}
    if spec.unit is not None:
        out["unit"] = spec.unit
    if column.name == registered.key:
        out["constraints"] = {"required": True, "unique": True}
    elif spec.values and spec.type == "string":
        out["constraints"] = {"enum": list(spec.values)}
    return out


def schema(table: str, arrow: pa.Schema) -> dict:
    """The Table Schema of a gold table with these columns."""
    registered = TABLES[table]
    return {
        "fields": [field(table, column) for column in arrow],
        "missingValues": [""],
        "primaryKey": [registered.key],
        "foreignKeys": [
            {"fields": [column], "reference": {"resource": target, "fields": [key]}}
            for column, (target, key) in registered.foreign_keys.items()
            if column in arrow.names
        ],
    }

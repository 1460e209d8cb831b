"""What the release bundle says about each gold table: its key, the keys that point into other
tables, and per column its type, unit and description.

This is the one place the bundle reads a table's contract from, until a registry of gold tables
and fields exists to replace it: columns and types are the published table's own (its Arrow
schema, so a bundle can never describe a column the table does not have), descriptions come
from the API's response models (what `/docs` says of the same field), units from the column
names (`_mw`, `_kw`, `_kv`, `_usd`, the naming rule of every gold column) and allowed values
from `hostcap.canonical`.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa
from pydantic import BaseModel

from hostcap.api.schemas.ders import DerPublic
from hostcap.api.schemas.feeders import FeederPublic, SegmentPublic
from hostcap.api.schemas.substations import SubstationPublic
from hostcap.canonical import DER_STATUSES, DER_TYPES


@dataclass(frozen=True)
class TableContract:
    """A gold table: its model (descriptions), primary key and foreign keys (column → (table, column))."""

    title: str
    model: type[BaseModel]
    primary_key: str
    foreign_keys: dict[str, tuple[str, str]]


#: `ders.feeder_id` is no foreign key: a DER record naming a feeder missing from the utility's
#: network data keeps it (flagged `unknown_feeder`), as the utility wrote it
TABLES = {
    "feeders": TableContract("Feeders", FeederPublic, "feeder_id", {"substation_id": ("substations", "substation_id")}),
    "feeder_segments": TableContract("Feeder segments", SegmentPublic, "segment_id", {"feeder_id": ("feeders", "feeder_id")}),
    "substations": TableContract("Substations", SubstationPublic, "substation_id", {}),
    "ders": TableContract("Distributed energy resources", DerPublic, "der_id", {}),
}

_UNITS = {"_mw": "MW", "_kw": "kW", "_kv": "kV", "_usd": "USD"}
_ENUMS = {("ders", "status"): DER_STATUSES, ("ders", "der_type"): DER_TYPES}
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


def unit(column: str) -> str | None:
    return next((u for suffix, u in _UNITS.items() if column.endswith(suffix)), None)


def field(table: str, column: pa.Field) -> dict:
    """The Table Schema field of one gold column."""
    described = TABLES[table].model.model_fields.get(column.name)
    description = described.description if described is not None else None
    if column.name == "quality_flags" and description:
        description += _FLAGS_NOTE
    out: dict = {"name": column.name, "type": frictionless_type(column.type)}
    if description:
        out["description"] = description
    if (found := unit(column.name)) is not None:
        out["unit"] = found
    if column.name == TABLES[table].primary_key:
        out["constraints"] = {"required": True, "unique": True}
    elif (values := _ENUMS.get((table, column.name))) is not None:
        out["constraints"] = {"enum": list(values)}
    return out


def schema(table: str, arrow: pa.Schema) -> dict:
    """The Table Schema of a gold table with these columns."""
    contract = TABLES[table]
    return {
        "fields": [field(table, column) for column in arrow],
        "missingValues": [""],
        "primaryKey": [contract.primary_key],
        "foreignKeys": [
            {"fields": [column], "reference": {"resource": target, "fields": [key]}}
            for column, (target, key) in contract.foreign_keys.items()
            if column in arrow.names
        ],
    }

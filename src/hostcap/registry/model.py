"""The shape of the registry: a gold table and its fields, as plain data.

Plain dataclasses on purpose: gold, the checks and the refresh read their column lists and keys
from here, and a refresh whose plans are cached imports neither Ibis, pyarrow nor pydantic.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

#: a field's logical type: `flags` is a list of quality flags (one comma-separated text in gold)
FieldType = Literal["string", "integer", "number", "boolean", "date", "flags"]
#: published by the utility (as read from its files), or derived by hostcap
Origin = Literal["utility", "hostcap"]

_UNITS = {
    "_mw": "MW",
    "_kw": "kW",
    "_kv": "kV",
    "_usd": "USD",
    "_days": "days",
    "_lon": "degrees east (WGS84)",
    "_lat": "degrees north (WGS84)",
}


@dataclass(frozen=True)
class Field:
    """One field of a gold table: what it holds, in which unit, and where it comes from."""

    name: str
    type: FieldType
    description: str
    example: object = None
    origin: Origin = "hostcap"
    #: the source columns (or hostcap's inputs) it is taken from, where that helps a reader
    source: str | None = None
    nullable: bool = True
    #: the values it may take, each with its meaning; None: any value of its type
    values: Mapping[str, str] | None = None
    #: False for a field the served table adds to gold (hostcap.feeder_view), which gold never stores
    stored: bool = True

    @property
    def unit(self) -> str | None:
        """The unit, read from the name's suffix (the naming rule of every gold column)."""
        return next((unit for suffix, unit in _UNITS.items() if self.name.endswith(suffix)), None)

    def described(self) -> str:
        """The description, followed by the meaning of each allowed value."""
        if not self.values:
            return self.description
        meanings = "; ".join(f"`{value}`: {meaning}" for value, meaning in self.values.items())
        return f"{self.description} Values: {meanings}."


@dataclass(frozen=True)
class Table:
    """A gold table: its key, the order its rows are written in, and its fields in served order."""

    name: str
    title: str
    description: str
    key: str
    order: tuple[str, ...]
    fields: tuple[Field, ...]
    #: column → (table, column) it refers to
    foreign_keys: Mapping[str, tuple[str, str]] = field(default_factory=dict)

    @property
    def columns(self) -> list[str]:
        """Gold's columns, in order."""
        return [f.name for f in self.fields if f.stored]

    @property
    def served_columns(self) -> list[str]:
        """The columns as served and exported: gold's, then those the served table adds."""
        return [f.name for f in self.fields]

    @property
    def view_columns(self) -> list[str]:
        """The columns the served table adds to gold's."""
        return [f.name for f in self.fields if not f.stored]

    def field(self, name: str) -> Field:
        for found in self.fields:
            if found.name == name:
                return found
        raise KeyError(f"{self.name} has no field {name!r}")

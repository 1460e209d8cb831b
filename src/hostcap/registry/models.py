"""Pydantic models of the gold tables, made from the registry: the API's response models and the
diff's references (imported apart from the registry, which stays plain Python).

Each field's Python type follows its registry type (allowed values become an enum), and its
description and example are the registry's, so `/docs`, the release bundle and the data
dictionary say the same of every field, and a field added to the registry is served with its
documentation.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, Field, create_model
from pydantic.fields import FieldInfo

from hostcap.registry import TABLES
from hostcap.registry import Field as RegistryField

_TYPES: dict[str, Any] = {
    "string": str,
    "integer": int,
    "number": float,
    "boolean": bool,
    "date": dt.date,
    "flags": list[str],
}


def field_info(spec: RegistryField) -> FieldInfo:
    """The pydantic field of a registry field: its description (with its allowed values) and example."""
    return Field(description=spec.described(), examples=[spec.example])


def described(table: str, name: str) -> FieldInfo:
    return field_info(TABLES[table].field(name))


def allowed(table: str, name: str) -> Any:
    """The enum (a Literal) of a field's allowed values."""
    return Literal[tuple(TABLES[table].field(name).values or ())]


def annotation(spec: RegistryField) -> Any:
    kind = Literal[tuple(spec.values)] if spec.values and spec.type == "string" else _TYPES[spec.type]
    return kind | None if spec.nullable and spec.type != "flags" else kind


def public_model(name: str, table: str) -> type[BaseModel]:
    """The model of one served row of `table`, named `name`, documented by the table's description."""
    registered = TABLES[table]
    fields = {spec.name: (annotation(spec), field_info(spec)) for spec in registered.fields}
    return create_model(name, __doc__=registered.description, __module__=__name__, **fields)

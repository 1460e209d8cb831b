"""The data dictionary (`/v1/dictionary`): gold's tables and fields, quality flags, utilities and sources."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

from hostcap.api.schemas.common import Meta


class DictionaryField(BaseModel):
    """One field of a gold table."""

    name: str = Field(description="Column name.", examples=["max_hc_mw"])
    type: Literal["string", "integer", "number", "boolean", "date", "flags"] = Field(
        description="Logical type; `flags`: a list of quality flags (one comma-separated text in exports).",
        examples=["number"],
    )
    unit: str | None = Field(description="Unit (`MW`, `kW`, `kV`, `USD`, `days`); null for a field without.", examples=["MW"])
    description: str = Field(description="What the field holds.", examples=["Maximum hosting capacity (MW)."])
    example: Any = Field(description="An example value.", examples=[19.52])
    origin: Literal["utility", "hostcap"] = Field(
        description="`utility`: published by the utility, as read from its files; `hostcap`: derived by hostcap.",
        examples=["utility"],
    )
    source: str | None = Field(
        description="The source columns (or inputs) it is taken from, where told.",
        examples=["feeder_max_hc_mw, else the largest segment_max_hc_mw"],
    )
    nullable: bool = Field(description="Whether the field may be null.", examples=[True])
    values: dict[str, str] | None = Field(
        description="The values it may take, each with its meaning; null: any.",
        examples=[{"installed": "connected to the grid"}],
    )
    stored: bool = Field(
        description="False for a field added when served and exported, which gold does not store.", examples=[True]
    )


class DictionaryTable(BaseModel):
    """One gold table."""

    name: str = Field(description="Table name.", examples=["feeders"])
    title: str = Field(description="Title for people.", examples=["Feeders"])
    description: str = Field(description="What one row is.", examples=["One feeder (circuit) of one utility."])
    key: str = Field(description="The column that identifies a row.", examples=["feeder_id"])
    order: list[str] = Field(
        description="The columns rows are sorted by when written.", examples=[["utility", "native_feeder_id"]]
    )
    foreign_keys: dict[str, list[str]] = Field(
        description="Column → `[table, column]` it refers to.",
        examples=[{"substation_id": ["substations", "substation_id"]}],
    )
    fields: list[DictionaryField] = Field(description="Its fields, in served order.")


class DictionarySource(BaseModel):
    """One source of a utility, as its config describes it, and the dates of its published data."""

    source: str = Field(description="`<utility>/<dataset>`.", examples=["coned/network"])
    dataset: str = Field(description="`network`, `installed_der`, `planned_der` or `der`.", examples=["network"])
    family: Literal["network", "der"] = Field(description="The gold tables it feeds: network or DER.", examples=["network"])
    description: str = Field(
        description="What the source is, and its known quirks (from its config).",
        examples=["Con Edison hosting capacity per feeder segment (ArcGIS export; dates in epoch milliseconds)."],
    )
    publisher: str | None = Field(description="Who publishes the data.", examples=["Con Edison"])
    url: str | None = Field(description="Where the publisher makes the data available.", examples=["https://dps.ny.gov/"])
    terms: str | None = Field(
        description="The terms the data are published under.",
        examples=["public data as the publisher makes it available; the publisher's terms of use apply"],
    )
    upstream: dict[str, Any] | None = Field(
        description="Where `hostcap fetch` fetches it from (its config's `upstream`); null: files are delivered.",
        examples=[None],
    )
    as_of: dict[str, str | None] = Field(
        description="The oldest and newest of its dates in the served gold (`hca_refresh_date_min`, …, "
        "`completion_date_max`); empty when it has no published rows.",
        examples=[{"hca_refresh_date_min": "2025-06-30", "hca_refresh_date_max": "2026-03-31"}],
    )


class DictionaryUtility(BaseModel):
    """One configured utility and its sources."""

    utility: str = Field(description="Utility code.", examples=["coned"])
    display_name: str = Field(description="Its name for people (its configs' `display_name`).", examples=["Con Edison"])
    sources: list[DictionarySource] = Field(description="Its sources, in config order.")


class DictionaryPublic(BaseModel):
    """The data dictionary, generated from the registry of gold tables and the source configs."""

    tables: list[DictionaryTable] = Field(description="Every gold table.")
    quality_flags: dict[str, str] = Field(
        description="Every quality flag and its meaning.",
        examples=[{"no_feeder": "The record names no feeder."}],
    )
    utilities: list[DictionaryUtility] = Field(description="Every configured utility, by code.")
    meta: Meta | None = Field(description="The snapshot the as-of dates come from; null before the first publish.")

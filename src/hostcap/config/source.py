"""The model of one source config (`sources/<utility>/<dataset>.yaml`).

A config is the only place a utility is described: where its files are, how to read them, which
header feeds which canonical field, in which unit, and which rows a documented rule excludes.
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from hostcap.acquire.upstream import Upstream
from hostcap.canonical import DER_STATUSES, DER_TYPES, TECHNOLOGY_FIELDS, Dataset, Kind, Unit, family, fields_of

#: the contract's null tokens (source-formats.md §2); compared case-insensitively after trimming
DEFAULT_NULL_TOKENS = ["", "NULL", "null", "None", "na", "N/A"]

DateFormat = Literal["ymd", "mdy", "excel_serial", "epoch_ms"]
DerStatus = Literal[DER_STATUSES]  # type: ignore[valid-type]
DerType = Literal[DER_TYPES]  # type: ignore[valid-type]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ReadOptions(Strict):
    """How to read every file of the source."""

    type: Literal["csv", "xlsx", "ndjson"] = Field(
        description="File format of every file in the location; `ndjson` is one JSON object (or GeoJSON "
        "feature) per line, as a fetch lands an ArcGIS layer."
    )
    delimiter: str = Field(",", min_length=1, max_length=1, description="CSV field delimiter.")
    quote: str = Field('"', min_length=1, max_length=1, description="CSV quote character.")
    encoding: str = Field("utf-8", description="Text encoding of a CSV file; a UTF-8 BOM is always removed.")
    header_row: int = Field(1, ge=1, description="1-based row holding the header; rows above it are skipped.")
    sheet: str | list[str] | None = Field(
        None,
        description="XLSX sheet name (required for xlsx), or the names accepted (a workbook whose sheet is "
        "renamed month by month): the first the workbook has is read.",
    )
    file_pattern: str | None = Field(None, description="Glob of the files that belong to the dataset; default `*.<type>`.")

    @model_validator(mode="after")
    def _sheet_for_xlsx(self) -> ReadOptions:
        if self.type == "xlsx" and not self.sheet:
            raise ValueError("read.sheet is required when read.type is xlsx")
        return self

    @property
    def sheets(self) -> list[str]:
        """The accepted sheet names, in order of preference."""
        return [self.sheet] if isinstance(self.sheet, str) else list(self.sheet or [])

    @property
    def pattern(self) -> str:
        return self.file_pattern or f"*.{self.type}"


class ColumnSpec(Strict):
    """The source header (and its known renames) that feeds one canonical field."""

    name: str = Field(description="Header as the source writes it (white space is collapsed when matching).")
    aliases: list[str] = Field(default_factory=list, description="Other headers the same column has had.")
    unit: Unit | None = Field(None, description="Unit the source uses, when it is not the field's own unit.")
    required: bool = Field(False, description="A file without this column fails its source.")

    @property
    def headers(self) -> list[str]:
        return [self.name, *self.aliases]


class ExclusionRule(Strict):
    """A documented rule that drops rows from silver; dropped rows are counted and kept aside."""

    rule: str = Field(pattern=r"^[a-z][a-z0-9_]*$", description="Short name, reported with the rows it drops.")
    description: str = Field(description="Why rows matching the rule are not part of the data set.")
    field: str = Field(description="Canonical field the rule looks at.")
    equals_any: list[str] | None = Field(None, description="Drop the row when the field (trimmed, upper-cased) is one of these.")
    is_missing: bool = Field(False, description="Drop the row when the field is missing (a null token).")

    @model_validator(mode="after")
    def _one_condition(self) -> ExclusionRule:
        if bool(self.equals_any) == self.is_missing:
            raise ValueError("an exclusion rule needs exactly one of equals_any or is_missing: true")
        return self


class TransmissionRule(Strict):
    """What marks a record as transmission-level, not distribution (source-formats.md §2)."""

    feeder_id_pattern: str = Field(r"^(T.*|TRANSMISSION)$", description="Regex on the normalized native feeder ID.")
    der_types: list[str] = Field(
        default_factory=lambda: ["TRANSMISSION", "NUCLEAR", "COAL"],
        description="Raw DER types (upper-cased) that are transmission-level.",
    )

    @field_validator("feeder_id_pattern")
    @classmethod
    def _compiles(cls, value: str) -> str:
        re.compile(value)
        return value


class NetworkOptions(Strict):
    grain: Literal["feeder", "segment"] = Field(
        description="`feeder`: one row per feeder; `segment`: one row per feeder segment (line section)."
    )


class DerOptions(Strict):
    status: DerStatus | None = Field(None, description="Status of every row, for a file of one status.")
    status_map: dict[str, DerStatus] | None = Field(
        None, description="Raw `status_raw` code (case-insensitive) → status, for files that mix statuses."
    )
    nameplate: Literal["column", "sum_of_breakdown"] = Field(
        "column", description="Take `nameplate_kw` from its column, or sum the technology columns."
    )
    type_map: dict[str, DerType] = Field(
        default_factory=dict,
        description="Raw DER type (case-insensitive) → canonical type; unmapped types are derived from the technology breakdown.",
    )
    milestone_fields: list[Literal["application_date", "queue_date", "completion_date"]] = Field(
        default_factory=list,
        description="Date fields whose presence means a queued project has passed a utility study or "
        "agreement milestone (the latest present one is its `milestone_date`); empty when the source "
        "publishes no such milestone.",
    )

    @model_validator(mode="after")
    def _one_status_source(self) -> DerOptions:
        if (self.status is None) == (self.status_map is None):
            raise ValueError("der needs exactly one of status (constant) or status_map")
        return self


class Publication(Strict):
    """Who publishes a source's data and on what terms: the release bundle's `datapackage.json`
    names them as the sources and licenses of the tables built from it."""

    publisher: str = Field(description="Who publishes the data, e.g. `Con Edison`.")
    url: str | None = Field(None, description="Where the publisher makes the data available, when known.")
    terms: str = Field(description="The terms the data are published under, in the publisher's words or a pointer to them.")


class SourceConfig(Strict):
    """One source: a utility's data set, its files and how they map onto the canonical model."""

    utility: str = Field(pattern=r"^[a-z][a-z0-9_]*$", description="Utility code, e.g. `national_grid`.")
    display_name: str | None = Field(
        None,
        description="The utility's name for people, e.g. `Con Edison` (the explorer and `/v1/utilities` show it): "
        "given once per utility, in one of its configs (its network config by convention).",
    )
    dataset: Dataset = Field(description="`network`, `installed_der`, `planned_der`, or `der` (both).")
    description: str = Field(description="What the source is, for people reading reports.")
    location: str = Field(
        description="Directory of the files, relative to the source root (or absolute); every file in "
        "it matching the read pattern belongs to the dataset."
    )
    read: ReadOptions
    upstream: Upstream | None = Field(
        None,
        description="Where the utility publishes the data, for `hostcap fetch` to land it in `location`: an "
        "ArcGIS layer (`kind: arcgis`) or a page linking to the file (`kind: page`); none: files are delivered.",
    )
    null_tokens: list[str] = Field(
        default_factory=lambda: list(DEFAULT_NULL_TOKENS),
        description="Values meaning missing, compared case-insensitively after trimming.",
    )
    date_formats: list[DateFormat] = Field(
        default_factory=lambda: ["ymd", "mdy", "excel_serial"],
        description="Date formats accepted, tried in order: `ymd` (2022-06-30…), `mdy` (6/30/2022…), "
        "`excel_serial` (44742), `epoch_ms` (1656547200000).",
    )
    columns: dict[str, ColumnSpec] = Field(description="Canonical field → source column.")
    network: NetworkOptions | None = Field(None, description="Required for network sources.")
    der: DerOptions | None = Field(None, description="Required for DER sources.")
    exclude: list[ExclusionRule] = Field(default_factory=list, description="Documented exclusion rules.")
    transmission: TransmissionRule = Field(default_factory=TransmissionRule)
    publication: Publication | None = Field(None, description="Who publishes the data and on what terms.")

    @field_validator("columns", mode="before")
    @classmethod
    def _short_form(cls, value: object) -> object:
        """`field: Header` is short for `field: {name: Header}`."""
        if isinstance(value, dict):
            return {k: {"name": v} if isinstance(v, str) else v for k, v in value.items()}
        return value

    @model_validator(mode="after")
    def _consistent(self) -> SourceConfig:
        known = fields_of(self.dataset)
        unknown = sorted(set(self.columns) - set(known))
        if unknown:
            raise ValueError(f"columns: unknown canonical field(s) for {self.dataset}: {', '.join(unknown)}")
        id_field = "native_feeder_id" if family(self.dataset) == "network" else "native_der_id"
        if id_field not in self.columns:
            raise ValueError(f"columns.{id_field} is required: it identifies each row")
        for name, spec in self.columns.items():
            if spec.unit and known[name] is not Kind.NUMBER:
                raise ValueError(f"columns.{name}.unit: only numeric fields take a unit")
        for rule in self.exclude:
            if rule.field not in self.columns:
                raise ValueError(f"exclude.{rule.rule}.field: {rule.field!r} is not mapped in columns")
        if family(self.dataset) == "network":
            if self.network is None or self.der is not None:
                raise ValueError("a network source needs a `network:` block and no `der:` block")
        else:
            self._check_der()
        return self

    def _check_der(self) -> None:
        if self.der is None or self.network is not None:
            raise ValueError("a DER source needs a `der:` block and no `network:` block")
        if self.der.status_map is not None and "status_raw" not in self.columns:
            raise ValueError("der.status_map needs columns.status_raw")
        if self.der.nameplate == "column" and "nameplate_kw" not in self.columns:
            raise ValueError("der.nameplate: column needs columns.nameplate_kw")
        for name in self.der.milestone_fields:
            if name not in self.columns:
                raise ValueError(f"der.milestone_fields: {name!r} is not mapped in columns")
        if self.der.nameplate == "sum_of_breakdown" and not set(TECHNOLOGY_FIELDS) & set(self.columns):
            raise ValueError("der.nameplate: sum_of_breakdown needs at least one technology column")

    @property
    def source_id(self) -> str:
        return f"{self.utility}/{self.dataset}"

    @property
    def family(self) -> str:
        return family(self.dataset)

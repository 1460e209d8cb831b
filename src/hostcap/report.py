"""The refresh report: per source and per layer, what succeeded, what failed, and row counts."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

Status = Literal["succeeded", "failed", "skipped"]


class FileReport(BaseModel):
    path: str = Field(description="File path relative to the source root.")
    sha256: str = Field(description="Content hash of the file.")
    rows: int = Field(description="Data rows read from the file.")


class LayerReport(BaseModel):
    status: Status
    rows: int | None = Field(None, description="Rows the layer produced.")
    duration_s: float = 0.0


class SourceReport(BaseModel):
    source: str = Field(description="`<utility>/<dataset>`.")
    status: Status = "succeeded"
    files: list[FileReport] = Field(default_factory=list)
    rows_in: int = Field(0, description="Bronze rows: every data row of every file.")
    loaded: int = Field(0, description="Rows in silver.")
    quarantined: int = Field(0, description="Rows kept aside because they cannot be made canonical.")
    excluded: int = Field(0, description="Rows dropped by a documented rule of the source config.")
    quarantine_reasons: dict[str, int] = Field(default_factory=dict)
    exclusion_rules: dict[str, int] = Field(default_factory=dict)
    unparsed_rows: int = Field(0, description="Silver rows with a value that could not be parsed (kept as null).")
    unmapped_columns: list[str] = Field(default_factory=list, description="File columns no config field reads.")
    layers: dict[str, LayerReport] = Field(default_factory=dict)
    duration_s: float = 0.0
    error: str | None = Field(None, description="Why the source failed, naming the file and row or column.")


class CheckResult(BaseModel):
    name: str
    passed: bool
    detail: str = ""


class RefreshReport(BaseModel):
    run_id: str
    engine: str = Field("duckdb", description="The engine that ran the transforms: duckdb or spark.")
    started_at: str
    finished_at: str | None = None
    status: Literal["running", "succeeded", "partial", "failed"] = "running"
    published: bool = False
    sources: list[SourceReport] = Field(default_factory=list)
    gold: dict[str, int] = Field(default_factory=dict, description="Rows per gold table.")
    checks: list[CheckResult] = Field(default_factory=list)
    duration_s: float = 0.0
    error: str | None = None

    @property
    def failed_sources(self) -> list[SourceReport]:
        return [s for s in self.sources if s.status == "failed"]

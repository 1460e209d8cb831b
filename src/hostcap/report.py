"""The refresh report: per source and per layer, what succeeded, what failed, and row counts."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

LayerStatus = Literal["succeeded", "failed", "skipped"]
SourceStatus = Literal["succeeded", "skipped-unchanged", "failed", "stale"]
RunStatus = Literal["running", "succeeded", "partial", "failed", "unchanged", "interrupted"]
Trigger = Literal["manual", "api", "watch", "schedule"]


class FileReport(BaseModel):
    path: str = Field(description="File path relative to the source root.")
    sha256: str = Field(description="Content hash of the file.")
    rows: int = Field(description="Data rows read from the file.")


class LayerReport(BaseModel):
    status: LayerStatus = Field(description="`succeeded`, `failed` or `skipped`.")
    rows: int | None = Field(None, description="Rows the layer produced.")
    duration_s: float = Field(0.0, description="Seconds the layer took.")


class SourceReport(BaseModel):
    source: str = Field(description="`<utility>/<dataset>`.")
    status: SourceStatus = Field(
        "succeeded",
        description="`succeeded` (loaded now), `skipped-unchanged` (same files and config: last silver "
        "reused), `failed` (no usable silver), `stale` (failed now; its last good silver is used).",
    )
    fingerprint: str = Field("", description="Hash of the source's config and file contents.")
    files: list[FileReport] = Field(default_factory=list, description="The files read (empty when reused).")
    rows_in: int = Field(0, description="Bronze rows: every data row of every file.")
    loaded: int = Field(0, description="Rows in silver.")
    quarantined: int = Field(0, description="Rows kept aside because they cannot be made canonical.")
    excluded: int = Field(0, description="Rows dropped by a documented rule of the source config.")
    quarantine_reasons: dict[str, int] = Field(default_factory=dict, description="Quarantined rows per reason.")
    exclusion_rules: dict[str, int] = Field(default_factory=dict, description="Excluded rows per config rule.")
    unparsed_rows: int = Field(0, description="Silver rows with a value that could not be parsed (kept as null).")
    unmapped_columns: list[str] = Field(
        default_factory=list, description="Schema drift: file columns no config field reads (kept in bronze)."
    )
    layers: dict[str, LayerReport] = Field(default_factory=dict, description="Per layer: `bronze`, `silver`.")
    duration_s: float = Field(0.0, description="Seconds the source took.")
    error: str | None = Field(None, description="Why the source failed, naming the file and row or column.")


class CheckResult(BaseModel):
    name: str = Field(description="The check and what it applies to, e.g. `unique_id:ders.der_id`.")
    passed: bool = Field(description="A failed check blocks the publish.")
    detail: str = Field("", description="The figures the check compared.")


class RefreshReport(BaseModel):
    run_id: str = Field(description="Sortable run id; a published run's snapshot has the same id.")
    engine: str = Field("duckdb", description="The engine that ran the transforms: duckdb or spark.")
    trigger: Trigger = Field("manual", description="What started the refresh.")
    started_at: str = Field(description="UTC, ISO 8601.")
    finished_at: str | None = Field(None, description="UTC, ISO 8601; null while running.")
    status: RunStatus = Field(
        "running",
        description="`succeeded`, `partial` (published without or with stale sources), `failed` (nothing "
        "published), `unchanged` (no source changed: nothing new published), `interrupted` (the process died).",
    )
    published: bool = False
    snapshot: str | None = Field(None, description="The snapshot this run published.")
    sources: list[SourceReport] = Field(default_factory=list, description="One report per configured source.")
    utilities: dict[str, str] = Field(
        default_factory=dict, description="Each configured utility's display name, by code (from the source configs)."
    )
    gold: dict[str, int] = Field(default_factory=dict, description="Rows per gold table.")
    checks: list[CheckResult] = Field(default_factory=list, description="The checks run before publishing.")
    duration_s: float = Field(0.0, description="Seconds the run took.")
    error: str | None = Field(None, description="Why the run failed or published nothing.")
    repaired: list[str] = Field(
        default_factory=list,
        description="Damage found in the lake (a damaged or missing pointer or history, a snapshot file that "
        "differs from its checksum); the run rebuilds it and publishes anew rather than report `unchanged`.",
    )

    @property
    def failed_sources(self) -> list[SourceReport]:
        """Sources that failed in this run (whether or not their last good silver was used)."""
        return [s for s in self.sources if s.status in ("failed", "stale")]

"""What a fetch did, per source."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

FetchStatus = Literal["fetched", "unchanged", "stale", "failed"]


class SourceFetch(BaseModel):
    source: str = Field(description="`<utility>/<dataset>`.")
    kind: str = Field(description="The upstream's kind: `arcgis` or `page`.")
    url: str = Field(description="The upstream's URL (for a page, the file's once found).")
    status: FetchStatus = Field(
        description="`fetched` (a new pull landed), `unchanged` (the upstream says nothing changed: nothing "
        "downloaded), `stale` (the pull failed; the last good one stays), `failed` (the pull failed and "
        "there is no earlier one)."
    )
    rows: int | None = Field(None, description="Rows landed (ArcGIS layers).")
    pages: int = Field(0, description="Pages of rows requested.")
    requests: int = Field(0, description="HTTP requests sent, retries included.")
    retries: int = Field(0, description="Requests that were retries.")
    bytes: int = Field(0, description="Bytes received.")
    upstream_last_edit: str | None = Field(None, description="The upstream's last-edit date (UTC), when it has one.")
    pulled_at: str | None = Field(None, description="When the landed data was pulled (UTC).")
    page: str | None = Field(None, description="Where a failed pull stopped.")
    error: str | None = Field(None, description="Why the pull failed.")
    duration_s: float = 0.0


class FetchReport(BaseModel):
    sources: list[SourceFetch] = Field(default_factory=list)

    @property
    def failed(self) -> list[SourceFetch]:
        return [s for s in self.sources if s.status in ("stale", "failed")]

"""Lineage every gold row keeps: where it was read, and which refresh loaded it."""

from __future__ import annotations

from pydantic import BaseModel, Field


class Lineage(BaseModel):
    source: str = Field(description="Source that loaded the row: `<utility>/<dataset>`.", examples=["central_hudson/network"])
    source_file: str = Field(
        description="File the row was read from, relative to the source root.",
        examples=["central_hudson/network/central_hudson_network_2026-10.csv"],
    )
    source_row: int = Field(description="Data row number in that file (1 = first row after the header).", examples=[373])
    run_id: str = Field(description="Refresh run that loaded the row.", examples=["20261129T051011Z-7ab04c"])

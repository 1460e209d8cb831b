"""Substations."""

from __future__ import annotations

from pydantic import BaseModel, Field

from hostcap.api.schemas.common import Envelope, Paged
from hostcap.api.schemas.feeders import Utility


class SubstationPublic(BaseModel):
    """One substation, where a source names substations, with totals over its feeders."""

    substation_id: str = Field(
        description="Canonical substation ID: md5 of `<utility>|<normalized substation name>`.",
        examples=["dfb6df15ab31938d7b8753ff60aacdf0"],
    )
    substation_name: str | None = Field(description="Substation name as the utility writes it.", examples=["Milan"])
    utility: Utility
    feeder_count: int = Field(description="Feeders served from the substation.", examples=[6])
    bank_capacity_mw: float | None = Field(description="Largest bank capacity given for it (MW).", examples=[28.0])
    max_hc_mw: float | None = Field(description="Highest max hosting capacity among its feeders (MW).", examples=[19.52])
    installed_der_count: int = Field(description="Installed DER records on its feeders.", examples=[70])
    installed_der_mw: float = Field(description="Nameplate MW of installed DER on its feeders.", examples=[20.66335])
    planned_der_count: int = Field(description="Planned DER records on its feeders.", examples=[23])
    planned_der_mw: float = Field(description="Nameplate MW of planned DER on its feeders.", examples=[9.16179])
    bank_headroom_mw: float | None = Field(
        description="`bank_capacity_mw - installed_der_mw - planned_der_mw` (MW): room left on the substation bank "
        "once every installed and queued DER on its feeders is counted; negative when over-subscribed; null where "
        "no source gives a bank capacity (Central Hudson's `SubBank_Cap`).",
        examples=[-1.82514],
    )


class SubstationsPublic(Paged[SubstationPublic]):
    """A page of substations."""


class SubstationDetail(Envelope[SubstationPublic]):
    """One substation."""

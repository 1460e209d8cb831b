"""Aggregates for charts: feeders' max hosting capacity distribution, DER MW by type and status."""

from __future__ import annotations

from pydantic import BaseModel, Field

from hostcap.api.schemas.common import Meta
from hostcap.api.schemas.ders import DerStatus, DerType
from hostcap.api.schemas.feeders import Utility


class MaxHcBin(BaseModel):
    """How many of a utility's feeders have a max hosting capacity in one range."""

    utility: Utility
    bin_min_mw: float | None = Field(
        description="Lower bound (MW, inclusive); null for the first bin, which is open below.", examples=[1.0]
    )
    bin_max_mw: float | None = Field(
        description="Upper bound (MW, exclusive); null for the last bin, which is open above.", examples=[2.0]
    )
    feeder_count: int = Field(description="Feeders with `bin_min_mw <= max_hc_mw < bin_max_mw`.", examples=[12])


class MaxHcDistributionPublic(BaseModel):
    """Every bin of every utility (zeros included), by utility then bin."""

    data: list[MaxHcBin] = Field(description="One entry per utility and bin.")
    count: int = Field(description="Number of entries.", examples=[30])
    meta: Meta = Field(description="The snapshot the data came from.")


class DerMw(BaseModel):
    """A utility's DER of one technology and status: how many, and their nameplate MW."""

    utility: Utility
    der_type: DerType | None = Field(description="Canonical technology; null where the source gives none.", examples=["solar"])
    status: DerStatus = Field(description="`installed`, `planned` or `withdrawn`.", examples=["installed"])
    der_count: int = Field(description="DER records (transmission-level records excluded).", examples=[180])
    nameplate_mw: float = Field(description="Their summed nameplate rating (MW).", examples=[54.2])


class DerMwPublic(BaseModel):
    """DER per utility, technology and status, by utility, technology and status."""

    data: list[DerMw] = Field(description="One entry per utility, technology and status that has DER.")
    count: int = Field(description="Number of entries.", examples=[40])
    meta: Meta = Field(description="The snapshot the data came from.")


class _PlaceTotals(BaseModel):
    feeder_count: int = Field(description="Feeders in the place.", examples=[12])
    total_max_hc_mw: float = Field(description="Their summed max hosting capacity (MW; nulls count 0).", examples=[48.5])
    headroom_after_queue_mw: float = Field(
        description="Their summed headroom after the queue (MW; nulls count 0).", examples=[21.0]
    )
    installed_der_count: int = Field(description="Installed DER in the place (transmission-level excluded).", examples=[130])
    installed_der_mw: float = Field(description="Their summed nameplate (MW).", examples=[19.3])
    planned_der_count: int = Field(description="Planned (queued) DER in the place.", examples=[40])
    planned_der_mw: float = Field(description="Their summed nameplate (MW).", examples=[22.8])


class CountyTotals(_PlaceTotals):
    """One New York county's feeders and DER."""

    county: str = Field(
        description="The county (Census spelling where it is a New York county). A DER counts in the county the SIR "
        "inventory publishes; a feeder in its derived county: the one holding its representative point, or for a "
        "feeder without geometry the one most of its DER are in.",
        examples=["Westchester"],
    )


class LoadZoneTotals(_PlaceTotals):
    """One NYISO load zone's feeders and DER."""

    load_zone: str = Field(
        description="The NYISO load zone, as published: a feeder's by its network layer, a DER's by the SIR inventory.",
        examples=["G"],
    )


class CountiesPublic(BaseModel):
    """Every county with a feeder or a DER, by name."""

    data: list[CountyTotals] = Field(description="One entry per county.")
    count: int = Field(description="Number of entries.", examples=[20])
    meta: Meta = Field(description="The snapshot the data came from.")


class LoadZonesPublic(BaseModel):
    """Every load zone with a feeder or a DER, by zone."""

    data: list[LoadZoneTotals] = Field(description="One entry per load zone.")
    count: int = Field(description="Number of entries.", examples=[6])
    meta: Meta = Field(description="The snapshot the data came from.")

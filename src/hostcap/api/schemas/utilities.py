"""Per-utility summaries of the served snapshot."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, Field

from hostcap.api.schemas.common import Meta
from hostcap.api.schemas.feeders import Utility


class UtilityPublic(BaseModel):
    """One utility's data in the served snapshot: how much, how current, and the refresh that loaded it."""

    utility: Utility
    display_name: str = Field(
        description="The utility's name for people, from its source configs (`display_name`); its code where none is given.",
        examples=["Central Hudson"],
    )
    feeder_count: int = Field(description="Feeders.", examples=[330])
    feeders_max_hc_above_1_mw: int = Field(
        description="Feeders whose `max_hc_mw` is strictly greater than 1 MW (where a 1 MW project could fit).",
        examples=[212],
    )
    feeders_max_hc_above_5_mw: int = Field(description="Feeders whose `max_hc_mw` is strictly greater than 5 MW.", examples=[64])
    segment_count: int = Field(description="Feeder segments (0 for a feeder-grain source).", examples=[168300])
    substation_count: int = Field(description="Substations named by its sources.", examples=[20])
    total_max_hc_mw: float = Field(description="Sum of its feeders' max hosting capacity (MW).", examples=[1101.69])
    installed_der_count: int = Field(description="Installed DER records (transmission-level records excluded).", examples=[7055])
    installed_der_mw: float = Field(description="Nameplate MW of those installed DER.", examples=[1931.13383])
    planned_der_count: int = Field(description="Planned DER records (transmission-level records excluded).", examples=[2500])
    planned_der_mw: float = Field(description="Nameplate MW of those planned DER.", examples=[650.23161])
    withdrawn_der_count: int = Field(description="Withdrawn DER records.", examples=[440])
    hca_refresh_date_min: dt.date | None = Field(
        description="Oldest hosting-capacity analysis date of its feeders.", examples=["2025-06-30"]
    )
    hca_refresh_date_max: dt.date | None = Field(
        description="Newest hosting-capacity analysis date of its feeders.", examples=["2026-03-31"]
    )
    der_latest_date: dt.date | None = Field(
        description="Latest application, queue or completion date in its DER data: how current the DER data is.",
        examples=["2026-09-30"],
    )
    last_refresh_run_id: str | None = Field(
        description="The refresh that built the served snapshot.", examples=["20261129T051011Z-7ab04c"]
    )
    last_refresh_at: str | None = Field(description="When that refresh finished (UTC).", examples=["2026-11-29T05:10:47+00:00"])
    last_refresh_status: Literal["succeeded", "stale", "failed"] | None = Field(
        description="How the utility's sources fared in that refresh: `succeeded` (loaded, or unchanged and "
        "reused), `stale` (one failed; its last good data is served), `failed` (one failed with no good data).",
        examples=["succeeded"],
    )


class UtilitiesPublic(BaseModel):
    """Every utility in the served snapshot."""

    data: list[UtilityPublic] = Field(description="One entry per utility, by utility code.")
    count: int = Field(description="Number of utilities.", examples=[5])
    meta: Meta = Field(description="The snapshot the data came from.")

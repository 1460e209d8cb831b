"""Feeders and their segments."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import Field

from hostcap.api.schemas.common import Envelope, Paged
from hostcap.api.schemas.lineage import Lineage

FeederId = Annotated[
    str,
    Field(
        description="Canonical feeder ID: md5 of `<utility>|<native feeder ID>`, 32 lower-case hex characters.",
        examples=["a49b36cff7e6b07de4c070043c8322fd"],
    ),
]
NativeFeederId = Annotated[
    str, Field(description="The utility's own feeder ID, trimmed and upper-cased.", examples=["MI3798"])
]
Utility = Annotated[
    str,
    Field(
        description="Utility code: `nyseg_rge`, `national_grid`, `coned`, `orange_rockland` or `central_hudson`.",
        examples=["central_hudson"],
    ),
]
HcaRefreshDate = Annotated[
    dt.date | None,
    Field(description="When the utility last refreshed its hosting-capacity analysis.", examples=["2025-06-30"]),
]


class FeederPublic(Lineage):
    """One feeder (circuit) of one utility, with its hosting capacity and DER roll-ups."""

    feeder_id: FeederId
    native_feeder_id: NativeFeederId
    utility: Utility
    substation_id: str | None = Field(
        description="Canonical substation ID (md5 of `<utility>|<substation name>`); null when no source names it.",
        examples=["dfb6df15ab31938d7b8753ff60aacdf0"],
    )
    substation_name: str | None = Field(description="Substation name as the utility writes it.", examples=["Milan"])
    voltage_kv: float | None = Field(description="Feeder voltage (kV).", examples=[13.2])
    max_hc_mw: float | None = Field(
        description="Maximum hosting capacity (MW): the largest DER that fits at the best location on the feeder. "
        "Null when the source gives none (flag `no_hosting_capacity`). Several utilities cap studies at 10 MW.",
        examples=[19.52],
    )
    min_hc_mw: float | None = Field(description="Minimum hosting capacity (MW): what fits anywhere on the feeder.", examples=[6.49])
    hca_refresh_date: HcaRefreshDate
    der_refresh_date: dt.date | None = Field(
        description="As of when the utility's network file counts its connected and queued DER (null where it "
        "gives no such date).",
        examples=["2025-06-30"],
    )
    segment_count: int = Field(description="Segments (line sections) of the feeder; 0 for a feeder-grain source.", examples=[208])
    installed_der_count: int = Field(description="Installed DER records on the feeder.", examples=[12])
    installed_der_mw: float = Field(description="Nameplate MW of the installed DER on the feeder.", examples=[3.2165])
    planned_der_count: int = Field(description="Planned (queued) DER records on the feeder.", examples=[4])
    planned_der_mw: float = Field(description="Nameplate MW of the planned DER on the feeder.", examples=[1.75])
    headroom_after_queue_mw: float | None = Field(
        description="`max_hc_mw - planned_der_mw`; negative when the queue already exceeds the feeder's max HC.",
        examples=[17.77],
    )
    connected_der_mw: float | None = Field(description="Connected DER (MW) as the utility's network file states it.", examples=[2.21])
    queued_der_mw: float | None = Field(description="Queued DER (MW) as the utility's network file states it.", examples=[0.0])
    bank_capacity_mw: float | None = Field(description="Capacity of the feeder's substation bank (MW).", examples=[16.8])
    load_zone: str | None = Field(description="NYISO load zone letter.", examples=["G"])
    quality_flags: list[str] = Field(
        description="Data-quality flags: `duplicate_conflict` (sources disagree; the later file won), "
        "`unparsed_value` (a value could not be read and is null), `no_hosting_capacity`.",
        examples=[[]],
    )


class FeedersPublic(Paged[FeederPublic]):
    """A page of feeders."""


class FeederDetail(Envelope[FeederPublic]):
    """One feeder."""


class SegmentPublic(Lineage):
    """One segment (line section) of a feeder, with its own hosting capacity."""

    segment_id: str = Field(
        description="Canonical segment ID (md5 of the utility, feeder and native segment ID).",
        examples=["cb725af90c2676b004e4c538b81bc00c"],
    )
    feeder_id: FeederId
    native_feeder_id: NativeFeederId
    native_segment_id: str | None = Field(description="The utility's own segment ID.", examples=["10"])
    utility: Utility
    voltage_kv: float | None = Field(description="Segment voltage (kV).", examples=[13.2])
    max_hc_mw: float | None = Field(description="Maximum hosting capacity at this segment (MW).", examples=[12.47])
    min_hc_mw: float | None = Field(description="Minimum hosting capacity at this segment (MW).", examples=[8.61])
    phases: str | None = Field(description="Phases present on the segment (`A`, `AB`, `ABC`, …).", examples=["ABC"])
    hca_refresh_date: HcaRefreshDate
    quality_flags: list[str] = Field(
        description="Data-quality flags: `duplicate_conflict`, `unparsed_value`.", examples=[[]]
    )


class SegmentsPublic(Paged[SegmentPublic]):
    """A page of a feeder's segments."""

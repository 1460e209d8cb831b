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
Criterion = Annotated[
    str,
    Field(
        description="The criterion that binds (the lowest published per-criterion limit), in words: `thermal`, "
        "`over-voltage`, `voltage deviation`, `regulator deviation`, `flicker`, `anti-islanding`, `section rating`, "
        "`feeder rating`, `substation bank rating`; `not published` where the source publishes no per-criterion "
        "limits (National Grid's feeder file, NYSEG/RG&E, Central Hudson's file exports).",
        examples=["thermal"],
    ),
]
Limit = Annotated[
    float | None,
    Field(description="The binding criterion's limit (MW), from the utility's map; null where not published.", examples=[1.6]),
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
    der_data_date: dt.date | None = Field(
        description="When the utility last refreshed the connected and queued DER figures of its map (Con Edison and "
        "O&R `DER_REFESH_DATE`, Central Hudson `DG_ConQue_REFRESH_DATE`); null where not published.",
        examples=["2026-09-30"],
    )
    as_of_date: dt.date = Field(
        description="The date ages and queue scenarios are computed against: the snapshot's build date (UTC).",
        examples=["2026-10-01"],
    )
    hca_age_days: int | None = Field(
        description="Days from `hca_refresh_date` to `as_of_date`: the age of the HC study (the explorer warns past "
        "12 months by default).",
        examples=[458],
    )
    der_data_age_days: int | None = Field(
        description="Days from `der_data_date` to `as_of_date`.", examples=[1]
    )
    segment_count: int = Field(description="Segments (line sections) of the feeder; 0 for a feeder-grain source.", examples=[208])
    installed_der_count: int = Field(description="Installed DER records on the feeder.", examples=[12])
    installed_der_mw: float = Field(description="Nameplate MW of the installed DER on the feeder.", examples=[3.2165])
    planned_der_count: int = Field(description="Planned (queued) DER records on the feeder.", examples=[4])
    planned_der_mw: float = Field(description="Nameplate MW of the planned DER on the feeder.", examples=[1.75])
    headroom_after_queue_mw: float | None = Field(
        description="`max_hc_mw - planned_der_mw` (MW; scenario `all_queued`); negative when the queue already exceeds "
        "the feeder's max HC. Mixes numbers of different ages: the HC study does not count DER connected since "
        "`hca_refresh_date` (see `headroom_since_study_mw`).",
        examples=[17.77],
    )
    added_since_study_mw: float | None = Field(
        description="DER connected after the HC study (MW), which the study's numbers do not include. "
        "`added_since_study_source` says where it comes from; may be negative where the utility publishes it so "
        "(National Grid). Null when neither the utility publishes it nor the project records can tell it.",
        examples=[0.51],
    )
    added_since_study_source: str | None = Field(
        description="`utility_published`: the utility's own figure (National Grid `feeder_dg_connected_since_refresh`, "
        "Central Hudson `DG_INST_LASTHCA`); `project_records`: the nameplate of installed DER whose completion date "
        "is after `hca_refresh_date`, from our DER records (only when every installed record on the feeder has a "
        "completion date); null: unknown.",
        examples=["utility_published"],
    )
    headroom_since_study_mw: float | None = Field(
        description="`max_hc_mw - added_since_study_mw - planned_der_mw` (MW): `headroom_after_queue_mw` also "
        "counting the DER connected since the study. Kept beside it, never in its place; null when "
        "`added_since_study_mw` is.",
        examples=[17.26],
    )
    planned_past_milestone_der_mw: float | None = Field(
        description="Scenario `past_milestone`: nameplate MW of the queued DER past a utility study or agreement "
        "milestone (see DER `milestone_date`); null for a utility whose sources publish no milestone.",
        examples=[0.12351],
    )
    headroom_past_milestone_mw: float | None = Field(
        description="Scenario `past_milestone`: `max_hc_mw - planned_past_milestone_der_mw` (MW).", examples=[19.4]
    )
    planned_without_stale_der_mw: float = Field(
        description="Scenario `without_stale`: nameplate MW of the queued DER whose latest date (queued, application "
        "or milestone) is within `HOSTCAP_QUEUE_STALE_MONTHS` (default 24) months of `as_of_date`; entries "
        "with no date are kept.",
        examples=[0.53075],
    )
    headroom_without_stale_mw: float | None = Field(
        description="Scenario `without_stale`: `max_hc_mw - planned_without_stale_der_mw` (MW).", examples=[1.54]
    )
    binding_criterion_at_best: Criterion
    binding_limit_at_best_mw: Limit
    binding_criterion_at_worst: Criterion
    binding_limit_at_worst_mw: Limit
    connected_der_mw: float | None = Field(description="Connected DER (MW) as the utility's network file states it.", examples=[2.21])
    queued_der_mw: float | None = Field(description="Queued DER (MW) as the utility's network file states it.", examples=[0.0])
    bank_capacity_mw: float | None = Field(description="Capacity of the feeder's substation bank (MW).", examples=[16.8])
    load_zone: str | None = Field(description="NYISO load zone letter.", examples=["G"])
    bbox_min_lon: float | None = Field(
        description="Bounding box of the feeder's lines: least longitude (degrees east, WGS84), over the vertices of "
        "its segments (a feeder-grain source: its own line). Null where the source publishes no geometry (file "
        "exports; flag `no_geometry`): only a fetched map layer carries it.",
        examples=[-73.93412],
    )
    bbox_min_lat: float | None = Field(description="Bounding box: least latitude (degrees north, WGS84).", examples=[41.70215])
    bbox_max_lon: float | None = Field(description="Bounding box: greatest longitude (degrees east, WGS84).", examples=[-73.90127])
    bbox_max_lat: float | None = Field(description="Bounding box: greatest latitude (degrees north, WGS84).", examples=[41.73388])
    point_lon: float | None = Field(
        description="Representative point, longitude (degrees east, WGS84): the vertex of the feeder's lines nearest "
        "the centre of its bounding box (ties: least longitude, then latitude), so always on the feeder. Null "
        "where the bounding box is.",
        examples=[-73.91702],
    )
    point_lat: float | None = Field(description="Representative point, latitude (degrees north, WGS84).", examples=[41.71866])
    quality_flags: list[str] = Field(
        description="Data-quality flags: `duplicate_conflict` (sources disagree; the later file won), "
        "`unparsed_value` (a value could not be read and is null), `no_hosting_capacity`, `no_geometry` (the "
        "source publishes no geometry: no bounding box or point).",
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
    binding_criterion: Criterion
    binding_limit_mw: Limit
    thermal_hc_mw: float | None = Field(description="Thermal limit (MW), as published; null where not.", examples=[1.26])
    over_voltage_hc_mw: float | None = Field(description="Over-voltage limit (MW), as published.", examples=[1.84])
    voltage_deviation_hc_mw: float | None = Field(description="Voltage-deviation limit (MW), as published.", examples=[None])
    regulator_deviation_hc_mw: float | None = Field(description="Regulator-deviation limit (MW), as published.", examples=[None])
    flicker_hc_mw: float | None = Field(description="Flicker limit (MW), as published.", examples=[None])
    anti_islanding_hc_mw: float | None = Field(description="Anti-islanding limit (MW), as published.", examples=[0.87])
    section_rating_hc_mw: float | None = Field(description="Section-rating limit (MW), as published.", examples=[None])
    feeder_rating_hc_mw: float | None = Field(description="Feeder-rating limit (MW), as published.", examples=[None])
    bank_rating_hc_mw: float | None = Field(description="Substation-bank-rating limit (MW), as published.", examples=[None])
    geometry: str | None = Field(
        description="The segment's line as GeoJSON text (a `LineString` or `MultiLineString`, coordinates in "
        "degrees longitude, latitude, WGS84) as its utility's map layer publishes it. Null where the source "
        "publishes no geometry (file exports).",
        examples=['{"type":"LineString","coordinates":[[-73.9341,41.7021],[-73.9338,41.7025]]}'],
    )
    quality_flags: list[str] = Field(
        description="Data-quality flags: `duplicate_conflict`, `unparsed_value`.", examples=[[]]
    )


class SegmentsPublic(Paged[SegmentPublic]):
    """A page of a feeder's segments."""


DistanceKm = Annotated[
    float,
    Field(
        description="Computed for this answer, not stored: km from the query point (`near`: to the feeder's "
        "representative point; `/v1/locate`: to its nearest segment), on a flat projection centred on the point.",
        examples=[0.42],
    ),
]


class FeederNearby(FeederPublic):
    """A feeder found by place, with its distance from the point asked about."""

    distance_km: DistanceKm


class LocatedFeeders(Envelope[list[FeederNearby]]):
    """The feeders whose segments pass near a point, nearest first."""

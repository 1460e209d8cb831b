"""Each list endpoint's query parameters as one model (FastAPI "query parameter models").

One model per endpoint rather than one parameter each: FastAPI's cost per declared parameter is
paid on every request and is several times the in-memory answer itself, while a model is
validated in one step. The OpenAPI schema still lists every parameter with its description.
"""

from __future__ import annotations

from typing import Annotated, ClassVar, Literal

from pydantic import BaseModel, Field

from hostcap.api.params import CANONICAL_ID, NATIVE_TEXT
from hostcap.api.schemas.ders import DerStatus, DerType
from hostcap.feeder_view import SCENARIOS
from hostcap.serving.feeders import DEFAULT_SORT, SORT_COLUMNS
from hostcap.serving.substations import DEFAULT_SORT as SUBSTATION_DEFAULT_SORT
from hostcap.serving.substations import SORT_COLUMNS as SUBSTATION_SORT_COLUMNS

OutputFormat = Literal["json", "csv", "geojson"]
FeederSort = Literal[(DEFAULT_SORT, *SORT_COLUMNS, *(f"-{c}" for c in SORT_COLUMNS))]
SubstationSort = Literal[(SUBSTATION_DEFAULT_SORT, *SUBSTATION_SORT_COLUMNS, *(f"-{c}" for c in SUBSTATION_SORT_COLUMNS))]
Scenario = Literal[tuple(SCENARIOS)]
MAX_LIMIT = 10_000

Utility = Annotated[
    str | None,
    Field(
        pattern=r"^[a-z][a-z0-9_]*$",
        max_length=32,
        description="Only this utility (`nyseg_rge`, `national_grid`, `coned`, `orange_rockland`, `central_hudson`).",
        examples=["central_hudson"],
    ),
]
Statuses = Annotated[
    list[DerStatus] | None,
    Field(description="Only DER with one of these statuses (repeat the parameter for several).", examples=[["planned"]]),
]
DerTypes = Annotated[
    list[DerType] | None,
    Field(description="Only DER of one of these technologies (repeat for several).", examples=[["solar", "storage"]]),
]


def finite(description: str, example: float):
    """A number: NaN and infinities (including overflowing values such as 1e999) are refused."""
    return Field(None, allow_inf_nan=False, description=description, examples=[example])


class ListQuery(BaseModel):
    #: whether the list's rows have a place, so it answers `format=geojson` too
    GEO: ClassVar[bool] = False

    format: Literal["json", "csv"] | None = Field(
        None, description="`json` (default) or `csv`. Without it, `Accept: text/csv` asks for CSV.", examples=["csv"]
    )
    csv_raw: bool = Field(
        False,
        description="CSV only: `true` writes text cells exactly as they are. By default a text cell that begins "
        "with `=`, `+`, `-`, `@`, a tab or a carriage return is prefixed with `'`, so a spreadsheet shows it "
        "as text instead of running it as a formula; machine consumers can ask for the raw values.",
        examples=[True],
    )


class Paging(BaseModel):
    """The page parameters of every paged list."""

    limit: int = Field(100, ge=1, le=MAX_LIMIT, description="Items per page.", examples=[100])
    cursor: str | None = Field(
        None,
        pattern=r"^[A-Za-z0-9_-]+$",
        max_length=200,
        description="`next_cursor` of the previous page (keep the other parameters the same).",
        examples=["MjAyNjExMjlUMDUxMDExWi03YWIwNGN8MTAw"],
    )
    all_pages: bool = Field(
        False,
        description="`true`: every matching item in one response (`limit` and `cursor` are ignored), e.g. a CSV "
        "download of exactly what the filters select.",
        examples=[True],
    )


class PageQuery(ListQuery, Paging):
    """A paged list's parameters."""


class GeoPageQuery(PageQuery):
    """A paged list of rows with a place: GeoJSON too."""

    GEO: ClassVar[bool] = True

    format: OutputFormat | None = Field(
        None,
        description="`json` (default), `csv`, or `geojson` (a FeatureCollection, each row a feature with the row as "
        "its `properties`; `count`, `next_cursor` and `meta` as foreign members). Without it, `Accept: text/csv` "
        "asks for CSV and `Accept: application/geo+json` for GeoJSON.",
        examples=["geojson"],
    )


class FeedersAboveQuery(ListQuery):
    maxHostingCapacity: float = Field(  # noqa: N815 - the prototype's parameter name
        allow_inf_nan=False,
        description="Lower bound (MW), exclusive: feeders whose `max_hc_mw` is strictly greater.",
        examples=[5.0],
    )


class FeederDersCompatQuery(ListQuery):
    feederID: str = Field(  # noqa: N815 - the prototype's parameter name
        min_length=1,
        max_length=64,
        pattern=NATIVE_TEXT,
        description="Canonical `feeder_id`, or the utility's native feeder ID (any case, surrounding spaces ignored).",
        examples=["MI3798"],
    )
    utility: Utility = None


#: a decimal number, as the spatial parameters take them
_NUMBER = r"-?[0-9]{1,3}(\.[0-9]{1,12})?"


class SpatialQuery(BaseModel):
    """Where: a box, or a circle around a point (given together, a row must pass both)."""

    bbox: str | None = Field(
        None,
        pattern=rf"^{_NUMBER},{_NUMBER},{_NUMBER},{_NUMBER}$",
        description="`minlon,minlat,maxlon,maxlat` (WGS84 degrees): only rows in this box: a feeder whose bounding "
        "box meets it, a DER whose location lies in it. Rows without a location never match.",
        examples=["-74.05,41.0,-73.7,41.2"],
    )
    near: str | None = Field(
        None,
        pattern=rf"^{_NUMBER},{_NUMBER}$",
        description="`lat,lon` (WGS84 degrees): only rows whose location is within `radius_km` of this point, "
        "nearest first, each with `distance_km`. A feeder's location is its representative point; a DER's is "
        "its feeder's (no source publishes DER coordinates; `location_source` says so).",
        examples=["41.08,-73.8"],
    )
    radius_km: float = Field(5.0, gt=0, le=200, allow_inf_nan=False, description="The radius of `near` (km).", examples=[10.0])


_PLACE = r"^[A-Za-z0-9 .'-]+$"


class PlaceQuery(BaseModel):
    """Named places (any case); every one given must match."""

    county: str | None = Field(
        None, max_length=40, pattern=_PLACE,
        description="Only rows in this New York county (`Westchester`, `Westchester County`). A DER's county is "
        "the one the SIR inventory publishes; a feeder's is derived: the county (Census outline) holding its "
        "representative point, or for a feeder without geometry the county most of its DER are in.",
        examples=["Westchester"],
    )  # fmt: skip
    zip_code: str | None = Field(
        None, pattern=r"^[0-9]{5}(-[0-9]{4})?$",
        description="Only rows with this ZIP code (first five digits compared). A DER's as published; a feeder's "
        "derived: the ZIP codes of its DER.",
        examples=["10601"],
    )  # fmt: skip
    town: str | None = Field(
        None, max_length=60, pattern=_PLACE,
        description="Only rows in this city or town (the SIR inventory's City/Town). A feeder's derived: the towns "
        "of its DER.",
        examples=["White Plains"],
    )  # fmt: skip
    load_zone: str | None = Field(
        None, max_length=12, pattern=r"^[A-Za-z0-9 _-]+$",
        description="Only rows in this NYISO load zone (`A`–`K`): a DER's as the SIR inventory publishes it, a "
        "feeder's as its network layer does (null for sources that publish none).",
        examples=["I"],
    )  # fmt: skip


class FeedersQuery(GeoPageQuery, SpatialQuery, PlaceQuery):
    utility: Utility = None
    substation: str | None = Field(
        None,
        max_length=64,
        pattern=NATIVE_TEXT,
        description="Only feeders of this substation: its canonical `substation_id`, or its name (any case).",
        examples=["Milan"],
    )
    min_max_hc_mw: float | None = finite("Only feeders with `max_hc_mw` ≥ this (MW).", 2.0)
    max_max_hc_mw: float | None = finite("Only feeders with `max_hc_mw` ≤ this (MW).", 10.0)
    min_headroom_mw: float | None = finite(
        "Only feeders whose headroom under `scenario` ≥ this (MW): `headroom_after_queue_mw` for `all_queued`.", 1.0
    )
    scenario: Scenario = Field(
        "all_queued",
        description="The queue assumption `min_headroom_mw` applies to: `all_queued` (every queued project is built: "
        "`headroom_after_queue_mw`), `past_milestone` (only queued projects past a utility study or agreement "
        "milestone: `headroom_past_milestone_mw`), `without_stale` (queue entries with no activity for "
        "`HOSTCAP_QUEUE_STALE_MONTHS` months dropped: `headroom_without_stale_mw`). Every feeder row carries all three.",
        examples=["past_milestone"],
    )
    sort: FeederSort = Field(
        DEFAULT_SORT,
        description="`utility` (by utility, then native feeder ID), or a numeric column, ascending, or descending "
        "with a leading `-`. Nulls come last either way.",
        examples=["-max_hc_mw"],
    )


class FeederDersQuery(GeoPageQuery):
    status: Statuses = None
    der_type: DerTypes = None


class DersQuery(FeederDersQuery, SpatialQuery, PlaceQuery):
    utility: Utility = None
    feeder_id: str | None = Field(
        None,
        pattern=CANONICAL_ID,
        description="Only DER on this feeder (canonical ID).",
        examples=["5ffd070674640f91d6c32c5b1d202dd2"],
    )


class LocateQuery(BaseModel):
    lat: float = Field(ge=-90, le=90, allow_inf_nan=False, description="Latitude (WGS84 degrees).", examples=[41.08])
    lon: float = Field(ge=-180, le=180, allow_inf_nan=False, description="Longitude (WGS84 degrees).", examples=[-73.8])
    tolerance_km: float = Field(
        0.1, gt=0, le=5, allow_inf_nan=False,
        description="How far (km) a feeder's segment may pass from the point.", examples=[0.25],
    )  # fmt: skip


class SubstationsQuery(PageQuery):
    utility: Utility = None
    sort: SubstationSort = Field(
        SUBSTATION_DEFAULT_SORT,
        description="`utility` (by utility, then substation name), or a numeric column, ascending, or descending "
        "with a leading `-` (`-bank_headroom_mw`: most room on the bank first). Nulls come last either way.",
        examples=["-bank_headroom_mw"],
    )

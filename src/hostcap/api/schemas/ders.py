"""Distributed energy resources (DER): installed, planned and withdrawn projects."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import Field

from hostcap.api.schemas.common import Envelope, Paged
from hostcap.api.schemas.feeders import Utility
from hostcap.api.schemas.lineage import Lineage
from hostcap.canonical import DER_STATUSES, DER_TYPES

DerStatus = Literal[DER_STATUSES]
DerType = Literal[DER_TYPES]


def _kw(technology: str) -> object:
    return Field(None, description=f"Nameplate kW of the project's {technology}; null where the source gives none.", examples=[None])


class DerPublic(Lineage):
    """One DER project: installed (connected) or planned (in the interconnection queue), or withdrawn."""

    der_id: str = Field(
        description="Canonical DER ID: md5 of `<utility>|<native DER ID>`.", examples=["b8a65e23fcef1e2158d746bd06ac0960"]
    )
    native_der_id: str = Field(description="The utility's own project ID, trimmed and upper-cased.", examples=["100059"])
    utility: Utility
    status: DerStatus = Field(description="`installed`, `planned` or `withdrawn`.", examples=["installed"])
    feeder_id: str | None = Field(
        description="Canonical ID of the feeder the project connects to; null when the record names none.",
        examples=["5ffd070674640f91d6c32c5b1d202dd2"],
    )
    native_feeder_id: str | None = Field(description="The utility's own ID of that feeder.", examples=["MI3799"])
    der_type: DerType | None = Field(description="Canonical technology of the project.", examples=["solar"])
    der_type_raw: str | None = Field(description="The technology as the source wrote it.", examples=["Solar"])
    nameplate_kw: float | None = Field(description="Nameplate rating (kW AC).", examples=[799.6])
    solar_pv_kw: float | None = _kw("solar PV")
    storage_kw: float | None = _kw("energy storage")
    wind_kw: float | None = _kw("wind")
    microturbine_kw: float | None = _kw("microturbines")
    synchronous_generator_kw: float | None = _kw("synchronous generators")
    induction_generator_kw: float | None = _kw("induction generators")
    farm_waste_kw: float | None = _kw("farm waste generation")
    fuel_cell_kw: float | None = _kw("fuel cells")
    chp_kw: float | None = _kw("combined heat and power")
    gas_turbine_kw: float | None = _kw("gas turbines")
    hydro_kw: float | None = _kw("hydro")
    internal_combustion_kw: float | None = _kw("internal combustion engines")
    steam_turbine_kw: float | None = _kw("steam turbines")
    other_kw: float | None = _kw("other technologies")
    substation_name: str | None = Field(description="Substation the project connects to.", examples=["Milan"])
    inverter_nameplate_kw: float | None = Field(description="Inverter nameplate rating (kW).", examples=[None])
    hybrid: bool | None = Field(description="Whether the project combines technologies (e.g. solar + storage).", examples=[False])
    interconnection_cost_usd: float | None = Field(description="Estimated interconnection cost (USD).", examples=[None])
    developer: str | None = Field(description="Developer of the project.", examples=["Bright Harbor Energy"])
    city: str | None = Field(description="City or town of the project.", examples=["Carmel"])
    county: str | None = Field(description="County of the project.", examples=["Putnam"])
    zip_code: str | None = Field(description="ZIP code, as text (leading zeros kept).", examples=["10512"])
    load_zone: str | None = Field(description="NYISO load zone letter.", examples=["G"])
    metering: str | None = Field(description="Metering arrangement code (e.g. `NM`, `RNM`, `CDG`).", examples=["RNM"])
    application_date: dt.date | None = Field(description="When the interconnection application was filed.", examples=["2025-10-12"])
    queue_date: dt.date | None = Field(description="When the project entered the queue.", examples=[None])
    planned_in_service_date: dt.date | None = Field(description="When the project plans to be in service.", examples=[None])
    completion_date: dt.date | None = Field(description="When the project was completed (connected).", examples=["2026-09-30"])
    milestone_date: dt.date | None = Field(
        description="Latest utility study or agreement milestone the project has passed: the latest of the date fields "
        "its source config names in `der.milestone_fields` (the SIR inventories: the application's approval). "
        "Null when it has passed none, or its source publishes none.",
        examples=["2025-11-03"],
    )
    unparsed_values: str = Field(
        description="Values present in the source but unreadable (kept as null), as `<field>=<raw text>`; \"\" when none.",
        examples=[""],
    )
    quality_flags: list[str] = Field(
        description="Data-quality flags: `no_feeder`, `unknown_feeder` (names a feeder absent from the network data), "
        "`transmission` (not distribution DER), `duplicate_conflict`, `unparsed_value`, `nameplate_mismatch`.",
        examples=[[]],
    )


class DersPublic(Paged[DerPublic]):
    """A page of DER projects."""


class DerDetail(Envelope[DerPublic]):
    """One DER project."""

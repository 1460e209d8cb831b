"""The `ders` table: one record per DER project (installed wins over planned; see hostcap.layers.gold)."""

from __future__ import annotations

from hostcap.canonical import DER_TYPES, TECHNOLOGY_FIELDS
from hostcap.registry import shared
from hostcap.registry.flags import flags
from hostcap.registry.model import Field, FieldType, Table

STATUSES = {
    "installed": "connected to the grid",
    "planned": "in the interconnection queue",
    "withdrawn": "left the queue without being built",
}
#: each canonical DER type in words ("solar_storage" → "solar + storage")
TYPES = {kind: kind.replace("_storage", " + storage").replace("_", " ") for kind in DER_TYPES}

#: the technology each per-technology kW field counts, in words
_TECHNOLOGIES = {
    "solar_pv_kw": "solar PV",
    "storage_kw": "energy storage",
    "wind_kw": "wind",
    "microturbine_kw": "microturbines",
    "synchronous_generator_kw": "synchronous generators",
    "induction_generator_kw": "induction generators",
    "farm_waste_kw": "farm waste generation",
    "fuel_cell_kw": "fuel cells",
    "chp_kw": "combined heat and power",
    "gas_turbine_kw": "gas turbines",
    "hydro_kw": "hydro",
    "internal_combustion_kw": "internal combustion engines",
    "steam_turbine_kw": "steam turbines",
    "other_kw": "other technologies",
}


def _technology(name: str) -> Field:
    return Field(
        name,
        "number",
        f"Nameplate kW of the project's {_TECHNOLOGIES[name]}; null where the source gives none.",
        None,
        origin="utility",
    )


def _published(name: str, kind: FieldType, description: str, example: object) -> Field:
    return Field(name, kind, description, example, origin="utility")


DERS = Table(
    name="ders",
    title="Distributed energy resources",
    description="One DER project: installed (connected) or planned (in the interconnection queue), or withdrawn.",
    key="der_id",
    order=("utility", "native_der_id"),
    fields=(
        Field(
            "der_id",
            "string",
            "Canonical DER ID: md5 of `<utility>|<native DER ID>`.",
            "b8a65e23fcef1e2158d746bd06ac0960",
            source="utility, native_der_id",
            nullable=False,
        ),
        Field(
            "native_der_id",
            "string",
            "The utility's own project ID, trimmed and upper-cased.",
            "100059",
            origin="utility",
            nullable=False,
        ),
        shared.UTILITY,
        Field(
            "status",
            "string",
            "The project's status.",
            "installed",
            origin="utility",
            nullable=False,
            source="the source's status, or `status_raw` mapped by its config",
            values=STATUSES,
        ),
        Field(
            "feeder_id",
            "string",
            "Canonical ID of the feeder the project connects to; null when the record names none.",
            "5ffd070674640f91d6c32c5b1d202dd2",
            source="utility, native_feeder_id",
        ),
        _published("native_feeder_id", "string", "The utility's own ID of that feeder.", "MI3799"),
        Field(
            "der_type",
            "string",
            "Canonical technology of the project.",
            "solar",
            source="der_type_raw mapped by the source config, else the technology columns",
            values=TYPES,
        ),
        _published("der_type_raw", "string", "The technology as the source wrote it.", "Solar"),
        _published("nameplate_kw", "number", "Nameplate rating (kW AC).", 799.6),
        *(_technology(name) for name in TECHNOLOGY_FIELDS),
        _published("substation_name", "string", "Substation the project connects to.", "Milan"),
        _published("inverter_nameplate_kw", "number", "Inverter nameplate rating (kW).", None),
        _published("hybrid", "boolean", "Whether the project combines technologies (e.g. solar + storage).", False),
        _published("interconnection_cost_usd", "number", "Estimated interconnection cost (USD).", None),
        _published("developer", "string", "Developer of the project.", "Bright Harbor Energy"),
        _published("city", "string", "City or town of the project.", "Carmel"),
        _published("county", "string", "County of the project.", "Putnam"),
        _published("zip_code", "string", "ZIP code, as text (leading zeros kept).", "10512"),
        shared.LOAD_ZONE,
        _published("metering", "string", "Metering arrangement code (e.g. `NM`, `RNM`, `CDG`).", "RNM"),
        _published("application_date", "date", "When the interconnection application was filed.", "2025-10-12"),
        _published("queue_date", "date", "When the project entered the queue.", None),
        _published("planned_in_service_date", "date", "When the project plans to be in service.", None),
        _published("completion_date", "date", "When the project was completed (connected).", "2026-09-30"),
        Field(
            "milestone_date",
            "date",
            "Latest utility study or agreement milestone the project has passed: the latest of the date fields its "
            "source config names in `der.milestone_fields` (the SIR inventories: the application's approval). "
            "Null when it has passed none, or its source publishes none.",
            "2025-11-03",
            source="the config's `der.milestone_fields`",
        ),
        Field(
            "unparsed_values",
            "string",
            'Values present in the source but unreadable (kept as null), as `<field>=<raw text>`; "" when none.',
            "",
            nullable=False,
        ),
        Field(
            "quality_flags",
            "flags",
            "Data-quality flags.",
            [],
            nullable=False,
            values=flags(
                "no_feeder", "unknown_feeder", "transmission", "duplicate_conflict", "unparsed_value", "nameplate_mismatch"
            ),
        ),
        *shared.LINEAGE,
    ),
)

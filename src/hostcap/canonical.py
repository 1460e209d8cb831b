"""The canonical model: every field a source config may map to, with its kind and unit.

Source configs (YAML) map a utility's headers onto these names; the silver layer types each field
by its kind here. Numeric names carry their unit (`_mw`, `_kw`, `_kv`, `_usd`), and a config that
sends another unit declares it, so conversion is data, not code.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Literal


class Kind(StrEnum):
    """How a raw text value becomes typed."""

    ID = "id"  # trimmed, upper-cased, `1105354.0` → `1105354`; never cast to a number
    TEXT = "text"  # trimmed text
    CODE = "code"  # trimmed, upper-cased text used for matching (status codes, company codes)
    NUMBER = "number"  # strict decimal number, converted to the field's unit
    DATE = "date"  # one of the configured date formats
    YES_NO = "yes_no"  # Y/N → boolean


Dataset = Literal["network", "installed_der", "planned_der", "der"]
Unit = Literal["mw", "kw", "kv", "v", "usd"]

#: factor that turns a value in the source unit into the canonical unit of the field's suffix
UNIT_FACTORS: dict[tuple[str, str], float] = {
    ("mw", "mw"): 1.0,
    ("kw", "mw"): 0.001,
    ("kw", "kw"): 1.0,
    ("mw", "kw"): 1000.0,
    ("kv", "kv"): 1.0,
    ("v", "kv"): 0.001,
    ("usd", "usd"): 1.0,
}


def canonical_unit(field: str) -> str | None:
    """The unit a numeric canonical field is stored in, read from its name's suffix."""
    for unit in ("mw", "kw", "kv", "usd"):
        if field.endswith(f"_{unit}"):
            return unit
    return None


#: the per-technology kW breakdown every DER record carries (zero where the source has none)
TECHNOLOGY_FIELDS: dict[str, str] = {
    "solar_pv_kw": "solar",
    "storage_kw": "storage",
    "wind_kw": "wind",
    "microturbine_kw": "other",
    "synchronous_generator_kw": "other",
    "induction_generator_kw": "other",
    "farm_waste_kw": "farm_waste",
    "fuel_cell_kw": "fuel_cell",
    "chp_kw": "chp",
    "gas_turbine_kw": "gas_turbine",
    "hydro_kw": "hydro",
    "internal_combustion_kw": "internal_combustion",
    "steam_turbine_kw": "steam",
    "other_kw": "other",
}

DER_TYPES = (
    "solar",
    "storage",
    "solar_storage",
    "wind",
    "hydro",
    "chp",
    "fuel_cell",
    "farm_waste",
    "biogas",
    "gas_turbine",
    "internal_combustion",
    "steam",
    "other",
)

DER_STATUSES = ("installed", "planned", "withdrawn")

#: the per-criterion hosting-capacity limits (MW) a utility's map may publish, each with the words
#: the API and explorer name it by when it is the one that binds (the lowest limit at a location)
HC_CRITERIA: dict[str, str] = {
    "thermal_hc_mw": "thermal",
    "over_voltage_hc_mw": "over-voltage",
    "voltage_deviation_hc_mw": "voltage deviation",
    "regulator_deviation_hc_mw": "regulator deviation",
    "flicker_hc_mw": "flicker",
    "anti_islanding_hc_mw": "anti-islanding",
    "section_rating_hc_mw": "section rating",
    "feeder_rating_hc_mw": "feeder rating",
    "bank_rating_hc_mw": "substation bank rating",
}
#: the binding criterion of a location whose source publishes no per-criterion limits
NOT_PUBLISHED = "not published"

NETWORK_FIELDS: dict[str, Kind] = {
    "native_feeder_id": Kind.ID,
    "native_segment_id": Kind.ID,
    "substation_name": Kind.TEXT,
    "operating_company": Kind.CODE,
    "feeder_name": Kind.TEXT,
    "phases": Kind.TEXT,
    "voltage_kv": Kind.NUMBER,
    "feeder_voltage_kv": Kind.NUMBER,
    "segment_max_hc_mw": Kind.NUMBER,
    "segment_min_hc_mw": Kind.NUMBER,
    "feeder_max_hc_mw": Kind.NUMBER,
    "feeder_min_hc_mw": Kind.NUMBER,
    "connected_der_mw": Kind.NUMBER,
    "queued_der_mw": Kind.NUMBER,
    "der_since_last_study_mw": Kind.NUMBER,
    "bank_capacity_mw": Kind.NUMBER,
    **{name: Kind.NUMBER for name in HC_CRITERIA},
    "load_zone": Kind.CODE,
    "hca_refresh_date": Kind.DATE,
    "der_refresh_date": Kind.DATE,
    "notes": Kind.TEXT,
    # the row's line as GeoJSON text in WGS84 (a fetched ArcGIS layer's `geometry`; see hostcap.layers.geometry)
    "geometry": Kind.TEXT,
}

DER_FIELDS: dict[str, Kind] = {
    "native_der_id": Kind.ID,
    "native_feeder_id": Kind.ID,
    "substation_name": Kind.TEXT,
    "status_raw": Kind.CODE,
    "der_type_raw": Kind.TEXT,
    "nameplate_kw": Kind.NUMBER,
    "inverter_nameplate_kw": Kind.NUMBER,
    **{name: Kind.NUMBER for name in TECHNOLOGY_FIELDS},
    "hybrid": Kind.YES_NO,
    "interconnection_cost_usd": Kind.NUMBER,
    "developer": Kind.TEXT,
    "city": Kind.TEXT,
    "county": Kind.TEXT,
    "zip_code": Kind.TEXT,
    "load_zone": Kind.CODE,
    "metering": Kind.CODE,
    "application_date": Kind.DATE,
    "queue_date": Kind.DATE,
    "planned_in_service_date": Kind.DATE,
    "completion_date": Kind.DATE,
}

#: fields whose absence makes a row unidentifiable (quarantine), per dataset family
ID_FIELD = {"network": "native_feeder_id", "der": "native_der_id"}


def family(dataset: str) -> str:
    """`network` or `der`: the two shapes of canonical record."""
    return "network" if dataset == "network" else "der"


def fields_of(dataset: str) -> dict[str, Kind]:
    """The canonical fields a source of this dataset may map."""
    return NETWORK_FIELDS if family(dataset) == "network" else DER_FIELDS

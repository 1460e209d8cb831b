"""Fields several gold tables share: canonical IDs, the utility, study dates, binding criteria, lineage."""

from __future__ import annotations

from hostcap.canonical import HC_CRITERIA, NOT_PUBLISHED
from hostcap.registry.model import Field

FEEDER_ID = Field(
    "feeder_id",
    "string",
    "Canonical feeder ID: md5 of `<utility>|<native feeder ID>`, 32 lower-case hex characters.",
    "a49b36cff7e6b07de4c070043c8322fd",
    source="utility, native_feeder_id",
    nullable=False,
)
NATIVE_FEEDER_ID = Field(
    "native_feeder_id",
    "string",
    "The utility's own feeder ID, trimmed and upper-cased.",
    "MI3798",
    origin="utility",
    nullable=False,
)
UTILITY = Field(
    "utility",
    "string",
    "Utility code, as its source configs name it (`/v1/utilities` lists each with its name).",
    "central_hudson",
    source="the source config's `utility`",
    nullable=False,
)
SUBSTATION_NAME = Field("substation_name", "string", "Substation name as the utility writes it.", "Milan", origin="utility")
HCA_REFRESH_DATE = Field(
    "hca_refresh_date",
    "date",
    "When the utility last refreshed its hosting-capacity analysis.",
    "2025-06-30",
    origin="utility",
)
LOAD_ZONE = Field("load_zone", "string", "NYISO load zone letter.", "G", origin="utility")

#: the binding criterion's words, with what each means
CRITERIA = {
    **{words: f"the {words} limit is the lowest (`{name}`)" for name, words in HC_CRITERIA.items()},
    NOT_PUBLISHED: "the source publishes no per-criterion limits (National Grid's feeder file, NYSEG/RG&E, "
    "Central Hudson's file exports)",
}


def criterion(name: str) -> Field:
    return Field(
        name,
        "string",
        "The criterion that binds (the lowest published per-criterion limit), in words.",
        "thermal",
        source=", ".join(HC_CRITERIA),
        nullable=False,
        values=CRITERIA,
    )


def limit(name: str) -> Field:
    return Field(
        name,
        "number",
        "The binding criterion's limit (MW), from the utility's map; null where not published.",
        1.6,
        origin="utility",
    )


def criterion_limits() -> tuple[Field, ...]:
    """The per-criterion limits (MW) a utility's map may publish (hostcap.canonical.HC_CRITERIA)."""
    return tuple(
        Field(name, "number", f"{words[0].upper()}{words[1:]} limit (MW), as published; null where not.", None, origin="utility")
        for name, words in HC_CRITERIA.items()
    )


#: where every row of a source-fed gold table was read, and which refresh loaded it
LINEAGE = (
    Field("source", "string", "Source that loaded the row: `<utility>/<dataset>`.", "central_hudson/network", nullable=False),
    Field(
        "source_file",
        "string",
        "File the row was read from, relative to the source root.",
        "central_hudson/network/central_hudson_network_2026-10.csv",
        nullable=False,
    ),
    Field("source_row", "integer", "Data row number in that file (1 = first row after the header).", 373, nullable=False),
    Field("run_id", "string", "Refresh run that loaded the row.", "20261129T051011Z-7ab04c", nullable=False),
)

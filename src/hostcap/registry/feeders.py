"""The `feeders` table: one row per feeder (circuit) of one utility."""

from __future__ import annotations

from hostcap.registry import shared
from hostcap.registry.flags import flags
from hostcap.registry.model import Field, Table

#: where `added_since_study_mw` comes from (hostcap.layers.headroom)
ADDED_SOURCES = {
    "utility_published": "the utility's own figure (National Grid `feeder_dg_connected_since_refresh`, Central "
    "Hudson `DG_INST_LASTHCA`)",
    "project_records": "the nameplate of installed DER whose completion date is after `hca_refresh_date`, from the "
    "DER records (only when every installed record on the feeder has a completion date)",
}

FEEDERS = Table(
    name="feeders",
    title="Feeders",
    description="One feeder (circuit) of one utility, with its hosting capacity and DER roll-ups.",
    key="feeder_id",
    order=("utility", "native_feeder_id"),
    foreign_keys={"substation_id": ("substations", "substation_id")},
    fields=(
        shared.FEEDER_ID,
        shared.NATIVE_FEEDER_ID,
        shared.UTILITY,
        Field(
            "substation_id",
            "string",
            "Canonical substation ID (md5 of `<utility>|<substation name>`); null when no source names it.",
            "dfb6df15ab31938d7b8753ff60aacdf0",
            source="utility, substation_name",
        ),
        shared.SUBSTATION_NAME,
        Field(
            "voltage_kv",
            "number",
            "Feeder voltage (kV).",
            13.2,
            origin="utility",
            source="feeder_voltage_kv, else the highest voltage_kv of its rows",
        ),
        Field(
            "max_hc_mw",
            "number",
            "Maximum hosting capacity (MW): the largest DER that fits at the best location on the feeder. Null "
            "when the source gives none (flag `no_hosting_capacity`). Several utilities cap studies at 10 MW.",
            19.52,
            origin="utility",
            source="feeder_max_hc_mw, else the largest segment_max_hc_mw",
        ),
        Field(
            "min_hc_mw",
            "number",
            "Minimum hosting capacity (MW): what fits anywhere on the feeder.",
            6.49,
            origin="utility",
            source="feeder_min_hc_mw, else the smallest segment_min_hc_mw",
        ),
        shared.HCA_REFRESH_DATE,
        Field(
            "der_data_date",
            "date",
            "When the utility last refreshed the connected and queued DER figures of its map (Con Edison and O&R "
            "`DER_REFESH_DATE`, Central Hudson `DG_ConQue_REFRESH_DATE`); null where not published.",
            "2026-09-30",
            origin="utility",
            source="der_refresh_date",
        ),
        Field(
            "segment_count",
            "integer",
            "Segments (line sections) of the feeder; 0 for a feeder-grain source.",
            208,
            nullable=False,
        ),
        Field("installed_der_count", "integer", "Installed DER records on the feeder.", 12, nullable=False, source="ders"),
        Field(
            "installed_der_mw",
            "number",
            "Nameplate MW of the installed DER on the feeder.",
            3.2165,
            nullable=False,
            source="ders.nameplate_kw",
        ),
        Field("planned_der_count", "integer", "Planned (queued) DER records on the feeder.", 4, nullable=False, source="ders"),
        Field(
            "planned_der_mw",
            "number",
            "Nameplate MW of the planned DER on the feeder.",
            1.75,
            nullable=False,
            source="ders.nameplate_kw",
        ),
        Field(
            "headroom_after_queue_mw",
            "number",
            "`max_hc_mw - planned_der_mw` (MW; scenario `all_queued`); negative when the queue already exceeds the "
            "feeder's max HC. Mixes numbers of different ages: the HC study does not count DER connected since "
            "`hca_refresh_date` (see `headroom_since_study_mw`).",
            17.77,
        ),
        Field(
            "added_since_study_mw",
            "number",
            "DER connected after the HC study (MW), which the study's numbers do not include. "
            "`added_since_study_source` says where it comes from; may be negative where the utility publishes it "
            "so (National Grid). Null when neither the utility publishes it nor the project records can tell it.",
            0.51,
            source="der_since_last_study_mw, else the DER records",
        ),
        Field(
            "added_since_study_source",
            "string",
            "Where `added_since_study_mw` comes from; null: unknown.",
            "utility_published",
            values=ADDED_SOURCES,
        ),
        Field(
            "headroom_since_study_mw",
            "number",
            "`max_hc_mw - added_since_study_mw - planned_der_mw` (MW): `headroom_after_queue_mw` also counting "
            "the DER connected since the study. Kept beside it, never in its place; null when "
            "`added_since_study_mw` is.",
            17.26,
        ),
        shared.criterion("binding_criterion_at_best"),
        shared.limit("binding_limit_at_best_mw"),
        shared.criterion("binding_criterion_at_worst"),
        shared.limit("binding_limit_at_worst_mw"),
        Field(
            "connected_der_mw", "number", "Connected DER (MW) as the utility's network file states it.", 2.21, origin="utility"
        ),
        Field("queued_der_mw", "number", "Queued DER (MW) as the utility's network file states it.", 0.0, origin="utility"),
        Field("bank_capacity_mw", "number", "Capacity of the feeder's substation bank (MW).", 16.8, origin="utility"),
        shared.LOAD_ZONE,
        Field(
            "bbox_min_lon",
            "number",
            "Bounding box of the feeder's lines: least longitude, over the vertices of its segments (a feeder-grain "
            "source: its own line). Null where the source publishes no geometry (file exports; flag `no_geometry`): "
            "only a fetched map layer carries it.",
            -73.93412,
            source="geometry",
        ),
        Field("bbox_min_lat", "number", "Bounding box: least latitude.", 41.70215, source="geometry"),
        Field("bbox_max_lon", "number", "Bounding box: greatest longitude.", -73.90127, source="geometry"),
        Field("bbox_max_lat", "number", "Bounding box: greatest latitude.", 41.73388, source="geometry"),
        Field(
            "point_lon",
            "number",
            "Representative point, longitude: the vertex of the feeder's lines nearest the centre of its bounding "
            "box (ties: least longitude, then latitude), so always on the feeder. Null where the bounding box is.",
            -73.91702,
            source="geometry",
        ),
        Field("point_lat", "number", "Representative point, latitude.", 41.71866, source="geometry"),
        Field(
            "quality_flags",
            "flags",
            "Data-quality flags.",
            [],
            nullable=False,
            values=flags("duplicate_conflict", "unparsed_value", "no_hosting_capacity", "invalid_capacity", "no_geometry"),
        ),
        *shared.LINEAGE,
        # added when served and exported (hostcap.feeder_view), as of the snapshot's build date
        Field(
            "as_of_date",
            "date",
            "The date ages and queue scenarios are computed against: the snapshot's build date (UTC).",
            "2026-10-01",
            nullable=False,
            stored=False,
        ),
        Field(
            "hca_age_days",
            "integer",
            "Days from `hca_refresh_date` to `as_of_date`: the age of the HC study (the explorer warns past 12 "
            "months by default).",
            458,
            stored=False,
        ),
        Field("der_data_age_days", "integer", "Days from `der_data_date` to `as_of_date`.", 1, stored=False),
        Field(
            "planned_past_milestone_der_mw",
            "number",
            "Scenario `past_milestone`: nameplate MW of the queued DER past a utility study or agreement milestone "
            "(see DER `milestone_date`); null for a utility whose sources publish no milestone.",
            0.12351,
            stored=False,
        ),
        Field(
            "headroom_past_milestone_mw",
            "number",
            "Scenario `past_milestone`: `max_hc_mw - planned_past_milestone_der_mw` (MW).",
            19.4,
            stored=False,
        ),
        Field(
            "planned_without_stale_der_mw",
            "number",
            "Scenario `without_stale`: nameplate MW of the queued DER whose latest date (queued, application or "
            "milestone) is within `HOSTCAP_QUEUE_STALE_MONTHS` (default 24) months of `as_of_date`; entries with "
            "no date are kept.",
            0.53075,
            nullable=False,
            stored=False,
        ),
        Field(
            "headroom_without_stale_mw",
            "number",
            "Scenario `without_stale`: `max_hc_mw - planned_without_stale_der_mw` (MW).",
            1.54,
            stored=False,
        ),
        # derived when served and exported (hostcap.counties): from the county outlines the package ships, which
        # are not source data, so gold (a function of the sources, the same from either engine) does not store it
        Field(
            "county",
            "string",
            "New York county (Census spelling), derived by hostcap, not published by the utility: the county whose "
            "Census outline holds the representative point (`point_lon`, `point_lat`; within ~1 km off a "
            "shoreline); for a feeder without geometry, the county most of its DER are in (their `county`, as the "
            "SIR inventory publishes it; ties: the first by name). Null with neither. The `county` filter and "
            "`/v1/stats/counties` use this value.",
            "Dutchess",
            source="point_lon, point_lat (Census county outlines), else ders.county",
            stored=False,
        ),
    ),
)

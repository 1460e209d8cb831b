"""The `feeder_segments` table: one row per segment (line section) of a segment-grain source's feeder."""

from __future__ import annotations

from hostcap.registry import shared
from hostcap.registry.flags import flags
from hostcap.registry.model import Field, Table

SEGMENTS = Table(
    name="feeder_segments",
    title="Feeder segments",
    description="One segment (line section) of a feeder, with its own hosting capacity.",
    key="segment_id",
    order=("utility", "native_feeder_id", "native_segment_id"),
    foreign_keys={"feeder_id": ("feeders", "feeder_id")},
    fields=(
        Field(
            "segment_id",
            "string",
            "Canonical segment ID (md5 of the utility, feeder and native segment ID).",
            "cb725af90c2676b004e4c538b81bc00c",
            source="utility, native_feeder_id, native_segment_id",
            nullable=False,
        ),
        shared.FEEDER_ID,
        shared.NATIVE_FEEDER_ID,
        Field("native_segment_id", "string", "The utility's own segment ID.", "10", origin="utility"),
        shared.UTILITY,
        Field("voltage_kv", "number", "Segment voltage (kV).", 13.2, origin="utility"),
        Field(
            "max_hc_mw",
            "number",
            "Maximum hosting capacity at this segment (MW).",
            12.47,
            origin="utility",
            source="segment_max_hc_mw",
        ),
        Field(
            "min_hc_mw",
            "number",
            "Minimum hosting capacity at this segment (MW).",
            8.61,
            origin="utility",
            source="segment_min_hc_mw",
        ),
        Field("phases", "string", "Phases present on the segment (`A`, `AB`, `ABC`, …).", "ABC", origin="utility"),
        shared.HCA_REFRESH_DATE,
        shared.criterion("binding_criterion"),
        shared.limit("binding_limit_mw"),
        *shared.criterion_limits(),
        Field(
            "geometry",
            "string",
            "The segment's line as GeoJSON text (a `LineString` or `MultiLineString`, coordinates in degrees "
            "longitude, latitude, WGS84) as its utility's map layer publishes it. Null where the source publishes "
            "no geometry (file exports).",
            '{"type":"LineString","coordinates":[[-73.9341,41.7021],[-73.9338,41.7025]]}',
            origin="utility",
        ),
        Field(
            "quality_flags",
            "flags",
            "Data-quality flags.",
            [],
            nullable=False,
            values=flags("duplicate_conflict", "unparsed_value"),
        ),
        *shared.LINEAGE,
    ),
)

"""The `substations` table: one row per substation a source names, with totals over its feeders."""

from __future__ import annotations

from hostcap.registry import shared
from hostcap.registry.model import Field, Table

SUBSTATIONS = Table(
    name="substations",
    title="Substations",
    description="One substation, where a source names substations, with totals over its feeders.",
    key="substation_id",
    order=("utility", "substation_name"),
    fields=(
        Field(
            "substation_id",
            "string",
            "Canonical substation ID: md5 of `<utility>|<normalized substation name>`.",
            "dfb6df15ab31938d7b8753ff60aacdf0",
            source="utility, substation_name",
            nullable=False,
        ),
        shared.SUBSTATION_NAME,
        shared.UTILITY,
        Field("feeder_count", "integer", "Feeders served from the substation.", 6, nullable=False),
        Field("bank_capacity_mw", "number", "Largest bank capacity given for it (MW).", 28.0, origin="utility"),
        Field("max_hc_mw", "number", "Highest max hosting capacity among its feeders (MW).", 19.52, source="feeders.max_hc_mw"),
        Field("installed_der_count", "integer", "Installed DER records on its feeders.", 70, nullable=False),
        Field("installed_der_mw", "number", "Nameplate MW of installed DER on its feeders.", 20.66335, nullable=False),
        Field("planned_der_count", "integer", "Planned DER records on its feeders.", 23, nullable=False),
        Field("planned_der_mw", "number", "Nameplate MW of planned DER on its feeders.", 9.16179, nullable=False),
        Field(
            "bank_headroom_mw",
            "number",
            "`bank_capacity_mw - installed_der_mw - planned_der_mw` (MW): room left on the substation bank once "
            "every installed and queued DER on its feeders is counted; negative when over-subscribed; null where "
            "no source gives a bank capacity (Central Hudson's `SubBank_Cap`).",
            -1.82514,
        ),
    ),
)

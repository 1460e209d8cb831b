"""`/v1/stats`: small aggregates of the served snapshot for charts (the explorer's overview), so a
chart never needs every feeder or DER record."""

from __future__ import annotations

from fastapi import APIRouter

from hostcap.api.schemas.stats import CountiesPublic, DerMwPublic, LoadZonesPublic, MaxHcDistributionPublic
from hostcap.api.tables import add_table_route

router = APIRouter(prefix="/v1/stats", tags=["stats"])

add_table_route(
    router,
    "/feeder-max-hc",
    name="feeder_max_hc",
    rows=lambda snapshot: snapshot.max_hc_distribution,
    response_model=MaxHcDistributionPublic,
    csv_example="utility,bin_min_mw,bin_max_mw,feeder_count\n",
    summary="Distribution of feeders' max hosting capacity per utility",
    description="Feeders per utility in fixed ranges of max hosting capacity (MW): below 1, 1–2, 2–5, 5–10, "
    "10–20, 20 and above. Every range of every utility is listed (zeros too); feeders without a max HC are in none.",
)
add_table_route(
    router,
    "/der-mw",
    name="der_mw",
    rows=lambda snapshot: snapshot.der_mw,
    response_model=DerMwPublic,
    csv_example="utility,der_type,status,der_count,nameplate_mw\n",
    summary="DER count and nameplate MW per utility, technology and status",
    description="Installed, planned and withdrawn DER per utility and technology: records and summed nameplate "
    "MW, transmission-level records left out (as in the feeder roll-ups and `/v1/utilities`).",
)
add_table_route(
    router,
    "/counties",
    name="counties",
    rows=lambda snapshot: snapshot.by_county,
    response_model=CountiesPublic,
    csv_example="county,feeder_count,total_max_hc_mw,headroom_after_queue_mw,installed_der_count,...\n",
    summary="Feeders and DER per county",
    description="Per New York county: feeders (by their derived county: the one holding the feeder's representative "
    "point, else the one most of its DER are in), their summed max HC and headroom after the queue; installed and "
    "planned DER (by the county the SIR inventory publishes), transmission-level records left out.",
)
add_table_route(
    router,
    "/load-zones",
    name="load_zones",
    rows=lambda snapshot: snapshot.by_load_zone,
    response_model=LoadZonesPublic,
    csv_example="load_zone,feeder_count,total_max_hc_mw,headroom_after_queue_mw,installed_der_count,...\n",
    summary="Feeders and DER per NYISO load zone",
    description="Per NYISO load zone as published (feeders: by their network layer, where it has one; DER: by the "
    "SIR inventory): feeders, their summed max HC and headroom after the queue; installed and planned DER, "
    "transmission-level records left out.",
)

"""`/v1/stats`: small aggregates of the served snapshot for charts (the explorer's overview), so a
chart never needs every feeder or DER record."""

from __future__ import annotations

from fastapi import APIRouter

from hostcap.api.schemas.stats import DerMwPublic, MaxHcDistributionPublic
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

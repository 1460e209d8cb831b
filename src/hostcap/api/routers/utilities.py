"""`/v1/utilities`: what the served snapshot holds per utility."""

from __future__ import annotations

from fastapi import APIRouter

from hostcap.api.schemas.utilities import UtilitiesPublic
from hostcap.api.tables import add_table_route

router = APIRouter(prefix="/v1/utilities", tags=["utilities"])

add_table_route(
    router,
    "",
    name="list_utilities",
    rows=lambda snapshot: snapshot.utilities,
    response_model=UtilitiesPublic,
    csv_example="utility,display_name,feeder_count,feeders_max_hc_above_1_mw,...\n",
    summary="Per-utility counts, totals and data dates",
    description="Per utility: its name for people (from its source configs), feeders (and how many could take "
    "a 1 MW or a 5 MW project), segments, "
    "substations and DER (counts and MW), total max hosting capacity, how current its data is, and the "
    "refresh that built the served snapshot.",
)

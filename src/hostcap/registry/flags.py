"""Quality flags: each a name a gold row may carry in `quality_flags`, and what it means.

Silver sets `unparsed_value`, `transmission`, `no_feeder` and `nameplate_mismatch`
(hostcap.layers.silver); gold sets the others (hostcap.layers.gold).
"""

from __future__ import annotations

QUALITY_FLAGS: dict[str, str] = {
    "duplicate_conflict": "Sources disagree about this record; the later file (and row) won.",
    "unparsed_value": "A value in the source could not be read and is null (its raw text is in `unparsed_values` for DER).",
    "no_hosting_capacity": "The source gives no hosting capacity for this feeder.",
    "invalid_capacity": "The capacities are inconsistent (negative, or minimum above maximum).",
    "no_geometry": "The source publishes no map geometry, so the feeder has no bounding box or point.",
    "no_feeder": "The record names no feeder.",
    "unknown_feeder": "The record names a feeder absent from the utility's network data.",
    "transmission": "Transmission-level project, not distribution DER: not counted in feeder totals.",
    "nameplate_mismatch": "The nameplate rating differs from the sum of its technologies.",
}


def flags(*names: str) -> dict[str, str]:
    """The flags `names` with their meanings (a table's allowed flags)."""
    return {name: QUALITY_FLAGS[name] for name in names}

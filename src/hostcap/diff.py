"""What changed between two gold snapshots: the questions a developer asks each month."""

from __future__ import annotations

import math

from pydantic import BaseModel, Field

from hostcap.lake import Lake
from hostcap.registry.models import described


class FeederRef(BaseModel):
    feeder_id: str = described("feeders", "feeder_id")
    native_feeder_id: str = described("feeders", "native_feeder_id")
    utility: str = described("feeders", "utility")


class MaxHcChange(FeederRef):
    old_max_hc_mw: float | None = Field(description="Max hosting capacity before (MW).", examples=[1.1])
    new_max_hc_mw: float | None = Field(description="Max hosting capacity now (MW).", examples=[2.5])


class DerRef(BaseModel):
    der_id: str = described("ders", "der_id")
    native_der_id: str = described("ders", "native_der_id")
    utility: str = described("ders", "utility")
    status: str = Field(description="Status in the newer snapshot (in the older one for removed DER).", examples=["installed"])
    feeder_id: str | None = described("ders", "feeder_id")
    nameplate_kw: float | None = described("ders", "nameplate_kw")


#: the gold columns a diff reads: each reference's fields (the first is the table's key), and for
#: feeders the capacity it compares
_FEEDER_KEYS = [*FeederRef.model_fields, "max_hc_mw"]
_DER_KEYS = list(DerRef.model_fields)


class SnapshotDiff(BaseModel):
    old: str = Field(description="The older snapshot.", examples=["20261001T060000Z-a1b2c3"])
    new: str = Field(description="The newer snapshot.", examples=["20261101T060000Z-d4e5f6"])
    feeders_added: list[FeederRef] = Field(description="Feeders only in the newer snapshot.")
    feeders_removed: list[FeederRef] = Field(description="Feeders only in the older snapshot.")
    max_hc_changes: list[MaxHcChange] = Field(description="Feeders whose max hosting capacity changed.")
    ders_now_installed: list[DerRef] = Field(description="DER that were planned and are now installed.")
    ders_new: list[DerRef] = Field(description="DER that were not in the older snapshot.")
    ders_withdrawn: list[DerRef] = Field(description="DER whose status became withdrawn.")
    ders_removed: list[DerRef] = Field(description="DER that are no longer in the data at all.")

    def change_counts(self) -> dict[str, int]:
        return {
            name: len(getattr(self, name)) for name in type(self).model_fields if name.startswith(("feeders_", "max_", "ders_"))
        }


def _rows(lake: Lake, table: str, snapshot: str, keys: list[str]) -> dict[str, dict]:
    rows = lake.read_table(table, snapshot=snapshot).select(keys).to_pylist()
    return {row[keys[0]]: row for row in rows}


def _same(a: float | None, b: float | None) -> bool:
    return (a is None and b is None) or (a is not None and b is not None and math.isclose(a, b, abs_tol=1e-9))


def diff_snapshots(lake: Lake, old: str, new: str) -> SnapshotDiff:
    old_feeders, new_feeders = (_rows(lake, "feeders", s, _FEEDER_KEYS) for s in (old, new))
    old_ders, new_ders = (_rows(lake, "ders", s, _DER_KEYS) for s in (old, new))
    both = sorted(old_feeders.keys() & new_feeders.keys())
    return SnapshotDiff(
        old=old,
        new=new,
        feeders_added=[new_feeders[k] for k in sorted(new_feeders.keys() - old_feeders.keys())],
        feeders_removed=[old_feeders[k] for k in sorted(old_feeders.keys() - new_feeders.keys())],
        max_hc_changes=[
            {**new_feeders[k], "old_max_hc_mw": old_feeders[k]["max_hc_mw"], "new_max_hc_mw": new_feeders[k]["max_hc_mw"]}
            for k in both
            if not _same(old_feeders[k]["max_hc_mw"], new_feeders[k]["max_hc_mw"])
        ],
        ders_now_installed=[
            d
            for k, d in sorted(new_ders.items())
            if d["status"] == "installed" and old_ders.get(k, {}).get("status") == "planned"
        ],
        ders_new=[d for k, d in sorted(new_ders.items()) if k not in old_ders],
        ders_withdrawn=[
            d
            for k, d in sorted(new_ders.items())
            if d["status"] == "withdrawn" and k in old_ders and old_ders[k]["status"] != "withdrawn"
        ],
        ders_removed=[d for k, d in sorted(old_ders.items()) if k not in new_ders],
    )

"""Layers with each utility's real field names (as the services publish them), for the emulator."""

from __future__ import annotations

import random

from tests.acquire.emulator import Layer

HC_DATE = 1_751_241_600_000  # 2025-06-30, epoch milliseconds as the services answer dates


def _field(name: str, kind: str = "esriFieldTypeString", domain: dict | None = None) -> dict:
    field = {"name": name, "type": kind, "alias": name}
    if domain:
        field["domain"] = {"type": "codedValue", "name": name,
                           "codedValues": [{"code": c, "name": n} for c, n in domain.items()]}
    return field


def _paths(rng: random.Random) -> list[list[list[float]]]:
    lon, lat = -74.0 + rng.random(), 41.0 + rng.random()
    return [[[round(lon, 6), round(lat, 6)], [round(lon + 0.001, 6), round(lat + 0.0005, 6)]]]


def cecony_family(n: int, feeder_field: str = "FEEDER_ID", company: dict | None = None, seed: int = 1, **layer) -> Layer:
    """Con Edison's or (with `CIRCUIT`, a coded company domain) Orange & Rockland's segment layer."""
    rng = random.Random(seed)
    company = company or {"CECONY": "CECONY"}
    fields = [
        _field("OBJECTID", "esriFieldTypeOID"), _field(feeder_field), _field("FRIENDLY_CIRCUIT_NAME"),
        _field("SUBSTATION"), _field("OPERATINGCOMPANY", domain=company if len(company) > 1 else None),
        _field("LOCAL_MIN", "esriFieldTypeDouble"), _field("LOCAL_MAX", "esriFieldTypeDouble"),
        _field("CONNECTED_DER", "esriFieldTypeDouble"), _field("QUEUED_DER", "esriFieldTypeDouble"),
        _field("LOCAL_VOLTAGE", "esriFieldTypeDouble"), _field("NYISO_LOAD_ZONE"),
        _field("ANTI_ISLANDING", "esriFieldTypeSmallInteger", {0: "No", 1: "Yes"}),
        _field("HC_REFESH_DATE", "esriFieldTypeDate"), _field("DER_REFESH_DATE", "esriFieldTypeDate"),
        _field("NOTES"),
    ]
    rows, paths = [], {}
    codes = list(company)
    for i in range(n):
        oid = 1000 + i * 3  # object IDs with gaps, as real layers have
        feeder = f"{rng.choice(['1B', '3Q', '5X'])}{rng.randrange(10, 99)}"
        rows.append({
            "OBJECTID": oid, feeder_field: feeder, "FRIENDLY_CIRCUIT_NAME": f"Feeder {feeder}",
            "SUBSTATION": f"SUB{feeder[:2]}", "OPERATINGCOMPANY": codes[i % len(codes)],
            "LOCAL_MIN": round(rng.uniform(0, 2), 3), "LOCAL_MAX": round(rng.uniform(2, 10), 3),
            "CONNECTED_DER": round(rng.uniform(0, 3), 3), "QUEUED_DER": round(rng.uniform(0, 1), 3),
            "LOCAL_VOLTAGE": 13.2, "NYISO_LOAD_ZONE": "J", "ANTI_ISLANDING": i % 2,
            "HC_REFESH_DATE": HC_DATE, "DER_REFESH_DATE": HC_DATE, "NOTES": None if i % 4 else "limited by bank",
        })
        paths[oid] = _paths(rng)
    return Layer(fields=fields, rows=rows, paths=paths, **layer)

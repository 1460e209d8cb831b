"""Layers with each utility's real field names (as the services publish them), for the emulator."""

from __future__ import annotations

import random

from tests.acquire.emulator import Layer

HC_DATE = 1_751_241_600_000  # 2025-06-30, epoch milliseconds as the services answer dates


def _field(name: str, kind: str = "esriFieldTypeString", domain: dict | None = None) -> dict:
    field = {"name": name, "type": kind, "alias": name}
    if domain:
        field["domain"] = {"type": "codedValue", "name": name, "codedValues": [{"code": c, "name": n} for c, n in domain.items()]}
    return field


def _paths(rng: random.Random) -> list[list[list[float]]]:
    lon, lat = -74.0 + rng.random(), 41.0 + rng.random()
    return [[[round(lon, 6), round(lat, 6)], [round(lon + 0.001, 6), round(lat + 0.0005, 6)]]]


def cecony_family(n: int, feeder_field: str = "FEEDER_ID", company: dict | None = None, seed: int = 1, **layer) -> Layer:
    """Con Edison's or (with `CIRCUIT`, a coded company domain) Orange & Rockland's segment layer."""
    rng = random.Random(seed)
    company = company or {"CECONY": "CECONY"}
    fields = [
        _field("OBJECTID", "esriFieldTypeOID"),
        _field(feeder_field),
        _field("FRIENDLY_CIRCUIT_NAME"),
        _field("SUBSTATION"),
        _field("OPERATINGCOMPANY", domain=company if len(company) > 1 else None),
        _field("LOCAL_MIN", "esriFieldTypeDouble"),
        _field("LOCAL_MAX", "esriFieldTypeDouble"),
        _field("CONNECTED_DER", "esriFieldTypeDouble"),
        _field("QUEUED_DER", "esriFieldTypeDouble"),
        _field("LOCAL_VOLTAGE", "esriFieldTypeDouble"),
        _field("NYISO_LOAD_ZONE"),
        _field("ANTI_ISLANDING", "esriFieldTypeSmallInteger", {0: "No", 1: "Yes"}),
        _field("HC_REFESH_DATE", "esriFieldTypeDate"),
        _field("DER_REFESH_DATE", "esriFieldTypeDate"),
        _field("NOTES"),
    ]
    rows, paths = [], {}
    codes = list(company)
    for i in range(n):
        oid = 1000 + i * 3  # object IDs with gaps, as real layers have
        feeder = f"{rng.choice(['1B', '3Q', '5X'])}{rng.randrange(10, 99)}"
        rows.append(
            {
                "OBJECTID": oid,
                feeder_field: feeder,
                "FRIENDLY_CIRCUIT_NAME": f"Feeder {feeder}",
                "SUBSTATION": f"SUB{feeder[:2]}",
                "OPERATINGCOMPANY": codes[i % len(codes)],
                "LOCAL_MIN": round(rng.uniform(0, 2), 3),
                "LOCAL_MAX": round(rng.uniform(2, 10), 3),
                "CONNECTED_DER": round(rng.uniform(0, 3), 3),
                "QUEUED_DER": round(rng.uniform(0, 1), 3),
                "LOCAL_VOLTAGE": 13.2,
                "NYISO_LOAD_ZONE": "J",
                "ANTI_ISLANDING": i % 2,
                "HC_REFESH_DATE": HC_DATE,
                "DER_REFESH_DATE": HC_DATE,
                "NOTES": None if i % 4 else "limited by bank",
            }
        )
        paths[oid] = _paths(rng)
    return Layer(fields=fields, rows=rows, paths=paths, **layer)


def _line(rng: random.Random, vertices: int = 2) -> list[list[list[float]]]:
    """One path of `vertices` points (WGS84), somewhere in New York."""
    lon, lat = -76.0 + 2 * rng.random(), 41.0 + 2 * rng.random()
    return [[[round(lon + 0.001 * i, 6), round(lat + 0.0005 * i * (-1) ** i, 6)] for i in range(vertices)]]


def central_hudson(n: int, stub_share: float = 0.45, seed: int = 2, **layer) -> Layer:
    """Central Hudson's line-section layer (`Hosting_Capacity_Stage3`): about 45% geometry-only
    stubs with no Feeder and no analysis; HCMin/HCMax carry the values, MinHostingCapacity and
    MaxHostingCapacity are null; dates in epoch milliseconds."""
    rng = random.Random(seed)
    double = "esriFieldTypeDouble"
    names = [
        ("Shape__Length", double),
        ("Name", None),
        ("Substation", None),
        ("Feeder", None),
        ("UnintentionalIslanding", None),
        ("Voltage_kV", double),
        ("Phases", None),
        ("HCMin", double),
        ("Group_", None),
        ("GroupMinHC", double),
        ("GroupMaxHC", double),
        ("MinHostingCapacity", double),
        ("MaxHostingCapacity", double),
        ("InstalledDER", double),
        ("QUEUEDDER", double),
        ("SubNameID", None),
        ("SubBank_InstalledDG", double),
        ("SubBank_QueDG", double),
        ("SubBank_TotalDG", double),
        ("StatusSub_3VO_Upgrades", None),
        ("SubBank_Peak", double),
        ("PopupInfo", None),
        ("DG_INST_LASTHCA", double),
        ("LoadZone", None),
        ("SubBank_Cap", double),
        ("Threshold_3VO", double),
        ("Notes", None),
        ("PrimaryOverVoltage", double),
        ("PrimaryVoltageDeviation", double),
        ("ThermalDischarging", double),
        ("RegulatorDeviation", double),
        ("Flicker", double),
        ("HCMax", double),
        ("NodeZone", None),
        ("Distance_to_Substation", double),
        ("DG_ConQue_REFRESH_DATE", "esriFieldTypeDate"),
        ("HCA_REFRESH_DATE", "esriFieldTypeDate"),
        ("VisibleName", None),
        ("Transmission_Node_PTID", None),
        ("MWChangeUnrestrictedPeakVsScheduledChargingPeak", double),
    ]
    fields = [_field("OBJECTID", "esriFieldTypeOID"), *(_field(name, kind or "esriFieldTypeString") for name, kind in names)]
    rows, paths = [], {}
    for i in range(n):
        oid = 1 + i
        row = {name: None for name, _kind in names}
        row.update(OBJECTID=oid, Shape__Length=round(rng.uniform(5, 500), 4), Phases="ABC")
        if rng.random() >= stub_share:
            feeder = f"{rng.choice(['MI', 'KI', 'WO'])}{rng.randrange(1000, 1010)}"
            hc_min = round(rng.uniform(0, 3), 2)
            row.update(
                Name=f"Section {oid}",
                Substation=f"Sub {feeder[:2]}",
                Feeder=feeder,
                Voltage_kV=13.2,
                HCMin=hc_min,
                HCMax=round(hc_min + rng.uniform(0, 10), 2),
                InstalledDER=round(rng.uniform(0, 3), 2),
                QUEUEDDER=0.0,
                DG_INST_LASTHCA=0.51,
                LoadZone="G",
                SubBank_Cap=16.8,
                ThermalDischarging=round(rng.uniform(2, 20), 2),
                PrimaryOverVoltage=round(rng.uniform(2, 20), 2),
                HCA_REFRESH_DATE=HC_DATE,
                DG_ConQue_REFRESH_DATE=HC_DATE,
                Notes=None if i % 3 else "3V0 pending",
            )
        rows.append(row)
        paths[oid] = _line(rng, 2 + i % 4)
    return Layer(fields=fields, rows=rows, paths=paths, **layer)


def national_grid_feeders(n: int, seed: int = 3, **layer) -> Layer:
    """National Grid's feeder layer (MapServer layer 0): lower-case field names, one row per
    feeder named by `Master_CDF`; a MapServer that answers in Web Mercator unless asked for
    WGS84, offers no GeoJSON and (here) does not paginate."""
    rng = random.Random(seed)
    double = "esriFieldTypeDouble"
    fields = [
        _field("OBJECTID", "esriFieldTypeOID"),
        _field("Master_CDF"),
        _field("feeder_voltage", double),
        _field("feeder_max_hc", double),
        _field("feeder_min_hc", double),
        _field("feeder_dg_connected_since_refresh", double),
        _field("hca_refresh_date", "esriFieldTypeDate"),
        _field("nyiso_load_zone"),
        _field("color"),
        _field("shape_length", double),
    ]
    defaults = {"native_wkid": 102100, "geojson": False, "paginates": False}
    rows, paths = [], {}
    for i in range(n):
        oid = 1 + i
        hc_min = round(rng.uniform(0, 1), 2)
        rows.append(
            {
                "OBJECTID": oid,
                "Master_CDF": f"36_30_{5600 + i}",
                "feeder_voltage": rng.choice([4.16, 13.2]),
                "feeder_max_hc": round(hc_min + rng.uniform(0, 5), 2),
                "feeder_min_hc": hc_min,
                "feeder_dg_connected_since_refresh": round(rng.uniform(0, 1), 2),
                "hca_refresh_date": HC_DATE,
                "nyiso_load_zone": rng.choice(["A", "C", "F"]),
                "color": "light blue",
                "shape_length": 2.19,
            }
        )
        paths[oid] = _line(rng, 3 + i % 3)
    return Layer(fields=fields, rows=rows, paths=paths, **{**defaults, **layer})


def nyseg_rge(n: int, seed: int = 4, **layer) -> Layer:
    """NYSEG and RG&E's `NY_Nodal_HC_HFS` segment layer: field names truncated to ten characters
    (it was built from a shapefile)."""
    rng = random.Random(seed)
    double = "esriFieldTypeDouble"
    fields = [
        _field("OBJECTID", "esriFieldTypeOID"),
        _field("circuit_1"),
        _field("SUBSTATION"),
        _field("Zone"),
        _field("VOLTAGE", double),
        _field("MAX_hostin", double),
        _field("MIN_hostin", double),
        _field("HCA_Date", "esriFieldTypeDate"),
    ]
    rows, paths = [], {}
    for i in range(n):
        oid = 1 + i
        circuit = str(rng.randrange(4348600, 4348610))
        hc_min = round(rng.uniform(0, 1), 2)
        rows.append(
            {
                "OBJECTID": oid,
                "circuit_1": circuit,
                "SUBSTATION": f"SUB {circuit[-2:]}",
                "Zone": "C",
                "VOLTAGE": 12.47,
                "MAX_hostin": round(hc_min + rng.uniform(0, 3), 2),
                "MIN_hostin": hc_min,
                "HCA_Date": HC_DATE,
            }
        )
        paths[oid] = _line(rng, 2 + i % 3)
    return Layer(fields=fields, rows=rows, paths=paths, **layer)

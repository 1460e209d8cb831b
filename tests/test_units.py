"""Units and meaning, pinned on small hand-written files run through the real configs."""

from __future__ import annotations

import datetime as dt
import hashlib
import io

import pytest
import xlsxwriter

NG_NETWORK_HEADER = "Master_CDF,feeder_voltage,feeder_max_hc,feeder_min_hc,feeder_dg_connected_since_refresh,hca_refresh_date,color,shape_length\r\n"
NG_INSTALLED_HEADER = (
    "\ufeffDER_ID,SERVICE_STREET_ADDRESS,DER_TYPE,DER_NAMEPLATE_RATING,DER_INTERCONNECTION_LOCATION,INTERCONNECTION_COST\r\n"
)
NG_PLANNED_HEADER = (
    "\ufeffDER_TYPE,DER_NAMEPLATE_RATING,INVERTER_NAMEPLATE_RATING,PLANNED_INSTALLATION_DATE,DER_STATUS,"
    "DER_STATUS_RATIONALE,TOTAL_MW_FOR_SUBSTATION,INTERCONNECTION_QUEUE_REQUEST_ID,INTERCONNECTION_QUEUE_POSITION,"
    "DER_INTERCONNECTION_LOCATION\r\n"
)


def ng_network(*rows: str) -> dict[str, str]:
    return {"national_grid/network/feeders.csv": NG_NETWORK_HEADER + "".join(r + "\r\n" for r in rows)}


def md5(text: str) -> str:
    return hashlib.md5(text.encode()).hexdigest()


def test_5000_kw_project_is_5_mw_on_its_feeder(run_files):
    run = run_files(
        {
            **ng_network("36_31_09450,13.2,8,1,0,2022/10/01 00:00:00+00,green,1.0"),
            "national_grid/installed_der/installed.csv": NG_INSTALLED_HEADER + "1,null,Solar,5000,36_31_09450,0\r\n",
            "national_grid/planned_der/planned.csv": NG_PLANNED_HEADER
            + "Solar,1500,null,11/27/2026,null,null,,2,6/5/2025 13:47,36_31_09450\r\n",
        }
    )
    (feeder,) = run.rows("feeders")
    assert feeder["installed_der_count"] == 1 and feeder["installed_der_mw"] == 5.0
    assert feeder["planned_der_count"] == 1 and feeder["planned_der_mw"] == 1.5
    assert feeder["headroom_after_queue_mw"] == pytest.approx(6.5)
    assert feeder["hca_refresh_date"] == dt.date(2022, 10, 1)
    planned = next(d for d in run.rows("ders") if d["status"] == "planned")
    assert planned["planned_in_service_date"] == dt.date(2026, 11, 27)
    assert planned["queue_date"] == dt.date(2025, 6, 5)


def test_ids_keep_leading_zeros_and_canonical_ids_are_md5(run_files):
    run = run_files(ng_network(" 36_31_09450 ,13.2,8,1,0,,green,1.0", "36_01_0001,13.2,3,1,0,,green,1.0"))
    feeders = {f["native_feeder_id"]: f for f in run.rows("feeders")}
    assert set(feeders) == {"36_31_09450", "36_01_0001"}
    assert feeders["36_31_09450"]["feeder_id"] == md5("national_grid|36_31_09450")


def test_negative_headroom_keeps_its_sign(run_files):
    run = run_files(
        {
            **ng_network("36_01_00001,13.2,2,0.5,0,,green,1.0"),
            "national_grid/installed_der/i.csv": NG_INSTALLED_HEADER,
            "national_grid/planned_der/p.csv": NG_PLANNED_HEADER + "Solar,5000,null,,null,null,,9,,36_01_00001\r\n",
        }
    )
    (feeder,) = run.rows("feeders")
    assert feeder["headroom_after_queue_mw"] == pytest.approx(-3.0)


NYSEG_NETWORK_HEADER = (
    ",Circuits_Phase3_CIRCUIT,Circuits_Phase3_NUMPHASES,Circuits_Phase3_OVERUNDER,Circuits_Phase3_PHASE,"
    "NYHCPV_csv_NSECTION,NYHCPV_csv_NFEEDER,NYHCPV_csv_NVOLTAGE,NYHCPV_csv_NMAXHC,NYHCPV_csv_NMAPCOLOR,"
    "NYHCPV_csv_FFEEDER,NYHCPV_csv_FVOLTAGE,NYHCPV_csv_FMAXHC,NYHCPV_csv_FMINHC,NYHCPV_csv_FHCADATE,"
    "NYHCPV_csv_FNOTES,Shape_Length\r\n"
)


def test_feeder_level_value_repeated_on_40_segments_is_not_summed(run_files):
    rows = [
        f"{i},4305301,3,OH,ABC,{i + 1},4305301,12.5,{0.5 + i * 0.1:.2f},0.00 TO 0.29 BROWN-953736,4305301,12.5,4.2,0.3,"
        f"2022-06-30 00:00:00+00:00,NULL,10.0\r\n"
        for i in range(40)
    ]
    run = run_files({"nyseg_rge/network/segments.csv": NYSEG_NETWORK_HEADER + "".join(rows)})
    (feeder,) = run.rows("feeders")
    assert feeder["segment_count"] == 40
    assert feeder["max_hc_mw"] == 4.2 and feeder["min_hc_mw"] == 0.3
    assert feeder["voltage_kv"] == 12.5
    segments = run.rows("feeder_segments")
    assert len(segments) == 40
    assert max(s["max_hc_mw"] for s in segments) == pytest.approx(4.4)


CONED_HEADER = (
    "OBJECTID,FEEDER_ID,FRIENDLY_CIRCUIT_NAME,SUBSTATION,OPERATINGCOMPANY,LOCAL_VOLTAGE,LOCAL_MIN,LOCAL_MAX,"
    "CONNECTED_DER,QUEUED_DER,PV_THERMAL,PV_OVER_VOLTAGE,PV_ANTI_ISLAND,NYISO_LOAD_ZONE,HC_REFESH_DATE,"
    "DER_REFESH_DATE,NOTES,Shape__Length\n"
)


def test_segment_grain_without_feeder_columns_rolls_up_max_and_min(run_files):
    rows = "".join(
        f"{i},3w75,Astoria 3W75,Astoria,CECONY,13,{lo},{hi},1.2,0.4,{hi},{hi},{hi},J,1656547200000,1656547200000,,5\n"
        for i, (lo, hi) in enumerate([(0.1, 2.0), (0.3, 3.5), (0.2, 1.0)], start=1)
    )
    run = run_files({"coned/network/layer.csv": CONED_HEADER + rows})
    (feeder,) = run.rows("feeders")
    assert feeder["native_feeder_id"] == "3W75"
    assert feeder["max_hc_mw"] == 3.5 and feeder["min_hc_mw"] == 0.1
    assert feeder["hca_refresh_date"] == dt.date(2022, 6, 30)
    assert feeder["substation_name"] == "Astoria" and feeder["substation_id"] == md5("coned|ASTORIA")
    (substation,) = run.rows("substations")
    assert substation["feeder_count"] == 1


NYSEG_INSTALLED_HEADER = (
    "ProjectID,ProjectType,NamePlateRating,TotalChargesCESIR,TotalChargesConstruction,CESIR_EST,SystemUpgrade_EST,"
    "ProjectCircuitID,Hybrid,SolarPV,EnergyStorageSystem,Wind,MicroTurbine,SynchronousGenerator,InductionGenerator,"
    "FarmWaste,FuelCell,CombinedHeatandPower,GasTurbine,Hydro,InternalCombustionEngine,SteamTurbine,Other\r\n"
)
ZEROS = ",0" * 12


def test_an_unmapped_der_type_is_read_from_the_technology_breakdown(run_files):
    """PV with storage is `solar_storage`; one technology is its own type; none, or any other
    mix, is `other`."""
    network = NYSEG_NETWORK_HEADER + (
        "0,1105354,3,OH,ABC,1,1105354,12.5,2,x,1105354,12.5,2,0.1,2022-06-30 00:00:00+00:00,NULL,1\r\n"
    )
    breakdowns = {  # SolarPV, EnergyStorageSystem, Wind, then the other eleven at 0
        "zero": "0,0,0",
        "wind": "0,0,5",
        "storage": "0,5,0",
        "pv_storage": "5,5,0",
        "pv_wind": "5,0,5",
        "pv_storage_wind": "5,5,5",
    }
    installed = NYSEG_INSTALLED_HEADER + "".join(
        f"{der},MYSTERY,15,NULL,NULL,NULL,NULL,1105354,N,{kw}{',0' * 11}\r\n" for der, kw in breakdowns.items()
    )
    run = run_files({"nyseg_rge/network/n.csv": network, "nyseg_rge/installed_der/i.csv": installed})
    types = {d["native_der_id"]: d["der_type"] for d in run.rows("ders")}
    assert types == {
        "ZERO": "other",
        "WIND": "wind",
        "STORAGE": "storage",
        "PV_STORAGE": "solar_storage",
        "PV_WIND": "other",
        "PV_STORAGE_WIND": "other",
    }


def test_der_quirks_float_ids_transmission_hybrids_and_bad_values(run_files):
    network = NYSEG_NETWORK_HEADER + (
        "0,1105354,3,OH,ABC,1,1105354,12.5,2,x,1105354,12.5,2,0.1,2022-06-30 00:00:00+00:00,NULL,1\r\n"
    )
    installed = NYSEG_INSTALLED_HEADER + "".join(
        [
            f"1,RESPHOTO,7.6,NULL,NULL,NULL,NULL,1105354.0,N,7.6,0{ZEROS}\r\n",  # float-exported feeder ID
            f"2,PVESS,100,NULL,NULL,NULL,NULL, 1105354 ,Y,100,50{ZEROS}\r\n",  # hybrid: storage excluded
            f"3,Transmission,20000,NULL,NULL,NULL,NULL,TRANSMISSION,N,0,0{ZEROS}\r\n",
            f"4,ComWind,abc,NULL,NULL,NULL,NULL,1105354,N,0,0{ZEROS}\r\n",  # unreadable rating
            f"5,NRESPHOTO,500,NULL,NULL,NULL,NULL,T1234,N,500,0{ZEROS}\r\n",  # transmission feeder
            f"6,RESPHOTO,10,NULL,NULL,NULL,NULL,NULL,N,10,0{ZEROS}\r\n",
            f"7,RESPHOTO,10,NULL,NULL,NULL,NULL,9999999,N,10,0{ZEROS}\r\n",
            "8,CHP,300,NULL,NULL,NULL,NULL,1105354,N,0,0,0,0,0,0,0,0,100,0,0,0,0,0\r\n",  # nameplate ≠ breakdown
        ]
    )
    run = run_files({"nyseg_rge/network/n.csv": network, "nyseg_rge/installed_der/i.csv": installed})
    ders = {d["native_der_id"]: d for d in run.rows("ders")}
    flags = {k: set(filter(None, d["quality_flags"].split(","))) for k, d in ders.items()}
    assert ders["1"]["native_feeder_id"] == "1105354" and flags["1"] == set()
    assert ders["2"]["der_type"] == "solar_storage" and ders["2"]["hybrid"] is True and flags["2"] == set()
    assert ders["2"]["storage_kw"] == 50
    assert flags["3"] == {"transmission"} and flags["5"] == {"transmission"}
    assert ders["4"]["nameplate_kw"] is None and ders["4"]["der_type"] == "wind"
    assert ders["4"]["unparsed_values"] == "nameplate_kw=abc" and "unparsed_value" in flags["4"]
    assert flags["6"] == {"no_feeder"} and flags["7"] == {"unknown_feeder"}
    assert "nameplate_mismatch" in flags["8"]
    (feeder,) = run.rows("feeders")
    # 1, 2, 4 (null rating counts, as 0 kW) and 8 are on the feeder; transmission, no/unknown feeder are not
    assert feeder["installed_der_count"] == 4
    assert feeder["installed_der_mw"] == pytest.approx((7.6 + 100 + 300) / 1000)


def test_installed_wins_over_planned_and_later_file_wins_a_conflict(run_files):
    run = run_files(
        {
            **ng_network("36_01_00001,13.2,9,1,0,,green,1.0"),
            "national_grid/installed_der/2026-09.csv": NG_INSTALLED_HEADER
            + "10,null,Solar,100,36_01_00001,0\r\n11,null,Solar,7,36_01_00001,0\r\n11,null,Solar,7,36_01_00001,0\r\n",
            "national_grid/installed_der/2026-10.csv": NG_INSTALLED_HEADER + "10,null,Solar,250,36_01_00001,0\r\n",
            "national_grid/planned_der/p.csv": NG_PLANNED_HEADER
            + "Solar,100,null,,null,null,,10,,36_01_00001\r\nSolar,40,null,,null,null,,12,,36_01_00001\r\n",
        }
    )
    ders = {d["native_der_id"]: d for d in run.rows("ders")}
    assert set(ders) == {"10", "11", "12"}
    assert ders["10"]["status"] == "installed" and ders["10"]["nameplate_kw"] == 250
    assert ders["10"]["source_file"].endswith("2026-10.csv")
    assert ders["10"]["quality_flags"] == "duplicate_conflict"
    assert ders["11"]["quality_flags"] == ""  # an identical repeat is simply one record
    assert ders["12"]["status"] == "planned"
    (feeder,) = run.rows("feeders")
    assert (feeder["installed_der_count"], feeder["planned_der_count"]) == (2, 1)


def test_a_repeated_id_is_a_conflict_when_any_value_differs_and_one_record_when_none_does(run_files):
    """Rows are told apart by their hash (silver's `_row_hash`, each engine's own): a value no
    field maps (the street address) counts as much as any, and identical repeats are one record."""
    row = "{id},{street},Solar,100,36_01_00001,0\r\n"
    run = run_files(
        {
            **ng_network("36_01_00001,13.2,9,1,0,,green,1.0"),
            "national_grid/installed_der/2026-09.csv": NG_INSTALLED_HEADER
            + row.format(id=20, street="1 Main St")
            + row.format(id=21, street="1 Main St")
            + row.format(id=22, street=""),
            "national_grid/installed_der/2026-10.csv": NG_INSTALLED_HEADER
            + row.format(id=20, street="2 Main St")
            + row.format(id=21, street="1 Main St")
            + row.format(id=22, street="Solar"),
        }
    )
    flags = {d["native_der_id"]: d["quality_flags"] for d in run.rows("ders")}
    assert flags == {"20": "duplicate_conflict", "21": "", "22": "duplicate_conflict"}


SIR_COLUMNS = [
    "Company",
    "Developer",
    "Application /\nJob #",
    "City/Town",
    "County",
    "Zip\nCode",
    "NYISO\nLoad Zone",
    "Circuit ID1",
    "Substation",
    "Hybrid\n(Y/N)",
    "PV\n(kWAC)",
    "ESS\n(kWAC)",
    "WIND\n(kWAC)",
    "MT\n(kWAC)",
    "SG\n(kWAC)",
    "IG\n(kWAC)",
    "FW\n(kWAC)",
    "FC\n(kWAC)",
    "CHP\n(kWAC)",
    "GT\n(kWAC)",
    "HYDRO\n(kWAC)",
    "ICE\n(kWAC)",
    "ST\n(kWAC)",
    "OTHER\n(kWAC)",
    "Metering\n(NA / NM / RNM / CDG)",
    "Application Approved Date (Utility)",
    "Construction Complete Date",
    "Project Complete\n(Y/N/W)2",
]


def sir_workbook(sheet: str, projects: list[dict]) -> bytes:
    """A small SIR inventory workbook: title rows, merged group cells on row 4, header on row 5."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    ws = book.add_worksheet(sheet)
    date_format = book.add_format({"num_format": "m/d/yyyy"})
    ws.write(0, 0, "SIR Inventory")
    ws.merge_range(3, 0, 3, 9, "Project Information")
    ws.merge_range(3, 10, 3, 23, "Technology (kW AC)")
    for col, name in enumerate(SIR_COLUMNS):
        ws.write(4, col, name)
    for r, project in enumerate(projects, start=5):
        for col, name in enumerate(SIR_COLUMNS):
            value = project.get(name.split("\n")[0].rstrip("0123456789"), "")
            if isinstance(value, dt.date):
                ws.write_datetime(r, col, dt.datetime.combine(value, dt.time()), date_format)
            elif value != "":
                ws.write(r, col, value)
    book.close()
    return buffer.getvalue()


def test_sir_workbook_statuses_breakdown_and_dates(run_files):
    projects = [
        {
            "Application /": "MC-1",
            "Circuit ID": "3W75",
            "PV": 100,
            "ESS": 50,
            "Project Complete": "Y",
            "Construction Complete Date": dt.date(2024, 5, 1),
        },
        {
            "Application /": "MC-2",
            "Circuit ID": "3w75",
            "PV": 2000,
            "Project Complete": "N",
            "Application Approved Date (Utility)": "6/30/2025",
        },
        {
            "Application /": "MC-3",
            "Circuit ID": "3W75",
            "WIND": 500,
            "Project Complete": "W",
            "Application Approved Date (Utility)": "Q3 2022",
        },
        {"Application /": "MC-4", "Circuit ID": "3W75", "PV": 5, "Project Complete": "X"},
        {"Circuit ID": "3W75", "PV": 5, "Project Complete": "Y"},
    ]
    coned_row = "1,3W75,A 3W75,Astoria,CECONY,13,0.5,4,1,0.1,4,4,4,J,1656547200000,1656547200000,,5\n"
    run = run_files(
        {"coned/der/sir.xlsx": sir_workbook("New Template", projects), "coned/network/n.csv": CONED_HEADER + coned_row}
    )
    source = run.source("coned/der")
    assert (source.rows_in, source.loaded, source.quarantined) == (5, 3, 2)
    assert set(source.quarantine_reasons) == {
        "unknown status X (column 'Project Complete (Y/N/W)'; expected one of Y, N, W)",
        "missing native der id (column 'Application / Job #')",
    }
    quarantine = run.lake.read_table("coned/der", layer="quarantine").to_pylist()
    assert sorted(row["_row"] for row in quarantine) == [9, 10]  # sheet rows: header on 5, data from 6
    ders = {d["native_der_id"]: d for d in run.rows("ders")}
    assert {k: d["status"] for k, d in ders.items()} == {"MC-1": "installed", "MC-2": "planned", "MC-3": "withdrawn"}
    assert ders["MC-1"]["nameplate_kw"] == 150 and ders["MC-1"]["der_type"] == "solar_storage"
    assert ders["MC-1"]["completion_date"] == dt.date(2024, 5, 1)
    assert ders["MC-2"]["application_date"] == dt.date(2025, 6, 30)
    assert ders["MC-3"]["application_date"] is None and ders["MC-3"]["unparsed_values"] == "application_date=Q3 2022"
    (feeder,) = run.rows("feeders")
    # withdrawn projects count nowhere; the installed MC-1 and planned MC-2 do
    assert (feeder["installed_der_mw"], feeder["planned_der_mw"]) == (0.15, 2.0)


def test_exclusion_rules_drop_rows_and_count_them(run_files):
    oru_header = CONED_HEADER.replace("FEEDER_ID", "CIRCUIT").replace("SUBSTATION,", "")
    oru = oru_header + "".join(
        f"{i},45-2-13,N,{company},13,0.1,10,0,0,10,10,10,G,1656547200000,1656547200000,,1\n"
        for i, company in enumerate(["ORU", "ORU", "RECO"], start=1)
    )
    run = run_files({"orange_rockland/network/o.csv": oru})
    source = run.source("orange_rockland/network")
    assert (source.loaded, source.excluded, source.exclusion_rules) == (2, 1, {"new_jersey": 1})
    (excluded,) = run.lake.read_table("orange_rockland/network", layer="excluded").to_pylist()
    assert excluded["OPERATINGCOMPANY"] == "RECO" and excluded["_reason"] == "new_jersey"


def test_a_row_a_rule_excludes_is_excluded_whatever_else_is_wrong_with_it(run_files):
    """Excluded rows are set apart before anything else of them is read (hostcap.layers.silver.
    build_classified): the rule still wins over a quarantine reason, a value that does not parse
    in an excluded row is not counted as unparsed, and the rule reads the field as cleaning does
    (trimmed, any case, null tokens)."""
    oru_header = CONED_HEADER.replace("FEEDER_ID", "CIRCUIT").replace("SUBSTATION,", "")
    rows = [
        ("45-2-13", "ORU", "0.1"),  # silver
        ("", "ORU", "0.1"),  # quarantined: no circuit
        ("45-2-13", "ORU", "lots"),  # silver, with an unparsed value
        ("", " reco ", "lots"),  # excluded, though it has no circuit and an unreadable number
        ("45-2-13", "Reco", "0.1"),  # excluded
        ("45-2-13", "N/A", "0.1"),  # a null token: no company, so not RECO
    ]
    oru = oru_header + "".join(
        f"{i},{circuit},N,{company},13,{local_min},10,0,0,10,10,10,G,1656547200000,1656547200000,,1\n"
        for i, (circuit, company, local_min) in enumerate(rows, start=1)
    )
    run = run_files({"orange_rockland/network/o.csv": oru})
    source = run.source("orange_rockland/network")
    assert (source.rows_in, source.loaded, source.quarantined, source.excluded) == (6, 3, 1, 2)
    assert (source.exclusion_rules, source.unparsed_rows) == ({"new_jersey": 2}, 1)
    excluded = run.lake.read_table("orange_rockland/network", layer="excluded").to_pylist()
    assert [(row["_row"], row["OPERATINGCOMPANY"], row["LOCAL_MIN"], row["_reason"]) for row in excluded] == [
        (5, " reco ", "lots", "new_jersey"),
        (6, "Reco", "0.1", "new_jersey"),
    ]
    (quarantined,) = run.lake.read_table("orange_rockland/network", layer="quarantine").to_pylist()
    assert quarantined["_row"] == 3 and quarantined["_reason"].startswith("missing native feeder id")
    segments = run.rows("feeder_segments")
    assert sorted(s["native_segment_id"] for s in segments) == ["1", "3", "6"]


def test_a_number_too_large_to_be_a_reading_is_unparsed_not_a_failed_refresh(run_files):
    """Found by the property test: `9999…` (40 digits) passed the number pattern and overflowed
    gold's exact kW sums, failing the whole refresh."""
    network = NYSEG_NETWORK_HEADER + (
        "0,1105354,3,OH,ABC,1,1105354,12.5,2,x,1105354,12.5,2,0.1,2022-06-30 00:00:00+00:00,NULL,1\r\n"
    )
    installed = NYSEG_INSTALLED_HEADER + "".join(
        [
            f"1,RESPHOTO,{'9' * 40},NULL,NULL,NULL,NULL,1105354,N,0,0{ZEROS}\r\n",
            f"2,RESPHOTO,1e99,NULL,NULL,NULL,NULL,1105354,N,0,0{ZEROS}\r\n",
            f"3,RESPHOTO,999999999999999,NULL,NULL,NULL,NULL,1105354,N,0,0{ZEROS}\r\n",
        ]
    )
    run = run_files({"nyseg_rge/network/n.csv": network, "nyseg_rge/installed_der/i.csv": installed})
    assert run.report.status == "succeeded", run.report.error
    ders = {d["native_der_id"]: d for d in run.rows("ders")}
    assert ders["1"]["nameplate_kw"] is None and ders["1"]["unparsed_values"] == f"nameplate_kw={'9' * 40}"
    assert ders["2"]["nameplate_kw"] is None and "unparsed_value" in ders["2"]["quality_flags"]
    assert ders["3"]["nameplate_kw"] == 999999999999999

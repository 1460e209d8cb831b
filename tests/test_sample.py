"""The sample generator writes every source's files in the documented format (source-formats.md), with
their quirks, deterministically; the ArcGIS-style layers add each line as GeoJSON (`geometry`). Expected headers are spelled out here from the doc on purpose: the test
checks the generator against the contract, not against its own constants."""

from __future__ import annotations

import csv
import re
from collections import Counter
from pathlib import Path

import pytest
from python_calamine import CalamineWorkbook

from hostcap.sample import generate_sample, write_nyseg_network_for_circuits

NYSEG_TECH = ["SolarPV", "EnergyStorageSystem", "Wind", "MicroTurbine", "SynchronousGenerator",
              "InductionGenerator", "FarmWaste", "FuelCell", "CombinedHeatandPower", "GasTurbine", "Hydro",
              "InternalCombustionEngine", "SteamTurbine", "Other"]  # fmt: skip
NYSEG_NETWORK_HEADER = ["", "Circuits_Phase3_CIRCUIT", "Circuits_Phase3_NUMPHASES", "Circuits_Phase3_OVERUNDER",
                        "Circuits_Phase3_PHASE", "NYHCPV_csv_NSECTION", "NYHCPV_csv_NFEEDER", "NYHCPV_csv_NVOLTAGE",
                        "NYHCPV_csv_NMAXHC", "NYHCPV_csv_NMAPCOLOR", "NYHCPV_csv_FFEEDER", "NYHCPV_csv_FVOLTAGE",
                        "NYHCPV_csv_FMAXHC", "NYHCPV_csv_FMINHC", "NYHCPV_csv_FHCADATE", "NYHCPV_csv_FNOTES",
                        "Shape_Length"]  # fmt: skip
CSV_FILES = {
    "nyseg_rge/network": ("nyseg_rge/network/nyseg_rge_network_2026-10.csv", NYSEG_NETWORK_HEADER),
    "nyseg_rge/installed_der": (
        "nyseg_rge/installed_der/nyseg_rge_installed_der_2026-10.csv",
        [
            "ProjectID",
            "ProjectType",
            "NamePlateRating",
            "TotalChargesCESIR",
            "TotalChargesConstruction",
            "CESIR_EST",
            "SystemUpgrade_EST",
            "ProjectCircuitID",
            "Hybrid",
            *NYSEG_TECH,
        ],
    ),  # fmt: skip
    "nyseg_rge/planned_der": (
        "nyseg_rge/planned_der/nyseg_rge_planned_der_2026-10.csv",
        [
            "ProjectType",
            "NamePlateRating",
            "InServiceDate",
            "ProjectStatus",
            "ProjectID",
            "CompletionDate",
            "ProjectCircuitID",
            "Hybrid",
            *NYSEG_TECH,
        ],
    ),  # fmt: skip
    "national_grid/network": (
        "national_grid/network/national_grid_network_2026-10.csv",
        [
            "Master_CDF",
            "feeder_voltage",
            "feeder_max_hc",
            "feeder_min_hc",
            "feeder_dg_connected_since_refresh",
            "hca_refresh_date",
            "color",
            "shape_length",
        ],
    ),  # fmt: skip
    "national_grid/installed_der": (
        "national_grid/installed_der/national_grid_installed_der_2026-10.csv",
        [
            "DER_ID",
            "SERVICE_STREET_ADDRESS",
            "DER_TYPE",
            "DER_NAMEPLATE_RATING",
            "DER_INTERCONNECTION_LOCATION",
            "INTERCONNECTION_COST",
        ],
    ),  # fmt: skip
    "national_grid/planned_der": (
        "national_grid/planned_der/national_grid_planned_der_2026-10.csv",
        [
            "DER_TYPE",
            "DER_NAMEPLATE_RATING",
            "INVERTER_NAMEPLATE_RATING",
            "PLANNED_INSTALLATION_DATE",
            "DER_STATUS",
            "DER_STATUS_RATIONALE",
            "TOTAL_MW_FOR_SUBSTATION",
            "INTERCONNECTION_QUEUE_REQUEST_ID",
            "INTERCONNECTION_QUEUE_POSITION",
            "DER_INTERCONNECTION_LOCATION",
        ],
    ),  # fmt: skip
    "coned/network": (
        "coned/network/coned_network_2026-10.csv",
        [
            "OBJECTID",
            "FEEDER_ID",
            "FRIENDLY_CIRCUIT_NAME",
            "SUBSTATION",
            "OPERATINGCOMPANY",
            "LOCAL_VOLTAGE",
            "LOCAL_MIN",
            "LOCAL_MAX",
            "CONNECTED_DER",
            "QUEUED_DER",
            "PV_THERMAL",
            "PV_OVER_VOLTAGE",
            "PV_ANTI_ISLAND",
            "NYISO_LOAD_ZONE",
            "HC_REFESH_DATE",
            "DER_REFESH_DATE",
            "NOTES",
            "Shape__Length",
            "geometry",
        ],
    ),  # fmt: skip
    "orange_rockland/network": (
        "orange_rockland/network/orange_rockland_network_2026-10.csv",
        [
            "OBJECTID",
            "CIRCUIT",
            "FRIENDLY_CIRCUIT_NAME",
            "OPERATINGCOMPANY",
            "LOCAL_VOLTAGE",
            "LOCAL_MIN",
            "LOCAL_MAX",
            "CONNECTED_DER",
            "QUEUED_DER",
            "PV_THERMAL",
            "PV_OVER_VOLTAGE",
            "PV_ANTI_ISLAND",
            "NYISO_LOAD_ZONE",
            "HC_REFESH_DATE",
            "DER_REFESH_DATE",
            "NOTES",
            "Shape__Length",
            "geometry",
        ],
    ),  # fmt: skip
    "central_hudson/network": (
        "central_hudson/network/central_hudson_network_2026-10.csv",
        [
            "OBJECTID",
            "Substation",
            "Feeder",
            "Phases",
            "Voltage_kV",
            "HCMin",
            "HCMax",
            "MinHostingCapacity",
            "MaxHostingCapacity",
            "InstalledDER",
            "QUEUEDDER",
            "DG_INST_LASTHCA",
            "SubBank_Cap",
            "SubBank_InstalledDG",
            "SubBank_QueDG",
            "SubBank_TotalDG",
            "LoadZone",
            "HCA_REFRESH_DATE",
            "DG_ConQue_REFRESH_DATE",
            "Notes",
            "Shape__Length",
            "geometry",
        ],
    ),  # fmt: skip
}
SIR_FILES = {
    "coned/der": ("coned/der/coned_sir_inventory_2026-10.xlsx", "New Template"),
    "orange_rockland/der": ("orange_rockland/der/orange_rockland_sir_inventory_2026-10.xlsx", "SIR"),
    "central_hudson/der": ("central_hudson/der/central_hudson_sir_inventory_2026-10.xlsx", "Inventory"),
}
SIR_COLUMNS = ["Company", "Developer", "Application / Job #", "City/Town", "County", "Zip Code", "NYISO Load Zone",
               "Circuit ID", "Substation", "Hybrid (Y/N)", "PV (kWAC)", "ESS (kWAC)", "WIND (kWAC)", "MT (kWAC)",
               "SG (kWAC)", "IG (kWAC)", "FW (kWAC)", "FC (kWAC)", "CHP (kWAC)", "GT (kWAC)", "HYDRO (kWAC)",
               "ICE (kWAC)", "ST (kWAC)", "OTHER (kWAC)", "Metering (NA / NM / RNM / CDG)",
               "Application Approved Date (Utility)", "Construction Complete Date", "Project Complete (Y/N/W)"]  # fmt: skip
NULL_TOKENS = {"", "NULL", "NONE", "NA", "N/A"}


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, list[Path]]]:
    out = tmp_path_factory.mktemp("sample")
    return out, generate_sample(out)


def rows(sample, source: str) -> list[dict[str, str]]:
    path = sample[0] / CSV_FILES[source][0]
    with path.open(newline="", encoding="utf-8-sig") as fh:
        return list(csv.DictReader(fh))


def sir_rows(sample, source: str) -> tuple[list[str], list[list]]:
    """The SIR sheet's header row (row 5) and data rows (from row 6)."""
    path, sheet = SIR_FILES[source]
    cells = CalamineWorkbook.from_path(str(sample[0] / path)).get_sheet_by_name(sheet).to_python(skip_empty_area=False)
    return cells[4], cells[5:]


def normalized(native) -> str:
    """The pipeline's native-ID normalization (source-formats §2)."""
    return re.sub(r"^(\d+)\.0$", r"\1", str(native).strip().upper())


def all_bytes(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_writes_every_expected_file(sample):
    out, written = sample
    expected = {source: path for source, (path, _) in CSV_FILES.items()} | {s: p for s, (p, _) in SIR_FILES.items()}
    assert {source: [p.relative_to(out).as_posix() for p in paths] for source, paths in written.items()} == {
        source: [path] for source, path in expected.items()
    }
    assert all((out / path).stat().st_size > 0 for path in expected.values())
    assert sum(p.stat().st_size for p in out.rglob("*") if p.is_file()) < 5_000_000


def test_same_seed_gives_identical_bytes_and_another_seed_does_not(sample, tmp_path):
    generate_sample(tmp_path / "again")
    assert all_bytes(tmp_path / "again") == all_bytes(sample[0])
    generate_sample(tmp_path / "other", seed=7)
    other = all_bytes(tmp_path / "other")
    assert all(other[name] != content for name, content in all_bytes(sample[0]).items())


@pytest.mark.parametrize("source", CSV_FILES)
def test_csv_header_crlf_and_bom(sample, source):
    path, header = CSV_FILES[source]
    raw = (sample[0] / path).read_bytes()
    bom = b"\xef\xbb\xbf"
    assert raw.startswith(bom) == (source.startswith("national_grid/") and source.endswith("_der"))
    assert raw.count(b"\n") == raw.count(b"\r\n") > 10
    assert next(csv.reader([raw.removeprefix(bom).decode().split("\r\n")[0]])) == header


@pytest.mark.parametrize("source", SIR_FILES)
def test_sir_header_is_on_row_5_with_line_breaks_and_footnotes(sample, source):
    path, sheet = SIR_FILES[source]
    workbook = CalamineWorkbook.from_path(str(sample[0] / path))
    assert workbook.sheet_names == [sheet]
    cells = workbook.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
    assert "Technology (kW AC)" in cells[3]  # merged group cells above the header
    header = cells[4]
    assert [re.sub(r"(?<=[^\d\s])\d$", "", " ".join(h.split())) for h in header] == SIR_COLUMNS
    assert "PV\n(kWAC)" in header and "Circuit ID" not in header  # breaks kept, Circuit ID footnoted
    assert any(h.endswith("(Y/N/W)" + d) for h in header for d in "123")
    assert cells[5][header.index("Company")]  # data starts on row 6


def test_sir_dates_statuses_and_technologies(sample):
    header, data = sir_rows(sample, "coned/der")
    column = {" ".join(h.split()).rstrip("0123456789"): i for i, h in enumerate(header)}
    statuses = Counter(row[column["Project Complete (Y/N/W)"]] for row in data)
    assert statuses["Y"] > statuses["N"] > statuses["W"] > 0
    approved = [row[column["Application Approved Date (Utility)"]] for row in data]
    assert sum(not isinstance(v, str) for v in approved) > len(data) / 2  # real Excel dates
    assert any(re.fullmatch(r"\d{1,2}/\d{1,2}/\d{4}", v) for v in approved if isinstance(v, str))
    assert {"ASAP", "Q3 2022", "On Hold", "TBD"} & set(approved)
    hybrids = [row for row in data if row[column["Hybrid (Y/N)"]] == "Y"]
    assert hybrids and all(isinstance(row[column["ESS (kWAC)"]], float) for row in hybrids)
    ids = Counter(row[column["Application / Job #"]] for row in data)
    assert ids[""] >= 1 and [n for job, n in ids.items() if job].count(2) == 2  # no ID; exact + conflicting dup


def test_central_hudson_job_numbers_are_numeric_cells(sample):
    header, data = sir_rows(sample, "central_hudson/der")
    assert all(isinstance(row[2], float) for row in data if row[2] != "")


DER_FEEDERS = [  # (DER source, its feeder column, network source, the network's feeder column)
    ("nyseg_rge/installed_der", "ProjectCircuitID", "nyseg_rge/network", "Circuits_Phase3_CIRCUIT"),
    ("nyseg_rge/planned_der", "ProjectCircuitID", "nyseg_rge/network", "Circuits_Phase3_CIRCUIT"),
    ("national_grid/installed_der", "DER_INTERCONNECTION_LOCATION", "national_grid/network", "Master_CDF"),
    ("national_grid/planned_der", "DER_INTERCONNECTION_LOCATION", "national_grid/network", "Master_CDF"),
]


@pytest.mark.parametrize(("der", "der_column", "network", "network_column"), DER_FEEDERS)
def test_der_feeders_mostly_join_the_network(sample, der, der_column, network, network_column):
    feeders = {r[network_column] for r in rows(sample, network)} - {"NULL"}
    ids = [normalized(r[der_column]) for r in rows(sample, der)]
    present = [i for i in ids if i not in NULL_TOKENS]
    joined = sum(i in feeders for i in present)
    assert 0.85 < joined / len(present) < 1  # mostly joined, but some unknown feeders


@pytest.mark.parametrize(("source", "network", "network_column"), [
    ("coned/der", "coned/network", "FEEDER_ID"),
    ("orange_rockland/der", "orange_rockland/network", "CIRCUIT"),
    ("central_hudson/der", "central_hudson/network", "Feeder"),
])  # fmt: skip
def test_sir_circuits_mostly_join_the_network(sample, source, network, network_column):
    feeders = {r[network_column] for r in rows(sample, network)}
    _, data = sir_rows(sample, source)
    present = [normalized(row[7]) for row in data if normalized(row[7]) not in NULL_TOKENS]
    assert 0.85 < sum(i in feeders for i in present) / len(present) < 1
    assert any(row[7] != normalized(row[7]) for row in data)  # some lower case or padded


def test_nyseg_quirks(sample):
    installed = rows(sample, "nyseg_rge/installed_der")
    by_id = {}
    for row in installed:
        by_id.setdefault(row["ProjectID"], []).append(row)
    assert "NULL" in by_id  # no project ID: to be quarantined
    repeats = [versions for pid, versions in by_id.items() if pid != "NULL" and len(versions) > 1]
    assert sorted(versions[0] == versions[1] for versions in repeats) == [False, True]  # conflict, exact
    circuits = {r["ProjectCircuitID"] for r in installed}
    assert "TRANSMISSION" in circuits or any(c.startswith("T") for c in circuits)
    assert any(c.endswith("(NOT GEN)") for c in circuits)
    assert any(re.fullmatch(r"\d+\.0", c) for c in circuits)
    assert any(r["NamePlateRating"] == "abc" for r in installed)
    types = {r["ProjectType"] for r in installed}
    assert {"COMWIND", "ComWind", "RESPHOTO", "NRESPHOTO", "PVESS", "CHP", "Transmission"} <= types
    assert any(r["Hybrid"] == "Y" and float(r["SolarPV"]) and float(r["EnergyStorageSystem"]) for r in installed)
    planned = rows(sample, "nyseg_rge/planned_der")
    assert {r["ProjectStatus"] for r in planned} == {"NULL"}
    assert any(re.fullmatch(r"\d\d:\d\d\.0", r["CompletionDate"]) for r in planned)
    assert not {r["ProjectID"] for r in planned} & (set(by_id) - {"NULL"})


def test_nyseg_feeder_columns_repeat_on_each_segment(sample):
    by_feeder: dict[str, set] = {}
    for row in rows(sample, "nyseg_rge/network"):
        feeder_values = (row["NYHCPV_csv_FVOLTAGE"], row["NYHCPV_csv_FMAXHC"], row["NYHCPV_csv_FMINHC"])
        by_feeder.setdefault(row["Circuits_Phase3_CIRCUIT"], set()).add(feeder_values)
        if row["NYHCPV_csv_NMAXHC"] != "NULL":
            assert float(row["NYHCPV_csv_NMAXHC"]) <= float(row["NYHCPV_csv_FMAXHC"]) <= 10
    assert "NULL" in by_feeder  # an orphan segment
    assert all(len(values) == 1 for feeder, values in by_feeder.items() if feeder != "NULL")


@pytest.mark.parametrize(("source", "feeder", "low", "high"), [
    ("coned/network", "FEEDER_ID", "LOCAL_MIN", "LOCAL_MAX"),
    ("orange_rockland/network", "CIRCUIT", "LOCAL_MIN", "LOCAL_MAX"),
    ("central_hudson/network", "Feeder", "HCMin", "HCMax"),
])  # fmt: skip
def test_segment_hc_is_consistent(sample, source, feeder, low, high):
    feeders = Counter()
    for row in rows(sample, source):
        if row[feeder]:
            assert 0 <= float(row[low]) <= float(row[high])
            feeders[row[feeder]] += 1
    assert len(feeders) >= 5 and min(feeders.values()) >= 1


def test_orange_rockland_reco_rows_and_cap(sample):
    network = rows(sample, "orange_rockland/network")
    companies = Counter(r["OPERATINGCOMPANY"] for r in network)
    assert set(companies) == {"ORU", "RECO"} and 0.03 < companies["RECO"] / len(network) < 0.08
    local_max = [float(r["LOCAL_MAX"]) for r in network]
    assert max(local_max) == 10 and "SUBSTATION" not in network[0]


def test_coned_values(sample):
    network = rows(sample, "coned/network")
    assert {r["OPERATINGCOMPANY"] for r in network} == {"CECONY"}
    assert {r["LOCAL_VOLTAGE"] for r in network} <= {"4", "13", "27", "33"}
    assert {r["NYISO_LOAD_ZONE"] for r in network} <= {"H", "I", "J"}
    assert all(re.fullmatch(r"\d{13}", r["HC_REFESH_DATE"]) and re.fullmatch(r"\d{13}", r["DER_REFESH_DATE"]) for r in network)
    assert all(re.fullmatch(r"\d[A-Z]\d\d", r["FEEDER_ID"]) for r in network if r["FEEDER_ID"])
    assert any(not r["FEEDER_ID"] for r in network)  # an orphan segment
    assert any("N/A" in (r["PV_THERMAL"], r["PV_OVER_VOLTAGE"], r["PV_ANTI_ISLAND"]) for r in network)
    assert max(float(r["LOCAL_MAX"]) for r in network) > 10  # Con Edison does not cap


def test_central_hudson_stubs(sample):
    network = rows(sample, "central_hudson/network")
    stubs = [r for r in network if not r["Feeder"]]
    assert 0.43 < len(stubs) / len(network) < 0.47
    assert all(not r["HCMax"] for r in stubs) and all(r["HCMax"] for r in network if r["Feeder"])
    assert {r["MinHostingCapacity"] + r["MaxHostingCapacity"] for r in network} == {""}
    assert all(re.fullmatch(r"\d{1,2}/\d{1,2}/\d{4}", r["HCA_REFRESH_DATE"]) for r in network if r["Feeder"])


def test_national_grid_values(sample):
    network = rows(sample, "national_grid/network")
    max_hc = [float(r["feeder_max_hc"]) for r in network]
    assert 0 in max_hc and 10 in max_hc and max(max_hc) == 10
    assert all(float(r["feeder_min_hc"]) <= float(r["feeder_max_hc"]) for r in network)
    assert all(re.fullmatch(r"36_\d\d_\d{4,6}", r["Master_CDF"]) for r in network)
    installed = rows(sample, "national_grid/installed_der")
    assert {r["SERVICE_STREET_ADDRESS"] for r in installed} == {"null"}
    assert "null" in {r["DER_INTERCONNECTION_LOCATION"] for r in installed}
    planned = rows(sample, "national_grid/planned_der")
    installed_ids = {r["DER_ID"] for r in installed}
    history = sum(r["INTERCONNECTION_QUEUE_REQUEST_ID"] in installed_ids for r in planned)
    assert 0.7 < history / len(planned) < 0.85  # the whole queue history
    assert all(re.fullmatch(r"\d{1,2}/\d{1,2}/\d{4} \d{1,2}:\d\d", r["INTERCONNECTION_QUEUE_POSITION"]) for r in planned)


def test_scale_grows_row_counts_linearly(tmp_path):
    generate_sample(tmp_path, scale=0.03)
    lines = (tmp_path / CSV_FILES["central_hudson/network"][0]).read_bytes().count(b"\r\n") - 1
    assert lines == round(306_000 * 0.03)


def test_tiny_scale_still_writes_every_source(tmp_path):
    written = generate_sample(tmp_path, scale=0.0001)
    assert len(written) == 12 and all(p.stat().st_size > 0 for paths in written.values() for p in paths)


def test_nyseg_network_for_given_circuits(tmp_path):
    given = ["4305301", " 4305301 ", "0113ro5101", "1105354.0", "NULL", "na", "", "TRANSMISSION", "T1034",
             "t107505", "2309001 (NOT GEN)", "0113RO5101", "A0041RO0762"]  # fmt: skip
    out = write_nyseg_network_for_circuits(given, tmp_path / "net.csv", segments_per_feeder=10)
    assert out == tmp_path / "net.csv"
    with out.open(newline="", encoding="utf-8") as fh:
        network = list(csv.DictReader(fh))
    assert list(network[0]) == NYSEG_NETWORK_HEADER
    assert {r["Circuits_Phase3_CIRCUIT"] for r in network} == {"4305301", "0113RO5101", "1105354", "A0041RO0762"}
    assert all(5 <= n <= 15 for n in Counter(r["Circuits_Phase3_CIRCUIT"] for r in network).values())
    assert (
        write_nyseg_network_for_circuits(given, tmp_path / "again.csv", segments_per_feeder=10).read_bytes() == out.read_bytes()
    )

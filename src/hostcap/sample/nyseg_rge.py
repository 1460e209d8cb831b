"""NYSEG / RG&E (Avangrid): segment-grain network (source-formats §3.1), installed (§4.1) and planned (§4.2) DER.

The network file is synthetic (the real one was never published in the case study); the DER files mimic
the real ``utility1_*`` files: their column orders, ``ProjectType`` codes and frequencies, ``NULL`` token,
transmission and junk circuit IDs, and Excel-mangled dates.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import NamedTuple

from hostcap.sample._der import BAD_NUMBER, JUNK_DATES, kw
from hostcap.sample._hc import STUDY_CAP_MW, band, capped, feeder_max_hcs, min_hc, segment_hcs
from hostcap.sample._helpers import (
    AS_OF,
    DUP_CONFLICT,
    DUP_EXACT,
    MIN_DER_ROWS,
    MIN_FEEDERS,
    FeederPicker,
    bumped,
    draw_categories,
    emit_row,
    grouped_ids,
    mdy,
    messy_id,
    num,
    open_csv,
    plan_quirks,
    random_date,
    scaled,
    source_file,
    source_rng,
    split_count,
    unknown_id,
)

UTILITY = "nyseg_rge"
NULL = "NULL"

NETWORK_HEADER = (
    "",
    "Circuits_Phase3_CIRCUIT",
    "Circuits_Phase3_NUMPHASES",
    "Circuits_Phase3_OVERUNDER",
    "Circuits_Phase3_PHASE",
    "NYHCPV_csv_NSECTION",
    "NYHCPV_csv_NFEEDER",
    "NYHCPV_csv_NVOLTAGE",
    "NYHCPV_csv_NMAXHC",
    "NYHCPV_csv_NMAPCOLOR",
    "NYHCPV_csv_FFEEDER",
    "NYHCPV_csv_FVOLTAGE",
    "NYHCPV_csv_FMAXHC",
    "NYHCPV_csv_FMINHC",
    "NYHCPV_csv_FHCADATE",
    "NYHCPV_csv_FNOTES",
    "Shape_Length",
)
_FEEDER_COLUMNS = (1, 6, 10)  # the three columns naming a segment's feeder (blank on orphan segments)

TECH_COLUMNS = (
    "SolarPV",
    "EnergyStorageSystem",
    "Wind",
    "MicroTurbine",
    "SynchronousGenerator",
    "InductionGenerator",
    "FarmWaste",
    "FuelCell",
    "CombinedHeatandPower",
    "GasTurbine",
    "Hydro",
    "InternalCombustionEngine",
    "SteamTurbine",
    "Other",
)
INSTALLED_HEADER = (
    "ProjectID",
    "ProjectType",
    "NamePlateRating",
    "TotalChargesCESIR",
    "TotalChargesConstruction",
    "CESIR_EST",
    "SystemUpgrade_EST",
    "ProjectCircuitID",
    "Hybrid",
    *TECH_COLUMNS,
)
PLANNED_HEADER = (
    "ProjectType",
    "NamePlateRating",
    "InServiceDate",
    "ProjectStatus",
    "ProjectID",
    "CompletionDate",
    "ProjectCircuitID",
    "Hybrid",
    *TECH_COLUMNS,
)

FULL_FEEDERS = 1_370
FULL_SEGMENTS = 64_500
FULL_INSTALLED = 13_727
FULL_PLANNED = 1_688

# NYSEG circuit IDs (``4305301``) open with a 2-digit division; frequencies from the real DER file.
_NYSEG_DIVISIONS = {"43": 2002, "11": 1546, "31": 1449, "12": 1275, "23": 919, "81": 750, "24": 721,
                    "42": 599, "15": 540, "52": 428, "44": 367, "53": 286, "32": 124}  # fmt: skip
# RG&E circuit IDs (``0113RO5101``) carry a district code; frequencies from the real DER file.
_RGE_DISTRICTS = {"RO": 297, "LS": 40, "CF": 38, "GV": 33}
_NYSEG_KV = {12.47: 50, 4.8: 20, 34.5: 15, 13.2: 15}
_RGE_KV = {11.5: 40, 4.16: 35, 12.47: 15, 34.5: 10}
_HCA_DATES = ("2025-06-30", "2025-12-31", "2026-03-31")
_FEEDER_NOTES = (
    "HC limited by thermal loading of the mainline",
    "Voltage limited, see CESIR for details",
    "Substation backfeed limit applies",
    "Feeder reconfigured since the last study",
)
_PHASES = {3: ("ABC",), 2: ("AB", "BC", "AC"), 1: ("A", "B", "C")}
_ZERO_HC_SHARE = 0.12


class _TypeSpec(NamedTuple):
    """A ``ProjectType`` code: its row counts in the real files and its technology parts.

    A part is (technology column, size kind); a part without a column counts in the nameplate but in no
    technology column (``langas``, ``COAL``), which is how the real file's nameplate mismatches arise.
    """

    installed: int
    planned: int
    parts: tuple[tuple[str | None, str], ...]
    hybrid_share: float = 0.0


_PV_RES = (("SolarPV", "res_pv"),)
_PV_COM = (("SolarPV", "com_pv"),)
_WIND_SMALL = (("Wind", "wind_small"),)
_WIND_LARGE = (("Wind", "wind_large"),)
_TYPES = {
    "RESPHOTO": _TypeSpec(11614, 568, _PV_RES),
    "NRESPHOTO": _TypeSpec(1400, 770, _PV_COM),
    "ComSolar": _TypeSpec(0, 57, _PV_COM),
    "PVESS": _TypeSpec(365, 160, (("SolarPV", "res_pv"), ("EnergyStorageSystem", "res_ess")), 0.55),
    "RESWIND": _TypeSpec(89, 0, _WIND_SMALL),
    "CHP": _TypeSpec(68, 4, (("CombinedHeatandPower", "chp"),)),
    "PVWind": _TypeSpec(38, 0, (("SolarPV", "res_pv"), ("Wind", "wind_small")), 1.0),
    "ESS": _TypeSpec(38, 45, (("EnergyStorageSystem", "ess"),)),
    "NRESWIND": _TypeSpec(30, 1, _WIND_SMALL),
    "HYDRO": _TypeSpec(26, 2, (("Hydro", "hydro"),)),
    "FARMWASTE": _TypeSpec(16, 1, (("FarmWaste", "farm_waste"),)),
    "Transmission": _TypeSpec(9, 30, ()),
    "COMWIND": _TypeSpec(8, 0, _WIND_LARGE),
    "ComWind": _TypeSpec(1, 17, _WIND_LARGE),
    "langas": _TypeSpec(7, 0, ((None, "biogas"),)),
    "GASTurbine": _TypeSpec(5, 1, (("GasTurbine", "gas_turbine"),)),
    "FarmWind": _TypeSpec(3, 0, _WIND_SMALL),
    "FARMWIND": _TypeSpec(1, 0, _WIND_SMALL),
    "FuelCell": _TypeSpec(3, 1, (("FuelCell", "fuel_cell"),)),
    "BIOGAS": _TypeSpec(2, 2, (("Other", "biogas"),)),
    "COAL": _TypeSpec(2, 0, ((None, "bulk"),)),
    "Nuclear": _TypeSpec(1, 0, ((None, "bulk"),)),
    "OpCo Owned": _TypeSpec(1, 0, ((None, "gas_turbine"),)),
    "WindESS": _TypeSpec(0, 14, (("Wind", "wind_small"), ("EnergyStorageSystem", "ess")), 1.0),
    "NULL": _TypeSpec(0, 12, _PV_COM),
    "LOAD": _TypeSpec(0, 1, ()),
    "MVDC": _TypeSpec(0, 1, ()),
    "Hybrid": _TypeSpec(0, 1, (("SolarPV", "com_pv"), ("EnergyStorageSystem", "ess")), 1.0),
}
_TRANSMISSION_TYPES = {"Transmission", "COAL", "Nuclear"}

_INSTALLED_QUIRKS = {
    "no_id": 0.0003,
    "bad_rating": 0.0003,
    "nameplate_mismatch": 0.005,
    "null_feeder": 0.0007,
    "transmission_feeder": 0.003,
    "junk_feeder": 0,
    "unknown_feeder": 0.0006,
    "messy_feeder": 0.001,
    "float_feeder": 0,
    DUP_EXACT: 0,
    DUP_CONFLICT: 0,
}
_PLANNED_QUIRKS = {
    "no_id": 0.0006,
    "bad_rating": 0.0006,
    "null_rating": 0.014,
    "null_feeder": 0.25,
    "transmission_feeder": 0.03,
    "unknown_feeder": 0.002,
    "messy_feeder": 0.002,
    "float_feeder": 0,
    "in_service_date": 0.058,
    "junk_date": 0.004,
    DUP_EXACT: 0,
    DUP_CONFLICT: 0,
}


class _Feeder(NamedTuple):
    id: str
    kv: float
    max_hc: float  # uncapped: the study stops at 10 MW, segments and FMAXHC are capped when written
    min_hc: float
    hca_date: str
    notes: str


def write(out_dir: Path, scale: float, seed: int) -> dict[str, list[Path]]:
    """Write the network, installed and planned files at ``scale``; return them by source id."""
    rng = source_rng(seed, f"{UTILITY}/network")
    n_feeders = scaled(FULL_FEEDERS, scale, MIN_FEEDERS)
    n_segments = scaled(FULL_SEGMENTS, scale, 2 * n_feeders)
    feeders = _make_feeders(rng, _feeder_ids(rng, n_feeders))
    network = source_file(out_dir, UTILITY, "network")
    _write_network(
        network,
        feeders,
        rng,
        split_count(rng, n_segments, n_feeders),
        orphans=set(plan_quirks(rng, n_segments, {"orphan": 0.0005})),
    )

    der_rng = source_rng(seed, f"{UTILITY}/der")
    n_installed = scaled(FULL_INSTALLED, scale, MIN_DER_ROWS)
    n_planned = scaled(FULL_PLANNED, scale, MIN_DER_ROWS)
    # One ID space, installed and planned disjoint (the real files share no ProjectID).
    ids = [str(i) for i in der_rng.sample(range(1, max(21_300, 2 * (n_installed + n_planned))), n_installed + n_planned)]
    picker = FeederPicker(der_rng, [f.id for f in feeders])
    installed = source_file(out_dir, UTILITY, "installed_der")
    _write_installed(installed, der_rng, picker, ids[:n_installed])
    planned = source_file(out_dir, UTILITY, "planned_der")
    _write_planned(planned, der_rng, picker, ids[n_installed:])
    return {
        f"{UTILITY}/network": [network],
        f"{UTILITY}/installed_der": [installed],
        f"{UTILITY}/planned_der": [planned],
    }


def write_nyseg_network_for_circuits(
    circuit_ids: Iterable[str], out_file: Path, seed: int = 42, segments_per_feeder: int = 40
) -> Path:
    """Write one NYSEG/RG&E network CSV (§3.1) whose feeders are exactly the given circuit IDs.

    This lets the real NYSEG/RG&E DER files (whose network file was never published) be joined to a
    network: pass their ``ProjectCircuitID`` values. IDs are normalized like the pipeline does (trim,
    upper-case, ``1105354.0`` → ``1105354``) and de-duplicated; null tokens, ``TRANSMISSION``, IDs starting
    with ``T`` and IDs that are not plain circuit IDs (``2309001 (NOT GEN)``) are skipped. Each feeder gets
    about ``segments_per_feeder`` segments (between half and 1.5 times as many); unlike the sample's
    network there are no orphan segments, so every row belongs to one of the given feeders.
    """
    rng = source_rng(seed, f"{UTILITY}/network")
    ids = _plain_circuit_ids(circuit_ids)
    low, high = max(1, segments_per_feeder // 2), max(1, segments_per_feeder * 3 // 2)
    counts = [rng.randint(low, high) for _ in ids]
    _write_network(Path(out_file), _make_feeders(rng, ids), rng, counts, orphans=set())
    return Path(out_file)


def _plain_circuit_ids(circuit_ids: Iterable[str]) -> list[str]:
    """The distinct distribution circuit IDs among ``circuit_ids``, normalized, in first-seen order."""
    out: dict[str, None] = {}
    for raw in circuit_ids:
        text = re.sub(r"^(\d+)\.0$", r"\1", str(raw or "").strip().upper())
        if text in ("", "NULL", "NONE", "NA", "N/A", "TRANSMISSION") or text.startswith("T"):
            continue
        if re.fullmatch(r"[A-Z0-9]+", text):
            out[text] = None
    return list(out)


def _feeder_ids(rng: random.Random, n: int) -> list[str]:
    """Two thirds NYSEG IDs (division, substation, feeder: ``4305301``), one third RG&E (``0113RO5101``)."""
    n_rge = max(1, n // 3)
    divisions, division_weights = list(_NYSEG_DIVISIONS), list(_NYSEG_DIVISIONS.values())
    districts, district_weights = list(_RGE_DISTRICTS), list(_RGE_DISTRICTS.values())
    nyseg = grouped_ids(
        rng,
        n - n_rge,
        lambda: f"{rng.choices(divisions, division_weights)[0]}{rng.randint(0, 999):03d}",
        lambda substation, k: f"{substation}{k + 1:02d}",
    )
    rge = grouped_ids(
        rng,
        n_rge,
        lambda: (f"{rng.randint(1, 250):04d}{rng.choices(districts, district_weights)[0]}", rng.randint(100, 9900)),
        lambda group, k: f"{group[0]}{group[1] + k:04d}",
    )
    return [feeder_id for _, feeder_id in nyseg + rge]


def _make_feeders(rng: random.Random, ids: list[str]) -> list[_Feeder]:
    feeders = []
    for feeder_id, max_hc in zip(ids, feeder_max_hcs(rng, len(ids), _ZERO_HC_SHARE)):
        voltages = _NYSEG_KV if feeder_id.isdigit() else _RGE_KV
        feeders.append(
            _Feeder(
                id=feeder_id,
                kv=rng.choices(list(voltages), list(voltages.values()))[0],
                max_hc=max_hc,
                min_hc=min_hc(rng, capped(max_hc, STUDY_CAP_MW)),
                hca_date=f"{rng.choice(_HCA_DATES)} 00:00:00+00:00",
                notes=rng.choice(_FEEDER_NOTES) if rng.random() < 0.1 else NULL,
            )
        )
    return feeders


def _write_network(path: Path, feeders: list[_Feeder], rng: random.Random, counts: list[int], orphans: set[int]) -> None:
    """Stream the segment rows; after each segment numbered in ``orphans`` add a copy with no feeder ID
    (a line shape the circuit join missed: a row the pipeline must quarantine)."""
    with open_csv(path, NETWORK_HEADER) as out:
        index = 0
        for segment_no, row in enumerate(s for f, n in zip(feeders, counts) for s in _segments(rng, f, n)):
            out.writerow([index, *row])
            index += 1
            if segment_no in orphans:
                orphan = [index, *row]
                for column in _FEEDER_COLUMNS:
                    orphan[column] = NULL
                out.writerow(orphan)
                index += 1


def _segments(rng: random.Random, feeder: _Feeder, count: int) -> Iterator[list]:
    """The feeder's segment rows (without the index column); F* columns repeat the feeder's values."""
    kv = num(feeder.kv)
    feeder_columns = [feeder.id, kv, num(capped(feeder.max_hc, STUDY_CAP_MW)), num(feeder.min_hc), feeder.hca_date, feeder.notes]
    for section, (_, seg_max) in enumerate(segment_hcs(rng, count, feeder.max_hc, feeder.min_hc, STUDY_CAP_MW), 1):
        phases = rng.choices((3, 1, 2), (55, 40, 5))[0]
        if rng.random() < 0.002:
            hc, color = NULL, NULL
        else:
            legend = band(seg_max)
            hc, color = num(seg_max), f"{legend.low:.2f} TO {legend.high:.2f} {legend.name.upper()}-{legend.hex}"
        yield [
            feeder.id,
            phases,
            rng.choices(("OH", "UG"), (8, 2))[0],
            rng.choice(_PHASES[phases]),
            section,
            feeder.id,
            kv,
            hc,
            color,
            *feeder_columns,
            num(rng.lognormvariate(4.5, 1.2), 6),
        ]


def _write_installed(path: Path, rng: random.Random, picker: FeederPicker, ids: list[str]) -> None:
    codes = draw_categories(rng, len(ids), {code: spec.installed for code, spec in _TYPES.items() if spec.installed})
    quirks = plan_quirks(rng, len(ids), _INSTALLED_QUIRKS)
    conflict_column = INSTALLED_HEADER.index("TotalChargesConstruction")
    with open_csv(path, INSTALLED_HEADER) as out:
        for i, (project_id, code) in enumerate(zip(ids, codes)):
            quirk = quirks.get(i)
            values = _project(rng, code, project_id, picker, quirk)
            values.update(zip(INSTALLED_HEADER[3:7], _costs(rng, values["NamePlateRating"])))
            row = [values[column] for column in INSTALLED_HEADER]
            emit_row(out.writerow, row, quirk, (conflict_column, bumped(row[conflict_column])))


def _write_planned(path: Path, rng: random.Random, picker: FeederPicker, ids: list[str]) -> None:
    codes = draw_categories(rng, len(ids), {code: spec.planned for code, spec in _TYPES.items() if spec.planned})
    quirks = plan_quirks(rng, len(ids), _PLANNED_QUIRKS)
    conflict_column = PLANNED_HEADER.index("NamePlateRating")
    with open_csv(path, PLANNED_HEADER) as out:
        for i, (project_id, code) in enumerate(zip(ids, codes)):
            quirk = quirks.get(i)
            values = _project(rng, code, project_id, picker, quirk)
            values["InServiceDate"] = _in_service_date(rng, quirk)
            values["ProjectStatus"] = NULL
            # Excel turned the completion timestamps into their mm:ss part before export.
            values["CompletionDate"] = NULL if rng.random() < 0.27 else f"{rng.randrange(60):02d}:{rng.randrange(60):02d}.0"
            row = [values[column] for column in PLANNED_HEADER]
            emit_row(out.writerow, row, quirk, (conflict_column, bumped(row[conflict_column])))


def _project(rng: random.Random, code: str, project_id: str, picker: FeederPicker, quirk: str | None) -> dict[str, str]:
    """The columns installed and planned files share: ID, type, nameplate, circuit, hybrid, technologies."""
    spec = _TYPES[code]
    techs = dict.fromkeys(TECH_COLUMNS, 0.0)
    rating = 0.0
    for column, kind in spec.parts:
        size = kw(rng, kind)
        rating += size
        if column:
            techs[column] += size
    if len(spec.parts) > 1 and techs["EnergyStorageSystem"] and rng.random() < 0.5:
        rating -= techs["EnergyStorageSystem"]  # the storage part is often left out of the nameplate
    if quirk == "nameplate_mismatch":
        rating = round(rating * rng.uniform(1.1, 2.0), 1)
    if quirk == "bad_rating":
        rating_text = BAD_NUMBER
    elif quirk == "null_rating":
        rating_text = NULL
    elif not spec.parts:
        rating_text = rng.choice((NULL, "0"))  # transmission and load records carry no real rating
    else:
        rating_text = num(rating)
    return {
        "ProjectID": NULL if quirk == "no_id" else project_id,
        "ProjectType": code,
        "NamePlateRating": rating_text,
        "ProjectCircuitID": _circuit(rng, picker, quirk, code),
        "Hybrid": "Y" if rng.random() < spec.hybrid_share else "N",
        **{column: num(value) for column, value in techs.items()},
    }


def _circuit(rng: random.Random, picker: FeederPicker, quirk: str | None, code: str) -> str:
    """A project's ``ProjectCircuitID``: a network feeder, or one of the real file's oddities."""
    if code in _TRANSMISSION_TYPES or quirk == "transmission_feeder":
        roll = rng.random()
        if roll < 0.15:
            return "TRANSMISSION"
        if roll < 0.25:
            return NULL
        prefix = "t" if roll > 0.95 else "T"  # a few are typed in lower case
        return f"{prefix}{rng.randint(100, 300_000)}"
    if quirk == "null_feeder":
        return rng.choice((NULL, NULL, NULL, "na", "N/A"))
    if quirk == "junk_feeder":
        return f"{picker.pick()} (NOT GEN)"
    if quirk == "unknown_feeder":
        return unknown_id(rng, picker.known, _unlisted_circuit)
    if quirk == "messy_feeder":
        return messy_id(rng, picker.pick())
    if quirk == "float_feeder":
        digit_ids = sorted(i for i in picker.known if i.isdigit())
        if digit_ids:
            return f"{rng.choice(digit_ids)}.0"
    return picker.pick()


def _unlisted_circuit(rng: random.Random) -> str:
    """A circuit ID of the kinds the real DER file has but no network does (``A0041RO0762``, ``3012045065``)."""
    if rng.random() < 0.6:
        return f"{rng.choice('ABCE')}{rng.randint(1, 250):04d}RO{rng.randint(300, 9999):04d}"
    return str(rng.randint(100_000_000, 9_999_999_999))


def _costs(rng: random.Random, rating: str) -> list[str]:
    """TotalChargesCESIR, TotalChargesConstruction, CESIR_EST, SystemUpgrade_EST: mostly ``NULL``; the
    estimates exist for some larger projects and the actual charges for fewer."""
    large = rating.replace(".", "").isdigit() and float(rating) >= 50
    if rng.random() > (0.4 if large else 0.01):
        return [NULL] * 4
    return [
        num(rng.uniform(1_000, 4_000), 4) if rng.random() < 0.1 else NULL,
        num(rng.uniform(5_000, 800_000), 4) if rng.random() < 0.2 else NULL,
        rng.choices(("0", "5000", "3000", "2500", "1500"), (69, 20, 5, 2, 2))[0],
        "0" if rng.random() < 0.7 else str(500 * rng.randint(1, 300)),
    ]


def _in_service_date(rng: random.Random, quirk: str | None) -> str:
    """Mostly ``NULL``; some ``M/D/YYYY`` dates; a few free texts (``On Hold``, ``ASAP``)."""
    if quirk == "in_service_date":
        return mdy(random_date(rng, AS_OF, AS_OF.replace(year=AS_OF.year + 2)))
    if quirk == "junk_date":
        return rng.choice((*JUNK_DATES, "12/15/2021 Per AW"))
    return NULL

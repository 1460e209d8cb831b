"""National Grid (Niagara Mohawk): feeder-grain network (source-formats §3.2), installed (§4.3) and planned
(§4.4) DER, shaped like the real ``utility2_*`` files.

The planned file is the whole queue history: most of its rows are projects that are in the installed file
too (same ID, type, rating and feeder), which the pipeline must count once, as installed.
"""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

from hostcap.sample._der import BAD_NUMBER, JUNK_DATES, kw
from hostcap.sample._hc import STUDY_CAP_MW, band, capped, feeder_max_hcs, min_hc
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
    unknown_id,
)

UTILITY = "national_grid"
NULL = "null"

NETWORK_HEADER = (
    "Master_CDF",
    "feeder_voltage",
    "feeder_max_hc",
    "feeder_min_hc",
    "feeder_dg_connected_since_refresh",
    "hca_refresh_date",
    "color",
    "shape_length",
)
INSTALLED_HEADER = (
    "DER_ID",
    "SERVICE_STREET_ADDRESS",
    "DER_TYPE",
    "DER_NAMEPLATE_RATING",
    "DER_INTERCONNECTION_LOCATION",
    "INTERCONNECTION_COST",
)
PLANNED_HEADER = (
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
)

FULL_FEEDERS = 1_909
FULL_INSTALLED = 25_537
FULL_PLANNED = 30_957
_HISTORY_SHARE = 24_689 / 30_957  # planned rows that are installed projects (the real file's share)
_ZERO_HC_SHARE = 0.186

# District frequencies of the real feeders (``36_<district>_<substation><feeder>``).
_DISTRICTS = {"01": 543, "11": 211, "30": 157, "03": 102, "32": 73, "17": 69, "31": 61, "35": 55, "10": 54,
              "39": 46, "06": 43, "38": 39, "04": 38, "13": 35, "05": 32, "09": 31, "18": 28, "25": 26,
              "14": 25, "08": 22, "07": 21, "19": 19, "12": 19, "23": 17, "27": 17, "37": 17, "20": 16,
              "40": 16, "33": 16, "24": 15, "28": 14, "29": 12, "41": 8, "16": 6, "26": 6}  # fmt: skip
# Substation number formats and shares: 3 digits (``81756``), 2 digits (``2562``), zero-led (``09450``),
# 4 digits (``100251``); feeders add a 2-digit suffix from 51 up.
_SUBSTATION_FORMATS = {"{:03d}": 0.50, "{:02d}": 0.45, "0{:02d}": 0.04, "{:04d}": 0.01}
_SUBSTATION_RANGES = {"{:03d}": (100, 999), "{:02d}": (10, 99), "0{:02d}": (1, 99), "{:04d}": (1000, 9999)}
_VOLTAGES = {13.2: 928, 4.16: 669, 4.8: 307, 2.4: 5}
_REFRESH = "2026/04/01 00:00:00+00"

# DER_TYPE frequencies of the real files: installed, and planned-only (which adds ``None``/``null``).
_INSTALLED_TYPES = {"Solar": 25034, "Wind": 259, "Hydro": 98, "Natural Gas": 51, "Steam": 42,
                    "Battery Add-On": 18, "Bio Gas": 16, "Other": 11, "Landfill Gas": 4, "Geo-Thermal": 2,
                    "Combined Heat and Power": 1, "Diesel": 1}  # fmt: skip
_PLANNED_TYPES = {"Solar": 6073, "Wind": 114, "Hydro": 22, "Steam": 16, "Natural Gas": 13, "Battery Add-On": 13,
                  "Other": 9, "Bio Gas": 4, "None": 3, "null": 1}  # fmt: skip
_TYPE_KINDS = {"Solar": "res_pv", "Wind": "wind_small", "Hydro": "hydro", "Natural Gas": "engine", "Steam": "steam",
               "Battery Add-On": "res_ess", "Bio Gas": "biogas", "Other": "other", "Landfill Gas": "biogas",
               "Geo-Thermal": "other", "Combined Heat and Power": "chp", "Diesel": "engine", "None": "res_pv",
               "null": "res_pv"}  # fmt: skip
_COMMON_COSTS = ("750", "350", "4150", "4850", "3650", "4950", "10350", "6950")

_INSTALLED_QUIRKS = {
    "no_id": 0.0002,
    "bad_rating": 0.0002,
    "null_feeder": 0.008,
    "unknown_feeder": 0.008,
    "messy_feeder": 0.001,
    "na_cost": 0.0005,
    DUP_EXACT: 0,
    DUP_CONFLICT: 0,
}
_PLANNED_QUIRKS = {
    "no_id": 0.001,
    "bad_rating": 0.001,
    "junk_date": 0.001,
    "null_feeder": 0.08,
    "unknown_feeder": 0.02,
    "messy_feeder": 0.003,
    DUP_EXACT: 0,
    DUP_CONFLICT: 0,
}


def write(out_dir: Path, scale: float, seed: int) -> dict[str, list[Path]]:
    """Write the network, installed and planned files at ``scale``; return them by source id."""
    rng = source_rng(seed, f"{UTILITY}/network")
    feeder_ids = _feeder_ids(rng, scaled(FULL_FEEDERS, scale, MIN_FEEDERS))
    network = source_file(out_dir, UTILITY, "network")
    _write_network(network, rng, feeder_ids)

    der_rng = source_rng(seed, f"{UTILITY}/der")
    n_installed = scaled(FULL_INSTALLED, scale, MIN_DER_ROWS)
    n_planned = scaled(FULL_PLANNED, scale, MIN_DER_ROWS)
    n_history = min(round(n_planned * _HISTORY_SHARE), n_installed)
    ids = [str(i) for i in der_rng.sample(range(80_000, 520_000), n_installed + n_planned - n_history)]
    picker = FeederPicker(der_rng, feeder_ids)
    # Unknown feeders recur (a retired feeder keeps its DER): both files draw from one small pool of them.
    unlisted = [unknown_id(der_rng, picker.known, _unlisted_feeder) for _ in range(max(1, n_installed // 500))]
    installed = source_file(out_dir, UTILITY, "installed_der")
    history = _write_installed(installed, der_rng, picker, unlisted, ids[:n_installed])
    planned = source_file(out_dir, UTILITY, "planned_der")
    history = der_rng.sample(history, min(n_history, len(history)))
    _write_planned(planned, der_rng, picker, unlisted, ids[n_installed:], history)
    return {
        f"{UTILITY}/network": [network],
        f"{UTILITY}/installed_der": [installed],
        f"{UTILITY}/planned_der": [planned],
    }


def _feeder_ids(rng: random.Random, n: int) -> list[str]:
    """``Master_CDF`` IDs: ``36_<district>_<substation><51, 52, …>``, some zero-led (``36_31_09450``)."""
    districts, district_weights = list(_DISTRICTS), list(_DISTRICTS.values())
    formats, format_weights = list(_SUBSTATION_FORMATS), list(_SUBSTATION_FORMATS.values())

    def new_substation() -> str:
        fmt = rng.choices(formats, format_weights)[0]
        return f"36_{rng.choices(districts, district_weights)[0]}_{fmt.format(rng.randint(*_SUBSTATION_RANGES[fmt]))}"

    return [feeder_id for _, feeder_id in grouped_ids(rng, n, new_substation, lambda sub, k: f"{sub}{51 + k}")]


def _write_network(path: Path, rng: random.Random, feeder_ids: list[str]) -> None:
    """Feeder grain: one row per feeder, HC capped at the 10 MW study limit, legend color by max HC."""
    voltages, voltage_weights = list(_VOLTAGES), list(_VOLTAGES.values())
    with open_csv(path, NETWORK_HEADER) as out:
        for feeder_id, true_max in zip(feeder_ids, feeder_max_hcs(rng, len(feeder_ids), _ZERO_HC_SHARE)):
            max_hc = capped(true_max, STUDY_CAP_MW)
            out.writerow(
                [
                    feeder_id,
                    num(rng.choices(voltages, voltage_weights)[0]),
                    num(max_hc),
                    num(min_hc(rng, max_hc)),
                    num(_dg_since_refresh(rng)),
                    _REFRESH,
                    band(max_hc).name,
                    num(rng.uniform(0.0002, 3.25), 9),
                ]
            )


def _dg_since_refresh(rng: random.Random) -> float:
    """MW connected since the HC study: mostly 0, some small positives, a few negatives (removals)."""
    roll = rng.random()
    if roll < 0.78:
        return 0.0
    if roll < 0.99:
        return round(rng.expovariate(1 / 0.3), 2)
    return -round(rng.uniform(0.01, 0.74), 2)


def _write_installed(
    path: Path, rng: random.Random, picker: FeederPicker, unlisted: list[str], ids: list[str]
) -> list[tuple[str, ...]]:
    """Write the installed file; return its clean rows' (ID, type, rating, location) for the queue history."""
    types = draw_categories(rng, len(ids), _INSTALLED_TYPES)
    quirks = plan_quirks(rng, len(ids), _INSTALLED_QUIRKS)
    history = []
    with open_csv(path, INSTALLED_HEADER, bom=True) as out:
        for i, (der_id, der_type) in enumerate(zip(ids, types)):
            quirk = quirks.get(i)
            rating = _rating(rng, der_type, quirk)
            location = _location(rng, picker, unlisted, quirk)
            cost = "N/A" if quirk == "na_cost" else _cost(rng)
            row = ["" if quirk == "no_id" else der_id, NULL, der_type, rating, location, cost]
            emit_row(out.writerow, row, quirk, (5, bumped(cost)))
            if quirk is None:
                history.append((der_id, der_type, rating, location))
    return history


def _write_planned(
    path: Path,
    rng: random.Random,
    picker: FeederPicker,
    unlisted: list[str],
    new_ids: list[str],
    history: list[tuple[str, ...]],
) -> None:
    """Write the queue: the installed projects' history rows and the planned-only projects, interleaved."""
    is_history = [True] * len(history) + [False] * len(new_ids)
    rng.shuffle(is_history)
    types = iter(draw_categories(rng, len(new_ids), _PLANNED_TYPES))
    quirks = plan_quirks(rng, len(new_ids), _PLANNED_QUIRKS)
    history_rows, new_rows = iter(history), iter(enumerate(new_ids))
    with open_csv(path, PLANNED_HEADER, bom=True) as out:
        for from_history in is_history:
            if from_history:
                der_id, der_type, rating, location = next(history_rows)
                queued = random_date(rng, dt.date(2014, 1, 1), dt.date(2024, 6, 30))
                out.writerow(_planned_row(rng, der_id, der_type, rating, location, queued, _past_install_date(rng)))
                continue
            i, der_id = next(new_rows)
            quirk = quirks.get(i)
            der_type = next(types)
            queued = random_date(rng, dt.date(2019, 1, 1), AS_OF)
            install = rng.choice(JUNK_DATES) if quirk == "junk_date" else _future_install_date(rng)
            row = _planned_row(
                rng,
                "" if quirk == "no_id" else der_id,
                der_type,
                _rating(rng, der_type, quirk, commercial_share=0.45),
                _location(rng, picker, unlisted, quirk),
                queued,
                install,
            )
            emit_row(out.writerow, row, quirk, (1, bumped(row[1])))


def _planned_row(
    rng: random.Random, der_id: str, der_type: str, rating: str, location: str, queued: dt.date, install: str
) -> list[str]:
    # TOTAL_MW_FOR_SUBSTATION holds the project's kW, but is often empty and sometimes just wrong.
    roll = rng.random()
    total = "" if roll < 0.12 else ("5000" if roll > 0.99 else rating)
    hour, minute = (5, 0) if rng.random() < 0.4 else (rng.randrange(24), rng.randrange(60))
    position = f"{mdy(queued)} {hour}:{minute:02d}"  # a timestamp, despite the column's name
    return [der_type, rating, NULL, install, NULL, NULL, total, der_id, position, location]


def _past_install_date(rng: random.Random) -> str:
    """An installed project's planned date: often empty, some on the real file's default ``4/29/2018``."""
    roll = rng.random()
    if roll < 0.65:
        return ""
    if roll < 0.72:
        return "4/29/2018"
    return mdy(random_date(rng, dt.date(2016, 1, 1), dt.date(2025, 12, 31)))


def _future_install_date(rng: random.Random) -> str:
    """A planned-only project's date: often empty, else within the next three years."""
    return "" if rng.random() < 0.65 else mdy(random_date(rng, AS_OF, dt.date(2029, 12, 31)))


def _rating(rng: random.Random, der_type: str, quirk: str | None, commercial_share: float = 0.07) -> str:
    """DER_NAMEPLATE_RATING in kW; half the natural-gas units were sent without a rating."""
    if quirk == "bad_rating":
        return BAD_NUMBER
    if der_type == "Natural Gas" and rng.random() < 0.5:
        return ""
    kind = _TYPE_KINDS[der_type]
    if kind == "res_pv" and rng.random() < commercial_share:
        kind = "com_pv"
    return num(kw(rng, kind))


def _location(rng: random.Random, picker: FeederPicker, unlisted: list[str], quirk: str | None) -> str:
    if quirk == "null_feeder":
        return NULL
    if quirk == "unknown_feeder":
        return rng.choice(unlisted)
    if quirk == "messy_feeder":
        return messy_id(rng, picker.pick())
    return picker.pick()


def _unlisted_feeder(rng: random.Random) -> str:
    """Feeder IDs of the kinds DER rows carry but the network file lacks (``36_05_SEG63``, ``36_10_RGE10``)."""
    district = rng.choice(list(_DISTRICTS))
    if rng.random() < 0.3:
        return f"36_{district}_{rng.choice(('SEG', 'RGE', 'CHG'))}{rng.randint(1, 99):02d}"
    return f"36_{district}_{rng.randint(1000, 99999)}"


def _cost(rng: random.Random) -> str:
    """INTERCONNECTION_COST ($): almost always 0."""
    roll = rng.random()
    if roll < 0.975:
        return "0"
    if roll < 0.99:
        return rng.choice(_COMMON_COSTS)
    return str(50 * rng.randint(20, 20_000))

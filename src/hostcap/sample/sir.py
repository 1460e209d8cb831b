"""The NY DPS SIR interconnection-queue inventory workbook (source-formats §4.5): installed (``Y``), queued
(``N``) and withdrawn (``W``) projects of one utility in one sheet.

The layout mimics the DPS template as utilities fill it in: title rows, merged group cells on row 4, the
header on row 5 with line breaks and footnote digits glued to some names, data from row 6. Dates are mostly
real Excel dates, some ``M/D/YYYY`` text, a few junk texts. There is no nameplate column: a project's
nameplate is the sum of its technology columns (empty cells where a technology is absent).
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import xlsxwriter
from xlsxwriter.worksheet import Worksheet

from hostcap.sample._der import BAD_NUMBER, JUNK_DATES, kw
from hostcap.sample._helpers import (
    AS_OF,
    DUP_CONFLICT,
    DUP_EXACT,
    FeederPicker,
    draw_categories,
    emit_row,
    mdy,
    messy_id,
    plan_quirks,
    random_date,
    unknown_id,
)

TECHNOLOGIES = ("PV", "ESS", "WIND", "MT", "SG", "IG", "FW", "FC", "CHP", "GT", "HYDRO", "ICE", "ST", "OTHER")
COLUMNS = (
    "Company",
    "Developer",
    "Application / Job #",
    "City/Town",
    "County",
    "Zip Code",
    "NYISO Load Zone",
    "Circuit ID",
    "Substation",
    "Hybrid (Y/N)",
    *(f"{tech} (kWAC)" for tech in TECHNOLOGIES),
    "Metering (NA / NM / RNM / CDG)",
    "Application Approved Date (Utility)",
    "Construction Complete Date",
    "Project Complete (Y/N/W)",
)
# Where the template breaks a header over two lines (collapsing white space gives back the name).
_BROKEN_HEADERS = {
    "Application / Job #": "Application /\nJob #",
    "Zip Code": "Zip\nCode",
    "NYISO Load Zone": "NYISO\nLoad Zone",
    "Hybrid (Y/N)": "Hybrid\n(Y/N)",
    **{f"{tech} (kWAC)": f"{tech}\n(kWAC)" for tech in TECHNOLOGIES},
    "Metering (NA / NM / RNM / CDG)": "Metering\n(NA / NM / RNM / CDG)",
    "Application Approved Date (Utility)": "Application Approved Date\n(Utility)",
    "Construction Complete Date": "Construction\nComplete Date",
    "Project Complete (Y/N/W)": "Project Complete\n(Y/N/W)",
}
_GROUPS = (
    ("Project Information", "Company", "Substation"),
    ("Technology (kW AC)", "Hybrid (Y/N)", "OTHER (kWAC)"),
    ("Status", "Metering (NA / NM / RNM / CDG)", "Project Complete (Y/N/W)"),
)
HEADER_ROW = 4  # 0-based: the 5th row
_FIXED_CREATED = dt.datetime(2026, 10, 1, 8, 0, 0)  # fixed workbook metadata keeps the bytes reproducible

# Technology mixes: weight (per 100 projects) and parts (technology, size kind); "pv" is decided per project.
_MIXES: dict[str, tuple[float, tuple[tuple[str, str], ...]]] = {
    "PV": (80, (("PV", "pv"),)),
    "PV+ESS": (8, (("PV", "res_pv"), ("ESS", "res_ess"))),
    "ESS": (6, (("ESS", "ess"),)),
    "CHP": (2, (("CHP", "chp"),)),
    "WIND": (1, (("WIND", "wind_small"),)),
    "FC": (1, (("FC", "fuel_cell"),)),
    "MT": (0.3, (("MT", "chp"),)),
    "SG": (0.3, (("SG", "engine"),)),
    "ICE": (0.3, (("ICE", "engine"),)),
    "IG": (0.2, (("IG", "engine"),)),
    "FW": (0.2, (("FW", "farm_waste"),)),
    "GT": (0.2, (("GT", "gas_turbine"),)),
    "HYDRO": (0.2, (("HYDRO", "hydro"),)),
    "ST": (0.1, (("ST", "steam"),)),
    "OTHER": (0.2, (("OTHER", "other"),)),
}
_DEVELOPERS = (
    "Hudson Solar LLC", "Empire Sun Partners", "Catskill Community Energy", "Metro Rooftop Power Inc.",
    "Northeast Storage Co.", "Greenlight DG Services", "Bright Harbor Energy", "Keystone CHP Partners",
)  # fmt: skip
_QUIRKS = {
    "no_id": 0.0005,
    "bad_rating": 0.0005,
    "null_feeder": 0.01,
    "na_feeder": 0.001,
    "unknown_feeder": 0.005,
    "messy_feeder": 0.003,
    "text_date": 0.08,
    "junk_date": 0.001,
    DUP_EXACT: 0,
    DUP_CONFLICT: 0,
}
_PV = COLUMNS.index("PV (kWAC)")


@dataclass(frozen=True)
class Place:
    """A municipality projects are sited in, with its zip code range and NYISO load zone."""

    city: str
    county: str
    zip_low: int
    zip_high: int
    zone: str


@dataclass(frozen=True)
class Profile:
    """How one utility fills in the template."""

    company: str
    sheet: str
    footnotes: Mapping[str, str]  # column name -> footnote text; digits are numbered in column order
    places: tuple[Place, ...]
    project_id: Callable[[random.Random, int], str | int]  # from a unique serial number


def header_cells(footnotes: Mapping[str, str]) -> list[str]:
    """The header row as written: line breaks, and footnote digits appended to footnoted names."""
    numbers = {name: n for n, name in enumerate(_footnoted(footnotes), 1)}
    return [_BROKEN_HEADERS.get(c, c) + (str(numbers[c]) if c in numbers else "") for c in COLUMNS]


def _footnoted(footnotes: Mapping[str, str]) -> list[str]:
    """The footnoted columns in column order, which is the order of their footnote numbers 1, 2, …"""
    return [column for column in COLUMNS if column in footnotes]


def write_workbook(path: Path, profile: Profile, feeders: Sequence[tuple[str, str]], n_projects: int, rng: random.Random) -> None:
    """Write ``n_projects`` projects on ``feeders`` ((feeder ID, substation) pairs) to a workbook at ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    substations = dict(feeders)
    picker = FeederPicker(rng, list(substations))
    mixes = draw_categories(rng, n_projects, {mix: weight for mix, (weight, _) in _MIXES.items()})
    quirks = plan_quirks(rng, n_projects, _QUIRKS)
    serials = rng.sample(range(1, 10 * n_projects + 1000), n_projects)

    workbook = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    workbook.set_properties({"title": f"{profile.company} SIR inventory", "author": profile.company, "created": _FIXED_CREATED})
    sheet = workbook.add_worksheet(profile.sheet)
    write_row = _preamble(workbook, sheet, profile)
    for i, mix in enumerate(mixes):
        quirk = quirks.get(i)
        row = _project(rng, profile, mix, serials[i], quirk, picker, substations)
        pv = row[_PV]
        emit_row(write_row, row, quirk, (_PV, (pv if isinstance(pv, float) else 0.0) + 250.0))
    workbook.close()


def _preamble(workbook: xlsxwriter.Workbook, sheet: Worksheet, profile: Profile) -> Callable[[list], None]:
    """Write the title rows, merged groups and header; return a function writing data rows from row 6."""
    title = workbook.add_format({"bold": True, "font_size": 14})
    group = workbook.add_format({"bold": True, "align": "center", "border": 1, "bg_color": "#D9E1F2"})
    header = workbook.add_format({"bold": True, "text_wrap": True, "align": "center", "valign": "vcenter", "border": 1})
    date = workbook.add_format({"num_format": "m/d/yyyy"})
    sheet.set_column(0, len(COLUMNS) - 1, 14)
    sheet.write_string(0, 0, f"{profile.company} - Interconnection Queue (SIR Inventory)", title)
    sheet.write_string(1, 0, f"Data as of {mdy(AS_OF)}")
    footnotes = enumerate(_footnoted(profile.footnotes), 1)
    sheet.write_string(2, 0, "   ".join(f"{n} {profile.footnotes[column]}" for n, column in footnotes))
    for name, first, last in _GROUPS:
        sheet.merge_range(HEADER_ROW - 1, COLUMNS.index(first), HEADER_ROW - 1, COLUMNS.index(last), name, group)
    sheet.set_row(HEADER_ROW, 45)
    sheet.write_row(HEADER_ROW, 0, header_cells(profile.footnotes), header)
    next_row = HEADER_ROW + 1

    def write_row(values: list) -> None:
        nonlocal next_row
        for column, value in enumerate(values):
            if value is None:
                continue
            if isinstance(value, dt.date):
                sheet.write_datetime(next_row, column, value, date)
            elif isinstance(value, str):
                sheet.write_string(next_row, column, value)
            else:
                sheet.write_number(next_row, column, value)
        next_row += 1

    return write_row


def _project(
    rng: random.Random,
    profile: Profile,
    mix: str,
    serial: int,
    quirk: str | None,
    picker: FeederPicker,
    substations: Mapping[str, str],
) -> list:
    """One project's cells in column order (None = empty cell)."""
    place = rng.choice(profile.places)
    commercial = rng.random() < 0.15
    techs: dict[str, float | str] = {}
    for tech, kind in _MIXES[mix][1]:
        techs[tech] = kw(rng, ("com_pv" if commercial else "res_pv") if kind == "pv" else kind)
    if quirk == "bad_rating":
        techs[next(iter(techs))] = BAD_NUMBER
    circuit, substation = _circuit(rng, picker, substations, quirk)
    status = rng.choices("YNW", (70, 25, 5))[0]
    approved, completed = _dates(rng, status, quirk)
    return [
        profile.company,
        rng.choice(_DEVELOPERS) if commercial or rng.random() < 0.6 else None,
        None if quirk == "no_id" else profile.project_id(rng, serial),
        place.city,
        place.county,
        rng.randint(place.zip_low, place.zip_high),
        place.zone,
        circuit,
        substation,
        "Y" if len(techs) > 1 else "N",
        *(techs.get(tech) for tech in TECHNOLOGIES),
        _metering(rng, mix, commercial),
        approved,
        completed,
        status,
    ]


def _circuit(
    rng: random.Random, picker: FeederPicker, substations: Mapping[str, str], quirk: str | None
) -> tuple[str | None, str | None]:
    """(Circuit ID, Substation): a network feeder and its substation, or an empty/N/A/unknown/sloppy ID."""
    if quirk == "null_feeder":
        return None, None
    if quirk == "na_feeder":
        return "N/A", None
    if quirk == "unknown_feeder":  # a retired or mistyped feeder: a known ID with other final digits
        return unknown_id(rng, picker.known, lambda r: f"{picker.pick()[:-2]}{r.randint(0, 99):02d}"), None
    feeder = picker.pick()
    return (messy_id(rng, feeder) if quirk == "messy_feeder" else feeder), substations[feeder]


def _dates(rng: random.Random, status: str, quirk: str | None) -> tuple[object, object]:
    """(approved, construction complete): Excel dates, ``M/D/YYYY`` text for some rows, junk for a few."""
    approved = (
        None if status == "N" and rng.random() < 0.3 else random_date(rng, dt.date(2012, 1, 1), AS_OF - dt.timedelta(days=15))
    )
    completed = None
    if status == "Y" and approved is not None:
        completed = min(approved + dt.timedelta(days=rng.randint(30, 540)), AS_OF - dt.timedelta(days=1))
    if quirk == "text_date":
        return (mdy(approved) if approved else None), (mdy(completed) if completed else None)
    if quirk == "junk_date":
        return rng.choice(JUNK_DATES), completed
    return approved, completed


def _metering(rng: random.Random, mix: str, commercial: bool) -> str:
    """Net metering for small PV, community/remote net metering for large PV, NA for the rest."""
    if mix == "PV" and commercial:
        return rng.choices(("CDG", "RNM", "NM"), (5, 2, 3))[0]
    return "NM" if mix in ("PV", "PV+ESS") else "NA"

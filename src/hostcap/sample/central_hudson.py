"""Central Hudson: line-section network (source-formats §3.5) and SIR inventory workbook (sheet ``Inventory``).

About 45% of the network rows are geometry-only stubs: no feeder, no analysis (the pipeline excludes them).
``HCMin``/``HCMax`` carry the section HC while ``MinHostingCapacity``/``MaxHostingCapacity`` are present but
empty; the feeder's DER totals and its substation bank's ``SubBank_*`` values repeat on each of its sections.
The workbook's job numbers are all-digit and stored as numbers, so a reader sees them as floats.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

from hostcap.sample import sir
from hostcap.sample._geo import FeederLine
from hostcap.sample._hc import feeder_max_hcs, min_hc, segment_hcs
from hostcap.sample._helpers import (
    AS_OF,
    MIN_DER_ROWS,
    MIN_FEEDERS,
    grouped_ids,
    mdy,
    num,
    open_csv,
    scaled,
    source_file,
    source_rng,
    split_count,
)

UTILITY = "central_hudson"
HEADER = (
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
    "geometry",  # the section's line as GeoJSON text (see hostcap.sample._geo)
)
FULL_FEEDERS = 330
FULL_ROWS = 306_000
FULL_PROJECTS = 10_000
STUB_SHARE = 0.45
_ZERO_HC_SHARE = 0.1

_SUBSTATIONS = ("Woodstock", "Kingston", "Saugerties", "Modena", "Highland", "Milan", "Pleasant Valley",
                "Fishkill Plains", "Hurley Avenue", "Rhinebeck", "Ellenville", "Newburgh", "Marlboro",
                "Coxsackie", "Catskill", "New Paltz", "Pawling", "Millerton", "Hunter", "Wiccopee")  # fmt: skip
_VOLTAGES = {13.2: 70, 4.16: 25, 34.5: 5}
_BANK_MW = (12.0, 16.8, 22.4, 28.0, 33.6)
_PHASES = ("ABC", "ABC", "ABC", "A", "B", "C", "AB")
_HCA_DATES = (dt.date(2025, 6, 30), dt.date(2026, 3, 31))
_NOTES = ("Bank reverse power limit", "Section rebuilt 2025", "Voltage regulator downstream")

PROFILE = sir.Profile(
    company="Central Hudson",
    sheet="Inventory",
    footnotes={
        "Application / Job #": "Central Hudson work request number.",
        "Circuit ID": "Substation-feeder designation.",
        "Project Complete (Y/N/W)": "Y = complete, N = not complete (in queue), W = withdrawn.",
    },
    places=(
        sir.Place("Kingston", "Ulster", 12401, 12402, "G"),
        sir.Place("New Paltz", "Ulster", 12561, 12561, "G"),
        sir.Place("Poughkeepsie", "Dutchess", 12601, 12604, "G"),
        sir.Place("Fishkill", "Dutchess", 12524, 12524, "G"),
        sir.Place("Newburgh", "Orange", 12550, 12551, "G"),
        sir.Place("Catskill", "Greene", 12414, 12414, "G"),
        sir.Place("Hudson", "Columbia", 12534, 12534, "G"),
        sir.Place("Carmel", "Putnam", 10512, 10512, "G"),
    ),
    project_id=lambda rng, serial: 100_000 + serial,
)


class _Bank(NamedTuple):
    capacity_mw: float
    installed_mw: float
    queued_mw: float


class _Feeder(NamedTuple):
    id: str
    substation: str
    bank: _Bank
    kv: float
    max_hc: float
    min_hc: float
    installed_mw: float
    queued_mw: float
    since_hca_mw: float
    hca_date: str


def write(out_dir: Path, scale: float, seed: int) -> dict[str, list[Path]]:
    """Write the network and the SIR workbook at ``scale``; return them by source id."""
    rng = source_rng(seed, f"{UTILITY}/network")
    feeders = _feeders(rng, scaled(FULL_FEEDERS, scale, MIN_FEEDERS))
    n_rows = scaled(FULL_ROWS, scale, 4 * len(feeders))
    n_stubs = round(n_rows * STUB_SHARE)
    network = source_file(out_dir, UTILITY, "network")
    _write_network(network, rng, feeders, n_rows - n_stubs, n_stubs, source_rng(seed, f"{UTILITY}/network/lines"))

    der = source_file(out_dir, UTILITY, "der", "sir_inventory", "xlsx")
    n_projects = scaled(FULL_PROJECTS, scale, MIN_DER_ROWS)
    sir.write_workbook(der, PROFILE, [(f.id, f.substation) for f in feeders], n_projects, source_rng(seed, f"{UTILITY}/der"))
    return {f"{UTILITY}/network": [network], f"{UTILITY}/der": [der]}


def _feeders(rng: random.Random, n: int) -> list[_Feeder]:
    """Feeders named by substation code and number (``WO3081``), each fed by one of its substation's banks."""
    voltages, weights = list(_VOLTAGES), list(_VOLTAGES.values())

    def new_substation() -> tuple[str, int, list[_Bank]]:
        banks = []
        for _ in range(rng.randint(1, 2)):
            capacity = rng.choice(_BANK_MW)
            banks.append(_Bank(capacity, round(rng.uniform(0, 0.6) * capacity, 2), round(rng.uniform(0, 0.5) * capacity, 2)))
        return rng.choice(_SUBSTATIONS), rng.randint(1000, 9800), banks

    grouped = grouped_ids(rng, n, new_substation, lambda group, k: f"{group[0][:2].upper()}{group[1] + k}")
    feeders = []
    for ((name, _, banks), feeder_id), max_hc in zip(grouped, feeder_max_hcs(rng, n, _ZERO_HC_SHARE)):
        installed = round(rng.expovariate(1 / 2.0), 2)
        feeders.append(
            _Feeder(
                id=feeder_id,
                substation=name,
                bank=rng.choice(banks),
                kv=rng.choices(voltages, weights)[0],
                max_hc=max_hc,
                min_hc=min_hc(rng, max_hc),
                installed_mw=installed,
                queued_mw=round(rng.expovariate(1 / 1.5), 2) if rng.random() < 0.6 else 0.0,
                since_hca_mw=round(installed * rng.uniform(0, 0.3), 2),
                hca_date=mdy(rng.choice(_HCA_DATES)),
            )
        )
    return feeders


def _write_network(
    path: Path, rng: random.Random, feeders: list[_Feeder], n_sections: int, n_stubs: int, lines: random.Random
) -> None:
    """Stream the feeders' sections with the stubs scattered among them (exactly ``n_stubs`` of them);
    every row's line is drawn from `lines` (a stub's is a short line near a substation)."""
    counts = split_count(rng, n_sections, len(feeders))
    sections = (row for f, n in zip(feeders, counts) for row in _sections(rng, f, n, FeederLine(lines, f.substation)))
    sections_left, stubs_left = n_sections, n_stubs
    with open_csv(path, HEADER) as out:
        for object_id in range(1, n_sections + n_stubs + 1):
            if rng.random() * (sections_left + stubs_left) < stubs_left:
                stubs_left -= 1
                row = ["", "", rng.choice(_PHASES), *[""] * 16]
                line = FeederLine(lines, lines.choice(_SUBSTATIONS)).segment()
            else:
                sections_left -= 1
                row, line = next(sections)
            out.writerow([object_id, *row, num(rng.lognormvariate(4.0, 1.3), 4), line])


def _sections(rng: random.Random, feeder: _Feeder, count: int, line: FeederLine) -> Iterator[tuple[list, str]]:
    """The feeder's section rows without OBJECTID, Shape__Length and geometry, each with its line."""
    bank = feeder.bank
    repeated = [
        num(feeder.installed_mw),
        num(feeder.queued_mw),
        num(feeder.since_hca_mw),
        num(bank.capacity_mw),
        num(bank.installed_mw),
        num(bank.queued_mw),
        num(bank.installed_mw + bank.queued_mw),
        "G",
        feeder.hca_date,
        mdy(AS_OF - dt.timedelta(days=1)),
    ]
    for seg_min, seg_max in segment_hcs(rng, count, feeder.max_hc, feeder.min_hc):
        notes = rng.choice(_NOTES) if rng.random() < 0.01 else ""
        row = [
            feeder.substation,
            feeder.id,
            rng.choice(_PHASES),
            num(feeder.kv),
            num(seg_min),
            num(seg_max),
            "",
            "",
            *repeated,
            notes,
        ]
        yield row, line.segment()

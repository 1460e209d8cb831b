"""Orange & Rockland: ArcGIS segment layer (source-formats §3.4) and SIR inventory workbook (sheet ``SIR``).

The layer is Con Edison's format with ``CIRCUIT`` for the feeder, no ``SUBSTATION`` column, ``LOCAL_MAX``
capped at 10 MW, and about 5% of the rows on New Jersey feeders (``RECO``), which are not part of the NY
data set. The workbook only carries New York projects.
"""

from __future__ import annotations

import random
from pathlib import Path

from hostcap.sample import arcgis, sir
from hostcap.sample._hc import STUDY_CAP_MW, feeder_max_hcs
from hostcap.sample._helpers import MIN_DER_ROWS, MIN_FEEDERS, grouped_ids, scaled, source_file, source_rng, split_count

UTILITY = "orange_rockland"
FULL_FEEDERS = 350
FULL_SEGMENTS = 89_000
FULL_PROJECTS = 8_000
LAYER = arcgis.Layer(feeder_column="CIRCUIT", with_substation=False, cap_mw=STUDY_CAP_MW)
_RECO_SHARE = 0.05

_NY_SUBSTATIONS = ("Monroe", "Sloatsburg", "West Nyack", "New Hempstead", "Harriman", "Blooming Grove",
                   "Port Jervis", "Middletown", "Wallkill", "Cuddebackville", "Pearl River", "Spring Valley",
                   "Tallman", "Congers", "Stony Point", "Warwick", "Chester", "Goshen")  # fmt: skip
_NJ_SUBSTATIONS = ("Mahwah", "Ramsey", "Allendale", "Upper Saddle River", "Franklin Lakes", "Oakland")
_VOLTAGES = {13: 60, 4: 25, 34: 15}
_ZERO_HC_SHARE = 0.1

PROFILE = sir.Profile(
    company="Orange & Rockland",
    sheet="SIR",
    footnotes={
        "Circuit ID": "Circuit as named on the hosting capacity map.",
        "Metering (NA / NM / RNM / CDG)": "NA not applicable, NM net metering, RNM remote net metering, "
        "CDG community distributed generation.",
        "Project Complete (Y/N/W)": "Y = complete, N = in queue, W = withdrawn.",
    },
    places=(
        sir.Place("Monroe", "Orange", 10949, 10950, "G"),
        sir.Place("Middletown", "Orange", 10940, 10941, "G"),
        sir.Place("Warwick", "Orange", 10990, 10990, "G"),
        sir.Place("Port Jervis", "Orange", 12771, 12771, "G"),
        sir.Place("New City", "Rockland", 10956, 10956, "G"),
        sir.Place("Spring Valley", "Rockland", 10977, 10977, "G"),
        sir.Place("Pearl River", "Rockland", 10965, 10965, "G"),
        sir.Place("Monticello", "Sullivan", 12701, 12701, "G"),
    ),
    project_id=lambda rng, serial: f"ORU-{rng.randint(12, 26)}-{serial:05d}",
)


def write(out_dir: Path, scale: float, seed: int) -> dict[str, list[Path]]:
    """Write the network layer and the SIR workbook at ``scale``; return them by source id."""
    rng = source_rng(seed, f"{UTILITY}/network")
    n_feeders = scaled(FULL_FEEDERS, scale, MIN_FEEDERS)
    n_reco = max(1, round(n_feeders * _RECO_SHARE))
    ny = _feeders(rng, n_feeders - n_reco, _NY_SUBSTATIONS, (1, 79), "ORU", "G")
    nj = _feeders(rng, n_reco, _NJ_SUBSTATIONS, (80, 99), "RECO", "")  # New Jersey is not in a NYISO zone
    # RECO's share is one of rows, not of feeders: at small scales one feeder is far more than 5%.
    n_segments = scaled(FULL_SEGMENTS, scale, 2 * n_feeders)
    n_reco_segments = max(n_reco, round(n_segments * _RECO_SHARE))
    counts = split_count(rng, n_segments - n_reco_segments, len(ny)) + split_count(rng, n_reco_segments, n_reco)
    layout = list(zip(ny + nj, counts))
    rng.shuffle(layout)
    network = source_file(out_dir, UTILITY, "network")
    lines = source_rng(seed, f"{UTILITY}/network/lines")
    arcgis.write_layer(network, LAYER, [f for f, _ in layout], rng, [n for _, n in layout], lines)

    der = source_file(out_dir, UTILITY, "der", "sir_inventory", "xlsx")
    n_projects = scaled(FULL_PROJECTS, scale, MIN_DER_ROWS)
    sir.write_workbook(der, PROFILE, [(f.id, f.substation) for f in ny], n_projects, source_rng(seed, f"{UTILITY}/der"))
    return {f"{UTILITY}/network": [network], f"{UTILITY}/der": [der]}


def _feeders(
    rng: random.Random, n: int, substations: tuple[str, ...], numbers: tuple[int, int], company: str, zone: str
) -> list[arcgis.Feeder]:
    """Circuits named ``<substation number>-<feeder>-<kV>`` (``45-2-13``); disjoint substation ``numbers``
    keep the two companies' IDs apart."""
    voltages, weights = list(_VOLTAGES), list(_VOLTAGES.values())

    def new_substation() -> tuple[str, int, int]:
        return rng.choice(substations), rng.randint(*numbers), rng.choices(voltages, weights)[0]

    grouped = grouped_ids(rng, n, new_substation, lambda group, k: f"{group[1]}-{k + 1}-{group[2]}")
    return [
        arcgis.new_feeder(rng, feeder_id, name, company, kv, zone, max_hc, STUDY_CAP_MW)
        for ((name, _, kv), feeder_id), max_hc in zip(grouped, feeder_max_hcs(rng, n, _ZERO_HC_SHARE))
    ]

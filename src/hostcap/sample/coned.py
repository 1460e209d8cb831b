"""Con Edison: ArcGIS segment layer (source-formats §3.3) and SIR inventory workbook (sheet ``New Template``)."""

from __future__ import annotations

import random
import string
from pathlib import Path

from hostcap.sample import arcgis, sir
from hostcap.sample._hc import feeder_max_hcs
from hostcap.sample._helpers import MIN_DER_ROWS, MIN_FEEDERS, grouped_ids, scaled, source_file, source_rng, split_count

UTILITY = "coned"
FULL_FEEDERS = 700
FULL_SEGMENTS = 83_000
FULL_PROJECTS = 30_000
LAYER = arcgis.Layer(feeder_column="FEEDER_ID", with_substation=True, cap_mw=None)

# Substations feeding overhead feeders (Staten Island, outer boroughs, Westchester) and their NYISO zone.
_SUBSTATIONS = {
    "Fresh Kills": "J", "Wainwright": "J", "Woodrow": "J", "Willowbrook": "J", "Fox Hills": "J",
    "Jamaica": "J", "Flushing": "J", "Parkchester": "J", "Dunwoodie": "I", "Sprain Brook": "I",
    "Grasslands": "I", "Elmsford": "I", "Harrison": "I", "Ardsley": "I", "Millwood": "H",
    "Buchanan": "H", "Ossining": "H", "Pleasantville": "H", "Mohansic": "H",
}  # fmt: skip
_VOLTAGES = {13: 50, 27: 25, 33: 15, 4: 10}
_ZERO_HC_SHARE = 0.08

PROFILE = sir.Profile(
    company="Con Edison",
    sheet="New Template",
    footnotes={
        "Circuit ID": "Circuit ID as shown on the hosting capacity map.",
        "Project Complete (Y/N/W)": "Y = in service, N = in the interconnection queue, W = withdrawn.",
    },
    places=(
        sir.Place("Staten Island", "Richmond", 10301, 10314, "J"),
        sir.Place("Brooklyn", "Kings", 11201, 11239, "J"),
        sir.Place("Queens", "Queens", 11354, 11436, "J"),
        sir.Place("Bronx", "Bronx", 10451, 10475, "J"),
        sir.Place("New York", "New York", 10001, 10040, "J"),
        sir.Place("Yonkers", "Westchester", 10701, 10710, "I"),
        sir.Place("White Plains", "Westchester", 10601, 10607, "I"),
        sir.Place("New Rochelle", "Westchester", 10801, 10805, "I"),
        sir.Place("Ossining", "Westchester", 10562, 10562, "H"),
        sir.Place("Peekskill", "Westchester", 10566, 10566, "H"),
    ),
    project_id=lambda rng, serial: f"MC-{rng.randint(2012, 2026)}-{serial:06d}",
)


def write(out_dir: Path, scale: float, seed: int) -> dict[str, list[Path]]:
    """Write the network layer and the SIR workbook at ``scale``; return them by source id."""
    rng = source_rng(seed, f"{UTILITY}/network")
    feeders = _feeders(rng, scaled(FULL_FEEDERS, scale, MIN_FEEDERS))
    network = source_file(out_dir, UTILITY, "network")
    counts = split_count(rng, scaled(FULL_SEGMENTS, scale, 2 * len(feeders)), len(feeders))
    arcgis.write_layer(network, LAYER, feeders, rng, counts, source_rng(seed, f"{UTILITY}/network/lines"))

    der = source_file(out_dir, UTILITY, "der", "sir_inventory", "xlsx")
    n_projects = scaled(FULL_PROJECTS, scale, MIN_DER_ROWS)
    sir.write_workbook(der, PROFILE, [(f.id, f.substation) for f in feeders], n_projects, source_rng(seed, f"{UTILITY}/der"))
    return {f"{UTILITY}/network": [network], f"{UTILITY}/der": [der]}


def _feeders(rng: random.Random, n: int) -> list[arcgis.Feeder]:
    """Feeders named like ``3W75``: a substation's feeders share the digit-letter prefix."""
    voltages, weights = list(_VOLTAGES), list(_VOLTAGES.values())

    def new_substation() -> tuple[str, str, int]:
        prefix = f"{rng.randint(1, 9)}{rng.choice(string.ascii_uppercase)}"
        return rng.choice(list(_SUBSTATIONS)), prefix, rng.randint(1, 90)

    grouped = grouped_ids(rng, n, new_substation, lambda group, k: f"{group[1]}{group[2] + k:02d}")
    return [
        arcgis.new_feeder(rng, feeder_id, name, "CECONY", rng.choices(voltages, weights)[0], _SUBSTATIONS[name], max_hc, None)
        for ((name, _, _), feeder_id), max_hc in zip(grouped, feeder_max_hcs(rng, n, _ZERO_HC_SHARE))
    ]

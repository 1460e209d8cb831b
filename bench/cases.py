"""The data sets the floor comparison runs on: the two-utility real-file case, and the statewide sample.

The two-utility case is the prototype's own work: National Grid's three real files and the two real
NYSEG/RG&E DER files (read in place, linked, never copied: they are not the project's to ship), plus
a NYSEG/RG&E network synthesized for exactly the circuits those DER files name (the real network file
was never published), with a config folder holding only those two utilities. It is built once into
`bench/scratch/two-utility/` as `<source>/<utility>/<dataset>/<file>`, the layout a refresh reads.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from bench import refresh
from hostcap.sample import write_nyseg_network_for_circuits
from hostcap.sample.circuits import circuit_ids_from_der_files
from tests.real_files import REAL, REAL_FILES

REPO = refresh.HERE.parent
CONFIGS = REPO / "sources"
UTILITIES = ("national_grid", "nyseg_rge")
SYNTHESIZED_NETWORK = "nyseg_rge/network/nyseg_rge_network.csv"
TWO_UTILITY = refresh.SCRATCH / "two-utility"


@dataclass(frozen=True)
class Case:
    """What a refresh of the case reads: its source folder and its config folder.

    The floor reads the case's CSV files only; any other file (the statewide sample's XLSX
    workbooks, which DuckDB reads only with an extension) is the refresh's work alone, so there the
    ratio to the floor errs against hostcap, never for it."""

    name: str
    source_dir: Path
    config_dir: Path

    def files(self) -> list[Path]:
        """The CSV files, the floor's input."""
        return sorted(self.source_dir.rglob("*.csv"))

    def _others(self) -> list[Path]:
        return sorted(f for f in self.source_dir.rglob("*") if f.is_file() and f.suffix != ".csv" and not f.name.startswith("."))

    def describe(self) -> dict:
        return {
            "source_dir": str(self.source_dir.relative_to(REPO)),
            "config_dir": str(self.config_dir.relative_to(REPO)),
            "files": [{"path": str(f.relative_to(self.source_dir)), "bytes": f.stat().st_size} for f in self.files()],
            "not_read_by_floor": [str(f.relative_to(self.source_dir)) for f in self._others()],
        }


def two_utility() -> Case:
    """The two-utility real-file case (built once; the network generator is deterministic)."""
    case = Case("two_utility", TWO_UTILITY / "source", TWO_UTILITY / "config")
    if (TWO_UTILITY / ".complete").exists():
        return case
    if not REAL.is_dir():
        raise SystemExit(f"the real utility files are not beside the repository ({REAL} is absent)")
    shutil.rmtree(TWO_UTILITY, ignore_errors=True)
    print("building the two-utility real-file case", flush=True)
    for source_id, name in REAL_FILES.items():
        (case.source_dir / source_id).mkdir(parents=True)
        # copied with their times (a refresh refuses symlinks, and old files need no settling)
        shutil.copy2(REAL / name, case.source_dir / source_id / name)
    der_files = [REAL / name for source_id, name in REAL_FILES.items() if source_id.startswith("nyseg_rge/")]
    network = case.source_dir / SYNTHESIZED_NETWORK
    network.parent.mkdir(parents=True)
    write_nyseg_network_for_circuits(circuit_ids_from_der_files(der_files), network)
    refresh.backdate(network)  # the first measured run is then like the others
    for folder in ("_templates", *UTILITIES):
        shutil.copytree(CONFIGS / folder, case.config_dir / folder)
    (TWO_UTILITY / ".complete").touch()
    return case


def statewide(scale: float = 1.0) -> Case:
    """The `bench data` sample at `scale` (generated if missing), with the repository's configs."""
    return Case(f"scale_{scale:g}", refresh.ensure_sample(scale), CONFIGS)

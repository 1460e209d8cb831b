"""Which real utility file (in `../shared/real`, beside the repository) feeds which source: the
files' own README names them. Shared by the tests and the benchmarks."""

from pathlib import Path

REAL = Path(__file__).resolve().parents[2] / "shared" / "real"
REAL_FILES = {
    "nyseg_rge/installed_der": "utility1_install_der.csv",
    "nyseg_rge/planned_der": "utility1_planned_der.csv",
    "national_grid/network": "utility2_circuits.csv",
    "national_grid/installed_der": "utility2_install_der.csv",
    "national_grid/planned_der": "utility2_planned_der.csv",
}

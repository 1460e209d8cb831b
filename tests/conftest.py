"""Shared fixtures: run the real pipeline on small files, the bundled sample, or the real files."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pytest

from hostcap.config import Settings
from hostcap.core import Hostcap
from hostcap.lake import Lake
from hostcap.report import RefreshReport

REPO = Path(__file__).resolve().parents[1]
CONFIGS = REPO / "sources"
SAMPLE = REPO / "data" / "sample"
REAL = REPO.parent / "shared" / "real"

#: which real file feeds which source (the files' own README names them)
REAL_FILES = {
    "nyseg_rge/installed_der": "utility1_install_der.csv",
    "nyseg_rge/planned_der": "utility1_planned_der.csv",
    "national_grid/network": "utility2_circuits.csv",
    "national_grid/installed_der": "utility2_install_der.csv",
    "national_grid/planned_der": "utility2_planned_der.csv",
}


@dataclass
class Run:
    """A finished refresh: its report and the lake it published to."""

    report: RefreshReport
    lake: Lake
    hostcap: Hostcap

    def gold(self, table: str) -> pa.Table:
        return self.lake.read_table(table)

    def rows(self, table: str) -> list[dict]:
        return self.gold(table).to_pylist()

    def source(self, source_id: str):
        return next(s for s in self.report.sources if s.source == source_id)


def copy_configs(target: Path, source_ids: list[str]) -> Path:
    """A config directory holding only the given sources (plus the shared templates)."""
    shutil.copytree(CONFIGS / "_templates", target / "_templates")
    for source_id in source_ids:
        (target / source_id).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(CONFIGS / f"{source_id}.yaml", target / f"{source_id}.yaml")
    return target


def make_hostcap(root: Path, source_dir: Path, source_ids: list[str]) -> Hostcap:
    configs = copy_configs(root / "configs", source_ids)
    return Hostcap(Settings(source_dir=str(source_dir), lake_dir=str(root / "lake"), config_dir=configs))


def write_files(source_dir: Path, files: dict[str, str | bytes]) -> list[str]:
    """Write `<utility>/<dataset>/<name>` files; return the source ids they belong to."""
    for rel, content in files.items():
        path = source_dir / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    return sorted({"/".join(rel.split("/")[:2]) for rel in files})


@pytest.fixture
def run_files(tmp_path: Path) -> Callable[..., Run]:
    """Run a refresh on the given small files with the repository's own configs for their sources."""

    def run(files: dict[str, str | bytes]) -> Run:
        source_dir = tmp_path / "src"
        hostcap = make_hostcap(tmp_path, source_dir, write_files(source_dir, files))
        return Run(hostcap.refresh(), hostcap.lake, hostcap)

    return run


@pytest.fixture(scope="session")
def real_dir() -> Path:
    if not REAL.is_dir():
        pytest.skip(f"the real utility files are not beside the repository ({REAL} is absent)")
    return REAL


@pytest.fixture(scope="session")
def real_run(real_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Run:
    """One refresh of the five real files (read in place, never copied into the repository)."""
    root = tmp_path_factory.mktemp("real")
    for source_id, name in REAL_FILES.items():
        (root / "src" / source_id).mkdir(parents=True)
        (root / "src" / source_id / name).symlink_to(real_dir / name)
    hostcap = make_hostcap(root, root / "src", list(REAL_FILES))
    return Run(hostcap.refresh(), hostcap.lake, hostcap)


@pytest.fixture(scope="session")
def sample_run(tmp_path_factory: pytest.TempPathFactory) -> Run:
    """One refresh of the bundled sample with every configured source."""
    root = tmp_path_factory.mktemp("sample")
    hostcap = Hostcap(Settings(source_dir=str(SAMPLE), lake_dir=str(root / "lake"), config_dir=CONFIGS))
    return Run(hostcap.refresh(), hostcap.lake, hostcap)

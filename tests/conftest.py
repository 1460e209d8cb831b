"""Shared fixtures: run the real pipeline on small files, the bundled sample, or the real files,
on every engine: the `engine` fixture runs each behavioural test on DuckDB and (marked `spark`)
on Spark, which shares one SparkSession for the whole test session."""

from __future__ import annotations

import atexit
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pyarrow as pa
import pytest

from hostcap.config import Settings
from hostcap.core import Hostcap
from hostcap.lake import Lake
from hostcap.report import RefreshReport
from tests.real_files import REAL, REAL_FILES  # noqa: F401  (re-exported for the tests)

#: tests write their source files an instant before refreshing them; waiting for each to settle
#: would only slow them down (tests/test_refresh_integrity.py sets it where it is the subject)
os.environ.setdefault("HOSTCAP_SETTLE_S", "0")
#: compiled plans go to a cache of the test session's own, never the user's (shared by its tests:
#: an entry's key is everything it is compiled from, so sharing it is safe)
if "HOSTCAP_PLAN_CACHE_DIR" not in os.environ:
    os.environ["HOSTCAP_PLAN_CACHE_DIR"] = tempfile.mkdtemp(prefix="hostcap-plans-")
    atexit.register(shutil.rmtree, os.environ["HOSTCAP_PLAN_CACHE_DIR"], True)

REPO = Path(__file__).resolve().parents[1]
CONFIGS = REPO / "sources"
SAMPLE = REPO / "data" / "sample"
#: the sources a test refresh of a copied sample lake loads: small, and fewer than the sample's
REFRESH_SOURCES = ("national_grid/network", "national_grid/installed_der")


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


def make_hostcap(root: Path, source_dir: Path, source_ids: list[str], engine: str = "duckdb") -> Hostcap:
    configs = copy_configs(root / "configs", source_ids)
    return Hostcap(Settings(source_dir=str(source_dir), lake_dir=str(root / "lake"), config_dir=configs, engine=engine))


def write_files(source_dir: Path, files: dict[str, str | bytes]) -> list[str]:
    """Write `<utility>/<dataset>/<name>` files; return the source ids they belong to."""
    for rel, content in files.items():
        path = source_dir / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    return sorted({"/".join(rel.split("/")[:2]) for rel in files})


@pytest.fixture
def sample_copy(tmp_path: Path) -> Path:
    """A copy of the bundled sample, free to change."""
    shutil.copytree(SAMPLE, tmp_path / "src")
    return tmp_path / "src"


@pytest.fixture(scope="session")
def spark_session():
    """One local SparkSession for the whole test session: every Spark engine reuses the active
    session, so each refresh pays for queries, not for starting a JVM."""
    pytest.importorskip("pyspark", reason="the Spark tests need the spark extra: pip install -e '.[dev,spark]'")
    from hostcap.engine.spark import start_session

    session = start_session()
    yield session
    session.stop()


@pytest.fixture(scope="session", params=["duckdb", pytest.param("spark", marks=pytest.mark.spark)])
def engine(request: pytest.FixtureRequest) -> str:
    """The engine a behavioural test runs on; every such test runs once per engine."""
    if request.param == "spark":
        request.getfixturevalue("spark_session")
    return request.param


@pytest.fixture
def run_files(tmp_path: Path, engine: str) -> Callable[..., Run]:
    """Run a refresh on the given small files with the repository's own configs for their sources."""

    def run(files: dict[str, str | bytes]) -> Run:
        source_dir = tmp_path / "src"
        hostcap = make_hostcap(tmp_path, source_dir, write_files(source_dir, files), engine)
        return Run(hostcap.refresh(), hostcap.lake, hostcap)

    return run


@pytest.fixture(scope="session")
def real_dir() -> Path:
    if not REAL.is_dir():
        pytest.skip(f"the real utility files are not beside the repository ({REAL} is absent)")
    return REAL


@pytest.fixture(scope="session")
def refreshed(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str, str], Run]:
    """`refreshed(dataset, engine)`: one refresh of `"sample"` (the bundled sample, every configured
    source) or `"real"` (the five real files, read in place) per engine, made once per test session
    so the behavioural tests and the engine parity tests share it."""
    runs: dict[tuple[str, str], Run] = {}

    def refresh(dataset: str, engine: str) -> Run:
        if (dataset, engine) not in runs:
            root = tmp_path_factory.mktemp(f"{dataset}-{engine}")
            if dataset == "sample":
                hostcap = Hostcap(
                    Settings(source_dir=str(SAMPLE), lake_dir=str(root / "lake"), config_dir=CONFIGS, engine=engine)
                )
            else:
                for source_id, name in REAL_FILES.items():
                    (root / "src" / source_id).mkdir(parents=True)
                    shutil.copy(REAL / name, root / "src" / source_id / name)  # a link out of the root is refused
                hostcap = make_hostcap(root, root / "src", list(REAL_FILES), engine)
            runs[dataset, engine] = Run(hostcap.refresh(), hostcap.lake, hostcap)
        return runs[dataset, engine]

    return refresh


@pytest.fixture(scope="session")
def real_run(real_dir: Path, refreshed: Callable[[str, str], Run], engine: str) -> Run:
    """One refresh of the five real files on the test's engine."""
    return refreshed("real", engine)


@pytest.fixture(scope="session")
def sample_run(refreshed: Callable[[str, str], Run], engine: str) -> Run:
    """One refresh of the bundled sample with every configured source, on the test's engine."""
    return refreshed("sample", engine)


def _two_source_copy(sample_lake: Path, root: Path) -> Hostcap:
    """A Hostcap over a copy of `sample_lake` under `root` whose refresh loads only
    REFRESH_SOURCES: a refresh takes seconds and visibly changes what is published."""
    lake = root / "lake"
    shutil.copytree(sample_lake, lake)
    return Hostcap(
        Settings(source_dir=str(SAMPLE), lake_dir=str(lake), config_dir=copy_configs(root / "configs", list(REFRESH_SOURCES)))
    )


@pytest.fixture(scope="session")
def two_source_copy() -> Callable[[Path, Path], Hostcap]:
    """`two_source_copy(sample_lake, root)`: a copy of the lake whose refresh loads only REFRESH_SOURCES."""
    return _two_source_copy


def _wait_until(condition: Callable[[], bool], what: str, timeout_s: float = 60) -> None:
    """Poll `condition()` until true (`what` names it in the failure)."""
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout_s} s waiting for {what}")
        time.sleep(0.05)


@pytest.fixture(scope="session")
def wait_for() -> Callable[..., None]:
    """Poll `condition()` until true (`what` names it in the failure): a bounded wait, never a fixed sleep."""
    return _wait_until


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Server:
    """A `hostcap serve` process; `output` and `returncode` are set once it has stopped."""

    process: subprocess.Popen
    url: str
    output: str = ""
    returncode: int | None = None


@contextmanager
def _serving(settings: Settings, host: str = "127.0.0.1", env: dict[str, str] | None = None) -> Iterator[Server]:
    """Run `hostcap serve` over `settings`' lake on a free port (outside this environment's
    HOSTCAP_* settings; `env` adds variables), wait until it answers, and stop it with Ctrl-C at the end."""
    port = free_port()
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("HOSTCAP_")}, **(env or {})}
    command = [
        sys.executable,
        "-c",
        "from hostcap.cli import app; app()",
        "serve",
        "--source",
        settings.source_dir,
        "--lake",
        settings.lake_dir,
        "--config",
        str(settings.config_dir),
        "--host",
        host,
        "--port",
        str(port),
    ]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    server = Server(process, f"http://127.0.0.1:{port}")

    def answers() -> bool:
        assert process.poll() is None, "the server exited"
        try:
            return httpx.get(f"{server.url}/healthz", timeout=5).status_code == 200
        except httpx.TransportError:
            return False

    try:
        _wait_until(answers, "the server to answer")
        yield server
    finally:
        process.send_signal(signal.SIGINT)
        server.output = process.communicate(timeout=30)[0]
        server.returncode = process.returncode


@pytest.fixture(scope="session")
def serve() -> Callable[..., AbstractContextManager[Server]]:
    """`with serve(settings[, host][, env]) as server:` a real `hostcap serve` process (see `_serving`)."""
    return _serving

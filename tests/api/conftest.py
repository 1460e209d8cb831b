"""API fixtures: one app over the session's sample lake, and apps over private lakes that refresh.

The session's `sample_run` (tests/conftest.py) is the one refresh of the bundled sample; tests
that refresh work on a copy of its lake with a two-source config, so a refresh takes seconds
and visibly changes what is served.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pyarrow as pa
import pytest

from hostcap.api import create_app
from hostcap.api.settings import ApiSettings
from hostcap.core import Hostcap

API_KEY = "test-key-0123456789"


def pytest_configure(config: pytest.Config) -> None:
    # raised by starlette's TestClient itself about its httpx dependency, not by hostcap
    config.addinivalue_line("filterwarnings", "ignore:Using `httpx` with `starlette.testclient`")


def _settings(**overrides) -> ApiSettings:
    return ApiSettings(**{"api_key": None, "api_reload_interval_s": 0, **overrides})


@pytest.fixture(scope="session")
def api_settings() -> Callable[..., ApiSettings]:
    """API settings independent of the environment the tests run in (no key, no lake polling)."""
    return _settings


def _test_client(hostcap: Hostcap, settings: ApiSettings, **options):
    from fastapi.testclient import (
        TestClient,  # imported once warning filters are configured
    )

    return TestClient(create_app(hostcap, settings, **options))


@pytest.fixture(scope="session")
def make_client() -> Callable:
    """`make_client(hostcap, settings, **create_app options)`: a TestClient of a new app (use it
    as a context manager: that runs the app's startup, which loads the snapshot)."""
    return _test_client


@pytest.fixture(scope="session")
def client(sample_run) -> Iterator:
    """A client of the app over the session's sample lake (no API key; nothing here refreshes)."""
    with _test_client(sample_run.hostcap, _settings()) as test_client:
        yield test_client


@pytest.fixture(scope="session")
def gold(sample_run) -> Callable[[str], list[dict]]:
    """The served snapshot's gold rows as the API serves them: read from the lake's parquet, and
    feeders with their ages and scenarios (hostcap.feeder_view), as exports have them."""
    cache: dict[str, list[dict]] = {}

    def rows(table: str) -> list[dict]:
        if table not in cache:
            cache[table] = sample_run.hostcap.gold_table(table).to_pylist()
        return cache[table]

    return rows


@pytest.fixture(scope="session")
def gold_table(sample_run) -> Callable[[str], pa.Table]:
    return sample_run.hostcap.gold_table


@pytest.fixture
def refreshable(sample_run, tmp_path: Path, two_source_copy) -> Hostcap:
    """A Hostcap over a copy of the sample lake whose refresh loads only REFRESH_SOURCES."""
    return two_source_copy(Path(sample_run.lake.root), tmp_path)

"""Fixtures of the fetch tests: the emulator, and a hostcap whose live configs point at it."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from hostcap.acquire.settings import FetchSettings
from hostcap.config import Settings
from hostcap.core import Hostcap
from tests.acquire.emulator import Emulator

REPO = Path(__file__).resolve().parents[2]

#: retry sleeps and timeouts small enough for tests, the same logic as in production
FAST = FetchSettings(
    connect_timeout_s=1.0,
    timeout_s=0.5,
    retries=4,
    backoff_s=0.01,
    backoff_max_s=0.05,
    retry_budget_s=10.0,
    per_host=4,
    rate_per_s=1000.0,
)


@pytest.fixture
def emulator() -> Iterator[Emulator]:
    with Emulator() as emu:
        yield emu


def live_hostcap(tmp_path: Path, base_url: str, sources: list[str], **fetch: object) -> Hostcap:
    """A hostcap over copies of the live configs of `sources`, each upstream moved to `base_url`
    (`https://host/x/y` becomes `<base_url>/x/y`), with its own source root and lake."""
    configs = tmp_path / "configs"
    shutil.copytree(REPO / "sources", configs / "sources")
    live = configs / "sources-live"
    for source_id in sources:
        target = live / f"{source_id}.yaml"
        target.parent.mkdir(parents=True, exist_ok=True)
        text = (REPO / "sources-live" / f"{source_id}.yaml").read_text()
        target.write_text(re.sub(r"https://[^/\s]+", base_url, text))
    settings = Settings(source_dir=str(tmp_path / "src"), lake_dir=str(tmp_path / "lake"), config_dir=live)
    return Hostcap(settings, FAST.model_copy(update=fetch))


def layer_path(hostcap: Hostcap, source_id: str) -> str:
    """The path of a source's layer on the emulator."""
    config = next(c for c in hostcap.configs() if c.source_id == source_id)
    return config.upstream.url.split("/", 3)[3]

"""The explorer's settings: a web tile layer only when the operator names a tile server, and a
tile URL that is no usable template stops `hostcap serve` at start, saying what is wrong."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import free_port

TEMPLATE = "https://tiles.example.org/{z}/{x}/{y}.png"


def test_the_explorer_config_names_tiles_only_when_set(sample_run, make_client, api_settings):
    with make_client(sample_run.hostcap, api_settings()) as client:
        answer = client.get("/explorer/config.json")
        assert answer.status_code == 200 and answer.json() == {"tiles": None}
        assert answer.headers["cache-control"] == "no-cache"
    settings = api_settings(map_tile_url=f" {TEMPLATE} ", map_tile_attribution="© Example <tiles>")
    with make_client(sample_run.hostcap, settings) as client:
        assert client.get("/explorer/config.json").json() == {"tiles": {"url": TEMPLATE, "attribution": "© Example <tiles>"}}
        # the assets beside it are still the package's files
        assert client.get("/explorer/js/map.js").status_code == 200


def test_the_tile_settings_come_from_the_environment_and_blank_means_none(monkeypatch):
    from hostcap.api.settings import ApiSettings

    monkeypatch.setenv("HOSTCAP_MAP_TILE_URL", "http://127.0.0.1:8080/{s}/{z}/{x}/{y}{r}.png")
    monkeypatch.setenv("HOSTCAP_MAP_TILE_ATTRIBUTION", "Tiles: ours")
    settings = ApiSettings()
    assert (settings.map_tile_url, settings.map_tile_attribution) == (
        "http://127.0.0.1:8080/{s}/{z}/{x}/{y}{r}.png",
        "Tiles: ours",
    )
    monkeypatch.setenv("HOSTCAP_MAP_TILE_URL", "  ")
    monkeypatch.setenv("HOSTCAP_MAP_TILE_ATTRIBUTION", "")
    assert (ApiSettings().map_tile_url, ApiSettings().map_tile_attribution) == (None, None)


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("ftp://tiles.example.org/{z}/{x}/{y}.png", "must be an http(s) URL"),
        ("javascript:alert(1)//{z}/{x}/{y}", "must be an http(s) URL"),
        ("tiles/{z}/{x}/{y}.png", "must be an http(s) URL"),
        ("https://tiles.example.org/{z}/{x}.png", "must contain {y}"),
        ("https://tiles.example.org/tile.png", "must contain {z}, {x}, {y}"),
        ("https://tiles.example.org/{z}/{x}/{y}.png?key={apikey}", "placeholders a tile layer cannot fill: {apikey}"),
    ],
)
def test_a_tile_url_that_is_no_template_stops_serve_with_a_clear_error(tmp_path: Path, url: str, says: str):
    # a real process, bounded: were the setting accepted, it would serve instead of stopping
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("HOSTCAP_")}, "HOSTCAP_MAP_TILE_URL": url}
    command = [sys.executable, "-c", "from hostcap.cli import app; app()", "serve", "--lake", str(tmp_path / "lake")]
    done = subprocess.run([*command, "--port", str(free_port())], capture_output=True, text=True, env=env, timeout=60)
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: invalid setting: map_tile_url:") and says in lines[0], lines

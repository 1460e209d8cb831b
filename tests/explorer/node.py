"""Running the explorer's own ES modules in Node (no browser needed), for the tests of their pure functions."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

JS = Path(__file__).resolve().parents[2] / "src" / "hostcap" / "explorer" / "static" / "js"
NODE = shutil.which("node")

#: mark a test module that needs Node: skipped, saying so, where it is not installed
needs_node = pytest.mark.skipif(NODE is None, reason="no Node.js to run the explorer's modules")


def module(name: str) -> str:
    """The import specifier of the explorer's module `name` (e.g. "api.js")."""
    return json.dumps((JS / name).as_uri())


def run(script: str) -> object:
    """Run the ES module `script`, which prints one JSON value, and return that value (numbers
    formatted as in the browser tests' en-US)."""
    done = subprocess.run(
        [NODE, "--experimental-detect-module", "--input-type=module", "-e", script],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
        env={**os.environ, "LC_ALL": "en_US.UTF-8"},
    )
    return json.loads(done.stdout)

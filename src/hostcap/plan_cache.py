"""Compiled query plans kept on disk, so the work of turning a config into SQL is paid once.

What a refresh compiles from a source's config and its bronze header set (the Ibis expressions
of each silver stage, turned into SQL text) costs far more than running that SQL on a source of
ordinary size, and it comes out the same every time its inputs are the same. A plan is stored
under a key that is the sha256 of everything it is made from: the caller's identity (config,
header names and types, engine) and the code that compiles it (every module of this package,
byte for byte, and the versions of the compiler and engine libraries). Any change to any of them
is a new key, so a stale plan cannot be served; an entry is never updated in place, only
written whole under its key.

The cache is a directory on this machine, not part of a lake: a plan depends on no lake's data,
so one cache serves every lake (a new or rebuilt one included) and an S3 lake pays no round trip
for it. Losing it costs one compile per source; an unreadable entry is compiled again and
rewritten; a cache that cannot be written leaves the refresh to compile without it.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import logging
import os
from collections.abc import Callable
from importlib import metadata
from pathlib import Path
from typing import TypeVar

import hostcap

log = logging.getLogger(__name__)
T = TypeVar("T")

#: entries kept; beyond this the least recently used are deleted (each is a few tens of KB)
MAX_ENTRIES = 512
#: libraries whose version changes the SQL compiled or how it runs
_LIBRARIES = ("ibis-framework", "sqlglot", "duckdb")


@functools.cache
def code_version() -> str:
    """sha256 of this package's code and of the versions of the libraries plans are compiled with:
    a plan's key, and a source's refresh fingerprint (hostcap.refresh), so a change to either never
    meets a plan, silver or gold made by other code."""
    digest = hashlib.sha256(hostcap.__version__.encode())
    root = Path(hostcap.__file__).parent
    for path in sorted(root.rglob("*.py")):
        digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes() + b"\0")
    for name in _LIBRARIES:
        try:
            version = metadata.version(name)
        except metadata.PackageNotFoundError:
            version = "absent"
        digest.update(f"{name}=={version}\0".encode())
    return digest.hexdigest()


def plan_key(identity: dict) -> str:
    """The key of a plan compiled from `identity` (JSON-able) by this code."""
    payload = json.dumps({"code": code_version(), "identity": identity}, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(payload.encode()).hexdigest()


class PlanCache:
    """A directory of plans (JSON objects), one file per key; `None` keeps nothing."""

    def __init__(self, directory: Path | str | None):
        self.directory = Path(directory) if directory else None

    def get(self, identity: dict, build: Callable[[], dict], parse: Callable[[dict], T]) -> T:
        """`parse` of the plan stored for `identity`, or of `build()`'s, stored for the next time.
        An entry `parse` rejects (KeyError, TypeError, ValueError) is built again."""
        if self.directory is None:
            return parse(build())
        path = self.directory / f"{plan_key(identity)}.json"
        cached = self._load(path)
        if cached is not None:
            try:
                return parse(cached)
            except (KeyError, TypeError, ValueError) as exc:
                log.warning("plan cache entry unreadable, compiling again: %s: %r", path, exc)
        plan = build()
        self._store(path, plan)
        return parse(plan)

    @staticmethod
    def _load(path: Path) -> dict | None:
        try:
            plan = json.loads(path.read_bytes())
        except (OSError, ValueError):
            return None
        with contextlib.suppress(OSError):  # a read-only cache is still a cache
            os.utime(path)  # recently used: kept when the cache is trimmed
        return plan if isinstance(plan, dict) else None

    def _store(self, path: Path, plan: dict) -> None:
        """Written whole under a temporary name, then renamed into place: a reader (another
        process, another source's thread) sees no entry or a complete one."""
        tmp = path.with_name(f".{path.name}.{os.getpid()}.{id(plan)}.tmp")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp.write_text(json.dumps(plan))
            os.replace(tmp, path)
        except OSError as exc:
            log.warning("plan cache not written: %s: %s", path.parent, exc)
            tmp.unlink(missing_ok=True)
            return
        self._trim()

    def _trim(self) -> None:
        """Delete the least recently used entries beyond MAX_ENTRIES."""
        try:
            entries = [(p.stat().st_mtime, p) for p in self.directory.glob("*.json")]
        except OSError:
            return
        if len(entries) <= MAX_ENTRIES:
            return
        for _, stale in sorted(entries)[: len(entries) - MAX_ENTRIES]:
            stale.unlink(missing_ok=True)

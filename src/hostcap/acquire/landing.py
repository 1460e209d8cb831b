"""Where a fetch lands a source's pull, and what it writes beside it.

The pull is one file in the source's location, under a stable name (so a newer pull replaces
the older one and bronze never reads both). Beside it, hidden (bronze only reads files matching
the source's pattern, and never hidden ones):

- `.<file>.pull.json`, the sidecar of the landed file: the URL, the query, when it was pulled,
  the upstream's last-edit date (or probe hash), the content's sha256, rows and requests;
- `.<file>.fetch.json`, the outcome of the last attempt: `fetched`, `unchanged` or `stale`
  (with the URL, page and error), so `hostcap sources` and a refresh can say how current it is.

The data is written before its sidecar, each atomically: a crash between the two leaves a new
file with an old sidecar, which only makes the next fetch download again.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import posixpath

from hostcap.config.source import SourceConfig
from hostcap.errors import StorageError
from hostcap.io.storage import Storage


def now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def landed_name(config: SourceConfig) -> str:
    """The landed file's name: the upstream's `file`, else `<dataset>.<read type>`."""
    assert config.upstream is not None
    return config.upstream.file or f"{config.dataset}.{config.read.type}"


class Landing:
    """The landing place of one source with an upstream."""

    def __init__(self, storage: Storage, config: SourceConfig):
        self.storage, self.config = storage, config
        self.file = posixpath.join(config.location, landed_name(config))
        folder, name = posixpath.split(self.file)
        self.sidecar = posixpath.join(folder, f".{name}.pull.json")
        self.status = posixpath.join(folder, f".{name}.fetch.json")

    def _read(self, rel: str) -> dict | None:
        try:
            if not self.storage.exists(rel):
                return None
            value = json.loads(self.storage.read_bytes(rel))
        except (StorageError, ValueError):
            return None  # unreadable: as if absent, so the next fetch pulls anew
        return value if isinstance(value, dict) else None

    def last_pull(self) -> dict | None:
        """The sidecar of the landed file, if the file is still the one it describes."""
        sidecar = self._read(self.sidecar)
        if sidecar is None or not self.storage.exists(self.file):
            return None
        return sidecar

    def last_attempt(self) -> dict | None:
        return self._read(self.status)

    def land(self, data: bytes, sidecar: dict) -> dict:
        """Write the file, then its sidecar (with the content's sha256 and size added)."""
        sidecar = {**sidecar, "file": self.file, "sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)}
        self.storage.write_bytes_atomic(self.file, data)
        self._write(self.sidecar, sidecar)
        return sidecar

    def record(self, attempt: dict) -> None:
        self._write(self.status, attempt)

    def _write(self, rel: str, value: dict) -> None:
        self.storage.write_bytes_atomic(rel, json.dumps(value, indent=1, sort_keys=True).encode())

"""A published snapshot's stored release bundle, for the API and the CLI to hand out."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from hostcap.lake import Lake
from hostcap.release import folder


@dataclass(frozen=True)
class StoredBundle:
    """A bundle checked against its snapshot's seal: its name, sha256 and size, and its bytes as
    chunks read while they are sent (so a statewide bundle is never held in memory)."""

    lake: Lake
    snapshot: str
    sha256: str
    size: int

    @property
    def filename(self) -> str:
        return f"{folder(self.snapshot)}.zip"

    def chunks(self) -> Iterator[bytes]:
        return self.lake.bundle_chunks(self.snapshot)


def stored_bundle(lake: Lake, snapshot: str | None = None) -> StoredBundle:
    """The bundle of `snapshot` (default: the published one). LakeError when there is none (an
    unknown snapshot, or one published before bundles were made), LakeDamaged when it is damaged."""
    snapshot = snapshot or lake.require_current()
    checksum = lake.bundle(snapshot)
    return StoredBundle(lake, snapshot, checksum.sha256, checksum.size)

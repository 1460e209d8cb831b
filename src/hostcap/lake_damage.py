"""What to serve and what to build on when part of the lake is damaged: the checks `Lake` offers
on top of its seals (see `hostcap.seal`), kept apart from the lake's reading and writing.

A server passes over a damaged published snapshot (or a damaged or missing pointer) to the
newest intact one (`candidates`, `pointer_problem`); a refresh builds on the newest snapshot
whose manifest is intact, leaving out the sources whose silver is damaged (`baseline`), and
`hostcap snapshots` says which kept snapshots are damaged (`verify`).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from hostcap.concurrently import map_threads
from hostcap.errors import LakeDamaged
from hostcap.seal import GOLD_TABLES, SOURCE_LAYERS


@dataclass(frozen=True)
class Published:
    """A snapshot that can be served, and when it was published (None when found only on disk)."""

    snapshot: str
    published_at: str | None


@dataclass
class Baseline:
    """What a refresh builds on: the newest snapshot with an intact manifest (None for a new lake),
    that manifest without the sources whose silver is damaged, every damage found on the way
    there, and the snapshot a server serves meanwhile (the newest with intact gold)."""

    snapshot: str | None
    manifest: dict[str, dict] = field(default_factory=dict)
    damage: list[str] = field(default_factory=list)
    served: str | None = None


class DamageChecks:
    """Mixed into `Lake`: every method here reads through the lake's own checked reads."""

    def candidates(self) -> Iterator[Published]:
        """Snapshots that could be served, best first, found lazily: the published one, then the
        history newest first, then any other snapshot with a manifest (one that passed its checks;
        the last resort should HISTORY.json be lost too). A damaged pointer or history is passed
        over here; `pointer()`, `history()` and `pointer_problem()` report it."""
        seen: set[str] = set()
        try:
            pointer = self.pointer()
        except LakeDamaged:
            pointer = None
        if pointer is not None:
            seen.add(pointer["snapshot"])
            yield Published(pointer["snapshot"], pointer.get("published_at"))
        try:
            history = self.history()
        except LakeDamaged:
            history = []
        for item in reversed(history):
            if item["snapshot"] not in seen:
                seen.add(item["snapshot"])
                yield Published(item["snapshot"], item.get("published_at"))
        for name in reversed(self.storage.list_dirs("snapshots")):
            if name not in seen and self.storage.exists(self._manifest_path(name)):
                yield Published(name, None)

    def pointer_problem(self) -> str | None:
        """Why the pointer names no snapshot to serve although the lake holds some (it is damaged
        or missing); None when it is fine or the lake is new."""
        try:
            if self.pointer() is not None:
                return None
        except LakeDamaged as exc:
            return exc.message
        return "CURRENT.json is missing" if next(self.candidates(), None) is not None else None

    def verify(self, snapshot: str, layers: tuple[str, ...] = ("gold", *SOURCE_LAYERS)) -> tuple[dict[str, dict], dict[str, str]]:
        """Check the snapshot's manifest and its files of `layers` against its seal: (its manifest,
        what is damaged → why), keyed `manifest`, `gold/<table>` or a source id."""
        try:
            checksums = self.checksums(snapshot)
            manifest = self.read_manifest(snapshot)
            if not manifest:
                raise LakeDamaged(f"{self._manifest_path(snapshot)} is missing")
        except LakeDamaged as exc:
            return {}, {"manifest": exc.message}
        files = [(f"gold/{name}", self._table_path(snapshot, "gold", name)) for name in GOLD_TABLES if "gold" in layers]
        for source_id, entry in manifest.items():
            for layer in SOURCE_LAYERS:
                path = self._table_path(entry["snapshot"], layer, source_id)
                if layer in layers and (layer == "silver" or path in checksums):
                    files.append((source_id, path))

        def problem(path: str) -> str | None:
            try:
                self._read_checked(path, checksums.get(path))
            except LakeDamaged as exc:
                return exc.message
            return None

        # files read and hashed side by side (sha256 runs without Python's lock); the first
        # problem of each table or source is the one reported
        damaged: dict[str, str] = {}
        for (what, _), message in zip(files, map_threads(problem, [path for _, path in files]), strict=True):
            if message is not None and what not in damaged:
                damaged[what] = message
        return manifest, damaged

    def baseline(self) -> Baseline:
        """What a refresh builds on (see Baseline): the first candidate whose manifest is intact,
        checked with its gold and silver; and the first whose gold is intact too, which a server
        serves meanwhile. Any damage found makes the refresh publish anew, which rewrites the
        pointer and history and rebuilds the damaged gold and silver."""
        damage = [problem] if (problem := self.pointer_problem()) else []
        try:
            self.history()
        except LakeDamaged as exc:
            damage.append(exc.message)
        base = Baseline(None, {}, damage)
        for candidate in self.candidates():
            manifest, damaged = self.verify(candidate.snapshot, ("gold", "silver"))
            if base.snapshot is None:
                damage.extend(damaged.values())
                if "manifest" not in damaged:
                    base.snapshot = candidate.snapshot
                    base.manifest = {source_id: entry for source_id, entry in manifest.items() if source_id not in damaged}
            if not any(what == "manifest" or what.startswith("gold/") for what in damaged):
                base.served = candidate.snapshot
                break
        return base

"""Which feeder a caller means: a canonical feeder ID, or a utility's native feeder ID.

The prototype's clients pass either. Feeders named only by DER records (absent from the network
data) count too, so their DER can still be found.
"""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc


def normalize_native(feeder_id: str) -> str:
    """A native feeder ID as gold stores it: trimmed and upper-cased."""
    return feeder_id.strip().upper()


class FeederRefs:
    def __init__(self, *tables: pa.Table):
        self._utility: dict[str, str] = {}
        self._native: dict[str, dict[str, str]] = {}
        for table in tables:
            triples = table.select(["feeder_id", "utility", "native_feeder_id"]).filter(pc.is_valid(table.column("feeder_id")))
            for feeder_id, utility, native in zip(*(triples.column(i).to_pylist() for i in range(3)), strict=True):
                self._utility[feeder_id] = utility
                self._native.setdefault(native, {})[utility] = feeder_id

    def resolve(self, reference: str, utility: str | None = None) -> list[str]:
        """Canonical feeder IDs `reference` names (several when utilities share a native ID), sorted."""
        canonical = reference.strip().lower()
        if canonical in self._utility:
            return [canonical] if utility in (None, self._utility[canonical]) else []
        by_utility = self._native.get(normalize_native(reference), {})
        return sorted(fid for u, fid in by_utility.items() if utility in (None, u))

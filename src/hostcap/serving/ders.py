"""DER records in memory: grouped by feeder (the prototype's hottest call) and filterable."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from hostcap.serving.rows import Codes, Ids, Rows

_NONE = np.empty(0, dtype=np.int64)


@dataclass(frozen=True)
class DerFilter:
    """Filters of a DER list; an empty tuple means any value."""

    utility: str | None = None
    statuses: tuple[str, ...] = ()
    der_types: tuple[str, ...] = ()


#: the DER on a feeder, as the prototype's call lists them: installed and planned (withdrawn
#: projects are not on the feeder)
ON_FEEDER = DerFilter(statuses=("installed", "planned"))


class DerIndex:
    def __init__(self, table: pa.Table):
        feeder, self._status = Codes(table.column("feeder_id")), Codes(table.column("status"))
        off_feeder = ~self._status.mask(ON_FEEDER.statuses)
        # each feeder's JSON together, its ON_FEEDER DER first (in table order): one slice answers it
        layout = np.lexsort((np.arange(table.num_rows), off_feeder, feeder.codes))
        self.rows = Rows(table, preencode=True, layout=layout)
        self.ids = Ids(table.column("der_id"))
        self._utility = Codes(table.column("utility"))
        self._type = Codes(table.column("der_type"))
        self._by_feeder = feeder.groups()
        on_feeder = {fid: positions[~off_feeder[positions]] for fid, positions in self._by_feeder.items()}
        self._on_feeder = {fid: (int(on[0]), int(on[-1])) for fid, on in on_feeder.items() if len(on)}

    def _filtered(self, positions: np.ndarray | None, filters: DerFilter) -> np.ndarray:
        keep = None
        utility = (filters.utility,) if filters.utility is not None else ()
        for codes, wanted in ((self._utility, utility), (self._status, filters.statuses), (self._type, filters.der_types)):
            if wanted:
                passing = codes.mask(wanted, positions)
                keep = passing if keep is None else keep & passing
        if positions is None:
            return np.arange(len(self.rows), dtype=np.int64) if keep is None else np.flatnonzero(keep)
        return positions if keep is None else positions[keep]

    def select(self, filters: DerFilter) -> np.ndarray:
        """Positions of every DER record that passes `filters`, in gold order (utility, native DER ID)."""
        return self._filtered(None, filters)

    def of_feeders(self, feeder_ids: list[str], filters: DerFilter) -> np.ndarray:
        """Positions of the DER records on these feeders that pass `filters`."""
        groups = [self._by_feeder.get(feeder_id, _NONE) for feeder_id in feeder_ids]
        positions = groups[0] if len(groups) == 1 else np.sort(np.concatenate(groups or [_NONE]))
        return self._filtered(positions, filters)

    def on_feeders_json(self, feeder_ids: list[str]) -> bytes:
        """The JSON array of the ON_FEEDER DER on these feeders (`of_feeders`' rows): for one
        feeder, the prototype's hottest call, one slice of the pre-encoded rows."""
        if len(feeder_ids) != 1:
            return self.rows.json_array(self.of_feeders(feeder_ids, ON_FEEDER).tolist())
        run = self._on_feeder.get(feeder_ids[0])
        return self.rows.json_span(*run) if run else b"[]"

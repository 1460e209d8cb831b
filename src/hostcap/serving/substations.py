"""Substations in memory: by ID and by utility."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from hostcap.serving.rows import Codes, Ids, Rows


class SubstationIndex:
    def __init__(self, table: pa.Table):
        self.rows = Rows(table, preencode=True)
        self.ids = Ids(table.column("substation_id"))
        self._utility = Codes(table.column("utility"))

    def select(self, utility: str | None) -> np.ndarray:
        """Positions in gold order (utility, substation name), of one utility when given."""
        if utility is None:
            return np.arange(len(self.rows), dtype=np.int64)
        return np.flatnonzero(self._utility.mask((utility,)))

"""Feeder segments in memory, grouped by feeder.

The largest gold table (hundreds of thousands of rows statewide) and a cold one: it is kept in
compact Arrow and each page is encoded when asked for, rather than pre-encoded like feeders.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from hostcap.serving.rows import Codes, Rows

_NONE = np.empty(0, dtype=np.int64)


class SegmentIndex:
    def __init__(self, table: pa.Table):
        self._by_feeder = Codes(table.column("feeder_id")).groups()
        self.rows = Rows(table, preencode=False)

    def of_feeder(self, feeder_id: str) -> np.ndarray:
        """Positions of the feeder's segments, by native segment ID (empty for a feeder-grain source)."""
        return self._by_feeder.get(feeder_id, _NONE)

"""Substations in memory: by ID, by utility, sortable by their totals."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from hostcap.serving.rows import Codes, Ids, Rows, floats, sort_order

#: numeric columns the list sorts by (ascending, or descending with a leading "-")
SORT_COLUMNS = ("feeder_count", "max_hc_mw", "bank_capacity_mw", "installed_der_mw", "planned_der_mw", "bank_headroom_mw")
#: the gold order: by utility, then substation name
DEFAULT_SORT = "utility"


class SubstationIndex:
    def __init__(self, table: pa.Table):
        self.rows = Rows(table, preencode=True)
        self.ids = Ids(table.column("substation_id"))
        self._utility = Codes(table.column("utility"))
        self._orders = {DEFAULT_SORT: np.arange(len(table), dtype=np.int64)}
        for name in SORT_COLUMNS:
            values = floats(table.column(name))
            self._orders[name] = sort_order(values, descending=False)
            self._orders[f"-{name}"] = sort_order(values, descending=True)

    def select(self, utility: str | None, sort: str = DEFAULT_SORT) -> np.ndarray:
        """Positions in `sort` order (default: gold's, by utility and substation name), of one utility when given."""
        order = self._orders[sort]
        if utility is None:
            return order
        return order[self._utility.mask((utility,))[order]]

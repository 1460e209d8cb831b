"""Feeders in memory: by ID, by max hosting capacity, and filterable and sortable for the v1 list."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from hostcap.feeder_view import SCENARIOS
from hostcap.serving.rows import Codes, Ids, Rows, floats, sort_order

#: numeric columns the v1 list sorts by (ascending, or descending with a leading "-")
SORT_COLUMNS = (
    "max_hc_mw",
    "min_hc_mw",
    "headroom_after_queue_mw",
    "installed_der_mw",
    "planned_der_mw",
    "added_since_study_mw",
    "headroom_since_study_mw",
    "headroom_past_milestone_mw",
    "headroom_without_stale_mw",
    "hca_age_days",
)
#: the gold order: by utility, then native feeder ID
DEFAULT_SORT = "utility"


@dataclass(frozen=True)
class FeederFilter:
    """The v1 feeder list's filters (bounds are inclusive; a null value never passes a bound)."""

    utility: str | None = None
    substation: str | None = None
    min_max_hc_mw: float | None = None
    max_max_hc_mw: float | None = None
    min_headroom_mw: float | None = None
    sort: str = DEFAULT_SORT
    #: the queue scenario whose headroom `min_headroom_mw` bounds (hostcap.feeder_view.SCENARIOS)
    scenario: str = "all_queued"


class FeederIndex:
    def __init__(self, table: pa.Table):
        self._numbers = {name: floats(table.column(name)) for name in SORT_COLUMNS}
        self._orders = {DEFAULT_SORT: np.arange(len(table), dtype=np.int64)}
        for name, values in self._numbers.items():
            self._orders[name] = sort_order(values, descending=False)
            self._orders[f"-{name}"] = sort_order(values, descending=True)
        # the rows' JSON laid out highest max HC first: the prototype's list of the feeders above
        # a threshold, a prefix of that order, is one slice of it (`above_json`)
        self.rows = Rows(table, preencode=True, layout=self._orders["-max_hc_mw"])
        self.ids = Ids(table.column("feeder_id"))
        self._utility = Codes(table.column("utility"))
        self._substation_id = Codes(table.column("substation_id"))
        self._substation_name = Codes(pc.utf8_upper(pc.utf8_trim_whitespace(table.column("substation_name"))))
        max_hc = self._numbers["max_hc_mw"]
        self._max_hc_ascending = np.sort(max_hc[~np.isnan(max_hc)])
        self._by_max_hc_descending = self._orders["-max_hc_mw"][: len(self._max_hc_ascending)].tolist()

    def _count_above(self, threshold: float) -> int:
        """How many feeders have a max HC strictly greater than `threshold` (a binary search)."""
        return len(self._max_hc_ascending) - int(np.searchsorted(self._max_hc_ascending, threshold, side="right"))

    def above(self, threshold: float) -> list[int]:
        """Feeders whose max HC is strictly greater than `threshold`, highest first."""
        return self._by_max_hc_descending[: self._count_above(threshold)]

    def above_json(self, threshold: float) -> bytes:
        """`above(threshold)` as a JSON array: one slice of the rows' JSON."""
        count = self._count_above(threshold)
        return self.rows.json_span(self._by_max_hc_descending[0], self._by_max_hc_descending[count - 1]) if count else b"[]"

    def select(self, filters: FeederFilter) -> np.ndarray:
        """Positions of the feeders that pass `filters`, in their sort order."""
        keep = np.ones(len(self.rows), dtype=bool)
        if filters.utility is not None:
            keep &= self._utility.mask((filters.utility,))
        if filters.substation is not None:
            keep &= self._substation_id.mask((filters.substation.strip().lower(),)) | self._substation_name.mask(
                (filters.substation.strip().upper(),)
            )
        for column, bound, passes in (
            ("max_hc_mw", filters.min_max_hc_mw, np.greater_equal),
            ("max_hc_mw", filters.max_max_hc_mw, np.less_equal),
            (SCENARIOS[filters.scenario], filters.min_headroom_mw, np.greater_equal),
        ):
            if bound is not None:
                keep &= passes(self._numbers[column], bound)
        order = self._orders[filters.sort]
        return order[keep[order]]

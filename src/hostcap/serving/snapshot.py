"""One published snapshot's gold, loaded into the indexes the API answers from."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

import pyarrow as pa

from hostcap.errors import LakeError, LakeOutdated
from hostcap.feeder_view import DEFAULT_STALE_MONTHS, feeder_view, snapshot_date
from hostcap.lake import Lake
from hostcap.registry import TABLES
from hostcap.serving.ders import DerIndex
from hostcap.serving.feeders import FeederIndex
from hostcap.serving.places import Places
from hostcap.serving.refs import FeederRefs
from hostcap.serving.rows import Rows
from hostcap.serving.segments import SegmentIndex
from hostcap.serving.spatial import SpatialIndex
from hostcap.serving.stats import der_mw_by_type, max_hc_distribution, place_rollup
from hostcap.serving.substations import SubstationIndex
from hostcap.serving.utilities import utility_summaries

log = logging.getLogger(__name__)


@dataclass(frozen=True, eq=False)
class Snapshot:
    """Everything a request needs, immutable once built: a reload builds a new one."""

    id: str
    published_at: str | None
    feeders: FeederIndex
    segments: SegmentIndex
    substations: SubstationIndex
    ders: DerIndex
    utilities: Rows
    max_hc_distribution: Rows
    der_mw: Rows
    by_county: Rows
    by_load_zone: Rows
    refs: FeederRefs
    spatial: SpatialIndex
    places: Places
    report: dict | None

    @property
    def meta(self) -> dict:
        return {"snapshot": self.id, "published_at": self.published_at}


def read_gold(lake: Lake, name: str, snapshot_id: str) -> pa.Table:
    """A gold table of the snapshot, with every column this version's registry stores for it
    (LakeOutdated, naming the file and what it lacks, when an older hostcap wrote it).

    Decoded on this thread alone: the server keeps the tables, and the C allocator gives each
    thread an arena of its own, so a table decoded on Arrow's threads left its decoding's
    leftovers in several arenas, resident for the snapshot's lifetime (30 to 60 MiB at
    statewide scale, varying from load to load). On one thread the load takes no longer."""
    table = lake.read_table(name, snapshot=snapshot_id, use_threads=False)
    if missing := sorted(set(TABLES[name].columns) - set(table.column_names)):
        raise LakeOutdated(
            f"snapshots/{snapshot_id}/gold/{name}.parquet was written by an older hostcap: it lacks "
            f"{', '.join(missing)}; `hostcap refresh` rebuilds it"
        )
    return table


def load_snapshot(lake: Lake, snapshot_id: str, published_at: str | None, stale_months: int = DEFAULT_STALE_MONTHS) -> Snapshot:
    """Read the snapshot's gold tables one at a time, each straight into its index (which keeps
    only what it needs), so loading holds little more than the finished indexes. Feeders carry
    the figures of hostcap.feeder_view, as of the snapshot's build date."""
    started = time.perf_counter()
    ders = DerIndex(read_gold(lake, "ders", snapshot_id))
    feeders = FeederIndex(
        feeder_view(read_gold(lake, "feeders", snapshot_id), ders.rows.table, snapshot_date(snapshot_id), stale_months)
    )
    segments = SegmentIndex(read_gold(lake, "feeder_segments", snapshot_id))
    spatial = SpatialIndex(feeders.rows.table, segments.rows.table, ders.rows.table)
    substations = SubstationIndex(read_gold(lake, "substations", snapshot_id))
    try:
        report = lake.read_report(snapshot_id)
    except LakeError:
        report = None
    summaries = utility_summaries(feeders.rows.table, segments.rows.table, substations.rows.table, ders.rows.table, report)
    places = Places(feeders.rows.table, ders.rows.table, spatial)
    feeder_table, der_table = feeders.rows.table, ders.rows.table
    snapshot = Snapshot(
        id=snapshot_id,
        published_at=published_at,
        feeders=feeders,
        segments=segments,
        substations=substations,
        ders=ders,
        utilities=Rows(summaries, preencode=True),
        max_hc_distribution=Rows(max_hc_distribution(feeders.rows.table), preencode=True),
        der_mw=Rows(der_mw_by_type(ders.rows.table), preencode=True),
        by_county=Rows(
            place_rollup("county", feeder_table, places.feeder_counties, der_table, places.der_counties), preencode=True
        ),
        by_load_zone=Rows(
            place_rollup("load_zone", feeder_table, places.feeder_zones, der_table, places.der_zones), preencode=True
        ),
        refs=FeederRefs(feeders.rows.table, ders.rows.table),
        spatial=spatial,
        places=places,
        report=report,
    )
    log.info(
        "snapshot loaded: snapshot=%s feeders=%d segments=%d ders=%d seconds=%.2f",
        snapshot_id,
        len(feeders.rows),
        len(segments.rows),
        len(ders.rows),
        time.perf_counter() - started,
    )
    return snapshot

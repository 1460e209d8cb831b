"""The Con Edison-style ArcGIS hosting-capacity layer export (source-formats §3.3), shared by Con Edison and
Orange & Rockland (§3.4), whose layers differ only in the feeder column's name, the ``SUBSTATION`` column,
the operating companies and the 10 MW cap.

Segment grain: ``LOCAL_MIN``/``LOCAL_MAX`` and the three per-criterion values vary per segment, while
``CONNECTED_DER``/``QUEUED_DER`` are feeder aggregates repeated on every segment of the feeder.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from hostcap.sample._geo import FeederLine
from hostcap.sample._hc import capped, min_hc, segment_hcs
from hostcap.sample._helpers import AS_OF, open_csv, plan_quirks

_CRITERIA = ("PV_THERMAL", "PV_OVER_VOLTAGE", "PV_ANTI_ISLAND")
_HC_REFRESH_DATES = (dt.date(2025, 6, 30), dt.date(2025, 12, 31), dt.date(2026, 3, 31))
_NOTES = ("Feeder HC limited by substation transformer", "Network protector limits reverse power flow")


@dataclass(frozen=True)
class Layer:
    """What distinguishes one utility's layer export from another's."""

    feeder_column: str
    with_substation: bool
    cap_mw: float | None

    @property
    def header(self) -> tuple[str, ...]:
        return (
            "OBJECTID",
            self.feeder_column,
            "FRIENDLY_CIRCUIT_NAME",
            *(("SUBSTATION",) if self.with_substation else ()),
            "OPERATINGCOMPANY",
            "LOCAL_VOLTAGE",
            "LOCAL_MIN",
            "LOCAL_MAX",
            "CONNECTED_DER",
            "QUEUED_DER",
            *_CRITERIA,
            "NYISO_LOAD_ZONE",
            "HC_REFESH_DATE",  # sic: the utilities misspell both refresh-date columns
            "DER_REFESH_DATE",
            "NOTES",
            "Shape__Length",
            "geometry",  # the segment's line as GeoJSON text (see hostcap.sample._geo)
        )


@dataclass(frozen=True)
class Feeder:
    """A feeder as the layer describes it; ``max_hc`` is uncapped (the layer caps its segments)."""

    id: str
    substation: str
    company: str
    voltage_kv: int
    zone: str
    max_hc: float
    min_hc: float
    connected_mw: float
    queued_mw: float
    hc_refresh: dt.date


def new_feeder(
    rng: random.Random,
    feeder_id: str,
    substation: str,
    company: str,
    voltage_kv: int,
    zone: str,
    max_hc: float,
    cap: float | None,
) -> Feeder:
    """A feeder with its HC (``max_hc`` uncapped), DER aggregates and study date drawn."""
    return Feeder(
        id=feeder_id,
        substation=substation,
        company=company,
        voltage_kv=voltage_kv,
        zone=zone,
        max_hc=max_hc,
        min_hc=min_hc(rng, capped(max_hc, cap)),
        connected_mw=round(rng.expovariate(1 / 1.5), 3),
        queued_mw=round(rng.expovariate(1 / 2.0), 3) if rng.random() < 0.6 else 0.0,
        hc_refresh=rng.choice(_HC_REFRESH_DATES),
    )


def write_layer(
    path: Path, layer: Layer, feeders: list[Feeder], rng: random.Random, counts: list[int], lines: random.Random
) -> None:
    """Stream the layer's segment rows (``counts[i]`` segments for ``feeders[i]``), their lines drawn from `lines`.

    A few segments have one criterion ``N/A`` (not evaluated). A few extra rows repeat a segment with an
    empty feeder ID: shapes the export lost the feeder of, which the pipeline must quarantine. They are
    extra rows, so no feeder's aggregate changes.
    """
    quirks = plan_quirks(rng, sum(counts), {"orphan": 0.0005, "na_criterion": 0.003})
    first_criterion = layer.header.index(_CRITERIA[0]) - 1  # rows are built without OBJECTID
    der_refresh = _epoch_ms(AS_OF - dt.timedelta(days=1))
    with open_csv(path, layer.header) as out:
        object_id = 0
        segments = (row for f, n in zip(feeders, counts) for row in _segments(rng, layer, f, n, der_refresh, lines))
        for segment_no, row in enumerate(segments):
            quirk = quirks.get(segment_no)
            if quirk == "na_criterion":
                row[first_criterion + rng.randrange(len(_CRITERIA))] = "N/A"
            object_id += 1
            out.writerow([object_id, *row])
            if quirk == "orphan":
                object_id += 1
                out.writerow([object_id, "", "", *row[2:]])  # no feeder ID, no friendly name


def _segments(
    rng: random.Random, layer: Layer, feeder: Feeder, count: int, der_refresh: int, lines: random.Random
) -> Iterator[list]:
    """The feeder's rows without OBJECTID, starting with the feeder ID and friendly name."""
    name = [feeder.id, f"{feeder.substation} {feeder.id}"]
    if layer.with_substation:
        name.append(feeder.substation)
    line = FeederLine(lines, feeder.substation)
    for seg_min, seg_max in segment_hcs(rng, count, feeder.max_hc, feeder.min_hc, layer.cap_mw):
        # The segment's HC is its most limiting criterion (which may exceed the cap); the others allow more.
        at_cap = layer.cap_mw is not None and seg_max >= layer.cap_mw
        limit = round(seg_max * rng.uniform(1.0, 1.6), 2) if at_cap else seg_max
        limiting = rng.randrange(3)
        criteria = [limit if c == limiting else round(limit * rng.uniform(1.0, 2.5), 2) for c in range(3)]
        yield [
            *name,
            feeder.company,
            feeder.voltage_kv,
            seg_min,
            seg_max,
            feeder.connected_mw,
            feeder.queued_mw,
            *criteria,
            feeder.zone,
            _epoch_ms(feeder.hc_refresh),
            der_refresh,
            rng.choice(_NOTES) if rng.random() < 0.02 else "",
            round(rng.lognormvariate(4.0, 1.3), 4),
            line.segment(),
        ]


def _epoch_ms(day: dt.date) -> int:
    """Midnight UTC of ``day`` in epoch milliseconds, as ArcGIS exports dates."""
    return int(dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC).timestamp()) * 1000

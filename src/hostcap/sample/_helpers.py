"""Shared plumbing for the sample generators: seeded randomness, scaling, IDs, quirks, CSV output.

Every utility module builds its rows from these helpers so that all sources share one notion of
determinism (a per-source RNG derived from the seed), one way of scaling row counts, one way of planting
quirks, and one CSV dialect (CRLF, like the real files).
"""

from __future__ import annotations

import bisect
import csv
import datetime as dt
import itertools
import random
from collections.abc import Callable, Hashable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

G = TypeVar("G", bound=Hashable)
K = TypeVar("K", bound=Hashable)

#: The month the sample files are dated with (file names) and the day the data is "as of".
PERIOD = "2026-10"
AS_OF = dt.date(2026, 10, 1)

#: Quirk names shared by every DER source (see :func:`emit_row`).
DUP_EXACT = "dup_exact"
DUP_CONFLICT = "dup_conflict"

#: Row counts never drop below these, so that tiny scales still exercise every code path.
MIN_FEEDERS = 6
MIN_DER_ROWS = 40


def source_rng(seed: int, source: str) -> random.Random:
    """A Random for one source, so that each source's output depends only on (seed, source).

    A string seed is hashed with SHA-512 by :mod:`random`, which is stable across processes (unlike
    ``hash()``), so the output is byte-identical from run to run.
    """
    return random.Random(f"{seed}|{source}")


def source_file(out_dir: Path, utility: str, dataset: str, stem: str | None = None, ext: str = "csv") -> Path:
    """``<out>/<utility>/<dataset>/<utility>_<stem>_<PERIOD>.<ext>``: utilities date their file names."""
    return out_dir / utility / dataset / f"{utility}_{stem or dataset}_{PERIOD}.{ext}"


def bumped(text: str) -> str:
    """A numeric text changed by +250 (or ``250`` when it is not a number): a conflicting duplicate's value."""
    try:
        return num(float(text) + 250, 4)
    except ValueError:
        return "250"


def scaled(full_size: int, scale: float, minimum: int) -> int:
    """The statewide (scale 1) count ``full_size`` scaled linearly, but never below ``minimum``."""
    return max(minimum, round(full_size * scale))


def split_count(rng: random.Random, total: int, parts: int) -> list[int]:
    """Split ``total`` into ``parts`` uneven counts (each at least 1) that add up to ``total`` exactly.

    Feeders differ in length, so segments are not spread evenly; summing exactly keeps the statewide row
    counts at the documented sizes.
    """
    total = max(total, parts)
    weights = [rng.uniform(0.3, 1.7) for _ in range(parts)]
    spare = total - parts
    scale = spare / sum(weights)
    counts = [1 + int(w * scale) for w in weights]
    for i in rng.sample(range(parts), total - sum(counts)):
        counts[i] += 1
    return counts


def draw_categories(rng: random.Random, n: int, weights: Mapping[K, float]) -> list[K]:
    """``n`` categories drawn by weight, containing every category at least once when ``n`` allows.

    Real files carry rare codes (one ``ComWind`` among 13,727 rows); a scaled-down sample would lose them,
    so each one is planted once before the rest is drawn by frequency.
    """
    keys = list(weights)
    if n < len(keys):
        return rng.choices(keys, weights=list(weights.values()), k=n)
    drawn = keys + rng.choices(keys, weights=list(weights.values()), k=n - len(keys))
    rng.shuffle(drawn)
    return drawn


def grouped_ids(
    rng: random.Random,
    n: int,
    new_group: Callable[[], G],
    member_id: Callable[[G, int], str],
    max_members: int = 6,
) -> list[tuple[G, str]]:
    """``n`` distinct feeder IDs, generated a substation (group) at a time, each with its group.

    Utilities number feeders per substation (``36_13_81756``, ``36_13_81757``…), so IDs come in runs.
    """
    seen: set[str] = set()
    out: list[tuple[G, str]] = []
    while len(out) < n:
        group = new_group()
        for k in range(rng.randint(1, max_members)):
            feeder_id = member_id(group, k)
            if feeder_id not in seen:
                seen.add(feeder_id)
                out.append((group, feeder_id))
                if len(out) == n:
                    break
    return out


def unknown_id(rng: random.Random, known: set[str], make: Callable[[random.Random], str]) -> str:
    """An ID made by ``make`` that is not in ``known``: a DER's feeder the network file does not have."""
    while (candidate := make(rng)) in known:
        pass
    return candidate


class FeederPicker:
    """Draws feeder IDs with a skewed popularity: DER cluster on some feeders (the busiest real feeders
    carry 10 to 18 times the mean), which a log-normal weight, capped against freak outliers, reproduces."""

    def __init__(self, rng: random.Random, feeder_ids: Sequence[str]):
        self._rng = rng
        self._ids = list(feeder_ids)
        self._cum = list(itertools.accumulate(min(20.0, rng.lognormvariate(0.0, 1.0)) for _ in self._ids))
        self.known = set(self._ids)

    def pick(self) -> str:
        return self._ids[bisect.bisect_left(self._cum, self._rng.random() * self._cum[-1])]


def plan_quirks(rng: random.Random, n_rows: int, rates: Mapping[str, float]) -> dict[int, str]:
    """Assign each quirk to distinct row numbers: ``round(rate * n_rows)`` rows, but at least one.

    Planning quirk rows up front (instead of a coin toss per row) guarantees every quirk occurs at every
    scale while keeping its rate realistic at full scale. A rate of 0 means "exactly one row".
    """
    counts = {quirk: max(1, round(rate * n_rows)) for quirk, rate in rates.items()}
    if sum(counts.values()) > n_rows:
        raise ValueError(f"{n_rows} rows cannot hold the quirks {counts}")
    rows = iter(rng.sample(range(n_rows), sum(counts.values())))
    return {next(rows): quirk for quirk, count in counts.items() for _ in range(count)}


def emit_row(write: Callable[[list], None], row: list, quirk: str | None, conflict: tuple[int, object]) -> None:
    """Write ``row``; repeat it verbatim for :data:`DUP_EXACT`, or with one changed value for
    :data:`DUP_CONFLICT` (``conflict`` = (column index, new value)): the duplicate cases of source-formats §2.
    """
    write(row)
    if quirk == DUP_EXACT:
        write(row)
    elif quirk == DUP_CONFLICT:
        changed = list(row)
        changed[conflict[0]] = conflict[1]
        write(changed)


def messy_id(rng: random.Random, native_id: str) -> str:
    """The same ID as a sloppy export writes it: lower-cased (when it has letters) or padded with spaces."""
    if native_id.upper() != native_id.lower() and rng.random() < 0.5:
        return native_id.lower()
    return rng.choice((f" {native_id}", f"{native_id} ", f"  {native_id} "))


@contextmanager
def open_csv(path: Path, header: Sequence[str], *, bom: bool = False) -> Iterator[csv.writer]:
    """A CSV writer in the real files' dialect (CRLF, minimal quoting), header already written."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8-sig" if bom else "utf-8") as fh:
        writer = csv.writer(fh, lineterminator="\r\n")
        writer.writerow(header)
        yield writer


def num(value: float, places: int = 2) -> str:
    """A number as the utilities' exports print it: at most ``places`` decimals, no trailing zeros."""
    text = f"{value:.{places}f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def mdy(day: dt.date) -> str:
    """``M/D/YYYY`` without zero padding (``6/5/2020``), the US export format of most sources."""
    return f"{day.month}/{day.day}/{day.year}"


def random_date(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    """A uniformly random day between ``start`` and ``end`` (inclusive)."""
    return start + dt.timedelta(days=rng.randint(0, (end - start).days))

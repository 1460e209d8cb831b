"""Incremental gold: a utility none of whose sources changed keeps its gold rows as they are.

Every gold row belongs to one utility and is computed from that utility's silver alone: canonical
IDs hash the utility in, DER de-duplication, feeder roll-ups and substations all group within a
utility, and the file order that picks the latest row only compares files of one source. So gold
is the union over utilities of a function of each utility's silver, and when a refresh finds every
source of a utility unchanged (same files, config and code version, so the same silver), that
utility's rows of the published gold are exactly what a rebuild would give. The refresh then reads
neither their silver nor builds their gold: it builds gold for the changed utilities only and
takes the others' rows from the published snapshot (`Builder.build_gold`, in the engine, so on
Spark the executors do it too).

A gold table is also reused whole when no source of the families of silver it is made from
changed (`GOLD_INPUTS`): the feeder segments come from network silver alone, so a refresh in which
only DER files changed (a monthly queue update) copies the published segments file as it is
instead of computing and encoding the largest table again.
"""

from __future__ import annotations

from collections.abc import Callable

from hostcap.canonical import family

#: the families of silver each gold table is made from
GOLD_INPUTS = {
    "feeders": {"network", "der"},
    "feeder_segments": {"network"},
    "substations": {"network", "der"},
    "ders": {"network", "der"},
}


def reusable_utilities(unchanged: dict[str, bool], previous: dict[str, dict]) -> set[str]:
    """Given whether each configured source (`<utility>/<dataset>`) is unchanged, the utilities
    whose every source is, and which have exactly the sources the published snapshot was built
    from (a source added or dropped changes the utility's gold)."""
    return _unchanged_groups(unchanged, previous, _utility)


def reusable_tables(unchanged: dict[str, bool], previous: dict[str, dict]) -> set[str]:
    """Given whether each configured source is unchanged, the gold tables the published snapshot
    holds exactly as a rebuild would make them: those made only from families none of whose
    sources changed, with exactly the sources the published snapshot was built from."""
    unchanged_families = _unchanged_groups(unchanged, previous, _family)
    return {table for table, inputs in GOLD_INPUTS.items() if inputs <= unchanged_families}


def _unchanged_groups(unchanged: dict[str, bool], previous: dict[str, dict], group: Callable[[str], str]) -> set[str]:
    """The groups of configured sources (by `group` of the source id) whose every source is
    unchanged and which have exactly the sources they had in the published snapshot."""
    same = set()
    for name in {group(source_id) for source_id in unchanged}:
        mine = {source_id: kept for source_id, kept in unchanged.items() if group(source_id) == name}
        before = {source_id for source_id in previous if group(source_id) == name}
        if all(mine.values()) and before == set(mine):
            same.add(name)
    return same


def _utility(source_id: str) -> str:
    return source_id.split("/", 1)[0]


def _family(source_id: str) -> str:
    return family(source_id.split("/", 1)[1])

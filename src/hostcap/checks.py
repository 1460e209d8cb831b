"""Checks a new snapshot must pass before it is published (they fail loudly, in the report)."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

from hostcap.report import CheckResult, SourceReport

GOLD_KEYS = {"feeders": "feeder_id", "feeder_segments": "segment_id", "substations": "substation_id", "ders": "der_id"}


def row_conservation(sources: list[SourceReport]) -> list[CheckResult]:
    """Every bronze row of a source loaded now is in silver, quarantine or excluded."""
    return [
        CheckResult(
            name=f"row_conservation:{s.source}",
            passed=s.loaded + s.quarantined + s.excluded == s.rows_in,
            detail=f"bronze {s.rows_in} = silver {s.loaded} + quarantined {s.quarantined} + excluded {s.excluded}",
        )
        for s in sources
        if s.status == "succeeded"
    ]


def unique_ids(gold: dict[str, pa.Table]) -> list[CheckResult]:
    checks = []
    for table, key in GOLD_KEYS.items():
        column = gold[table].column(key)
        distinct = len(pc.unique(column))
        checks.append(
            CheckResult(
                name=f"unique_id:{table}.{key}",
                passed=distinct == len(column) and column.null_count == 0,
                detail=f"{len(column)} rows, {distinct} distinct, {column.null_count} null",
            )
        )
    return checks


def utilities_present(sources: list[SourceReport], gold: dict[str, pa.Table]) -> CheckResult:
    """Every utility with usable silver reached gold (a join or filter did not drop it)."""
    expected = {s.source.split("/")[0] for s in sources if s.status != "failed" and s.loaded}
    present = set(gold["feeders"].column("utility").to_pylist()) | set(gold["ders"].column("utility").to_pylist())
    missing = sorted(expected - present)
    return CheckResult(
        name="utilities_present",
        passed=not missing,
        detail=f"missing: {', '.join(missing)}" if missing else f"{len(present)} utilities",
    )


def capacity_values(gold: dict[str, pa.Table]) -> CheckResult:
    """Hosting capacities are finite and non-negative with min ≤ max; rows that are not are
    flagged `invalid_capacity` on the feeder (reported here, not blocking: the source said so)."""
    flags = gold["feeders"].column("quality_flags").to_pylist()
    flagged = sum("invalid_capacity" in f.split(",") for f in flags)
    return CheckResult(name="capacity_values", passed=True, detail=f"{flagged} feeders flagged invalid_capacity")


def run_checks(sources: list[SourceReport], gold: dict[str, pa.Table]) -> list[CheckResult]:
    return [*row_conservation(sources), *unique_ids(gold), utilities_present(sources, gold), capacity_values(gold)]

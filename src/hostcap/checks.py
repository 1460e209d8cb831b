"""Checks a new snapshot must pass before it is published (they fail loudly, in the report)."""

from __future__ import annotations

from dataclasses import dataclass

from hostcap.registry import KEYS
from hostcap.report import CheckResult, SourceReport

#: each gold table's key (hostcap.registry)
GOLD_KEYS = KEYS


@dataclass(frozen=True)
class GoldFacts:
    """What the checks need to know of gold, counted by the engine where gold is (on Spark, the
    executors), so no gold table is brought to this process to be checked."""

    #: rows per gold table
    rows: dict[str, int]
    #: per gold table, its key's distinct non-null values and its null keys
    keys: dict[str, tuple[int, int]]
    #: the utilities with a feeder or a DER in gold
    utilities: set[str]
    #: feeders whose quality flags include `invalid_capacity`
    invalid_capacity: int


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


def unique_ids(gold: GoldFacts) -> list[CheckResult]:
    checks = []
    for table, key in GOLD_KEYS.items():
        rows, (distinct, nulls) = gold.rows[table], gold.keys[table]
        checks.append(
            CheckResult(
                name=f"unique_id:{table}.{key}",
                passed=distinct == rows and nulls == 0,
                detail=f"{rows} rows, {distinct} distinct, {nulls} null",
            )
        )
    return checks


def utilities_present(sources: list[SourceReport], gold: GoldFacts) -> CheckResult:
    """Every utility with usable silver reached gold (a join or filter did not drop it)."""
    expected = {s.source.split("/")[0] for s in sources if s.status != "failed" and s.loaded}
    missing = sorted(expected - gold.utilities)
    return CheckResult(
        name="utilities_present",
        passed=not missing,
        detail=f"missing: {', '.join(missing)}" if missing else f"{len(gold.utilities)} utilities",
    )


def capacity_values(gold: GoldFacts) -> CheckResult:
    """Hosting capacities are finite and non-negative with min ≤ max; rows that are not are
    flagged `invalid_capacity` on the feeder (reported here, not blocking: the source said so)."""
    return CheckResult(name="capacity_values", passed=True, detail=f"{gold.invalid_capacity} feeders flagged invalid_capacity")


def run_checks(sources: list[SourceReport], gold: GoldFacts) -> list[CheckResult]:
    return [*row_conservation(sources), *unique_ids(gold), utilities_present(sources, gold), capacity_values(gold)]

"""Circuit IDs referenced by NYSEG/RG&E DER files, to synthesize a network file that matches them.

The real NYSEG/RG&E network file is not available; with this, the real DER files can be tested
against a network whose feeders are exactly the circuits they reference.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from pathlib import Path

from hostcap.errors import SourceError

CIRCUIT_COLUMN = "ProjectCircuitID"


def circuit_ids_from_der_files(paths: Iterable[Path]) -> list[str]:
    """Every value of `ProjectCircuitID` in the files, in first-seen order (cleaning is the writer's job).

    A file without that column raises SourceError naming it."""
    seen: dict[str, None] = {}
    for path in paths:
        with Path(path).open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            if CIRCUIT_COLUMN not in (reader.fieldnames or []):
                raise SourceError("nyseg_rge DER", f"no {CIRCUIT_COLUMN} column; is it a NYSEG/RG&E DER file?", file=str(path))
            for row in reader:
                seen.setdefault(row[CIRCUIT_COLUMN], None)
    return list(seen)

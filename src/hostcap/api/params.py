"""Path parameters, and the bounds every ID and name shares (length and charset).

Values only ever select rows in memory; none is formatted into a query string anywhere.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Path

#: canonical IDs (feeder, DER, substation): md5 hex
CANONICAL_ID = r"^[0-9a-fA-F]{32}$"
#: snapshot (refresh run) IDs; ASCII digits only (`\d` would also match other scripts' digits)
SNAPSHOT_ID = r"^[0-9]{8}T[0-9]{6}Z-[0-9a-f]{6}$"
#: native IDs and names as utilities write them
NATIVE_TEXT = r"^[A-Za-z0-9 _.,'&#()/+-]+$"

FeederIdPath = Annotated[
    str,
    Path(
        pattern=CANONICAL_ID,
        description="Canonical feeder ID (32 hex characters).",
        examples=["a49b36cff7e6b07de4c070043c8322fd"],
    ),
]
DerIdPath = Annotated[
    str, Path(pattern=CANONICAL_ID, description="Canonical DER ID.", examples=["b8a65e23fcef1e2158d746bd06ac0960"])
]
SubstationIdPath = Annotated[
    str, Path(pattern=CANONICAL_ID, description="Canonical substation ID.", examples=["dfb6df15ab31938d7b8753ff60aacdf0"])
]

"""The registry of gold tables and fields: each table's key and order, each field's type, unit,
description, allowed values and provenance, in one place.

Gold's column lists, the publish checks, the API's response models and OpenAPI descriptions, the
diff, exports, release bundles, the data dictionary (`/v1/dictionary`) and the explorer's labels
all read it: adding a field is one entry in its table's module. Plain Python (no Ibis, pyarrow or
pydantic), so a refresh that needs only column names imports nothing heavy.
"""

from __future__ import annotations

from hostcap.registry.ders import DERS
from hostcap.registry.feeders import FEEDERS
from hostcap.registry.flags import QUALITY_FLAGS
from hostcap.registry.model import Field, FieldType, Origin, Table
from hostcap.registry.segments import SEGMENTS
from hostcap.registry.substations import SUBSTATIONS

#: every gold table, by name, in the order they are described
TABLES: dict[str, Table] = {table.name: table for table in (FEEDERS, SEGMENTS, SUBSTATIONS, DERS)}
#: each gold table's key
KEYS: dict[str, str] = {name: table.key for name, table in TABLES.items()}

__all__ = ["KEYS", "QUALITY_FLAGS", "TABLES", "Field", "FieldType", "Origin", "Table"]

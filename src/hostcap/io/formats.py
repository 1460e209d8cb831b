"""The formats a table can be exported in, named apart from their writers (`hostcap.io.export`),
which load pyarrow: the CLI offers the choice without paying for it on every command."""

from __future__ import annotations

from typing import Literal

ExportFormat = Literal["csv", "parquet", "json"]

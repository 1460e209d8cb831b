"""The NDJSON reader: one JSON object per line, as a fetch lands an ArcGIS layer.

A line that is a GeoJSON feature contributes its `properties` as columns and its geometry as one
more column, `geometry`, holding the GeoJSON geometry as compact JSON text. Bronze keeps text, so
values are rendered as the other readers render cells: `null` is empty, `5000.0` is `5000`, and
an epoch-millisecond date stays the integer it was (silver's `epoch_ms` format reads it).
"""

from __future__ import annotations

import json

import pyarrow as pa

from hostcap.errors import SourceError
from hostcap.io.arrays import integers, strings
from hostcap.io.limits import MAX_COLUMNS, MAX_ROW_BYTES

GEOMETRY = "geometry"


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, (dict, list)):
        return json.dumps(value, separators=(",", ":"))
    return str(value)


def _record(line: bytes, number: int, source: str, file: str) -> dict:
    if len(line) > MAX_ROW_BYTES:
        raise SourceError(source, f"the line is longer than {MAX_ROW_BYTES >> 20} MiB", file=file, row=number)
    try:
        item = json.loads(line)
    except ValueError as exc:
        raise SourceError(source, f"not a JSON object: {exc}", file=file, row=number) from None
    if not isinstance(item, dict):
        raise SourceError(source, "not a JSON object", file=file, row=number)
    if item.get("type") == "Feature":
        properties = item.get("properties") or {}
        return {**properties, GEOMETRY: item.get("geometry")}
    return item


def records(data: bytes, source: str, file: str):
    """(line number, object) for every non-blank line."""
    for number, line in enumerate(data.splitlines(), start=1):
        if line.strip():
            yield number, _record(line, number, source, file)


def read_ndjson(data: bytes, source: str, file: str) -> tuple[list[str], dict[str, list[str]], list[int]]:
    """Headers (in the order first seen), text columns and line numbers; a key a line lacks is empty."""
    columns: dict[str, list[str]] = {}
    rows: list[int] = []
    for number, item in records(data, source, file):
        for key in item.keys() - columns.keys():
            if len(columns) >= MAX_COLUMNS:
                raise SourceError(source, f"more than {MAX_COLUMNS:,} keys", file=file, row=number)
            columns[key] = [""] * len(rows)
        for key, values in columns.items():
            values.append(_text(item.get(key)))
        rows.append(number)
    return list(columns), columns, rows


def ndjson_table(data: bytes, source: str, file: str, row: str, parse_error: str) -> pa.Table:
    headers, columns, rows = read_ndjson(data, source, file)
    arrays = {name: strings(columns[name]) for name in headers}
    return pa.table({**arrays, row: integers(rows), parse_error: pa.nulls(len(rows), pa.string())})


def ndjson_headers(data: bytes, source: str, file: str) -> list[str]:
    """Every key of every line (a layer's rows may differ in which keys they carry)."""
    seen: dict[str, None] = {}
    for _number, item in records(data, source, file):
        seen.update(dict.fromkeys(item))
    return list(seen)

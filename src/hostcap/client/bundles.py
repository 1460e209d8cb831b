"""Read a release bundle (the zip `hostcap bundle` writes and `/v1/snapshots/{id}/bundle` serves)
into DataFrames: each table from its Parquet file, found through the bundle's `datapackage.json`."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

from hostcap.client.frames import Frame, from_arrow


def read_bundle(source: str | Path | bytes, frame: Frame = "pandas") -> dict[str, Any]:
    """`{table: DataFrame}` of every table in the bundle (a file path, or the zip's bytes)."""
    with zipfile.ZipFile(io.BytesIO(source) if isinstance(source, bytes) else source) as bundle:
        found = [name for name in bundle.namelist() if name.endswith("/datapackage.json")]
        if len(found) != 1:
            raise ValueError("not a hostcap release bundle: it holds no single datapackage.json")
        descriptor_name = found[0]
        root = descriptor_name.removesuffix("datapackage.json")
        descriptor = json.loads(bundle.read(descriptor_name))
        return {
            resource["name"]: from_arrow(pq.read_table(io.BytesIO(bundle.read(root + resource["hostcap:parquet"]))), frame)
            for resource in descriptor["resources"]
        }

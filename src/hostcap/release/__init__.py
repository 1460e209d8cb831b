"""Release bundles: each published snapshot's gold tables as one downloadable, self-describing zip
(Parquet, CSV, a DuckDB database, a Frictionless `datapackage.json` and a change summary)."""


def folder(snapshot: str) -> str:
    """The one folder every file of a snapshot's bundle is in, so unzipping it makes no mess."""
    return f"hostcap-{snapshot}"

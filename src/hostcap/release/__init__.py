"""Release bundles: each published snapshot's gold tables as one downloadable, self-describing zip
(Parquet, CSV, a DuckDB database, a Frictionless `datapackage.json` and a change summary)."""

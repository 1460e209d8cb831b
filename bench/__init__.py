"""hostcap's benchmarks: statewide-scale refreshes on DuckDB and Spark, the refresh against the raw
read-and-write floor of the same files, and API load against a bare ASGI ceiling.

Run everything with `make bench` (or `python -m bench all`); each part alone with
`python -m bench data|refresh|floor|spark|api|report`. Results are JSON under `bench/results/`,
summarized in BENCHMARKS.md at the repository root.
"""

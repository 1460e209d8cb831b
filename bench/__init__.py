"""hostcap's benchmarks: statewide-scale refreshes on DuckDB and Spark, and API load.

Run everything with `make bench` (or `python -m bench all`); each part alone with
`python -m bench data|refresh|spark|api|report`. Results are JSON under `bench/results/`,
summarized in BENCHMARKS.md at the repository root.
"""

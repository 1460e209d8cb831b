# Every target installs what it needs into .venv first, so a fresh clone needs nothing else.
VENV ?= .venv
PYTHON ?= python3
BIN := $(VENV)/bin
BENCH_DIR ?= bench/scratch/sample-1.0
STAMP := $(VENV)/.installed-stamp
SPARK_STAMP := $(VENV)/.installed-spark-stamp

.PHONY: run test test-spark bench bench-refresh bench-spark sample clean help

help:  ## list the targets
	@grep -E '^[a-z-]+:.*##' $(MAKEFILE_LIST) | sed 's/:.*## /\t/'

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)  ## build the lake from the bundled sample data and serve the API on 127.0.0.1:8000
	$(BIN)/hostcap refresh
	$(BIN)/hostcap serve

$(SPARK_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[dev,spark]'
	touch $(SPARK_STAMP)

test: $(STAMP)  ## run the test suite on DuckDB (fast; Spark tests deselected)
	$(BIN)/python -m pytest -m "not spark"

test-spark: $(SPARK_STAMP)  ## run the Spark tests: every behavioural test on Spark, and DuckDB/Spark gold parity (needs Java)
	$(BIN)/python -m pytest -m spark

bench-spark: $(SPARK_STAMP)  ## full refresh on DuckDB and on Spark (local) at statewide scale -> bench/spark/results.json
	$(BIN)/hostcap sample --out $(BENCH_DIR) --scale 1
	$(BIN)/python bench/spark/run.py --source $(BENCH_DIR) --out bench/spark/results.json

bench-refresh: $(STAMP)  ## time full, no-change and one-source refreshes at statewide scale
	$(BIN)/python bench/refresh_bench.py --scale 1 --runs 3

bench: bench-refresh  ## run every benchmark (results in bench/results/)

sample: $(STAMP)  ## regenerate the bundled sample data (deterministic)
	rm -rf data/sample
	$(BIN)/hostcap sample --out data/sample

clean:  ## remove the virtual environment and the local lake
	rm -rf $(VENV) lake

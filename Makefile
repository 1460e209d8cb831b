# Every target installs what it needs into .venv first, so a fresh clone needs nothing else.
VENV ?= .venv
PYTHON ?= python3
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
SPARK_STAMP := $(VENV)/.installed-spark-stamp
BENCH_STAMP := $(VENV)/.installed-bench-stamp

.PHONY: run lint test test-spark bench bench-data bench-refresh bench-floor bench-spark bench-api bench-notify bench-spatial bench-report sample clean help

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

lint: $(STAMP)  ## check the code with ruff: lint rules and formatting (pyproject.toml)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

test: lint  ## lint, then run the test suite on DuckDB (fast; Spark tests deselected)
	$(BIN)/python -m pytest -m "not spark"

test-spark: $(SPARK_STAMP)  ## run the Spark tests: every behavioural test on Spark, and DuckDB/Spark gold parity (needs Java)
	$(BIN)/python -m pytest -m spark

# the benchmarks need the Spark extra and a Java runtime, psutil (process-tree memory) and
# Debian's wrk (the API load generator)
$(BENCH_STAMP): $(SPARK_STAMP)
	$(BIN)/python -m pip install --quiet -e '.[dev,spark,bench]'
	command -v wrk >/dev/null && command -v java >/dev/null || \
		(apt-get update && apt-get install -y wrk openjdk-17-jre-headless)
	touch $(BENCH_STAMP)

bench: $(BENCH_STAMP)  ## every benchmark at statewide scale, then BENCHMARKS.md (about 30 minutes)
	$(BIN)/python -m bench all

bench-data: $(BENCH_STAMP)  ## generate the benchmark data at scales 0.25, 1 and 4 (once)
	$(BIN)/python -m bench data

bench-refresh: $(BENCH_STAMP)  ## DuckDB: full refresh at each scale; no-change and one-source refresh at scale 1
	$(BIN)/python -m bench refresh

bench-floor: $(BENCH_STAMP)  ## full and no-change refresh beside the raw DuckDB read-and-write of the same files (two-utility real files, scale 1)
	$(BIN)/python -m bench floor

bench-spark: $(BENCH_STAMP)  ## Spark (local): full refresh at scale 1
	$(BIN)/python -m bench spark

bench-api: $(BENCH_STAMP)  ## API load test over the scale-1 lake with wrk (32 connections), each call against its bare-ASGI ceiling
	$(BIN)/python -m bench api

bench-notify: $(BENCH_STAMP)  ## publish-to-delivery latency of 1,000 webhook subscriptions at scale 1
	$(BIN)/python -m bench notify

bench-spatial: $(STAMP)  ## the spatial index over a million synthetic segments: build, memory, query latency
	$(BIN)/python -m bench spatial

bench-report: $(BENCH_STAMP)  ## rewrite BENCHMARKS.md from bench/results/*.json
	$(BIN)/python -m bench report

sample: $(STAMP)  ## regenerate the bundled sample data (deterministic)
	rm -rf data/sample
	$(BIN)/hostcap sample --out data/sample

clean:  ## remove the virtual environment and the local lake
	rm -rf $(VENV) lake

# Every target installs what it needs into .venv first, so a fresh clone needs nothing else.
VENV ?= .venv
PYTHON ?= python3
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: run test bench bench-refresh sample clean help

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

test: $(STAMP)  ## run the test suite
	$(BIN)/python -m pytest

bench-refresh: $(STAMP)  ## time full, no-change and one-source refreshes at statewide scale
	$(BIN)/python bench/refresh_bench.py --scale 1 --runs 3

bench: bench-refresh  ## run every benchmark (results in bench/results/)

sample: $(STAMP)  ## regenerate the bundled sample data (deterministic)
	rm -rf data/sample
	$(BIN)/hostcap sample --out data/sample

clean:  ## remove the virtual environment and the local lake
	rm -rf $(VENV) lake

# Two commands for a fresh machine with Python 3.11+, pip and make:
#   make demo   installs everything into .venv and runs the nightly flow on synthetic data
#   make test   installs everything into .venv and runs lint, types and the test suite
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint typecheck pytest bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/demografie demo

test: lint typecheck pytest

lint: $(STAMP)
	$(BIN)/ruff check demografie tests bench
	$(BIN)/ruff format --check demografie tests bench

typecheck: $(STAMP)
	$(BIN)/mypy

pytest: $(STAMP)
	$(BIN)/pytest

# Benchmarks print tables (see bench/RESULTS.md); about 20 minutes and 13 GB of disk in bench/.data.
bench: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[dev,bench]'
	$(BIN)/python -m bench.parse
	$(BIN)/python -m bench.build
	$(BIN)/python -m bench.ingest
	$(BIN)/python -m bench.nightly

clean:
	rm -rf $(VENV) demo-data .pytest_cache .mypy_cache .ruff_cache

# Sealtrail: `make run` starts the platform, `make test` runs the tests.
# Both set up everything they need on a fresh machine (Python venv in .venv).

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
export SEALTRAIL_TEST_POSTGRES_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/postgres

.PHONY: setup run test lint format bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

setup: $(STAMP)

run: setup
	$(BIN)/sealtrail up

test: setup
	$(BIN)/pytest

lint: setup
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy

format: setup
	$(BIN)/ruff check --fix src tests bench
	$(BIN)/ruff format src tests bench

bench: setup
	[ bench/results/prowler-venv/.installed-stamp -nt bench/prowler-requirements.txt ] || { \
	  $(PYTHON) -m venv bench/results/prowler-venv && \
	  bench/results/prowler-venv/bin/pip install --quiet --upgrade pip && \
	  bench/results/prowler-venv/bin/pip install --quiet -r bench/prowler-requirements.txt && \
	  touch bench/results/prowler-venv/.installed-stamp; }
	$(BIN)/python bench/ingest.py
	$(BIN)/python bench/query.py
	$(BIN)/python bench/ledger.py
	$(BIN)/python bench/scan.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache build src/*.egg-info

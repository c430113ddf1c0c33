# Sealtrail: `make run` starts the platform, `make test` runs the tests.
# Both set up everything they need on a fresh machine (Python venv in .venv, the web UI's
# npm packages in web/node_modules and its build in web/dist).

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
export SEALTRAIL_TEST_POSTGRES_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/postgres

WEB_STAMP := web/node_modules/.installed-stamp
WEB_SOURCES := $(shell find web/src web/public -type f 2>/dev/null) web/index.html web/vite.config.ts web/tsconfig.json
CHROMIUM ?= /usr/bin/chromium

.PHONY: setup web browser run test test-python test-web lint format bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

setup: $(STAMP)

$(WEB_STAMP): web/package.json web/package-lock.json
	cd web && npm ci --no-audit --no-fund --loglevel=error
	touch $(WEB_STAMP)

web/dist/index.html: $(WEB_STAMP) $(WEB_SOURCES)
	cd web && npm run --silent build

# The web UI, built into web/dist (served by `sealtrail up` at /).
web: web/dist/index.html

# The browser the end-to-end tests drive: Debian's Chromium (Playwright's download does not work here).
browser:
	@[ -x $(CHROMIUM) ] || apt-get install -y --no-install-recommends chromium

run: setup web
	$(BIN)/sealtrail up

test: test-python test-web

test-python: setup
	$(BIN)/pytest

test-web: setup web browser
	cd web && npm run --silent typecheck && npm test --silent
	cd web && CHROMIUM=$(CHROMIUM) npm run --silent e2e

lint: setup $(WEB_STAMP)
	$(BIN)/ruff check src tests bench web/scripts web/e2e
	$(BIN)/ruff format --check src tests bench web/scripts web/e2e
	$(BIN)/mypy
	cd web && npm run --silent typecheck

format: setup
	$(BIN)/ruff check --fix src tests bench web/scripts web/e2e
	$(BIN)/ruff format src tests bench web/scripts web/e2e

bench: setup
	[ bench/results/prowler-venv/.installed-stamp -nt bench/prowler-requirements.txt ] || { \
	  $(PYTHON) -m venv bench/results/prowler-venv && \
	  bench/results/prowler-venv/bin/pip install --quiet --upgrade pip && \
	  bench/results/prowler-venv/bin/pip install --quiet -r bench/prowler-requirements.txt && \
	  touch bench/results/prowler-venv/.installed-stamp; }
	$(BIN)/python bench/ingest.py
	$(BIN)/python bench/store_floor.py
	$(BIN)/python bench/index_layout.py
	$(BIN)/python bench/query.py
	$(BIN)/python bench/mixed.py
	$(BIN)/python bench/ledger.py
	$(BIN)/python bench/scan.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache build src/*.egg-info web/node_modules web/dist

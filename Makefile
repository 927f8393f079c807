# The two commands of the README:
#   make up     set up and run the whole system (database, cache, chain, contracts, API, frontend)
#   make test   run the whole test suite (CI runs exactly this)
# and `make bench` for the benchmarks under tests/bench (not part of the test run).
# Every step installs what it needs from the package registries and is safe to repeat.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMPS := .agora/stamps

.PHONY: up test bench bench-deps check bootstrap python-deps node-deps frontend system-deps clean

up: bootstrap frontend
	$(BIN)/agora up

# On every core (pytest-xdist; a module stays on one worker, so its fixtures start once), then
# the few tests that measure latency on their own, with nothing else taking the cores.
TEST_WORKERS ?= auto
test: check frontend system-deps
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --maxprocesses 4 --dist loadfile -m "not solo"
	$(BIN)/python -m pytest -m solo

bench: bootstrap frontend system-deps bench-deps
	$(BIN)/python -m tests.bench

# wrk, the HTTP load generator of the benchmarks.
bench-deps:
	@command -v wrk >/dev/null || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; \
	  else echo "make bench needs wrk (Debian/Ubuntu: sudo apt-get install wrk)"; exit 1; fi; }

# Lint, format, the layers (import-linter's contracts in pyproject.toml) and the types (mypy).
PACKAGES := agora api cli governance indexer ledger sender

check: bootstrap
	$(BIN)/ruff check $(PACKAGES) tests
	$(BIN)/ruff format --check $(PACKAGES) tests
	$(BIN)/lint-imports
	$(BIN)/mypy

bootstrap: python-deps node-deps

python-deps: $(STAMPS)/python

$(STAMPS)/python: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[dev]'
	mkdir -p $(STAMPS) && touch $@

node-deps: $(STAMPS)/governance-npm $(STAMPS)/frontend-npm

$(STAMPS)/governance-npm: governance/package-lock.json
	npm ci --prefix governance --no-audit --no-fund --loglevel=error
	mkdir -p $(STAMPS) && touch $@

$(STAMPS)/frontend-npm: frontend/package-lock.json
	npm ci --prefix frontend --no-audit --no-fund --loglevel=error
	mkdir -p $(STAMPS) && touch $@

# Rebuilt whenever a source file of the frontend is newer than the build.
frontend: frontend/dist/index.html

FRONTEND_SOURCES := frontend/schema.graphql frontend/index.html frontend/package.json \
	frontend/vite.config.ts frontend/tsconfig.json \
	$(shell find frontend/src frontend/public -type f 2>/dev/null)

frontend/dist/index.html: $(STAMPS)/frontend-npm $(FRONTEND_SOURCES)
	npm run --prefix frontend build --silent

# Debian's Chromium for the browser tests (no browser is downloaded at run time).
system-deps:
	@test -x /usr/bin/chromium || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "Browser tests need Chromium at /usr/bin/chromium (Debian/Ubuntu: sudo apt-get install chromium)"; exit 1; fi; }

clean:
	rm -rf $(VENV) .agora/stamps governance/node_modules frontend/node_modules frontend/dist

# Antragsraum: `make run` starts the portal on the embedded default, `make test` tests it.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
UV_VERSION := 0.13.9
export PICCOLO_CONF := app.piccolo_conf

.PHONY: run test check lint format typecheck lock browser clamd migration clean

$(BIN)/uv:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet uv==$(UV_VERSION)

$(VENV)/.synced: requirements-dev.lock pyproject.toml | $(BIN)/uv
	$(BIN)/uv pip sync --quiet --python $(BIN)/python requirements-dev.lock
	$(BIN)/uv pip install --quiet --python $(BIN)/python --no-deps -e .
	touch $@

## run: migrate, seed the demo data and serve on 127.0.0.1:8000
run: $(VENV)/.synced
	@bash scripts/clamd/setup.sh || echo "clamd is not available: uploads stay quarantined (wird geprüft)."
	$(BIN)/antragsraum migrate
	$(BIN)/antragsraum seed
	$(BIN)/antragsraum serve

## test: the whole fast suite (SQLite and PostgreSQL, websocket, browser)
test: $(VENV)/.synced browser clamd tests/browser/node_modules tests/identity/oidc_provider/node_modules
	$(BIN)/pytest

tests/browser/node_modules: tests/browser/package-lock.json
	npm ci --prefix tests/browser --no-audit --no-fund --silent
	touch $@

tests/identity/oidc_provider/node_modules: tests/identity/oidc_provider/package-lock.json
	npm ci --prefix tests/identity/oidc_provider --no-audit --no-fund --silent
	touch $@

## check: lint (ruff, import contracts), types, tests
check: lint typecheck test

lint: $(VENV)/.synced
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

format: $(VENV)/.synced
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

typecheck: $(VENV)/.synced
	$(BIN)/mypy app rooms

## browser: Debian's Chromium for the Playwright tests (needs root and apt)
browser:
	@command -v chromium >/dev/null || (apt-get update -qq && apt-get install -y -qq chromium >/dev/null)

## clamd: ClamAV's daemon with a local EICAR signature (needs root and apt; fast when running)
clamd:
	bash scripts/clamd/setup.sh

## migration: write a migration for the model changes in rooms/tables.py
migration: $(VENV)/.synced
	$(BIN)/piccolo migrations new rooms --auto

## lock: re-pin the dependencies after changing pyproject.toml
lock: | $(BIN)/uv
	$(BIN)/uv pip compile --quiet --generate-hashes --python-version 3.11 pyproject.toml -o requirements.lock
	$(BIN)/uv pip compile --quiet --generate-hashes --python-version 3.11 --extra dev pyproject.toml -o requirements-dev.lock

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache

## bench: upload throughput and memory, portal vs. bare Litestar (BENCH_ARGS=--breakdown)
.PHONY: bench
bench: $(VENV)/.synced
	$(BIN)/python -m bench.upload $(BENCH_ARGS)

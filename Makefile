# One task runner for people and CI. `make demo` and `make test` install what they need.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: install browser demo migrate test unit service worker integration e2e lint diagrams task-api message-versions bench bench-long clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

install: $(BIN)/.installed

# The web view's test drives Debian's chromium (Playwright never downloads a browser here).
browser:
	@command -v chromium >/dev/null || { apt-get update -qq && apt-get install -y -qq chromium; }

demo: install  ## start every worker, run sample orders down every path, stop
	$(BIN)/saga-demo

migrate: install  ## bring every service's store up to date (the URLs of docs/configuration.md)
	$(BIN)/saga-migrate

test: install browser  ## every tier: unit, service, worker, integration, e2e
	$(BIN)/pytest

# One target per tier, selected by marker (tests/conftest.py gives each test its tier).
unit: install  ## pure tests: no broker, no database server
	$(BIN)/pytest -m unit

service: install  ## handlers and stores on real SQLite and PostgreSQL, no broker
	$(BIN)/pytest -m service

worker: install  ## a real Celery worker in the test process, on Redis database 6
	$(BIN)/pytest -m worker

integration: install browser  ## the worker tier and the whole platform (Redis, SQLite, PostgreSQL)
	$(BIN)/pytest -m "worker or integration"

e2e: install  ## the platform killed and restarted from outside: the chaos test
	$(BIN)/pytest -m e2e

lint: install  ## ruff, mypy and the import-linter contracts
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

diagrams: install  ## rewrite the saga diagrams in docs/architecture.md from the definitions
	$(BIN)/python -m orchestrator.docs_diagrams

message-versions: install  ## rewrite the versions table of docs/events.md from the catalog
	$(BIN)/python -m devtools.docs_message_versions

task-api: install  ## rewrite the read models' tables in docs/task-api.md from the models
	$(BIN)/python -m devtools.docs_task_api

bench: install  ## benchmarks against baselines in the same run (about 3.5 minutes)
	$(BIN)/python -m benchmarks

bench-long: install  ## the long mode: more sagas, cost growth up to 100,000 finished sagas
	$(BIN)/python -m benchmarks --long

clean:
	rm -rf $(VENV) var .mypy_cache .ruff_cache

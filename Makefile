# Entry point. `make run` serves the portal; `make test` runs the whole suite (see README.md).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
export PORT

.PHONY: run test install install-test system-packages services lint lock clean help

help:
	@echo "make run   - install everything, migrate, seed demo data, serve http://127.0.0.1:$(PORT) with Celery worker and beat"
	@echo "make test  - install everything, make sure PostgreSQL and Redis answer, lint, run the whole pytest suite"
	@echo "make lint  - ruff check, ruff format --check, lint-imports (the import contracts)"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip setuptools wheel

# Reinstall only when the declared dependencies change.
$(VENV)/.installed: $(BIN)/python pyproject.toml requirements.lock
	$(BIN)/pip install --quiet -c requirements.lock -e '.[test]'
	@touch $@

install: system-packages $(VENV)/.installed

system-packages:
	@bash scripts/system-packages.sh run

run: install
	@bash scripts/run.sh

install-test: install
	@bash scripts/system-packages.sh test

services:
	@bash scripts/services.sh

test: install-test lint services
	@bash scripts/test.sh $(PYTEST_ARGS)

# ruff, then the import contracts of pyproject.toml (docs/layout.md, Layers).
lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

# Refresh the exact versions after changing pyproject.toml.
lock: $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test,s3]'
	$(BIN)/pip freeze --exclude-editable | grep -v '^-e ' > requirements.lock

clean:
	rm -rf $(VENV) var/staticfiles

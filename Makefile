# Litso: `make run` starts the desk, `make test` runs the whole suite. Both set up what they need.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
export LITSO_DATA_DIR ?= $(CURDIR)/var

.PHONY: run test lint bench clean

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "Litso needs Python 3.11 or newer; set PYTHON=python3.11 (or newer)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.run-installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e .
	@touch $@

$(VENV)/.dev-installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e '.[dev]'
	@touch $@ $(VENV)/.run-installed

run: $(VENV)/.run-installed
	$(BIN)/litso run

test: $(VENV)/.dev-installed
	scripts/test-legs.sh

lint: $(VENV)/.dev-installed
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy
	LITSO_DATA_DIR=$$(mktemp -d) $(BIN)/litso manage check --fail-level ERROR
	LITSO_DATA_DIR=$$(mktemp -d) $(BIN)/litso manage makemigrations --check --dry-run

bench: $(VENV)/.dev-installed
	scripts/bench-all.sh

clean:
	rm -rf $(VENV) var bench/results .pytest_cache .mypy_cache .ruff_cache

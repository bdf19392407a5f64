# Two commands on a fresh machine with Python 3.11 and make:
#   make demo   install, load demo data into SQLite and run the service on :8000
#   make test   install and run the whole test suite (SQLite; PostgreSQL too when
#               TP_TEST_POSTGRES_URL is set)
PYTHON ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin
PYTEST_ARGS ?=

.PHONY: install demo test lint bench clean

$(BIN)/tp-bridge: setup.cfg pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

install: $(BIN)/tp-bridge

demo: install
	TP_DATABASE_URL=$${TP_DATABASE_URL:-sqlite:///var/demo.sqlite3} $(BIN)/tp-bridge demo

test: install
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/pytest -n 2 $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/lint-imports

bench: install
	$(BIN)/python bench/run_all.py

clean:
	rm -rf $(VENV) var .pytest_cache

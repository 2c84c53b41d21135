# Two commands matter: `make run` (install, translate, migrate, seed, index, serve) and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app app
PORT ?= 5000
# Two pytest workers, one per core; each worker gets its own database (tests/conftest.py).
PYTEST_ARGS ?= -n 2

.PHONY: install translations migrate seed run test lint bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $@

install: $(VENV)/.installed

translations: install
	$(FLASK) translate compile

migrate: translations
	$(FLASK) db upgrade

seed: migrate
	$(FLASK) seed demo
	$(FLASK) search reindex
	$(FLASK) opendata export

run: seed
	$(FLASK) run --host 127.0.0.1 --port $(PORT)

test: translations
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# ruff (pyproject.toml [tool.ruff]) and mypy (pyproject.toml [tool.mypy]) over app/; .ci/run runs it before the tests.
lint: install
	$(BIN)/ruff check app
	$(BIN)/mypy

bench: migrate
	$(BIN)/python -m tests.bench --walking
	$(BIN)/python -m tests.bench

clean:
	rm -rf $(VENV) instance/*.db instance/search-index instance/outbox .mypy_cache

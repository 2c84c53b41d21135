PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app app
PORT ?= 5000

.PHONY: install translations migrate run test bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

install: $(VENV)/.installed

translations: install
	$(FLASK) translate compile

migrate: translations
	$(FLASK) db upgrade

run: migrate
	$(FLASK) seed demo
	$(FLASK) search reindex
	$(FLASK) run --host 127.0.0.1 --port $(PORT)

test: translations
	$(BIN)/python -m pytest

bench: migrate
	$(BIN)/python -m tests.bench

clean:
	rm -rf $(VENV) instance/*.db instance/search-index

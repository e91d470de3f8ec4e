# Phòng Họp — the two commands of the README, and their set-up.
#   make run    set up, migrate, load the demo if the database is empty, serve on :8080
#   make test   set up, then lint and the whole test suite
#   make bench  set up, then the benchmarks in bench/ (not part of make test)

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP_PY := $(VENV)/.installed
STAMP_WEB := web/node_modules/.installed

.PHONY: setup run test lint bench system-deps clean

setup: $(STAMP_PY) $(STAMP_WEB)

$(PY):
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Phòng Họp cần Python 3.11 trở lên / needs Python 3.11 or newer")'
	$(PYTHON) -m venv $(VENV)

$(STAMP_PY): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	@touch $@

$(STAMP_WEB): web/package.json web/package-lock.json
	@command -v npm >/dev/null || { echo "Cần Node.js và npm / Node.js and npm are needed: apt-get install nodejs npm"; exit 1; }
	# Not `npm ci`: npm 11 leaves pdfjs-dist's optional native canvas (for Node only, not
	# browsers) half-recorded in the lock and then refuses it. `install` keeps the lock as
	# it is; optional packages and install scripts (which could download) are skipped.
	cd web && npm install --no-audit --no-fund --omit=optional --ignore-scripts --loglevel=error
	@touch $@

# Chromium (browser tests), poppler (PDF checks) and a Vietnamese serif font (PDFs):
# installed from Debian's packages when missing and this machine allows it.
system-deps:
	@scripts/system-deps

run: setup
	@scripts/system-deps --fonts-only
	$(PY) -m server serve --prepare

lint: setup
	$(VENV)/bin/ruff check server room_agent tests bench

test: setup system-deps lint
	$(PY) -m pytest

bench: setup
	@scripts/system-deps --bench || echo "nginx is missing: its rows are left out of the table"
	$(PY) -m bench

clean:
	rm -rf $(VENV) web/node_modules .pytest_cache .ruff_cache

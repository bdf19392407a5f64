# Two commands on a fresh machine with Python 3.11 and make:
#   make demo   install the service, load demo data into SQLite and run the service on :8000
#   make test   install with the test tools and run the whole test suite (SQLite; PostgreSQL too when
#               TP_TEST_POSTGRES_URL is set); the browser tests also need Debian's chromium,
#               which `make browser-deps` installs as root (nothing is downloaded at test time)
PYTHON ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin
PYTEST_ARGS ?=

.PHONY: install service system-deps browser-deps frontend frontend-deps demo test lint bench fleet clean messages

# weasyprint needs pango and fonts from the system, and subsets fonts 4x faster with
# libharfbuzz-subset0. As root on Debian/Ubuntu they are installed; otherwise we say what is missing.
SYSTEM_LIBS := libpango-1.0.so.0 libpangoft2-1.0.so.0 libharfbuzz-subset.so.0
SYSTEM_PKGS := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core

system-deps:
	@missing=""; for lib in $(SYSTEM_LIBS); do ldconfig -p | grep -q "$$lib" || missing="$$missing $$lib"; done; \
	fc-list 2>/dev/null | grep -q DejaVuSans || missing="$$missing fonts-dejavu"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "installing $(SYSTEM_PKGS) (missing:$$missing)"; \
	    apt-get install -y -q $(SYSTEM_PKGS) >/dev/null || { apt-get update -q >/dev/null && apt-get install -y -q $(SYSTEM_PKGS) >/dev/null; }; \
	  else \
	    echo "NOTE: missing$$missing; install the packages $(SYSTEM_PKGS) (PDF tickets need them)"; \
	  fi; \
	fi

# The browser tests (tests/browser) drive Debian's chromium through Playwright's own driver:
# `playwright install` is never run. As root on Debian/Ubuntu it is installed; otherwise we say so.
CHROMIUM := /usr/bin/chromium

browser-deps:
	@if [ ! -x $(CHROMIUM) ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "installing chromium (browser tests)"; \
	    apt-get install -y -q chromium >/dev/null || { apt-get update -q >/dev/null && apt-get install -y -q chromium >/dev/null; }; \
	  else \
	    echo "NOTE: $(CHROMIUM) is missing; install the package chromium (the browser tests need it)"; \
	  fi; \
	fi

# The door app's browser libraries (tp_api/web/frontend/package-lock.json: a QR decoder for
# browsers without BarcodeDetector, Ed25519 for those without it in WebCrypto) come from the
# npm registry here, at install time, and are served from our own static files with their
# licences; nothing is fetched at run time. As root on Debian/Ubuntu npm is installed.
FRONTEND := tp_api/web/frontend
VENDOR := tp_api/web/static/door/vendor

frontend-deps:
	@if ! command -v npm >/dev/null; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "installing npm (the door app's libraries)"; \
	    apt-get install -y -q npm >/dev/null || { apt-get update -q >/dev/null && apt-get install -y -q npm >/dev/null; }; \
	  else \
	    echo "NOTE: npm is missing; install it (the door app's QR decoder and Ed25519 fallbacks need it)"; \
	  fi; \
	fi

$(VENDOR)/.installed: $(FRONTEND)/package.json $(FRONTEND)/package-lock.json
	@command -v npm >/dev/null || { echo "NOTE: no npm: $(VENDOR) not filled"; exit 0; }; \
	npm ci --prefix $(FRONTEND) --ignore-scripts --no-audit --no-fund --loglevel=error && \
	mkdir -p $(VENDOR) && \
	cp $(FRONTEND)/node_modules/jsqr/dist/jsQR.js $(VENDOR)/jsQR.js && \
	cp $(FRONTEND)/node_modules/jsqr/LICENSE $(VENDOR)/jsQR.LICENSE && \
	cp $(FRONTEND)/node_modules/@noble/ed25519/index.js $(VENDOR)/noble-ed25519.js && \
	cp $(FRONTEND)/node_modules/@noble/ed25519/LICENSE $(VENDOR)/noble-ed25519.LICENSE && \
	touch $@

frontend: frontend-deps $(VENDOR)/.installed

# The service needs only its own requirements; the test tools (pytest, Playwright,
# schemathesis, ruff...) are the `dev` extras, installed on top by `make install`/`make test`.
$(VENV)/.service: setup.cfg pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.dev: $(VENV)/.service
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

service: system-deps frontend $(VENV)/.service

install: service $(VENV)/.dev

demo: service
	TP_DATABASE_URL=$${TP_DATABASE_URL:-sqlite:///var/demo.sqlite3} $(BIN)/tp-bridge demo

test: install browser-deps
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/mypy
	$(BIN)/pytest -n 2 $(PYTEST_ARGS)

# New sentences of the console into the Dutch catalogue (tp_api/web/translations), untranslated
# until someone writes their Dutch; the test suite fails while one has none.
messages: install
	$(BIN)/python -m tp_api.web.catalogue

lint: install
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/mypy

# Every table of docs/performance.md, one run each, stopping at the first failure (~30 min).
bench: install
	bench/measure_all.sh

# Two instances, two daemons, two outbox workers on one PostgreSQL and one Redis, one of each
# killed mid-load (tests/e2e/fleet.py); prints orders/s through one and two instances, the
# recovery times and every broken invariant (~4 min). A scratch database next to
# TP_FLEET_POSTGRES_URL's (default postgresql://postgres@127.0.0.1:5432/postgres), dropped after.
fleet: install
	$(BIN)/python -m tests.e2e.fleet

clean:
	rm -rf $(VENV) var .pytest_cache $(FRONTEND)/node_modules $(VENDOR)

# The two commands a newcomer needs: `make run` and `make test`. Everything else is a step of them.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
FLASK := $(BIN)/flask --app wsgi

.PHONY: run test install install-test assets translations compile-translations check-translations \
        db demo test-sqlite test-postgres chromium java redis pdf-libs bench bench-postgres wrk lighthouse lint \
        clean soak

## make run: install, build assets and catalogs, migrate SQLite, load demo data, serve.
## Email links point at the address actually served (never at the request's Host header).
run: install assets compile-translations db
	@echo "Serving on http://127.0.0.1:$(PORT) (Ctrl+C to stop)"
	HSM_BASE_URL=http://127.0.0.1:$(PORT) $(BIN)/gunicorn --bind 127.0.0.1:$(PORT) --workers 2 --limit-request-line 8190 wsgi:app

## make test: install what the tests need, then run the suite on SQLite and on PostgreSQL.
test: install-test assets compile-translations chromium java redis
	$(MAKE) test-sqlite
	$(MAKE) test-postgres

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

install: pdf-libs $(VENV)/.installed
install-test: $(VENV)/.installed-test

## Front-end assets come from the npm registry, pinned in package.json / package-lock.json.
node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --ignore-scripts
	touch $@

static/vendor/htmx.min.js: node_modules/.package-lock.json
	mkdir -p static/vendor
	cp node_modules/htmx.org/dist/htmx.min.js static/vendor/htmx.min.js

## Then every text file in static/ gets brotli and gzip copies (git-ignored), served by
## hsm/site.py to browsers that accept them; only stale copies are rewritten.
static/vendor/Sortable.min.js: node_modules/.package-lock.json
	mkdir -p static/vendor
	cp node_modules/sortablejs/Sortable.min.js static/vendor/Sortable.min.js

assets: static/vendor/htmx.min.js static/vendor/Sortable.min.js | install
	$(BIN)/python -m hsm.assets static

## make translations: extract every string and update the .po files (then translate them).
translations: install
	$(BIN)/python -m hsm.i18n_catalogs update
	$(BIN)/python -m hsm.i18n_catalogs compile

compile-translations: install
	$(BIN)/python -m hsm.i18n_catalogs compile

check-translations: install
	$(BIN)/python -m hsm.i18n_catalogs check

db: install compile-translations
	$(FLASK) db upgrade
	$(FLASK) hsm demo

chromium:
	@if [ ! -x /usr/bin/chromium ]; then \
	  echo "Installing Debian's chromium for the browser tests"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
	fi

## Redis (Debian's redis-server): the tests count the rate limits in a real one, started on a
## free loopback port by tests/conftest.py.
redis:
	@if ! command -v redis-server >/dev/null; then \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null; \
	fi

## WeasyPrint (the letters' PDFs) needs Pango, HarfBuzz's subsetter and a font from Debian;
## only the missing ones are installed.
PDF_LIBS := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core
pdf-libs:
	@missing=$$(for p in $(PDF_LIBS); do dpkg-query -W -f='$${Status}' $$p 2>/dev/null \
	  | grep -q 'install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian's $$missing for WeasyPrint"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	fi

## The Nu HTML validator (vnu.jar, from npm) runs on Debian's Java.
java:
	@if [ ! -x /usr/bin/java ]; then \
	  echo "Installing Debian's Java for the HTML validator"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq default-jre-headless; \
	fi

test-sqlite:
	HSM_PROFILE=test HSM_DATABASE_URL= $(BIN)/pytest -p no:cacheprovider

## The PostgreSQL pass leaves out what the database does not affect (real-browser tests; the
## validator skips itself there too), so each runs once.
test-postgres:
	HSM_PROFILE=test tests/tools/with-postgres.sh $(BIN)/pytest -p no:cacheprovider -m "not browser"

## make bench: throughput and latency under gunicorn, measured with wrk, the first load as
## served, then Lighthouse. Neither is part of make test.
bench: install-test assets compile-translations wrk
	$(BIN)/python -m tests.bench
	$(MAKE) lighthouse

## make bench-postgres: the same wrk scenarios and targets on a throwaway PostgreSQL server
## (tests/tools/with-postgres.sh, as make test-postgres), which is what production runs.
bench-postgres: install-test assets compile-translations wrk
	tests/tools/with-postgres.sh sh -c 'BENCH_DATABASE_URL="$$HSM_DATABASE_URL" $(BIN)/python -m tests.bench'

wrk:
	@command -v wrk >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk)

## make lighthouse: Lighthouse (mobile) on /uk/, /amsterdam/report and /safe-contacts under
## gunicorn (production profile); fails below 100 in performance, accessibility, best practices.
lighthouse: install-test assets compile-translations chromium
	$(BIN)/python -m tests.bench.lighthouse

## make soak: two gunicorn instances sharing a throwaway PostgreSQL and Redis, 1,000 report
## submissions at concurrency 50 with a worker killed, PostgreSQL restarted and the SMTP sink
## stopped mid-load; prints each count (tests/soak). A script, not part of make test.
soak: install-test assets compile-translations redis
	$(BIN)/python -m tests.soak

lint: install-test
	$(BIN)/ruff check hsm tests

clean:
	rm -rf $(VENV) node_modules static/vendor .pytest_cache

# Set-up and everyday commands. `make run` and `make test` do everything on a fresh machine.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip
STAMP := $(VENV)/.installed-stamp
SYSTEM_STAMP := $(VENV)/.system-stamp
AXE := node_modules/axe-core/axe.min.js
PORT ?= 8000
MANAGE := $(PY) manage.py
PYTEST := $(VENV)/bin/pytest
PYTEST_ARGS ?=

.PHONY: help install system-deps lint format check test test-sqlite test-postgres test-browser \
	demo run serve-prod loadtest bench messages clean

help:
	@echo "make run        - set up (venv, dependencies, database, demo data) and serve on http://127.0.0.1:$(PORT)"
	@echo "make test       - set up, then lint, checks and the test suite: on SQLite and on PostgreSQL, the browser journeys on PostgreSQL"
	@echo "make test-sqlite | test-postgres | test-browser   - one leg of the suite (PYTEST_ARGS='-k ...' narrows it)"
	@echo "make serve-prod - production settings on gunicorn + the tasks worker, http://127.0.0.1:$(PORT)"
	@echo "make loadtest   - a bounded load test of serve-prod on 127.0.0.1 (results in bench-results/)"
	@echo "                  MODE=capacity make loadtest: active trainees one server holds (p95 of pages <= 500 ms)"
	@echo "make bench      - page, quiz and report benchmarks with ratios to their baselines"
	@echo "make demo       - migrate and load the demo data"
	@echo "make lint | format | check | messages | clean"

$(PY):
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11+ is required"'
	$(PYTHON) -m venv $(VENV)

# The lock is the whole environment (`pip freeze --exclude-editable`); the
# project itself runs from the work tree and is not installed into the venv.
$(STAMP): requirements.lock pyproject.toml | $(PY)
	$(PIP) install --quiet --disable-pip-version-check -r requirements.lock
	@touch $@

install: $(STAMP)

# Debian packages: chromium, postgresql, gettext, npm (apt-get update once, only
# when something is missing). Without root it warns; under CI=true it fails.
$(SYSTEM_STAMP): scripts/system-deps.sh | $(PY)
	scripts/system-deps.sh --stamp $@

system-deps: $(SYSTEM_STAMP)

# axe-core for the accessibility checks, pinned in package-lock.json.
$(AXE): package.json package-lock.json | $(SYSTEM_STAMP)
	@if command -v npm >/dev/null; then \
		npm ci --no-audit --no-fund --loglevel=error && touch $@; \
	else \
		echo "WARNING: npm is missing: accessibility checks cannot run" >&2; \
		if [ "$$CI" = true ]; then exit 1; fi; \
	fi

lint: install
	$(PY) scripts/check_lock.py
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/ruff check .
	git ls-files '*.html' | xargs $(VENV)/bin/djhtml --check

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .
	git ls-files '*.html' | xargs $(VENV)/bin/djhtml

check: install
	DJANGO_SETTINGS_MODULE=config.settings.test $(MANAGE) check
	DJANGO_SETTINGS_MODULE=config.settings.test $(MANAGE) makemigrations --check --dry-run
	DJANGO_SETTINGS_MODULE=config.settings.production \
		DJANGO_SECRET_KEY="$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(50))')" \
		$(MANAGE) check --deploy --fail-level WARNING

# The suite in three legs, each its own pytest run with its own test database:
#   test-sqlite    every test but the browser journeys, on SQLite;
#   test-postgres  the same tests on a throwaway PostgreSQL server
#                  (scripts/with-postgres.sh), plus what needs PostgreSQL;
#   test-browser   the browser journeys (tests/e2e, marked `browser`), once, on
#                  PostgreSQL, the database production runs on.
# Every test runs in at least one leg, and none on SQLite alone. `make test`
# runs lint, check and the three legs at once: that keeps a 2-core machine
# busy (one after the other, the suite with every journey run twice took 9
# minutes; see docs/testing.md).
#
# pytest exits 5 when it runs no test: a failure for a whole leg, but not when
# PYTEST_ARGS narrowed the run to tests that all live in other legs.
NARROWED := $(if $(strip $(PYTEST_ARGS)),true,false)
define run_leg
	status=0; $(1) $(PYTEST_ARGS) || status=$$?; \
	if [ $$status -eq 5 ] && $(NARROWED); then \
		echo "$@: no test in this leg matches PYTEST_ARGS"; status=0; \
	fi; exit $$status
endef

# nice: the SQLite leg is the shortest; when the legs run at once it leaves the
# CPU to the two PostgreSQL ones, the longest, and runs in their gaps.
test-sqlite: install $(SYSTEM_STAMP)
	$(call run_leg,nice -n 10 $(PYTEST) -m "not browser")

test-postgres: install $(SYSTEM_STAMP)
	$(call run_leg,PG_OPTIONAL=1 scripts/with-postgres.sh $(PYTEST) -m "not browser")

test-browser: install $(SYSTEM_STAMP) $(AXE)
	$(call run_leg,PG_OPTIONAL=1 scripts/with-postgres.sh $(PYTEST) -m browser)

# Each job's output comes in one piece, when that job ends.
test: install
	@echo "test: lint, check and the three legs run at once; each prints its output when it ends"
	@$(MAKE) --no-print-directory -j5 --output-sync=target \
		lint check test-sqlite test-postgres test-browser

demo: install
	$(MANAGE) migrate --no-input
	$(MANAGE) load_demo_data

run: demo
	$(MANAGE) runserver 127.0.0.1:$(PORT)

# Production settings on gunicorn with the tasks worker, over plain HTTP on
# 127.0.0.1; a throwaway PostgreSQL unless DATABASE_URL is set.
serve-prod: install $(SYSTEM_STAMP)
	PORT=$(PORT) scripts/serve-prod.sh

loadtest: install $(SYSTEM_STAMP)
	loadtest/run.sh

# Our own strings only: tests/ and vendor_locale/ hold allauth/Wagtail msgids.
messages: install
	$(MANAGE) makemessages -l vi --no-obsolete --ignore=.venv --ignore=static \
		--ignore=node_modules --ignore=vendor_locale --ignore=e2e-artifacts --ignore=tests
	$(MANAGE) compilemessages -l vi --ignore=.venv --ignore=node_modules --ignore=vendor_locale

# Server-side speed, each figure next to its baseline; every script prints a
# table and exits non-zero when it misses a target. All three always run.
bench: install
	@status=0; \
	for script in bench/run.py bench/quizzes_bench.py bench/report_bench.py; do \
		echo "== $$script"; $(PY) $$script || status=1; \
	done; exit $$status

clean:
	rm -rf $(VENV) static .test-media .test-private node_modules e2e-artifacts

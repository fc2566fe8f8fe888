# Set-up and everyday commands. `make run` and `make test` do everything on a fresh machine.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip
STAMP := $(VENV)/.installed-stamp
PORT ?= 8000
MANAGE := $(PY) manage.py
PYTEST_ARGS ?=

.PHONY: help install lint format check test test-sqlite demo run messages clean

help:
	@echo "make run    - set up (venv, dependencies, database, demo data) and serve on http://127.0.0.1:$(PORT)"
	@echo "make test   - set up, then lint, checks and the whole test suite"
	@echo "make demo   - migrate and load the demo data"
	@echo "make lint | format | check | messages | clean"

$(PY):
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11+ is required"'
	$(PYTHON) -m venv $(VENV)

$(STAMP): requirements.lock pyproject.toml | $(PY)
	$(PIP) install --quiet --disable-pip-version-check -r requirements.lock
	$(PIP) install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	@touch $@

install: $(STAMP)

lint: install
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

test-sqlite: install
	$(VENV)/bin/pytest $(PYTEST_ARGS)

test: lint check test-sqlite

demo: install
	$(MANAGE) migrate --no-input
	$(MANAGE) load_demo_data

run: demo
	$(MANAGE) runserver 127.0.0.1:$(PORT)

messages: install
	$(MANAGE) makemessages -l vi --ignore=.venv --ignore=static --no-obsolete
	$(MANAGE) compilemessages -l vi --ignore=.venv

clean:
	rm -rf $(VENV) static .test-media

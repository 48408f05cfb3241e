# CJK City Exchange Portal — the two commands a newcomer needs are `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
DEV_ENV := DJANGO_DEBUG=1 DJANGO_SECRET_KEY=dev-only-not-secret

.PHONY: run test lint fmt venv dev-venv migrate demo superuser clean

$(VENV)/bin/activate:
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

$(VENV)/.installed: $(VENV)/bin/activate requirements.txt
	$(PIP) install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed requirements-dev.txt
	$(PIP) install --quiet -r requirements-dev.txt
	touch $@

venv: $(VENV)/.installed
dev-venv: $(VENV)/.installed-dev

## run: set up (venv, install, migrate, demo data, admin user) and serve on 127.0.0.1:8000
run: venv
	$(DEV_ENV) $(PY) manage.py migrate --no-input
	$(DEV_ENV) $(PY) manage.py load_demo
	$(DEV_ENV) $(PY) manage.py ensure_admin
	$(DEV_ENV) $(PY) manage.py runserver 127.0.0.1:8000

## test: set up the dev venv, check migrations, lint, and run the whole suite
test: dev-venv
	$(DEV_ENV) $(PY) manage.py makemigrations --check --dry-run
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(DEV_ENV) $(VENV)/bin/pytest

## lint: ruff lint and format check
lint: dev-venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

## fmt: apply ruff fixes and formatting
fmt: dev-venv
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache

## bench: load-test against the framework ceiling and time the 100,000-tie import (tests/bench/README.md)
bench: dev-venv
	$(PY) tests/bench/run.py $(BENCH_ARGS)

.PHONY: bench

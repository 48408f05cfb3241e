# CJK City Exchange Portal — the two commands a newcomer needs are `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
DEV_ENV := DJANGO_DEBUG=1 DJANGO_SECRET_KEY=dev-only-not-secret
CHROMIUM ?= /usr/bin/chromium

.PHONY: run test lint fmt venv dev-venv migrate demo superuser clean messages serve test-browser test-load test-standards lighthouse

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
	$(DEV_ENV) $(VENV)/bin/lint-imports
	$(DEV_ENV) $(VENV)/bin/pytest -m "not browser"
	@test -x $(CHROMIUM) && echo "Browser journeys: not part of make test; run make test-browser." \
	  || echo "Browser journeys skipped: Chromium is not installed at $(CHROMIUM) (apt-get install chromium fonts-noto-cjk, then make test-browser)."

## lint: ruff lint and format check, and the import contracts (pyproject.toml)
lint: dev-venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(DEV_ENV) $(VENV)/bin/lint-imports

## fmt: apply ruff fixes and formatting
fmt: dev-venv
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

## serve: the production profile locally: collectstatic, migrate, gunicorn on 127.0.0.1:8000
## (DEBUG off, whitenoise with compressed hashed files, JSON logs). Plain HTTP here, so secure
## cookies, the HTTPS redirect and HSTS are off unless set; a secret key is made per run if unset.
serve: venv
	export DJANGO_DEBUG=0 \
	  DJANGO_ALLOWED_HOSTS="$${DJANGO_ALLOWED_HOSTS:-127.0.0.1,localhost}" \
	  DJANGO_SECRET_KEY="$${DJANGO_SECRET_KEY:-$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(50))')}" \
	  DJANGO_SECURE_COOKIES="$${DJANGO_SECURE_COOKIES:-0}" \
	  DJANGO_SSL_REDIRECT="$${DJANGO_SSL_REDIRECT:-0}" \
	  DJANGO_HSTS_SECONDS="$${DJANGO_HSTS_SECONDS:-0}" && \
	$(PY) manage.py collectstatic --no-input --verbosity 0 && \
	$(PY) manage.py migrate --no-input && \
	exec $(VENV)/bin/gunicorn -c gunicorn.conf.py

## messages: regenerate the zh-hans, ja and ko catalogs from the code, keep every existing
## translation (python -m exchangeportal.infra.catalog carry), compile them and check them (needs gettext)
LANGS := -l zh_Hans -l ja -l ko
MESSAGES_IGNORE := --ignore=.venv --ignore=tests --ignore=staticfiles --ignore=media
messages: dev-venv
	$(DEV_ENV) $(PY) manage.py makemessages $(LANGS) $(MESSAGES_IGNORE) --no-obsolete --add-location=file
	$(PY) -m exchangeportal.infra.catalog carry
	$(DEV_ENV) $(PY) manage.py compilemessages $(LANGS) --ignore=.venv
	$(DEV_ENV) $(VENV)/bin/pytest -q tests/exchangeportal/test_translations.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache

## bench: load-test against the framework ceiling and time the 100,000-tie import (tests/bench/README.md)
bench: dev-venv
	$(PY) tests/bench/run.py $(BENCH_ARGS)

.PHONY: bench

## test-browser: the real-browser journeys (Playwright driving $(CHROMIUM), never a downloaded
## browser) against a live server with the demo data; screenshots land in artifacts/screenshots/;
## and the standards checks (tests/browser/test_standards.py): axe-core on every page pattern,
## the W3C Nu HTML checker (npm's vnu-jar, run by the machine's Java) on the same pages
test-browser: dev-venv node_modules/.installed
	$(DEV_ENV) BROWSER_TESTS_CHROMIUM=$(CHROMIUM) $(VENV)/bin/pytest -m browser tests/browser

## test-standards: only the standards checks of test-browser
test-standards: dev-venv node_modules/.installed
	$(DEV_ENV) BROWSER_TESTS_CHROMIUM=$(CHROMIUM) $(VENV)/bin/pytest -m browser tests/browser/test_standards.py

# The Nu HTML checker's jar, pinned in package.json and package-lock.json (its install script,
# which would fetch a Java of its own, is not run: the machine's Java runs it).
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --ignore-scripts
	touch $@

## lighthouse: Lighthouse 12 (npx, the machine's Node) on home, directory, a place page and the
## map of a running server (LIGHTHOUSE_BASE, default http://127.0.0.1:8000); reports in artifacts/lighthouse/
LIGHTHOUSE_BASE ?= http://127.0.0.1:8000
LIGHTHOUSE_PAGES := /en/ /en/cities/ /en/cities/yangzhou/ /en/network/
lighthouse:
	mkdir -p artifacts/lighthouse
	for path in $(LIGHTHOUSE_PAGES); do \
	  name=$$(echo "$$path" | tr -c 'a-z0-9\n' '-' | sed 's/^-*//; s/-*$$//'); \
	  CHROME_PATH=$(CHROMIUM) npx --yes lighthouse@12.2.3 "$(LIGHTHOUSE_BASE)$$path" --quiet \
	    --only-categories=accessibility,best-practices,performance,seo \
	    --chrome-flags="--headless=new --no-sandbox --disable-gpu" \
	    --output=json --output=html --output-path="artifacts/lighthouse/$${name:-home}" || exit 1; \
	  node -e 'const r=require(process.argv[1]);console.log(process.argv[2], Object.values(r.categories).map(c=>c.id+" "+Math.round(c.score*100)).join(", "))' \
	    "$$PWD/artifacts/lighthouse/$${name:-home}.report.json" "$$path"; \
	done

## test-load: concurrency and load against gunicorn + PostgreSQL (LOAD_DATABASE_URL, default
## the database portal_load on 127.0.0.1), bounded by LOAD_TIMEOUT seconds; then two gunicorns
## behind nginx sharing PostgreSQL and Redis (tests/load/servers.py; needs nginx)
test-load: dev-venv
	$(PY) tests/load/run.py
	$(PY) tests/load/servers.py

# Harbour: `make run` to try it, `make test` to check it. See README.md.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
PYTHON ?= python3
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install run test lint typecheck pytest browser-deps bench serve-prod worker messages clean backup restore-check

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	$(PIP) install -q -e '.[dev]'
	touch $@

# Migrate a SQLite database under var/, load the demo data, print the admin login, then
# serve the site and run the task worker together; Ctrl-C stops both. The login is printed
# again once the worker's first burst of log lines (Wagtail's indexing) has scrolled by.
# `make run PORT=8011` (or HOST=...) moves everything: SITE_URL (links in e-mails, the
# printed admin address) and the Wagtail Site's host and port (canonical links, og:url,
# the sitemap) follow it, unless SITE_URL is set in the environment.
SITE_URL ?= http://$(HOST):$(PORT)
DEV := DJANGO_SETTINGS_MODULE=harbour.settings.dev SITE_URL=$(SITE_URL)
run: install
	mkdir -p var/mail var/media
	$(DEV) $(PY) manage.py migrate --noinput
	$(DEV) $(PY) manage.py load_demo
	$(DEV) $(PY) manage.py create_admin
	@echo "Serving on $(SITE_URL)/ with a task worker; e-mail goes to var/mail/. Ctrl-C stops both."
	@trap 'kill 0' INT TERM EXIT; \
	  $(DEV) $(PY) manage.py dev_worker --queue-name default & \
	  (sleep 12 && $(DEV) $(PY) manage.py create_admin) & \
	  $(DEV) $(PY) manage.py runserver $(HOST):$(PORT); \
	  wait

# Debian's chromium for the Playwright tests (Playwright's own browser download cannot work
# here), and pango and fonts for the PDF of a statement (weasyprint): Noto CJK so that a
# statement in Traditional Chinese prints its characters, not empty boxes.
SYSTEM_PACKAGES := chromium fonts-dejavu-core fonts-noto-cjk libpango-1.0-0 libpangoft2-1.0-0
browser-deps:
	@if ! command -v chromium >/dev/null 2>&1 || ! ldconfig -p | grep -q libpangoft2 \
	    || ! fc-list 2>/dev/null | grep -q "Noto Sans CJK"; then \
	  echo "Installing $(SYSTEM_PACKAGES) with apt-get"; \
	  DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(SYSTEM_PACKAGES) >/dev/null; fi

lint: install
	$(VENV)/bin/ruff check harbour tests bench
	$(VENV)/bin/ruff format --check harbour tests bench
	$(VENV)/bin/lint-imports

typecheck: install
	$(VENV)/bin/mypy harbour

# The whole suite: on PostgreSQL when DATABASE_URL is set, on SQLite otherwise.
test: install browser-deps lint typecheck
	mkdir -p var
	DJANGO_SETTINGS_MODULE=harbour.settings.test $(PY) manage.py check
	DJANGO_SETTINGS_MODULE=harbour.settings.test $(PY) manage.py makemigrations --check --dry-run
	$(VENV)/bin/pytest -q

bench: install
	$(PY) bench/run.py

# Production: gunicorn with deploy/gunicorn.conf.py; secrets come from the environment.
serve-prod: install
	DJANGO_SETTINGS_MODULE=harbour.settings.production $(PY) manage.py migrate --noinput
	DJANGO_SETTINGS_MODULE=harbour.settings.production $(PY) manage.py collectstatic --noinput
	DJANGO_SETTINGS_MODULE=harbour.settings.production $(VENV)/bin/gunicorn -c deploy/gunicorn.conf.py harbour.wsgi

worker: install
	DJANGO_SETTINGS_MODULE=harbour.settings.production $(PY) manage.py task_worker --queue-name default

# PostgreSQL backups (deploy/backup.sh; DATABASE_URL and HARBOUR_BACKUP_ENCRYPT from the
# environment), and a check that the latest one restores with every row (docs/deploy.md).
BACKUPS ?= var/backups
backup:
	bash deploy/backup.sh $(BACKUPS)

restore-check:
	bash deploy/restore-check.sh $(BACKUPS)

# Refresh translation catalogues (needs GNU gettext) and compile them.
messages: install
	cd harbour && ../$(PY) ../manage.py makemessages -l fr -l zh_Hant --ignore 'static/*'
	cd harbour && ../$(PY) ../manage.py compilemessages

clean:
	rm -rf $(VENV) var/harbour.sqlite3* var/media var/mail

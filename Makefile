# Two commands do everything on a fresh machine: `make run` and `make test`.
VENV    := .venv
PY      := $(VENV)/bin/python
SESIM   := $(VENV)/bin/sesim
PG_URL  ?= postgresql://postgres@127.0.0.1:5432/test
RUN_ENV := SESIM_DEV=true SESIM_PLUGINS=map,stories,export,alerts,webhooks
PYTEST_ARGS ?=

.PHONY: run test install lint test-sqlite test-postgres chromium translations clean

$(VENV)/.installed: setup.cfg pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@

install: $(VENV)/.installed

run: install
	$(RUN_ENV) $(SESIM) init
	$(RUN_ENV) $(SESIM) demo
	$(RUN_ENV) $(SESIM) run --host 127.0.0.1 --port 5000

# Debian's chromium for the browser tests; Playwright never downloads a browser of its own.
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "installing Debian's chromium for the browser tests"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

lint: install
	$(VENV)/bin/ruff check .

test-sqlite: install chromium
	$(VENV)/bin/pytest $(PYTEST_ARGS)

test-postgres: install chromium
	@if $(PY) -c "import psycopg; psycopg.connect('$(PG_URL)', connect_timeout=3).close()" 2>/dev/null; then \
	  echo "== PostgreSQL: $(PG_URL)"; \
	  SESIM_TEST_DATABASE_URL=$(PG_URL) $(VENV)/bin/pytest $(PYTEST_ARGS); \
	else echo "== PostgreSQL at $(PG_URL) is not reachable: skipped"; fi

test: lint test-sqlite test-postgres

# Bring every az/ru catalogue (core, admin, stats, each plugin) in line with the code: new messages
# are appended for translators, unused ones removed (core/catalogues.py; tests/test_i18n.py checks).
translations: install
	$(PY) -m core.catalogues

clean:
	rm -rf $(VENV) instance .pytest_cache

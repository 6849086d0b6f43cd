# The two commands of the README: `make run` and `make test`. Everything else is what they need.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
FLASK := $(VENV)/bin/flask --app app
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test setup install install-dev translations lint format bench bench-quick clean

run: setup ## Start the site at http://127.0.0.1:5000 with demo data
	@echo "Starting the registry at http://$(HOST):$(PORT)/ (Ctrl-C to stop)"
	$(FLASK) run --host $(HOST) --port $(PORT)

test: install-dev translations ## Run the whole test suite (SQLite, or TEST_DATABASE_URL)
	$(PY) -m pytest -n 2 -q

setup: install instance/config.py translations
	$(FLASK) db upgrade
	$(FLASK) gi standards-sync
	$(FLASK) gi keys-init
	$(FLASK) gi seed-demo

install: $(VENV)/.runtime-installed
install-dev: $(VENV)/.dev-installed

$(VENV)/.runtime-installed: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev-installed: requirements-dev.txt $(VENV)/.runtime-installed
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

# A random secret key on first run; never committed (instance/ is ignored).
instance/config.py:
	mkdir -p instance
	$(PYTHON) -c "import secrets; print('SECRET_KEY = ' + repr(secrets.token_hex(32)))" > $@
	chmod 600 $@

translations: install
	$(PY) -m gi_registry.i18n

lint: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install-dev
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

# The benchmark (bench/run.py): SQLite, and PostgreSQL when DATABASE_URL names a server (it
# creates the database gi_bench there). The first run builds the databases (~2 min each).
bench: install
	$(PY) -m bench.run

bench-quick: install ## The same on a small database with short runs (~3 min)
	$(PY) -m bench.run --quick

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache

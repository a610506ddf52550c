# Serialdesk: `make run` serves the app with demo data, `make test` runs every test.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test test-e2e lint bench browser clean

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
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

test: $(VENV)/.installed-dev
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

bench: $(VENV)/.installed-dev
	$(BIN)/python -m bench.serials_add
	$(BIN)/python -m bench.sale_create
	$(BIN)/python -m bench.serial_lookup

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache .mypy_cache

# SalonBook — the two commands: `make run` and `make test`.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
PORT ?= 8000

.PHONY: run test bench lint format venv worker clean

$(VENV)/.installed: pyproject.toml
	@set -e; if [ ! -x $(PY) ]; then \
		interp=$$(scripts/find-python); \
		echo "Creating $(VENV) with $$interp"; \
		"$$interp" -m venv $(VENV); \
	fi
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	@touch $@

venv: $(VENV)/.installed

run: venv
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	$(PY) manage.py seed_demo_loyalty
	$(PY) manage.py seed_demo_referrals
	$(PY) manage.py seed_demo_packages
	PORT=$(PORT) scripts/run-dev

test: venv
	$(PY) -m pytest $(PYTEST_ARGS)

bench: venv
	$(PY) -m bench

lint: venv
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/ruff check .

format: venv
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

clean:
	rm -rf $(VENV) var

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

# Seeding records the demo's notices (confirmations, reminders…) in the delivery log without
# printing dozens of e-mails: their delivery runs inside the seed command, to nowhere.
SEED := CELERY_TASK_ALWAYS_EAGER=true EMAIL_URL=dummymail:// LOG_LEVEL=WARNING \
	SMS_BACKEND=notices.sms.FileSmsBackend $(PY) manage.py

# PORT is exported so links in notices (SITE_URL) follow the port served.
run: export PORT := $(PORT)
run: venv
	$(PY) manage.py migrate --noinput
	$(SEED) seed_demo
	$(SEED) seed_demo_loyalty
	$(SEED) seed_demo_referrals
	$(SEED) seed_demo_packages
	$(SEED) seed_demo_staff
	$(SEED) seed_demo_segments
	$(SEED) seed_demo_payments
	scripts/run-dev

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

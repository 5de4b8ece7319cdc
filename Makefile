# nodestash: developer entry points. `make run` and `make test` are the README's quick start.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test fuzz lint format check-deploy bench-ratelimit bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)

$(VENV)/.installed: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

## Install, migrate the embedded SQLite database, print a demo workspace key, serve on :8000.
run: $(VENV)/.installed
	DEBUG=1 $(BIN)/python manage.py migrate --no-input
	DEBUG=1 $(BIN)/python manage.py demo_workspace --base-url http://$(HOST):$(PORT)
	DEBUG=1 $(BIN)/python manage.py runserver $(HOST):$(PORT)

## Install and run the whole test suite (PostgreSQL/Redis when DATABASE_URL/REDIS_URL are set),
## one pytest worker per core.
test: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/pytest -n auto

## Deep schema fuzzing (tests/test_fuzz.py with many examples; PostgreSQL when DATABASE_URL is set).
FUZZ_EXAMPLES ?= 100
fuzz: $(VENV)/.installed
	FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(BIN)/pytest -q tests/test_fuzz.py

lint: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.installed
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

## `manage.py check --deploy` with production settings (DEBUG off, a real secret).
check-deploy: $(VENV)/.installed
	SECRET_KEY=$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(50))') ALLOWED_HOSTS=api.example.com \
		$(BIN)/python manage.py check --deploy --fail-level WARNING

## The rate limiter's cost per request (time, Redis round trips) against throttling off, in process and over
## gunicorn; set REDIS_URL for Redis, DATABASE_URL for PostgreSQL. See docs/rate-limits.md ("Cost").
bench-ratelimit: $(VENV)/.installed
	DEBUG=1 $(BIN)/python manage.py migrate --no-input
	DEBUG=1 $(BIN)/python manage.py bench_ratelimit

## Load benchmark over HTTP: PostgreSQL + Redis + gunicorn as in production, wrk (installed if missing),
## the API beside its floor; prints the table and writes benchmarks/results/. See benchmarks/README.md.
## Options: make bench BENCH_ARGS="--million" (or --contacts N, --duration S, --help).
BENCH_ARGS ?=
bench: $(VENV)/.installed
	command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk; }
	$(BIN)/python -m benchmarks.run $(BENCH_ARGS)

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache

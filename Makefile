# The two commands of the README. Everything else is a detail of these.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000
# The packages mypy checks (with django-stubs) in `make test`: the platform layer and every new app.
MYPY_PACKAGES := -p smartcity.lib -p smartcity.places -p smartcity.agencies -p smartcity.audit -p smartcity.jobs \
                 -p smartcity.ops -p smartcity.demo -p smartcity.ioc -p smartcity.feedback

.PHONY: run test install install-dev lint bench-population bench-dossiers bench-submission bench-signing bench-aqi bench-aqi-forecast bench-sensing-queries bench-sensing-ingest bench-audit bench-ratelimit bench-interop bench-ioc bench-feedback bench-opendata bench-admission

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

install: $(BIN)/python
	$(BIN)/pip install --quiet -e .

## install-dev also installs the browser proof's JavaScript (axe-core, pinned in package-lock.json) with npm when npm
## is there; without it the axe checks of src/smartcity/portal/tests/test_every_page.py skip, saying why
install-dev: $(BIN)/python
	$(BIN)/pip install --quiet -e ".[dev]"
	@if command -v npm >/dev/null 2>&1; then npm ci --no-audit --no-fund --loglevel=error; \
	  else echo "npm not found: skipping axe-core (node_modules/); the browser tests' axe-core checks will skip"; fi

## run: install, migrate, load the Hà Nội demo data, serve on http://127.0.0.1:8000 (SQLite under var/) with one
## job worker running the periodic schedule beside it (its log in var/jobs-worker.log; stopped with the server)
run: install
	$(BIN)/smartcity migrate --no-input -v 0
	$(BIN)/smartcity demo load
	@echo "Background jobs: a worker with the periodic schedule, log in var/jobs-worker.log"
	$(BIN)/smartcity jobs worker --beat --concurrency 1 > var/jobs-worker.log 2>&1 & worker=$$!; \
	  trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	  $(BIN)/smartcity runserver $(HOST):$(PORT)

## test: install, lint (ruff, import contracts, mypy, migrations in step with the models), and run the whole suite on
## SQLite, then on PostgreSQL when SMARTCITY_TEST_POSTGRES_URL is set
test: install-dev
	scripts/ensure-system-packages
	$(BIN)/ruff check src bench
	$(BIN)/lint-imports
	$(BIN)/mypy $(MYPY_PACKAGES)
	$(BIN)/smartcity makemigrations --check --dry-run -v 1
	scripts/test-suite

## bench-population: the population import and look-up benchmarks (needs PostgreSQL, see README)
bench-population: install-dev
	$(BIN)/python bench/population_import.py
	$(BIN)/python bench/population_lookup.py

## bench-dossiers: a month's statistics over 5 million dossiers vs the same figures counted in Python (PostgreSQL)
bench-dossiers: install-dev
	$(BIN)/python bench/dossier_statistics.py

## bench-submission: dossier submission through the API at 16 concurrent clients vs GET /api/v1/health (gunicorn, PostgreSQL)
bench-submission: install-dev
	$(BIN)/python bench/dossier_submission.py

## bench-signing: sign and verify 1,000 result PDFs through our services vs pyHanko directly
bench-signing: install-dev
	$(BIN)/python bench/signing.py

## bench-aqi: hourly and daily VN_AQI for 1,000 stations × 1 year vs a per-reading pure-Python implementation
bench-aqi: install-dev
	$(BIN)/python bench/aqi.py

## bench-sensing-queries: latest values of 10,000 datastreams and one month of one, from 100 million observations (PostgreSQL)
bench-sensing-queries: install-dev
	$(BIN)/python bench/sensing_queries.py

## bench-aqi-forecast: next-24-hour AQI forecast per station vs persistence on held-out days
bench-aqi-forecast: install-dev
	$(BIN)/python bench/aqi_forecast.py

## bench-sensing-ingest: 1 million observations through the HTTP batch path and through MQTT vs raw COPY (PostgreSQL, Mosquitto)
bench-sensing-ingest: install-dev
	$(BIN)/python bench/sensing_ingest.py

## bench-audit: audit appends/s with the keyed chain vs the old unkeyed SHA-256 chain, and one checkpoint (PostgreSQL)
bench-audit: install-dev
	$(BIN)/python bench/audit_append.py

## bench-ratelimit: GET /api/v1/track/{unknown code} with the tracking limit counting in Redis vs off, same run (gunicorn, PostgreSQL, Redis)
bench-ratelimit: install-dev
	$(BIN)/python bench/ratelimit.py

## bench-interop: gateway residence verification (token, consent, log + audit) vs a bare bearer-authenticated endpoint, 16 clients (gunicorn, PostgreSQL)
bench-interop: install-dev
	$(BIN)/python bench/interop_gateway.py

## bench-ioc: the operations centre's summary (every tile) over 5 million dossiers and the sensing tables vs no indexes/no summary row (PostgreSQL)
bench-ioc: install-dev
	$(BIN)/python bench/ioc_summary.py

## bench-feedback: Open311 GET requests over 1 million reports vs the bare SQL; report submission with a 2 MB photo at 16 clients vs without
bench-feedback: install-dev
	$(BIN)/python bench/feedback.py

## bench-opendata: a 10-million-row CSV download vs COPY TO STDOUT, and package_search p95 over 5,000 datasets (PostgreSQL)
bench-opendata: install-dev
	$(BIN)/python bench/opendata_download.py
	$(BIN)/python bench/ckan_search.py

## bench-admission: grade-10 allocation vs the matching package's HospitalResident (identical matchings); applications at 16 clients vs GET /population/me (gunicorn, PostgreSQL)
bench-admission: install-dev
	$(BIN)/python bench/admission.py
	$(BIN)/python bench/admission_apply.py

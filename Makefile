# Quick start: `make demo` (builds the demo on SQLite under var/, then serves the staff application on
# http://127.0.0.1:8000/ until Ctrl-C; `make demo SERVE=no` only builds it) and `make test` (the whole suite).
# Both create .venv when missing and reinstall only when pyproject.toml, setup.py or the compiled X12 loops'
# source changed.
# `make test-ahead` runs the tests that reach the clock with "today" more than a year ahead (CI runs both).

PYTHON ?= $(shell for p in python3.13 python3.12 python3.11 python3; do \
	command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null \
	&& echo $$p && break; done)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# The default database: after make demo every command reads it without --db.
DEMO_DB ?= sqlite:///var/dermbill.db
DEMO_OUT ?= var/demo
DEMO_PORT ?= 8000
# make demo SERVE=no: build the demo and return (for scripts) instead of serving it.
SERVE ?= yes
# Test processes (pytest-xdist): one per core by default; WORKERS=0 runs the tests in this process.
WORKERS ?= auto
AHEAD_DAYS ?= 400
# make fuzz: how many mutated 835s the era target posts, and the mutations' seed.
ERA_RUNS ?= 10000
FUZZ_SEED ?= 0
# The tests that can reach the clock: those that open a database or run the command. tests/test_clock.py checks
# that only dermbill/clock.py reads the clock and that no test left out of this list can reach it. Tests marked
# pinned_today run on their own day whatever the date, so test-ahead deselects them; it runs on SQLite only (what
# depends on the date is the same on both databases, and make test runs both).
CLOCK_TESTS ?= tests/test_clock.py tests/services tests/db tests/cli tests/x12/test_validate.py tests/x12/test_remittance_835_stream.py tests/x12/test_remittance_835_raw.py tests/x12/test_hostile_input.py tests/test_fuzz_harness.py tests/web tests/browser tests/hl7 tests/fhir tests/core/coding/test_entry.py tests/notes/test_note_cli.py

.PHONY: demo test test-ahead bench bench-quick fuzz lint typecheck clean

$(BIN)/python:
	@test -n "$(PYTHON)" || { echo "error: dermbill needs Python 3.11 or newer (python3.11, python3.12 ...)"; exit 2; }
	$(PYTHON) -m venv $(VENV)

# The install builds the compiled X12 loops (setup.py): they are built again whenever their source changes.
$(STAMP): pyproject.toml setup.py dermbill/x12/_scanning.pyx | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	@touch $(STAMP)

demo: $(STAMP)
	$(BIN)/dermbill demo --db $(DEMO_DB) --out $(DEMO_OUT) --reset
ifneq ($(SERVE),no)
	@echo
	@echo "Demo staff logins ($(DEMO_OUT)/logins.txt):"
	@cat $(DEMO_OUT)/logins.txt
	@echo
	@echo "The staff application: http://127.0.0.1:$(DEMO_PORT)/ (Ctrl-C stops it; make demo SERVE=no only builds)"
	$(BIN)/dermbill serve --db $(DEMO_DB) --port $(DEMO_PORT)
endif

test: $(STAMP)
	$(BIN)/ruff check dermbill tests benchmarks scripts fuzz
	$(BIN)/mypy
	$(BIN)/python -m pytest -q -n $(WORKERS) --dist worksteal

test-ahead: $(STAMP)
	DERMBILL_TODAY=$$($(BIN)/python -c 'import datetime as d; print(d.date.today() + d.timedelta(days=$(AHEAD_DAYS)))') \
		$(BIN)/python -m pytest -q -n $(WORKERS) --dist worksteal -m "not pinned_today and not postgres" $(CLOCK_TESTS)

bench: $(STAMP)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test,bench]'
	$(BIN)/python -m benchmarks

# The measures with a goal at small sizes, then the goals table: under 3 minutes (no other readers installed).
bench-quick: $(STAMP)
	$(BIN)/python -m benchmarks --quick

# Every target: parse, validate and reader for SECONDS each, then ERA_RUNS mutated demo 835s posted into a scratch
# database (the demo built there first, about 30 s). Exit 1 on any crash or broken invariant.
fuzz: $(STAMP)
	$(BIN)/python -m fuzz --target all --seconds $(or $(SECONDS),60) --era-runs $(ERA_RUNS) --seed $(FUZZ_SEED)

lint: $(STAMP)
	$(BIN)/ruff check dermbill tests benchmarks

typecheck: $(STAMP)
	$(BIN)/mypy

clean:
	rm -rf $(VENV) var build *.egg-info test-artifacts dermbill/x12/_scanning.c dermbill/x12/_scanning.*.so

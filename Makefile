# Two commands set up a fresh machine (Debian, Python 3.11):
#   make dashboard   create .venv, build the dataset if missing, serve the leaders' app
#   make test        the same environment plus test tools, then the whole suite
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip --disable-pip-version-check -q
# the machine's pip config lists local wheel folders that may not exist: hide that noise
QUIET := 2>&1 | { grep -v '^WARNING: Location' || true; }; test $${PIPESTATUS[0]} -eq 0
PORT ?= 8866
REVIEW_PORT ?= 8867
PERIOD ?=
# make build CLUSTER=tcp://host:8786 (a Dask scheduler) or CLUSTER=local:4 (docs/scaling.md)
CLUSTER ?=
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
# Jupyter refuses to start as root unless told; a fresh Debian machine is often root
AS_ROOT := $(shell [ "$$(id -u)" = 0 ] && echo --allow-root)
export PYDEVD_DISABLE_FILE_VALIDATION := 1

.PHONY: help venv venv-test build dashboard review lab lint test test-fast fuzz reports bench chromium clean

help:
	@echo "make dashboard   serve the leaders' dashboard on http://127.0.0.1:$(PORT)"
	@echo "make review      serve the analysts' review app on http://127.0.0.1:$(REVIEW_PORT)"
	@echo "make test        lint, then the whole test suite (installs what it needs)"
	@echo "make test-fast   the unit tests and the package's doctests, under 30 s"
	@echo "make lint        ruff over the repository (rules in pyproject.toml)"
	@echo "make fuzz        the hostile-input properties on 100,000 texts each (release check)"
	@echo "make build       rebuild data/processed from data/raw"
	@echo "make build CLUSTER=tcp://host:8786   the same on a Dask cluster (or CLUSTER=local:N)"
	@echo "make lab         JupyterLab on notebooks/"
	@echo "make reports PERIOD=2021-H1   standalone HTML period reports into reports/"
	@echo "make bench       run the benchmarks into benchmarks/results.md"

$(VENV)/.installed: pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(PIP) install -r requirements.lock $(QUIET)
	$(PIP) install --no-deps -e . $(QUIET)
	$(PY) -m ipykernel install --sys-prefix --name python3 >/dev/null
	touch $@

$(VENV)/.test-installed: $(VENV)/.installed requirements-test.lock
	$(PIP) install -r requirements-test.lock $(QUIET)
	touch $@

venv: $(VENV)/.installed
venv-test: $(VENV)/.test-installed

chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "installing Debian's chromium for the browser tests"; \
	  $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq chromium fonts-noto-mono >/dev/null; }

data/processed/observations.parquet: | $(VENV)/.installed
	$(PY) -m analysis build

build: venv
	$(PY) -m analysis build $(if $(CLUSTER),--cluster $(CLUSTER))

dashboard: venv data/processed/observations.parquet
	$(VENV)/bin/voila --port=$(PORT) notebooks/apps/dashboard.ipynb

review: venv data/processed/observations.parquet
	$(VENV)/bin/voila --port=$(REVIEW_PORT) notebooks/apps/review.ipynb

lab: venv data/processed/observations.parquet
	$(VENV)/bin/jupyter lab --ip=127.0.0.1 --no-browser $(AS_ROOT) notebooks/

reports: venv data/processed/observations.parquet
	@test -n "$(PERIOD)" || { echo "make reports: give a period, e.g. make reports PERIOD=2021-H1"; exit 2; }
	$(PY) -m analysis period-reports --period $(PERIOD)

# ruff's rules live in pyproject.toml; any finding fails the build
lint: venv-test
	$(VENV)/bin/ruff check .

# everything: unit, gold, integration, notebooks, browser tests and doctests (CI's command)
test: lint venv-test chromium
	$(PY) -m pytest -n 2 -q

# tests/unit and the doctests of analysis/: no build, no subprocess, no server; the
# fuzz properties on 200 texts each (ANALYSIS_FUZZ=quick; make test runs 2,000).
# One process: 25 s of CPU; two workers would each import and collect everything
# (44 s of CPU) for no shorter wait on two cores (2026-12-03, load average 8-12).
test-fast: venv-test
	ANALYSIS_FUZZ=quick $(PY) -m pytest tests/unit analysis -q -p no:cacheprovider

# the property tests of tests/unit/test_fuzz.py under the release profile
fuzz: venv-test
	ANALYSIS_FUZZ=release $(PY) -m pytest tests/unit/test_fuzz.py -q -p no:cacheprovider -k hostile

bench: venv-test chromium
	$(PY) benchmarks/run_all.py

clean:
	rm -rf $(VENV) data/processed reports .pytest_cache

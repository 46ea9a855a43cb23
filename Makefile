# Two commands on a fresh machine: `make report` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup report test test-fast lint format lab bench clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,dask,lab]'
	$(BIN)/python -m compileall -q ecopark  # as pip does for a wheel: no process compiles it again
	touch $(STAMP)

# PDFs need a Chromium (ECOPARK_CHROMIUM, chromium, chromium-browser or google-chrome); without one
# the HTML, Word and xlsx reports are still made, and a note says how to get the PDFs.
BROWSER := $(or $(ECOPARK_CHROMIUM),$(shell command -v chromium chromium-browser google-chrome google-chrome-stable 2>/dev/null | head -n 1))

report: setup
	$(BIN)/ecopark assess data
	$(if $(BROWSER),,@echo "note: no Chromium found, so no PDFs; install chromium (or set ECOPARK_CHROMIUM) for them" >&2)
	$(BIN)/ecopark run params --portfolio $(if $(BROWSER),--pdf) --out reports

# Tests run in parallel (pytest-xdist): one process per CPU, at most 4; `make test JOBS=1` for one.
# worksteal: a process that runs out of tests takes some of another's; slow tests go out first.
# PYTHONDONTWRITEBYTECODE is cleared for the run: with it, every process recompiles and pytest
# rewrites the asserts of every test module again (≈5 s of CPU per process; __pycache__ is ignored).
JOBS ?= $(shell $(BIN)/python -c "import os; print(min(4, os.cpu_count() or 1))")
PYTEST = PYTHONDONTWRITEBYTECODE= $(BIN)/python -m pytest -q -n $(JOBS) --dist worksteal

# The full suite: real kernels, every notebook, the browser, the installed command.
# ECOPARK_THOROUGH=1 make test runs the random batteries at full size (tests/thorough.py).
test: lint
	$(PYTEST)

# The suite without the tests marked slow (kernels, notebooks, browser, subprocesses).
test-fast: lint
	$(PYTEST) -m "not slow"

lint: setup
	$(BIN)/ruff check ecopark tests benchmarks scripts
	$(BIN)/ruff format --check ecopark tests benchmarks scripts

format: setup
	$(BIN)/ruff format ecopark tests benchmarks scripts
	$(BIN)/ruff check --fix ecopark tests benchmarks scripts

# JupyterLab on the repository root (data, notebooks and reports side by side); root may run it.
lab: setup
	$(BIN)/jupyter lab --ServerApp.root_dir="$(CURDIR)"$(if $(filter 0,$(shell id -u)), --allow-root)

bench: setup
	$(BIN)/python benchmarks/bench_engine.py

clean:
	rm -rf $(VENV) reports .pytest_cache

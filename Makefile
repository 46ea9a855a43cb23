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
	touch $(STAMP)

report: setup
	$(BIN)/ecopark assess data
	$(BIN)/ecopark run params --portfolio --pdf --out reports

# The full suite: real kernels, every notebook, the browser, the installed command.
test: lint
	$(BIN)/python -m pytest -q

# The suite without the tests marked slow (kernels, notebooks, browser, subprocesses).
test-fast: lint
	$(BIN)/python -m pytest -q -m "not slow"

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

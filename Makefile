# dcopt — the two commands of the quick start are `make demo` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: install demo test test-fast lint format bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/dcopt example greensboro --out out/example
	$(BIN)/dcopt run out/example/scenario.yaml --out out/demo

test: $(STAMP)
	$(BIN)/python -m pytest -q

# the inner loop: no full-year solve, no browser, no live server (tests/conftest.py: SLOW),
# on every core (pytest-xdist); `make test` is what CI runs, serially
test-fast: $(STAMP)
	$(BIN)/python -m pytest -q -m "not slow" -n auto

lint: $(STAMP)
	$(BIN)/ruff check optimizer api tests benchmarks
	$(BIN)/ruff format --check optimizer api tests benchmarks
	$(BIN)/mypy

format: $(STAMP)
	$(BIN)/ruff format optimizer api tests benchmarks
	$(BIN)/ruff check --fix optimizer api tests benchmarks

bench: $(STAMP)
	$(BIN)/python benchmarks/run_all.py

clean:
	rm -rf $(VENV) out build dist *.egg-info .pytest_cache .mypy_cache .ruff_cache

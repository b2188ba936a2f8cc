# rxnn: the two commands a fresh machine needs are `make reproduce` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
OUT ?= results

.PHONY: test reproduce bench docs validate venv clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml constraints.txt
	$(BIN)/python -m pip install -q -c constraints.txt -e ".[test,all,docs,bench]"
	touch $(STAMP)

venv: $(STAMP)

# The test suite (tests/, the documentation build among them), then the Examples sections of every
# module as doctests.
test: $(STAMP)
	$(BIN)/python -m pytest -n 2 -q
	$(BIN)/python -m pytest -n 2 -q --doctest-modules src/rxnn

reproduce: $(STAMP)
	$(BIN)/rxnn reproduce --out $(OUT)

bench: $(STAMP)
	$(BIN)/python benchmarks/run.py

# Long validation against external suites (the whole SBML Test Suite mirror, the DSMTS with 10^4
# repeats, the paper's network through every exchange format); CI runs it after `make test`.
validate: $(STAMP)
	$(BIN)/python -m pytest -n 2 -q -m validate

# The documentation site (Sphinx, warnings as errors; every gallery example and tutorial runs).
# `make test` builds it too, through tests/test_docs.py.
docs: $(STAMP)
	cd docs && MPLBACKEND=Agg ../$(BIN)/python -m sphinx -b html -W --keep-going . _build/html

clean:
	rm -rf $(VENV) build dist .pytest_cache .hypothesis docs/_build docs/api/generated docs/gallery docs/tutorials

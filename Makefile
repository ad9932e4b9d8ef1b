# One task runner for people and CI. `make demo` sets up and runs the main job;
# `make test` runs the whole suite (ruff, mypy --strict, import-linter, pytest).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup demo test check typecheck imports pytest docs bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --disable-pip-version-check -e '.[dev,webhook]'
	touch $@

setup: $(STAMP)

demo: setup
	$(BIN)/stopsignal resolve --engine podman --stop-signal SIGRTMIN+3 --command /sbin/init
	$(BIN)/stopsignal resolve --engine openshift@4.9 --stop-signal SIGRTMIN+3 --command /sbin/init

check: setup
	$(BIN)/ruff check src tests benchmarks scripts
	$(BIN)/mypy
	$(BIN)/lint-imports
	$(BIN)/python scripts/generate_docs.py --check

test: check
	$(BIN)/pytest

docs: setup
	$(BIN)/python scripts/generate_docs.py

bench: setup
	$(BIN)/python benchmarks/startup.py
	$(BIN)/python benchmarks/lint_corpus_read.py
	$(BIN)/python benchmarks/lint_corpus.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache

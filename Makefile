# One task runner for people and CI. `make demo` sets up and runs the main job;
# `make test` runs the whole suite (ruff, mypy --strict, import-linter, pytest).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup demo test check typecheck imports pytest docs bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --disable-pip-version-check -e '.[dev,webhook,engines]'
	touch $@

setup: $(STAMP)

# The main job: podman and the offline base image (installed/built once), the seed article
# reproduced on real containers, then a lint of the bundled examples. The examples are there to
# be found: lint's exit code 1 (findings) is expected, 2 (unreadable input) is not.
demo: setup
	scripts/setup-podman.sh
	$(BIN)/stopsignal demo
	$(BIN)/stopsignal lint examples/ || [ $$? -eq 1 ]

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
	$(BIN)/python benchmarks/fix_corpus.py
	$(BIN)/python benchmarks/probe_vs_podman_stop.py
	$(BIN)/python benchmarks/webhook_load.py
	$(BIN)/python benchmarks/own_vs_library.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache

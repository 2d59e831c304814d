# sim-harness: two commands do all the set-up themselves.
#   make demo  - install what is missing, then run the main job on the virtual bench
#   make test  - install what is missing, then lint, type-check and run the whole suite
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test system-deps lint typecheck pytest bench fuzz soak clean

demo: system-deps $(STAMP)
	$(BIN)/simharness demo
	@echo
	@echo "simharness is installed at $(CURDIR)/$(BIN)/simharness. To call it by name:"
	@echo "  source $(BIN)/activate        (or: export PATH=\"$(CURDIR)/$(BIN):\$$PATH\")"

test: system-deps $(STAMP) lint typecheck pytest

system-deps:
	@tools/ensure-system-deps.sh

# The venv is rebuilt only when pyproject.toml changes (quick the second time).
$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
	  { echo "sim-harness needs Python >= 3.11 (set PYTHON=...)"; exit 1; }
	@[ -x $(BIN)/python ] || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

# Four workers on two cores: much of the suite waits on ptys, pcscd and subprocesses, and
# two more workers fill that time (measured on 2 idle cores: 130 s with -n 2, 81 s with -n 4,
# 86 s with -n 6). Bytecode caching is on for the run: an environment that switches it off
# makes every subprocess recompile the package (collection alone takes three times as long).
pytest: $(STAMP)
	env -u PYTHONDONTWRITEBYTECODE $(BIN)/pytest -n 4

bench: system-deps $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[bench]'
	$(BIN)/python benchmarks/apdu.py
	$(BIN)/python benchmarks/at.py
	$(BIN)/python benchmarks/modem.py
	$(BIN)/python benchmarks/sms.py
	$(BIN)/python benchmarks/scale.py

# Opt-in long runs (not part of make test).
# fuzz: every fuzz target, 1,000,000 cases in all (FUZZ_CASES=...), count and failures per target.
FUZZ_CASES ?= 1000000
fuzz: $(STAMP)
	$(BIN)/python -m fuzz --cases $(FUZZ_CASES)

# soak: PIN unlock and SMS loops through every fault knob of the virtual modem; per knob:
# operations, typed errors, hangs, SMS lost, SMS corrupted and accepted (the last three: 0).
SOAK_ROUNDS ?= 6
soak: $(STAMP)
	$(BIN)/python -m soak --rounds $(SOAK_ROUNDS)

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache

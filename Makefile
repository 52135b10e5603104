# Two commands on a fresh machine with Python 3.11+:
#   make run    launch hft-tui on the built-in simulated market
#   make test   run the whole test suite
# Both create ./.venv and install what they need on first use; the install compiles the hot
# path (compiled_modules.txt, with mypyc) when a C compiler is there, and is pure Python when not
# or with HFT_TUI_PURE_PYTHON=1 (see setup.py).

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

# The sources setup.py compiles: an edit to one rebuilds (an editable install keeps each
# extension beside its source, and a stale one would run the old code).
COMPILED_SOURCES := $(shell sed -e 's/\#.*//' compiled_modules.txt)

.PHONY: run headless test bench wheel clean

$(STAMP): pyproject.toml setup.py compiled_modules.txt $(COMPILED_SOURCES)
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "hft-tui needs Python 3.11 or newer")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

run: $(STAMP)
	$(BIN)/hft-tui $(ARGS)

headless: $(STAMP)
	$(BIN)/hft-tui --headless $(ARGS)

# Two workers (pytest-xdist), one test file each at a time: most of the suite's wall time is
# end-to-end tests waiting on processes and sockets, which overlap well on 2 cores.
# TEST_WORKERS=0 runs in one process.
TEST_WORKERS ?= 2

test: $(STAMP)
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadfile $(ARGS)

bench: $(STAMP)
	$(BIN)/python -m benchmarks $(ARGS)

# A wheel for this platform and Python in dist/ (compiled when a C compiler is there, else pure).
wheel: $(STAMP)
	$(BIN)/python -m pip wheel --quiet --no-deps --wheel-dir dist .

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis snapshot_report.html build dist
	find hft_tui -name '*.so' -delete
	rm -f hft_tui/compiled_build.json

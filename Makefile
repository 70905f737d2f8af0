# Two commands do all set-up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
BENCH_STAMP := $(VENV)/.installed-bench

.PHONY: run test index lint bench clean browser screenshot

# torch==2.13.0 is installed first, on its own: it is the CPU build on this machine's disk.
# Letting sentence-transformers pull torch itself would download a multi-GB CUDA build.
$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet torch==2.13.0
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

# txtai is a benchmark-only extra; torch==2.13.0 is named again so the resolver keeps the CPU build.
$(BENCH_STAMP): $(STAMP)
	$(PY) -m pip install --quiet torch==2.13.0 -e '.[bench]'
	touch $(BENCH_STAMP)

run: $(STAMP)
	$(PY) -m assistant index --if-stale
	$(PY) app.py

# The browser tests drive Debian's chromium through Playwright (Playwright's own browser
# download does not work offline); installed here so CI's fresh machine has it too.
browser:
	command -v chromium >/dev/null && command -v chromedriver >/dev/null || \
		(apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium chromium-driver)

test: $(STAMP) browser
	$(PY) -m pytest

# Retake docs/screenshot.png (the README's picture) from the browser test of the main screen.
screenshot: $(STAMP) browser
	UPDATE_SCREENSHOT=1 $(PY) -m pytest -q tests/test_browser.py -k screenshot

index: $(STAMP)
	$(PY) -m assistant index

# Prints every performance figure (JSON, then tables) and updates docs/benchmarks.md.
# Default sizes take a few minutes; `make bench ARGS=--full` adds the million-chunk archive.
bench: $(BENCH_STAMP)
	$(PY) -m bench $(ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check assistant tests app.py bench

clean:
	rm -rf index .pytest_cache .ruff_cache

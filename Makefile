# Two commands do all set-up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test index lint clean

# torch==2.13.0 is installed first, on its own: it is the CPU build on this machine's disk.
# Letting sentence-transformers pull torch itself would download a multi-GB CUDA build.
$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet torch==2.13.0
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

run: $(STAMP)
	$(PY) -m assistant index --if-stale
	$(PY) app.py

test: $(STAMP)
	$(PY) -m pytest

index: $(STAMP)
	$(PY) -m assistant index

lint: $(STAMP)
	$(VENV)/bin/ruff check assistant tests app.py

clean:
	rm -rf index .pytest_cache .ruff_cache

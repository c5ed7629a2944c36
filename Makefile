# Two commands do everything on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-$(shell sha1sum pyproject.toml | cut -c1-12)

.PHONY: demo test lint typecheck bench system-deps clean fuzz fuzz-short

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e ".[dev]"
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

# Debian libraries WeasyPrint needs for PDF reports, and fonts for CJK notices.
system-deps:
	@bash scripts/system-deps.sh

lint: $(STAMP)
	$(VENV)/bin/ruff check breachdesk tests bench
	$(VENV)/bin/ruff format --check breachdesk tests bench

typecheck: $(STAMP)
	$(VENV)/bin/mypy

test: $(STAMP) system-deps lint typecheck
	$(VENV)/bin/pytest
	$(MAKE) fuzz-short

# Every reader of a user's file under atheris, from its committed seed corpus
# (tests/fuzz/corpus/). The short run bounds CI time (5 targets x 20 s); crashes
# leave their input in bench/out/fuzz/.
FUZZ_SECONDS ?= 300
fuzz-short: $(STAMP)
	$(PY) -m tests.fuzz.run --seconds 20

fuzz: $(STAMP)
	$(PY) -m tests.fuzz.run --seconds $(FUZZ_SECONDS)

demo: $(STAMP) system-deps
	$(PY) -m breachdesk.samples.demo --out demo-out

bench: $(STAMP)
	$(PY) -m pip install -q -e ".[dev,bench]"
	$(PY) -m bench.run

clean:
	rm -rf $(VENV) demo-out bench/out .mypy_cache .ruff_cache .pytest_cache

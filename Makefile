# Two commands do everything on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-$(shell sha1sum pyproject.toml | cut -c1-12)

CORE   := $(VENV)/.core-built
NATIVE := $(wildcard breachdesk/detect/_native/*.c breachdesk/detect/_native/*.h) setup.py

.PHONY: demo test lint typecheck bench system-deps clean fuzz fuzz-short fuzz-core

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e ".[dev]"
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

# The compiled detection core: rebuilt whenever its C sources change. The package's
# bytecode is compiled too, as pip does for an installed package, so each CLI process
# does not compile its modules from source (PYTHONDONTWRITEBYTECODE is set on CI).
$(CORE): $(STAMP) $(NATIVE)
	$(PY) -m pip install -q --no-deps -e .
	$(PY) -c "import breachdesk.detect._core"
	$(PY) -m compileall -q breachdesk >/dev/null
	touch $(CORE)

# The core under AddressSanitizer + UBSan for 5 minutes (the test suite runs 20 s of it).
fuzz-core: $(CORE)
	BREACHDESK_FUZZ_SECONDS=300 $(VENV)/bin/pytest -q tests/detect/test_core_fuzz.py

# Debian libraries WeasyPrint needs for PDF reports, and fonts for CJK notices.
system-deps:
	@bash scripts/system-deps.sh

lint: $(STAMP)
	$(VENV)/bin/ruff check breachdesk tests bench
	$(VENV)/bin/ruff format --check breachdesk tests bench

typecheck: $(STAMP) $(CORE)
	$(VENV)/bin/mypy

# The bounded fuzz runs come first, so pytest's summary is the last line of the run.
test: $(STAMP) $(CORE) system-deps lint typecheck fuzz-short
	$(VENV)/bin/pytest

# Every reader of a user's file under atheris, from its committed seed corpus
# (tests/fuzz/corpus/). The short run is reproducible (a fixed seed and a fixed number
# of inputs per target, about 20 s each; 60 s is only a ceiling), so CI explores what
# `make test` explored here; `make fuzz` searches with a random seed. Crashes leave
# their input in bench/out/fuzz/.
FUZZ_SECONDS ?= 300
fuzz-short: $(STAMP) $(CORE)
	$(PY) -m tests.fuzz.run --seconds 60 --seed 1

fuzz: $(STAMP)
	$(PY) -m tests.fuzz.run --seconds $(FUZZ_SECONDS)

demo: $(STAMP) $(CORE) system-deps
	$(PY) -m breachdesk.samples.demo --out demo-out

bench: $(STAMP) $(CORE)
	$(PY) -m pip install -q -e ".[dev,bench]"
	$(PY) -m bench.run

clean:
	rm -rf $(VENV) demo-out bench/out .mypy_cache .ruff_cache .pytest_cache

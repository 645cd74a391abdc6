# make demo: audit the sample province network and write the reports (text, JSON, HTML)
# make test: run the test suite (ruff, mypy and pytest)
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-stamp

.PHONY: demo test lint pytest bench clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	@rc=0; $(VENV)/bin/auditor demo --no-progress || rc=$$?; \
	  if [ $$rc -gt 1 ]; then echo "demo failed (exit $$rc)" >&2; exit $$rc; fi

lint: $(STAMP)
	$(VENV)/bin/ruff check auditor tests bench
	$(VENV)/bin/mypy

pytest: $(STAMP)
	$(PY) -m pytest

test: lint pytest

bench: $(STAMP)
	$(PY) -m pip install --quiet -e '.[bench]'
	$(PY) -m bench.offline --corpus ../shared/corpora --reps 5
	$(PY) -m bench.reference --corpus ../shared/corpora/cisco_ios --reps 5

clean:
	rm -rf out build *.egg-info .pytest_cache .mypy_cache .ruff_cache

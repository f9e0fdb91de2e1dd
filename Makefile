# bert-ttnn: `make demo` (set-up + the main job), `make test` (set-up + every test), `make lab`.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
# Python 3.12 (ttnn ships wheels for 3.10 and 3.12 only): python3.12 on PATH, else pyenv's newest 3.12.
PYTHON312 ?= $(shell command -v python3.12 2>/dev/null || ls -d $$HOME/.pyenv/versions/3.12*/bin/python3.12 2>/dev/null | tail -n 1)

.PHONY: setup demo test lab lint bench clean

setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml constraints.txt
	@if [ -z "$(PYTHON312)" ]; then \
	  echo "Python 3.12 not found: install it (e.g. 'pyenv install 3.12' or your OS's python3.12 package) and rerun."; exit 1; fi
	@[ -x $(PY) ] || $(PYTHON312) -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check -c constraints.txt -e '.[test]'
	$(PY) -m pip check
	@touch $@

demo: setup
	$(PY) -m bertlib demo

test: setup
	$(PY) -m bertlib doctor
	$(VENV)/bin/ruff check .
	$(PY) -m pytest -q

lab: setup
	$(VENV)/bin/jupyter lab notebooks/

lint: setup
	$(VENV)/bin/ruff check .

bench: setup
	$(PY) -m bertlib bench

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache

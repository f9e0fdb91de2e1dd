# bert-ttnn: `make demo` (set-up + the main job), `make test` (set-up + every test), `make lab`.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
# Python 3.12 (ttnn ships wheels for 3.10 and 3.12 only): the first of python3.12 on PATH and pyenv's
# 3.12 installs that really runs (a pyenv shim without 3.12 selected does not).
PYTHON312 ?= $(shell for c in python3.12 $$(ls -d $${PYENV_ROOT:-$$HOME/.pyenv}/versions/3.12*/bin/python3.12 2>/dev/null | sort -rV); do \
  $$c -c 'import sys; assert sys.version_info[:2] == (3, 12)' >/dev/null 2>&1 && { command -v $$c; break; }; done)

.PHONY: setup browser demo test lab lint bench notebooks clean

setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml constraints.txt jupyter/overrides.json
	@if [ -z "$(PYTHON312)" ]; then \
	  echo "Python 3.12 not found: install it (e.g. 'pyenv install 3.12' or your OS's python3.12 package) and rerun."; exit 1; fi
	@[ -x $(PY) ] || $(PYTHON312) -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check -c constraints.txt -e '.[test]'
	$(PY) -m pip check
	@# JupyterLab settings: no "Jupyter news" question, no update check (the machine may be offline)
	@mkdir -p $(VENV)/share/jupyter/lab/settings && cp jupyter/overrides.json $(VENV)/share/jupyter/lab/settings/
	@touch $@

demo: setup
	$(PY) -m bertlib demo

test: setup browser
	$(PY) -m bertlib doctor
	$(VENV)/bin/ruff check .
	$(PY) -m pytest -q

# The browser test drives JupyterLab in Debian's Chromium (Playwright's own browser download is not used).
browser:
	@command -v chromium >/dev/null 2>&1 || { echo "installing Debian's chromium for the browser test"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

# ARGS go to JupyterLab, e.g. make lab ARGS="--port 8890 --ip 0.0.0.0". --allow-root: containers often run as root.
lab: setup
	$(VENV)/bin/jupyter lab --allow-root $(ARGS) notebooks/

lint: setup
	$(VENV)/bin/ruff check .

# Re-execute every notebook in place with its default parameters (the outputs committed with it).
notebooks: setup
	$(PY) -m bertlib notebooks

bench: setup
	$(PY) -m bertlib bench

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache

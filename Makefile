# smallgrad: set-up, lessons and tests.  `make lessons` and `make test` do all set-up.
# GNU make.  Run `make help` for the list of targets.

PYTHON ?= python3
VENV   := .venv
VPY    := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

# jupyter refuses to run as root unless told to.
ALLOW_ROOT   := $(if $(filter 0,$(shell id -u)),--allow-root)
JUPYTER_ARGS ?= $(ALLOW_ROOT)

# Extra pytest arguments, e.g. `make test PYTEST_ARGS='-x -k grad'`.
PYTEST_ARGS ?=

# The lesson notebooks are checked by nbval, in the same pytest run, once there are any.
NOTEBOOKS  := $(wildcard lessons/*.ipynb)
SANITIZE   := $(wildcard lessons/sanitize.cfg)
NBVAL_ARGS := $(if $(NOTEBOOKS),tests lessons/ --nbval --nbval-current-env \
                $(if $(SANITIZE),--nbval-sanitize-with lessons/sanitize.cfg))

.DEFAULT_GOAL := help
.PHONY: help setup .venv dot lessons test torch wasm ci test-ui chromium screenshot bench clean distclean \
        wheel test-wheel test-colab site

help:
	@echo "make lessons    set up, then open the lessons in JupyterLab"
	@echo "make test       set up, then run the whole suite (pytest, nbval on lessons/, ruff)"
	@echo "make setup      create $(VENV)/ with smallgrad and its dev+lessons extras; check Graphviz"
	@echo "make torch      install the optional PyTorch oracle (torch==2.13.0) into $(VENV)/"
	@echo "make test-ui    the browser tests: the stepper clicked in JupyterLab, Notebook 7, marimo"
	@echo "                and offline pages, in headless Chromium"
	@echo "                (installs apt chromium when root, and the browser extra)"
	@echo "make screenshot save docs/stepper.png and docs/stepper-dark.png from a browser test"
	@echo "make wasm       install the optional WebAssembly Graphviz (the widgets' fallback)"
	@echo "make wheel      build the wheel (with the lessons) into dist/"
	@echo "make test-wheel the wheel in a fresh venv: copy the lessons out, nbval them there"
	@echo "make test-colab the same with Colab's versions (ipywidgets 7.7.1, anywidget 0.9.21, ...)"
	@echo "make site       the lessons as a static HTML site in build/site/ (steppers step offline)"
	@echo "make ci         torch, wasm, test, test-wheel, test-colab, then test-ui (.ci/run runs it)"
	@echo "make bench      run the benchmark"
	@echo "make clean      remove caches and build output (distclean also removes $(VENV)/)"

# --- set-up ---------------------------------------------------------------------------------

setup: $(STAMP) dot

.venv: $(STAMP)

$(VPY):
	@command -v $(PYTHON) >/dev/null 2>&1 || { \
	  echo "error: '$(PYTHON)' was not found. smallgrad needs Python 3.10 or newer." >&2; exit 1; }
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 10))' || { \
	  echo "error: smallgrad needs Python 3.10 or newer, but $(PYTHON) is $$($(PYTHON) -V 2>&1)." >&2; \
	  echo "       Run with a newer one, e.g.: make PYTHON=python3.11 ..." >&2; exit 1; }
	@$(PYTHON) -c 'import venv, ensurepip' 2>/dev/null || { \
	  echo "error: $(PYTHON) cannot create virtual environments (the venv/ensurepip modules are missing)." >&2; \
	  echo "       On Debian or Ubuntu: sudo apt-get install python3-venv" >&2; exit 1; }
	$(PYTHON) -m venv $(VENV) || { rm -rf $(VENV); exit 1; }

# Re-installs only when pyproject.toml changes.
$(STAMP): pyproject.toml | $(VPY)
	$(VPY) -m pip install --disable-pip-version-check -e '.[dev,lessons]'
	@touch $@

# The Graphviz `dot` program: installed with apt-get when root, otherwise explained.
dot:
	@scripts/ensure-graphviz.sh
	@scripts/ensure-cjk-font.sh

# --- the README's two commands --------------------------------------------------------------

lessons: setup
	$(VENV)/bin/jupyter lab $(JUPYTER_ARGS) lessons/

test: setup
	$(VPY) -m pytest $(PYTEST_ARGS) $(NBVAL_ARGS)
	$(VENV)/bin/ruff check .

# --- CI and extras --------------------------------------------------------------------------

# The optional oracle for the differential tests. Keep this exact pin: any other torch
# version (or an unpinned one) makes pip fetch a multi-GB CUDA build.
torch: setup
	$(VPY) -m pip install --disable-pip-version-check torch==2.13.0

# SMALLGRAD_REQUIRE_TORCH=1: a missing torch fails the differential tests instead of skipping them.
ci:
	$(MAKE) torch
	$(MAKE) wasm
	SMALLGRAD_REQUIRE_TORCH=1 SMALLGRAD_REQUIRE_WASM=1 SMALLGRAD_FUZZ_PROGRAMS=10000 $(MAKE) test
	$(MAKE) test-wheel test-colab
	$(MAKE) test-ui

# The optional WebAssembly Graphviz, so CI also runs the widgets' fallback test.
wasm: setup
	$(VPY) -m pip install --disable-pip-version-check -e '.[wasm]'

# --- the wheel, pip users and Colab ------------------------------------------------------------
# The wheel carries the lessons (setup.py copies lessons/ into it). test-wheel installs it into a
# fresh venv with its lessons+test extras, copies the lessons out with the installed
# `smallgrad-lessons` and runs strict nbval on that copy; test-colab does the same under Colab's
# versions (scripts/colab-pins.txt). scripts/test-wheel.sh says which Python it used.
WHEEL_GLOB := dist/smallgrad_edu-*.whl

wheel: setup
	rm -rf $(WHEEL_GLOB) build/lib build/bdist.*
	$(VPY) -m pip wheel --disable-pip-version-check --no-deps -q -w dist .

test-wheel: wheel
	PYTHON=$(PYTHON) scripts/test-wheel.sh $(WHEEL_GLOB)

test-colab: wheel
	PYTHON=$(PYTHON) scripts/test-wheel.sh $(WHEEL_GLOB) --colab

# --- the lesson site ---------------------------------------------------------------------------
# Every lesson (en, zh) as HTML from its stored outputs, each stepper as its save_html player,
# MathJax from the `site` extra: no CDN. Open build/site/index.html. Its browser test is
# tests/browser/test_site.py (make test-ui).
SITE_STAMP := $(VENV)/.installed-site

$(SITE_STAMP): pyproject.toml $(STAMP)
	$(VPY) -m pip install --disable-pip-version-check -e '.[site]'
	@touch $@

site: setup $(SITE_STAMP)
	$(VPY) scripts/build-site.py build/site

# --- browser tests ----------------------------------------------------------------------------
# tests/browser/ starts JupyterLab, Notebook 7 and marimo (the `browser` extra installs the
# last two) and drives Debian's `chromium` with Playwright's Python API
# (by executable_path: never `playwright install`). `make test` deselects them (pyproject's
# addopts); here SMALLGRAD_REQUIRE_BROWSER=1 turns a missing chromium or playwright into a
# failure instead of a skip.
BROWSER_STAMP := $(VENV)/.installed-browser

$(BROWSER_STAMP): pyproject.toml $(STAMP)
	$(VPY) -m pip install --disable-pip-version-check -e '.[browser]'
	@touch $@

chromium:
	@scripts/ensure-chromium.sh
	@scripts/ensure-cjk-font.sh

test-ui: setup chromium $(BROWSER_STAMP) $(SITE_STAMP)
	SMALLGRAD_REQUIRE_BROWSER=1 $(VPY) -m pytest -m browser tests/browser $(PYTEST_ARGS)

# Writes docs/stepper.png (the README's picture: the MLP stepper in JupyterLab) and
# docs/stepper-dark.png (JupyterLab Dark) from a real run (CI never writes them).
screenshot: setup chromium $(BROWSER_STAMP)
	SMALLGRAD_REQUIRE_BROWSER=1 SMALLGRAD_SCREENSHOT=1 $(VPY) -m pytest -m browser \
	  tests/browser/test_frontends.py -k "mlp_in_jupyterlab or dark_theme" $(PYTEST_ARGS)

# the competitors are no dependencies of smallgrad: bench installs them, as torch does
bench: setup torch
	$(VPY) -m pip install --disable-pip-version-check --quiet mygrad==2.5.0 micrograd==0.1.0
	@if [ -f bench/run.py ]; then \
	  $(VPY) bench/run.py; \
	else \
	  echo "The benchmark is not written yet (bench/run.py does not exist)."; \
	fi

clean:
	rm -rf build dist *.egg-info .pytest_cache .hypothesis .ruff_cache
	find . -path ./$(VENV) -prune -o -path ./.git -prune -o -type d -name __pycache__ -exec rm -rf {} +

distclean: clean
	rm -rf $(VENV)

# The two commands of the README. Both create .venv (Python 3.12, see .python-version) on first use.
VENV := .venv
PY := $(VENV)/bin/python

PAGES := saleor_notify_plugin/dashboard/static/index.html

.PHONY: demo test lint pages screens release

$(VENV)/.installed: pyproject.toml setup.cfg
	python3 -c 'import sys; assert sys.version_info[:2] == (3, 12), "Python 3.12 is required (pyenv: see .python-version)"'
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[test]"
	touch $@

demo: $(VENV)/.installed
	$(PY) -m saleor_notify_plugin.demo

# The dashboard pages, built from the lockfile (Node 20.19+ or 22.12+, as Vite 7 requires, and npm).
$(PAGES): frontend/package-lock.json frontend/package.json frontend/index.html frontend/vite.config.ts $(shell find frontend/src -type f)
	npm ci --prefix frontend --no-audit --no-fund --loglevel=error
	npm run build --prefix frontend

pages: $(PAGES)

# The AsyncAPI project's parser, which a test runs on the event catalog (Node 20+ and npm).
ASYNCAPI_PARSER := build_support/asyncapi/node_modules/.package-lock.json
$(ASYNCAPI_PARSER): build_support/asyncapi/package-lock.json build_support/asyncapi/package.json
	npm ci --prefix build_support/asyncapi --no-audit --no-fund --loglevel=error

test: $(VENV)/.installed $(PAGES) $(ASYNCAPI_PARSER)
	$(PY) -m pytest

lint: $(VENV)/.installed
	$(PY) -m ruff check saleor_notify_plugin tests benchmarks

# Tests write screenshots to build/screens/ (untracked); this publishes the real dashboard's
# (tests/dashboard/, light and dark) into docs/screens/, replacing the ones there.
SHOTS := build/screens/dashboard

screens:
	@ls $(SHOTS)/*.png >/dev/null 2>&1 || { echo "No screenshots in $(SHOTS)/: run the real-dashboard tier first (docs/dashboard.md)."; exit 1; }
	rm -f docs/screens/*.png
	cp $(SHOTS)/*.png docs/screens/
	@echo "docs/screens/: $$(ls docs/screens/*.png | wc -l) screenshots from $(SHOTS)/"
# A release: the pages, then a wheel and an sdist in dist/ (both with the pages; the build
# refuses to run without them), checked by twine and by build_support/check_dist.py.
release: $(VENV)/.installed $(PAGES)
	rm -rf dist
	env -u PYTHONDONTWRITEBYTECODE $(PY) -m build --outdir dist .
	$(PY) -m twine check --strict dist/*
	$(PY) build_support/check_dist.py dist

# adizwatch: the two commands a new user needs.
#   make demo  - set up, then run the pipeline on an embedded broker with the bundled feeds
#   make test  - set up, then run the whole test suite (unit and integration, real broker,
#                the picture in Debian's chromium)
# The picture's page is built from web/ (npm) into pipeline/picture/static/ and committed,
# so neither command needs Node.js; `make web` rebuilds it, `make web-check` proves the
# committed bundle is what the sources build to.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin

.PHONY: demo test setup browser lint clean web web-check screenshot

$(BIN)/adizwatch: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

setup: $(BIN)/adizwatch

# The picture's browser test drives Debian's chromium; installed here when missing (root
# with apt-get), otherwise the test fails and says how to install it.
CHROMIUM := /usr/bin/chromium
browser:
	@if [ ! -x $(CHROMIUM) ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "installing Debian's chromium for the browser test"; \
	    DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else \
	    echo "note: $(CHROMIUM) is missing; the browser test will fail (apt-get install chromium)"; \
	  fi; \
	fi

demo: setup
	$(BIN)/adizwatch demo

test: setup browser
	$(BIN)/python -m pytest -q

lint: setup
	$(BIN)/ruff check pipeline tests bench tools
	$(BIN)/mypy

web:
	cd web && npm ci --no-audit --no-fund && npm run build

web-check:
	rm -rf .web-check
	cd web && npm ci --no-audit --no-fund && node build.mjs ../.web-check
	diff -r .web-check pipeline/picture/static
	rm -rf .web-check
	@echo "pipeline/picture/static is what web/ builds to"

screenshot: setup browser
	ADIZWATCH_PICTURE_SCREENSHOT=docs/picture.png $(BIN)/python -m pytest -q \
	    tests/integration/test_picture.py

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache .web-check web/node_modules

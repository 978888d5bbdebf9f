# adizwatch: the two commands a new user needs.
#   make demo  - set up, then run the pipeline on an embedded broker with the bundled feeds
#   make test  - set up, then run the whole test suite (unit and integration, real broker)

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin

.PHONY: demo test setup lint clean

$(BIN)/adizwatch: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

setup: $(BIN)/adizwatch

demo: setup
	$(BIN)/adizwatch demo

test: setup
	$(BIN)/python -m pytest -q

lint: setup
	$(BIN)/ruff check pipeline tests bench tools
	$(BIN)/mypy

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache

# wirecat: `make train` trains and registers the default model; `make test` runs the tests.
# Both create the virtual environment from the pinned requirements when it is missing.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: train test data bench lf-report clean help

help:
	@echo "make train   - build the dataset (cached), train, evaluate on gold test, register a model version"
	@echo "make test    - run the test suite"
	@echo "make data    - build the dataset only"
	@echo "make bench   - benchmarks against fastText and Vowpal Wabbit (installs them)"

$(STAMP): requirements.lock pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps -e . --config-settings editable_mode=compat
	@touch $(STAMP)

train: $(STAMP)
	$(BIN)/wirecat train --config configs/default.yaml

data: $(STAMP)
	$(BIN)/wirecat data build --config configs/default.yaml

lf-report: $(STAMP)
	$(BIN)/wirecat data lf-report --config configs/default.yaml

test: $(STAMP)
	$(BIN)/python -m pytest -q

bench: $(STAMP)
	$(BIN)/pip install --quiet --disable-pip-version-check -r bench/requirements.lock
	$(BIN)/python -m bench.run

clean:
	rm -rf data/processed models/*/ models/registry.json reports

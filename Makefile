# The two commands of the README: `make run` and `make test`. Both set everything up first.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.kgpub-installed

.PHONY: run test lint install clean chromium

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

## Build the examples into the store (the build writes the dumps of /dumps/ too), then serve them.
run: $(STAMP)
	$(BIN)/kgpub build examples
	$(BIN)/kgpub query -C examples examples/queries/03-what-happened-at-the-prison.rq
	$(BIN)/kgpub serve examples

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

## Lint, type-check and run the whole test suite.
test: lint chromium
	$(BIN)/pytest

## Debian's chromium, which the browser test drives with Playwright (whose own browsers are
## never downloaded). Installed with apt-get when missing, through sudo unless root.
chromium:
	@if [ ! -x /usr/bin/chromium ]; then \
	  sudo=$$([ "$$(id -u)" -eq 0 ] || echo sudo); \
	  echo "installing Debian's chromium for the browser test"; \
	  $$sudo env DEBIAN_FRONTEND=noninteractive apt-get update && \
	  $$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y chromium; \
	fi

clean:
	rm -rf $(VENV) _site examples/.kgpub

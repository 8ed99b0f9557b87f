# The two commands a new user needs: `make run` and `make test` (see README.md).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
RUN_HOME := $(CURDIR)/.cache/home
AXE := .cache/npm/node_modules/axe-core/axe.min.js
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run test lint setup browser-deps store-deps bench

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

setup: $(BIN)/.installed

# Build the real directory into a private home and serve the web chat on it: the hub's file,
# fetched fresh, or the dated snapshot in data/ when the hub cannot be reached.
run: setup
	ORIENTEUR_HOME=$(RUN_HOME) $(BIN)/orienteur build
	ORIENTEUR_HOME=$(RUN_HOME) $(BIN)/orienteur serve

# apt waits up to 10 minutes for another program holding the package manager's lock, not failing at once.
APT := $(SUDO) apt-get -o DPkg::Lock::Timeout=600

# Chromium (Debian's, for Playwright) and axe-core (from npm) for the browser tests.
browser-deps:
	@command -v chromium >/dev/null || ($(APT) update -qq && $(APT) install -y -qq chromium)
	@[ -f $(AXE) ] || npm install --no-save --silent --prefix .cache/npm axe-core@4

# Debian's redis-server, which the conversation-store tests start themselves on a private port.
store-deps:
	@command -v redis-server >/dev/null || command -v valkey-server >/dev/null || \
		($(APT) update -qq && $(APT) install -y -qq redis-server)

lint: setup
	$(BIN)/ruff check .

test: setup browser-deps store-deps lint
	$(BIN)/pytest

bench: setup
	$(BIN)/python tests/bench/bench_search.py

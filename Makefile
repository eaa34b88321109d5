# Two commands for a new user: `make run` and `make test`. Both bootstrap .venv themselves.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# IPTC's Media Topics labels, when the shared standards folder sits beside the checkout.
export NEWSWIRE_VOCABULARY_DIR ?= $(wildcard $(abspath ../shared/standards/vocabularies))

.PHONY: run test browser-deps lint typecheck bench messages clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/newswire demo
	$(BIN)/newswire serve

test: $(STAMP) browser-deps
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy
	$(BIN)/pytest

# What tests/site/test_browser.py needs on a fresh Debian machine: chromium (never a Playwright
# download) and fonts, DejaVu for Latin, Cyrillic and Arabic, WenQuanYi for Chinese.
browser-deps:
	command -v chromium >/dev/null || (apt-get update -q && apt-get install -y -q --no-install-recommends chromium fonts-dejavu-core fonts-wqy-microhei)
	test -n "$$(fc-list :lang=zh 2>/dev/null)" || (apt-get update -q && apt-get install -y -q --no-install-recommends fontconfig fonts-dejavu-core fonts-wqy-microhei)

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

typecheck: $(STAMP)
	$(BIN)/mypy

bench: $(STAMP)
	command -v wrk >/dev/null || (apt-get update -q && apt-get install -y -q wrk)
	command -v nginx >/dev/null || (apt-get update -q && apt-get install -y -q nginx-light)
	for s in bench/bench_*.py; do $(BIN)/python -m bench.$$(basename $$s .py) || exit 1; done

# The newsroom's interface text: extract every message, then merge it into each catalog
# (new messages arrive empty; translate them in src/newswire/newsroom/locale/*/LC_MESSAGES).
MESSAGES_POT := build/newsroom.pot
messages: $(STAMP)
	mkdir -p build
	$(BIN)/pybabel extract -F babel.cfg -k N_ -k gettext:2 --no-location --sort-output -o $(MESSAGES_POT) src/newswire/newsroom
	for lang in ru az fr; do \
	  test -f src/newswire/newsroom/locale/$$lang/LC_MESSAGES/newsroom.po || \
	    $(BIN)/pybabel init -D newsroom -i $(MESSAGES_POT) -d src/newswire/newsroom/locale -l $$lang; \
	done
	$(BIN)/pybabel update -D newsroom -i $(MESSAGES_POT) -d src/newswire/newsroom/locale --no-fuzzy-matching --ignore-obsolete

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache

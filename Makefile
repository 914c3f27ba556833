# dossier — two commands for a new user: `make demo` and `make test`.
# Both install what is missing (system packages with apt, the Python venv) first.

SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
OUT := out
TODAY ?= 2026-11-23

# Debian packages dossier needs at run time (LibreOffice for DOCX→PDF, metric-compatible fonts,
# PDF readers used by the tests, and python3-uno for the persistent LibreOffice worker).
APT_PACKAGES := libreoffice-writer-nogui python3-uno fonts-crosextra-carlito fonts-crosextra-caladea \
                fonts-liberation2 poppler-utils qpdf

.PHONY: help system venv install demo test test-fast lint bench clean samples templates

help:
	@echo "make demo   — installeert alles wat ontbreekt en bouwt het voorbeelddossier in $(OUT)/"
	@echo "make test   — installeert alles wat ontbreekt en draait alle tests"
	@echo "make lint   — ruff"
	@echo "make bench  — benchmark (zie bench/RESULTS.md)"

# Install missing Debian packages (with sudo when not root). Skipped when everything is present.
system:
	@missing=""; for p in $(APT_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if ! $(PYTHON) -c 'import ensurepip, venv' >/dev/null 2>&1; then missing="$$missing python3-venv"; fi; \
	if [ -n "$$missing" ]; then \
	  echo "Systeempakketten installeren:$$missing"; \
	  SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing; \
	fi

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Reinstall when the dependency list changes.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $@

venv: system $(VENV)/.installed

install: venv

# The main job on the samples: validate, timeline (text + iCalendar), documents and the PDF dossier.
demo: venv
	rm -rf $(OUT) && mkdir -p $(OUT)
	$(BIN)/dossier check samples/*.json samples/verzuim_export.csv --today $(TODAY) > $(OUT)/controle.txt; \
	  rc=$$?; cat $(OUT)/controle.txt | tail -n 5; [ $$rc -le 2 ]
	$(BIN)/dossier timeline samples/casus_kuipers.json --today $(TODAY) -o $(OUT)/tijdlijn-kuipers.txt
	$(BIN)/dossier timeline samples/casus_yilmaz.json --today $(TODAY) -o $(OUT)/tijdlijn-yilmaz.txt
	$(BIN)/dossier timeline samples/verzuim_export.csv --today $(TODAY) --format ics -o $(OUT)/poortwachter.ics
	@echo; echo "Klaar. Bekijk $(OUT)/:"; ls -1 $(OUT)

test: venv
	$(BIN)/ruff check dossier tests scripts bench
	$(BIN)/python -m pytest -q

test-fast: venv
	$(BIN)/python -m pytest -q -m "not libreoffice and not slow"

lint: venv
	$(BIN)/ruff check dossier tests scripts bench

bench: venv
	$(BIN)/python bench/run.py

clean:
	rm -rf $(OUT) build *.egg-info .pytest_cache

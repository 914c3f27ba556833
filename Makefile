# dossier — two commands for a new user: `make demo` and `make test`.
# Both install what is missing (system packages with apt, the Python venv) first.

SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
OUT := out
TODAY ?= 2026-11-23

# Debian packages dossier needs at run time (LibreOffice for DOCX→PDF, metric-compatible fonts,
# PDF readers used by the tests, and python3-uno for the persistent LibreOffice worker); tesseract
# with Dutch and ghostscript for --ocr; PDFBox Preflight (Java) for the PDF/A tests; chromium for the
# browser tests of the web application (driven by Playwright, never `playwright install`).
APT_PACKAGES := libreoffice-writer-nogui python3-uno fonts-crosextra-carlito fonts-crosextra-caladea \
                fonts-liberation2 poppler-utils qpdf \
                tesseract-ocr tesseract-ocr-nld ghostscript \
                default-jre-headless libpdfbox2-java libactivation-java libjaxb-api-java \
                chromium

.PHONY: help system venv install demo serve test test-fast lint bench clean readme-images

help:
	@echo "make demo   — installeert alles wat ontbreekt en bouwt het voorbeelddossier in $(OUT)/"
	@echo "make serve  — start de webapplicatie met de voorbeeldcasussen (gegevens in $(OUT)/web-data)"
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
	$(BIN)/python -m pip install -q -e '.[dev,ocr,web]'
	touch $@

venv: system $(VENV)/.installed

install: venv

# The main job on the samples: validate, timeline (text + iCalendar), documents and the PDF dossier.
demo: venv
	rm -rf $(OUT) && mkdir -p $(OUT)
	@echo "== 1. Controle van alle voorbeeldcasussen"
	$(BIN)/dossier check samples/*.json samples/verzuim_export.csv --today $(TODAY) > $(OUT)/controle.txt; \
	  rc=$$?; tail -n 3 $(OUT)/controle.txt; [ $$rc -le 2 ]
	@echo "== 2. Poortwachtertijdlijn"
	$(BIN)/dossier timeline samples/casus_kuipers.json --today $(TODAY) -o $(OUT)/tijdlijn-kuipers.txt
	$(BIN)/dossier timeline samples/casus_yilmaz.json --today $(TODAY) -o $(OUT)/tijdlijn-yilmaz.txt
	$(BIN)/dossier timeline samples/verzuim_export.csv --today $(TODAY) --format ics -o $(OUT)/poortwachter.ics
	@echo "== 3. Documenten (Word en PDF)"
	$(BIN)/dossier render alle samples/casus_kuipers.json --pdf --today $(TODAY) -o $(OUT)/documenten-kuipers
	$(BIN)/dossier render plan_van_aanpak samples/casus_de_boer.json --today $(TODAY) \
	  -o $(OUT)/documenten-de-boer/plan_van_aanpak-VZ-2026-0311.docx
	@echo "== 4. Het complete PDF-dossier met de uploadset voor UWV"
	$(BIN)/dossier build samples/casus_kuipers.json --today $(TODAY) -o $(OUT)/VZ-2025-0142.pdf --uwv $(OUT)/uwv-VZ-2025-0142
	@echo "== 5. Batch: een dossier voor elke casus uit de Excel-export"
	$(BIN)/dossier batch samples/verzuim_export.csv --soort dossier --today $(TODAY) --out $(OUT)/batch
	@echo; echo "Klaar. Het voorbeelddossier staat in $(OUT)/VZ-2025-0142.pdf; alles:"; ls -1 $(OUT)

# The web application with the sample cases imported into a data folder under out/ (kept between
# runs: the samples are imported once). PORT and DOSSIER_TOKEN can be set: make serve PORT=8080.
PORT ?= 8000
serve: venv
	mkdir -p $(OUT)
	$(BIN)/dossier serve --data $(OUT)/web-data --port $(PORT) --import samples/casus_kuipers.json \
	  --import samples/casus_yilmaz.json --import samples/casus_de_boer.json --import samples/casus_minimaal.json \
	  --import samples/verzuim_export.csv

# Pictures of the sample dossier for the README (cover, index, a stamped page).
readme-images: demo
	mkdir -p docs/img
	pdftoppm -png -r 50 -f 1 -l 2 $(OUT)/VZ-2025-0142.pdf docs/img/dossier
	pdftoppm -png -r 50 -f 10 -l 10 $(OUT)/VZ-2025-0142.pdf docs/img/dossier

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

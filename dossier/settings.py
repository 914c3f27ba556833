"""Run settings: one frozen object passed (keyword-only) through the library API."""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dossier.errors import Issue, Severity

#: Environment variable naming a folder of firm templates that override the built-ins by name.
TEMPLATES_ENV = "DOSSIER_TEMPLATES"
#: The finding level that only ``strict_alle`` turns into a failure (dossier.timeline.Niveau).
AANDACHTSPUNT = "aandachtspunt"


@dataclass(frozen=True)
class Settings:
    """Everything a run may be configured with.

    Attributes:
        locale: babel locale for dates and amounts.
        templates_dir: firm templates overriding the built-ins by file name (None: built-ins only).
        soffice: path or name of the LibreOffice binary.
        timeout: seconds one document conversion may take before LibreOffice is killed.
        keep_work: keep the temporary work folder (for debugging).
        strict: treat validation warnings and findings of level loonsanctie-risico or boete as errors.
        strict_alle: like ``strict``, and findings of level aandachtspunt too (every warning).
        wia_aanvraag_week: sickness week by whose end the WIA application is due (93; some firms 91).
        rapportage_interval_maanden: months per track-2 progress report period.
        converter: "libreoffice" (the real one) or "fake" (placeholder PDFs, for tests).
        pdfa: produce PDF/A-2b (LibreOffice export, identification and OutputIntent on the dossier).
        ocr: give scanned attachments a Dutch text layer with ocrmypdf (the ``ocr`` extra).
        bijlagen_map: a second folder attachments may be in, besides the case file's own folder
            (a web application's file store); nothing outside these two is ever read.
        cache: use the cache of rendered documents and converted PDFs (False: ``--no-cache``).
        cache_dir: the cache folder (None: ``$DOSSIER_CACHE``, else ``$XDG_CACHE_HOME/dossier``,
            else ``~/.cache/dossier``).
        cache_max_mb: the cache's size bound; least recently used entries are removed beyond it.
        cache_max_age_days: entries older than this are never used and removed (they hold personal
            data).
        samenvoegen: convert a case's DOCX files of one template set in one LibreOffice load and
            split the PDF back (off by default: a joined page can still differ from the separate
            conversion, and with slimmed copies it is no faster; see docs/samenvoegen.md).
            Documents that cannot be joined safely, and groups whose joined layout would separate
            a heading from its paragraph, are converted apart.
    """

    locale: str = "nl_NL"
    templates_dir: Path | None = None
    soffice: str = "soffice"
    timeout: float = 120.0
    keep_work: bool = False
    strict: bool = False
    strict_alle: bool = False
    wia_aanvraag_week: int = 93
    rapportage_interval_maanden: int = 2
    converter: str = "libreoffice"
    pdfa: bool = False
    ocr: bool = False
    bijlagen_map: Path | None = None
    cache: bool = True
    cache_dir: Path | None = None
    cache_max_mb: float = 2048
    cache_max_age_days: float = 30.0
    samenvoegen: bool = False

    def blocks(self, issue: Issue) -> bool:
        """Whether ``issue`` makes a run fail under these settings (errors always do)."""
        if issue.severity is Severity.fout:
            return True
        if self.strict_alle:
            return True
        return self.strict and issue.niveau != AANDACHTSPUNT

    def merge(self, **overrides: Any) -> Settings:
        """Return a copy with the given values replaced; ``None`` values are ignored."""
        return dataclasses.replace(self, **{k: v for k, v in overrides.items() if v is not None})


#: Environment variables of the cache: its folder, its size bound (MB) and its age limit (days).
CACHE_ENV, CACHE_MAX_MB_ENV, CACHE_MAX_AGE_ENV = "DOSSIER_CACHE", "DOSSIER_CACHE_MAX_MB", "DOSSIER_CACHE_MAX_DAGEN"


def _env_number(name: str, default: float) -> float:
    raw = os.environ.get(name, "").strip().replace(",", ".")
    try:
        value = float(raw) if raw else default
    except ValueError:
        return default
    return value if value > 0 else default


def default_settings() -> Settings:
    """Settings from the environment: the templates folder and the cache (folder, size, age)."""
    env_dir = os.environ.get(TEMPLATES_ENV)
    cache_dir = os.environ.get(CACHE_ENV)
    return Settings(templates_dir=Path(env_dir) if env_dir else None,
                    cache_dir=Path(cache_dir).expanduser() if cache_dir else None,
                    cache_max_mb=_env_number(CACHE_MAX_MB_ENV, 2048),
                    cache_max_age_days=_env_number(CACHE_MAX_AGE_ENV, 30.0))

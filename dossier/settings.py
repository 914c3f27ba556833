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
        samenvoegen: convert a case's DOCX files of one template set in one LibreOffice load and
            split the PDF back (faster; on by default). Documents that cannot be joined safely,
            and groups whose joined layout would separate a heading from its paragraph, are
            converted apart (docs/samenvoegen.md).
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
    samenvoegen: bool = True

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


def default_settings() -> Settings:
    """Settings from the environment (only the templates folder can come from there)."""
    env_dir = os.environ.get(TEMPLATES_ENV)
    return Settings(templates_dir=Path(env_dir) if env_dir else None)

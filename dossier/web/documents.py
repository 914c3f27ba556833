"""One generated document of a stored case as a DOCX, rendered in the request (docxtpl is fast).

The engine reads cases from files: the stored case file is written to a private temporary folder,
rendered with :func:`dossier.api.render_documents` and read back; nothing stays on disk.
"""

from __future__ import annotations

import json
import re
import tempfile
from datetime import date
from pathlib import Path
from typing import Any

from dossier import api
from dossier.web.storage import Invalid, NotFound

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def kinds() -> list[tuple[str, str]]:
    """(name, Dutch title) of every generated document kind, in RIV order."""
    return [(name, api.KINDS[name].titel) for name in api.document_kind_names()]


def render_docx(data: dict[str, Any], soort: str, *, nummer: int | None, settings: api.Settings,
                today: date) -> bytes:
    """The DOCX of ``soort`` (number ``nummer`` of a numbered kind; default the latest).

    Raises:
        NotFound: unknown kind.
        Invalid: the kind has no document ``nummer`` (or several, and none was chosen).
    """
    if soort not in api.document_kind_names():
        raise NotFound(f"onbekende documentsoort '{soort}'; kies uit: {', '.join(api.document_kind_names())}")
    with tempfile.TemporaryDirectory(prefix="dossier-web-") as tmp:
        case_file = Path(tmp) / "casus.json"
        case_file.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        out = Path(tmp) / f"{soort}.docx"
        try:
            api.render_documents(soort, case_file, output=out, nummer=nummer, settings=settings, today=today)
        except api.UsageError as e:
            raise Invalid(e.message, [api.Issue(api.Severity.fout, "invoer", "", "nummer", e.message)]) from None
        return out.read_bytes()


def check_json(data: dict[str, Any], nr: str, *, settings: api.Settings, today: date) -> str:
    """Exactly ``dossier check --format json`` (its text) of the stored case, as a file ``NR.json``."""
    with tempfile.TemporaryDirectory(prefix="dossier-web-") as tmp:
        case_file = Path(tmp) / (re.sub(r"[^A-Za-z0-9._-]", "_", nr) + ".json")
        case_file.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
        result = api.check_json([case_file], settings=settings, today=today)
    return json.dumps(result, ensure_ascii=False, indent=2) + "\n"


def download_name(nr: str, soort: str) -> str:
    """A file name for Content-Disposition: the dossiernummer (never a BSN) and the kind, safe characters only."""
    return re.sub(r"[^A-Za-z0-9._-]", "_", f"{soort}-{nr}") + ".docx"

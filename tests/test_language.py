"""The Dutch of the final documents: every template rendered for every sample, read as text.

Fails on what a reader must never see: ``None``, template syntax, "1 dagen", ISO dates, instruction
notes meant for the writer, the old words for the sick week, and English words.
"""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import pytest
from docx import Document

from dossier.findings import timeline_findings
from dossier.model import Case
from dossier.render import plan_documents, plan_voorblad, render_jobs
from dossier.settings import Settings
from dossier.timeline import compute_timeline
from dossier.timeline_format import timeline_text

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = sorted((ROOT / "samples").glob("casus_*.json"))
TODAY = date(2026, 11, 23)

#: English words that slipped into Dutch output before (or easily could).
ENGLISH = ("None", "True", "False", "null", "Undefined", "week of", "date", "status:", "signature",
           "employer", "employee", "page", "Date")
FORBIDDEN = [
    (re.compile(r"\{\{|\{%|%\}|\}\}"), "sjabloontaal"),
    (re.compile(r"\b1 dagen\b"), "meervoud bij 1"),
    (re.compile(r"\d{4}-\d{2}-\d{2}"), "ISO-datum"),
    (re.compile(r"\b\d{1,2}-\d{1,2}-\d{4}\b(?<!\d{2}-\d{2}-\d{4})"), "korte datum zonder voorloopnul"),
    (re.compile(r"Verplicht sinds|Regeling procesgang|Zonder medische gegevens"), "instructie in document"),
    (re.compile(r"van het verzuim|verzuimweek|Stelt bij|Datum van afgifte|aan tegen de"), "oude formulering"),
    (re.compile(r"\b(" + "|".join(re.escape(w) for w in ENGLISH) + r")\b"), "Engels woord"),
]


def problems(text: str) -> list[str]:
    out = []
    for pattern, what in FORBIDDEN:
        for m in pattern.finditer(text):
            start = max(0, m.start() - 30)
            out.append(f"{what}: …{text[start:m.end() + 30]}…")
    return out


def docx_text(path: Path) -> str:
    doc = Document(str(path))
    parts = [p.text for p in doc.paragraphs]
    parts += [c.text for t in doc.tables for r in t.rows for c in r.cells]
    for s in doc.sections:
        parts += [p.text for p in s.header.paragraphs] + [p.text for p in s.footer.paragraphs]
    return "\n".join(parts)


def test_the_checker_catches_what_it_should():
    bad = "None {{ x }} 1 dagen 2025-02-03 3-2-2025 Verplicht sinds week 8 van het verzuim employer"
    found = " ".join(problems(bad))
    for what in ("sjabloontaal", "meervoud", "ISO-datum", "voorloopnul", "instructie", "oude formulering",
                 "Engels"):
        assert what in found
    assert problems("03-02-2025, 3 februari 2025, ziekteweek 8, 1 dag") == []


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.stem)
@pytest.mark.parametrize("soort", ["alle", "plan_van_aanpak", "bijstelling_plan_van_aanpak", "evaluatieverslag",
                                   "eerstejaarsevaluatie", "trajectplan_tweede_spoor", "inspanningsrapportage",
                                   "eindevaluatie", "oordeel_werknemer"])
def test_every_template_for_every_sample_reads_as_dutch(path, soort, tmp_path):
    case = Case.model_validate(json.loads(path.read_text(encoding="utf-8")))
    tl = compute_timeline(case, today=TODAY)
    jobs = plan_documents(case, tl, soort=soort, settings=Settings(), today=TODAY)
    if soort == "alle":
        jobs.append(plan_voorblad(case, tl, settings=Settings(), today=TODAY))
    for out in render_jobs(jobs, tmp_path, settings=Settings()):
        assert problems(docx_text(out)) == [], out.name


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.stem)
def test_timeline_text_and_findings_read_as_dutch(path):
    case = Case.model_validate(json.loads(path.read_text(encoding="utf-8")))
    for today in (TODAY, date(2025, 3, 1), date(2027, 6, 1)):
        tl = compute_timeline(case, today=today)
        text = timeline_text(case, tl) + "\n".join(f.melding for f in timeline_findings(case, tl))
        assert problems(text) == [], today

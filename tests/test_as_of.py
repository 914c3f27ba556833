"""Each document knows only its own date: a document dated D is the same whether the case holds later
events or not (``case_as_of``, applied once in the job factory of :mod:`dossier.render`)."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dossier.model import Case
from dossier.render import DocumentJob, case_as_of, plan_documents, render_jobs
from dossier.settings import Settings
from dossier.timeline import compute_timeline

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = sorted((ROOT / "samples").glob("casus_*.json"))
TODAY = date(2026, 11, 23)
KUIPERS = ROOT / "samples" / "casus_kuipers.json"


def load(path: Path) -> Case:
    return Case.model_validate(json.loads(path.read_text(encoding="utf-8")))


def plan(case: Case, soort: str, nummer: int | None = None) -> list[DocumentJob]:
    return plan_documents(case, compute_timeline(case, today=TODAY), soort=soort, settings=Settings(),
                          today=TODAY, nummer=nummer)


def _ctx(job: DocumentJob) -> dict[str, Any]:
    return {k: v for k, v in job.context.items() if k != "_kalender"}


def same_job_from_truncated(job: DocumentJob, full: Case) -> DocumentJob:
    """The same document planned from the case cut off at the document's own date."""
    assert job.datum is not None
    jobs = plan(case_as_of(full, job.datum), job.soort, job.nummer)
    assert len(jobs) == 1, (job.titel, [j.titel for j in jobs])
    return jobs[0]


def assert_dated_documents_independent_of_later_events(full: Case) -> int:
    checked = 0
    for job in plan(full, "alle"):
        if job.datum is None:
            continue
        other = same_job_from_truncated(job, full)
        assert (other.titel, other.datum, other.filename) == (job.titel, job.datum, job.filename)
        assert _ctx(other) == _ctx(job), job.titel
        checked += 1
    return checked


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.stem)
def test_every_sample_document_equals_its_rendering_from_the_truncated_case(path, tmp_path):
    full = load(path)
    jobs = [j for j in plan(full, "alle") if j.datum is not None]
    if not jobs:
        pytest.skip("geen gedateerde documenten")
    from docx import Document

    def text(p: Path) -> str:
        doc = Document(str(p))
        parts = [par.text for par in doc.paragraphs]
        parts += [c.text for t in doc.tables for r in t.rows for c in r.cells]
        return "\n".join(parts)

    for job in jobs:
        other = same_job_from_truncated(job, full)
        a = render_jobs([job], tmp_path / "vol", settings=Settings())[0]
        b = render_jobs([other], tmp_path / "afgekapt", settings=Settings())[0]
        assert text(a) == text(b), job.titel


def test_kuipers_documents_do_not_mention_later_events():
    full = load(KUIPERS)
    jobs = {j.titel: j for j in plan(full, "alle")}
    pva = jobs["Plan van aanpak"].context
    assert not pva["probleemanalyse"]["bijstellingen"]  # the bijstelling of 2 June came later
    assert [e["datum"] for e in pva["evaluaties"]] == []
    r3 = next(j for t, j in jobs.items() if t.startswith("Inspanningsrapportage tweede spoor 3"))
    (wep,) = r3.context["periode"]["werkervaringsplaatsen"]
    # Report of 16 June 2026: the extension of 15 July is not known yet, nor the outcome.
    assert wep["einde"] == date(2026, 7, 20) and wep["verlengd_op"] is None and wep["resultaat"] is None
    assert all(s["datum"] <= r3.datum for s in r3.context["tweede_spoor"]["sollicitaties"])
    eje = jobs["Eerstejaarsevaluatie"].context
    assert not eje["tweede_spoor"] and not eje["eindevaluatie"]
    # A bijstelling still refers to the plan it adjusts.
    bij = jobs["Bijstelling plan van aanpak 1"].context["bijstelling"]
    assert bij["vorige_datum"] == date(2025, 2, 20)


def test_case_as_of_is_idempotent_and_monotone():
    full = load(KUIPERS)
    d1, d2 = date(2025, 9, 1), date(2026, 5, 1)
    assert case_as_of(case_as_of(full, d1), d1) == case_as_of(full, d1)
    assert case_as_of(case_as_of(full, d2), d1) == case_as_of(full, d1)
    assert case_as_of(full, TODAY) == full


# --- generated cases: the Kuipers case with random extra events at random dates --------------

START, END = date(2025, 1, 20), date(2026, 11, 20)
DAYS = (END - START).days
when = st.integers(0, DAYS).map(lambda n: START + timedelta(days=n))
text = st.sampled_from(["Besproken", "Afgewezen op cv en brief", "Loopt", "Uitgenodigd"])


@st.composite
def extras(draw: st.DrawFn) -> dict[str, Any]:
    return {
        "evaluaties": draw(st.lists(st.fixed_dictionaries({
            "datum": when, "soort": st.sampled_from(["evaluatie", "bijstelling"]),
            "verslag": text, "visie_werkgever": text, "visie_werknemer": text,
            "activiteiten": st.lists(st.fixed_dictionaries({"wat": text, "wie": text}), max_size=2),
        }), max_size=4)),
        "pa_bijstellingen": draw(st.lists(st.fixed_dictionaries({"datum": when, "toelichting": text}),
                                          max_size=2)),
        "sollicitaties": draw(st.lists(st.fixed_dictionaries({
            "datum": when, "werkgever": text, "functie": text, "resultaat": text}), max_size=4)),
        "activiteiten": draw(st.lists(st.fixed_dictionaries({
            "datum": when, "omschrijving": text,
            "soort": st.sampled_from(["ontwikkeling", "begeleiding", "bemiddeling", "werkervaring"])}),
            max_size=3)),
        "verlengd_op": draw(st.one_of(st.none(), when)),
        "loonsanctie": draw(st.one_of(st.none(), when)),
    }


def with_extras(base: dict[str, Any], x: dict[str, Any]) -> Case:
    data = json.loads(json.dumps(base))
    data["evaluaties"] += [{k: (v.isoformat() if isinstance(v, date) else v) for k, v in e.items()}
                           for e in x["evaluaties"]]
    data["probleemanalyse"]["bijstellingen"] += [{"datum": b["datum"].isoformat(),
                                                  "toelichting": b["toelichting"]}
                                                 for b in x["pa_bijstellingen"]]
    ts = data["tweede_spoor"]
    ts["sollicitaties"] += [{**s, "datum": s["datum"].isoformat()} for s in x["sollicitaties"]]
    ts["activiteiten"] += [{**a, "datum": a["datum"].isoformat()} for a in x["activiteiten"]]
    if x["verlengd_op"] is not None:
        ts["werkervaringsplaatsen"][0]["verlengd_op"] = x["verlengd_op"].isoformat()
    if x["loonsanctie"] is not None:
        data["loonsanctie"] = {"weken": 12, "datum": x["loonsanctie"].isoformat()}
    return Case.model_validate(data)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(x=extras())
def test_generated_cases_dated_documents_ignore_later_events(x):
    base = json.loads(KUIPERS.read_text(encoding="utf-8"))
    assert assert_dated_documents_independent_of_later_events(with_extras(base, x)) >= 10

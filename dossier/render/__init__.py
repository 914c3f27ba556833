"""The document layer: Word documents of the re-integration file, from DOCX templates.

Library API for the CLI and the PDF dossier::

    jobs = plan_documents(case, tijdlijn, soort="alle", settings=settings, today=today)
    paths = render_jobs(jobs, out_dir, settings=settings)

A :class:`DocumentJob` carries everything needed to render one document: the template file
(a firm's own or the built-in one), the filled-in context and a file name that never contains
the BSN. The template variables are documented in :mod:`dossier.render.context` and
``docs/templates.md``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from babel.dates import format_date

from dossier.errors import UsageError
from dossier.model import Case
from dossier.render.context import (
    Periode,
    bijstellingen,
    build_context,
    eerste_periode,
    is_leeg,
    rapportageperiodes,
)
from dossier.render.context import missing_data as _missing_data
from dossier.render.docx import render_docx
from dossier.render.environment import make_environment, shared_environment
from dossier.render.templates import (
    SOORTEN,
    TemplateInfo,
    check_template,
    check_templates,
    export_templates,
    list_templates,
    resolve_template,
)
from dossier.settings import Settings
from dossier.timeline import Tijdlijn

log = logging.getLogger(__name__)


#: ``soort="alle"`` renders in the order of the re-integratieverslag (poortwachter Part A):
#: plan van aanpak with its bijstellingen, eerstejaarsevaluatie, track 2, eindevaluatie.
VOLGORDE_ALLE: tuple[str, ...] = (
    "plan_van_aanpak",
    "bijstelling_plan_van_aanpak",
    "eerstejaarsevaluatie",
    "trajectplan_tweede_spoor",
    "inspanningsrapportage",
    "eindevaluatie",
)

TITELS: dict[str, str] = {
    "plan_van_aanpak": "Plan van aanpak",
    "bijstelling_plan_van_aanpak": "Bijstelling plan van aanpak",
    "trajectplan_tweede_spoor": "Trajectplan tweede spoor",
    "inspanningsrapportage": "Inspanningsrapportage tweede spoor",
    "eerstejaarsevaluatie": "Eerstejaarsevaluatie",
    "eindevaluatie": "Eindevaluatie",
    "voorblad": "Voorblad",
}


@dataclass(frozen=True)
class DocumentJob:
    """One document to render.

    Attributes:
        soort: template kind (one of :data:`SOORTEN`, or "voorblad").
        titel: Dutch title for indexes and logs, e.g. "Bijstelling plan van aanpak 2".
        datum: date of the document (None when the case has none yet).
        template: the DOCX template file to use.
        context: the template variables (from :func:`build_context`).
        filename: ``<soort>[-<n>]-<dossiernummer>.docx`` — never the BSN.
    """

    soort: str
    titel: str
    datum: date | None
    template: Path
    context: dict[str, Any] = field(repr=False)
    filename: str


def _bestandsnaam(soort: str, case: Case, nummer: int | None = None) -> str:
    # The dossiernummer is validated as letters, digits, space, . _ -; spaces become "_".
    dossier = case.dossiernummer.replace(" ", "_")
    n = f"-{nummer}" if nummer is not None else ""
    return f"{soort}{n}-{dossier}.docx"


def _job(soort: str, case: Case, tijdlijn: Tijdlijn, *, settings: Settings, today: date,
         titel: str, datum: date | None, nummer: int | None = None,
         periode: Periode | None = None, bijstelling: int | None = None) -> DocumentJob:
    ctx = build_context(case, tijdlijn, today=today, settings=settings, periode=periode,
                        bijstelling=bijstelling)
    return DocumentJob(
        soort=soort,
        titel=titel,
        datum=datum,
        template=resolve_template(soort, settings.templates_dir),
        context=ctx,
        filename=_bestandsnaam(soort, case, nummer),
    )


def _heeft(value: Any) -> bool:
    return not is_leeg(value)


def _jobs_for(soort: str, case: Case, tijdlijn: Tijdlijn, *, settings: Settings, today: date,
              nummer: int | None, alle: bool) -> list[DocumentJob]:
    titel = TITELS[soort]
    kw: dict[str, Any] = {"settings": settings, "today": today}
    if soort == "plan_van_aanpak":
        pva = case.plan_van_aanpak
        if alle and not _heeft(pva):
            return []
        return [_job(soort, case, tijdlijn, titel=titel, datum=pva.datum if pva else None, **kw)]

    if soort == "bijstelling_plan_van_aanpak":
        lijst = bijstellingen(case)
        if nummer is not None:
            if not 1 <= nummer <= len(lijst):
                raise UsageError(f"bijstelling {nummer} bestaat niet; de casus heeft "
                                 f"{len(lijst)} bijstelling(en) van het plan van aanpak")
            gekozen = [nummer]
        elif alle:
            gekozen = list(range(1, len(lijst) + 1))
        else:
            gekozen = [len(lijst)] if lijst else []
        if not gekozen:
            return [] if alle else [_job(soort, case, tijdlijn, titel=titel, datum=None, **kw)]
        return [_job(soort, case, tijdlijn, titel=f"{titel} {n}", datum=lijst[n - 1].datum,
                     nummer=n, bijstelling=n, **kw) for n in gekozen]

    if soort == "trajectplan_tweede_spoor":
        ts = case.tweede_spoor
        if alle and not _heeft(ts):
            return []
        return [_job(soort, case, tijdlijn, titel=titel, datum=ts.start if ts else None, **kw)]

    if soort == "inspanningsrapportage":
        periods = rapportageperiodes(case, tijdlijn, today=today,
                                     interval_maanden=settings.rapportage_interval_maanden)
        if nummer is not None:
            gekozen = [p for p in periods if p.nummer == nummer]
            if not gekozen:
                raise UsageError(f"inspanningsrapportage {nummer} bestaat niet (nog): tot en met "
                                 f"{_lang(today, settings)} zijn er {len(periods)} "
                                 "rapportageperiodes")
            periods = gekozen
        if alle:
            # Only periods with something to report: a narrative, or activities in the period.
            periods = [p for p in periods if _periode_heeft_data(case, p)]
            if not periods:
                return []
        elif not periods:
            periods = [eerste_periode(case, interval_maanden=settings.rapportage_interval_maanden)]
        out = []
        for p in periods:
            datum = (p.rapportage.datum if p.rapportage and p.rapportage.datum else p.tot)
            span = (f" ({_lang(p.van, settings)} t/m {_lang(p.tot, settings)})"
                    if p.van and p.tot else "")
            out.append(_job(soort, case, tijdlijn, titel=f"{titel} {p.nummer}{span}", datum=datum,
                            nummer=p.nummer, periode=p, **kw))
        return out

    if soort == "eerstejaarsevaluatie":
        eje = case.eerstejaarsevaluatie
        if alle and not _heeft(eje):
            return []
        return [_job(soort, case, tijdlijn, titel=titel, datum=eje.datum if eje else None, **kw)]

    if soort == "eindevaluatie":
        ev = case.eindevaluatie
        if alle and not _heeft(ev):
            return []
        return [_job(soort, case, tijdlijn, titel=titel, datum=ev.datum if ev else None, **kw)]
    raise AssertionError(soort)  # pragma: no cover


def _periode_heeft_data(case: Case, p: Periode) -> bool:
    """A narrative, or something that happened in the period (an activity, an application, the
    start of a work placement). A placement that merely continues does not count: a report that
    would be all fill-in lines is left out of "alle" (``missing_data`` still flags it)."""
    if p.rapportage is not None:
        return True
    ts = case.tweede_spoor
    if ts is None or p.van is None or p.tot is None:
        return False
    dated = ([a.datum for a in ts.activiteiten] + [s.datum for s in ts.sollicitaties]
             + [w.begin for w in ts.werkervaringsplaatsen])
    return any(d is not None and p.van <= d <= p.tot for d in dated)


def _lang(d: date | None, settings: Settings) -> str:
    return "" if d is None else format_date(d, "long", locale=settings.locale)


def plan_documents(
    case: Case,
    tijdlijn: Tijdlijn,
    *,
    soort: str,
    settings: Settings,
    today: date,
    nummer: int | None = None,
) -> list[DocumentJob]:
    """The documents to render for a case.

    Args:
        case: a validated case.
        tijdlijn: ``compute_timeline(case, today=today)``.
        soort: one of :data:`SOORTEN`, or "alle" for every document the case has data for,
            in the order of the re-integratieverslag.
        settings: run settings (templates folder, locale, report interval).
        today: date of issue.
        nummer: for bijstelling_plan_van_aanpak / inspanningsrapportage: render only that one
            (1-based, in date order).

    Returns:
        Jobs. A named soort always gives at least one job — a pre-filled form when the case has
        no data for it yet. The bijstelling is the latest one unless ``nummer`` is given; the
        inspanningsrapportage gives one job per report period. "alle" skips documents without
        any data and gives every bijstelling and every period.

    Raises:
        UsageError: unknown soort, or a ``nummer`` that does not exist.
    """
    if settings.templates_dir is not None and not Path(settings.templates_dir).is_dir():
        log.warning("map met eigen sjablonen %s bestaat niet; de ingebouwde sjablonen worden "
                    "gebruikt", settings.templates_dir)
    if soort == "alle":
        if nummer is not None:
            raise UsageError("een nummer kan alleen bij één documentsoort worden gekozen")
        out: list[DocumentJob] = []
        for s in VOLGORDE_ALLE:
            out += _jobs_for(s, case, tijdlijn, settings=settings, today=today, nummer=None,
                             alle=True)
        return out
    if soort not in SOORTEN:
        import difflib

        tip = difflib.get_close_matches(soort, SOORTEN, n=1)
        hint = f" — bedoelt u '{tip[0]}'?" if tip else ""
        raise UsageError(f"onbekende documentsoort '{soort}'{hint}; kies uit: "
                         f"{', '.join(SOORTEN)} of alle")
    if nummer is not None and soort not in ("bijstelling_plan_van_aanpak", "inspanningsrapportage"):
        raise UsageError(f"een nummer kiezen kan alleen bij bijstelling_plan_van_aanpak en "
                         f"inspanningsrapportage, niet bij {soort}")
    return _jobs_for(soort, case, tijdlijn, settings=settings, today=today, nummer=nummer,
                     alle=False)


def plan_voorblad(case: Case, tijdlijn: Tijdlijn, *, settings: Settings, today: date) -> DocumentJob:
    """The cover page of the PDF dossier (one page; template ``voorblad.docx``)."""
    return _job("voorblad", case, tijdlijn, settings=settings, today=today,
                titel=TITELS["voorblad"], datum=today)


def render_jobs(jobs: list[DocumentJob], out_dir: Path, *, settings: Settings) -> list[Path]:
    """Render every job into ``out_dir`` (created when missing); returns the written files.

    Raises:
        TemplateRenderError: a template is broken; the message names template and variable.
    """
    env = shared_environment(settings.locale)
    out_dir = Path(out_dir)
    paths = []
    for job in jobs:
        log.debug("%s: %s met sjabloon %s", job.filename, job.titel, job.template)
        paths.append(render_docx(job.template, job.context, out_dir / job.filename, env))
    return paths


def missing_data(
    case: Case, tijdlijn: Tijdlijn, *, today: date, settings: Settings | None = None
) -> list[tuple[str, str]]:
    """Required document elements that are empty: (dotted field, Dutch message), for ``check``.

    Example: ``("plan_van_aanpak.visie_werknemer", "visie van de werknemer ontbreekt
    (verplicht sinds 1 juli 2023)")``. The documents print a fill-in line there.
    """
    interval = (settings or Settings()).rapportage_interval_maanden
    return _missing_data(case, tijdlijn, today=today, interval_maanden=interval)


__all__ = [
    "SOORTEN",
    "DocumentJob",
    "TemplateInfo",
    "build_context",
    "check_template",
    "check_templates",
    "export_templates",
    "list_templates",
    "make_environment",
    "missing_data",
    "plan_documents",
    "plan_voorblad",
    "render_docx",
    "render_jobs",
    "resolve_template",
]

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

from dossier.errors import UsageError
from dossier.fileio import atomic_write_bytes
from dossier.kinds import KINDS, VOORBLAD, Kind, document_kind
from dossier.model import Case, Ondertekening
from dossier.render.as_of import case_as_of
from dossier.render.context import Periode, build_context
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
from dossier.timeline import Tijdlijn, compute_timeline

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DocumentJob:
    """One document to render.

    Attributes:
        kind: the document kind (from the registry in :mod:`dossier.kinds`).
        titel: Dutch title for indexes and logs, e.g. "Bijstelling plan van aanpak 2".
        datum: date of the document (None when the case has none yet).
        template: the DOCX template file to use.
        context: the template variables (from :func:`build_context`).
        filename: ``<soort>[-<n>]-<dossiernummer>.docx`` — never the BSN.
        nummer: which of several documents of the kind (1-based, in date order), else None.
        ondertekening: the case's ``ondertekeningen`` record for this document (kind and nummer), if any.
    """

    kind: Kind
    titel: str
    datum: date | None
    template: Path
    context: dict[str, Any] = field(repr=False)
    filename: str
    nummer: int | None = None
    ondertekening: Ondertekening | None = None

    @property
    def soort(self) -> str:
        """The kind's name, e.g. "plan_van_aanpak"."""
        return self.kind.name


def ondertekening_van(case: Case, soort: str, nummer: int | None) -> Ondertekening | None:
    """The ``ondertekeningen`` record of document ``soort`` number ``nummer`` (None = 1), if any."""
    n = nummer or 1
    return next((o for o in case.ondertekeningen if o.document == soort and o.nummer == n), None)


def _bestandsnaam(soort: str, case: Case, nummer: int | None = None) -> str:
    # The dossiernummer is validated as letters, digits, space, . _ -; spaces become "_".
    dossier = case.dossiernummer.replace(" ", "_")
    n = f"-{nummer}" if nummer is not None else ""
    return f"{soort}{n}-{dossier}.docx"


@dataclass(frozen=True)
class _Request:
    """A planning request (see :class:`dossier.kinds.Request`); ``job`` fills in one document."""

    case: Case
    tijdlijn: Tijdlijn
    settings: Settings
    today: date
    nummer: int | None = None
    alle: bool = False
    contexts: bool = True  # False: jobs only to know which documents there are (check), no template variables

    def job(self, kind: Kind, *, titel: str | None = None, datum: date | None, nummer: int | None = None,
            periode: Periode | None = None, bijstelling: int | None = None,
            evaluatie: int | None = None) -> DocumentJob:
        # Signing comes after writing: the record is the full case's, whatever the document's date.
        signed = ondertekening_van(self.case, kind.name, nummer) if kind.name != VOORBLAD.name else None
        # A dated document is written from the case as it stood on its date (issue: documents
        # that mention later events read as written afterwards).
        case, tijdlijn = self.case, self.tijdlijn
        if datum is not None and kind.name != VOORBLAD.name and self.contexts:
            case = case_as_of(self.case, datum)
            if case != self.case:
                tijdlijn = compute_timeline(case, today=self.today)
        ctx = build_context(case, tijdlijn, today=self.today, settings=self.settings, periode=periode,
                            bijstelling=bijstelling, evaluatie=evaluatie,
                            ondertekening=signed) if self.contexts else {}
        return DocumentJob(kind=kind, titel=titel or kind.titel, datum=datum,
                           template=resolve_template(kind.name, self.settings.templates_dir), context=ctx,
                           filename=_bestandsnaam(kind.name, self.case, nummer), nummer=nummer,
                           ondertekening=signed)


def plan_documents(
    case: Case,
    tijdlijn: Tijdlijn,
    *,
    soort: str,
    settings: Settings,
    today: date,
    nummer: int | None = None,
    contexts: bool = True,
) -> list[DocumentJob]:
    """The documents to render for a case.

    Args:
        case: a validated case.
        tijdlijn: ``compute_timeline(case, today=today)``.
        soort: a generated kind of :mod:`dossier.kinds`, or "alle" for every document the case has data for,
            in the order of the re-integratieverslag.
        settings: run settings (templates folder, locale, report interval).
        today: date of issue.
        nummer: for bijstelling_plan_van_aanpak / inspanningsrapportage: render only that one
            (1-based, in date order).
        contexts: False gives jobs with an empty ``context`` (which documents there are, their number,
            date and signing record; for ``check``, much cheaper).

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
        req = _Request(case, tijdlijn, settings, today, alle=True, contexts=contexts)
        return [job for k in KINDS.values() for job in k.documents(req)]
    kind = document_kind(soort)
    if nummer is not None and not kind.numbered:
        numbered = " en ".join(k.name for k in KINDS.values() if k.numbered)
        raise UsageError(f"een nummer kiezen kan alleen bij {numbered}, niet bij {soort}")
    return kind.documents(_Request(case, tijdlijn, settings, today, nummer=nummer, contexts=contexts))


def match_ondertekeningen(jobs: list[DocumentJob], case: Case) -> list[tuple[str, str]]:
    """Check every ``ondertekeningen`` record against the planned documents (``soort="alle"``).

    A record names a document by kind and ``nummer``; its ``datum``, when given, must be that document's
    own date. A mismatch is an error, never a silent move to another document: when documents are added
    before it, the numbers shift and the record must be corrected by hand.

    Returns:
        (field as ``ondertekeningen[N].veld``, Dutch message) for each record that matches no document.
    """
    from dossier.nl_format import datum_cijfers

    by_kind: dict[str, list[DocumentJob]] = {}
    for job in jobs:
        by_kind.setdefault(job.soort, []).append(job)
    out: list[tuple[str, str]] = []
    for i, o in enumerate(case.ondertekeningen, start=1):
        here = by_kind.get(o.document, [])
        job = next((j for j in here if (j.nummer or 1) == o.nummer), None)
        if job is None:
            have = (f"de casus heeft er {len(here)} ({', '.join(str(j.nummer or 1) for j in here)})" if here
                    else "de casus heeft (nog) geen gegevens voor dat document")
            out.append((f"ondertekeningen[{i}].nummer", f"{o.document} {o.nummer} bestaat niet; {have}"))
        elif o.datum is not None and o.datum != job.datum:
            own = f"gedateerd {datum_cijfers(job.datum)}" if job.datum else "nog zonder datum"
            other = next((j for j in here if j.datum == o.datum), None)
            hint = (f"; dat is de datum van nummer {other.nummer or 1} — is er een eerder document bijgekomen? "
                    "Pas het nummer aan" if other is not None else "")
            out.append((f"ondertekeningen[{i}].datum",
                        f"{datum_cijfers(o.datum)} past niet bij {o.document} {o.nummer} ({own}){hint}"))
    return out


def plan_voorblad(case: Case, tijdlijn: Tijdlijn, *, settings: Settings, today: date) -> DocumentJob:
    """The cover page of the PDF dossier (one page; template ``voorblad.docx``)."""
    return VOORBLAD.documents(_Request(case, tijdlijn, settings, today))[0]


def render_jobs(jobs: list[DocumentJob], out_dir: Path, *, settings: Settings,
                dossier: str | None = None) -> list[Path]:
    """Render every job into ``out_dir`` (created when missing); returns the written files.

    With ``settings.cache`` an unchanged document (same template bytes, same context) is read
    from the render cache instead (:mod:`dossier.render.cache`); new ones are stored there, tagged
    with ``dossier``.

    Raises:
        TemplateRenderError: a template is broken; the message names template and variable.
    """
    from dossier.cache import open_cache
    from dossier.fileio import ensure_dir
    from dossier.render.cache import render_key
    from dossier.render.docx import render_bytes

    env = shared_environment(settings.locale)
    out_dir = ensure_dir(Path(out_dir))
    cache = open_cache(settings)
    paths = []
    for job in jobs:
        key = render_key(job.template, job.context, locale=settings.locale) if cache is not None else None
        data = cache.get("docx", key) if cache is not None and key is not None else None
        if data is None:
            log.debug("%s: %s met sjabloon %s", job.filename, job.titel, job.template)
            data = render_bytes(job.template, job.context, env)
            if cache is not None and key is not None:
                cache.put("docx", key, data, dossier=dossier)
        elif dossier:
            cache.tag("docx", key, dossier)  # type: ignore[arg-type,union-attr]
        target = out_dir / job.filename
        # A private work folder: no fsync, but still never a half-written file under the final name.
        atomic_write_bytes(target, data, sync=False)
        paths.append(target)
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
    "case_as_of",
    "check_template",
    "check_templates",
    "export_templates",
    "list_templates",
    "make_environment",
    "match_ondertekeningen",
    "missing_data",
    "ondertekening_van",
    "plan_documents",
    "plan_voorblad",
    "render_docx",
    "render_jobs",
    "resolve_template",
]

"""What a case lacks on a reference date: the one list that ``check``, ``build`` and ``batch`` report.

Three sources, decided once and reported in this order:

1. late or overdue poortwachter steps (from the timeline);
2. parts of the re-integratieverslag that others deliver and that are missing as attachments
   (the bedrijfsarts' probleemanalyse and actueel oordeel);
3. empty elements of the documents the case does have data for (what the templates print as a
   fill-in line);
4. generated documents still unsigned 14 days after their own date (``niet_ondertekend``).

Records of ``ondertekeningen`` that name no planned document (wrong ``nummer`` or ``datum``) are not
findings but errors: :func:`signing_errors`, reported by ``check`` and ``build`` as such.

Whether a document itself was made on time (plan van aanpak, eerstejaarsevaluatie, eindevaluatie)
is a timeline matter: it is reported once, as a late step, not again as a missing part.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from dossier.errors import Issue, Severity
from dossier.model import Case
from dossier.nl_format import bedrag, datum
from dossier.render import DocumentJob, match_ondertekeningen, plan_documents
from dossier.render.context import missing_data
from dossier.settings import Settings
from dossier.timeline import Gevolg, Mijlpaal, Status, Tijdlijn

#: Maximum UWV fine for a late 42nd-week report (Beleidsregel boete werkgevers ZW, since 2017).
BOETE_ZIEKMELDING = Decimal(455)
#: Wage-sanction estimate: 52 weeks at 70% of the wage, plus 8% holiday pay.
LOONSANCTIE_FACTOR = Decimal("0.70") * Decimal("1.08") * 12

#: Attachments the RIV needs from others: (kind, milestone from which it is due, message).
REQUIRED_ATTACHMENTS: tuple[tuple[str, str, str], ...] = (
    ("probleemanalyse", "probleemanalyse",
     "de probleemanalyse van de bedrijfsarts ontbreekt als bijlage (soort 'probleemanalyse'); die is "
     "verplicht in het re-integratieverslag"),
    ("actueel_oordeel", "wia_brief",
     "het actueel oordeel van de bedrijfsarts ontbreekt als bijlage (soort 'actueel_oordeel'); nodig voor "
     "de WIA-aanvraag"),
)


@dataclass(frozen=True)
class Finding:
    """One thing a case lacks or did late.

    Attributes:
        code: the milestone code, or the field the finding is about.
        veld: dotted field path (for a late step: the milestone code).
        melding: Dutch text saying what is wrong and what it risks.
    """

    code: str
    veld: str
    melding: str
    niveau: str = "aandachtspunt"

    def issue(self, source: str, location: str, severity: Severity = Severity.waarschuwing) -> Issue:
        """As a warning (or, for :func:`signing_errors`, an error) located at the case."""
        return Issue(severity, source, location, self.veld, self.melding)


def risk_text(m: Mijlpaal, case: Case) -> str:
    """What a late or missing step risks, in Dutch."""
    if m.gevolg is Gevolg.boete:
        return f"risico: boete van UWV (maximaal {bedrag(BOETE_ZIEKMELDING)})"
    if m.gevolg is Gevolg.loonsanctie:
        text = "risico: loonsanctie (tot 52 weken extra loon doorbetalen)"
        loon = case.werknemer.bruto_maandloon
        if loon:
            text += f", indicatie {bedrag((loon * LOONSANCTIE_FACTOR).quantize(Decimal(1)))}"
        return text
    return ""


def timeline_findings(case: Case, tl: Tijdlijn) -> list[Finding]:
    """Every step that is late or overdue on the reference date."""
    out = []
    for m in tl.mijlpalen:
        if m.informatief or m.status not in (Status.verlopen, Status.te_laat):
            continue
        if m.status is Status.verlopen:
            days = (tl.today - m.uiterlijk).days
            what = (f"{m.label}: uiterlijk {datum(m.uiterlijk)} (week {m.ziekteweek}), niet gedaan; "
                    f"{days} dagen over tijd")
        else:
            assert m.gedaan_op is not None
            days = (m.gedaan_op - m.uiterlijk).days
            what = (f"{m.label}: gedaan op {datum(m.gedaan_op)}, {days} dagen na de uiterste datum "
                    f"{datum(m.uiterlijk)}")
        risk = risk_text(m, case)
        out.append(Finding(m.code, m.code, f"{what}. {risk[0].upper() + risk[1:]}" if risk else what))
    return out


def attachment_findings(case: Case, tl: Tijdlijn) -> list[Finding]:
    """RIV parts made by others that should be attached by now but are not."""
    kinds = {b.soort for b in case.bijlagen}
    out = []
    for kind, code, message in REQUIRED_ATTACHMENTS:
        m = tl.get(code)
        if m is not None and (m.vanaf or m.uiterlijk) <= tl.today and kind not in kinds:
            out.append(Finding(kind, "bijlagen", message))
    return out


#: Days after its own date by which a document should be signed (issue 12).
ONDERTEKEN_TERMIJN_DAGEN = 14
#: Kinds the re-integratiebedrijf signs too (track-2 plan and reports).
DERDE_TEKENT = ("trajectplan_tweede_spoor", "inspanningsrapportage")


def planned_documents(case: Case, tl: Tijdlijn, *, settings: Settings) -> list[DocumentJob]:
    """Every document a build of the case would hold (``soort="alle"`` on the timeline's date)."""
    return plan_documents(case, tl, soort="alle", settings=settings, today=tl.today)


def signing_errors(case: Case, tl: Tijdlijn, *, settings: Settings,
                   jobs: list[DocumentJob] | None = None) -> list[Finding]:
    """Records of ``ondertekeningen`` that match no planned document: errors, not warnings."""
    if not case.ondertekeningen:
        return []
    jobs = planned_documents(case, tl, settings=settings) if jobs is None else jobs
    return [Finding("ondertekening_onbekend", veld, melding) for veld, melding in match_ondertekeningen(jobs, case)]


_PARTIJ = {"werkgever": "de werkgever", "werknemer": "de werknemer", "reintegratiebedrijf": "het re-integratiebedrijf"}


def unsigned_by(job: DocumentJob) -> list[str]:
    """The parties whose signature the document still lacks (a signed scan counts as signed by all)."""
    o = job.ondertekening
    if o is not None and o.scan:
        return []
    parties = ["werkgever", "werknemer"] + (["reintegratiebedrijf"] if job.soort in DERDE_TEKENT else [])
    return [p for p in parties if o is None or getattr(o, p) is None]


def unsigned_findings(case: Case, tl: Tijdlijn, *, settings: Settings,
                      jobs: list[DocumentJob] | None = None) -> list[Finding]:
    """Each generated document still unsigned ``ONDERTEKEN_TERMIJN_DAGEN`` days after its own date.

    Level ``aandachtspunt``; ``loonsanctie-risico`` from the eindevaluatie's due date on, when the RIV
    must be complete (``Finding.niveau``).
    """
    from datetime import timedelta

    jobs = planned_documents(case, tl, settings=settings) if jobs is None else jobs
    eind = tl.get("eindevaluatie")
    risico = eind is not None and tl.today >= eind.uiterlijk
    out = []
    for job in jobs:
        missing = unsigned_by(job)
        if job.datum is None or not missing or tl.today <= job.datum + timedelta(days=ONDERTEKEN_TERMIJN_DAGEN):
            continue
        i = next((n for n, o in enumerate(case.ondertekeningen, start=1) if o is job.ondertekening), None)
        veld = f"ondertekeningen[{i}]" if i else "ondertekeningen"
        names = [_PARTIJ[p] for p in missing]
        wie = names[0] if len(names) == 1 else f"{', '.join(names[:-1])} en {names[-1]}"
        text = (f"{job.titel} van {datum(job.datum)} is nog niet ondertekend door {wie} "
                f"(document '{job.soort}', nummer {job.nummer or 1}); UWV vraagt elk document ondertekend en "
                "gedateerd")
        if risico:
            assert eind is not None
            text += (f". Het re-integratieverslag moest op {datum(eind.uiterlijk)} compleet zijn: "
                     "risico op een loonsanctie")
        out.append(Finding("niet_ondertekend", veld, text, "loonsanctie-risico" if risico else "aandachtspunt"))
    return out


def case_findings(case: Case, tl: Tijdlijn, *, settings: Settings,
                  jobs: list[DocumentJob] | None = None) -> list[Finding]:
    """The whole list, in the order of the module docstring (``jobs``: the planned documents, when known)."""
    out = timeline_findings(case, tl) + attachment_findings(case, tl)
    out += [Finding(veld, veld, melding) for veld, melding in
            missing_data(case, tl, today=tl.today, interval_maanden=settings.rapportage_interval_maanden)]
    out += unsigned_findings(case, tl, settings=settings, jobs=jobs)
    return out

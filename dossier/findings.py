"""What a case lacks on a reference date: the one list that ``check``, ``build`` and ``batch`` report.

Five sources, decided once and reported in this order:

1. late or overdue poortwachter steps (from the timeline), and an eerstejaarsevaluatie held too early;
2. parts of the re-integratieverslag that others deliver and that are missing as attachments
   (the bedrijfsarts' probleemanalyse and actueel oordeel);
3. empty elements of the documents the case does have data for (what the templates print as a
   fill-in line);
4. the RIV-toets: what an arbeidsdeskundige of UWV checks in the content (:mod:`dossier.rivtoets`).
5. generated documents still unsigned 14 days after their own date (``niet_ondertekend``).

Records of ``ondertekeningen`` that name no planned document (wrong ``nummer`` or ``datum``) are not
findings but errors: :func:`signing_errors`, reported by ``check`` and ``build`` as such.

Every finding has a level (:class:`~dossier.timeline.Niveau`), a code listed in docs/bevindingen.md,
and the documents it rests on (``grondslag``). Whether a document itself was made on time (plan van
aanpak, eerstejaarsevaluatie, eindevaluatie) is a timeline matter: it is reported once, as a late
step, not again as a missing part.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from dossier.errors import Issue, Severity
from dossier.model import Case
from dossier.nl_format import bedrag, datum
from dossier.render import DocumentJob, match_ondertekeningen, plan_documents
from dossier.render.context import Periode, bijstellingen, missing_data, rapportageperiodes
from dossier.settings import Settings
from dossier.timeline import Gevolg, Mijlpaal, Niveau, Status, Tijdlijn

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

#: The document kind (dossier.kinds) a milestone's own step is recorded in.
_STEP_DOCUMENT = {
    "probleemanalyse": "probleemanalyse", "plan_van_aanpak": "plan_van_aanpak",
    "eerstejaarsevaluatie": "eerstejaarsevaluatie", "tweede_spoor": "trajectplan_tweede_spoor",
    "eindevaluatie": "eindevaluatie",
}
#: Top-level case fields → the document kind whose element is empty (missing_data).
_FIELD_DOCUMENT = {
    "plan_van_aanpak": "plan_van_aanpak", "probleemanalyse": "probleemanalyse",
    "eerstejaarsevaluatie": "eerstejaarsevaluatie", "tweede_spoor": "trajectplan_tweede_spoor",
    "eindevaluatie": "eindevaluatie", "actueel_oordeel": "actueel_oordeel",
    "evaluaties": "bijstelling_plan_van_aanpak", "inspanningsrapportages": "inspanningsrapportage",
}


@dataclass(frozen=True)
class Grondslag:
    """One document (or list of case data) a finding rests on.

    Attributes:
        document: a document kind of :mod:`dossier.kinds` (``plan_van_aanpak``,
            ``arbeidsdeskundig_rapport``, …) or a list of case data (``belastbare_uren``,
            ``gewerkte_uren``, ``spoor1_niet_haalbaar``, ``ziekteperiodes``).
        nummer: which one (1-based) when there are several, else None.
        datum: its date, when known.
    """

    document: str
    nummer: int | None = None
    datum: date | None = None

    def as_json(self) -> dict[str, Any]:
        return {"document": self.document, "nummer": self.nummer,
                "datum": self.datum.isoformat() if self.datum else None}


@dataclass(frozen=True)
class Finding:
    """One thing a case lacks, did late, or contradicts.

    Attributes:
        code: what kind of finding (docs/bevindingen.md lists every code).
        veld: dotted field path (for a late step: the milestone code).
        melding: Dutch text saying what is wrong and what it risks.
        niveau: loonsanctie-risico, boete or aandachtspunt.
        uiterlijk: the deadline the finding is about, if any.
        grondslag: the documents and dates it rests on.
    """

    code: str
    veld: str
    melding: str
    niveau: Niveau = Niveau.aandachtspunt
    uiterlijk: date | None = None
    grondslag: tuple[Grondslag, ...] = ()

    def issue(self, source: str, location: str, severity: Severity = Severity.waarschuwing) -> Issue:
        """As a warning (or, for :func:`signing_errors`, an error) located at the case."""
        return Issue(severity, source, location, self.veld, self.melding, niveau=str(self.niveau))

    def as_json(self) -> dict[str, Any]:
        """The finding in the ``check --format json`` contract (``bevindingen``)."""
        return {"code": self.code, "niveau": str(self.niveau), "melding": self.melding,
                "uiterlijk": self.uiterlijk.isoformat() if self.uiterlijk else None,
                "grondslag": [g.as_json() for g in self.grondslag]}


@functools.lru_cache(maxsize=1024)
def _loonsanctie_text(loon: Decimal | None) -> str:
    # Cached: formatting an amount with babel is the costliest step of a check of many cases.
    text = "risico: loonsanctie (tot 52 weken extra loon doorbetalen)"
    if loon:
        text += f", indicatie {bedrag((loon * LOONSANCTIE_FACTOR).quantize(Decimal(1)))}"
    return text


def loonsanctie_text(case: Case) -> str:
    """The wage-sanction risk in Dutch, with an estimate when the wage is known."""
    return _loonsanctie_text(case.werknemer.bruto_maandloon)


def risk_text(m: Mijlpaal, case: Case, niveau: Niveau | None = None) -> str:
    """What a late or missing step risks, in Dutch, by its level (no wage sanction on an aandachtspunt)."""
    niveau = niveau or m.niveau
    if m.informatief:
        return ""
    if niveau is Niveau.boete:
        return f"risico: boete van UWV (maximaal {bedrag(BOETE_ZIEKMELDING)})"
    if niveau is Niveau.loonsanctie_risico:
        return loonsanctie_text(case)
    if m.gevolg is Gevolg.loonsanctie:
        return ("aandachtspunt: geen loonsanctie op zich, maar UWV kijkt in de RIV-toets of de stap "
                "regelmatig is gezet")
    return "aandachtspunt"


def _sentence(what: str, risk: str) -> str:
    return f"{what}. {risk[0].upper() + risk[1:]}" if risk else what


def _after_riv(m: Mijlpaal, case: Case, tl: Tijdlijn) -> bool:
    """An evaluation due after the RIV was handed in (WIA application or eindevaluatie done)."""
    done = [d for d in ((case.wia_aanvraag.datum if case.wia_aanvraag else None),
                        (case.eindevaluatie.datum if case.eindevaluatie else None)) if d is not None]
    return m.code == "evaluatie" and bool(done) and m.uiterlijk > min(done) >= tl.eerste_ziektedag


def _grondslag_of(m: Mijlpaal, tl: Tijdlijn) -> tuple[Grondslag, ...]:
    basis = Grondslag("ziekteperiodes", None, tl.eerste_ziektedag)
    kind = _STEP_DOCUMENT.get(m.code)
    done = m.gedaan_op or m.te_vroeg_op
    return (basis, Grondslag(kind, None, done)) if kind and done else (basis,)


def _too_early(m: Mijlpaal, case: Case, tl: Tijdlijn) -> Finding:
    assert m.te_vroeg_op is not None and m.vanaf is not None
    what = (f"{m.label}: gehouden op {datum(m.te_vroeg_op)}, te vroeg (de periode loopt van {datum(m.vanaf)} "
            f"tot en met {datum(m.uiterlijk)}); telt niet als eerstejaarsevaluatie")
    if m.status is Status.verlopen:
        return Finding(f"{m.code}_te_vroeg", m.code, _sentence(what, loonsanctie_text(case)),
                       Niveau.loonsanctie_risico, m.uiterlijk, _grondslag_of(m, tl))
    return Finding(f"{m.code}_te_vroeg", m.code,
                   _sentence(what, f"aandachtspunt: houd haar opnieuw, uiterlijk {datum(m.uiterlijk)}"),
                   Niveau.aandachtspunt, m.uiterlijk, _grondslag_of(m, tl))


def _dagen(n: int) -> str:
    return "1 dag" if n == 1 else f"{n} dagen"


def timeline_findings(case: Case, tl: Tijdlijn) -> list[Finding]:
    """Every step that is late or overdue on the reference date, and an EJE held too early."""
    out = []
    for m in tl.mijlpalen:
        if m.informatief:
            continue
        if m.te_vroeg_op is not None and m.status in (Status.open, Status.verlopen):
            out.append(_too_early(m, case, tl))
            continue
        # An evaluation due after the RIV was handed in stays "open" on the timeline; overdue, it is
        # still worth a reminder (an aandachtspunt, see _after_riv below).
        overdue = m.status is Status.verlopen or (m.status is Status.open and m.gedaan_op is None
                                                  and tl.today > m.uiterlijk and _after_riv(m, case, tl))
        if not overdue and m.status is not Status.te_laat:
            continue
        if overdue:
            days = (tl.today - m.uiterlijk).days
            week = f" (ziekteweek {m.ziekteweek})" if m.ziekteweek else ""
            what = (f"{m.label}: uiterlijk {datum(m.uiterlijk)}{week}, niet gedaan; "
                    f"{_dagen(days)} over tijd")
        else:
            assert m.gedaan_op is not None
            days = (m.gedaan_op - m.uiterlijk).days
            what = (f"{m.label}: gedaan op {datum(m.gedaan_op)}, {_dagen(days)} "
                    f"na de uiterste datum {datum(m.uiterlijk)}")
        niveau = Niveau.aandachtspunt if _after_riv(m, case, tl) else m.niveau
        risk = ("aandachtspunt: het re-integratieverslag is al ingediend; blijf evalueren, maar UWV "
                "toetst dit niet meer") if _after_riv(m, case, tl) else risk_text(m, case, niveau)
        out.append(Finding(m.code, m.code, _sentence(what, risk), niveau, m.uiterlijk, _grondslag_of(m, tl)))
    return out


def attachment_findings(case: Case, tl: Tijdlijn) -> list[Finding]:
    """RIV parts made by others that should be attached by now but are not: a loonsanctie risk (the RIV
    is incomplete without them)."""
    kinds = {b.soort for b in case.bijlagen}
    out = []
    for kind, code, message in REQUIRED_ATTACHMENTS:
        m = tl.get(code)
        if m is not None and (m.vanaf or m.uiterlijk) <= tl.today and kind not in kinds:
            step = getattr(case, kind, None)
            when = getattr(step, "datum", None)
            out.append(Finding(f"bijlage_{kind}", "bijlagen", _sentence(message, loonsanctie_text(case)),
                               Niveau.loonsanctie_risico, m.uiterlijk,
                               (Grondslag(kind, None, when),) if when else ()))
    return out


def _required_part(veld: str) -> bool:
    """A visie of employer or employee in a PvA, bijstelling, EJE or eindevaluatie: a required element
    of the RIV (Regeling procesgang art. 4 since 1 July 2023; docs/bevindingen.md)."""
    return veld.endswith((".visie_werkgever", ".visie_werknemer")) and not veld.startswith("inspanningsrapportages")


def _element_grondslag(case: Case, veld: str, periods: list[Periode] | None = None) -> tuple[Grondslag, ...]:
    head, _, rest = veld.partition(".")
    if "[" in head:  # inspanningsrapportages[N]: a report period without a report, dated by its last day
        name, _, n = head.partition("[")
        nummer = int(n.rstrip("]"))
        tot = next((p.tot for p in periods or () if p.nummer == nummer), None)
        return (Grondslag(_FIELD_DOCUMENT[name], nummer, tot),)
    kind = _FIELD_DOCUMENT.get(head)
    if kind is None:
        return ()
    if head == "evaluaties":
        ev = case.evaluaties[int(rest.split(".")[0])]
        nummer = next(i for i, b in enumerate(bijstellingen(case), start=1) if b is ev)
        return (Grondslag(kind, nummer, ev.datum),)
    if head == "inspanningsrapportages":
        r = case.inspanningsrapportages[int(rest.split(".")[0])]
        return (Grondslag(kind, None, r.datum or r.periode_tot),)
    step = getattr(case, head)
    when = getattr(step, "datum", None) if head != "tweede_spoor" else getattr(step, "start", None)
    return (Grondslag(kind, None, when),)


def element_findings(case: Case, tl: Tijdlijn, *, settings: Settings) -> list[Finding]:
    """Empty elements of the documents the case has: an aandachtspunt, except a required RIV part."""
    out = []
    interval = settings.rapportage_interval_maanden
    periods: list[Periode] | None = None
    for veld, melding in missing_data(case, tl, today=tl.today, interval_maanden=interval):
        if veld.startswith("inspanningsrapportages["):
            code = "inspanningsrapportage_ontbreekt"
            if periods is None:
                periods = rapportageperiodes(case, tl, today=tl.today, interval_maanden=interval)
        else:
            code = "onderdeel_ontbreekt"
        grond = _element_grondslag(case, veld, periods)
        if _required_part(veld):
            out.append(Finding(code, veld, _sentence(melding, loonsanctie_text(case)), Niveau.loonsanctie_risico,
                               None, grond))
        else:
            out.append(Finding(code, veld, melding, Niveau.aandachtspunt, None, grond))
    return out


#: Days after its own date by which a document should be signed (issue 12).
ONDERTEKEN_TERMIJN_DAGEN = 14
#: Kinds the re-integratiebedrijf signs too (track-2 plan and reports).
DERDE_TEKENT = ("trajectplan_tweede_spoor", "inspanningsrapportage")
#: Kinds signed by the employee alone (the oordeel werknemer is their own judgement, issue 12 item 4).
ALLEEN_WERKNEMER_TEKENT = ("oordeel_werknemer",)


def planned_documents(case: Case, tl: Tijdlijn, *, settings: Settings) -> list[DocumentJob]:
    """Every document a build of the case would hold (``soort="alle"`` on the timeline's date), without
    their template variables."""
    return plan_documents(case, tl, soort="alle", settings=settings, today=tl.today, contexts=False)


def signing_errors(case: Case, tl: Tijdlijn, *, settings: Settings,
                   jobs: list[DocumentJob] | None = None) -> list[Finding]:
    """Records of ``ondertekeningen`` that match no planned document: errors, not warnings."""
    if not case.ondertekeningen:
        return []
    jobs = planned_documents(case, tl, settings=settings) if jobs is None else jobs
    return [Finding("ondertekening_onbekend", veld, melding, Niveau.loonsanctie_risico)
            for veld, melding in match_ondertekeningen(jobs, case)]


_PARTIJ = {"werkgever": "de werkgever", "werknemer": "de werknemer", "reintegratiebedrijf": "het re-integratiebedrijf"}


def unsigned_by(job: DocumentJob) -> list[str]:
    """The parties whose signature the document still lacks (a signed scan counts as signed by all)."""
    o = job.ondertekening
    if o is not None and o.scan:
        return []
    if job.soort in ALLEEN_WERKNEMER_TEKENT:
        parties = ["werknemer"]  # the employee's own judgement: the template has only their block
    else:
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
        if job.datum is None or not missing:
            continue
        due = job.datum + timedelta(days=ONDERTEKEN_TERMIJN_DAGEN)
        if tl.today <= due:
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
        niveau = Niveau.loonsanctie_risico if risico else Niveau.aandachtspunt
        out.append(Finding("niet_ondertekend", veld, text, niveau, due, (Grondslag(job.soort, job.nummer, job.datum),)))
    return out


def case_findings(case: Case, tl: Tijdlijn, *, settings: Settings,
                  jobs: list[DocumentJob] | None = None) -> list[Finding]:
    """The whole list, in the order of the module docstring (``jobs``: the planned documents, when known)."""
    from dossier.rivtoets import riv_findings

    return (timeline_findings(case, tl) + attachment_findings(case, tl) + element_findings(case, tl, settings=settings)
            + riv_findings(case, tl, settings=settings) + unsigned_findings(case, tl, settings=settings, jobs=jobs))

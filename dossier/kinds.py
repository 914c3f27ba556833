"""The registry of document kinds: the one place that lists what a re-integratieverslag holds.

Each :class:`Kind` says its name (as ``dossier render`` and the case data's ``bijlagen[].soort``
take it), its Dutch title, its template (generated documents) or none (attachments made by others),
its group in the RIV, the UWV document type of the upload set, and how its documents are planned
from a case. The order of :data:`KINDS` is the order of the re-integratieverslag (poortwachter
Part A): groups appear in this order, and ``soort="alle"`` renders in it.

Adding a document kind = one template in ``templates_nl/`` + one entry here (+ its context in
:mod:`dossier.render.context` when it needs variables of its own).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any, Protocol

from dossier.errors import UsageError

if TYPE_CHECKING:
    from dossier.model import Case
    from dossier.render.context import Periode
    from dossier.settings import Settings
    from dossier.timeline import Tijdlijn


class Request(Protocol):
    """What a planner is asked for, and the factory that makes one document job."""

    case: Case
    tijdlijn: Tijdlijn
    settings: Settings
    today: date
    nummer: int | None
    alle: bool

    def job(self, kind: Kind, *, titel: str | None = None, datum: date | None, nummer: int | None = None,
            periode: Periode | None = None, bijstelling: int | None = None,
            evaluatie: int | None = None) -> Any:
        """One document of ``kind`` (titel defaults to the kind's title)."""
        ...


#: Plans the documents of one kind for a request: ``plan(request, kind) -> [job, ...]``.
Planner = Callable[[Request, "Kind"], list[Any]]


@dataclass(frozen=True)
class Kind:
    """One kind of document in the re-integratieverslag.

    Attributes:
        name: the kind's name, e.g. "plan_van_aanpak" (template file name without .docx).
        titel: Dutch title for the index, the outline and messages.
        group: RIV group the kind is listed under ("" for a kind that never enters a dossier).
        uwv_type: document type to pick in UWV's werkgeversportaal for the upload set.
        plan: for generated documents, the function that plans its documents from a case; None for
            attachments made by others.
        numbered: the kind can have several documents, chosen with ``nummer`` (1-based, in date order).
        in_dossier: False for a kind that is refused (medical documents never enter the dossier).
    """

    name: str
    titel: str
    group: str
    uwv_type: str
    plan: Planner | None = None
    numbered: bool = False
    in_dossier: bool = True

    @property
    def generated(self) -> bool:
        """A document dossier renders from a template (not an attachment made by others)."""
        return self.plan is not None

    @property
    def template(self) -> str | None:
        """The template file name, for generated documents."""
        return f"{self.name}.docx" if self.generated else None

    def documents(self, req: Request) -> list[Any]:
        """The jobs of this kind for ``req`` (none for an attachment kind)."""
        return self.plan(req, self) if self.plan is not None else []


# --- planners: which documents of a kind a case has ----------------------------------------


def _single(get: Callable[[Case], Any], when: Callable[[Any], date | None]) -> Planner:
    """A kind with one document, dated by ``when`` of the case part that ``get`` returns."""

    def plan(req: Request, kind: Kind) -> list[Any]:
        from dossier.render.context import is_leeg

        part = get(req.case)
        if req.alle and is_leeg(part):
            return []
        return [req.job(kind, datum=when(part) if part is not None else None)]

    return plan


def _chosen(req: Request, count: int, missing: str) -> list[int]:
    """Which of ``count`` numbered documents ``req`` asks for: ``nummer``, every one with ``alle``, else
    the latest. ``missing`` is the Dutch message for a ``nummer`` that does not exist."""
    if req.nummer is not None:
        if not 1 <= req.nummer <= count:
            raise UsageError(missing.format(nummer=req.nummer, aantal=count))
        return [req.nummer]
    if req.alle:
        return list(range(1, count + 1))
    return [count] if count else []


def plan_bijstellingen(req: Request, kind: Kind) -> list[Any]:
    """Every bijstelling with ``alle``; else the one with ``nummer``, or the latest (a blank form when none)."""
    from dossier.render.context import bijstellingen

    lijst = bijstellingen(req.case)
    gekozen = _chosen(req, len(lijst), "bijstelling {nummer} bestaat niet; de casus heeft {aantal} "
                                       "bijstelling(en) van het plan van aanpak")
    if not gekozen:
        return [] if req.alle else [req.job(kind, datum=None)]
    return [req.job(kind, titel=f"{kind.titel} {n}", datum=lijst[n - 1].datum, nummer=n, bijstelling=n)
            for n in gekozen]


def plan_evaluatieverslagen(req: Request, kind: Kind) -> list[Any]:
    """One report per evaluation (soort 'evaluatie'); ``alle``: every one, else ``nummer`` or the latest."""
    from dossier.render.context import evaluatieverslagen

    lijst = evaluatieverslagen(req.case)
    gekozen = _chosen(req, len(lijst), "evaluatieverslag {nummer} bestaat niet; de casus heeft {aantal} "
                                       "evaluatie(s) van het plan van aanpak")
    if not gekozen:
        return [] if req.alle else [req.job(kind, datum=None)]
    return [req.job(kind, titel=f"{kind.titel} {n}", datum=lijst[n - 1].datum, nummer=n, evaluatie=n)
            for n in gekozen]


def plan_inspanningsrapportages(req: Request, kind: Kind) -> list[Any]:
    """One report per period; ``alle`` keeps only periods with something to report."""
    from dossier.nl_format import datum
    from dossier.render.context import eerste_periode, periode_heeft_data, rapportageperiodes

    interval = req.settings.rapportage_interval_maanden
    periods = rapportageperiodes(req.case, req.tijdlijn, today=req.today, interval_maanden=interval)
    if req.nummer is not None:
        gekozen = [p for p in periods if p.nummer == req.nummer]
        if not gekozen:
            raise UsageError(f"inspanningsrapportage {req.nummer} bestaat niet (nog): tot en met "
                             f"{datum(req.today, req.settings.locale)} zijn er {len(periods)} rapportageperiodes")
        periods = gekozen
    if req.alle:
        periods = [p for p in periods if periode_heeft_data(req.case, p)]
    elif not periods:
        periods = [eerste_periode(req.case, interval_maanden=interval)]
    out = []
    for p in periods:
        when = p.rapportage.datum if p.rapportage and p.rapportage.datum else p.tot
        loc = req.settings.locale
        span = f" ({datum(p.van, loc)} t/m {datum(p.tot, loc)})" if p.van and p.tot else ""
        out.append(req.job(kind, titel=f"{kind.titel} {p.nummer}{span}", datum=when, nummer=p.nummer,
                           periode=p))
    return out


def _datum(part: Any) -> date | None:
    return part.datum


def _trajectplan(part: Any) -> date | None:
    """The trajectplan has its own date, after the intake; older cases give only the start."""
    return part.trajectplan_datum or part.start


# --- the registry --------------------------------------------------------------------------

_ATTACHMENT = "Overige documenten"

#: Where the ``uwv_type`` names come from. UWV's pages name the parts of the re-integratieverslag
#: (probleemanalyse, plan van aanpak, bijstelling probleemanalyse, (eerstejaars)evaluatie, actueel oordeel
#: bedrijfsarts of arbodienst, eindevaluatie) and tell the employer to tick "het juiste document" in the
#: portal's overview; the portal's own list of document types is behind eHerkenning and could not be checked.
UWV_TYPE_BRON = ("Documenttypen zoals UWV de onderdelen van het re-integratieverslag noemt (uwv.nl, 'Aanvraag WIA "
                 "door mijn werknemer' en 'Een re-integratieverslag opsturen'). De keuzelijst van het uploadscherm "
                 "zelf konden wij niet controleren: kies daar het onderdeel dat er het meest op lijkt.")

KINDS: dict[str, Kind] = {k.name: k for k in (
    Kind("probleemanalyse", "Probleemanalyse", "Probleemanalyse", "Probleemanalyse"),
    Kind("bijstelling_probleemanalyse", "Bijstelling probleemanalyse", "Probleemanalyse",
         "Bijstelling probleemanalyse"),
    Kind("plan_van_aanpak", "Plan van aanpak", "Plan van aanpak", "Plan van aanpak",
         plan=_single(lambda c: c.plan_van_aanpak, _datum)),
    Kind("bijstelling_plan_van_aanpak", "Bijstelling plan van aanpak", "Plan van aanpak",
         "Plan van aanpak (bijstelling)", plan=plan_bijstellingen, numbered=True),
    Kind("evaluatieverslag", "Evaluatieverslag", "Plan van aanpak", "(Eerstejaars)evaluatie",
         plan=plan_evaluatieverslagen, numbered=True),
    Kind("eerstejaarsevaluatie", "Eerstejaarsevaluatie", "Eerstejaarsevaluatie", "(Eerstejaars)evaluatie",
         plan=_single(lambda c: c.eerstejaarsevaluatie, _datum)),
    Kind("arbeidsdeskundig_rapport", "Arbeidsdeskundig rapport", "Arbeidsdeskundig rapport",
         f"{_ATTACHMENT} (arbeidsdeskundig rapport)"),
    Kind("trajectplan_tweede_spoor", "Trajectplan tweede spoor", "Tweede spoor",
         f"{_ATTACHMENT} (tweede spoor)", plan=_single(lambda c: c.tweede_spoor, _trajectplan)),
    Kind("inspanningsrapportage", "Inspanningsrapportage tweede spoor", "Tweede spoor",
         f"{_ATTACHMENT} (tweede spoor)", plan=plan_inspanningsrapportages, numbered=True),
    Kind("tweede_spoor", "Tweede spoor", "Tweede spoor", f"{_ATTACHMENT} (tweede spoor)"),
    Kind("actueel_oordeel", "Actueel oordeel", "Actueel oordeel", "Actueel oordeel bedrijfsarts of arbodienst"),
    Kind("eindevaluatie", "Eindevaluatie", "Eindevaluatie", "Eindevaluatie",
         plan=_single(lambda c: c.eindevaluatie, _datum)),
    Kind("oordeel_werknemer", "Oordeel werknemer", "Oordeel werknemer",
         f"{_ATTACHMENT} (oordeel werknemer)", plan=_single(lambda c: c.oordeel_werknemer, _datum)),
    Kind("overig", "Overige bijlage", "Overige bijlagen", _ATTACHMENT),
    Kind("medisch", "Medisch document", "", "", in_dossier=False),
)}

#: The dossier's cover: rendered from ``voorblad.docx`` for every dossier, never on its own.
VOORBLAD = Kind("voorblad", "Voorblad", "Voorblad", "", plan=lambda req, kind: [req.job(kind, datum=req.today)])

#: Attachment kinds as the case data names them (``bijlagen[].soort``), in registry order.
ATTACHMENT_KINDS: tuple[str, ...] = tuple(k.name for k in KINDS.values() if not k.generated)


def document_kinds() -> tuple[str, ...]:
    """Names of the generated kinds, in RIV order (what ``dossier render`` takes, besides ``alle``)."""
    return tuple(k.name for k in KINDS.values() if k.generated)


def template_names() -> tuple[str, ...]:
    """Every template dossier uses: the generated kinds, then the cover."""
    return (*document_kinds(), VOORBLAD.name)


def _unknown(name: str) -> UsageError:
    import difflib

    names = document_kinds()
    tip = difflib.get_close_matches(name, names, n=1)
    hint = f" — bedoelt u '{tip[0]}'?" if tip else ""
    return UsageError(f"onbekende documentsoort '{name}'{hint}; kies uit: {', '.join(names)} of alle")


def document_kind(name: str) -> Kind:
    """The generated kind called ``name`` (what ``dossier render`` takes).

    Raises:
        UsageError: unknown, or an attachment kind (the message suggests the nearest name).
    """
    found = KINDS.get(name)
    if found is None or not found.generated:
        raise _unknown(name)
    return found


def group_position(name: str) -> int:
    """Where the kind's group comes in the RIV (unknown kinds last)."""
    groups: list[str] = []
    for k in KINDS.values():
        if k.group and k.group not in groups:
            groups.append(k.group)
    found = KINDS.get(name)
    return groups.index(found.group) if found is not None and found.group in groups else len(groups)

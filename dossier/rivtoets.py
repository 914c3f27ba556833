"""The RIV-toets: what an arbeidsdeskundige of UWV checks in the content of a re-integration file.

The timeline sees dates only. These checks compare what the documents and the case data say with each
other (Beleidsregels beoordelingskader poortwachter; Werkwijzer Poortwachter): capacity left unused,
the 65 % test, spoor 2 and the arbeidsdeskundig onderzoek after the conclusion that return to the own
work is not expected, a bijstelling after a changed situation, a trajectplan goal against the AD's
advice, the sollicitatie norm, and an eerstejaarsevaluatie that says every agreement was kept.

Each check gives nothing when its data is missing (all fields are optional); the rules and their
sources are in docs/regels.md, the codes in docs/bevindingen.md.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from dossier.findings import Finding, Grondslag, loonsanctie_text
from dossier.model import Activiteit, Case, Sollicitatie
from dossier.nl_format import bedrag, datum
from dossier.render.context import bijstellingen, plus_maanden, rapportageperiodes
from dossier.settings import Settings
from dossier.timeline import DAGEN_PER_WEEK, Niveau, Tijdlijn

#: Capacity above the hours worked for longer than one evaluation period (6 weeks) is unused.
ONBENUT_DAGEN = 6 * DAGEN_PER_WEEK
#: Spoor 2 starts within 6 weeks (sick days) of the conclusion that the own work is out of reach.
SPOOR2_DAGEN = 6 * DAGEN_PER_WEEK
#: The arbeidsdeskundig onderzoek is requested within 4 weeks of that conclusion (project choice).
AD_AANVRAAG_DAGEN = 4 * DAGEN_PER_WEEK
#: The plan van aanpak is adjusted within 6 weeks of a changed probleemanalyse or an AD report asking for it.
BIJSTELLING_DAGEN = 6 * DAGEN_PER_WEEK
#: Wage now at least this share of the old wage: a "bevredigend resultaat".
BEVREDIGEND = Decimal("0.65")
#: Days per month when a report period is shorter than the usual interval.
_DAGEN_PER_MAAND = Decimal("30.44")
#: Activity statuses that mean done (or cancelled by agreement).
_GEDAAN = ("gedaan", "afgerond", "klaar", "uitgevoerd", "vervallen")
_L, _A = Niveau.loonsanctie_risico, Niveau.aandachtspunt


def riv_findings(case: Case, tl: Tijdlijn, *, settings: Settings) -> list[Finding]:
    """Every RIV-toets finding of a case on ``tl.today``, in a fixed order."""
    out: list[Finding] = []
    out += _unused_capacity(case, tl)
    out += _wage_test(case)
    out += _spoor2_after_conclusion(case, tl)
    out += _ad_request(case, tl)
    out += _bijstelling_after_change(case, tl)
    out += _trajectplan_vs_ad(case)
    out += _application_norm(case, tl, settings.rapportage_interval_maanden)
    out += _agreements_kept(case)
    return out


def _sentence(what: str, niveau: Niveau, case: Case) -> str:
    return f"{what}. Risico: {loonsanctie_text(case).removeprefix('risico: ')}" if niveau is _L else what


def _n(value: Decimal) -> str:
    """Hours as Dutch text: 16, 4,5."""
    return f"{value.normalize():f}".replace(".", ",")


def _due(tl: Tijdlijn, when: date) -> bool:
    """Whether a deadline falls within the employer's track (not after recovery or the last day of employment)."""
    if tl.hersteld_op is not None and when >= tl.hersteld_op:
        return False
    return tl.uit_dienst_op is None or when <= tl.uit_dienst_op


def _last_day(tl: Tijdlijn) -> date:
    """The last day that counts: today, or the day before recovery."""
    end = tl.today
    if tl.hersteld_op is not None:
        end = min(end, tl.hersteld_op - timedelta(days=1))
    if tl.uit_dienst_op is not None:
        end = min(end, tl.uit_dienst_op)
    return end


# --- hours and capacity ------------------------------------------------------------------


@dataclass(frozen=True)
class _Gap:
    """A stretch of days in which the capacity exceeded the hours worked."""

    van: date
    tot: date
    belastbaar: Decimal
    gewerkt: Decimal
    cap: int  # index into belastbare_uren
    work: int  # index into gewerkte_uren


def _gaps(case: Case, tl: Tijdlijn) -> Iterator[_Gap]:
    """Piecewise: each worked period against each capacity statement in force during it."""
    caps = sorted(enumerate(case.belastbare_uren), key=lambda ib: ib[1].datum)
    last = _last_day(tl)
    for wi, g in sorted(enumerate(case.gewerkte_uren), key=lambda ig: ig[1].van):
        end = min(g.tot or last, last)
        worked = sum((v for v in (g.eigen_werk, g.ander_werk, g.werkervaringsplaats) if v is not None), Decimal(0))
        for k, (ci, b) in enumerate(caps):
            until = caps[k + 1][1].datum - timedelta(days=1) if k + 1 < len(caps) else end
            van, tot = max(g.van, b.datum), min(end, until)
            if van <= tot and b.uren_per_week > worked:
                yield _Gap(van, tot, b.uren_per_week, worked, ci, wi)


def _unused_capacity(case: Case, tl: Tijdlijn) -> list[Finding]:
    """"Onbenutte mogelijkheden": capacity above the hours worked for longer than one evaluation period."""
    if not case.belastbare_uren or not case.gewerkte_uren:
        return []
    runs: list[list[_Gap]] = []
    for gap in sorted(_gaps(case, tl), key=lambda x: x.van):
        if runs and gap.van <= runs[-1][-1].tot + timedelta(days=1):
            runs[-1].append(gap)
        else:
            runs.append([gap])
    out = []
    for run in runs:
        van, tot = run[0].van, max(g.tot for g in run)
        days = (tot - van).days + 1
        if days <= ONBENUT_DAGEN:
            continue
        by_cap: dict[int, list[str]] = {}
        for g in run:
            by_cap.setdefault(g.cap, [])
            if _n(g.gewerkt) not in by_cap[g.cap]:
                by_cap[g.cap].append(_n(g.gewerkt))
        figures = "; daarna ".join(
            f"belastbaar {_n(case.belastbare_uren[ci].uren_per_week)} uur per week (volgens de "
            f"{case.belastbare_uren[ci].door}, {datum(case.belastbare_uren[ci].datum)}), gewerkt "
            f"{' en daarna '.join(hours)} uur" for ci, hours in by_cap.items())
        what = (f"Onbenutte mogelijkheden: van {datum(van)} tot en met {datum(tot)} ({days} dagen, langer dan "
                f"één evaluatieperiode van 6 weken) werkte de werknemer minder uren dan de belastbaarheid toeliet: "
                f"{figures}")
        grond = [*dict.fromkeys(Grondslag("belastbare_uren", g.cap + 1, case.belastbare_uren[g.cap].datum)
                                for g in run),
                 *dict.fromkeys(Grondslag("gewerkte_uren", g.work + 1, case.gewerkte_uren[g.work].van)
                                for g in run)]
        out.append(Finding("onbenutte_mogelijkheden", "gewerkte_uren", _sentence(what, _L, case), _L,
                           van + timedelta(days=ONBENUT_DAGEN), tuple(grond)))
    return out


def _wage_test(case: Case) -> list[Finding]:
    """The 65 % test: wage now against the old wage (Beleidsregels beoordelingskader poortwachter)."""
    ev, old = case.eindevaluatie, case.werknemer.bruto_maandloon
    if ev is None or not old:
        return []
    grond = (Grondslag("eindevaluatie", None, ev.datum),)
    if ev.bruto_maandloon_nu is None:
        if ev.datum is None:
            return []
        return [Finding("loon_nu_ontbreekt", "eindevaluatie.bruto_maandloon_nu",
                        "eindevaluatie: het loon nu ontbreekt (eindevaluatie.bruto_maandloon_nu), dus de toets op "
                        f"een bevredigend resultaat (minstens 65 % van het oude loon {bedrag(old)}) kan niet",
                        _A, None, grond)]
    ratio = ev.bruto_maandloon_nu / old
    pct = f"{(ratio * 100).quantize(Decimal('0.1'))}".replace(".", ",")
    hours = ""
    if ev.uren_per_week_nu is not None and case.werknemer.uren_per_week:
        hours = f"; {_n(ev.uren_per_week_nu)} van {_n(case.werknemer.uren_per_week)} contracturen"
    figures = f"loon nu {bedrag(ev.bruto_maandloon_nu)} van {bedrag(old)} = {pct} %{hours}"
    if ratio >= BEVREDIGEND:
        return [Finding("bevredigend_resultaat", "eindevaluatie.bruto_maandloon_nu",
                        f"bevredigend resultaat: {figures} (minstens 65 %); UWV beoordeelt de "
                        "re-integratie-inspanningen dan niet verder", _A, None, grond)]
    return [Finding("geen_bevredigend_resultaat", "eindevaluatie.bruto_maandloon_nu",
                    f"geen bevredigend resultaat: {figures} (minder dan 65 %); UWV beoordeelt de "
                    "re-integratie-inspanningen dan volledig", _A, None, grond)]


# --- spoor 2 and the arbeidsdeskundige ------------------------------------------------------


def _conclusion_source(case: Case) -> Grondslag:
    """The document in which the own work was concluded to be out of reach."""
    s1 = case.spoor1_niet_haalbaar
    assert s1 is not None
    ad = case.arbeidsdeskundig_onderzoek
    if s1.door == "arbeidsdeskundige" and ad is not None and ad.datum == s1.datum:
        return Grondslag("arbeidsdeskundig_rapport", None, s1.datum)
    pa = case.probleemanalyse
    if s1.door == "bedrijfsarts" and pa is not None:
        if pa.datum == s1.datum:
            return Grondslag("probleemanalyse", None, s1.datum)
        for n, b in enumerate(pa.bijstellingen, start=1):
            if b.datum == s1.datum:
                return Grondslag("bijstelling_probleemanalyse", n, s1.datum)
    return Grondslag("spoor1_niet_haalbaar", None, s1.datum)


def _spoor2_after_conclusion(case: Case, tl: Tijdlijn) -> list[Finding]:
    """Spoor 2 within 6 weeks of the conclusion (Werkwijzer Poortwachter §4.3)."""
    s1 = case.spoor1_niet_haalbaar
    if s1 is None:
        return []
    deadline = tl.calendar.plus(s1.datum, SPOOR2_DAGEN)
    start = case.tweede_spoor.start if case.tweede_spoor else None
    if not _due(tl, deadline) or (start is not None and start <= deadline) or (start is None and tl.today <= deadline):
        return []
    grond = [_conclusion_source(case)]
    if start is not None:
        grond.append(Grondslag("trajectplan_tweede_spoor", None, start))
        late = f"startte pas op {datum(start)}, {(start - deadline).days} dagen te laat"
    else:
        late = "is niet gestart"
    what = (f"Tweede spoor: de {s1.door} concludeerde op {datum(s1.datum)} dat terugkeer in het eigen werk niet te "
            f"verwachten is; het tweede spoor moest dan binnen 6 weken starten (uiterlijk {datum(deadline)}), maar "
            f"{late}. Wachten mag alleen bij concreet zicht op passend werk bij de eigen werkgever binnen ongeveer "
            "3 maanden (Werkwijzer Poortwachter §4.3); leg dat dan vast")
    return [Finding("spoor2_na_conclusie_te_laat", "tweede_spoor.start", _sentence(what, _L, case), _L, deadline,
                    tuple(grond))]


def _ad_request(case: Case, tl: Tijdlijn) -> list[Finding]:
    """The arbeidsdeskundig onderzoek requested within 4 weeks of the bedrijfsarts' conclusion."""
    s1 = case.spoor1_niet_haalbaar
    if s1 is None or s1.door == "arbeidsdeskundige":
        return []
    deadline = tl.calendar.plus(s1.datum, AD_AANVRAAG_DAGEN)
    if not _due(tl, deadline):
        return []
    ad = case.arbeidsdeskundig_onderzoek
    requested, report = (ad.aangevraagd, ad.datum) if ad is not None else (None, None)
    grond = [_conclusion_source(case)]
    if report is not None:
        grond.append(Grondslag("arbeidsdeskundig_rapport", None, report))
    if requested is not None:
        if requested <= deadline:
            return []
        late = f"is pas op {datum(requested)} aangevraagd, {(requested - deadline).days} dagen te laat"
    elif report is not None:
        if report <= deadline:
            return []
        late = (f"heeft een rapport van {datum(report)} en geen aanvraagdatum (vul "
                "arbeidsdeskundig_onderzoek.aangevraagd in als het wel op tijd is aangevraagd)")
    elif tl.today <= deadline:
        return []
    else:
        late = "is niet aangevraagd"
    what = (f"Arbeidsdeskundig onderzoek: de bedrijfsarts concludeerde op {datum(s1.datum)} dat terugkeer in het "
            f"eigen werk niet te verwachten is; het onderzoek moest binnen 4 weken worden aangevraagd (uiterlijk "
            f"{datum(deadline)}), maar {late}")
    return [Finding("ad_te_laat_aangevraagd", "arbeidsdeskundig_onderzoek.aangevraagd", _sentence(what, _L, case),
                    _L, deadline, tuple(grond))]


def _bijstelling_after_change(case: Case, tl: Tijdlijn) -> list[Finding]:
    """A bijstelling of the plan van aanpak within 6 weeks of a changed probleemanalyse or an AD report asking
    for one (Regeling procesgang art. 4; riv-review rows 16-17)."""
    triggers: list[tuple[date, Grondslag, str]] = []
    pa = case.probleemanalyse
    for n, b in enumerate(pa.bijstellingen if pa else [], start=1):
        triggers.append((b.datum, Grondslag("bijstelling_probleemanalyse", n, b.datum),
                         f"de probleemanalyse is op {datum(b.datum)} bijgesteld"))
    ad = case.arbeidsdeskundig_onderzoek
    if ad is not None and ad.bijstelling_nodig and ad.datum is not None:
        triggers.append((ad.datum, Grondslag("arbeidsdeskundig_rapport", None, ad.datum),
                         f"het arbeidsdeskundig rapport van {datum(ad.datum)} vraagt om een bijstelling"))
    if not triggers:
        return []
    made = [(n, e.datum) for n, e in enumerate(bijstellingen(case), start=1)]
    out = []
    for when, source, why in triggers:
        deadline = tl.calendar.plus(when, BIJSTELLING_DAGEN)
        if not _due(tl, deadline) or any(when <= d <= deadline for _, d in made):
            continue
        later = [(n, d) for n, d in made if d > deadline]
        if later:
            n, d = later[0]
            grond: tuple[Grondslag, ...] = (source, Grondslag("bijstelling_plan_van_aanpak", n, d))
            late = f"de eerstvolgende bijstelling is pas van {datum(d)}"
        elif tl.today > deadline:
            grond, late = (source,), "er is geen bijstelling gemaakt"
        else:
            continue
        what = (f"Bijstelling plan van aanpak: {why}; het plan van aanpak moest binnen 6 weken worden bijgesteld "
                f"(uiterlijk {datum(deadline)}), maar {late}")
        out.append(Finding("bijstelling_ontbreekt", "evaluaties", _sentence(what, _L, case), _L, deadline, grond))
    return out


def _trajectplan_vs_ad(case: Case) -> list[Finding]:
    """The trajectplan's goal in hours against the hours the arbeidsdeskundige advised for spoor 2."""
    ts, ad = case.tweede_spoor, case.arbeidsdeskundig_onderzoek
    if ts is None or ad is None or ts.doel_uren_per_week is None or ad.advies_uren_spoor2 is None:
        return []
    if ts.doel_uren_per_week == ad.advies_uren_spoor2:
        return []
    what = (f"Trajectplan tweede spoor: het doel is {_n(ts.doel_uren_per_week)} uur per week, maar de "
            f"arbeidsdeskundige adviseerde op {datum(ad.datum) if ad.datum else '(datum onbekend)'} werk voor "
            f"{_n(ad.advies_uren_spoor2)} uur per week in het tweede spoor; leg vast waarom het plan afwijkt")
    return [Finding("trajectplan_wijkt_af_van_ad", "tweede_spoor.doel_uren_per_week", _sentence(what, _L, case), _L,
                    None, (Grondslag("arbeidsdeskundig_rapport", None, ad.datum),
                           Grondslag("trajectplan_tweede_spoor", None, ts.start)))]


def _in_period(s: Sollicitatie, van: date, tot: date) -> bool:
    return van <= s.datum <= tot


def _application_norm(case: Case, tl: Tijdlijn, interval: int) -> list[Finding]:
    """The sollicitatie norm of the trajectplan, per report period, unless the report explains the shortfall."""
    ts = case.tweede_spoor
    if ts is None or not ts.sollicitaties_per_maand or ts.start is None:
        return []
    norm = ts.sollicitaties_per_maand
    out = []
    for p in rapportageperiodes(case, tl, today=tl.today, interval_maanden=interval):
        if p.van is None or p.tot is None:
            continue
        full = p.tot == plus_maanden(p.van, interval) - timedelta(days=1)
        months = Decimal(interval) if full else Decimal((p.tot - p.van).days + 1) / _DAGEN_PER_MAAND
        wanted = math.floor(norm * months)
        count = sum(1 for s in ts.sollicitaties if _in_period(s, p.van, p.tot))
        r = p.rapportage
        if count >= wanted or (r is not None and r.toelichting_sollicitaties):
            continue
        what = (f"Sollicitatienorm: in periode {p.nummer} ({datum(p.van)} tot en met {datum(p.tot)}) "
                f"{count} sollicitatie(s), terwijl het trajectplan minstens {_n(norm)} per maand vraagt "
                f"({wanted} in deze periode), zonder toelichting in de inspanningsrapportage "
                "(toelichting_sollicitaties)")
        out.append(Finding("sollicitatienorm_niet_gehaald", "tweede_spoor.sollicitaties", _sentence(what, _L, case),
                           _L, None, (Grondslag("trajectplan_tweede_spoor", None, ts.start),
                                      Grondslag("inspanningsrapportage", p.nummer, r.datum if r else p.tot))))
    return out


# --- statements against the case data -----------------------------------------------------


_CLAIM = re.compile(r"^\W*ja\b|\balle afspraken\b", re.IGNORECASE)


def _agreed(case: Case, before: date) -> Iterator[tuple[Activiteit, Grondslag]]:
    """Activities agreed before ``before`` in the plan van aanpak and its evaluations, with a date term before it."""
    pva = case.plan_van_aanpak
    sources: list[tuple[list[Activiteit], Grondslag, date | None]] = []
    if pva is not None:
        sources.append((pva.activiteiten, Grondslag("plan_van_aanpak", None, pva.datum), pva.datum))
    nummers = {id(e): n for n, e in enumerate(bijstellingen(case), start=1)}
    for i, e in enumerate(case.evaluaties, start=1):
        g = (Grondslag("bijstelling_plan_van_aanpak", nummers[id(e)], e.datum) if id(e) in nummers
             else Grondslag("evaluaties", i, e.datum))
        sources.append((e.activiteiten, g, e.datum))
    for acts, g, agreed_on in sources:
        if agreed_on is not None and agreed_on >= before:
            continue
        for a in acts:
            if isinstance(a.termijn, date) and a.termijn < before:
                yield a, g


def _agreements_kept(case: Case) -> list[Finding]:
    """"Alle afspraken nagekomen" in the eerstejaarsevaluatie while an agreed activity is past its term and not done."""
    eje = case.eerstejaarsevaluatie
    if eje is None or eje.datum is None or not eje.afspraken_nagekomen:
        return []
    text = eje.afspraken_nagekomen
    if not _CLAIM.search(text) or re.search(r"\bniet\b", text, re.IGNORECASE):
        return []
    open_, unknown = [], []
    grond: dict[Grondslag, None] = {Grondslag("eerstejaarsevaluatie", None, eje.datum): None}
    for a, g in _agreed(case, eje.datum):
        status = (a.status or "").strip().lower()
        if status.startswith(_GEDAAN):
            continue
        (open_ if status else unknown).append(a)
        grond[g] = None
    out = []
    claim = f"de eerstejaarsevaluatie van {datum(eje.datum)} zegt dat de afspraken zijn nagekomen"
    if open_:
        listed = "; ".join(f"'{a.wat}' (termijn {datum(a.termijn)}, status '{a.status}')"  # type: ignore[arg-type]
                           for a in open_[:3])
        more = f" en {len(open_) - 3} meer" if len(open_) > 3 else ""
        what = (f"Afspraken nagekomen: {claim}, maar {len(open_)} afgesproken activiteit(en) met een termijn vóór die "
                f"datum is/zijn niet gedaan: {listed}{more}")
        out.append(Finding("afspraken_niet_nagekomen", "eerstejaarsevaluatie.afspraken_nagekomen",
                           _sentence(what, _L, case), _L, None, tuple(grond)))
    if unknown:
        what = (f"Afspraken nagekomen: {claim}, maar van {len(unknown)} afgesproken activiteit(en) met een termijn "
                "vóór die datum is de status niet ingevuld (bijv. 'gedaan'); zonder status is de bewering niet te "
                "controleren")
        out.append(Finding("afspraken_status_onbekend", "eerstejaarsevaluatie.afspraken_nagekomen", what, _A, None,
                           tuple(grond)))
    return out

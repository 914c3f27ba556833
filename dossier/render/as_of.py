"""The case as it stood on a date: what a document dated D may know.

A document dated D is rendered from :func:`case_as_of` ``(case, D)``: everything the case records
as happening after D (evaluations, bijstellingen, sickness periods and recovery, extensions,
track-2 activities, applications, work-placement extensions, later reports and documents) is left
out. Undated data is kept: nothing says it came later. The function is idempotent, and for D1 <= D2
``case_as_of(case_as_of(c, D2), D1) == case_as_of(c, D1)``.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from dossier import model as m


def _na(d: date | None, grens: date) -> bool:
    return d is not None and d > grens


def _single(part: Any, when: date | None, grens: date) -> Any:
    """A one-off step: gone when it is dated after ``grens``."""
    return None if part is None or _na(when, grens) else part


def _ziekteperiodes(periodes: list[m.Ziekteperiode], grens: date) -> list[m.Ziekteperiode]:
    out = []
    for p in periodes:
        if p.eerste_ziektedag > grens:
            continue
        update: dict[str, Any] = {}
        if _na(p.hersteldatum, grens):
            update["hersteldatum"] = None
        if _na(p.vangnet_gemeld, grens):
            update["vangnet_gemeld"] = None
        out.append(p.model_copy(update=update) if update else p)
    return out or periodes[:1]  # a case always has its first period


def _werkervaringsplaats(w: m.Werkervaringsplaats, grens: date) -> m.Werkervaringsplaats:
    update: dict[str, Any] = {}
    if _na(w.verlengd_op, grens):
        update.update(verlengd_op=None, einde=w.oorspronkelijk_einde, oorspronkelijk_einde=None)
    einde = update.get("einde", w.einde)
    if einde is None or einde > grens:
        update["resultaat"] = None  # the outcome of a placement still running is not known yet
    return w.model_copy(update=update) if update else w


def _tweede_spoor(ts: m.TweedeSpoor | None, grens: date) -> m.TweedeSpoor | None:
    if ts is None or _na(ts.start, grens):
        return None
    return ts.model_copy(update={
        "activiteiten": [a for a in ts.activiteiten if not _na(a.datum, grens)],
        "sollicitaties": [s for s in ts.sollicitaties if s.datum <= grens],
        "werkervaringsplaatsen": [_werkervaringsplaats(w, grens) for w in ts.werkervaringsplaatsen
                                  if not _na(w.begin, grens)],
    })


def _probleemanalyse(pa: m.Probleemanalyse | None, grens: date) -> m.Probleemanalyse | None:
    if pa is None or _na(pa.datum, grens):
        return None
    return pa.model_copy(update={"bijstellingen": [b for b in pa.bijstellingen if b.datum <= grens]})


def case_as_of(case: m.Case, grens: date) -> m.Case:
    """The case as it was known on ``grens`` (see the module docstring)."""
    eje, ad, ao = case.eerstejaarsevaluatie, case.arbeidsdeskundig_onderzoek, case.actueel_oordeel
    ev, ow, pva = case.eindevaluatie, case.oordeel_werknemer, case.plan_van_aanpak
    update: dict[str, Any] = {
        "ziekteperiodes": _ziekteperiodes(case.ziekteperiodes, grens),
        "probleemanalyse": _probleemanalyse(case.probleemanalyse, grens),
        "plan_van_aanpak": _single(pva, pva.datum if pva else None, grens),
        "evaluaties": [e for e in case.evaluaties if e.datum <= grens],
        "eerstejaarsevaluatie": _single(eje, eje.datum if eje else None, grens),
        "arbeidsdeskundig_onderzoek": _single(ad, ad.datum if ad else None, grens),
        "actueel_oordeel": _single(ao, ao.datum if ao else None, grens),
        "eindevaluatie": _single(ev, ev.datum if ev else None, grens),
        "oordeel_werknemer": _single(ow, ow.datum if ow else None, grens),
        "tweede_spoor": _tweede_spoor(case.tweede_spoor, grens),
        "inspanningsrapportages": [r for r in case.inspanningsrapportages
                                   if not _na(r.datum or r.periode_tot, grens)],
        "belastbare_uren": [b for b in case.belastbare_uren if b.datum <= grens],
        "gewerkte_uren": [g.model_copy(update={"tot": None}) if _na(g.tot, grens) else g
                          for g in case.gewerkte_uren if g.van <= grens],
        "bijlagen": [b for b in case.bijlagen if not _na(b.datum, grens)],
    }
    for naam in ("ziekmelding_uwv", "ziekmelding_uit_dienst", "wia_aanvraag", "spoor1_niet_haalbaar",
                 "loonsanctie", "vrijwillige_verlenging"):
        part = getattr(case, naam)
        update[naam] = _single(part, getattr(part, "datum", None) if part else None, grens)
    if _na(case.werknemer.datum_uit_dienst, grens):
        update["werknemer"] = case.werknemer.model_copy(update={"datum_uit_dienst": None})
    return case.model_copy(update=update)

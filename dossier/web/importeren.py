"""Import a verzuim export (CSV, XLSX or JSON) into the stored cases: preview, then apply.

Rows are read and validated by the engine (:func:`dossier.api.iter_cases`,
:func:`dossier.api.validate_case_data`); a row is matched to a stored case by its dossiernummer.
Merging never blanks: only fields the export holds (a filled cell, a JSON key with a value) overwrite;
a missing column, an empty cell or a JSON ``null`` leaves the stored value as it is, and a list is
merged item by item (an export with one ziekteperiode does not drop the second). Every applied case
is a new version; imported values are stored as the case file writes them (ISO dates, plain numbers).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from dossier import api
from dossier.web.diff import Change, changes
from dossier.web.storage import Conflict, Invalid, NotFound, Store

#: The suffixes the engine's loaders read.
SUFFIXES = (".csv", ".xlsx", ".json")


@dataclass(frozen=True)
class Problem:
    ernst: str
    veld: str
    kolom: str  # the column header the user wrote (tabular files), else ""
    melding: str


@dataclass
class ImportRow:
    """One record of the export and what applying it would do.

    ``soort``: "nieuw", "gewijzigd", "ongewijzigd" or "fout"; ``versie`` is the stored version the
    change is based on (0 for a new case).
    """

    locatie: str
    dossiernummer: str | None
    werknemer: str
    soort: str
    wijzigingen: list[Change] = field(default_factory=list)
    problemen: list[Problem] = field(default_factory=list)
    versie: int = 0
    data: dict[str, Any] | None = None


@dataclass
class Preview:
    bron: str
    rijen: list[ImportRow] = field(default_factory=list)
    bestandsfouten: list[str] = field(default_factory=list)

    def count(self, soort: str) -> int:
        return sum(1 for r in self.rijen if r.soort == soort)

    @property
    def toe_te_passen(self) -> list[ImportRow]:
        return [r for r in self.rijen if r.soort in ("nieuw", "gewijzigd")]


def merge(old: Any, new: Any) -> Any:
    """``new`` over ``old``: dicts key by key, lists item by item; None in ``new`` keeps ``old``."""
    if new is None:
        return copy.deepcopy(old)
    if isinstance(old, dict) and isinstance(new, dict):
        out = copy.deepcopy(old)
        for key, value in new.items():
            if value is not None:
                out[key] = merge(old.get(key), value)
        return out
    if isinstance(old, list) and isinstance(new, list):
        out_list = copy.deepcopy(old)
        for i, value in enumerate(new):
            if i < len(out_list):
                out_list[i] = merge(out_list[i], value)
            elif value is not None:
                out_list.append(copy.deepcopy(value))
        return out_list
    return copy.deepcopy(new)


def normalized(raw: Any, canonical: Any) -> Any:
    """``raw`` with every leaf replaced by its value in ``canonical`` (the validated case as JSON)
    where that has one: "15-07-2026" becomes "2026-07-15", "2.480,50" becomes 2480.5."""
    if isinstance(raw, dict):
        can = canonical if isinstance(canonical, dict) else {}
        return {k: normalized(v, can.get(k)) for k, v in raw.items() if v is not None}
    if isinstance(raw, list):
        can_list = canonical if isinstance(canonical, list) else []
        return [normalized(v, can_list[i] if i < len(can_list) else None) for i, v in enumerate(raw)]
    return raw if canonical is None or isinstance(canonical, dict | list) else canonical


def _problems(issues: list[api.Issue], origin: dict[str, str]) -> list[Problem]:
    return [Problem(str(i.severity), i.field, origin.get(api.field_path(i.field), ""), api.scrub(i.message))
            for i in issues]


def _canonical(data: dict[str, Any], today: date) -> dict[str, Any] | None:
    case, _ = api.validate_case_data(data, today=today)
    return api.case_data(case) if case is not None else None


def _row(store: Store, raw: dict[str, Any], locatie: str, origin: dict[str, str], unknown: tuple[str, ...],
         today: date) -> ImportRow:
    nr_raw = raw.get("dossiernummer")
    nr = str(nr_raw).strip() if isinstance(nr_raw, str | int) and str(nr_raw).strip() else None
    naam = str((raw.get("werknemer") or {}).get("naam") or "") if isinstance(raw.get("werknemer"), dict) else ""
    row = ImportRow(locatie, nr, naam, "fout")
    if unknown:
        row.problemen.append(Problem("waarschuwing", "", ", ".join(unknown),
                                     "kolom(men) die het casusmodel niet kent; genegeerd"))
    if nr is None:
        row.problemen.append(Problem("fout", "dossiernummer", origin.get("dossiernummer", ""),
                                     "geen dossiernummer: daarmee wordt een rij aan een casus gekoppeld"))
        return row
    old: dict[str, Any] | None = None
    try:
        stored = store.get(nr)
        old, row.versie = stored.data, stored.versie
    except NotFound:
        pass
    merged = merge(old or {}, raw)
    case, issues = api.validate_case_data(merged, today=today)
    row.problemen += _problems(issues, origin)
    if case is None:
        return row
    data = merge(old or {}, normalized(raw, api.case_data(case)))
    new_canonical = _canonical(data, today) or api.case_data(case)
    old_canonical = (_canonical(old, today) or old) if old is not None else None
    row.wijzigingen = changes(old_canonical, new_canonical)
    row.data = data
    row.werknemer = case.werknemer.naam
    row.soort = "nieuw" if old is None else "gewijzigd" if row.wijzigingen else "ongewijzigd"
    return row


def preview(store: Store, path: Path, *, bron: str, today: date) -> Preview:
    """What importing ``path`` would do, row by row (nothing is stored)."""
    result = Preview(bron)
    seen: dict[str, str] = {}
    deleted = _deleted(store)
    for item in api.iter_cases([path], today=today):
        if item.record is None:
            result.bestandsfouten += [api.scrub(i.message) for i in item.issues]
            continue
        rec = item.record
        if not isinstance(rec.data, dict):
            result.rijen.append(ImportRow(rec.location or "casus", None, "", "fout", problemen=[
                Problem("fout", "", "", "verwacht één casus als JSON-object")]))
            continue
        row = _row(store, rec.data, rec.location or "casus", rec.origin, rec.unknown, today)
        if row.dossiernummer in deleted:
            row.soort, row.data, row.wijzigingen = "fout", None, []
            row.problemen.append(Problem("fout", "dossiernummer", "", f"dossier {row.dossiernummer} is verwijderd; "
                                         "een verwijderd dossier wordt niet door een import overschreven"))
        elif row.dossiernummer is not None and row.dossiernummer in seen:
            row.soort, row.data, row.wijzigingen = "fout", None, []
            row.problemen.append(Problem("fout", "dossiernummer", "", f"dossier {row.dossiernummer} staat al in "
                                         f"{seen[row.dossiernummer]} van dit bestand"))
        elif row.dossiernummer is not None:
            seen[row.dossiernummer] = row.locatie
        result.rijen.append(row)
    return result


def _deleted(store: Store) -> set[str]:
    from dossier.web.beheer_store import all_cases

    return {r.dossiernummer for r in all_cases(store) if r.deleted_at is not None}


@dataclass(frozen=True)
class Applied:
    dossiernummer: str
    uitkomst: str  # "aangemaakt", "bijgewerkt" or "niet toegepast"
    versie: int | None
    melding: str = ""


def apply(store: Store, result: Preview, *, expected: dict[str, int], door: str, today: date) -> list[Applied]:
    """Store every new or changed row of a preview, each case as a new version.

    ``expected`` is the version each case had in the preview shown (0: new); a case saved since is
    not overwritten but reported.
    """
    out: list[Applied] = []
    for row in result.toe_te_passen:
        nr, data = row.dossiernummer, row.data
        assert nr is not None and data is not None
        seen = expected.get(nr)
        try:
            if seen is None:
                raise Conflict(f"dossier {nr} stond niet in het voorbeeld; bekijk het voorbeeld opnieuw")
            if seen == 0:
                versie = store.create(data, door=door, today=today)
                out.append(Applied(nr, "aangemaakt", versie))
            else:
                versie = store.save(nr, data, door=door, today=today, expected=seen)
                out.append(Applied(nr, "bijgewerkt", versie))
        except (Conflict, Invalid, NotFound) as e:
            out.append(Applied(nr, "niet toegepast", None, e.message))
    return out

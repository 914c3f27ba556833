"""Validate raw records into cases, collecting every problem with its location.

The MkDocs model: nothing stops at the first problem. :func:`build_case` returns the case (or None)
and *all* issues for one record; :func:`validate_records` does that for a whole file and adds the
checks across records (duplicate dossiernummers). Messages are Dutch and never contain a BSN.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from dossier.errors import Issue, Severity
from dossier.inputs import locate_attachment
from dossier.loaders.nl_values import bsn_elfproef
from dossier.loaders.paths import MEDICAL_KEYS, unknown_keys
from dossier.loaders.records import Record
from dossier.model import Case, Ziekteperiode
from dossier.model_walk import walk_values
from dossier.nl_format import datum_cijfers as _d
from dossier.privacy import mask_free_bsn, scan_case, scrub
from dossier.timeline import MAX_LOONSANCTIE_WEKEN, MIN_VERLENGING_WEKEN

_FOUT, _WARN = Severity.fout, Severity.waarschuwing

_TYPE_MESSAGES = {
    "missing": "ontbreekt; dit veld is verplicht",
    "string_type": "verwacht tekst",
    "int_type": "verwacht een geheel getal",
    "int_parsing": "verwacht een geheel getal",
    "int_from_float": "verwacht een geheel getal",
    "list_type": "verwacht een lijst",
    "model_type": "verwacht een object met velden",
    "model_attributes_type": "verwacht een object met velden",
    "dict_type": "verwacht een object met velden",
    "too_short": "mag niet leeg zijn; geef minstens één waarde",
    "greater_than_equal": "is te klein",
    "less_than_equal": "is te groot",
    "bool_type": "verwacht 'ja' of 'nee'",
    "date_type": "verwacht een datum",
}


def _loc_path(loc: Iterable[Any]) -> str:
    return ".".join(str(p) for p in loc)


def _display_field(path: str, record: Record) -> str:
    """The name the user knows: the CSV column header, or ``ziekteperiodes[1].x`` (1-based)."""
    if path in record.origin:
        return record.origin[path]
    return re.sub(r"\.(\d+)(?=\.|$)", lambda m: f"[{int(m.group(1)) + 1}]", path)


def _message(error: dict[str, Any]) -> str:
    kind = error["type"]
    if kind in ("literal_error", "enum"):
        expected = error.get("ctx", {}).get("expected", "")
        return f"'{error.get('input')}' is geen geldige waarde; verwacht {expected}".replace(" or ", " of ")
    if error.get("input", "") is None and kind.endswith("_type"):
        return _TYPE_MESSAGES["missing"]  # null in a JSON file: the same as leaving it out
    text = _TYPE_MESSAGES.get(kind, error["msg"])
    if kind in ("string_type", "int_parsing", "int_type", "list_type", "model_type", "dict_type", "date_type"):
        text = f"'{_short(error.get('input'))}' is ongeldig; {text}"
    if kind in ("greater_than_equal", "less_than_equal"):
        limit = error.get("ctx", {}).get("ge", error.get("ctx", {}).get("le"))
        text = f"{text} (grens: {limit})"
    return text


def _short(value: Any) -> str:
    text = str(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _where(record: Record, case_data: dict[str, Any]) -> str:
    nummer = case_data.get("dossiernummer") if isinstance(case_data, dict) else None
    parts = [record.location] if record.location else []
    if isinstance(nummer, str | int) and str(nummer).strip():
        parts.append(f"dossier {str(nummer).strip()}")
    return ", ".join(parts)


def build_case(record: Record, *, today: date | None = None,
               bijlagen_map: Path | None = None) -> tuple[Case | None, list[Issue]]:
    """Validate one record. Returns the case (None when it has errors) and every issue found.

    ``bijlagen_map`` is a second folder attachments may be in (besides the case file's own).
    """
    source = record.source.name
    where = _where(record, record.data)
    issues: list[Issue] = []

    def add(sev: Severity, field: str, msg: str) -> None:
        issues.append(_issue(sev, source, where, field, msg))

    for path in unknown_keys(Case, record.data):
        add(Severity.waarschuwing, _display_field(path, record), _unknown_message(path))

    try:
        case = Case.model_validate(record.data)
    except ValidationError as e:
        for err in e.errors(include_url=False):
            path = _loc_path(err["loc"])
            if err["type"] == "missing":
                path = _first_required(path)
            add(Severity.fout, _display_field(path, record), _message(err))
        # Report everything at once: drop the broken fields and run the cross-field rules on the rest.
        partial = _fill_required(Case, _without(record.data, [err["loc"] for err in e.errors()]))
        try:
            rest = Case.model_validate(partial)
        except ValidationError:
            return None, issues
        broken = {i.field for i in issues}
        for sev, field, msg in check_case(rest, today=today, base_dir=record.base_dir, bijlagen_map=bijlagen_map):
            shown = _display_field(field, record)
            if shown not in broken:
                add(sev, shown, msg)
        return None, issues

    for sev, field, msg in check_case(case, today=today, base_dir=record.base_dir, bijlagen_map=bijlagen_map):
        add(sev, _display_field(field, record), msg)
    failed = any(i.severity is Severity.fout for i in issues)
    if failed:
        return None, issues
    # A BSN typed into free text (a title, a name) would reach file names, metadata and reports: masked.
    case, masked = mask_free_bsn(case)
    for field in masked:
        add(Severity.waarschuwing, _display_field(field, record), "bevat een BSN; dat is gemaskeerd in de uitvoer "
            "(een BSN hoort alleen in werknemer.bsn)")
    return case, issues


def _issue(severity: Severity, source: str, location: str, field: str, message: str) -> Issue:
    """An Issue with every part scrubbed: a BSN can hide in a file name, a dossiernummer, an unknown
    key or a value quoted in the message, and issues end up in reports and logs."""
    return Issue(severity, scrub(source), scrub(location), scrub(field), scrub(message))


def _without(data: Any, locs: list[tuple[Any, ...]]) -> Any:
    """A deep copy of ``data`` with the values at ``locs`` removed."""
    import copy

    out = copy.deepcopy(data)
    for loc in locs:
        node = out
        for part in loc[:-1]:
            try:
                node = node[part]
            except (KeyError, IndexError, TypeError):
                node = None
                break
        if isinstance(node, dict):
            node.pop(loc[-1], None) if loc else None
    return out


def _fill_required(model: Any, data: Any) -> Any:
    """Put a placeholder in missing required text fields, so the remaining rules can still run."""
    from dossier.loaders.paths import submodel

    if not isinstance(data, dict):
        return data
    for name, info in model.model_fields.items():
        sub = submodel(info.annotation)
        if name not in data and info.is_required():
            data[name] = {} if sub is not None else "X"
        if sub is not None and isinstance(data.get(name), dict):
            _fill_required(sub, data[name])
    return data


def _first_required(path: str) -> str:
    """For a missing object, point at its first required field (``werkgever`` → ``werkgever.naam``)."""
    from dossier.loaders.paths import submodel

    model: Any = Case
    for part in path.split("."):
        if part.isdigit() or model is None:
            continue
        info = model.model_fields.get(part)
        model = submodel(info.annotation) if info else None
    while model is not None:
        required = [n for n, f in model.model_fields.items() if f.is_required()]
        if not required:
            break
        path = f"{path}.{required[0]}"
        model = submodel(model.model_fields[required[0]].annotation)
    return path


def _unknown_message(name: str) -> str:
    if name.endswith("(dubbele kolom)"):
        return "deze kolom staat er meer dan eens; alleen de eerste wordt gelezen"
    if name.startswith("(meer cellen"):
        return "een regel heeft meer cellen dan er kolomnamen zijn; de extra cellen worden genegeerd"
    last = name.rsplit(".", 1)[-1].strip().lower()
    if last in MEDICAL_KEYS:
        return ("wordt niet gelezen: medische gegevens (diagnose, klachten, behandeling) horen niet"
                " in het dossier van de werkgever")
    return "onbekend veld; wordt genegeerd (zie 'dossier schema' voor de geldige velden)"


#: One finding of :func:`check_case`: (severity, dotted field, Dutch message).
Finding = tuple[Severity, str, str]


def check_case(
    case: Case, *, today: date | None = None, base_dir: Path | None = None, bijlagen_map: Path | None = None
) -> list[Finding]:
    """Cross-field rules on a well-formed case: (severity, dotted field, Dutch message).

    Args:
        case: a validated case.
        today: reference date for "in the future" warnings (None: not checked).
        base_dir: folder the attachments' file names are relative to (None: not checked).
        bijlagen_map: a second folder attachments may be in (``--bijlagen-map``).
    """
    return [
        *_period_rules(case.ziekteperiodes, today),
        *_plausible_dates(case),
        *_employee_rules(case),
        *_dossiernummer_rules(case),
        *_employer_rules(case),
        *_step_rules(case, today),
        *_attachment_rules(case, base_dir, bijlagen_map),
        *_signing_rules(case, base_dir, bijlagen_map),
        *check_rules(case),
        *_medical_rules(case),
    ]


def check_rules(case: Case) -> list[tuple[Severity, str, str]]:
    """The legal bounds of issue 13 (docs/regels.md) and the new hours/capacity fields."""
    fout, warn = Severity.fout, Severity.waarschuwing
    out: list[tuple[Severity, str, str]] = []
    ls, vv = case.loonsanctie, case.vrijwillige_verlenging
    if ls is not None and ls.weken > MAX_LOONSANCTIE_WEKEN:
        out.append((fout, "loonsanctie.weken",
                    f"een loonsanctie van {ls.weken} weken kan niet: UWV verlengt de loondoorbetaling met "
                    f"hoogstens {MAX_LOONSANCTIE_WEKEN} weken (art. 25 lid 9 WIA)"))
    if vv is not None and vv.weken < MIN_VERLENGING_WEKEN:
        out.append((fout, "vrijwillige_verlenging.weken",
                    f"een vrijwillige verlenging van {vv.weken} weken kan niet: de verlenging is minstens "
                    f"{MIN_VERLENGING_WEKEN} weken (UWV; art. 24 WIA)"))
    wn = case.werknemer
    last = case.ziekteperiodes[-1]
    if wn.datum_uit_dienst is not None:
        if wn.datum_in_dienst is not None and wn.datum_uit_dienst < wn.datum_in_dienst:
            out.append((fout, "werknemer.datum_uit_dienst", "ligt vóór de datum in dienst"))
        if wn.datum_uit_dienst < last.eerste_ziektedag:
            out.append((warn, "werknemer.datum_uit_dienst",
                        f"ligt vóór de eerste ziektedag {_d(last.eerste_ziektedag)} van de laatste ziekteperiode; "
                        "de tijdlijn houdt er geen rekening mee"))
        elif vv is not None and (last.hersteldatum is None or wn.datum_uit_dienst < last.hersteldatum):
            out.append((fout, "vrijwillige_verlenging",
                        "niet mogelijk: de werknemer gaat ziek uit dienst en krijgt dan een Ziektewet-uitkering "
                        "(UWV: geen verlenging bij een Ziektewet-uitkering)"))
    for i, p in enumerate(case.ziekteperiodes):
        f = f"ziekteperiodes.{i}"
        if p.vangnet is None and p.vangnet_gemeld is not None:
            out.append((warn, f"{f}.vangnet_gemeld", "ingevuld zonder vangnet; vul ook 'vangnet' in"))
        if p.vangnet_gemeld is not None and p.vangnet_gemeld < p.eerste_ziektedag:
            out.append((warn, f"{f}.vangnet_gemeld",
                        f"datum {_d(p.vangnet_gemeld)} ligt vóór de eerste ziektedag {_d(p.eerste_ziektedag)}"))
    if vv is not None and last.vangnet is not None:
        out.append((warn, "vrijwillige_verlenging",
                    "een verlenging kan niet zolang de werknemer een Ziektewet-uitkering krijgt (vangnet "
                    f"{last.vangnet.replace('_', ' ')}); controleer of de uitkering is gestopt"))
    out.extend(_check_hours(case))
    ts = case.tweede_spoor
    if ts is not None and ts.trajectplan_datum is not None and ts.start is not None and ts.trajectplan_datum < ts.start:
        out.append((warn, "tweede_spoor.trajectplan_datum", "ligt vóór de start van het tweede spoor"))
    return out


#: Hours per week in the new capacity and hours fields: more than 0 contract hours, at most 60.
_MAX_UREN = 60


def _check_hours(case: Case) -> list[tuple[Severity, str, str]]:
    fout, warn = Severity.fout, Severity.waarschuwing
    out: list[tuple[Severity, str, str]] = []

    def hours(field: str, value: Any) -> None:
        if value is not None and not 0 <= value <= _MAX_UREN:
            out.append((fout, field, f"'{value}' is ongeldig; verwacht 0 tot en met {_MAX_UREN} uur per week"))

    for i, b in enumerate(case.belastbare_uren):
        hours(f"belastbare_uren.{i}.uren_per_week", b.uren_per_week)
    datums = [b.datum for b in case.belastbare_uren]
    if datums != sorted(datums):
        out.append((warn, "belastbare_uren", "staan niet op datum (oudste eerst)"))
    for i, g in enumerate(case.gewerkte_uren):
        f = f"gewerkte_uren.{i}"
        for name in ("eigen_werk", "ander_werk", "werkervaringsplaats"):
            hours(f"{f}.{name}", getattr(g, name))
        if g.tot is not None and g.tot < g.van:
            out.append((fout, f"{f}.tot", "ligt vóór 'van'"))
        total = sum(v for v in (g.eigen_werk, g.ander_werk, g.werkervaringsplaats) if v is not None)
        if total > _MAX_UREN:
            out.append((fout, f, f"samen {total} uur per week; verwacht hoogstens {_MAX_UREN}"))
    ts, ad = case.tweede_spoor, case.arbeidsdeskundig_onderzoek
    if ts is not None:
        hours("tweede_spoor.doel_uren_per_week", ts.doel_uren_per_week)
        if ts.sollicitaties_per_maand is not None and not 0 <= ts.sollicitaties_per_maand <= 31:
            out.append((fout, "tweede_spoor.sollicitaties_per_maand",
                        f"'{ts.sollicitaties_per_maand}' is ongeldig; verwacht 0 tot en met 31 per maand"))
    if ad is not None:
        hours("arbeidsdeskundig_onderzoek.advies_uren_spoor2", ad.advies_uren_spoor2)
        if ad.aangevraagd is not None and ad.datum is not None and ad.aangevraagd > ad.datum:
            out.append((warn, "arbeidsdeskundig_onderzoek.aangevraagd", "ligt na de datum van het rapport"))
    ev = case.eindevaluatie
    if ev is not None:
        hours("eindevaluatie.uren_per_week_nu", ev.uren_per_week_nu)
        if ev.bruto_maandloon_nu is not None and ev.bruto_maandloon_nu < 0:
            out.append((fout, "eindevaluatie.bruto_maandloon_nu", "mag niet negatief zijn"))
    return out


def _period_rules(periods: list[Ziekteperiode], today: date | None) -> Iterator[Finding]:
    """Each sickness period ends after it starts, periods are in order and do not overlap, and
    only the last one may still be running."""
    for i, p in enumerate(periods):
        f = f"ziekteperiodes.{i}"
        if p.hersteldatum is not None and p.hersteldatum <= p.eerste_ziektedag:
            yield (_FOUT, f"{f}.hersteldatum",
                   f"hersteldatum {_d(p.hersteldatum)} moet na de eerste ziektedag "
                   f"{_d(p.eerste_ziektedag)} liggen")
        if i < len(periods) - 1 and p.hersteldatum is None:
            yield _FOUT, f"{f}.hersteldatum", "ontbreekt: alleen de laatste ziekteperiode mag nog lopen"
        if i > 0:
            yield from _period_order(periods[i - 1], p, f)
        v = p.zwangerschapsverlof
        if v is not None and v.einde < v.begin:
            yield _FOUT, f"{f}.zwangerschapsverlof.einde", "einde ligt vóór het begin"
        if today is not None and p.eerste_ziektedag > today:
            yield _WARN, f"{f}.eerste_ziektedag", f"ligt in de toekomst ({_d(p.eerste_ziektedag)})"


def _period_order(prev: Ziekteperiode, p: Ziekteperiode, f: str) -> Iterator[Finding]:
    if p.eerste_ziektedag <= prev.eerste_ziektedag:
        yield _FOUT, f"{f}.eerste_ziektedag", "ziekteperiodes moeten op volgorde staan (oudste eerst)"
    elif prev.hersteldatum is not None and p.eerste_ziektedag < prev.hersteldatum:
        yield (_FOUT, f"{f}.eerste_ziektedag",
               f"overlapt met de vorige periode (hersteld op {_d(prev.hersteldatum)})")


def _plausible_dates(case: Case) -> Iterator[Finding]:
    """A year like 2206 or 0026 is a typing error, and the timeline (which adds up to 22 years to a
    date) cannot be computed from dates near the end of the calendar."""
    for field, when in walk_values(case, date):
        if not _EARLIEST <= when <= _LATEST:
            yield (_FOUT, field, f"datum {_d(when)} is onwaarschijnlijk; verwacht een datum tussen "
                                f"{_d(_EARLIEST)} en {_d(_LATEST)}")


def _employee_rules(case: Case) -> Iterator[Finding]:
    periods, wn = case.ziekteperiodes, case.werknemer
    if wn.geboortedatum is not None:
        age = (periods[0].eerste_ziektedag - wn.geboortedatum).days / 365.25
        if not 14 <= age <= 80:
            yield (_WARN, "werknemer.geboortedatum",
                   f"onwaarschijnlijk: werknemer zou bij de eerste ziektedag {int(age)} jaar zijn")
    if wn.datum_in_dienst is not None and wn.datum_in_dienst > periods[-1].eerste_ziektedag:
        yield _WARN, "werknemer.datum_in_dienst", "ligt na de eerste ziektedag"
    if wn.uren_per_week is not None and not 0 < wn.uren_per_week <= 60:
        yield (_FOUT, "werknemer.uren_per_week",
               f"'{wn.uren_per_week}' is ongeldig; verwacht meer dan 0 en hoogstens 60 uur")
    if wn.bruto_maandloon is not None and wn.bruto_maandloon < 0:
        yield _FOUT, "werknemer.bruto_maandloon", "mag niet negatief zijn"


def _dossiernummer_rules(case: Case) -> Iterator[Finding]:
    """The dossiernummer names folders and files: it must never be (or contain) a BSN: the case's
    own BSN, with or without separators, or any run of exactly 9 digits passing the elfproef."""
    bsn = case.werknemer.bsn
    digits = re.sub(r"\D", "", case.dossiernummer)
    runs = re.findall(r"(?<!\d)\d{9}(?!\d)", case.dossiernummer)
    if (bsn and bsn in digits) or any(bsn_elfproef(run) for run in runs):
        yield (_FOUT, "dossiernummer", "lijkt een BSN te bevatten; het dossiernummer wordt als map- en "
               "bestandsnaam gebruikt en mag geen BSN bevatten")


def _employer_rules(case: Case) -> Iterator[Finding]:
    wg = case.werkgever
    if wg.loonheffingennummer and not re.fullmatch(r"\d{9}L\d{2}", wg.loonheffingennummer.upper()):
        yield (_WARN, "werkgever.loonheffingennummer",
               f"'{wg.loonheffingennummer}' heeft niet de vorm van een loonheffingennummer"
               " (9 cijfers, L, 2 cijfers)")
    if wg.kvk and not re.fullmatch(r"\d{8}", wg.kvk):
        yield _WARN, "werkgever.kvk", f"'{wg.kvk}' is geen KvK-nummer van 8 cijfers"


def _step_rules(case: Case, today: date | None) -> Iterator[Finding]:
    """Dated steps: not before the sickness started, not in the future, in a sensible order."""
    first = case.ziekteperiodes[0].eerste_ziektedag
    for field, when in _dated_steps(case):
        if when < first:
            yield _WARN, field, f"datum {_d(when)} ligt vóór de eerste ziektedag {_d(first)}"
        if today is not None and (when - today).days > 1:  # (today + 1 day overflows on 31-12-9999)
            yield _WARN, field, f"datum {_d(when)} ligt in de toekomst"
    pa, pva = case.probleemanalyse, case.plan_van_aanpak
    if pa and pva and pa.datum and pva.datum and pva.datum < pa.datum:
        yield (_WARN, "plan_van_aanpak.datum",
               "plan van aanpak is gedateerd vóór de probleemanalyse waarop het is gebaseerd")
    for i, r in enumerate(case.inspanningsrapportages):
        if r.periode_tot < r.periode_van:
            yield _FOUT, f"inspanningsrapportages.{i}.periode_tot", "ligt vóór periode_van"
    ts = case.tweede_spoor
    for i, w in enumerate(ts.werkervaringsplaatsen if ts else ()):
        if w.begin and w.einde and w.einde < w.begin:
            yield _FOUT, f"tweede_spoor.werkervaringsplaatsen.{i}.einde", "ligt vóór begin"


def _attachment_rules(case: Case, base_dir: Path | None, bijlagen_map: Path | None) -> Iterator[Finding]:
    for i, b in enumerate(case.bijlagen):
        if b.soort == "medisch":
            yield (_WARN, f"bijlagen.{i}.soort",
                   f"'{b.titel}' is een medisch document; dat komt nooit in het dossier van de "
                   "werkgever en wordt bij het bouwen geweigerd")
        if base_dir is None:
            continue
        found = locate_attachment(b.bestand, base_dir, bijlagen_map)
        if found.outside:
            where = "de map van het casusbestand" + (" en de bijlagenmap" if bijlagen_map is not None else "")
            yield (_FOUT, f"bijlagen.{i}.bestand", f"bestand '{b.bestand}' ligt buiten {where} (absoluut pad, "
                   "'..' of een symbolische koppeling naar buiten); zet het in die map of geef --bijlagen-map")
        elif found.path is None:
            yield _WARN, f"bijlagen.{i}.bestand", f"bestand '{b.bestand}' niet gevonden"


#: What a signed scan may be (the same intake as attachments: a PDF, or a photo/scan as image).
SCAN_SUFFIXES = (".pdf", ".jpg", ".jpeg", ".png")


def _signing_rules(case: Case, base_dir: Path | None, bijlagen_map: Path | None = None) -> Iterator[Finding]:
    """One record per document; a scan must be a PDF/JPG/PNG that exists. Whether the document exists
    (and has the given datum) needs the planned documents: see :func:`dossier.findings.signing_errors`."""
    seen: dict[tuple[str, int], int] = {}
    for i, o in enumerate(case.ondertekeningen):
        f = f"ondertekeningen.{i}"
        first = seen.setdefault((o.document, o.nummer), i)
        if first != i:
            yield (_FOUT, f"{f}.document", f"{o.document} {o.nummer} staat al in ondertekeningen[{first + 1}]; "
                                           "geef één record per document")
        for party in ("werkgever", "werknemer", "reintegratiebedrijf"):
            signed = getattr(o, party)
            if signed is not None and o.datum is not None and signed < o.datum:
                yield (_WARN, f"{f}.{party}", f"ondertekend op {_d(signed)}, vóór de datum van het document "
                                              f"{_d(o.datum)}")
        if o.scan is None:
            continue
        if not o.scan.lower().endswith(SCAN_SUFFIXES):
            yield (_FOUT, f"{f}.scan", f"'{o.scan}' is geen PDF, JPG of PNG; een ondertekende scan moet een "
                                       "van die bestandstypen zijn")
        elif base_dir is not None:
            found = locate_attachment(o.scan, base_dir, bijlagen_map)
            if found.outside:
                yield (_FOUT, f"{f}.scan", f"bestand '{o.scan}' ligt buiten de map van het casusbestand (absoluut "
                       "pad, '..' of een symbolische koppeling naar buiten); zet het in die map of geef --bijlagen-map")
            elif found.path is None:
                yield _WARN, f"{f}.scan", f"bestand '{o.scan}' niet gevonden; het dossier kan zo niet worden gebouwd"


def _medical_rules(case: Case) -> Iterator[Finding]:
    """Free text must not carry what the model deliberately has no field for (AP Beleidsregels)."""
    for field, hit in scan_case(case):
        yield (_WARN, field, f"mogelijk medisch gegeven '{hit.term}' in: {hit.excerpt}; medische "
                            "informatie hoort niet in het dossier van de werkgever")


#: The dates a case may hold (see _plausible_dates).
_EARLIEST, _LATEST = date(1900, 1, 1), date(2199, 12, 31)


def _dated_steps(case: Case) -> Iterable[tuple[str, date]]:
    for name in ("probleemanalyse", "plan_van_aanpak", "ziekmelding_uwv", "eerstejaarsevaluatie",
                 "arbeidsdeskundig_onderzoek", "actueel_oordeel", "eindevaluatie", "wia_aanvraag"):
        step = getattr(case, name)
        if step is not None and step.datum is not None:
            yield f"{name}.datum", step.datum
    for i, ev in enumerate(case.evaluaties):
        yield f"evaluaties.{i}.datum", ev.datum
    if case.tweede_spoor and case.tweede_spoor.start:
        yield "tweede_spoor.start", case.tweede_spoor.start
    if case.ziekmelding_uit_dienst and case.ziekmelding_uit_dienst.datum:
        yield "ziekmelding_uit_dienst.datum", case.ziekmelding_uit_dienst.datum
    for i, b in enumerate(case.belastbare_uren):
        yield f"belastbare_uren.{i}.datum", b.datum
    for i, g in enumerate(case.gewerkte_uren):
        yield f"gewerkte_uren.{i}.van", g.van
    if case.spoor1_niet_haalbaar:
        yield "spoor1_niet_haalbaar.datum", case.spoor1_niet_haalbaar.datum


def iter_validated(
    records: Iterable[Record], *, today: date | None = None, seen: dict[str, tuple[str, str]] | None = None,
    bijlagen_map: Path | None = None,
) -> Iterator[tuple[Record, Case | None, list[Issue]]]:
    """Validate records one at a time: yields (record, case or None, issues of that record).

    Streaming keeps memory flat for exports of any length; only the dossiernummers seen so far are
    kept (to report duplicates). Header problems come once per file, with the first record.

    Args:
        records: the raw cases.
        today: reference date for date checks.
        seen: dossiernummers already used (case-folded → (as written, where)); pass the same dict
            for several files of one batch so that duplicates across files are found too.
        bijlagen_map: a second folder attachments may be in (besides each case file's own).
    """
    seen = {} if seen is None else seen
    reported_headers: set[Path] = set()
    for record in records:
        issues: list[Issue] = []
        if record.unknown and record.source not in reported_headers:
            # Column problems belong to the header row: report them once per file, not per row.
            reported_headers.add(record.source)
            issues.extend(_issue(Severity.waarschuwing, record.source.name, "kopregel", col,
                                 _unknown_message(col)) for col in record.unknown)
        case, found = build_case(record, today=today, bijlagen_map=bijlagen_map)
        issues.extend(found)
        if case is not None and (dup := _duplicate(case.dossiernummer, record, seen)):
            issues.append(_issue(Severity.fout, record.source.name, _where(record, record.data),
                                 "dossiernummer", dup))
            case = None
        yield record, case, issues


def _duplicate(nummer: str, record: Record, seen: dict[str, tuple[str, str]]) -> str:
    """Why ``nummer`` cannot be used again (it names a folder), or "" (then it is remembered)."""
    # Case-folded: Windows and macOS see "VZ-1" and "vz-1" as the same folder.
    key = nummer.casefold()
    if key not in seen:
        where = record.location or record.source.name
        seen[key] = (nummer, f"{record.source.name}, {where}" if record.location else where)
        return ""
    first, where = seen[key]
    if where.startswith(f"{record.source.name}, "):
        where = where.removeprefix(f"{record.source.name}, ")  # same file: just the row
    if first == nummer:
        return f"dossiernummer '{nummer}' komt al voor ({where})"
    return (f"dossiernummer '{nummer}' verschilt alleen in hoofd- en kleine letters van '{first}' ({where}); "
            "op Windows en macOS wordt dat dezelfde map")


def validate_records(
    records: Iterable[Record], *, today: date | None = None
) -> tuple[list[tuple[Record, Case]], list[Issue]]:
    """Validate every record; return the valid cases and all issues (errors and warnings)."""
    cases: list[tuple[Record, Case]] = []
    issues: list[Issue] = []
    for record, case, found in iter_validated(records, today=today):
        issues.extend(found)
        if case is not None:
            cases.append((record, case))
    return cases, issues

"""Jinja filters for the Dutch templates: dates, amounts, numbers, weeks and fill-in lines.

Every filter takes the locale from the environment (``env.locale``, set by
:func:`dossier.render.environment.make_environment`), never from a global. The table
:data:`FILTERS` is the one place filters are registered and documented; ``docs/templates.md``
is generated from it.

Filters are forgiving about empty values: ``None`` and ``""`` give ``""`` so a template never
prints "None". Combine with :func:`invul` to print a fill-in line instead::

    {{ plan_van_aanpak.datum|datum|invul }}

A name that does not exist in the context is still an error (StrictUndefined); filters re-raise
it instead of hiding it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from babel.numbers import format_currency, format_decimal
from jinja2 import pass_context, pass_environment
from jinja2.runtime import Context, Undefined

from dossier.nl_format import LOCALE, format_datum

#: Locale used when an environment carries none.
DEFAULT_LOCALE = LOCALE

#: The character of a fill-in line. An ellipsis is what Dutch forms use ("Datum: ……………").
INVUL_TEKEN = "…"
#: Ellipses on a single inline fill-in line (about 6 cm at 10.5 pt Carlito/Calibri).
INVUL_KORT = 24
#: Ellipses on one full-width line of a multi-line fill-in (16 cm text width at 10.5 pt).
INVUL_REGEL = 60

#: Characters that are not allowed in XML 1.0 (a DOCX part would not open). Tab, newline and
#: carriage return are allowed; docxtpl turns tab and newline into Word tabs and line breaks.
_XML_ONGELDIG = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _locale(env: Any) -> str:
    return getattr(env, "locale", None) or DEFAULT_LOCALE


def _check(value: Any) -> Any:
    """Re-raise a StrictUndefined (unknown name) instead of treating it as empty."""
    if isinstance(value, Undefined):
        value._fail_with_undefined_error()
    return value


def _leeg(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip()) or (
        isinstance(value, (list, tuple)) and not value
    )


def _decimal(value: Any, filter_name: str) -> Decimal:
    try:
        return Decimal(str(value).strip())
    except ArithmeticError:
        raise ValueError(f"filter {filter_name}: {str(value)!r} is geen getal") from None


def _as_date(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return None


@pass_environment
def datum(env: Any, value: Any, formaat: str = "long") -> str:
    """Date in words: ``3 februari 2025``.

    Args:
        env: the Jinja environment (supplies the locale).
        value: a date; text is passed through unchanged (``"per direct"``); None gives "".
        formaat: babel format: "long" (default), "full", "medium", "short" or a CLDR pattern.
    """
    value = _check(value)
    if _leeg(value):
        return ""
    d = _as_date(value)
    if d is None:
        return str(value)
    return format_datum(d, formaat, _locale(env))


@pass_environment
def datum_kort(env: Any, value: Any) -> str:
    """Short date: ``03-02-2025``."""
    return datum(env, value, "short")


@pass_environment
def datum_lang(env: Any, value: Any) -> str:
    """Date with weekday: ``maandag 3 februari 2025``."""
    return datum(env, value, "full")


@pass_environment
def bedrag(env: Any, value: Any, valuta: str = "EUR") -> str:
    """Amount of money: ``€ 1.234,56`` (negative ``€ -1.234,56``); None gives "".

    The space after the euro sign is a non-breaking space, so "€" never ends a line.
    """
    value = _check(value)
    if _leeg(value):
        return ""
    return format_currency(_decimal(value, "bedrag"), valuta, locale=_locale(env))


@pass_environment
def getal(env: Any, value: Any, decimalen: int | None = None) -> str:
    """Number with a decimal comma: ``32,5``, ``1.234.567,891``; None gives "".

    Args:
        env: the Jinja environment (supplies the locale).
        value: int, Decimal, float or numeric text.
        decimalen: fixed number of decimals (``getal(2)`` → ``32,50``); default as needed.
    """
    value = _check(value)
    if _leeg(value):
        return ""
    if isinstance(value, bool):
        return ja_nee(value)
    number = _decimal(value, "getal")
    if decimalen is None:
        return format_decimal(number, locale=_locale(env))
    pattern = "#,##0" + ("." + "0" * decimalen if decimalen > 0 else "")
    return format_decimal(number, format=pattern, locale=_locale(env), decimal_quantization=True)


def _kalender_week(context: Context, value: Any) -> int | None:
    d = _as_date(_check(value))
    if d is None:
        return None
    kalender = context.get("_kalender")
    if kalender is not None:
        return kalender.ziekteweek(d)
    first = context.get("eerste_ziektedag")
    if not isinstance(first, date) or d < first:
        return None
    return (d - first).days // 7 + 1


@pass_context
def week(context: Context, value: Any) -> int | str:
    """Sickness week (ziekteweek) of a date in this case: ``8``; "" when unknown.

    Counted as Part A of the poortwachter reference says: the eerste ziektedag is day 0 of
    week 1, gaps between added-together periods are skipped. Not an ISO calendar week.
    Usage: ``ziekteweek {{ plan_van_aanpak.datum|week }}``.
    """
    n = _kalender_week(context, value)
    return "" if n is None else n


@pass_context
def verzuimweek(context: Context, value: Any) -> str:
    """``ziekteweek 8`` for a date, or "" when the date is empty or not a sick day."""
    n = _kalender_week(context, value)
    return "" if n is None else f"ziekteweek {n}"


def ja_nee(value: Any, ja: str = "ja", nee: str = "nee", onbekend: str = "") -> str:
    """``ja`` / ``nee`` for a yes/no value; ``onbekend`` ("" by default) for None."""
    value = _check(value)
    if value is None:
        return onbekend
    return ja if value else nee


def _get(obj: Any, key: str) -> Any:
    if isinstance(obj, Mapping):
        return obj.get(key)
    return getattr(obj, key, None)


def naam_functie(persoon: Any, organisatie: bool = False) -> str:
    """``P. Hendriks, bedrijfsarts`` for a person (naam, functie, organisatie); "" when no name.

    Args:
        persoon: a person from the context (casemanager, bedrijfsarts, …) or None.
        organisatie: also add the organisation: ``P. Hendriks, bedrijfsarts (Arbo Midden)``.
    """
    persoon = _check(persoon)
    if persoon is None:
        return ""
    naam = _get(persoon, "naam")
    if _leeg(naam):
        return ""
    out = str(naam)
    functie = _get(persoon, "functie")
    if not _leeg(functie):
        out += f", {functie}"
    org = _get(persoon, "organisatie")
    if organisatie and not _leeg(org):
        out += f" ({org})"
    return out


def adres(partij: Any) -> str:
    """``Zonnebloemstraat 7, 3817 TK Amersfoort`` for a party with adres, postcode and plaats; "" when
    none is known."""
    partij = _check(partij)
    if partij is None:
        return ""
    stad = " ".join(str(v) for v in (_get(partij, "postcode"), _get(partij, "plaats")) if not _leeg(v))
    return ", ".join(v for v in (str(_get(partij, "adres") or "").strip(), stad) if v)


def invul(value: Any, regels: int = 1, tekens: int | None = None) -> Any:
    """The value itself, or a fill-in line of dots when it is empty.

    A pre-filled form printed for a meeting shows ``……………………`` where data is still missing.

    Args:
        value: anything; None, "" and an empty list count as empty.
        regels: number of fill-in lines (use 3 or more for a paragraph of text).
        tekens: dots per line; default a short inline line, or a full line when ``regels`` > 1.
    """
    value = _check(value)
    if not _leeg(value):
        return value
    n = tekens if tekens is not None else (INVUL_KORT if regels <= 1 else INVUL_REGEL)
    # Lines are joined with a newline, which docxtpl turns into a Word line break.
    return "\n".join([INVUL_TEKEN * n] * max(1, regels))


@pass_environment
def tekst(env: Any, value: Any) -> str:
    """Any value as Dutch text: a date in words, a number with a comma, ja/nee, None as ""."""
    value = _check(value)
    if value is None:
        return ""
    if isinstance(value, bool):
        return ja_nee(value)
    if isinstance(value, (date, datetime)):
        return datum(env, value)
    if isinstance(value, (Decimal, float)):
        return getal(env, value)
    return _XML_ONGELDIG.sub("", str(value))


def opsomming(values: Any, scheiding: str = ", ", laatste: str = " en ") -> str:
    """Join a list the Dutch way: ``a, b en c``. Empty items are skipped."""
    values = _check(values)
    if values is None:
        return ""
    items = [str(v) for v in values if not _leeg(v)]
    if len(items) <= 1:
        return "".join(items)
    return scheiding.join(items[:-1]) + laatste + items[-1]


def hoofdletter(value: Any) -> str:
    """First letter upper case, the rest unchanged (``te laat`` → ``Te laat``)."""
    value = _check(value)
    if _leeg(value):
        return ""
    s = str(value)
    return s[:1].upper() + s[1:]


@dataclass(frozen=True)
class FilterInfo:
    """A documented filter: its function, a Dutch description and an example with its output."""

    func: Callable[..., Any]
    uitleg: str
    voorbeeld: str
    uitkomst: str


#: Every filter the templates may use, with a Dutch description and an example (the only
#: registration point; ``docs/templates.md`` is generated from it).
FILTERS: dict[str, FilterInfo] = {
    "datum": FilterInfo(datum, "Datum in woorden; tekst blijft tekst, leeg blijft leeg.",
                        "{{ plan_van_aanpak.datum|datum }}", "3 februari 2025"),
    "datum_kort": FilterInfo(datum_kort, "Korte datum (voor smalle tabelkolommen).",
                             "{{ plan_van_aanpak.datum|datum_kort }}", "03-02-2025"),
    "datum_lang": FilterInfo(datum_lang, "Datum met dag van de week.", "{{ vandaag|datum_lang }}",
                             "maandag 3 februari 2025"),
    "bedrag": FilterInfo(bedrag, "Bedrag in euro; negatief als € -1.234,56.",
                         "{{ tweede_spoor.budget|bedrag }}", "€ 3.950,00"),
    "getal": FilterInfo(getal, "Getal met decimale komma; getal(2) geeft altijd twee decimalen.",
                        "{{ werknemer.uren_per_week|getal }}", "32,5"),
    "week": FilterInfo(week, "Ziekteweek van een datum in deze casus (geen kalenderweek); "
                             "leeg als de datum geen ziektedag is.",
                       "ziekteweek {{ plan_van_aanpak.datum|week }}", "ziekteweek 8"),
    "verzuimweek": FilterInfo(verzuimweek, "Ziekteweek als tekst, of leeg.",
                              "{{ plan_van_aanpak.datum|verzuimweek }}", "ziekteweek 8"),
    "adres": FilterInfo(adres, "Adres op één regel: straat, postcode en plaats.",
                        "{{ werknemer|adres }}", "Zonnebloemstraat 7, 3817 TK Amersfoort"),
    "ja_nee": FilterInfo(ja_nee, "ja of nee; ja_nee(onbekend='ja / nee') voor een lege waarde.",
                         "{{ eerstejaarsevaluatie.spoor2_nodig|ja_nee }}", "ja"),
    "naam_functie": FilterInfo(naam_functie, "Naam en functie van een persoon; naam_functie(true) "
                                             "voegt de organisatie toe.",
                               "{{ bedrijfsarts|naam_functie }}", "drs. P. Hendriks, bedrijfsarts"),
    "invul": FilterInfo(invul, "De waarde, of stippellijnen om in te vullen als die ontbreekt: "
                               "invul(3) geeft drie volle regels, invul(tekens=12) een korte.",
                        "{{ plan_van_aanpak.visie_werknemer|invul(3) }}",
                        "de visie, of drie regels ……"),
    "tekst": FilterInfo(tekst, "Elke waarde als Nederlandse tekst (datum in woorden, getal met "
                               "komma, ja/nee, leeg voor niets).",
                        "{{ a.termijn|tekst }}", "17 maart 2025 of per direct"),
    "opsomming": FilterInfo(opsomming, "Lijst als opsomming met 'en'.",
                            "{{ plan_van_aanpak.evaluatiemomenten|map('datum')|opsomming }}",
                            "1 april 2025, 13 mei 2025 en 24 juni 2025"),
    "hoofdletter": FilterInfo(hoofdletter, "Eerste letter als hoofdletter, de rest ongewijzigd.",
                              "{{ mijlpaal.status|hoofdletter }}", "Te laat"),
}


def filter_functions() -> dict[str, Callable[..., Any]]:
    """The filter functions by name, ready for ``env.filters.update``."""
    return {name: info.func for name, info in FILTERS.items()}


def finalize_value(env: Any, value: Any) -> Any:
    """Last step before a ``{{ … }}`` value is escaped and written: never "None" or ISO dates.

    None becomes "", a date is written in words, a Decimal with a decimal comma, a bool as ja/nee,
    and characters that XML forbids are dropped. Undefined and Markup pass unchanged.
    """
    if value is None:
        return ""
    if isinstance(value, Undefined) or hasattr(value, "__html__"):
        return value
    if isinstance(value, (bool, date, datetime, Decimal, float)):
        return tekst(env, value)
    if isinstance(value, str):
        return _XML_ONGELDIG.sub("", value)
    return value


def iter_filter_docs() -> Iterable[tuple[str, FilterInfo]]:
    """Filters in documentation order."""
    return FILTERS.items()

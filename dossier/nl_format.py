"""Dutch formatting of dates and amounts (babel, CLDR nl_NL). Used by reports and template filters.

:func:`format_datum` is the one date formatter: the template filters
(:mod:`dossier.render.filters`), the terminal timeline, the PDF index and the validation messages
all call it, so a date reads the same everywhere.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from babel.dates import format_date
from babel.numbers import format_currency, format_decimal

LOCALE = "nl_NL"

#: Date in digits, two-digit day and month (poortwachter.md §7): ``03-02-2025``.
CIJFERS = "dd-MM-y"


def format_datum(value: date | None, formaat: str = "long", locale: str = LOCALE) -> str:
    """A date in the locale's words: the one implementation behind every date dossier writes.

    Args:
        value: the date; None gives "".
        formaat: a babel format name, "long" (``3 februari 2025``), "full" (``maandag 3 februari
            2025``), "medium" or "short" (``03-02-2025``), or a CLDR pattern such as
            :data:`CIJFERS`.
        locale: babel locale.
    """
    return "" if value is None else format_date(value, formaat, locale=locale)


def datum(value: date | None, locale: str = LOCALE) -> str:
    """``3 februari 2025``."""
    return format_datum(value, "long", locale)


def datum_lang(value: date | None, locale: str = LOCALE) -> str:
    """``maandag 3 februari 2025``."""
    return format_datum(value, "full", locale)


def datum_kort(value: date | None, locale: str = LOCALE) -> str:
    """``03-02-2025``."""
    return format_datum(value, "short", locale)


def datum_cijfers(value: date | None) -> str:
    """``03-02-2025``: the short form of messages and tables (dd-mm-jjjj)."""
    return format_datum(value, CIJFERS)


def bedrag(value: Decimal | float | int | None, locale: str = LOCALE) -> str:
    """``€ 1.234,56`` (negative: ``€ -1.234,56``)."""
    if value is None:
        return ""
    pattern = "¤ #,##0.00;¤ -#,##0.00"
    return format_currency(value, "EUR", format=pattern, locale=locale, currency_digits=False)


def getal(value: Decimal | float | int | None, locale: str = LOCALE) -> str:
    """``32,5`` / ``1.234``."""
    return "" if value is None else format_decimal(value, locale=locale)

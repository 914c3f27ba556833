"""Dutch formatting of dates and amounts (babel, CLDR nl_NL). Used by reports and template filters."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from babel.dates import format_date
from babel.numbers import format_currency, format_decimal

LOCALE = "nl_NL"


def datum(value: date | None, locale: str = LOCALE) -> str:
    """``3 februari 2025``."""
    return "" if value is None else format_date(value, "d MMMM y", locale=locale)


def datum_lang(value: date | None, locale: str = LOCALE) -> str:
    """``maandag 3 februari 2025``."""
    return "" if value is None else format_date(value, "EEEE d MMMM y", locale=locale)


def datum_kort(value: date | None, locale: str = LOCALE) -> str:
    """``03-02-2025``."""
    return "" if value is None else format_date(value, "dd-MM-y", locale=locale)


def bedrag(value: Decimal | float | int | None, locale: str = LOCALE) -> str:
    """``€ 1.234,56`` (negative: ``€ -1.234,56``)."""
    if value is None:
        return ""
    pattern = "¤ #,##0.00;¤ -#,##0.00"
    return format_currency(value, "EUR", format=pattern, locale=locale, currency_digits=False)


def getal(value: Decimal | float | int | None, locale: str = LOCALE) -> str:
    """``32,5`` / ``1.234``."""
    return "" if value is None else format_decimal(value, locale=locale)

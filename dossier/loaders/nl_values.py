"""Parse values the way Dutch spreadsheets and verzuim exports write them.

Each parser takes what a reader produced (a string, or a native value from JSON/XLSX) and returns
the Python value, or raises ``ValueError`` with a Dutch message saying what was expected.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

_DMY = re.compile(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})$")
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$")
_TRUE = {"ja", "j", "yes", "y", "true", "waar", "1", "x"}
_FALSE = {"nee", "n", "no", "false", "onwaar", "0"}

DATE_EXPECTED = "verwacht een datum als DD-MM-JJJJ, D-M-JJJJ of JJJJ-MM-DD"


def parse_date_nl(value: object) -> date:
    """Parse ``3-2-2025``, ``03-02-2025``, ``03/02/2025``, ``2025-02-03`` or a date/datetime."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if not isinstance(value, str):
        raise ValueError(f"'{value}' is geen datum; {DATE_EXPECTED}")
    text = value.strip()
    if m := _DMY.match(text):
        day, month, year = (int(g) for g in m.groups())
    elif m := _ISO.match(text):
        year, month, day = (int(g) for g in m.groups())
    else:
        raise ValueError(f"'{text}' is geen datum; {DATE_EXPECTED}")
    try:
        return date(year, month, day)
    except ValueError:
        raise ValueError(f"'{text}' bestaat niet als datum; {DATE_EXPECTED}") from None


def parse_decimal_nl(value: object) -> Decimal:
    """Parse ``1.234,56``, ``1234,56``, ``38`` or ``1234.56`` (a lone point with 1–2 decimals)."""
    if isinstance(value, bool):
        raise ValueError(f"'{value}' is geen getal")
    if isinstance(value, int | Decimal | float):
        # repr keeps a float's shortest form: 32.5 stays 32.5, not 32.5000000000000001…
        result = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
        if not result.is_finite():  # NaN or infinity (a JSON NaN, an Excel error cell)
            raise ValueError(f"'{value}' is geen getal; verwacht bijvoorbeeld 1.234,56")
        return result
    if not isinstance(value, str):
        raise ValueError(f"'{value}' is geen getal")
    text = value.strip().replace("€", "").replace("\u00a0", "").replace(" ", "")
    text = text.removesuffix(",-")
    if "," in text:
        text = text.replace(".", "").replace(",", ".")
    elif text.count(".") == 1 and re.fullmatch(r"-?\d{1,3}\.\d{3}", text):
        text = text.replace(".", "")  # "1.234" is Dutch for one thousand two hundred thirty-four
    elif text.count(".") > 1:
        text = text.replace(".", "")
    try:
        result = Decimal(text)
    except InvalidOperation:
        raise ValueError(f"'{value}' is geen getal; verwacht bijvoorbeeld 1.234,56") from None
    if not result.is_finite():
        raise ValueError(f"'{value}' is geen getal; verwacht bijvoorbeeld 1.234,56")
    return result


def parse_bool_nl(value: object) -> bool:
    """Parse ``ja``/``nee`` (and true/false, 1/0, x) into a bool."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError(f"'{value}' is geen ja/nee-waarde; verwacht 'ja' of 'nee'")


def bsn_elfproef(bsn: str) -> bool:
    """True when a 9-digit BSN passes the elfproef (weights 9..2 and −1)."""
    if not re.fullmatch(r"\d{9}", bsn) or bsn == "000000000":
        return False
    total = sum(int(d) * w for d, w in zip(bsn[:8], range(9, 1, -1), strict=True)) - int(bsn[8])
    return total % 11 == 0

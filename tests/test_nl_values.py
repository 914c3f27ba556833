from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest

from dossier.loaders.nl_values import bsn_elfproef, parse_bool_nl, parse_date_nl, parse_decimal_nl


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("3-2-2025", date(2025, 2, 3)),
        ("03-02-2025", date(2025, 2, 3)),
        ("03/02/2025", date(2025, 2, 3)),
        ("3.2.2025", date(2025, 2, 3)),
        ("2025-02-03", date(2025, 2, 3)),
        ("2025-02-03T00:00:00", date(2025, 2, 3)),
        (" 29-02-2024 ", date(2024, 2, 29)),
    ],
)
def test_dates_in_dutch_and_iso_forms(text: str, expected: date) -> None:
    assert parse_date_nl(text) == expected


def test_native_dates_pass_through() -> None:
    assert parse_date_nl(datetime(2025, 2, 3, 14, 5)) == date(2025, 2, 3)
    assert parse_date_nl(date(2025, 2, 3)) == date(2025, 2, 3)


@pytest.mark.parametrize("text", ["29-02-2025", "31-04-2025", "2025-13-01", "morgen", "3-2-25", ""])
def test_bad_dates_say_what_is_expected(text: str) -> None:
    with pytest.raises(ValueError, match="DD-MM-JJJJ"):
        parse_date_nl(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1.234,56", Decimal("1234.56")),
        ("1234,56", Decimal("1234.56")),
        ("€ 2.845,00", Decimal("2845.00")),
        ("2.845,-", Decimal("2845")),
        ("32,5", Decimal("32.5")),
        ("38", Decimal("38")),
        ("1.234", Decimal("1234")),
        ("1234.56", Decimal("1234.56")),
        ("1.234.567,89", Decimal("1234567.89")),
        ("-12,5", Decimal("-12.5")),
        (36.0, Decimal("36.0")),
        (40, Decimal(40)),
    ],
)
def test_decimals_with_dutch_comma(text: object, expected: Decimal) -> None:
    assert parse_decimal_nl(text) == expected


@pytest.mark.parametrize("text", ["abc", "1,2,3", "NaN", "inf", True])
def test_bad_decimals(text: object) -> None:
    with pytest.raises(ValueError, match="getal"):
        parse_decimal_nl(text)


@pytest.mark.parametrize(("text", "expected"), [("ja", True), ("Nee", False), ("J", True), ("x", True),
                                                ("0", False), (True, True), (1, True)])
def test_ja_nee(text: object, expected: bool) -> None:
    assert parse_bool_nl(text) is expected


def test_ja_nee_rejects_other_words() -> None:
    with pytest.raises(ValueError, match="'ja' of 'nee'"):
        parse_bool_nl("misschien")


@pytest.mark.parametrize(("bsn", "valid"), [("111222333", True), ("123456782", True), ("123456789", False),
                                            ("000000000", False), ("12345678", False), ("abcdefghi", False)])
def test_elfproef(bsn: str, valid: bool) -> None:
    assert bsn_elfproef(bsn) is valid

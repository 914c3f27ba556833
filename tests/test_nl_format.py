"""Tests for dossier.nl_format: the one Dutch date formatter and everything that calls it."""

from __future__ import annotations

from datetime import date

import pytest

from dossier.nl_format import datum, datum_cijfers, datum_kort, datum_lang, format_datum
from dossier.pdf.plan import format_date_nl
from dossier.render.environment import make_environment

DATES = [date(2025, 2, 3), date(2026, 12, 31), date(1900, 1, 1), date(26, 1, 5), date(9999, 12, 31)]


def test_the_named_forms() -> None:
    d = date(2025, 2, 3)
    assert datum(d) == "3 februari 2025"
    assert datum_lang(d) == "maandag 3 februari 2025"
    assert datum_kort(d) == "03-02-2025"
    assert datum_cijfers(d) == "03-02-2025"
    assert format_datum(d, "d MMM") == "3 feb"
    assert [f(None) for f in (datum, datum_lang, datum_kort, datum_cijfers, format_datum)] == [""] * 5


def test_a_locale_is_honoured() -> None:
    assert datum(date(2025, 2, 3), locale="en_GB") == "3 February 2025"


@pytest.mark.parametrize("d", DATES)
def test_templates_index_and_reports_write_a_date_the_same_way(d: date) -> None:
    env = make_environment()
    rendered = env.from_string("{{ d|datum }}|{{ d|datum_kort }}|{{ d|datum_lang }}").render(d=d)
    assert rendered.split("|") == [datum(d), datum_kort(d), datum_lang(d)]
    assert format_date_nl(d) == datum(d)
    # the compact form of messages has no leading zeros, not even in a mistyped year like 0026
    assert datum_cijfers(d) == f"{d.day:02d}-{d.month:02d}-{d.year}"

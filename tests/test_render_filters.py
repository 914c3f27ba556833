"""Filters and the environment: Dutch formatting, sandbox, strict undefined, autoescape."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest
from jinja2 import UndefinedError
from jinja2.sandbox import SandboxedEnvironment, SecurityError

from dossier.model import Case
from dossier.render.context import Record
from dossier.render.environment import make_environment
from dossier.render.filters import FILTERS, INVUL_TEKEN
from dossier.timeline import compute_timeline

NBSP = "\xa0"


@pytest.fixture(scope="module")
def env():
    return make_environment()


def r(env, source: str, **ctx) -> str:
    return env.from_string(source).render(**ctx)


def test_environment_is_sandboxed_strict_and_escaping(env):
    assert isinstance(env, SandboxedEnvironment)
    assert env.autoescape is True
    with pytest.raises(UndefinedError):
        r(env, "{{ nope }}")
    with pytest.raises(SecurityError):
        r(env, "{{ ''.__class__.__mro__ }}")
    assert r(env, "{{ x }}", x="Van Dijk & Zonen <B.V.>") == "Van Dijk &amp; Zonen &lt;B.V.&gt;"


def test_default_globals_removed(env):
    assert "cycler" not in env.globals and "lipsum" not in env.globals
    assert "range" in env.globals


@pytest.mark.parametrize(("source", "value", "expected"), [
    ("{{ v|datum }}", date(2025, 2, 3), "3 februari 2025"),
    ("{{ v|datum }}", datetime(2025, 2, 3, 14, 5), "3 februari 2025"),
    ("{{ v|datum }}", "per direct", "per direct"),
    ("{{ v|datum }}", None, ""),
    ("{{ v|datum_kort }}", date(2025, 2, 3), "03-02-2025"),
    ("{{ v|datum_lang }}", date(2025, 2, 3), "maandag 3 februari 2025"),
    ("{{ v|bedrag }}", Decimal("1234.56"), f"€{NBSP}1.234,56"),
    ("{{ v|bedrag }}", Decimal("-1234.56"), f"€{NBSP}-1.234,56"),
    ("{{ v|bedrag }}", Decimal("2845"), f"€{NBSP}2.845,00"),
    ("{{ v|bedrag }}", None, ""),
    ("{{ v|getal }}", Decimal("32.5"), "32,5"),
    ("{{ v|getal }}", Decimal("1234567.891"), "1.234.567,891"),
    ("{{ v|getal(2) }}", Decimal("32.5"), "32,50"),
    ("{{ v|getal }}", None, ""),
    ("{{ v|ja_nee }}", True, "ja"),
    ("{{ v|ja_nee }}", False, "nee"),
    ("{{ v|ja_nee }}", None, ""),
    ("{{ v|ja_nee(onbekend='ja / nee') }}", None, "ja / nee"),
    ("{{ v|opsomming }}", ["a", "b", "c"], "a, b en c"),
    ("{{ v|opsomming }}", ["a"], "a"),
    ("{{ v|hoofdletter }}", "te laat", "Te laat"),
])
def test_filters(env, source, value, expected):
    assert r(env, source, v=value) == expected


def test_finalize_never_prints_none_or_iso_dates(env):
    out = r(env, "[{{ a }}|{{ d }}|{{ n }}|{{ b }}]", a=None, d=date(2025, 1, 6),
            n=Decimal("32.5"), b=True)
    assert out == "[|6 januari 2025|32,5|ja]"
    assert "None" not in out and "2025-01-06" not in out


def test_finalize_drops_xml_invalid_control_characters(env):
    assert r(env, "{{ x }}", x="a\x0bb\x00c") == "abc"


def test_naam_functie(env):
    p = {"naam": "drs. P. Hendriks", "functie": "bedrijfsarts", "organisatie": "Arbo Midden"}
    assert r(env, "{{ p|naam_functie }}", p=p) == "drs. P. Hendriks, bedrijfsarts"
    assert r(env, "{{ p|naam_functie(true) }}", p=p) == "drs. P. Hendriks, bedrijfsarts (Arbo Midden)"
    assert r(env, "{{ p|naam_functie }}", p={"naam": "X", "functie": None}) == "X"
    assert r(env, "{{ p|naam_functie }}", p={"naam": None}) == ""


def test_invul(env):
    assert r(env, "{{ v|invul }}", v="tekst") == "tekst"
    line = r(env, "{{ v|invul }}", v=None)
    assert set(line) == {INVUL_TEKEN}
    three = r(env, "{{ v|invul(3) }}", v="  ")
    assert three.count("\n") == 2 and len(three.splitlines()[0]) > len(line)
    assert r(env, "{{ v|invul(tekens=4) }}", v=[]) == INVUL_TEKEN * 4
    assert r(env, "{{ v|datum|invul(tekens=3) }}", v=None) == INVUL_TEKEN * 3


def test_filters_reraise_unknown_names(env):
    with pytest.raises(UndefinedError, match=r"werknemer\.nam"):
        r(env, "{{ werknemer.nam|datum }}", werknemer=Record({"naam": "x"}, "werknemer", False))
    with pytest.raises(UndefinedError):
        r(env, "{{ nope|invul }}")


def test_undefined_message_names_dotted_path_and_suggestion(env):
    rec = Record({"naam": "x"}, "werknemer", False)
    with pytest.raises(UndefinedError) as e:
        r(env, "{{ werknemer.nam }}", werknemer=rec)
    assert "'werknemer.nam'" in str(e.value) and "bedoelt u 'werknemer.naam'" in str(e.value)


def test_bedrag_on_text_is_a_clear_error(env):
    with pytest.raises(ValueError, match=r"bedrag: 'abc' is geen getal"):
        r(env, "{{ v|bedrag }}", v="abc")


def test_week_counts_sickness_weeks_with_samentelling(env):
    case = Case.model_validate({
        "dossiernummer": "T-1", "werkgever": {"naam": "W"}, "werknemer": {"naam": "N"},
        "ziekteperiodes": [
            {"eerste_ziektedag": "2025-01-06", "hersteldatum": "2025-01-20"},
            {"eerste_ziektedag": "2025-02-03"},  # gap of 14 days: added together
        ],
    })
    tl = compute_timeline(case, today=date(2025, 6, 1))
    ctx = {"_kalender": tl.calendar, "eerste_ziektedag": tl.eerste_ziektedag}
    assert r(env, "{{ d|week }}", d=date(2025, 1, 6), **ctx) == "1"
    assert r(env, "{{ d|week }}", d=date(2025, 1, 19), **ctx) == "2"
    # 3 February is sick day 14 (the gap is skipped): week 3, not week 5.
    assert r(env, "{{ d|week }}", d=date(2025, 2, 3), **ctx) == "3"
    assert r(env, "{{ d|week }}", d=date(2025, 1, 25), **ctx) == ""  # in the gap
    assert r(env, "{{ d|verzuimweek }}", d=date(2025, 2, 24), **ctx) == "ziekteweek 6"
    assert r(env, "{{ d|verzuimweek }}", d=None, **ctx) == ""


def test_locale_comes_from_the_environment():
    en = make_environment("en_GB")
    assert en.from_string("{{ d|datum }}").render(d=date(2025, 2, 3)) == "3 February 2025"


def test_every_filter_is_documented_with_example():
    for name, info in FILTERS.items():
        assert info.uitleg and info.voorbeeld and info.uitkomst, name
        assert f"|{name}" in info.voorbeeld, name

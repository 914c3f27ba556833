"""The template contract: build_context produces exactly the documented variables."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from dossier.model import Case
from dossier.render import missing_data
from dossier.render.context import (
    LIJST,
    OBJECT,
    SCHEMA,
    Record,
    Veld,
    alle_namen,
    build_context,
    dichtstbijzijnde,
    plus_maanden,
    rapportageperiodes,
    zoek_veld,
)
from dossier.settings import Settings
from dossier.timeline import compute_timeline

ROOT = Path(__file__).resolve().parents[1]
KUIPERS = ROOT / "samples" / "casus_kuipers.json"
TODAY = date(2026, 10, 20)


def case_from(data: dict) -> Case:
    return Case.model_validate(data)


def minimal(**extra) -> Case:
    data = {"dossiernummer": "T-001", "werkgever": {"naam": "Werkgever B.V."},
            "werknemer": {"naam": "Jan Jansen"},
            "ziekteperiodes": [{"eerste_ziektedag": "2025-01-06"}]}
    data.update(extra)
    return case_from(data)


@pytest.fixture(scope="module")
def kuipers() -> Case:
    return case_from(json.loads(KUIPERS.read_text(encoding="utf-8")))


def ctx_for(case: Case, today: date = TODAY, **kw):
    return build_context(case, compute_timeline(case, today=today), today=today, **kw)


def assert_matches_schema(value, velden: tuple[Veld, ...], pad: str) -> None:
    assert isinstance(value, dict), pad
    expected = {v.naam for v in velden}
    actual = {k for k in value if not k.startswith("_")}
    assert actual == expected, f"{pad}: extra {actual - expected}, missing {expected - actual}"
    for v in velden:
        sub = value[v.naam]
        if v.soort == OBJECT:
            assert isinstance(sub, Record), f"{pad}.{v.naam}"
            assert_matches_schema(sub, v.velden, f"{pad}.{v.naam}")
        elif v.soort == LIJST:
            assert isinstance(sub, list), f"{pad}.{v.naam}"
            for item in sub:
                assert_matches_schema(item, v.velden, f"{pad}.{v.naam}[]")
        elif v.soort in ("lijst van datums", "lijst van teksten"):
            assert isinstance(sub, list), f"{pad}.{v.naam}"


@pytest.mark.parametrize("which", ["full", "minimal"])
def test_context_has_exactly_the_documented_keys(which, kuipers):
    case = kuipers if which == "full" else minimal()
    ctx = ctx_for(case, periode=1 if which == "full" else None)
    assert_matches_schema(ctx, SCHEMA, "")


def test_full_case_fills_nested_lists(kuipers):
    ctx = ctx_for(kuipers, periode=1)
    assert ctx["plan_van_aanpak"]["activiteiten"], "sample has activities"
    assert ctx["periode"]["sollicitaties"]
    assert len(ctx["tweede_spoor"]["activiteiten_per_soort"]) == 4


def test_no_key_collides_with_dict_methods():
    # Templates read dict keys as attributes; a key named like a dict method would be shadowed.
    forbidden = set(dir(dict))
    for pad, veld in alle_namen():
        assert veld.naam not in forbidden, pad


def test_bsn_password_free_context(kuipers):
    ctx = ctx_for(kuipers)
    assert all("wachtwoord" not in b for b in ctx["bijlagen"])


def test_missing_objects_are_empty_and_false():
    ctx = ctx_for(minimal())
    assert not ctx["plan_van_aanpak"] and ctx["plan_van_aanpak"]["datum"] is None
    assert ctx["plan_van_aanpak"]["activiteiten"] == []
    assert not ctx["casemanager"] and ctx["casemanager"]["naam"] is None
    assert not ctx["bijstelling"] and not ctx["periode"]
    assert ctx["werknemer"] and ctx["werknemer"]["naam"] == "Jan Jansen"
    assert ctx["vandaag"] == TODAY and ctx["eerste_ziektedag"] == date(2025, 1, 6)


def test_computed_values(kuipers):
    ctx = ctx_for(kuipers)
    assert ctx["einde_wachttijd"] == date(2027, 1, 3)  # sick day 727
    assert ctx["ziekteweek"] == 94
    assert ctx["termijnen"]["eerstejaarsevaluatie"]["uiterlijk"] == date(2026, 1, 4)
    assert ctx["termijnen"]["eerstejaarsevaluatie"]["status"] == "gedaan"
    assert any(m["code"] == "plan_van_aanpak" for m in ctx["tijdlijn"])
    assert ctx["voorblad"]["titel"] == "Re-integratieverslag"
    assert ctx_for(minimal(), today=date(2025, 3, 1))["voorblad"]["titel"] == "Re-integratiedossier"


def test_defaults_for_authors():
    case = minimal(
        bedrijfsarts={"naam": "drs. P. Hendriks", "functie": "bedrijfsarts"},
        reintegratiebedrijf={"naam": "Y. Smit", "organisatie": "Werkpad"},
        probleemanalyse={"datum": "2025-02-10"},
        tweede_spoor={"start": "2026-01-12"},
    )
    ctx = ctx_for(case)
    assert ctx["probleemanalyse"]["opgesteld_door"]["naam"] == "drs. P. Hendriks"
    assert ctx["actueel_oordeel"]["opgesteld_door"]["naam"] == "drs. P. Hendriks"
    assert ctx["tweede_spoor"]["consulent"]["naam"] == "Y. Smit"
    assert ctx["tweede_spoor"]["bureau"] == "Werkpad"


def test_explicit_author_wins_over_default():
    case = minimal(bedrijfsarts={"naam": "A"}, probleemanalyse={"opgesteld_door": {"naam": "B"}})
    assert ctx_for(case)["probleemanalyse"]["opgesteld_door"]["naam"] == "B"


def test_bijstelling_latest_by_default_and_by_number():
    case = minimal(plan_van_aanpak={"datum": "2025-02-20"}, evaluaties=[
        {"datum": "2025-06-10", "soort": "bijstelling", "reden": "tweede"},
        {"datum": "2025-04-01", "soort": "bijstelling", "reden": "eerste"},
        {"datum": "2025-05-01", "soort": "evaluatie"},
    ], probleemanalyse={"bijstellingen": [{"datum": "2025-06-02", "toelichting": "trager"}]})
    latest = ctx_for(case)["bijstelling"]
    assert latest["reden"] == "tweede" and latest["nummer"] == 2
    assert latest["vorige_datum"] == date(2025, 4, 1)
    assert latest["volgende_evaluatie"] == date(2025, 7, 22)
    assert latest["probleemanalyse"]["toelichting"] == "trager"
    first = ctx_for(case, bijstelling=1)["bijstelling"]
    assert first["reden"] == "eerste" and first["vorige_datum"] == date(2025, 2, 20)
    assert not first["probleemanalyse"]  # the PA update came later
    assert [e["datum"] for e in ctx_for(case)["evaluaties"]] == sorted(
        e["datum"] for e in ctx_for(case)["evaluaties"])


def test_eerstejaarsevaluatie_looks_back_on_year_one_only(kuipers):
    eje = ctx_for(kuipers)["eerstejaarsevaluatie"]
    assert eje["evaluaties_jaar1"]
    assert all(e["datum"] <= date(2025, 12, 9) for e in eje["evaluaties_jaar1"])
    assert len(eje["evaluaties_jaar1"]) < len(kuipers.evaluaties)
    assert {a["bron"] for a in eje["activiteiten_jaar1"]} == {"Plan van aanpak", "Bijstelling 1",
                                                              "Bijstelling 2"}


def test_periods_every_two_months_and_matched_narratives(kuipers):
    tl = compute_timeline(kuipers, today=TODAY)
    periods = rapportageperiodes(kuipers, tl, today=TODAY)
    assert [(p.van, p.tot) for p in periods] == [
        (date(2025, 12, 15), date(2026, 2, 14)), (date(2026, 2, 15), date(2026, 4, 14)),
        (date(2026, 4, 15), date(2026, 6, 14)), (date(2026, 6, 15), date(2026, 8, 14)),
        (date(2026, 8, 15), date(2026, 10, 14))]
    assert all(p.rapportage is not None for p in periods)
    per = ctx_for(kuipers, periode=periods[1])["periode"]
    assert per["nummer"] == 2
    assert [s["werkgever"] for s in per["sollicitaties"]] == [
        "Van der Linden Logistiek", "Gemeente Amersfoort", "Woningstichting De Bunt",
        "Autobedrijf Hoogland"]
    groups = {g["soort"]: g["activiteiten"] for g in per["activiteiten_per_soort"]}
    assert [a["datum"] for a in groups["bemiddeling"]] == [date(2026, 2, 18), date(2026, 3, 11)]
    assert [a["datum"] for a in groups["begeleiding"]] == [date(2026, 4, 2)]  # the coach talks
    assert groups["werkervaring"] == []
    assert per["rapportage"]["resultaten"].startswith("Vier sollicitaties")
    # The work placement started 20 April 2026: it is in period 3, not 2.
    assert ctx_for(kuipers, periode=3)["periode"]["werkervaringsplaatsen"]


def test_periods_honour_interval_and_unmatched_narratives():
    case = minimal(tweede_spoor={"start": "2026-01-31"}, inspanningsrapportages=[
        {"periode_van": "2026-02-15", "periode_tot": "2026-03-15", "resultaten": "los"}])
    tl = compute_timeline(case, today=date(2026, 7, 1))
    periods = rapportageperiodes(case, tl, today=date(2026, 7, 1), interval_maanden=3)
    # 31 January + 3 months = 30 April (clamped), so the first period ends 29 April; the
    # second grid period (30 April – 29 July) has not ended on 1 July. The narrative that
    # matches no grid period keeps its own period.
    assert [(p.van, p.tot) for p in periods] == [
        (date(2026, 1, 31), date(2026, 4, 29)), (date(2026, 2, 15), date(2026, 3, 15))]
    assert periods[1].rapportage is not None and periods[0].rapportage is None
    # Settings.rapportage_interval_maanden drives the numbered lookup.
    ctx = ctx_for(case, today=date(2026, 7, 1), settings=Settings(rapportage_interval_maanden=3),
                  periode=1)
    assert ctx["periode"]["tot"] == date(2026, 4, 29)


def test_plus_maanden_clamps_day():
    assert plus_maanden(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert plus_maanden(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert plus_maanden(date(2026, 11, 15), 2) == date(2027, 1, 15)


def test_schema_lookup_and_suggestions():
    assert zoek_veld("werknemer.naam").soort == "tekst"
    assert zoek_veld("plan_van_aanpak.activiteiten[].wat") is not None
    assert zoek_veld("werknemer.nam") is None
    assert dichtstbijzijnde("werknemer.nam") == "werknemer.naam"
    assert dichtstbijzijnde("werknemr") == "werknemer"
    assert dichtstbijzijnde("plan_van_aanpak.activiteiten[].wst") == \
        "plan_van_aanpak.activiteiten[].wat"
    assert dichtstbijzijnde("werkgever.loonheffingsnummer") == "werkgever.loonheffingennummer"


def test_missing_data_for_plan_van_aanpak():
    case = minimal(plan_van_aanpak={"datum": "2025-02-20", "doel_kort": "x"})
    found = dict(missing_data(case, compute_timeline(case, today=TODAY), today=TODAY))
    assert found["plan_van_aanpak.visie_werknemer"] == \
        "visie van de werknemer ontbreekt (verplicht sinds 1 juli 2023)"
    assert "plan_van_aanpak.activiteiten" in found
    assert "werknemer.bsn" in found and "casemanager.naam" in found
    assert "plan_van_aanpak.doel_kort" not in found
    # Documents without any data are not nagged about.
    assert not any(k.startswith("eindevaluatie") for k in found)


def test_missing_data_before_july_2023_does_not_require_views():
    case = minimal(ziekteperiodes=[{"eerste_ziektedag": "2023-01-02"}],
                   plan_van_aanpak={"datum": "2023-02-20"})
    found = dict(missing_data(case, compute_timeline(case, today=date(2023, 3, 1)),
                              today=date(2023, 3, 1)))
    assert "plan_van_aanpak.visie_werknemer" not in found


def test_missing_data_full_sample_is_small(kuipers):
    found = dict(missing_data(kuipers, compute_timeline(kuipers, today=TODAY), today=TODAY))
    # The sample is complete through week 93; only the last period's report may be due.
    assert not [k for k in found if not k.startswith("inspanningsrapportages")], found


def test_missing_data_flags_missing_period_report():
    case = minimal(tweede_spoor={"start": "2026-01-12", "doel": "x"})
    found = dict(missing_data(case, compute_timeline(case, today=date(2026, 4, 1)),
                              today=date(2026, 4, 1)))
    assert found["inspanningsrapportages[1]"].startswith("geen inspanningsrapportage voor periode 1")


def test_docs_list_every_variable():
    text = (ROOT / "docs" / "templates.md").read_text(encoding="utf-8")
    for pad, _ in alle_namen():
        assert f"`{pad}`" in text, f"docs/templates.md mist {pad}: draai scripts/make_templates.py"


def test_evaluatieverslag_carries_open_activities_only(kuipers):
    def acts(n: int) -> list[tuple[str, str | None]]:
        rec = ctx_for(kuipers, evaluatie=n)["evaluatieverslag"]
        return [(a["bron"], a["stand"]) for a in rec["afgesproken_activiteiten"]]

    first = ctx_for(kuipers, evaluatie=1)["evaluatieverslag"]
    assert first["nummer"] == 1 and first["volgende_evaluatie"] == date(2025, 5, 13)
    assert len(acts(1)) == 5 and ("Plan van aanpak", "gedaan") in acts(1)
    # Evaluation 1 reported four activities done; only the build-up is carried to evaluation 2.
    assert acts(2) == [("Plan van aanpak", "gedaan: sinds 7 april 2025")]
    assert acts(4) == []  # everything reported done by evaluation 3
    sources = {bron for bron, _ in acts(6)}
    assert sources == {"Bijstelling 2", "Eerstejaarsevaluatie"}  # the EJE's own agreements count too
    assert not ctx_for(kuipers)["evaluatieverslag"]  # other documents: empty


def test_eindevaluatie_satisfactory_result_test(kuipers):
    ev = ctx_for(kuipers)["eindevaluatie"]
    assert (ev["loon_percentage"], ev["uren_percentage"], ev["bevredigend_resultaat"]) == (56, 67, False)
    richer = kuipers.model_copy(update={"eindevaluatie": kuipers.eindevaluatie.model_copy(
        update={"bruto_maandloon_nu": Decimal("1849.25")})})  # exactly 65 % of 2845.00
    assert ctx_for(richer)["eindevaluatie"]["bevredigend_resultaat"] is True
    assert ctx_for(richer)["eindevaluatie"]["loon_percentage"] == 65

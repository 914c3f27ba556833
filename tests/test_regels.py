"""Worked cases for every rule of issue 13 (docs/regels.md): holidays, recovery, ended cases, the
loonsanctie bound, the eerstejaarsevaluatie window, spoor 2, verlenging, vangnet and ziek uit dienst.

The dates are worked out by hand from the rules (first sick day Monday 5 January 2026 unless said
otherwise), not read from the code.
"""

from __future__ import annotations

import ast
import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from test_timeline_oracle import cases

from dossier.feestdagen import feestdagen, is_werkdag, volgende_werkdag, vorige_werkdag
from dossier.findings import timeline_findings
from dossier.loaders import read_records
from dossier.loaders.records import Record
from dossier.model import Case, case_json_schema
from dossier.privacy import scan_case
from dossier.timeline import RULES, VANGNET, Niveau, Status, compute_timeline
from dossier.timeline_format import timeline_ics, timeline_json, timeline_text
from dossier.validate import build_case

ROOT = Path(__file__).resolve().parent.parent

#: Every Atw art. 3 lid 1 holiday of 2024–2030, written out by hand (Easter Sundays: 31-3-2024,
#: 20-4-2025, 5-4-2026, 28-3-2027, 16-4-2028, 1-4-2029, 21-4-2030; Koningsdag 2025 is Saturday 26 April
#: because 27 April 2025 is a Sunday).
HOLIDAYS = {
    2024: ["01-01", "04-01", "04-27", "05-05", "05-09", "05-20", "12-25", "12-26"],
    2025: ["01-01", "04-21", "04-26", "05-05", "05-29", "06-09", "12-25", "12-26"],
    2026: ["01-01", "04-06", "04-27", "05-05", "05-14", "05-25", "12-25", "12-26"],
    2027: ["01-01", "03-29", "04-27", "05-05", "05-06", "05-17", "12-25", "12-26"],
    2028: ["01-01", "04-17", "04-27", "05-05", "05-25", "06-05", "12-25", "12-26"],
    2029: ["01-01", "04-02", "04-27", "05-05", "05-10", "05-21", "12-25", "12-26"],
    2030: ["01-01", "04-22", "04-27", "05-05", "05-30", "06-10", "12-25", "12-26"],
}
GOEDE_VRIJDAG = {2024: "03-29", 2025: "04-18", 2026: "04-03", 2027: "03-26", 2028: "04-14", 2029: "03-30",
                 2030: "04-19"}
TODAY = date(2026, 11, 22)


def _d(year: int, mmdd: str) -> date:
    month, day = mmdd.split("-")
    return date(year, int(month), int(day))


@pytest.mark.parametrize("year", sorted(HOLIDAYS))
def test_every_holiday_of_2024_to_2030(year: int) -> None:
    assert sorted(feestdagen(year)) == sorted([_d(year, md) for md in HOLIDAYS[year]]
                                              + [_d(year, GOEDE_VRIJDAG[year])])
    # Goede Vrijdag is no holiday of art. 3 lid 1, but lid 2 equates it: no working day either
    good_friday = _d(year, GOEDE_VRIJDAG[year])
    assert good_friday.weekday() == 4 and not is_werkdag(good_friday)


def test_working_days() -> None:
    assert volgende_werkdag(date(2025, 12, 25)) == date(2025, 12, 29)  # Kerst, Tweede Kerstdag, weekend
    assert vorige_werkdag(date(2026, 4, 27)) == date(2026, 4, 24)  # Koningsdag (Monday) → Friday
    assert volgende_werkdag(date(2026, 4, 28)) == date(2026, 4, 28)  # a working day stays
    assert _d(2025, "04-26") in feestdagen(2025) and _d(2025, "04-27") not in feestdagen(2025)
    assert not is_werkdag(date(2027, 5, 5))  # 5 mei counts every year, also outside a lustrum year


# --- the 42nd-week report: next working day --------------------------------------------------


@pytest.mark.parametrize(("sick_day_294", "due"), [
    (date(2025, 12, 25), date(2025, 12, 29)),  # Eerste Kerstdag (Thu), Tweede Kerstdag, weekend
    (date(2025, 12, 27), date(2025, 12, 29)),  # Saturday
    (date(2026, 4, 27), date(2026, 4, 28)),  # Koningsdag (Mon)
    (date(2026, 5, 14), date(2026, 5, 15)),  # Hemelvaartsdag (Thu); the Friday after is a working day here
    (date(2026, 4, 6), date(2026, 4, 7)),  # Tweede Paasdag
    (date(2026, 5, 25), date(2026, 5, 26)),  # Tweede Pinksterdag
    (date(2027, 1, 1), date(2027, 1, 4)),  # Nieuwjaarsdag (Fri), weekend
    (date(2026, 5, 5), date(2026, 5, 6)),  # 5 mei (Tue)
    (date(2027, 5, 5), date(2027, 5, 7)),  # 5 mei 2027 (Wed), then Hemelvaartsdag 6 mei
    (date(2026, 4, 3), date(2026, 4, 7)),  # Goede Vrijdag (Atw art. 3 lid 2), weekend, Tweede Paasdag
    (date(2026, 10, 26), date(2026, 10, 26)),  # an ordinary Monday
])
def test_the_uwv_report_moves_to_the_next_working_day(make_case, sick_day_294: date, due: date) -> None:
    first = sick_day_294 - timedelta(days=294)  # 42 weeks: the same weekday
    tl = compute_timeline(make_case(ziekteperiodes=[{"eerste_ziektedag": first.isoformat()}]), today=TODAY)
    m = tl.get("ziekmelding_uwv")
    assert m.uiterlijk == due
    assert m.niveau is Niveau.boete
    # a report on the moved deadline is on time, not "te laat" with a fine
    on_time = make_case(ziekteperiodes=[{"eerste_ziektedag": first.isoformat()}],
                        ziekmelding_uwv={"datum": due.isoformat()})
    assert compute_timeline(on_time, today=TODAY).get("ziekmelding_uwv").status is Status.gedaan


def test_only_the_reports_move_off_holidays(make_case) -> None:
    # sick day 41 of a case starting 5-1-2026 is Sunday 15-2-2026: the probleemanalyse stays there
    tl = compute_timeline(make_case(), today=TODAY)
    assert tl.get("probleemanalyse").uiterlijk == date(2026, 2, 15)
    assert {c for c, r in RULES.items() if r.verschuiving} == {
        "ziekmelding_uwv", "ziekmelding_vangnet", "ziekmelding_uit_dienst"}


# --- recovered and ended cases -----------------------------------------------------------------


def test_recovered_before_the_eje_window_owes_no_eje(make_case) -> None:
    case = make_case(ziekteperiodes=[{"eerste_ziektedag": "2026-01-05", "hersteldatum": "2026-09-01"}])
    tl = compute_timeline(case, today=date(2027, 3, 1))
    # the 42nd-week report (26-10-2026), the EJE, spoor 2 and the WIA steps fall after the recovery
    assert [m.code for m in tl.mijlpalen] == ["probleemanalyse", "plan_van_aanpak"]
    assert all(m.status is Status.verlopen for m in tl.mijlpalen)  # these were due and not done
    assert tl.einde_wachttijd is None and tl.ingangsdatum_wia is None
    data = timeline_json(case, tl)
    assert data["einde_wachttijd"] is None and data["ingangsdatum_wia"] is None
    assert data["hersteld_op"] == "2026-09-01"
    text = timeline_text(case, tl)
    assert "None" not in text
    assert "loondoorbetaling" not in text and "ingangsdatum WIA" not in text


def test_recovered_inside_the_eje_window(make_case) -> None:
    case = make_case(ziekteperiodes=[{"eerste_ziektedag": "2026-01-05", "hersteldatum": "2026-12-01"}])
    codes = [m.code for m in compute_timeline(case, today=date(2027, 3, 1)).mijlpalen]
    assert "ziekmelding_uwv" in codes  # sick day 294 came while still sick
    assert "eerstejaarsevaluatie" not in codes and "tweede_spoor" not in codes  # due 3-1-2027: after


def test_an_ongoing_case_keeps_the_wachttijd_lines(make_case) -> None:
    case = make_case()
    tl = compute_timeline(case, today=TODAY)
    assert timeline_json(case, tl)["einde_wachttijd"] == "2028-01-02"
    assert "Laatste dag loondoorbetaling: 2 januari 2028; ingangsdatum WIA: 3 januari 2028" in timeline_text(case, tl)


def test_a_weekend_report_after_the_recovery_has_a_week_number() -> None:
    """Sick day 294 is a Saturday and the employee is fit on Sunday: the report stays due on Monday,
    and no message prints "(week None)"."""
    case = Case.model_validate({
        "dossiernummer": "W-1", "werkgever": {"naam": "W"}, "werknemer": {"naam": "N"},
        "ziekteperiodes": [{"eerste_ziektedag": "2000-01-01", "hersteldatum": "2000-10-22"}]})
    tl = compute_timeline(case, today=date(2001, 1, 1))
    m = tl.get("ziekmelding_uwv")
    assert (m.uiterlijk, m.ziekteweek) == (date(2000, 10, 23), 43)
    messages = " ".join(f.melding for f in timeline_findings(case, tl))
    assert "week 43" in messages and "None" not in messages


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(c=cases())
def test_no_none_in_any_output(c: tuple[Case, date, int]) -> None:
    case, today, week = c
    tl = compute_timeline(case, today=today, wia_aanvraag_week=week)
    assert "None" not in timeline_text(case, tl)
    assert "None" not in timeline_ics([(case, tl)])
    for m in timeline_json(case, tl)["mijlpalen"]:
        assert m["niveau"] in {"loonsanctie-risico", "boete", "aandachtspunt"}


# --- loonsanctie and verlenging bounds ----------------------------------------------------------


def _build(**extra: Any) -> tuple[Case | None, list[Any]]:
    raw = {"dossiernummer": "V-1", "werkgever": {"naam": "W"}, "werknemer": {"naam": "N"},
           "ziekteperiodes": [{"eerste_ziektedag": "2026-01-05"}], **extra}
    return build_case(Record(Path("v.json"), "", raw), today=TODAY)


def test_loonsanctie_of_53_weeks_is_refused() -> None:
    case, issues = _build(loonsanctie={"weken": 53})
    assert case is None
    (issue,) = [i for i in issues if i.field == "loonsanctie.weken"]
    assert str(issue.severity) == "fout" and "art. 25 lid 9 WIA" in issue.message and "52" in issue.message
    case, issues = _build(loonsanctie={"weken": 52})
    assert case is not None and not [i for i in issues if i.field.startswith("loonsanctie")]


def test_verlenging_shorter_than_13_weeks_is_refused() -> None:
    case, issues = _build(vrijwillige_verlenging={"weken": 12})
    assert case is None
    assert [i.field for i in issues if str(i.severity) == "fout"] == ["vrijwillige_verlenging.weken"]
    assert _build(vrijwillige_verlenging={"weken": 13})[0] is not None
    assert _build(vrijwillige_verlenging={"weken": 104})[0] is not None  # art. 24 WIA: no maximum


def test_verlenging_after_ziek_uit_dienst_is_refused() -> None:
    case, issues = _build(vrijwillige_verlenging={"weken": 13},
                          werknemer={"naam": "N", "datum_uit_dienst": "2027-06-30"})
    assert case is None
    assert any(i.field == "vrijwillige_verlenging" and "Ziektewet" in i.message for i in issues)


def test_vrijwillige_verlenging_moves_eindevaluatie_and_letter(make_case) -> None:
    tl = compute_timeline(make_case(vrijwillige_verlenging={"weken": 13}), today=TODAY)
    week13 = timedelta(weeks=13)
    assert tl.get("wia_brief").uiterlijk == date(2027, 9, 13) + week13 == date(2027, 12, 13)
    assert tl.get("eindevaluatie").uiterlijk == date(2027, 10, 3) + week13 == date(2028, 1, 2)
    assert tl.get("wia_aanvraag").uiterlijk == date(2028, 1, 16)
    assert tl.einde_wachttijd == date(2028, 4, 2)
    # a loonsanctie moves the end only
    tl = compute_timeline(make_case(loonsanctie={"weken": 13}), today=TODAY)
    assert (tl.get("eindevaluatie").uiterlijk, tl.einde_wachttijd) == (date(2027, 10, 3), date(2028, 4, 2))


# --- eerstejaarsevaluatie and spoor 2 -----------------------------------------------------------


def test_an_eje_in_week_37_does_not_count(make_case) -> None:
    case = make_case(eerstejaarsevaluatie={"datum": "2026-09-15"})  # week 37 (sick day 253)
    tl = compute_timeline(case, today=date(2026, 10, 5))
    eje = tl.get("eerstejaarsevaluatie")
    assert (eje.status, eje.gedaan_op, eje.te_vroeg_op) == (Status.open, None, date(2026, 9, 15))
    assert (eje.vanaf, eje.uiterlijk) == (date(2026, 11, 16), date(2027, 1, 3))
    # spoor 2 is not pulled before the window: 6 weeks after the EJE deadline
    assert tl.get("tweede_spoor").uiterlijk == date(2027, 2, 14)
    assert "te vroeg (15 september 2026)" in timeline_text(case, tl)
    assert compute_timeline(case, today=date(2027, 1, 4)).get("eerstejaarsevaluatie").status is Status.verlopen


def test_a_late_eje_does_not_move_spoor_2_later(make_case) -> None:
    tl = compute_timeline(make_case(eerstejaarsevaluatie={"datum": "2027-01-20"}), today=date(2027, 2, 1))
    assert tl.get("eerstejaarsevaluatie").status is Status.te_laat
    assert tl.get("tweede_spoor").uiterlijk == date(2027, 2, 14)  # not 20-1 + 42 = 3-3-2027


def test_an_eje_in_the_window_sets_spoor_2(make_case) -> None:
    tl = compute_timeline(make_case(eerstejaarsevaluatie={"datum": "2026-11-16"}), today=TODAY)
    assert tl.get("eerstejaarsevaluatie").status is Status.gedaan
    assert tl.get("tweede_spoor").uiterlijk == date(2026, 12, 28)


# --- deadlines in sick days skip recovery gaps ----------------------------------------------------


def test_plan_van_aanpak_counts_sick_days_across_a_gap(make_case) -> None:
    # PA on sick day 41 (15-2); fit 20-2 up to 2-3 (10 days): 14 sick days later is 11-3, not 1-3
    case = make_case(ziekteperiodes=[{"eerste_ziektedag": "2026-01-05", "hersteldatum": "2026-02-20"},
                                     {"eerste_ziektedag": "2026-03-02"}],
                     probleemanalyse={"datum": "2026-02-15"})
    assert compute_timeline(case, today=TODAY).get("plan_van_aanpak").uiterlijk == date(2026, 3, 11)


def test_evaluations_count_sick_days_across_a_gap(make_case) -> None:
    case = make_case(ziekteperiodes=[{"eerste_ziektedag": "2026-01-05", "hersteldatum": "2026-02-20"},
                                     {"eerste_ziektedag": "2026-03-02"}],
                     plan_van_aanpak={"datum": "2026-02-10"})
    first = next(m for m in compute_timeline(case, today=TODAY).mijlpalen if m.code == "evaluatie")
    assert first.uiterlijk == date(2026, 4, 3)  # 10-2 + 42 days + the 10 fit days


# --- vangnet ------------------------------------------------------------------------------------


def test_vangnet_cases_have_their_own_report(make_case) -> None:
    case = make_case(ziekteperiodes=[
        {"eerste_ziektedag": "2026-01-05", "hersteldatum": "2026-02-20", "vangnet": "zwangerschap",
         "vangnet_gemeld": "2026-02-16"},
        {"eerste_ziektedag": "2026-03-02", "hersteldatum": "2026-04-10", "vangnet": "No-risk"},
        {"eerste_ziektedag": "2026-04-24", "vangnet": "zwangerschap_na_verlof"}])
    tl = compute_timeline(case, today=TODAY)
    reports = [(m.volgnummer, m.uiterlijk, m.status) for m in tl.mijlpalen if m.code == "ziekmelding_vangnet"]
    assert reports == [
        (1, date(2026, 2, 16), Status.gedaan),  # +41 = Sunday 15-2 → Monday
        (2, date(2026, 4, 13), Status.verlopen),  # +41 = Sunday 12-4 → Monday (due after the recovery too)
        (3, date(2026, 4, 28), Status.verlopen),  # 4th sick day = Koningsdag 27-4 → Tuesday
    ]
    assert tl.get("ziekmelding_uwv") is None  # UWV already knows a Ziektewet case
    assert {m.niveau for m in tl.mijlpalen if m.code == "ziekmelding_vangnet"} == {Niveau.boete}
    assert set(VANGNET) == {"zwangerschap", "zwangerschap_na_verlof", "orgaandonatie", "no_risk"}


def test_the_vangnet_category_is_not_medical_data(make_case) -> None:
    case = make_case(ziekteperiodes=[{"eerste_ziektedag": "2026-01-05", "vangnet": "zwangerschap"}])
    assert scan_case(case) == []
    _, issues = build_case(Record(Path("z.json"), "", {
        "dossiernummer": "Z-1", "werkgever": {"naam": "W"}, "werknemer": {"naam": "N"},
        "ziekteperiodes": [{"eerste_ziektedag": "2026-01-05", "vangnet": "zwangerschap_na_verlof"}]}), today=TODAY)
    assert not [i for i in issues if "medisch" in i.message]
    # the same word in free text is still flagged
    flagged = make_case(opmerkingen="ziek door de zwangerschap")
    assert [p for p, _ in scan_case(flagged)] == ["opmerkingen"]


def test_an_unknown_vangnet_is_refused() -> None:
    case, issues = _build(ziekteperiodes=[{"eerste_ziektedag": "2026-01-05", "vangnet": "burn-out"}])
    assert case is None
    (issue,) = [i for i in issues if i.field == "ziekteperiodes[1].vangnet"]
    assert "geen geldige waarde" in issue.message and "no_risk" in issue.message


# --- ziek uit dienst ----------------------------------------------------------------------------


def test_ziek_uit_dienst_ends_the_employers_track(make_case) -> None:
    case = make_case(werknemer={"naam": "N", "datum_uit_dienst": "2026-06-30"},
                     plan_van_aanpak={"datum": "2026-02-25"})
    tl = compute_timeline(case, today=date(2026, 7, 15))
    due = {m.code: m.uiterlijk for m in tl.mijlpalen}
    assert due == {
        "probleemanalyse": date(2026, 2, 15), "plan_van_aanpak": date(2026, 3, 1),
        "evaluatie": date(2026, 4, 8),
        "eindevaluatie": date(2026, 6, 30),  # sick ≥ 10 weeks: by the last day of employment
        "ziekmelding_uit_dienst": date(2026, 6, 30),  # the last working day (a Tuesday)
    }
    assert tl.get("ziekmelding_uit_dienst").niveau is Niveau.boete
    assert tl.uit_dienst_op == date(2026, 6, 30)
    assert (tl.einde_wachttijd, tl.ingangsdatum_wia) == (None, None)
    text = timeline_text(case, tl)
    assert "Ziek uit dienst op: 30 juni 2026" in text and "ingangsdatum WIA" not in text


def test_ziek_uit_dienst_on_a_sunday_and_after_a_short_sickness(make_case) -> None:
    tl = compute_timeline(make_case(werknemer={"naam": "N", "datum_uit_dienst": "2026-05-31"}), today=TODAY)
    assert tl.get("ziekmelding_uit_dienst").uiterlijk == date(2026, 5, 29)  # Friday before Sunday 31-5
    short = compute_timeline(make_case(werknemer={"naam": "N", "datum_uit_dienst": "2026-02-27"}), today=TODAY)
    # 54 sick days (< 10 weeks): no eindevaluatie; the plan van aanpak (1-3) falls after the exit
    assert [m.code for m in short.mijlpalen] == ["probleemanalyse", "ziekmelding_uit_dienst"]


def test_leaving_after_the_recovery_is_no_ziek_uit_dienst(make_case) -> None:
    case = make_case(ziekteperiodes=[{"eerste_ziektedag": "2026-01-05", "hersteldatum": "2026-03-01"}],
                     werknemer={"naam": "N", "datum_uit_dienst": "2026-04-30"})
    tl = compute_timeline(case, today=TODAY)
    assert tl.uit_dienst_op is None and tl.get("ziekmelding_uit_dienst") is None


# --- the JSON contract: additions only ----------------------------------------------------------


def test_timeline_json_grows_by_niveau_only(make_case) -> None:
    case = make_case(plan_van_aanpak={"datum": "2026-02-20"})
    data = timeline_json(case, compute_timeline(case, today=TODAY))
    assert list(data) == ["dossiernummer", "eerste_ziektedag", "peildatum", "huidige_ziekteweek", "hersteld_op",
                          "einde_wachttijd", "ingangsdatum_wia", "mijlpalen"]
    base = {"code", "omschrijving", "uiterlijk", "status", "gedaan_op", "ziekteweek", "gevolg", "informatief"}
    for m in data["mijlpalen"]:
        optional = {"vanaf", "volgnummer"} & set(m)
        assert set(m) == base | optional | {"niveau"}, m["code"]
        assert m["status"] in {"gedaan", "te laat", "verlopen", "open"}
    levels = {m["code"]: m["niveau"] for m in data["mijlpalen"]}
    assert levels == {
        "probleemanalyse": "loonsanctie-risico", "plan_van_aanpak": "loonsanctie-risico",
        "evaluatie": "aandachtspunt", "ziekmelding_uwv": "boete", "eerstejaarsevaluatie": "loonsanctie-risico",
        "tweede_spoor": "loonsanctie-risico", "wia_brief": "aandachtspunt", "eindevaluatie": "loonsanctie-risico",
        "wia_aanvraag": "aandachtspunt", "einde_wachttijd": "aandachtspunt"}
    json.dumps(data)


def test_every_rule_has_a_level_and_a_source() -> None:
    for code, rule in RULES.items():
        assert rule.code == code and rule.bron and isinstance(rule.niveau, Niveau)


def test_no_day_offsets_as_literals_in_the_timeline_code() -> None:
    """Issue 10 item 6: the offsets live in the rules table (module level), not in the functions."""
    tree = ast.parse((ROOT / "dossier" / "timeline.py").read_text(encoding="utf-8"))
    literals = []
    for fn in ast.walk(tree):
        if isinstance(fn, ast.FunctionDef):
            literals += [(fn.name, node.value) for node in ast.walk(fn) if isinstance(node, ast.Constant)
                         and type(node.value) is int and node.value not in (0, 1)]
    assert literals == []


# --- the new model fields -----------------------------------------------------------------------


def test_new_fields_are_in_the_schema() -> None:
    props = case_json_schema()["$defs"]
    assert {"belastbare_uren", "gewerkte_uren", "spoor1_niet_haalbaar", "ziekmelding_uit_dienst"} <= set(
        case_json_schema()["properties"])
    assert {"bruto_maandloon_nu", "uren_per_week_nu"} <= set(props["Eindevaluatie"]["properties"])
    assert "datum_uit_dienst" in props["Werknemer"]["properties"]
    assert {"vangnet", "vangnet_gemeld"} <= set(props["Ziekteperiode"]["properties"])
    assert set(props["BelastbareUren"]["properties"]) == {"datum", "uren_per_week", "door"}
    assert set(props["GewerkteUren"]["properties"]) == {"van", "tot", "eigen_werk", "ander_werk",
                                                       "werkervaringsplaats"}
    assert set(props["Spoor1NietHaalbaar"]["properties"]) == {"datum", "door"}


def test_new_fields_validate() -> None:
    case, issues = _build(
        belastbare_uren=[{"datum": "2026-02-01", "uren_per_week": "12,5", "door": "Bedrijfsarts"},
                         {"datum": "2026-06-01", "uren_per_week": "80", "door": "arbeidsdeskundige"}],
        gewerkte_uren=[{"van": "2026-03-01", "tot": "2026-02-01", "eigen_werk": 8, "werkervaringsplaats": 8}],
        eindevaluatie={"bruto_maandloon_nu": "-5", "uren_per_week_nu": "20"})
    assert case is None
    errors = {i.field: i.message for i in issues if str(i.severity) == "fout"}
    assert set(errors) == {"belastbare_uren[2].uren_per_week", "gewerkte_uren[1].tot",
                           "eindevaluatie.bruto_maandloon_nu"}
    case, issues = _build(spoor1_niet_haalbaar={"datum": "2026-06-02", "door": "verpleegkundige"})
    assert case is None
    (issue,) = [i for i in issues if str(i.severity) == "fout"]
    assert issue.field == "spoor1_niet_haalbaar.door"
    assert "'bedrijfsarts' of 'arbeidsdeskundige'" in issue.message
    case, issues = _build(belastbare_uren=[{"datum": "2026-02-01", "uren_per_week": "12,5", "door": "Bedrijfsarts"}],
                          gewerkte_uren=[{"van": "2026-03-01", "eigen_werk": "8", "werkervaringsplaats": "4"}],
                          spoor1_niet_haalbaar={"datum": "2026-06-02", "door": "bedrijfsarts"},
                          eindevaluatie={"bruto_maandloon_nu": "1.850,00", "uren_per_week_nu": "20"})
    assert case is not None, issues
    assert str(case.belastbare_uren[0].uren_per_week) == "12.5" and case.belastbare_uren[0].door == "bedrijfsarts"


def test_new_fields_as_csv_columns(tmp_path: Path) -> None:
    csv = tmp_path / "export.csv"
    csv.write_text(
        "dossiernummer;werkgever.naam;werknemer.naam;Eerste ziektedag;Vangnet;Datum uit dienst;"
        "eindevaluatie.bruto_maandloon_nu;eindevaluatie.uren_per_week_nu;spoor1_niet_haalbaar.datum;"
        "spoor1_niet_haalbaar.door;belastbare_uren[1].datum;belastbare_uren[1].uren_per_week;belastbare_uren[1].door;"
        "gewerkte_uren[1].van;gewerkte_uren[1].eigen_werk\n"
        "C-1;W;N;05-01-2026;No-risk;30-06-2026;1.850,00;20;02-06-2026;bedrijfsarts;01-02-2026;12,5;bedrijfsarts;"
        "01-03-2026;8\n", encoding="utf-8")
    (record,) = read_records(csv)
    case, issues = build_case(record, today=TODAY)
    assert case is not None and not [i for i in issues if str(i.severity) == "fout"], issues
    assert not [i for i in issues if "onbekend" in i.message], issues
    assert case.ziekteperiodes[0].vangnet == "no_risk"
    assert case.werknemer.datum_uit_dienst == date(2026, 6, 30)
    assert str(case.eindevaluatie.bruto_maandloon_nu) == "1850.00"
    assert case.spoor1_niet_haalbaar.door == "bedrijfsarts"
    assert case.belastbare_uren[0].datum == date(2026, 2, 1) and case.gewerkte_uren[0].van == date(2026, 3, 1)


def test_trajectplan_datum_is_the_documents_own_date() -> None:
    case, issues = _build(tweede_spoor={"start": "2026-03-02", "trajectplan_datum": "2026-02-20"})
    assert case is not None
    (warning,) = [i for i in issues if i.field == "tweede_spoor.trajectplan_datum"]
    assert "vóór de start" in warning.message
    case, issues = _build(tweede_spoor={"start": "2026-03-02", "trajectplan_datum": "2026-03-06"})
    assert not [i for i in issues if i.field.startswith("tweede_spoor")]
    assert case is not None
    from dossier import api
    from dossier.findings import planned_documents

    settings = api.default_settings()
    tl = api.case_timeline(case, settings=settings, today=date(2026, 6, 1))
    (job,) = [j for j in planned_documents(case, tl, settings=settings) if j.soort == "trajectplan_tweede_spoor"]
    assert job.datum == date(2026, 3, 6)

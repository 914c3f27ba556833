"""The poortwachter timeline against Part A of poortwachter.md, with worked dates."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from dossier.timeline import SickCalendar, Status, compute_timeline, split_cases, status_of

TODAY = date(2026, 11, 22)


def _due(tl, code: str) -> date:
    m = tl.get(code)
    assert m is not None, code
    return m.uiterlijk


def test_worked_example_from_the_reference(make_case) -> None:
    """poortwachter.md §1.3: first sickness day Monday 5 January 2026."""
    tl = compute_timeline(make_case(), today=TODAY)
    assert _due(tl, "probleemanalyse") == date(2026, 2, 15)
    assert _due(tl, "plan_van_aanpak") == date(2026, 3, 1)
    assert _due(tl, "ziekmelding_uwv") == date(2026, 10, 26)
    eje = tl.get("eerstejaarsevaluatie")
    assert (eje.vanaf, eje.uiterlijk) == (date(2026, 11, 16), date(2027, 1, 3))
    # issue 13: 6 weeks after the EJE's own deadline when no EJE is held (was: the deadline itself)
    assert _due(tl, "tweede_spoor") == date(2027, 2, 14)
    assert _due(tl, "wia_brief") == date(2027, 9, 13)
    assert _due(tl, "eindevaluatie") == date(2027, 10, 3)
    assert _due(tl, "wia_aanvraag") == date(2027, 10, 17)
    assert _due(tl, "einde_wachttijd") == date(2028, 1, 2)
    assert tl.einde_wachttijd == date(2028, 1, 2)
    assert tl.ingangsdatum_wia == date(2028, 1, 3)
    assert tl.huidige_ziekteweek == 46
    assert [m.ziekteweek for m in tl.mijlpalen if m.code == "probleemanalyse"] == [6]


def test_full_52_week_loonsanctie_moves_the_end_but_not_the_application(make_case) -> None:
    tl = compute_timeline(make_case(loonsanctie={"weken": 52}), today=TODAY)
    assert tl.einde_wachttijd == date(2028, 12, 31)  # the reference's +1091
    assert _due(tl, "wia_aanvraag") == date(2027, 10, 17)


def test_vrijwillige_verlenging_moves_the_application_with_it(make_case) -> None:
    tl = compute_timeline(make_case(vrijwillige_verlenging={"weken": 13}), today=TODAY)
    assert tl.einde_wachttijd == date(2028, 1, 2) + timedelta(weeks=13)
    # 11 weeks before the new end
    assert _due(tl, "wia_aanvraag") == tl.einde_wachttijd - timedelta(days=77)


def test_configurable_wia_week(make_case) -> None:
    tl = compute_timeline(make_case(), today=TODAY, wia_aanvraag_week=91)
    assert _due(tl, "wia_aanvraag") == date(2027, 10, 3)


def test_plan_van_aanpak_is_two_weeks_after_a_known_probleemanalyse(make_case) -> None:
    late_pa = make_case(probleemanalyse={"datum": "2026-03-02"})
    tl = compute_timeline(late_pa, today=TODAY)
    assert _due(tl, "plan_van_aanpak") == date(2026, 3, 16)
    assert tl.get("probleemanalyse").status is Status.te_laat


def test_samentelling_skips_the_gap_days() -> None:
    """rviregister's example: sick 3 Jan – 3 Jul 2022, fit 4–24 Jul (21 days), sick again 25 Jul."""
    from dossier.model import Ziekteperiode

    periods = [Ziekteperiode(eerste_ziektedag=date(2022, 1, 3), hersteldatum=date(2022, 7, 4)),
               Ziekteperiode(eerste_ziektedag=date(2022, 7, 25))]
    (cal,) = split_cases(periods)
    assert cal.eerste_ziektedag == date(2022, 1, 3)
    # the end of the 104 weeks moves by 21 days: +727 = 31 Dec 2023 → 21 Jan 2024; WIA from 22 Jan 2024
    assert cal.date_of(727) == date(2024, 1, 21)
    assert cal.date_of(727) + timedelta(days=1) == date(2024, 1, 22)
    # sick days before the gap are unaffected
    assert cal.date_of(41) == date(2022, 2, 13)
    # the last sick day before recovery and the first after it are consecutive sick days
    assert cal.date_of(181) == date(2022, 7, 3)
    assert cal.date_of(182) == date(2022, 7, 25)
    assert cal.sick_day_of(date(2022, 7, 10)) is None  # a gap day is not a sick day
    assert cal.sick_day_of(date(2022, 7, 25)) == 182


@pytest.mark.parametrize(("gap", "cases"), [(27, 1), (28, 2), (0, 1)])
def test_gap_of_28_days_starts_a_new_case(make_case, gap: int, cases: int) -> None:
    herstel = date(2026, 2, 2)
    again = herstel + timedelta(days=gap)
    case = make_case(ziekteperiodes=[{"eerste_ziektedag": "2026-01-05", "hersteldatum": herstel.isoformat()},
                                     {"eerste_ziektedag": again.isoformat()}])
    assert len(split_cases(list(case.ziekteperiodes))) == cases
    tl = compute_timeline(case, today=TODAY)
    if cases == 2:
        assert tl.eerste_ziektedag == again
        assert _due(tl, "probleemanalyse") == again + timedelta(days=41)
        assert len(tl.eerdere_casussen) == 1
    else:
        assert tl.eerste_ziektedag == date(2026, 1, 5)
        assert _due(tl, "einde_wachttijd") == date(2028, 1, 2) + timedelta(days=gap)


def test_pregnancy_leave_in_the_gap_is_neutral(make_case) -> None:
    # Sick until 1 March, 16 weeks of leave 2 March – 21 June, 10 fit days, sick again 2 July.
    case = make_case(ziekteperiodes=[
        {"eerste_ziektedag": "2026-01-05", "hersteldatum": "2026-03-02"},
        {"eerste_ziektedag": "2026-07-02",
         "zwangerschapsverlof": {"begin": "2026-03-02", "einde": "2026-06-21"}},
    ])
    (cal,) = split_cases(list(case.ziekteperiodes))  # 122-day gap, 112 of them leave → added together
    sick_before = (date(2026, 3, 2) - date(2026, 1, 5)).days
    assert cal.date_of(sick_before) == date(2026, 7, 2)
    # without the leave marker the same dates form two cases
    plain = make_case(ziekteperiodes=[{"eerste_ziektedag": "2026-01-05", "hersteldatum": "2026-03-02"},
                                      {"eerste_ziektedag": "2026-07-02"}])
    assert len(split_cases(list(plain.ziekteperiodes))) == 2


@pytest.mark.parametrize(("first", "expected_weekday_shift"),
                         [(date(2026, 1, 3), 2), (date(2026, 1, 4), 1), (date(2026, 1, 5), 0),
                          (date(2026, 1, 9), 0)])
def test_uwv_report_on_a_weekend_moves_to_monday(make_case, first: date, expected_weekday_shift: int) -> None:
    case = make_case(ziekteperiodes=[{"eerste_ziektedag": first.isoformat()}])
    due = _due(compute_timeline(case, today=TODAY), "ziekmelding_uwv")
    assert due == first + timedelta(days=294 + expected_weekday_shift)
    assert due.weekday() < 5
    # only the UWV report moves: the probleemanalyse deadline may fall on a Sunday
    assert _due(compute_timeline(case, today=TODAY), "probleemanalyse") == first + timedelta(days=41)


def test_leap_years(make_case) -> None:
    tl = compute_timeline(make_case(ziekteperiodes=[{"eerste_ziektedag": "2023-03-01"}]), today=TODAY)
    assert tl.get("eerstejaarsevaluatie").uiterlijk == date(2024, 2, 27)  # crosses 29 February 2024
    assert tl.einde_wachttijd == date(2025, 2, 25)
    tl = compute_timeline(make_case(ziekteperiodes=[{"eerste_ziektedag": "2024-02-29"}]), today=TODAY)
    assert _due(tl, "probleemanalyse") == date(2024, 4, 10)
    assert tl.einde_wachttijd == date(2026, 2, 25)


@pytest.mark.parametrize(
    ("done", "today", "status"),
    [(date(2026, 2, 15), date(2026, 3, 1), Status.gedaan), (date(2026, 2, 16), date(2026, 3, 1), Status.te_laat),
     (None, date(2026, 2, 15), Status.open), (None, date(2026, 2, 16), Status.verlopen),
     (date(2026, 1, 20), date(2025, 1, 1), Status.gedaan)],
)
def test_status_rules(done: date | None, today: date, status: Status) -> None:
    assert status_of(date(2026, 2, 15), done, today) is status


def test_statuses_are_computed_against_the_given_today(make_case) -> None:
    case = make_case(probleemanalyse={"datum": "2026-02-10"})
    assert compute_timeline(case, today=date(2026, 2, 20)).get("plan_van_aanpak").status is Status.open
    assert compute_timeline(case, today=date(2026, 2, 25)).get("plan_van_aanpak").status is Status.verlopen


def test_evaluations_every_42_days_after_the_plan(make_case) -> None:
    case = make_case(plan_van_aanpak={"datum": "2026-02-20"},
                     evaluaties=[{"datum": "2026-04-01"}, {"datum": "2026-05-20"}])
    evals = [m for m in compute_timeline(case, today=date(2026, 7, 10)).mijlpalen if m.code == "evaluatie"]
    assert [(m.volgnummer, m.uiterlijk, m.status) for m in evals] == [
        (1, date(2026, 4, 3), Status.gedaan),
        (2, date(2026, 5, 13), Status.te_laat),
        (3, date(2026, 7, 1), Status.verlopen),
    ]


def test_no_evaluations_before_there_is_a_plan(make_case) -> None:
    assert not [m for m in compute_timeline(make_case(), today=TODAY).mijlpalen if m.code == "evaluatie"]


def test_tweede_spoor_follows_the_eerstejaarsevaluatie(make_case) -> None:
    with_eje = make_case(eerstejaarsevaluatie={"datum": "2026-12-01", "spoor2_nodig": "ja"})
    assert _due(compute_timeline(with_eje, today=TODAY), "tweede_spoor") == date(2027, 1, 12)
    not_needed = make_case(eerstejaarsevaluatie={"datum": "2026-12-01", "spoor2_nodig": "nee"})
    assert compute_timeline(not_needed, today=TODAY).get("tweede_spoor") is None


def test_a_recovered_case_drops_milestones_that_never_came_due(make_case) -> None:
    case = make_case(ziekteperiodes=[{"eerste_ziektedag": "2026-01-05", "hersteldatum": "2026-03-01"}])
    tl = compute_timeline(case, today=TODAY)
    assert tl.hersteld_op == date(2026, 3, 1)
    assert [m.code for m in tl.mijlpalen] == ["probleemanalyse"]


def test_calendar_round_trip() -> None:
    cal = SickCalendar(((date(2025, 1, 1), date(2025, 1, 11)), (date(2025, 1, 20), None)))
    for n in range(0, 800, 7):
        assert cal.sick_day_of(cal.date_of(n)) == n

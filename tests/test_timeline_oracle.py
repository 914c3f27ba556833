"""An outside oracle for the timeline: the date rules restated from Part A of poortwachter.md as
corrected (docs/regels.md), written without looking at dossier/timeline.py, and compared with
``compute_timeline`` on random cases (hypothesis) and on worked cases for every rule.

The oracle keeps its own calendar of sick days (a plain list of dates), its own Easter (the
Meeus/Jones/Butcher algorithm, not python-dateutil) and its own holiday list, so an error in the
code's calendar or holidays cannot hide in both.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st

from dossier.model import Case
from dossier.timeline import compute_timeline

ORACLE = settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])

DAY = timedelta(days=1)
GAP_LIMIT = 28  # a gap of 28 days or more starts a new case (leave days not counted)
VANGNET_DAYS = {"zwangerschap": 41, "orgaandonatie": 41, "no_risk": 41, "zwangerschap_na_verlof": 3}
NIVEAU = {
    "probleemanalyse": "loonsanctie-risico", "plan_van_aanpak": "loonsanctie-risico",
    "eerstejaarsevaluatie": "loonsanctie-risico", "tweede_spoor": "loonsanctie-risico",
    "eindevaluatie": "loonsanctie-risico",
    "ziekmelding_uwv": "boete", "ziekmelding_vangnet": "boete", "ziekmelding_uit_dienst": "boete",
    "evaluatie": "aandachtspunt", "wia_brief": "aandachtspunt", "wia_aanvraag": "aandachtspunt",
    "einde_wachttijd": "aandachtspunt",
}
INFORMATIEF = {"wia_brief", "einde_wachttijd"}


# --- holidays ------------------------------------------------------------------------------


def easter(year: int) -> date:
    """Gregorian Easter Sunday (Meeus/Jones/Butcher)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    l_ = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * l_) // 451
    month, day = divmod(h + l_ - 7 * m + 114, 31)
    return date(year, month, day + 1)


def holidays(year: int) -> set[date]:
    """Algemene termijnenwet art. 3 lid 1, and Goede Vrijdag by lid 2."""
    e = easter(year)
    if year >= 2014:
        king = date(year, 4, 27) if date(year, 4, 27).weekday() != 6 else date(year, 4, 26)
    else:
        king = date(year, 4, 30) if date(year, 4, 30).weekday() != 6 else date(year, 4, 29)
    return {date(year, 1, 1), e - 2 * DAY, e + DAY, king, date(year, 5, 5), e + 39 * DAY, e + 50 * DAY,
            date(year, 12, 25), date(year, 12, 26)}


def is_working_day(d: date) -> bool:
    return d.weekday() < 5 and d not in holidays(d.year)


def next_working_day(d: date) -> date:
    while not is_working_day(d):
        d += DAY
    return d


def last_working_day(d: date) -> date:
    while not is_working_day(d):
        d -= DAY
    return d


# --- the oracle ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Expected:
    code: str
    volgnummer: int | None
    uiterlijk: date
    vanaf: date | None
    gedaan_op: date | None
    te_vroeg_op: date | None = None


def _leave_days(p: Any) -> set[date]:
    v = p.zwangerschapsverlof
    if v is None:
        return set()
    return {v.begin + n * DAY for n in range((v.einde - v.begin).days + 1)}


def current_periods(case: Case) -> list[Any]:
    """The periods of the current case: after the last gap of 28 or more days (leave not counted)."""
    ps = list(case.ziekteperiodes)
    start = 0
    for i in range(1, len(ps)):
        prev, nxt = ps[i - 1], ps[i]
        gap = {prev.hersteldatum + n * DAY for n in range((nxt.eerste_ziektedag - prev.hersteldatum).days)}
        if len(gap - _leave_days(nxt)) >= GAP_LIMIT:
            start = i
    return ps[start:]


class Oracle:
    """Part A (corrected) for one case, from its own list of sick dates."""

    HORIZON = 1600  # sick days listed for an ongoing case (727 + 52 weeks + 52 weeks + margin)

    def __init__(self, case: Case, today: date, wia_week: int = 93) -> None:
        self.case, self.today, self.wia_week = case, today, wia_week
        self.periods = current_periods(case)
        self.start = self.periods[0].eerste_ziektedag
        days: list[date] = []
        for p in self.periods:
            stop = p.hersteldatum or p.eerste_ziektedag + self.HORIZON * DAY
            days.extend(p.eerste_ziektedag + n * DAY for n in range((stop - p.eerste_ziektedag).days))
        self.sick = days[: self.HORIZON]
        self.recovered = self.periods[-1].hersteldatum is not None
        d = case.werknemer.datum_uit_dienst
        self.uit_dienst = d if d is not None and d >= self.start else None
        ends = [self.sick[-1]] if self.recovered else []
        if self.uit_dienst is not None:
            ends.append(self.uit_dienst)
        self.end = min(ends) if ends else None  # last day of the employer's track

    def day(self, n: int) -> date:
        """Calendar date of sick day n (0-based); past the list (ongoing case) count on."""
        if n < len(self.sick):
            return self.sick[n]
        return self.sick[-1] + (n - len(self.sick) + 1) * DAY

    def before(self, d: date) -> int:
        """Number of sick days before d."""
        return sum(1 for s in self.sick if s < d)

    def plus(self, d: date, n: int) -> date:
        """n sick days after date d (gap days skipped)."""
        return self.day(self.before(d) + n)

    def due(self, d: date) -> bool:
        return self.end is None or d <= self.end

    def done(self, step: Any, attr: str = "datum") -> date | None:
        when = getattr(step, attr, None) if step is not None else None
        return when if when is not None and when >= self.start else None

    def milestones(self) -> list[Expected]:
        c = self.case
        out: list[Expected] = []

        def add(code: str, due: date, done: date | None, *, raw: date | None = None, vanaf: date | None = None,
                nr: int | None = None, early: date | None = None) -> None:
            if self.due(raw or due):
                out.append(Expected(code, nr, due, vanaf, done, early))

        add("probleemanalyse", self.day(41), self.done(c.probleemanalyse))
        pa = self.done(c.probleemanalyse)
        pva = self.done(c.plan_van_aanpak)
        add("plan_van_aanpak", self.plus(pa, 14) if pa else self.day(55), pva)
        if pva is not None:
            # the eerstejaarsevaluatie and the eindevaluatie are evaluations of the plan as well
            held = [e.datum for e in c.evaluaties] + [self.done(c.eerstejaarsevaluatie), self.done(c.eindevaluatie)]
            evals = sorted({d for d in held if d is not None and d >= pva})
            last = pva
            for n, when in enumerate(evals, 1):
                add("evaluatie", self.plus(last, 42), when, nr=n)
                last = when
            if self.plus(last, 42) <= self.einde():
                add("evaluatie", self.plus(last, 42), None, nr=len(evals) + 1)
        vangnet = [(i, p) for i, p in enumerate(self.periods, 1) if p.vangnet]
        if not vangnet:
            add("ziekmelding_uwv", next_working_day(self.day(294)), self.done(c.ziekmelding_uwv), raw=self.day(294))
        for i, p in vangnet:
            raw = p.eerste_ziektedag + VANGNET_DAYS[p.vangnet] * DAY
            if self.uit_dienst is None or raw <= self.uit_dienst:
                out.append(Expected("ziekmelding_vangnet", i, next_working_day(raw), None, p.vangnet_gemeld))
        window, deadline = self.day(315), self.day(363)
        eje = self.done(c.eerstejaarsevaluatie)
        counted = eje if eje is not None and eje >= window else None
        add("eerstejaarsevaluatie", deadline, counted, vanaf=window,
            early=eje if eje is not None and counted is None else None)
        started = self.done(c.tweede_spoor, "start")
        if started or not (c.eerstejaarsevaluatie and c.eerstejaarsevaluatie.spoor2_nodig is False):
            base = min(counted, deadline) if counted else deadline
            add("tweede_spoor", self.plus(base, 42), started)
        v = 7 * c.vrijwillige_verlenging.weken if c.vrijwillige_verlenging else 0
        add("wia_brief", self.day(616 + v), None)
        ev_raw = self.day(636 + v)
        if self.due(ev_raw):
            out.append(Expected("eindevaluatie", None, ev_raw, None, self.done(c.eindevaluatie)))
        elif self.sick_at_exit() and self.before(self.uit_dienst) + 1 >= 70:
            out.append(Expected("eindevaluatie", None, self.uit_dienst, None, self.done(c.eindevaluatie)))
        add("wia_aanvraag", self.day(7 * self.wia_week - 1 + v), self.done(c.wia_aanvraag))
        add("einde_wachttijd", self.einde(), None)
        if self.sick_at_exit():
            out.append(Expected("ziekmelding_uit_dienst", None, last_working_day(self.uit_dienst), None,
                                self.done(c.ziekmelding_uit_dienst)))
        return out

    def sick_at_exit(self) -> bool:
        return self.uit_dienst is not None and self.uit_dienst in set(self.sick)

    def einde(self) -> date:
        """Sick day 727, extended by a loonsanctie and a vrijwillige verlenging (weeks of sickness)."""
        c = self.case
        weeks = sum(x.weken for x in (c.vrijwillige_verlenging, c.loonsanctie) if x)
        return self.day(727 + 7 * weeks)

    def einde_wachttijd(self) -> date | None:
        einde = self.einde()
        return einde if self.end is None or self.end >= einde else None

    def status(self, m: Expected) -> str:
        if m.code in INFORMATIEF:
            return "gedaan" if self.today >= m.uiterlijk else "open"
        if m.gedaan_op is not None:
            return "gedaan" if m.gedaan_op <= m.uiterlijk else "te laat"
        # regels.md: an evaluation due after the RIV went to UWV (the WIA application or the
        # eindevaluatie, whichever was first) is still to be held, but never "verlopen"
        handed_in = [d for d in (self.done(self.case.wia_aanvraag), self.done(self.case.eindevaluatie)) if d]
        if m.code == "evaluatie" and handed_in and m.uiterlijk > min(handed_in):
            return "open"
        return "verlopen" if self.today > m.uiterlijk else "open"


def compare(case: Case, today: date, wia_week: int = 93) -> None:
    """compute_timeline agrees with the oracle on every milestone, date, status and level."""
    oracle = Oracle(case, today, wia_week)
    tl = compute_timeline(case, today=today, wia_aanvraag_week=wia_week)
    assert tl.eerste_ziektedag == oracle.start
    einde = oracle.einde_wachttijd()
    assert tl.einde_wachttijd == einde
    assert tl.ingangsdatum_wia == (einde + DAY if einde else None)
    want = {(m.code, m.volgnummer): m for m in oracle.milestones()}
    got = {(m.code, m.volgnummer): m for m in tl.mijlpalen}
    assert sorted(got, key=str) == sorted(want, key=str)
    for key, w in want.items():
        g = got[key]
        assert (g.uiterlijk, g.vanaf, g.gedaan_op) == (w.uiterlijk, w.vanaf, w.gedaan_op), key
        assert str(g.status) == oracle.status(w), key
        assert str(g.niveau) == NIVEAU[w.code], key
        assert g.te_vroeg_op == w.te_vroeg_op, key


# --- random cases --------------------------------------------------------------------------


def _holiday_aimed_first_days() -> st.SearchStrategy[date]:
    """First sick days whose sick day 294 lands on or just before a holiday or a weekend."""
    targets = sorted(h for y in range(2020, 2034) for h in holidays(y))
    return st.tuples(st.sampled_from(targets), st.integers(-3, 1)).map(lambda t: t[0] - (294 - t[1]) * DAY)


FIRST_DAYS = st.one_of(st.dates(date(2000, 1, 1), date(2035, 12, 31)), _holiday_aimed_first_days())


def _periods(draw: st.DrawFn, start: date) -> list[dict[str, Any]]:
    """1–3 periods: gaps of 0 to 60 days (27/28 the samentelling boundary), leave in some gaps,
    vangnet categories, ongoing or recovered at the end."""
    periods: list[dict[str, Any]] = []
    cursor, leave = start, None
    for i in range(3):
        p: dict[str, Any] = {"eerste_ziektedag": cursor}
        if leave is not None:
            p["zwangerschapsverlof"] = leave
        if draw(st.integers(0, 3)) == 0:
            p["vangnet"] = draw(st.sampled_from(sorted(VANGNET_DAYS)))
            if draw(st.booleans()):
                p["vangnet_gemeld"] = cursor + draw(st.integers(0, 50)) * DAY
        periods.append(p)
        if i == 2 or draw(st.booleans()):  # the last period: ongoing or recovered
            if draw(st.integers(0, 2)) == 0:
                p["hersteldatum"] = cursor + draw(st.integers(1, 800)) * DAY
            break
        p["hersteldatum"] = cursor + draw(st.one_of(st.integers(1, 120), st.integers(300, 700))) * DAY
        gap = draw(st.sampled_from([0, 5, 27, 28, 40, 60]))
        cursor, leave = p["hersteldatum"] + gap * DAY, None
        if gap >= 28 and draw(st.booleans()):  # pregnancy leave in the gap is neutral
            begin = p["hersteldatum"] + draw(st.integers(0, 10)) * DAY
            leave = {"begin": begin, "einde": begin + draw(st.integers(15, 40)) * DAY}
            cursor = max(cursor, leave["einde"] + DAY)
    return periods


def _steps(draw: st.DrawFn, start: date) -> dict[str, Any]:
    """Dated steps from shortly before the first sick day to well into the second year."""
    data: dict[str, Any] = {}
    when = st.integers(-30, 950).map(lambda n: start + n * DAY)
    for key in ("probleemanalyse", "plan_van_aanpak", "ziekmelding_uwv", "eindevaluatie", "wia_aanvraag",
                "ziekmelding_uit_dienst"):
        if draw(st.booleans()):
            data[key] = {"datum": draw(when)}
    if draw(st.booleans()):  # EJE before, in and after its window
        offset = draw(st.one_of(st.integers(250, 420), st.sampled_from([314, 315, 363, 364])))
        eje: dict[str, Any] = {"datum": start + offset * DAY}
        if draw(st.booleans()):
            eje["spoor2_nodig"] = draw(st.booleans())
        data["eerstejaarsevaluatie"] = eje
    if draw(st.booleans()):
        data["evaluaties"] = [{"datum": d} for d in draw(st.lists(when, max_size=5))]
    if draw(st.booleans()):
        data["tweede_spoor"] = {"start": draw(when)}
    if draw(st.integers(0, 3)) == 0:
        data["loonsanctie"] = {"weken": draw(st.integers(1, 52))}
    if draw(st.integers(0, 3)) == 0:
        data["vrijwillige_verlenging"] = {"weken": draw(st.integers(13, 52))}
    return data


@st.composite
def cases(draw: st.DrawFn) -> tuple[Case, date, int]:
    """A random case, a reference date and the WIA week."""
    start = draw(FIRST_DAYS)
    werknemer: dict[str, Any] = {"naam": "N"}
    if draw(st.integers(0, 3)) == 0:
        werknemer["datum_uit_dienst"] = start + draw(st.integers(-10, 800)) * DAY
    data = {"dossiernummer": "O-1", "werkgever": {"naam": "W"}, "werknemer": werknemer,
            "ziekteperiodes": _periods(draw, start), **_steps(draw, start)}
    today = start + draw(st.integers(-10, 1200)) * DAY
    wia_week = draw(st.sampled_from([93, 93, 91]))
    return Case.model_validate(data), today, wia_week


@ORACLE
@given(c=cases())
@example(c=(Case.model_validate({"dossiernummer": "O-2", "werkgever": {"naam": "W"}, "werknemer": {"naam": "N"},
                                 "ziekteperiodes": [{"eerste_ziektedag": "2025-03-06"}]}), date(2026, 1, 1), 93))
def test_compute_timeline_agrees_with_the_oracle(c: tuple[Case, date, int]) -> None:
    compare(*c)
    # what the random cases exercised (shown with --hypothesis-show-statistics)
    o = Oracle(*c)
    ms = o.milestones()
    event(f"track ended: {o.end is not None}")
    event(f"sick on the last day of employment: {o.sick_at_exit()}")
    event(f"EJE held too early: {any(m.te_vroeg_op for m in ms)}")
    report = [m for m in ms if m.code == "ziekmelding_uwv"]
    event(f"42nd-week report moved off a holiday: {bool(report and o.day(294) in holidays(o.day(294).year))}")
    event(f"vangnet report: {any(m.code == 'ziekmelding_vangnet' for m in ms)}")


def test_the_oracle_easter_matches_known_dates() -> None:
    # the oracle's own check: Easter Sundays 2024–2030 as published
    assert [easter(y) for y in range(2024, 2031)] == [
        date(2024, 3, 31), date(2025, 4, 20), date(2026, 4, 5), date(2027, 3, 28), date(2028, 4, 16),
        date(2029, 4, 1), date(2030, 4, 21)]


def test_oracle_agrees_on_a_case_with_every_kind_of_step() -> None:
    case = Case.model_validate({
        "dossiernummer": "O-3", "werkgever": {"naam": "W"}, "werknemer": {"naam": "N"},
        "ziekteperiodes": [{"eerste_ziektedag": "2025-01-06", "hersteldatum": "2025-02-10"},
                           {"eerste_ziektedag": "2025-02-24"}],
        "probleemanalyse": {"datum": "2025-02-14"}, "plan_van_aanpak": {"datum": "2025-03-20"},
        "evaluaties": [{"datum": "2025-05-01"}, {"datum": "2025-06-30", "soort": "bijstelling"}],
        "eerstejaarsevaluatie": {"datum": "2025-12-10", "spoor2_nodig": "ja"},
        "tweede_spoor": {"start": "2026-01-05"},
    })
    compare(case, date(2026, 3, 1))

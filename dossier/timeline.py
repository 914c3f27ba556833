"""The poortwachter timeline, exactly as Part A of ``shared/reference/poortwachter.md`` decides.

Counting: day 0 is the eerste ziektedag; sickness week n runs from sick day 7(n−1) to 7n−1.
Periods with a gap of less than 28 days (or separated by pregnancy/maternity leave) are added
together (samentelling): only sick days count, so "sick day N" is the calendar date on which the
running count of sick days reaches N, with gap days skipped. A gap of 28 days or more starts a
new case. Everything here is pure: ``today`` is a parameter, never the clock.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date, timedelta

from dossier.model import Case, Ziekteperiode

#: A gap of this many days or more between two periods starts a new case.
SAMENTELLING_GAP_DAYS = 28
#: Sick day of the last day of wage payment (end of week 104).
EINDE_WACHTTIJD_DAY = 727
EVALUATIE_INTERVAL_DAYS = 42


class Status(enum.StrEnum):
    """Status of a milestone on a reference date.

    gedaan: done on or before its due date.
    te_laat: done after its due date.
    verlopen: not done and the due date has passed.
    open: not done, not yet due.
    """

    gedaan = "gedaan"
    te_laat = "te laat"
    verlopen = "verlopen"
    open = "open"


class Gevolg(enum.StrEnum):
    """What a late or missing step risks."""

    loonsanctie = "loonsanctie"
    boete = "boete"
    geen = ""


@dataclass(frozen=True)
class Rule:
    """One row of the milestone table: a code, its Dutch label, where it comes from."""

    code: str
    label: str
    gevolg: Gevolg
    bron: str
    informatief: bool = False


RULES: dict[str, Rule] = {r.code: r for r in (
    Rule("probleemanalyse", "Probleemanalyse bedrijfsarts", Gevolg.loonsanctie,
         "Regeling procesgang art. 2 lid 2: binnen 6 weken (ziektedag 41)"),
    Rule("plan_van_aanpak", "Plan van aanpak", Gevolg.loonsanctie,
         "Regeling procesgang art. 4: 2 weken na de probleemanalyse, uiterlijk week 8"),
    Rule("evaluatie", "Evaluatie plan van aanpak", Gevolg.loonsanctie,
         "BW 7:658a lid 3; UWV: minstens eens per 6 weken"),
    Rule("ziekmelding_uwv", "Ziekmelding bij UWV (42e-weeksmelding)", Gevolg.boete,
         "Eerste dag na week 42 (ziektedag 294); te laat = boete, geen loonsanctie"),
    Rule("eerstejaarsevaluatie", "Eerstejaarsevaluatie", Gevolg.loonsanctie,
         "Regeling procesgang art. 4 lid 2b: week 46 t/m 52"),
    Rule("tweede_spoor", "Start tweede spoor (als spoor 1 niet volstaat)", Gevolg.loonsanctie,
         "Werkwijzer Poortwachter: uiterlijk 6 weken na de eerstejaarsevaluatie, anders ziektedag 363"),
    Rule("wia_brief", "Brief van UWV over de WIA-aanvraag", Gevolg.geen,
         "UWV: na week 88 (ziektedag 616)", informatief=True),
    Rule("eindevaluatie", "Eindevaluatie en kopie re-integratieverslag aan werknemer",
         Gevolg.loonsanctie, "UWV: uiterlijk in week 91 (ziektedag 636)"),
    Rule("wia_aanvraag", "WIA-aanvraag met re-integratieverslag", Gevolg.loonsanctie,
         "Art. 64 lid 3 WIA: uiterlijk 11 weken voor het einde van de wachttijd (week 93)"),
    Rule("einde_wachttijd", "Einde wachttijd (laatste dag loondoorbetaling)", Gevolg.geen,
         "BW 7:629: 104 weken; verschuift met loonsanctie of vrijwillige verlenging",
         informatief=True),
)}


@dataclass(frozen=True)
class SickCalendar:
    """The sick days of one (possibly added-together) case.

    Attributes:
        segments: (first sick day, first fit day or None) per period, oldest first.
    """

    segments: tuple[tuple[date, date | None], ...]

    @property
    def eerste_ziektedag(self) -> date:
        return self.segments[0][0]

    @property
    def hersteld_op(self) -> date | None:
        """First fully fit day when the case has ended, else None."""
        return self.segments[-1][1]

    @property
    def total_sick_days(self) -> int | None:
        """Number of sick days in a closed case; None while the sickness goes on."""
        if self.hersteld_op is None:
            return None
        return sum((end - start).days for start, end in self.segments if end is not None)

    def date_of(self, sick_day: int) -> date:
        """Calendar date of sick day N (day 0 = eerste ziektedag), gap days skipped.

        Beyond the end of a closed case the last period is extended, as if the sickness had
        gone on; callers decide whether such dates still matter.
        """
        remaining = sick_day
        for start, end in self.segments:
            length = None if end is None else (end - start).days
            if length is None or remaining < length:
                return start + timedelta(days=remaining)
            remaining -= length
        last_end = self.segments[-1][1]
        assert last_end is not None
        return last_end + timedelta(days=remaining)

    def sick_day_of(self, when: date) -> int | None:
        """Sick-day number of a calendar date, or None when that date is not a sick day."""
        counted = 0
        for start, end in self.segments:
            if when < start:
                return None
            if end is None or when < end:
                return counted + (when - start).days
            counted += (end - start).days
        return None

    def ziekteweek(self, when: date) -> int | None:
        """Sickness week (1-based) a date falls in; None before the sickness or in a gap."""
        day = self.sick_day_of(when)
        return None if day is None else day // 7 + 1


def _neutral_days(prev_end: date, start: date, leave: Ziekteperiode | None) -> int:
    """Days of pregnancy/maternity leave inside the gap [prev_end, start)."""
    if leave is None or leave.zwangerschapsverlof is None:
        return 0
    v = leave.zwangerschapsverlof
    lo = max(prev_end, v.begin)
    hi = min(start, v.einde + timedelta(days=1))
    return max(0, (hi - lo).days)


def split_cases(periods: list[Ziekteperiode]) -> list[SickCalendar]:
    """Group sickness periods into cases: a gap < 28 days (leave not counted) adds them together."""
    ordered = sorted(periods, key=lambda p: p.eerste_ziektedag)
    groups: list[list[tuple[date, date | None]]] = []
    prev_end: date | None = None
    for p in ordered:
        new_case = True
        if groups and prev_end is not None:
            gap = (p.eerste_ziektedag - prev_end).days - _neutral_days(prev_end, p.eerste_ziektedag, p)
            new_case = gap >= SAMENTELLING_GAP_DAYS
        if new_case:
            groups.append([])
        groups[-1].append((p.eerste_ziektedag, p.hersteldatum))
        prev_end = p.hersteldatum
    return [SickCalendar(tuple(g)) for g in groups]


@dataclass(frozen=True)
class Mijlpaal:
    """One milestone with its due date and status.

    Attributes:
        code: code from Part A (probleemanalyse, plan_van_aanpak, evaluatie, …).
        label: Dutch label.
        uiterlijk: due date (last day).
        vanaf: start of the window (eerstejaarsevaluatie only).
        gedaan_op: date it was done, if known.
        status: see :class:`Status`.
        volgnummer: occurrence number of a recurring milestone (evaluatie), else None.
        ziekteweek: sickness week of the due date.
        gevolg: what a late or missing step risks.
        bron: legal source of the rule.
        informatief: an event, not a task of the employer.
    """

    code: str
    label: str
    uiterlijk: date
    status: Status
    vanaf: date | None = None
    gedaan_op: date | None = None
    volgnummer: int | None = None
    ziekteweek: int | None = None
    gevolg: Gevolg = Gevolg.geen
    bron: str = ""
    informatief: bool = False


@dataclass(frozen=True)
class Tijdlijn:
    """The timeline of the current case (after samentelling) on a reference date."""

    eerste_ziektedag: date
    today: date
    calendar: SickCalendar
    mijlpalen: tuple[Mijlpaal, ...]
    einde_wachttijd: date
    ingangsdatum_wia: date
    hersteld_op: date | None = None
    huidige_ziekteweek: int | None = None
    eerdere_casussen: tuple[SickCalendar, ...] = field(default=())

    def get(self, code: str) -> Mijlpaal | None:
        """The first milestone with this code (the next open one for evaluatie)."""
        matches = [m for m in self.mijlpalen if m.code == code]
        pending = [m for m in matches if m.gedaan_op is None]
        return (pending or matches or [None])[0]


def status_of(due: date, done: date | None, today: date) -> Status:
    """Part A: gedaan / te laat when done, verlopen / open when not."""
    if done is not None:
        return Status.gedaan if done <= due else Status.te_laat
    return Status.verlopen if today > due else Status.open


def _weekend_to_monday(day: date) -> date:
    return day + timedelta(days=(7 - day.weekday()) % 7) if day.weekday() >= 5 else day


def compute_timeline(case: Case, *, today: date, wia_aanvraag_week: int = 93) -> Tijdlijn:
    """Compute the poortwachter milestones of the case's current sickness case.

    Args:
        case: a validated case.
        today: reference date for statuses.
        wia_aanvraag_week: the sickness week by whose end the WIA application is due (93; some
            firms plan on 91).
    """
    cases = split_cases(list(case.ziekteperiodes))
    cal = cases[-1]
    day = cal.date_of
    extra_weeks = sum(v.weken for v in (case.loonsanctie, case.vrijwillige_verlenging) if v)
    verlenging_weeks = case.vrijwillige_verlenging.weken if case.vrijwillige_verlenging else 0
    einde_day = EINDE_WACHTTIJD_DAY + 7 * extra_weeks
    einde = day(einde_day)
    # The application moves with a voluntary extension only (11 weeks before the new end).
    wia_day = 7 * wia_aanvraag_week - 1 + 7 * verlenging_weeks
    out: list[Mijlpaal] = []
    # The sick-day date of each milestone, before the weekend rule moves a deadline: whether a step
    # came due in a case that has ended depends on the sick days, not on the extra days to file.
    sick_day_due: list[date] = []

    def add(code: str, sick_day_or_date: int | date, done: date | None, *,
            vanaf: date | None = None, volgnummer: int | None = None, label: str | None = None,
            shift_weekend: bool = False) -> None:
        rule = RULES[code]
        due = day(sick_day_or_date) if isinstance(sick_day_or_date, int) else sick_day_or_date
        sick_day_due.append(due)
        if shift_weekend:
            due = _weekend_to_monday(due)
        # An informational event (UWV's letter, the end of the waiting time) has no "done" of its own.
        status = (Status.gedaan if today >= due else Status.open) if rule.informatief else status_of(due, done, today)
        out.append(Mijlpaal(code=code, label=label or rule.label, uiterlijk=due, status=status,
                            vanaf=vanaf, gedaan_op=done, volgnummer=volgnummer,
                            ziekteweek=cal.ziekteweek(due), gevolg=rule.gevolg, bron=rule.bron,
                            informatief=rule.informatief))

    def in_case(when: date | None) -> date | None:
        """A step dated before the current case started belongs to an earlier case (Part A: after a
        gap of 28 days or more all milestones restart), so it does not count as done here."""
        return when if when is not None and when >= cal.eerste_ziektedag else None

    pa = in_case(case.probleemanalyse.datum if case.probleemanalyse else None)
    pva = in_case(case.plan_van_aanpak.datum if case.plan_van_aanpak else None)
    add("probleemanalyse", 41, pa)
    add("plan_van_aanpak", pa + timedelta(days=14) if pa else 55, pva)

    # Evaluations: every 42 days after the plan van aanpak or the last evaluation/bijstelling.
    # The eerstejaarsevaluatie and eindevaluatie are evaluations of the plan too (the Regeling's
    # "in any case at the end of the first year"), so they reset the clock as well.
    if pva is not None:
        moments: dict[date, str] = {}
        for when, what in ((case.eindevaluatie.datum if case.eindevaluatie else None, "eindevaluatie"),
                           (case.eerstejaarsevaluatie.datum if case.eerstejaarsevaluatie else None,
                            "eerstejaarsevaluatie"),
                           *((e.datum, "") for e in case.evaluaties)):
            if when is not None and when >= pva:
                moments[when] = what if not moments.get(when) else moments[when]
        previous = pva
        base = RULES["evaluatie"].label
        for n, when in enumerate(sorted(moments), start=1):
            suffix = f", {moments[when]}" if moments[when] else ""
            add("evaluatie", previous + timedelta(days=EVALUATIE_INTERVAL_DAYS), when, volgnummer=n,
                label=f"{base} ({n}{suffix})")
            previous = when
        nxt = previous + timedelta(days=EVALUATIE_INTERVAL_DAYS)
        if nxt <= einde:
            n = len(moments) + 1
            add("evaluatie", nxt, None, volgnummer=n, label=f"{base} ({n})")

    melding = in_case(case.ziekmelding_uwv.datum if case.ziekmelding_uwv else None)
    add("ziekmelding_uwv", 294, melding, shift_weekend=True)

    eje = case.eerstejaarsevaluatie
    eje_date = in_case(eje.datum if eje else None)
    add("eerstejaarsevaluatie", 363, eje_date, vanaf=day(315))

    spoor2_needed = eje.spoor2_nodig if eje else None
    ts_start = in_case(case.tweede_spoor.start if case.tweede_spoor else None)
    if spoor2_needed is not False or ts_start is not None:
        due2 = eje_date + timedelta(days=42) if eje_date else 363
        add("tweede_spoor", due2, ts_start)

    add("wia_brief", 616, None)
    add("eindevaluatie", 636, in_case(case.eindevaluatie.datum if case.eindevaluatie else None))
    add("wia_aanvraag", wia_day, in_case(case.wia_aanvraag.datum if case.wia_aanvraag else None))
    add("einde_wachttijd", einde_day, None)

    # A case that has ended (employee fully fit) drops milestones that never came due.
    total = cal.total_sick_days
    if total is not None:
        last_sick = day(total - 1)
        out = [m for m, sick_day in zip(out, sick_day_due, strict=True)
               if m.gedaan_op is not None or sick_day <= last_sick or (m.vanaf is not None and m.vanaf <= last_sick)]

    return Tijdlijn(
        eerste_ziektedag=cal.eerste_ziektedag,
        today=today,
        calendar=cal,
        mijlpalen=tuple(sorted(out, key=lambda m: (m.uiterlijk, m.volgnummer or 0))),
        einde_wachttijd=einde,
        ingangsdatum_wia=einde + timedelta(days=1),
        hersteld_op=cal.hersteld_op,
        huidige_ziekteweek=cal.ziekteweek(today),
        eerdere_casussen=tuple(cases[:-1]),
    )

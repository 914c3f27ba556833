"""The poortwachter timeline: Part A of ``shared/reference/poortwachter.md`` as corrected by the
project (``docs/regels.md`` gives every rule with its source; where the two differ, docs/regels.md
is what this module does).

Counting: day 0 is the eerste ziektedag; sickness week n runs from sick day 7(n−1) to 7n−1.
Periods with a gap of less than 28 days (or separated by pregnancy/maternity leave) are added
together (samentelling): only sick days count, so "sick day N" — and "N sick days after a step" —
is the calendar date on which the running count of sick days reaches N, with gap days skipped. A gap
of 28 days or more starts a new case. Everything here is pure: ``today`` is a parameter, never the
clock.

Every day or week offset lives in the rules table below (:data:`RULES` and the constants next to
it), with its source; the code only combines them.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date, timedelta

from dossier.feestdagen import volgende_werkdag, vorige_werkdag
from dossier.model import Case, Ziekteperiode

# --- counting ------------------------------------------------------------------------------

DAGEN_PER_WEEK = 7


def end_of_week(week: int) -> int:
    """Sick day of the last day of sickness week ``week`` (week 1 = sick days 0–6)."""
    return DAGEN_PER_WEEK * week - 1


def first_day_after_week(week: int) -> int:
    """Sick day of the first day after sickness week ``week``."""
    return DAGEN_PER_WEEK * week


# --- the rules table -----------------------------------------------------------------------


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
    """What a late or missing step risks (the legal consequence)."""

    loonsanctie = "loonsanctie"
    boete = "boete"
    geen = ""


class Niveau(enum.StrEnum):
    """How much a late or missing step matters (issue 13; docs/regels.md).

    loonsanctie_risico: a step whose absence UWV sanctions with a wage sanction.
    boete: a late report to UWV, fined (Beleidsregel boete werkgevers ZW), no wage sanction.
    aandachtspunt: everything else.
    """

    loonsanctie_risico = "loonsanctie-risico"
    boete = "boete"
    aandachtspunt = "aandachtspunt"


class Verschuiving(enum.StrEnum):
    """How a deadline that falls on a Saturday, Sunday or Atw holiday moves (dossier.feestdagen)."""

    geen = ""
    volgende_werkdag = "volgende werkdag"  # "uiterlijk de eerste werkdag na …"
    vorige_werkdag = "vorige werkdag"  # "op de laatste werkdag"


@dataclass(frozen=True)
class Rule:
    """One row of the milestone table.

    Attributes:
        code: the milestone code (part of the JSON contract).
        label: Dutch label.
        niveau: see :class:`Niveau`.
        gevolg: see :class:`Gevolg`.
        bron: the source of the rule, in Dutch (shown in the iCalendar file and templates).
        dag: sick day of the due date, when it is a fixed sick day.
        na: sick days after an earlier step (the probleemanalyse, the last evaluation, …).
        vanaf: sick day the window opens (eerstejaarsevaluatie).
        verschuiving: how a deadline on a non-working day moves.
        informatief: an event, not a task of the employer.
    """

    code: str
    label: str
    niveau: Niveau
    gevolg: Gevolg
    bron: str
    dag: int | None = None
    na: int | None = None
    vanaf: int | None = None
    verschuiving: Verschuiving = Verschuiving.geen
    informatief: bool = False


_L, _B, _A = Niveau.loonsanctie_risico, Niveau.boete, Niveau.aandachtspunt

RULES: dict[str, Rule] = {r.code: r for r in (
    Rule("probleemanalyse", "Probleemanalyse bedrijfsarts", _L, Gevolg.loonsanctie,
         "Regeling procesgang art. 2 lid 2: binnen 6 weken (ziektedag 41)", dag=end_of_week(6)),
    Rule("plan_van_aanpak", "Plan van aanpak", _L, Gevolg.loonsanctie,
         "Regeling procesgang art. 4: 2 weken (14 ziektedagen) na de probleemanalyse, anders uiterlijk "
         "week 8 (ziektedag 55)", dag=end_of_week(8), na=14),
    Rule("evaluatie", "Evaluatie plan van aanpak", _A, Gevolg.loonsanctie,
         "BW 7:658a lid 3; UWV: minstens eens per 6 weken (42 ziektedagen)", na=42),
    Rule("ziekmelding_uwv", "Ziekmelding bij UWV (42e-weeksmelding)", _B, Gevolg.boete,
         "UWV: uiterlijk de eerste werkdag na de 42e ziekteweek (ziektedag 294; geen werkdag: zaterdag, "
         "zondag, feestdag van de Algemene termijnenwet); te laat = boete, geen loonsanctie",
         dag=first_day_after_week(42), verschuiving=Verschuiving.volgende_werkdag),
    Rule("ziekmelding_vangnet", "Ziekmelding bij UWV (vangnet Ziektewet)", _B, Gevolg.boete,
         "UWV: ziekmelding voor de Ziektewet-uitkering, termijn per vangnet (zie VANGNET); te laat = boete",
         verschuiving=Verschuiving.volgende_werkdag),
    Rule("eerstejaarsevaluatie", "Eerstejaarsevaluatie", _L, Gevolg.loonsanctie,
         "Regeling procesgang art. 4 lid 2b: week 46 t/m 52; eerder telt niet als gedaan",
         dag=end_of_week(52), vanaf=first_day_after_week(45)),
    Rule("tweede_spoor", "Start tweede spoor (als spoor 1 niet volstaat)", _L, Gevolg.loonsanctie,
         "Werkwijzer Poortwachter: uiterlijk 6 weken (42 ziektedagen) na de eerstejaarsevaluatie of na "
         "haar uiterste datum (ziektedag 363), wat eerder is", na=42),
    Rule("wia_brief", "Brief van UWV over de WIA-aanvraag", _A, Gevolg.geen,
         "UWV: na week 88 (ziektedag 616); schuift mee met een vrijwillige verlenging",
         dag=first_day_after_week(88), informatief=True),
    Rule("eindevaluatie", "Eindevaluatie en kopie re-integratieverslag aan werknemer", _L, Gevolg.loonsanctie,
         "UWV: uiterlijk in week 91 (ziektedag 636); schuift mee met een vrijwillige verlenging; bij ziek "
         "uit dienst na minstens 10 weken ziekte uiterlijk de laatste dag van het dienstverband",
         dag=end_of_week(91)),
    Rule("wia_aanvraag", "WIA-aanvraag met re-integratieverslag", _A, Gevolg.loonsanctie,
         "Art. 64 lid 3 WIA: uiterlijk 11 weken voor het einde van de wachttijd (week 93)"),
    Rule("einde_wachttijd", "Einde wachttijd (laatste dag loondoorbetaling)", _A, Gevolg.geen,
         "BW 7:629: 104 weken; verschuift met loonsanctie of vrijwillige verlenging",
         dag=end_of_week(104), informatief=True),
    Rule("ziekmelding_uit_dienst", "Ziekmelding bij UWV: ziek uit dienst (Ziektewet)", _B, Gevolg.boete,
         "UWV: ziek melden op de laatste werkdag van het dienstverband; daarna neemt UWV het over",
         verschuiving=Verschuiving.vorige_werkdag),
)}


@dataclass(frozen=True)
class Vangnet:
    """The UWV report deadline of one vangnet category (docs/regels.md has the sources)."""

    dagen: int  # calendar days after the period's eerste ziektedag
    bron: str
    bevestigd: bool  # confirmed on a current uwv.nl page


VANGNET: dict[str, Vangnet] = {
    "zwangerschap": Vangnet(end_of_week(6), "uwv.nl, Ziek vóór de verlofperiode: uiterlijk binnen 6 weken", True),
    "zwangerschap_na_verlof": Vangnet(3, "Brightmine; oude uwv.nl-pagina: uiterlijk de 4e ziektedag", False),
    "orgaandonatie": Vangnet(end_of_week(6), "Rendement, Accountancy van Morgen; oude uwv.nl-pagina: "
                                             "binnen 6 weken (Poortwachtersloket: 4 werkdagen)", False),
    "no_risk": Vangnet(end_of_week(6), "Rendement, Accountancy van Morgen; oude uwv.nl-pagina: binnen 6 weken",
                       False),
}

#: A gap of this many days or more between two periods starts a new case.
SAMENTELLING_GAP_DAYS = 28
#: Sick day of the last day of wage payment (end of week 104).
EINDE_WACHTTIJD_DAY = RULES["einde_wachttijd"].dag
#: Days between two evaluations of the plan van aanpak.
EVALUATIE_INTERVAL_DAYS = RULES["evaluatie"].na
#: The WIA application is due this many weeks before the end of a voluntarily extended waiting time
#: (art. 64 lid 3 WIA) — and, without an extension, by the end of the configured week (93 = 104 − 11).
WIA_AANVRAAG_WEKEN_VOOR_EINDE = 11
WIA_AANVRAAG_WEEK = 104 - WIA_AANVRAAG_WEKEN_VOOR_EINDE
#: A loonsanctie is at most 52 weeks (art. 25 lid 9 WIA); more is a validation error.
MAX_LOONSANCTIE_WEKEN = 52
#: A vrijwillige verlenging is at least 13 weeks (uwv.nl, eigenrisicodrager WGA: "De minimumperiode
#: van de verlenging is 13 weken. Er is geen maximum."); art. 24 WIA itself sets no maximum.
MIN_VERLENGING_WEKEN = 13
#: Ziek uit dienst: the eindevaluatie is due on the last day of employment when the employee has
#: been sick for at least 10 weeks by then (Rendement; UWV's three categories of ziek uit dienst).
UIT_DIENST_EINDEVALUATIE_WEKEN = 10


# --- the sick-day calendar -----------------------------------------------------------------


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

    def sick_days_before(self, when: date) -> int:
        """How many sick days lie before ``when`` (for a sick day: its own number)."""
        counted = 0
        for start, end in self.segments:
            if when <= start:
                break
            stop = when if end is None else min(when, end)
            counted += (stop - start).days
        return counted

    def plus(self, when: date, sick_days: int) -> date:
        """The date ``sick_days`` sick days after ``when``: recovery gaps are skipped, as everywhere."""
        return self.date_of(self.sick_days_before(when) + sick_days)

    def ziekteweek(self, when: date) -> int | None:
        """Sickness week (1-based) a date falls in; None before the sickness or in a gap."""
        day = self.sick_day_of(when)
        return None if day is None else day // DAGEN_PER_WEEK + 1


def _neutral_days(prev_end: date, start: date, leave: Ziekteperiode | None) -> int:
    """Days of pregnancy/maternity leave inside the gap [prev_end, start)."""
    if leave is None or leave.zwangerschapsverlof is None:
        return 0
    v = leave.zwangerschapsverlof
    lo = max(prev_end, v.begin)
    hi = min(start, v.einde + timedelta(days=1))
    return max(0, (hi - lo).days)


def _group_periods(periods: list[Ziekteperiode]) -> list[list[Ziekteperiode]]:
    """Sickness periods grouped into cases: a gap < 28 days (leave not counted) adds them together."""
    ordered = sorted(periods, key=lambda p: p.eerste_ziektedag)
    groups: list[list[Ziekteperiode]] = []
    prev_end: date | None = None
    for p in ordered:
        new_case = True
        if groups and prev_end is not None:
            gap = (p.eerste_ziektedag - prev_end).days - _neutral_days(prev_end, p.eerste_ziektedag, p)
            new_case = gap >= SAMENTELLING_GAP_DAYS
        if new_case:
            groups.append([])
        groups[-1].append(p)
        prev_end = p.hersteldatum
    return groups


def _calendar(group: list[Ziekteperiode]) -> SickCalendar:
    return SickCalendar(tuple((p.eerste_ziektedag, p.hersteldatum) for p in group))


def split_cases(periods: list[Ziekteperiode]) -> list[SickCalendar]:
    """Group sickness periods into cases: a gap < 28 days (leave not counted) adds them together."""
    return [_calendar(g) for g in _group_periods(periods)]


# --- the timeline --------------------------------------------------------------------------


@dataclass(frozen=True)
class Mijlpaal:
    """One milestone with its due date and status.

    Attributes:
        code: code from the rules table (probleemanalyse, plan_van_aanpak, evaluatie, …).
        label: Dutch label.
        uiterlijk: due date (last day).
        vanaf: start of the window (eerstejaarsevaluatie only).
        gedaan_op: date it was done, if known (and counted: see ``te_vroeg_op``).
        status: see :class:`Status`.
        volgnummer: occurrence number of a recurring milestone (evaluatie; the period of a vangnet
            report), else None.
        ziekteweek: sickness week of the due date (before a working-day shift).
        gevolg: what a late or missing step risks.
        niveau: how much it matters, see :class:`Niveau`.
        bron: legal source of the rule.
        informatief: an event, not a task of the employer.
        te_vroeg_op: the step was dated before its window opened (an eerstejaarsevaluatie before week
            46): it does not count as done, so the status stays open/verlopen; the findings turn this
            into "te vroeg".
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
    niveau: Niveau = Niveau.aandachtspunt
    bron: str = ""
    informatief: bool = False
    te_vroeg_op: date | None = None


@dataclass(frozen=True)
class Tijdlijn:
    """The timeline of the current case (after samentelling) on a reference date.

    ``einde_wachttijd`` and ``ingangsdatum_wia`` are None for a case that ended before the end of the
    waiting time: the employee recovered (``hersteld_op``) or left employment while sick
    (``uit_dienst_op``, ziek uit dienst: UWV takes over).
    """

    eerste_ziektedag: date
    today: date
    calendar: SickCalendar
    mijlpalen: tuple[Mijlpaal, ...]
    einde_wachttijd: date | None
    ingangsdatum_wia: date | None
    hersteld_op: date | None = None
    huidige_ziekteweek: int | None = None
    eerdere_casussen: tuple[SickCalendar, ...] = field(default=())
    uit_dienst_op: date | None = None

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


@dataclass(frozen=True)
class _Track:
    """The employer's part of the current case: where it ends, and why."""

    cal: SickCalendar
    periods: tuple[Ziekteperiode, ...]
    end: date | None  # last day of the employer's track; None while it goes on
    uit_dienst: date | None  # last day of employment, when it falls in the current case
    sick_at_exit: bool  # ziek uit dienst: sick on the last day of employment

    def due(self, when: date, *, until: date | None = None) -> bool:
        """Whether a deadline falls within the track (``until`` overrides its end)."""
        limit = self.end if until is None else until
        return limit is None or when <= limit

    def in_case(self, when: date | None) -> date | None:
        """A step dated before the current case started belongs to an earlier case (after a gap of
        28 days or more all milestones restart), so it does not count as done here."""
        return when if when is not None and when >= self.cal.eerste_ziektedag else None


def _track(case: Case, group: list[Ziekteperiode]) -> _Track:
    cal = _calendar(group)
    ends: list[date] = []
    total = cal.total_sick_days
    if total is not None:
        ends.append(cal.date_of(total - 1))  # the last sick day
    exit_day = case.werknemer.datum_uit_dienst
    if exit_day is not None and exit_day < cal.eerste_ziektedag:
        exit_day = None  # left before this case began: not this employer's case (validation warns)
    if exit_day is not None:
        ends.append(exit_day)
    return _Track(cal, tuple(group), min(ends) if ends else None, exit_day,
                  exit_day is not None and cal.sick_day_of(exit_day) is not None)


class _Builder:
    """Collects milestones: drops those not due, moves deadlines off non-working days, sets status."""

    def __init__(self, track: _Track, today: date, riv_ingediend: date | None = None) -> None:
        self.track, self.today = track, today
        # The day the RIV went to UWV (WIA application or eindevaluatie, whichever came first): an
        # evaluation due after it is still to be held, but it is no longer part of the RIV, so it is
        # never shown as "verlopen" (docs/regels.md, "Na de WIA-aanvraag").
        self.riv_ingediend = riv_ingediend
        self.out: list[Mijlpaal] = []

    def add(self, code: str, raw: date, done: date | None, *, until: date | None = None,
            vanaf: date | None = None, volgnummer: int | None = None, label: str | None = None,
            te_vroeg_op: date | None = None, bron: str | None = None) -> None:
        """``raw`` is the rule's date before a working-day shift: it decides whether the step came due
        (a report required by sick day 294 stays required when the weekend moves its deadline past
        the recovery)."""
        if not self.track.due(raw, until=until):
            return  # after recovery or the end of employment: not due, not "verlopen"
        rule = RULES[code]
        due = raw
        if rule.verschuiving is Verschuiving.volgende_werkdag:
            due = volgende_werkdag(raw)
        elif rule.verschuiving is Verschuiving.vorige_werkdag:
            due = vorige_werkdag(raw)
        # An informational event (UWV's letter, the end of the waiting time) has no "done" of its own.
        status = (Status.gedaan if self.today >= due else Status.open) if rule.informatief \
            else status_of(due, done, self.today)
        if status is Status.verlopen and code == "evaluatie" and self.riv_ingediend is not None \
                and due > self.riv_ingediend:
            status = Status.open
        cal = self.track.cal
        week = cal.ziekteweek(raw)
        if week is None:  # e.g. a vangnet report due after the recovery: the week the count reached
            week = cal.sick_days_before(raw) // DAGEN_PER_WEEK + 1
        self.out.append(Mijlpaal(
            code=code, label=label or rule.label, uiterlijk=due, status=status, vanaf=vanaf,
            gedaan_op=done, volgnummer=volgnummer, ziekteweek=week, gevolg=rule.gevolg,
            niveau=rule.niveau, bron=bron or rule.bron, informatief=rule.informatief, te_vroeg_op=te_vroeg_op))


def _dated(step: object, attr: str = "datum") -> date | None:
    return getattr(step, attr, None) if step is not None else None


def _day(code: str) -> int:
    sick_day = RULES[code].dag
    assert sick_day is not None, code
    return sick_day


def _evaluations(b: _Builder, case: Case, pva: date, einde: date) -> None:
    """Every 42 sick days after the plan van aanpak or the last evaluation/bijstelling. The
    eerstejaarsevaluatie and eindevaluatie are evaluations of the plan too (the Regeling's "in any
    case at the end of the first year"), so they reset the clock as well."""
    t, rule = b.track, RULES["evaluatie"]
    assert rule.na is not None
    moments: dict[date, str] = {}
    for when, what in ((t.in_case(_dated(case.eindevaluatie)), "eindevaluatie"),
                       (t.in_case(_dated(case.eerstejaarsevaluatie)), "eerstejaarsevaluatie"),
                       *((e.datum, "") for e in case.evaluaties)):
        if when is not None and when >= pva:
            moments[when] = what if not moments.get(when) else moments[when]
    previous = pva
    for n, when in enumerate(sorted(moments), start=1):
        suffix = f" ({moments[when]})" if moments[when] else ""
        b.add("evaluatie", t.cal.plus(previous, rule.na), when, volgnummer=n, label=f"Evaluatie {n}{suffix}")
        previous = when
    nxt = t.cal.plus(previous, rule.na)
    if nxt <= einde:
        n = len(moments) + 1
        b.add("evaluatie", nxt, None, volgnummer=n, label=f"Evaluatie {n}")


def _reports(b: _Builder, case: Case) -> None:
    """The reports to UWV: the 42nd-week report, or a vangnet report per vangnet period (UWV already
    knows a Ziektewet case: "Dit geldt niet voor werknemers met een Ziektewet-uitkering")."""
    t = b.track
    vangnet = [(n, p) for n, p in enumerate(t.periods, start=1) if p.vangnet is not None]
    if not vangnet:
        b.add("ziekmelding_uwv", t.cal.date_of(_day("ziekmelding_uwv")), t.in_case(_dated(case.ziekmelding_uwv)))
    for n, p in vangnet:
        assert p.vangnet is not None
        rule = VANGNET[p.vangnet]
        # Due also after a recovery (UWV takes a sickness and recovery report together within the term);
        # only the end of employment replaces it by the ziek-uit-dienst report.
        b.add("ziekmelding_vangnet", p.eerste_ziektedag + timedelta(days=rule.dagen), p.vangnet_gemeld,
              until=t.uit_dienst or date.max, volgnummer=n, bron=rule.bron,
              label=f"{RULES['ziekmelding_vangnet'].label.removesuffix(')')}: {p.vangnet.replace('_', ' ')})")


def _first_year(b: _Builder, case: Case) -> None:
    """The eerstejaarsevaluatie (counted only when held in its window) and the start of spoor 2."""
    t, eje_rule, spoor_rule = b.track, RULES["eerstejaarsevaluatie"], RULES["tweede_spoor"]
    assert eje_rule.vanaf is not None and spoor_rule.na is not None
    window, deadline = t.cal.date_of(eje_rule.vanaf), t.cal.date_of(_day("eerstejaarsevaluatie"))
    eje = case.eerstejaarsevaluatie
    held = t.in_case(_dated(eje))
    counted = held if held is not None and held >= window else None
    b.add("eerstejaarsevaluatie", deadline, counted, vanaf=window,
          te_vroeg_op=held if held is not None and counted is None else None)
    ts_start = t.in_case(_dated(case.tweede_spoor, "start"))
    if (eje.spoor2_nodig if eje else None) is not False or ts_start is not None:
        # 6 weeks after the EJE or after its deadline, whichever is earlier: a late EJE does not
        # move spoor 2 later, an early one (not counted) does not move it before the window.
        base = min(counted, deadline) if counted is not None else deadline
        b.add("tweede_spoor", t.cal.plus(base, spoor_rule.na), ts_start)


def _second_year(b: _Builder, case: Case, *, einde: date, wia_aanvraag_week: int) -> None:
    t = b.track
    verlenging = DAGEN_PER_WEEK * (case.vrijwillige_verlenging.weken if case.vrijwillige_verlenging else 0)
    day = t.cal.date_of
    # The letter, the eindevaluatie and the application move with a voluntary extension: they must
    # describe the situation at the (moved) application.
    b.add("wia_brief", day(_day("wia_brief") + verlenging), None)
    eindevaluatie = day(_day("eindevaluatie") + verlenging)
    done = t.in_case(_dated(case.eindevaluatie))
    exit_day = t.uit_dienst
    if t.due(eindevaluatie) or exit_day is None or not t.sick_at_exit:
        b.add("eindevaluatie", eindevaluatie, done)
    elif t.cal.sick_days_before(exit_day) + 1 >= DAGEN_PER_WEEK * UIT_DIENST_EINDEVALUATIE_WEKEN:
        b.add("eindevaluatie", exit_day, done)  # ziek uit dienst: by the last day of employment
    b.add("wia_aanvraag", day(end_of_week(wia_aanvraag_week) + verlenging), t.in_case(_dated(case.wia_aanvraag)))
    b.add("einde_wachttijd", einde, None)
    if exit_day is not None and t.sick_at_exit:
        b.add("ziekmelding_uit_dienst", exit_day, t.in_case(_dated(case.ziekmelding_uit_dienst)))


def compute_timeline(case: Case, *, today: date, wia_aanvraag_week: int = WIA_AANVRAAG_WEEK) -> Tijdlijn:
    """Compute the poortwachter milestones of the case's current sickness case.

    Milestones whose due date falls after the employer's track ended (full recovery, or the last
    day of employment) are left out: they are not due.

    Args:
        case: a validated case.
        today: reference date for statuses.
        wia_aanvraag_week: the sickness week by whose end the WIA application is due (93; some
            firms plan on 91).
    """
    groups = _group_periods(list(case.ziekteperiodes))
    track = _track(case, groups[-1])
    cal = track.cal
    extra_weeks = sum(v.weken for v in (case.loonsanctie, case.vrijwillige_verlenging) if v)
    einde = cal.date_of(_day("einde_wachttijd") + DAGEN_PER_WEEK * extra_weeks)
    handed_in = [d for d in (track.in_case(_dated(case.wia_aanvraag)), track.in_case(_dated(case.eindevaluatie)))
                 if d is not None]
    b = _Builder(track, today, min(handed_in) if handed_in else None)

    pa = track.in_case(_dated(case.probleemanalyse))
    pva = track.in_case(_dated(case.plan_van_aanpak))
    b.add("probleemanalyse", cal.date_of(_day("probleemanalyse")), pa)
    pva_rule = RULES["plan_van_aanpak"]
    assert pva_rule.na is not None
    b.add("plan_van_aanpak", cal.plus(pa, pva_rule.na) if pa else cal.date_of(_day("plan_van_aanpak")), pva)
    if pva is not None:
        _evaluations(b, case, pva, einde)
    _reports(b, case)
    _first_year(b, case)
    _second_year(b, case, einde=einde, wia_aanvraag_week=wia_aanvraag_week)

    ended = track.end is not None and track.end < einde
    return Tijdlijn(
        eerste_ziektedag=cal.eerste_ziektedag,
        today=today,
        calendar=cal,
        mijlpalen=tuple(sorted(b.out, key=lambda m: (m.uiterlijk, m.volgnummer or 0))),
        einde_wachttijd=None if ended else einde,
        ingangsdatum_wia=None if ended else einde + timedelta(days=1),
        hersteld_op=cal.hersteld_op,
        huidige_ziekteweek=cal.ziekteweek(today),
        eerdere_casussen=tuple(_calendar(g) for g in groups[:-1]),
        uit_dienst_op=track.uit_dienst if track.sick_at_exit else None,
    )

"""The public library API: the one door to dossier.

Every front end — the ``dossier`` command, a web application, a batch worker — calls these functions
and nothing below them. Each takes plain arguments (paths, a :class:`Settings`, a reference date),
returns a result object, raises :class:`DossierError` (with an :class:`ExitCode` and, where there
are any, the located ``issues``) and never prints or exits.

Reading cases:
    :func:`iter_cases`, :func:`load_cases`, :func:`load_one_case`, :func:`check` (validation plus the
    findings of :mod:`dossier.findings`, streamed with running counts).
Timeline:
    :func:`case_timeline`, :func:`timelines` (one or many cases of a file), :func:`format_timeline`
    (text, the JSON contract, iCalendar).
Documents and the dossier:
    :func:`render_documents` (a kind or ``alle``, into a folder or one file), :func:`build` (the indexed PDF
    dossier, optionally with the UWV upload set), :func:`build_dossier` for a loaded case.
Many cases:
    :func:`run_batch` with a :class:`Runner` (local pipeline or process pool) over the unit of work
    :func:`build_case`.
Signals:
    :func:`stop_on_signals` makes SIGTERM and SIGHUP stop a run the way Ctrl-C does
    (:class:`Stopped`, a ``KeyboardInterrupt`` with the exit code 128 + signal).
The cache:
    :func:`cache_info`, :func:`cache_clear` (all entries, or one dossier's).
The web application's data:
    :func:`validate_case_data`, :func:`stored_case`, :func:`case_data` (one case as data),
    :func:`case_overview`, :func:`case_end` (when a case ended: the start of its bewaartermijn),
    :func:`agenda_ics` (the open milestones as an iCalendar feed), :func:`backup` and :func:`restore`
    of a data folder (database and file store), :func:`default_data_dir`.
Templates and schema:
    :func:`list_templates`, :func:`export_templates`, :func:`check_templates`, :func:`case_schema`;
    the document kinds in :data:`KINDS`.
"""

from __future__ import annotations

import importlib
import json
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from dossier.errors import (
    AssemblyError,
    BatchFailures,
    CaseDataError,
    ConversionError,
    DossierError,
    ExitCode,
    Issue,
    MissingDependencyError,
    Severity,
    Stopped,
    TemplateRenderError,
    UsageError,
)
from dossier.logs import configure_logging
from dossier.privacy import scrub
from dossier.settings import Settings, default_settings

if TYPE_CHECKING:
    from dossier.cache import CacheInfo
    from dossier.cases import CaseItem, LoadedCase
    from dossier.convert import Converter
    from dossier.findings import Finding
    from dossier.model import Case
    from dossier.pipeline import BuildResult
    from dossier.render.templates import TemplateInfo
    from dossier.timeline import Tijdlijn

#: Names this module offers but imports only when first used (rendering, PDF and batch are heavy;
#: ``dossier --help`` or ``dossier check`` should not pay for them).
_LAZY: dict[str, str] = {
    "BatchJob": "dossier.batch", "BatchReport": "dossier.batch", "CaseResult": "dossier.batch",
    "Progress": "dossier.batch", "Runner": "dossier.batch", "build_case": "dossier.batch",
    "make_runner": "dossier.batch", "run_batch": "dossier.batch",
    "BuildResult": "dossier.pipeline", "build_dossier": "dossier.pipeline",
    "CaseItem": "dossier.cases", "LoadedCase": "dossier.cases", "iter_cases": "dossier.cases",
    "Finding": "dossier.findings", "KINDS": "dossier.kinds", "Kind": "dossier.kinds",
    "TemplateInfo": "dossier.render.templates", "Tijdlijn": "dossier.timeline",
    "stop_on_signals": "dossier.signals",
    "Converter": "dossier.convert",
    "Case": "dossier.model",  # the case model itself: front ends build their forms from it
}


def make_converter(settings: Settings) -> Converter:
    """A converter for these settings, behind the conversion cache unless the settings turn it off.

    For a front end or worker that keeps one LibreOffice for many builds: ``start()`` it, pass it as
    ``converter=`` to :func:`build` or :func:`render_documents`, ``close()`` it at the end.
    """
    from dossier.convert import make_converter as make
    from dossier.convert.cache import with_cache

    return with_cache(make(settings), settings)


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(_LAZY[name]), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


TimelineFormat = Literal["text", "json", "ics"]


# --- reading and checking cases ------------------------------------------------------------


@dataclass
class CheckReport:
    """Every case of the input, validated, with all issues (errors and warnings)."""

    cases: list[LoadedCase] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    records: int = 0

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self.issues if i.severity is Severity.fout]

    @property
    def warnings(self) -> list[Issue]:
        return [i for i in self.issues if i.severity is Severity.waarschuwing]


def load_cases(paths: list[Path], *, today: date | None = None, bijlagen_map: Path | None = None) -> CheckReport:
    """Read and validate every case in the given files/folders; unreadable files become issues.

    Attachments must lie in each case file's folder or in ``bijlagen_map``.

    Raises:
        UsageError: no case files were given or found.
    """
    from dossier.cases import iter_cases

    report = CheckReport()
    for item in iter_cases(paths, today=today, bijlagen_map=bijlagen_map):
        report.records += item.record is not None
        report.issues.extend(item.issues)
        if item.loaded is not None:
            report.cases.append(item.loaded)
    return report


def findings(case: Case, *, settings: Settings, today: date) -> list[Finding]:
    """What a case lacks or did late on ``today``: the list ``check``, ``build`` and ``batch`` report."""
    from dossier.findings import case_findings

    return case_findings(case, case_timeline(case, settings=settings, today=today), settings=settings)


def iter_checked(paths: list[Path], *, settings: Settings, today: date) -> Iterator[CaseItem]:
    """:func:`iter_cases` plus every valid case's findings, as warnings located at the case (each with its
    ``niveau``) and as :class:`Finding` objects in ``CaseItem.findings``."""
    from dossier.cases import CaseItem, iter_cases

    for item in iter_cases(paths, today=today, bijlagen_map=settings.bijlagen_map):
        loaded = item.loaded
        if loaded is None:
            yield item
            continue
        found, wrong = _findings_and_signing_errors(loaded.case, settings=settings, today=today)
        src = loaded.record.source.name
        extra = [f.issue(src, loaded.where, Severity.fout) for f in wrong]
        extra += [f.issue(src, loaded.where) for f in found]
        yield CaseItem(item.record, None if wrong else item.case, [*item.issues, *extra], found)


def _findings_and_signing_errors(case: Case, *, settings: Settings,
                                 today: date) -> tuple[list[Finding], list[Finding]]:
    """The findings, and the ``ondertekeningen`` records that name no planned document (errors)."""
    from dossier.findings import case_findings, planned_documents, signing_errors

    tl = case_timeline(case, settings=settings, today=today)
    jobs = planned_documents(case, tl, settings=settings)
    return (case_findings(case, tl, settings=settings, jobs=jobs),
            signing_errors(case, tl, settings=settings, jobs=jobs))


@dataclass(frozen=True)
class PlannedDocument:
    """A generated document a build of the case would hold, with its signing state.

    ``nummer`` is None for a kind with one document; ``ondertekend``: every party signed (or a signed
    scan is there); ``scan``: the record's scan file (the case file's name for it), if any.
    """

    soort: str
    nummer: int | None
    titel: str
    datum: date | None
    ondertekend: bool
    scan: str | None


def planned_documents(case: Case, *, settings: Settings, today: date) -> list[PlannedDocument]:
    """Every generated document of the case on ``today`` (RIV order), with whether it is signed."""
    from dossier.findings import planned_documents as _planned
    from dossier.findings import unsigned_by

    tl = case_timeline(case, settings=settings, today=today)
    return [PlannedDocument(j.soort, j.nummer, j.titel, j.datum, not unsigned_by(j),
                            j.ondertekening.scan if j.ondertekening is not None else None)
            for j in _planned(case, tl, settings=settings)]


def signing_problems(case: Case, *, settings: Settings, today: date) -> list[Issue]:
    """The ``ondertekeningen`` records that name no planned document (errors, as ``check`` reports them)."""
    _found, wrong = _findings_and_signing_errors(case, settings=settings, today=today)
    return [f.issue("invoer", f"dossier {case.dossiernummer}", Severity.fout) for f in wrong]


#: The finding levels, most serious first (dossier.timeline.Niveau).
NIVEAUS = ("loonsanctie-risico", "boete", "aandachtspunt")


class CheckRun:
    """A streamed check: iterate it for each case's outcome; the counts grow as it goes.

    Memory stays flat for any input: nothing but the counts is kept (:meth:`as_json` collects the
    whole result instead).

    ``failed``: errors were found; with ``strict`` also validation warnings and findings of level
    loonsanctie-risico or boete; with ``strict_alle`` every warning (aandachtspunt too).
    """

    def __init__(self, items: Iterator[CaseItem], *, strict: bool = False, strict_alle: bool = False,
                 paths: list[Path] | None = None) -> None:
        self._items = items
        self._paths = paths
        self.strict, self.strict_alle = strict, strict_alle
        self._rules = Settings(strict=strict, strict_alle=strict_alle)
        self.records = self.valid = self.errors = self.warnings = self.blocking = 0
        self.niveaus: dict[str, int] = dict.fromkeys(NIVEAUS, 0)

    def __iter__(self) -> Iterator[CaseItem]:
        for item in self._items:
            self.records += item.record is not None
            self.valid += item.case is not None
            n_err = 0
            for issue in item.issues:
                n_err += issue.severity is Severity.fout
                self.blocking += self._rules.blocks(issue)
                if issue.niveau is not None:
                    self.niveaus[issue.niveau] = self.niveaus.get(issue.niveau, 0) + 1
            self.errors += n_err
            self.warnings += len(item.issues) - n_err
            yield item

    @property
    def failed(self) -> bool:
        """Errors were found (or, with ``strict``/``strict_alle``, warnings that count; see the class)."""
        return bool(self.errors or self.blocking)

    def summary(self) -> str:
        levels = ", ".join(f"{n} {k}" for k, n in self.niveaus.items() if n)
        found = f" Bevindingen: {levels}." if levels else ""
        return (f"{self.valid} van {self.records} casus(sen) geldig; {self.errors} fout(en), "
                f"{self.warnings} waarschuwing(en).{found}")

    def as_json(self) -> dict[str, Any]:
        """Run the whole check and return the ``check --format json`` contract (docs/bevindingen.md).

        ``bestanden``: every file read, with the problems of the whole file (unreadable, header);
        ``casussen``: one entry per record. Every string is scrubbed: no full BSN anywhere.
        """
        from dossier.loaders import expand_inputs

        files: dict[str, list[dict[str, Any]]] = {}
        if self._paths is not None:
            for path in expand_inputs([Path(p) for p in self._paths]):
                files.setdefault(path.name, [])
        cases: list[dict[str, Any]] = []
        for item in self:
            if item.record is None:
                for i in item.issues:
                    files.setdefault(i.source, []).append(_problem(i))
                continue
            src = item.record.source.name
            own = files.setdefault(src, [])
            problems = []
            for i in item.issues:
                if i.niveau is not None:
                    continue  # a finding: in "bevindingen"
                (own if i.location == "kopregel" else problems).append(_problem(i))
            location = item.record.location
            cases.append({
                "dossiernummer": _dossiernummer(item),
                "bron": f"{src}, {location}" if location else src,
                "geldig": item.case is not None,
                "problemen": problems,
                "bevindingen": [f.as_json() for f in item.findings],
            })
        return _scrubbed({"bestanden": [{"bron": k, "problemen": v} for k, v in files.items()],
                          "casussen": cases})


def _problem(issue: Issue) -> dict[str, Any]:
    return {"ernst": str(issue.severity), "veld": issue.field, "melding": issue.message}


def _scrubbed(value: Any) -> Any:
    """Every string in a JSON-ready value with BSN-like numbers masked."""
    if isinstance(value, str):
        return scrub(value)
    if isinstance(value, dict):
        return {k: _scrubbed(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_scrubbed(v) for v in value]
    return value


def check(paths: list[Path], *, settings: Settings, today: date) -> CheckRun:
    """Validate every case and add its findings; iterate the result (see :class:`CheckRun`).

    Raises:
        UsageError: no case files were given or found (when iteration starts).
    """
    return CheckRun(iter_checked(paths, settings=settings, today=today), strict=settings.strict,
                    strict_alle=settings.strict_alle, paths=list(paths))


def check_json(paths: list[Path], *, settings: Settings, today: date) -> dict[str, Any]:
    """The whole check as the JSON contract of ``dossier check --format json`` (see :meth:`CheckRun.as_json`).

    A front end that also needs the outcome (the exit code) calls ``run = check(...)``, then
    ``run.as_json()`` and ``run.failed``.

    Raises:
        UsageError: no case files were given or found.
    """
    return check(paths, settings=settings, today=today).as_json()


def _dossiernummer(item: CaseItem) -> str | None:
    """The case's dossiernummer, or as typed in an invalid record."""
    if item.case is not None:
        return item.case.dossiernummer
    raw = item.record.data.get("dossiernummer") if item.record is not None and isinstance(item.record.data,
                                                                                              dict) else None
    return str(raw).strip() if isinstance(raw, str | int) else None


def load_one_case(path: Path, *, dossier: str | None = None, settings: Settings,
                  today: date | None = None) -> LoadedCase:
    """Load exactly one valid case (``dossier`` picks one from a multi-case file).

    Only the chosen case's own problems count (plus those of the whole file: its header row, an
    unreadable file), so a warning of case A-10 never stops case A-1.

    Raises:
        CaseDataError: the file is unreadable, the case is invalid, or (with ``settings.strict``)
            has warnings; ``issues`` lists every problem.
        UsageError: the file holds several cases and ``dossier`` was not given or not found.
    """
    from dossier.cases import iter_cases

    name = Path(path).name
    items = list(iter_cases([path], today=today, bijlagen_map=settings.bijlagen_map))
    if dossier is not None:
        mine = [it.record is None or _dossiernummer(it) == dossier for it in items]
        # Header problems come with the file's first record, whichever case that is: they count for all.
        header = [i for it, m in zip(items, mine, strict=True) if not m for i in it.issues
                  if i.location == "kopregel"]
        items = [it for it, m in zip(items, mine, strict=True) if m]
    else:
        header = []
    chosen = [it.loaded for it in items if it.loaded is not None]
    relevant = header + [i for it in items for i in it.issues]
    errors = [i for i in relevant if i.severity is Severity.fout]
    if dossier is None and errors:
        raise CaseDataError(f"{name}: {len(errors)} fout(en) in de casusgegevens", relevant)
    if any(settings.blocks(i) for i in relevant):
        raise CaseDataError(f"{name}: {len(relevant)} melding(en) en --strict staat aan", relevant)
    if not chosen:
        if dossier is not None and errors:
            raise CaseDataError(f"dossier {dossier}: de casusgegevens bevatten fouten", relevant)
        if dossier is not None:
            raise UsageError(f"dossier '{dossier}' niet gevonden in {name}")
        raise CaseDataError(f"{name}: geen geldige casus gevonden", relevant)
    if len(chosen) > 1:
        nummers = ", ".join(c.case.dossiernummer for c in chosen[:5])
        raise UsageError(f"{name} bevat {len(chosen)} casussen ({nummers}, …); kies er één met --dossier NUMMER")
    return chosen[0]


def parse_today(value: str) -> date:
    """A reference date as users type it ("2025-02-03", "3-2-2025"); raises ValueError with a Dutch message."""
    from dossier.loaders.nl_values import parse_date_nl

    return parse_date_nl(value)


def today_default() -> date:
    """The real date; only front ends call this (the library takes ``today`` as a parameter)."""
    return date.today()


# --- timeline ------------------------------------------------------------------------------


def case_timeline(case: Case, *, settings: Settings, today: date) -> Tijdlijn:
    """The poortwachter timeline of a case on a reference date."""
    from dossier.timeline import compute_timeline

    return compute_timeline(case, today=today, wia_aanvraag_week=settings.wia_aanvraag_week)


def timelines(path: Path, *, dossier: str | None = None, settings: Settings,
              today: date) -> list[tuple[Case, Tijdlijn]]:
    """The timeline of every case in a file (or of the one chosen with ``dossier``).

    Raises:
        CaseDataError: a case of the file is invalid (all problems in ``issues``).
        UsageError: ``dossier`` is not in the file.
    """
    if dossier is not None:
        cases = [load_one_case(path, dossier=dossier, settings=settings, today=today).case]
    else:
        report = load_cases([path], today=today, bijlagen_map=settings.bijlagen_map)
        if report.errors:
            raise CaseDataError(f"{Path(path).name}: {len(report.errors)} fout(en) in de casusgegevens",
                                report.errors)
        cases = [lc.case for lc in report.cases]
    return [(c, case_timeline(c, settings=settings, today=today)) for c in cases]


def format_timeline(items: list[tuple[Case, Tijdlijn]], fmt: TimelineFormat = "text") -> str:
    """Timelines as a Dutch text table, as the JSON contract (one object, a list for several) or as
    an iCalendar file."""
    from dossier.timeline_format import timeline_ics, timeline_json, timeline_text

    if fmt == "json":
        data: Any = [timeline_json(c, t) for c, t in items]
        return json.dumps(data[0] if len(data) == 1 else data, ensure_ascii=False, indent=2) + "\n"
    if fmt == "ics":
        return timeline_ics(items)
    return "\n".join(timeline_text(c, t) for c, t in items)


def write_output(path: Path, text: str, *, inputs: list[Path] | None = None) -> Path:
    """Write a text output atomically (complete or absent, never half); returns the path.

    Raises:
        UsageError: ``path`` is one of ``inputs`` (the file the text was made from).
        AssemblyError: the disk is full or read-only.
    """
    from dossier.fileio import atomic_write_bytes, output_errors
    from dossier.inputs import refuse_overwrite

    refuse_overwrite(inputs or [], files=[path])
    with output_errors(Path(path)):
        return atomic_write_bytes(Path(path), text.encode("utf-8"))


def _case_inputs(loaded: LoadedCase, settings: Settings) -> list[Path]:
    from dossier.inputs import case_inputs

    return case_inputs(loaded.record.source, [b.bestand for b in loaded.case.bijlagen],
                       bijlagen_map=settings.bijlagen_map, templates_dir=settings.templates_dir)


def attachment_files(loaded: LoadedCase, *, settings: Settings) -> dict[str, Path]:
    """The files a loaded case names (``bijlagen[].bestand``, ``ondertekeningen[].scan``) that exist where
    the build may read them (the case file's folder or ``settings.bijlagen_map``): name as in the case →
    the resolved file. Names that lead elsewhere or to nothing are left out (``build`` reports them)."""
    from dossier.inputs import locate_attachment

    base = loaded.record.source.parent
    names = [b.bestand for b in loaded.case.bijlagen] + [o.scan for o in loaded.case.ondertekeningen if o.scan]
    found = {n: locate_attachment(n, base, settings.bijlagen_map).path for n in names}
    return {n: p for n, p in found.items() if p is not None}


# --- one case as data (front ends that hold cases themselves: the web application) ----------


def validate_case_data(data: Any, *, source: str = "invoer", today: date | None = None
                       ) -> tuple[Case | None, list[Issue]]:
    """Validate one case given as data (the dict of a case file), as ``check`` validates a file's case.

    Returns the case (None when it has errors) and every issue; fields are named as in a case file
    (``ziekteperiodes[1].eerste_ziektedag``, 1-based, see :func:`field_path`). Attachment files are
    not looked up (the caller stores them itself).
    """
    from dossier.loaders.records import Record
    from dossier.validate import build_case

    class _DataRecord(Record):
        @property
        def base_dir(self) -> Path | None:  # type: ignore[override]
            return None

    if not isinstance(data, dict):
        return None, [Issue(Severity.fout, source, "", "", "verwacht één casus als JSON-object")]
    return build_case(_DataRecord(Path(source), "", data), today=today)


def field_path(field: str) -> str:
    """An issue's field as a dotted model path: ``ziekteperiodes[1].x`` → ``ziekteperiodes.0.x``."""
    import re

    return re.sub(r"\[(\d+)\]", lambda m: f".{int(m.group(1)) - 1}", field)


def issue_json(issue: Issue) -> dict[str, Any]:
    """One issue as in the ``problemen`` of ``check --format json``: ``{"ernst", "veld", "melding"}``."""
    return _problem(issue)


@dataclass(frozen=True)
class CaseOverview:
    """What a list of cases shows about one case on a reference date.

    ``volgende_mijlpaal`` is the first open milestone that is a task (code and due date), None when
    nothing is open, ``volgende_omschrijving`` its Dutch label; ``niveau`` is the highest level among
    the open findings (None: no findings). ``status`` is one of :data:`CASE_STATUSES`: ``hersteld`` (the
    employee recovered), ``beeindigd`` (left employment while sick, or the waiting time is over) or
    ``open``; a list of cases archives the first two.
    """

    dossiernummer: str
    werknemer: str
    werkgever: str
    eerste_ziektedag: date
    ziekteweek: int | None
    volgende_mijlpaal: tuple[str, date] | None
    niveau: str | None
    peildatum: date
    volgende_omschrijving: str | None = None
    casemanager: str | None = None
    status: str = "open"


#: The states of a case on a reference date (:func:`case_overview`), the open one first.
CASE_STATUSES = ("open", "hersteld", "beeindigd")


def _case_status(tl: Tijdlijn, today: date) -> str:
    if tl.hersteld_op is not None and tl.hersteld_op <= today:
        return "hersteld"
    if (tl.uit_dienst_op is not None and tl.uit_dienst_op <= today) or (
            tl.einde_wachttijd is not None and tl.einde_wachttijd < today):
        return "beeindigd"
    return "open"


def case_overview(case: Case, *, settings: Settings, today: date) -> CaseOverview:
    """The next milestone, the sickness week and the highest open finding level of a case."""
    from dossier.findings import case_findings
    from dossier.timeline import Status

    tl = case_timeline(case, settings=settings, today=today)
    pending = [m for m in tl.mijlpalen if not m.informatief and m.gedaan_op is None
               and m.status in (Status.open, Status.verlopen)]
    nxt = min(pending, key=lambda m: m.uiterlijk, default=None)
    found = case_findings(case, tl, settings=settings)
    ranks = [NIVEAUS.index(str(f.niveau)) for f in found]
    return CaseOverview(
        dossiernummer=case.dossiernummer, werknemer=case.werknemer.naam, werkgever=case.werkgever.naam,
        eerste_ziektedag=tl.eerste_ziektedag, ziekteweek=tl.huidige_ziekteweek,
        volgende_mijlpaal=(nxt.code, nxt.uiterlijk) if nxt is not None else None,
        niveau=NIVEAUS[min(ranks)] if ranks else None, peildatum=today,
        volgende_omschrijving=nxt.label if nxt is not None else None,
        casemanager=case.casemanager.naam if case.casemanager is not None else None,
        status=_case_status(tl, today))


def stored_case(data: Any, *, today: date | None = None) -> Case | None:
    """A case from data that :func:`validate_case_data` accepted before (a front end's own store):
    the model alone first, without the checks that only give warnings (some 30 times faster on a full
    case), else the full validation. None when the data has errors."""
    from pydantic import ValidationError

    from dossier.model import Case

    try:
        return Case.model_validate(data)
    except ValidationError:
        return validate_case_data(data, today=today)[0]


def case_data(case: Case) -> dict[str, Any]:
    """A validated case as the JSON of a case file (ISO dates, plain numbers, no empty fields); the CLI
    reads it back as the same case."""
    return case.model_dump(mode="json", exclude_none=True, exclude_defaults=True)


def case_end(case: Case, *, settings: Settings, today: date) -> tuple[date, str] | None:
    """When and why a case ended on or before ``today``: full recovery ("hersteld"), sick out of
    employment ("uit dienst", UWV takes over) or the end of the waiting time ("einde wachttijd");
    the earliest of those that happened. None while the case goes on (the start of a bewaartermijn)."""
    tl = case_timeline(case, settings=settings, today=today)
    ends = [(d, why) for d, why in ((tl.hersteld_op, "hersteld"), (tl.uit_dienst_op, "uit dienst"),
                                    (case.werknemer.datum_uit_dienst, "uit dienst"),
                                    (tl.einde_wachttijd, "einde wachttijd")) if d is not None and d <= today]
    return min(ends) if ends else None


def agenda_ics(items: list[tuple[Case, Tijdlijn]], *, name: str = "Poortwachter-mijlpalen") -> str:
    """An iCalendar feed of the open milestones (tasks not yet done) of the given timelines: all-day
    events with stable UIDs, escaped and folded as RFC 5545 asks; no BSN."""
    from dossier.timeline_format import timeline_ics

    return timeline_ics(items, only_open=True, name=name)


# --- the web application's data folder (lazily: the ``web`` extra is optional) --------------


def default_data_dir() -> Path:
    """The data folder of ``dossier serve`` when none is given (``$XDG_DATA_HOME/dossier``)."""
    from dossier.web.config import default_data_dir as _default

    return _default()


def backup(archive: Path, *, data_dir: Path) -> BackupResult:
    """Write the database (SQLite's online backup, consistent while the server writes) and the file
    store of ``data_dir`` into one archive (``.tar.gz``).

    Raises:
        UsageError: ``data_dir`` holds no database, or ``archive`` lies inside ``data_dir``.
        AssemblyError: the archive cannot be written.
    """
    from dossier.web.backup import backup as _backup

    return _backup(Path(archive), Path(data_dir))


def restore(archive: Path, *, data_dir: Path, force: bool = False) -> BackupResult:
    """Put a backup made by :func:`backup` into ``data_dir``.

    Raises:
        UsageError: ``data_dir`` is not empty and ``force`` is False; the archive is not a backup, or
            names a path outside the data folder.
    """
    from dossier.web.backup import restore as _restore

    return _restore(Path(archive), Path(data_dir), force=force)


@dataclass(frozen=True)
class BackupResult:
    """What a backup or restore held: the archive, the data folder, cases, versions and files."""

    archive: Path
    data_dir: Path
    casussen: int
    versies: int
    bestanden: int


# --- documents and the dossier -------------------------------------------------------------


def render_documents(soort: str, case_file: Path, *, output: Path | None = None, pdf: bool = False,
           dossier: str | None = None, nummer: int | None = None, settings: Settings,
           today: date, converter: Converter | None = None) -> list[Path]:
    """Fill the template(s) of one document kind (or ``alle``) with a case.

    ``output`` is a folder (default: the current one), or one ``.docx``/``.pdf`` file when the kind
    gives exactly one document (a ``.pdf`` implies ``pdf``). ``converter``: a started converter to
    reuse (a long-running worker's LibreOffice); None starts one for this call.

    Raises:
        UsageError: unknown kind or ``nummer``; one file asked for but several documents made; an
            output would overwrite an input (the case file, an attachment, a template).
        AssemblyError: the disk is full or read-only.
        CaseDataError, TemplateRenderError, ConversionError: as their names say.
    """
    from dossier.fileio import atomic_path, output_errors
    from dossier.inputs import refuse_overwrite
    from dossier.kinds import document_kind
    from dossier.pipeline import render_documents as render_loaded

    if soort != "alle":
        document_kind(soort)  # an unknown kind is refused before the case is read
    loaded = load_one_case(case_file, dossier=dossier, settings=settings, today=today)
    inputs = _case_inputs(loaded, settings)
    suffix = output.suffix.lower() if output is not None else ""
    folder = output is None or suffix not in (".docx", ".pdf")
    refuse_overwrite(inputs, files=[output] if output is not None and not folder else [])
    with tempfile.TemporaryDirectory(prefix="dossier-render-") as tmp:
        files = render_loaded(loaded, Path(tmp), soort=soort, settings=settings, today=today,
                              pdf=pdf or suffix == ".pdf", nummer=nummer, converter=converter)
        if folder:  # names are known only now: check them before the first one is written
            out_dir = output or Path.cwd()
            targets = [out_dir / f.name for f in files]
            refuse_overwrite(inputs, files=targets)
            with output_errors(out_dir):
                for f, target in zip(files, targets, strict=True):
                    with atomic_path(target) as part:
                        shutil.copyfile(f, part)
            return targets
        wanted = [f for f in files if f.suffix.lower() == suffix]
        if len(wanted) != 1:
            raise UsageError(f"'{soort}' geeft {len(wanted)} documenten; geef een map op met -o")
        assert output is not None
        with output_errors(output), atomic_path(output) as target:
            shutil.copyfile(wanted[0], target)
    return [output]


def build(case_file: Path, *, output: Path | None = None, uwv_dir: Path | None = None,
          dossier: str | None = None, settings: Settings, today: date,
          converter: Converter | None = None) -> BuildResult:
    """Build the complete, indexed PDF re-integration dossier of the case in ``case_file``.

    ``output`` defaults to ``DOSSIERNUMMER.pdf`` in the current folder; ``uwv_dir`` also writes the
    UWV upload set there (a new folder, or this dossier's previous set, which is replaced whole).
    The result lists the findings (``warnings``) and what was written. ``converter``: a started
    converter to reuse (see :func:`make_converter`); None starts LibreOffice for this build.

    Raises:
        UsageError: an output is an input (case file, attachment, template), ``uwv_dir`` holds an
            input or the dossier PDF, or is not empty and not this dossier's previous set.
        AssemblyError: also when the disk is full or read-only (nothing half-written is left).
        CaseDataError: the case is invalid (or, with ``settings.strict``, has warnings or findings).
        AssemblyError: an attachment cannot be used (all problems in ``issues``).
        TemplateRenderError, ConversionError, MissingDependencyError: as their names say.
    """
    from dossier.inputs import refuse_overwrite
    from dossier.pipeline import build_dossier
    from dossier.uwv import check_uwv_dir

    loaded = load_one_case(case_file, dossier=dossier, settings=settings, today=today)
    out = Path(output or Path.cwd() / f"{loaded.case.dossiernummer}.pdf")
    inputs = _case_inputs(loaded, settings)
    # Before any work: nothing written may be an input, and the UWV folder is replaced whole.
    refuse_overwrite(inputs, files=[out, out.with_suffix(".index.json")],
                     folders=[uwv_dir] if uwv_dir is not None else [])
    if uwv_dir is not None:
        if out.resolve().is_relative_to(Path(uwv_dir).resolve()):
            raise UsageError(f"het dossier '{out}' mag niet in de --uwv-map '{uwv_dir}' staan: die map wordt in "
                             "zijn geheel vervangen")
        check_uwv_dir(uwv_dir, loaded.case.dossiernummer)
    return build_dossier(loaded, out=out, settings=settings, today=today, uwv_dir=uwv_dir, converter=converter)


def preflight_attachment(path: Path, *, titel: str, soort: str = "overig", wachtwoord: str | None = None,
                         settings: Settings) -> list[Issue]:
    """Check one attachment file at once, as ``build`` will check it (a web upload, before it is stored).

    The same rules as the build's preflight (:mod:`dossier.attachments`): errors — a medical document,
    an unsupported type, an empty or damaged (beyond repair) file, an encrypted PDF without a working
    ``wachtwoord``; warnings — a scan without a text layer, a repaired file, a file over UWV's 10 MB.
    Messages name ``path.name``; fields are those of one ``bijlagen`` entry (``soort``, ``bestand``).
    Nothing is written next to ``path``.
    """
    from dossier.attachments import check_attachment_file

    with tempfile.TemporaryDirectory(prefix="dossier-preflight-") as tmp:
        return check_attachment_file(Path(path), titel=titel, soort=soort, wachtwoord=wachtwoord,
                                     work=Path(tmp), settings=settings)


def warm_up() -> None:
    """Import now what a build needs (rendering, PDF assembly, the UWV set): for a long-running worker,
    so that its first job does not pay for the imports."""
    for module in ("dossier.pipeline", "dossier.render", "dossier.pdf", "dossier.uwv", "dossier.batch"):
        importlib.import_module(module)


# --- the cache -----------------------------------------------------------------------------


def cache_info(*, settings: Settings) -> CacheInfo:
    """Location, number of entries, size and oldest entry of the cache the settings name."""
    return _cache(settings).info()


def cache_clear(*, settings: Settings, dossier: str | None = None) -> int:
    """Remove every entry of the cache, or only the entries of ``dossier``; returns how many.

    Raises:
        AssemblyError: the cache folder cannot be changed (no permission, read-only).
    """
    from dossier.fileio import output_errors

    cache = _cache(settings)
    with output_errors(cache.root):
        return cache.clear(dossier)


def _cache(settings: Settings) -> Any:
    """The cache folder the settings name (also with ``cache=False``: info and clear still work)."""
    import dataclasses

    from dossier.cache import open_cache

    return open_cache(dataclasses.replace(settings, cache=True))


# --- templates and schema ------------------------------------------------------------------


@dataclass(frozen=True)
class TemplateCheck:
    """What ``check_templates`` found in a folder of templates."""

    issues: list[Issue]

    @property
    def errors(self) -> int:
        return sum(1 for i in self.issues if i.severity is Severity.fout)

    @property
    def warnings(self) -> int:
        return len(self.issues) - self.errors


def list_templates(templates_dir: Path | None = None) -> list[TemplateInfo]:
    """The templates in effect: built-ins, each overridden by a same-named file in ``templates_dir``."""
    from dossier.render.templates import list_templates as _list

    return _list(templates_dir)


def export_templates(dest: Path, *, force: bool = False) -> list[Path]:
    """Copy the built-in templates to ``dest`` to customise them in Word.

    Raises:
        UsageError: a file exists and ``force`` is False (nothing is copied then).
    """
    from dossier.render.templates import export_templates as _export

    return _export(dest, force=force)


def check_templates(directory: Path) -> TemplateCheck:
    """Check every template in ``directory``: syntax, unknown variables, tags broken by Word.

    Raises:
        TemplateRenderError: a template cannot be opened at all.
    """
    from dossier.render.templates import check_templates as _check

    return TemplateCheck(_check(directory))


def case_schema() -> dict[str, Any]:
    """The JSON Schema of a case file."""
    from dossier.model import case_json_schema

    return case_json_schema()


def document_kind_names() -> tuple[str, ...]:
    """The kinds ``render`` takes (besides ``alle``), in RIV order."""
    from dossier.kinds import document_kinds

    return document_kinds()


__all__ = [  # what is defined here, then what loads on first use
    "AssemblyError",
    "BackupResult",
    "BatchFailures",
    "CaseDataError",
    "CASE_STATUSES",
    "CheckReport",
    "CaseOverview",
    "CheckRun",
    "ConversionError",
    "DossierError",
    "ExitCode",
    "Issue",
    "MissingDependencyError",
    "NIVEAUS",
    "Settings",
    "Severity",
    "Stopped",
    "TemplateCheck",
    "TemplateRenderError",
    "UsageError",
    "agenda_ics",
    "backup",
    "build",
    "cache_clear",
    "cache_info",
    "case_data",
    "case_end",
    "case_overview",
    "case_schema",
    "case_timeline",
    "check",
    "check_json",
    "check_templates",
    "configure_logging",
    "default_data_dir",
    "default_settings",
    "document_kind_names",
    "export_templates",
    "field_path",
    "findings",
    "format_timeline",
    "issue_json",
    "iter_checked",
    "list_templates",
    "load_cases",
    "load_one_case",
    "make_converter",
    "parse_today",
    "attachment_files",
    "PlannedDocument",
    "planned_documents",
    "signing_problems",
    "preflight_attachment",
    "render_documents",
    "restore",
    "scrub",
    "stored_case",
    "timelines",
    "today_default",
    "validate_case_data",
    "warm_up",
    "write_output",
    *_LAZY,
]

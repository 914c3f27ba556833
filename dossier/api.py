"""The public library API. Functions raise :class:`~dossier.errors.DossierError`; they never print
or exit, and never import click. The CLI in :mod:`dossier.cli` is a thin adapter over these."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from dossier.errors import CaseDataError, Issue, Severity, UsageError
from dossier.loaders import expand_inputs, iter_records
from dossier.loaders.records import Record
from dossier.model import Case
from dossier.settings import Settings
from dossier.timeline import Tijdlijn, compute_timeline
from dossier.timeline_format import compliance_findings
from dossier.validate import iter_validated


@dataclass(frozen=True)
class LoadedCase:
    """A validated case with the record it came from (for messages and attachment paths)."""

    record: Record
    case: Case

    @property
    def label(self) -> str:
        where = f", {self.record.location}" if self.record.location else ""
        return f"{self.record.source.name}{where}, dossier {self.case.dossiernummer}"


@dataclass
class CheckReport:
    """Everything ``dossier check`` found: validation issues and compliance findings."""

    cases: list[LoadedCase] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    records: int = 0

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self.issues if i.severity is Severity.fout]

    @property
    def warnings(self) -> list[Issue]:
        return [i for i in self.issues if i.severity is Severity.waarschuwing]


@dataclass(frozen=True)
class CaseItem:
    """One record's outcome: the validated case (None when invalid) and its issues.

    ``record`` is None for a file that could not be read at all (its issue says why).
    """

    record: Record | None
    case: Case | None
    issues: list[Issue]

    @property
    def loaded(self) -> LoadedCase | None:
        return LoadedCase(self.record, self.case) if self.record is not None and self.case is not None else None


def iter_cases(paths: list[Path], *, today: date | None = None) -> Iterator[CaseItem]:
    """Stream and validate every case in the given files/folders, one record at a time.

    Memory stays flat however long the input is. An unreadable file yields one item with its error
    and the other files go on.

    Raises:
        UsageError: no case files were given or found.
    """
    files = expand_inputs([Path(p) for p in paths])
    if not files:
        raise UsageError("geen casusbestanden gevonden (verwacht .json, .csv of .xlsx)")
    seen: dict[str, tuple[str, str]] = {}  # across the files too: each dossiernummer names a folder
    for path in files:
        try:
            for record, case, issues in iter_validated(iter_records(path), today=today, seen=seen):
                yield CaseItem(record, case, issues)
        except CaseDataError as e:
            yield CaseItem(None, None, e.issues or [Issue(Severity.fout, path.name, "", "", e.message)])


def iter_checked(paths: list[Path], *, settings: Settings, today: date) -> Iterator[CaseItem]:
    """:func:`iter_cases` plus poortwachter compliance findings and missing document elements."""
    for item in iter_cases(paths, today=today):
        loaded = item.loaded
        if loaded is None:
            yield item
            continue
        tl = compute_timeline(loaded.case, today=today, wia_aanvraag_week=settings.wia_aanvraag_week)
        src, where = loaded.record.source.name, _where(loaded)
        extra = [Issue(Severity.waarschuwing, src, where, code, message)
                 for code, message in compliance_findings(loaded.case, tl)]
        extra += [Issue(Severity.waarschuwing, src, where, fld, message)
                  for fld, message in _missing_data(loaded.case, tl, today=today)]
        yield CaseItem(item.record, item.case, [*item.issues, *extra])


def _collect(items: Iterable[CaseItem]) -> CheckReport:
    report = CheckReport()
    for item in items:
        report.records += item.record is not None
        report.issues.extend(item.issues)
        if item.loaded is not None:
            report.cases.append(item.loaded)
    return report


def load_cases(paths: list[Path], *, today: date | None = None) -> CheckReport:
    """Read and validate every case in the given files/folders; unreadable files become issues."""
    return _collect(iter_cases(paths, today=today))


def check_cases(paths: list[Path], *, settings: Settings, today: date) -> CheckReport:
    """Validate cases and add poortwachter compliance findings (late or missing steps) as warnings."""
    return _collect(iter_checked(paths, settings=settings, today=today))


def _missing_data(case: Case, tl: Tijdlijn, *, today: date) -> list[tuple[str, str]]:
    """Required document elements that are empty (from the render layer, when installed)."""
    try:
        from dossier.render import missing_data
    except ImportError:  # the document layer is optional for plain validation
        return []
    return missing_data(case, tl, today=today)


def _where(loaded: LoadedCase) -> str:
    parts = [loaded.record.location] if loaded.record.location else []
    parts.append(f"dossier {loaded.case.dossiernummer}")
    return ", ".join(parts)


def load_one_case(path: Path, *, dossier: str | None = None, settings: Settings,
                  today: date | None = None) -> LoadedCase:
    """Load exactly one valid case (``dossier`` picks one from a multi-case file).

    Raises:
        CaseDataError: the file is unreadable, the case is invalid, or (with ``settings.strict``)
            has warnings; ``issues`` lists every problem.
        UsageError: the file holds several cases and ``dossier`` was not given or not found.
    """
    report = load_cases([path], today=today)
    chosen = report.cases
    if dossier is not None:
        chosen = [c for c in report.cases if c.case.dossiernummer == dossier]
    relevant = [i for i in report.issues if dossier is None or dossier in i.location or not i.location
                or i.location == "kopregel"]
    errors = [i for i in relevant if i.severity is Severity.fout]
    if dossier is None and errors:
        raise CaseDataError(f"{Path(path).name}: {len(errors)} fout(en) in de casusgegevens", relevant)
    if settings.strict and relevant:
        raise CaseDataError(f"{Path(path).name}: {len(relevant)} melding(en) en --strict staat aan", relevant)
    if not chosen:
        if dossier is not None and errors:
            raise CaseDataError(f"dossier {dossier}: de casusgegevens bevatten fouten", relevant)
        if dossier is not None:
            raise UsageError(f"dossier '{dossier}' niet gevonden in {Path(path).name}")
        raise CaseDataError(f"{Path(path).name}: geen geldige casus gevonden", relevant)
    if len(chosen) > 1:
        nummers = ", ".join(c.case.dossiernummer for c in chosen[:5])
        raise UsageError(f"{Path(path).name} bevat {len(chosen)} casussen ({nummers}, …); "
                         "kies er één met --dossier NUMMER")
    return chosen[0]


def case_timeline(case: Case, *, settings: Settings, today: date) -> Tijdlijn:
    """The poortwachter timeline of a case on a reference date."""
    return compute_timeline(case, today=today, wia_aanvraag_week=settings.wia_aanvraag_week)

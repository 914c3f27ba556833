"""Validated cases as the drivers share them: read, validate and stream, one record at a time.

This sits below :mod:`dossier.api`, :mod:`dossier.pipeline` and :mod:`dossier.batch`, so none of
them needs the public layer above it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from dossier.errors import CaseDataError, Issue, Severity, UsageError
from dossier.loaders import expand_inputs, iter_records
from dossier.loaders.records import Record
from dossier.model import Case
from dossier.validate import iter_validated

if TYPE_CHECKING:
    from dossier.findings import Finding


@dataclass(frozen=True)
class LoadedCase:
    """A validated case with the record it came from (for messages and attachment paths)."""

    record: Record
    case: Case

    @property
    def label(self) -> str:
        where = f", {self.record.location}" if self.record.location else ""
        return f"{self.record.source.name}{where}, dossier {self.case.dossiernummer}"

    @property
    def where(self) -> str:
        """The location used in issues about this case: "regel 7, dossier D-1" or "dossier D-1"."""
        parts = [self.record.location] if self.record.location else []
        parts.append(f"dossier {self.case.dossiernummer}")
        return ", ".join(parts)


@dataclass(frozen=True)
class CaseItem:
    """One record's outcome: the validated case (None when invalid) and its issues.

    ``record`` is None for a file that could not be read at all (its issue says why). ``findings`` are
    those of a checked case (``dossier.api.iter_checked``); each is also in ``issues``, as a warning
    with its ``niveau``.
    """

    record: Record | None
    case: Case | None
    issues: list[Issue]
    findings: list[Finding] = field(default_factory=list)

    @property
    def loaded(self) -> LoadedCase | None:
        return LoadedCase(self.record, self.case) if self.record is not None and self.case is not None else None

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self.issues if i.severity is Severity.fout]


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

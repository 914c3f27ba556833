"""Exceptions and exit codes.

Every failure dossier knows about is a :class:`DossierError` carrying an :class:`ExitCode`.
The library raises; only :mod:`dossier.cli` turns an error into a message and an exit code.
Messages are Dutch because they are shown to users as they are.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass


class ExitCode(enum.IntEnum):
    """Process exit codes (documented in the README).

    ok: everything succeeded.
    bad_args: wrong command-line arguments.
    invalid_data: the case data is invalid (or, with --strict, has warnings).
    missing_dependency: an external program (LibreOffice) is missing.
    template_error: a template is broken or uses an unknown variable.
    conversion_failed: LibreOffice could not convert a document.
    output_error: the dossier could not be assembled or written.
    batch_failures: a batch finished, but some cases failed.
    internal_error: a bug in dossier (please report it).
    interrupted: stopped by the user (Ctrl-C).
    """

    ok = 0
    bad_args = 1
    invalid_data = 2
    missing_dependency = 3
    template_error = 4
    conversion_failed = 5
    output_error = 6
    batch_failures = 7
    internal_error = 10
    interrupted = 130


class Severity(enum.StrEnum):
    """How bad an :class:`Issue` is: ``fout`` blocks, ``waarschuwing`` informs."""

    fout = "fout"
    waarschuwing = "waarschuwing"


@dataclass(frozen=True)
class Issue:
    """One problem found in input, with where it is.

    Attributes:
        severity: fout (error) or waarschuwing (warning).
        source: the file the problem is in (display name, never contains a BSN).
        location: row or case, e.g. "regel 7" or "dossier D-2025-001".
        field: dotted field path, e.g. "werknemer.geboortedatum", or "" for the whole record.
        message: Dutch text saying what is wrong and what was expected.
        niveau: for a finding (``dossier.findings``): loonsanctie-risico, boete or aandachtspunt;
            None for a validation problem.
    """

    severity: Severity
    source: str
    location: str
    field: str
    message: str
    niveau: str | None = None

    def __str__(self) -> str:
        from dossier.privacy import escape_controls  # the issue may quote case data or a file name

        label = f"{self.severity} [{self.niveau}]" if self.niveau else str(self.severity)
        where = ", ".join(p for p in (self.source, self.location, self.field) if p)
        text = f"{label}: {where}: {self.message}" if where else f"{label}: {self.message}"
        return escape_controls(text)


class DossierError(Exception):
    """Base class: raised when dossier cannot do what was asked; carries an exit code.

    Attributes:
        exit_code: what the CLI exits with.
        issues: the located problems behind the error (file, row or case, field), each with its
            own Dutch message; empty when the message says it all.
    """

    exit_code: ExitCode = ExitCode.output_error

    def __init__(
        self, message: str, issues: Iterable[Issue] | None = None, *, exit_code: ExitCode | None = None
    ) -> None:
        super().__init__(message)
        self.issues: list[Issue] = list(issues or [])
        if exit_code is not None:
            self.exit_code = exit_code

    @property
    def message(self) -> str:
        return str(self.args[0]) if self.args else ""


class UsageError(DossierError):
    """Raised when arguments or options do not make sense together."""

    exit_code = ExitCode.bad_args


class CaseDataError(DossierError):
    """Raised when case data cannot be read or is invalid; ``issues`` lists every problem."""

    exit_code = ExitCode.invalid_data


class TemplateRenderError(DossierError):
    """Raised when a template cannot be rendered (syntax error, unknown variable, unsafe access)."""

    exit_code = ExitCode.template_error

    def __init__(
        self, message: str, *, template: str = "", detail: str = "", issues: Iterable[Issue] | None = None
    ) -> None:
        super().__init__(message, issues)
        self.template = template
        self.detail = detail


class MissingDependencyError(DossierError):
    """Raised when an external program dossier needs (LibreOffice) is not installed."""

    exit_code = ExitCode.missing_dependency


class ConversionError(DossierError):
    """Raised when LibreOffice fails to turn a document into a PDF (crash, timeout, no output)."""

    exit_code = ExitCode.conversion_failed


class AssemblyError(DossierError):
    """Raised when the PDF dossier cannot be assembled or an attachment cannot be used."""

    exit_code = ExitCode.output_error


class BatchFailures(DossierError):
    """Raised by the CLI layer when a batch finished but some cases failed."""

    exit_code = ExitCode.batch_failures

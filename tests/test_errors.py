"""Tests for dossier.errors: every error can carry located issues; the subclasses keep their call shape."""

from __future__ import annotations

import pickle

import pytest

from dossier.errors import (
    AssemblyError,
    CaseDataError,
    ConversionError,
    DossierError,
    ExitCode,
    Issue,
    Severity,
    TemplateRenderError,
    UsageError,
)

ISSUE = Issue(Severity.fout, "cases.csv", "regel 7", "werknemer.geboortedatum", "verwacht een datum")


@pytest.mark.parametrize("cls", [DossierError, UsageError, CaseDataError, ConversionError, AssemblyError])
def test_every_error_carries_issues(cls: type[DossierError]) -> None:
    assert cls("mis").issues == []
    err = cls("mis", [ISSUE])
    assert err.issues == [ISSUE] and err.message == "mis"
    assert err.exit_code is cls.exit_code


def test_issues_are_copied_and_exit_code_can_be_overridden() -> None:
    given = [ISSUE]
    err = DossierError("mis", given, exit_code=ExitCode.invalid_data)
    given.append(ISSUE)
    assert err.issues == [ISSUE]
    assert err.exit_code is ExitCode.invalid_data


def test_template_error_keeps_its_keywords_and_takes_issues() -> None:
    err = TemplateRenderError("kapot", template="plan_van_aanpak.docx", detail="{{ x", issues=(ISSUE,))
    assert (err.template, err.detail, err.issues) == ("plan_van_aanpak.docx", "{{ x", [ISSUE])
    assert TemplateRenderError("kapot").issues == []


def test_issues_survive_pickling() -> None:
    """Errors cross process boundaries in a batch with worker processes."""
    for err in (CaseDataError("mis", [ISSUE]), TemplateRenderError("kapot", template="t", issues=[ISSUE])):
        back = pickle.loads(pickle.dumps(err))
        assert type(back) is type(err) and back.issues == [ISSUE] and back.message == err.message

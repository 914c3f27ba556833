"""The readable diff between two versions of a case file."""

from __future__ import annotations

import pytest

pytest.importorskip("fastapi", reason="de web-extra is niet geïnstalleerd (pip install 'dossier[web]')")

from dossier.web.diff import changes


def test_changes_name_fields_as_check_does_and_hide_the_bsn() -> None:
    old = {"werknemer": {"naam": "A", "bsn": "111222333"}, "ziekteperiodes": [{"eerste_ziektedag": "2026-01-05"}],
           "opmerkingen": "weg"}
    new = {"werknemer": {"naam": "B", "bsn": "123456782"},
           "ziekteperiodes": [{"eerste_ziektedag": "2026-01-05", "hersteldatum": "2026-02-01"}]}
    found = {(c.veld, c.soort, c.oud, c.nieuw) for c in changes(old, new)}
    assert found == {("werknemer.naam", "gewijzigd", "A", "B"),
                     ("werknemer.bsn", "gewijzigd", "(verborgen)", "(verborgen)"),
                     ("ziekteperiodes[1].hersteldatum", "toegevoegd", "", "2026-02-01"),
                     ("opmerkingen", "verwijderd", "weg", "")}
    assert changes(new, new) == []
    assert all(c.soort == "toegevoegd" for c in changes(None, new))

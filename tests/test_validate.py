"""Every validation rule, reported with file, row/case, field and what was expected."""

from __future__ import annotations

import copy
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from dossier.errors import Severity
from dossier.loaders.records import Record
from dossier.validate import build_case, validate_records

BASE: dict[str, Any] = {
    "dossiernummer": "V-1", "werkgever": {"naam": "W"}, "werknemer": {"naam": "N"},
    "ziekteperiodes": [{"eerste_ziektedag": "2026-01-05"}],
}


def _issues(data: dict[str, Any], today: date | None = date(2026, 11, 22)) -> list[tuple[str, str, str]]:
    _, issues = build_case(Record(Path("/tmp/casus.json"), "casus 3", data), today=today)
    return [(str(i.severity), i.field, i.message) for i in issues]


def _with(**changes: Any) -> dict[str, Any]:
    data = copy.deepcopy(BASE)
    for dotted, value in changes.items():
        node = data
        parts = dotted.split("__")
        for p in parts[:-1]:
            node = node.setdefault(p, {})
        node[parts[-1]] = value
    return data


def test_contract_minimal_case_is_valid() -> None:
    assert _issues(BASE) == []


def test_every_problem_is_reported_at_once() -> None:
    data = {"dossiernummer": "V/1", "werknemer": {"naam": "N", "bsn": "123456789", "geboortedatum": "31-02-1980"},
            "ziekteperiodes": [{"eerste_ziektedag": "2026-03-01", "hersteldatum": "2026-02-01"}]}
    found = _issues(data)
    fields = {f for _, f, _ in found}
    assert {"dossiernummer", "werkgever.naam", "werknemer.bsn", "werknemer.geboortedatum",
            "ziekteperiodes[1].hersteldatum"} <= fields
    _, issues = build_case(Record(Path("/x/casus.json"), "casus 3", data))
    assert all(i.source == "casus.json" and i.location == "casus 3, dossier V/1" for i in issues)


@pytest.mark.parametrize(
    ("changes", "field", "text", "severity"),
    [
        ({"werknemer__bsn": "123456789"}, "werknemer.bsn", "elfproef", "fout"),
        ({"werknemer__bsn": "12345"}, "werknemer.bsn", "9 cijfers", "fout"),
        ({"werknemer__geboortedatum": "1-13-1980"}, "werknemer.geboortedatum", "DD-MM-JJJJ", "fout"),
        ({"werknemer__geboortedatum": "2020-01-01"}, "werknemer.geboortedatum", "onwaarschijnlijk", "waarschuwing"),
        ({"werknemer__uren_per_week": "80"}, "werknemer.uren_per_week", "hoogstens 60", "fout"),
        ({"werknemer__uren_per_week": "veel"}, "werknemer.uren_per_week", "geen getal", "fout"),
        ({"werknemer__datum_in_dienst": "2026-06-01"}, "werknemer.datum_in_dienst", "na de eerste ziektedag",
         "waarschuwing"),
        ({"werkgever__loonheffingennummer": "12345"}, "werkgever.loonheffingennummer", "9 cijfers, L, 2 cijfers",
         "waarschuwing"),
        ({"werkgever__kvk": "123"}, "werkgever.kvk", "8 cijfers", "waarschuwing"),
        ({"dossiernummer": "../etc"}, "dossiernummer", "mapnaam", "fout"),
        ({"ziekteperiodes": []}, "ziekteperiodes", "niet leeg", "fout"),
        ({"ziekteperiodes": [{"eerste_ziektedag": "2026-01-05"}, {"eerste_ziektedag": "2026-03-01"}]},
         "ziekteperiodes[1].hersteldatum", "alleen de laatste", "fout"),
        ({"ziekteperiodes": [{"eerste_ziektedag": "2026-01-05", "hersteldatum": "2026-02-10"},
                             {"eerste_ziektedag": "2026-02-01"}]},
         "ziekteperiodes[2].eerste_ziektedag", "overlapt", "fout"),
        ({"ziekteperiodes": [{"eerste_ziektedag": "2026-03-05", "hersteldatum": "2026-03-10"},
                             {"eerste_ziektedag": "2026-01-01"}]},
         "ziekteperiodes[2].eerste_ziektedag", "op volgorde", "fout"),
        ({"ziekteperiodes": [{"eerste_ziektedag": "2027-01-05"}]}, "ziekteperiodes[1].eerste_ziektedag",
         "toekomst", "waarschuwing"),
        ({"probleemanalyse": {"datum": "2025-12-01"}}, "probleemanalyse.datum", "vóór de eerste ziektedag",
         "waarschuwing"),
        ({"probleemanalyse": {"datum": "2026-02-10"}, "plan_van_aanpak": {"datum": "2026-02-01"}},
         "plan_van_aanpak.datum", "vóór de probleemanalyse", "waarschuwing"),
        ({"evaluaties": [{"datum": "2026-03-01", "soort": "gesprek"}]}, "evaluaties[1].soort",
         "verwacht 'evaluatie' of 'bijstelling'", "fout"),
        ({"bijlagen": [{"titel": "Medische informatie", "bestand": "m.pdf", "soort": "medisch"}]},
         "bijlagen[1].soort", "medisch document", "waarschuwing"),
        ({"bijlagen": [{"titel": "PA", "bestand": "weg.pdf"}]}, "bijlagen[1].bestand", "niet gevonden",
         "waarschuwing"),
        ({"diagnose": "hernia"}, "diagnose", "medische gegevens", "waarschuwing"),
        ({"werknemer__lievelingskleur": "blauw"}, "werknemer.lievelingskleur", "onbekend veld", "waarschuwing"),
        ({"loonsanctie": {"weken": 0}}, "loonsanctie.weken", "te klein", "fout"),
        ({"dossiernummer": "111222333"}, "dossiernummer", "BSN", "fout"),
        ({"dossiernummer": "D-111222333"}, "dossiernummer", "BSN", "fout"),
        ({"dossiernummer": "D-123456782-2026", "werknemer__bsn": "123456782"}, "dossiernummer", "BSN", "fout"),
        ({"eerstejaarsevaluatie": {"spoor2_nodig": "misschien"}}, "eerstejaarsevaluatie.spoor2_nodig",
         "'ja' of 'nee'", "fout"),
    ],
)
def test_rules(changes: dict[str, Any], field: str, text: str, severity: str) -> None:
    found = _issues(_with(**changes))
    assert any(f == field and text in m and s == severity for s, f, m in found), found


def test_a_dossiernummer_with_nine_digits_in_groups_is_not_a_bsn() -> None:
    # "VZ-2026-51000": its digits 202651000 happen to pass the elfproef, but it holds no BSN
    assert _issues(_with(dossiernummer="VZ-2026-51000")) == []


def test_the_bsn_never_appears_in_a_message() -> None:
    for bsn in ("123456789", "1234567890", "12345678a"):
        for _, _, message in _issues(_with(werknemer__bsn=bsn)):
            assert bsn not in message


def test_duplicate_dossiernummers_in_one_file() -> None:
    records = [Record(Path("x.json"), f"casus {n}", copy.deepcopy(BASE)) for n in (1, 2)]
    cases, issues = validate_records(records)
    assert len(cases) == 1
    assert [i.severity for i in issues] == [Severity.fout]
    assert "komt al voor (casus 1)" in issues[0].message


@pytest.mark.parametrize("nummer", ["CON", "con", "Prn", "AUX", "nul", "COM1", "com9", "LPT1", "lpt9",
                                    "con.txt", "AUX.2025", "NUL .x", "COM0"])
def test_windows_device_names_are_no_dossiernummer(nummer: str) -> None:
    [(severity, fld, message)] = _issues(_with(dossiernummer=nummer))
    assert (severity, fld) == ("fout", "dossiernummer")
    assert message.startswith(f"dossiernummer '{nummer}' is in Windows een gereserveerde apparaatnaam")


@pytest.mark.parametrize("nummer", ["V-1.", "CON.", "lpt3."])
def test_a_dossiernummer_ending_in_a_dot_is_refused(nummer: str) -> None:
    [(severity, fld, message)] = _issues(_with(dossiernummer=nummer))
    assert (severity, fld) == ("fout", "dossiernummer")
    assert "mag niet eindigen op een punt of spatie" in message


def test_a_trailing_space_is_stripped_so_a_device_name_stays_one() -> None:
    assert _issues(_with(dossiernummer="V-1 ")) == []
    [(_, _, message)] = _issues(_with(dossiernummer="aux "))
    assert message.startswith("dossiernummer 'aux' is in Windows een gereserveerde apparaatnaam")


@pytest.mark.parametrize("nummer", ["CONSULT", "COM10", "LPT", "AUXI-1", "V.CON", "NUL1", "con-1"])
def test_names_that_only_look_like_device_names_are_fine(nummer: str) -> None:
    assert _issues(_with(dossiernummer=nummer)) == []


def test_dossiernummers_that_differ_only_in_case_are_an_error_for_the_second() -> None:
    records = [Record(Path("x.json"), f"casus {n}", _with(dossiernummer=nr))
               for n, nr in ((1, "VZ-7"), (2, "vz-7"), (3, "Vz-8"), (4, "VZ-8"))]
    cases, issues = validate_records(records)
    assert [c.dossiernummer for _, c in cases] == ["VZ-7", "Vz-8"]
    assert [(i.location, i.field) for i in issues] == [("casus 2, dossier vz-7", "dossiernummer"),
                                                       ("casus 4, dossier VZ-8", "dossiernummer")]
    assert issues[0].message == ("dossiernummer 'vz-7' verschilt alleen in hoofd- en kleine letters van 'VZ-7' "
                                 "(casus 1); op Windows en macOS wordt dat dezelfde map")


def test_duplicates_across_the_files_of_one_batch_are_found(tmp_path: Path) -> None:
    import json

    from dossier.api import iter_cases

    for name, nr in (("a.json", "VZ-1"), ("b.json", "vz-1"), ("c.json", "VZ-1")):
        (tmp_path / name).write_text(json.dumps(_with(dossiernummer=nr)), encoding="utf-8")
    items = list(iter_cases([tmp_path]))
    assert [item.case is not None for item in items] == [True, False, False]
    assert "van 'VZ-1' (a.json)" in items[1].issues[0].message
    assert "dossiernummer 'VZ-1' komt al voor (a.json)" in items[2].issues[0].message


def test_null_for_a_required_date_is_missing_in_dutch() -> None:
    data = _with()
    data["ziekteperiodes"][0]["eerste_ziektedag"] = None
    assert _issues(data) == [("fout", "ziekteperiodes[1].eerste_ziektedag", "ontbreekt; dit veld is verplicht")]

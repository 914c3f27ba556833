"""Tests for dossier.model_walk: the one walk over a case that validation and privacy share."""

from __future__ import annotations

from datetime import date

from dossier.model_walk import walk_values
from dossier.privacy import NOT_PROSE_FIELDS, scan_case


def test_dates_in_nested_models_and_lists_with_their_paths(make_case) -> None:
    case = make_case(
        ziekteperiodes=[{"eerste_ziektedag": "2026-01-05", "hersteldatum": "2026-02-02"},
                        {"eerste_ziektedag": "2026-03-02"}],
        plan_van_aanpak={"datum": "2026-02-20", "evaluatiemomenten": ["2026-04-01", "2026-05-13"]},
    )
    found = dict(walk_values(case, date))
    assert found == {
        "ziekteperiodes.0.eerste_ziektedag": date(2026, 1, 5),
        "ziekteperiodes.0.hersteldatum": date(2026, 2, 2),
        "ziekteperiodes.1.eerste_ziektedag": date(2026, 3, 2),
        "plan_van_aanpak.datum": date(2026, 2, 20),
        "plan_van_aanpak.evaluatiemomenten.0": date(2026, 4, 1),
        "plan_van_aanpak.evaluatiemomenten.1": date(2026, 5, 13),
    }


def test_skip_drops_values_by_name_but_still_walks_nested_models(make_case) -> None:
    case = make_case(werkgever={"naam": "Bakkerij B.V.", "plaats": "Zwolle"})
    by_model = dict(walk_values(case, str, skip=frozenset({"werkgever"})))
    assert by_model["werkgever.naam"] == "Bakkerij B.V."  # a model named in skip is still walked
    by_name = dict(walk_values(case, str, skip=frozenset({"naam"})))
    assert "werkgever.naam" not in by_name and "werknemer.naam" not in by_name
    assert by_name["werkgever.plaats"] == "Zwolle"


def test_privacy_scans_exactly_the_prose_the_walk_yields(make_case) -> None:
    case = make_case(opmerkingen="Werknemer heeft rugklachten.",
                     plan_van_aanpak={"doel_kort": "Gaat naar de fysiotherapeut."},
                     werknemer={"naam": "Jan Rugpijn"})  # a name is never scanned
    paths = {path for path, _ in walk_values(case, str, skip=NOT_PROSE_FIELDS)}
    assert {"opmerkingen", "plan_van_aanpak.doel_kort"} <= paths
    assert "werknemer.naam" not in paths
    assert {path for path, _ in scan_case(case)} == {"opmerkingen", "plan_van_aanpak.doel_kort"}

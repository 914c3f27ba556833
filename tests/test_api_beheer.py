"""dossier.api for the web application's data: the end of a case, its JSON, a stored case."""

from __future__ import annotations

import copy
from datetime import date
from typing import Any

import dossier.api as api

TODAY = date(2026, 11, 23)


def _case(base: dict[str, Any], **changes: Any) -> api.Case:
    data = copy.deepcopy(base)
    for key, value in changes.items():
        section, _, field = key.partition("__")
        if field:
            data[section][field] = value
        else:
            data[key] = value
    case, issues = api.validate_case_data(data, today=TODAY)
    assert case is not None, issues
    return case


def test_case_end_is_recovery_exit_or_the_end_of_the_waiting_time(case_data) -> None:
    settings = api.Settings()
    assert api.case_end(_case(case_data), settings=settings, today=TODAY) is None  # still sick
    fit = _case(case_data, ziekteperiodes=[{"eerste_ziektedag": "2026-01-05", "hersteldatum": "2026-03-01"}])
    assert api.case_end(fit, settings=settings, today=TODAY) == (date(2026, 3, 1), "hersteld")
    assert api.case_end(fit, settings=settings, today=date(2026, 2, 1)) is None  # not yet on that day
    left = _case(case_data, werknemer__datum_uit_dienst="2026-06-30")
    assert api.case_end(left, settings=settings, today=TODAY) == (date(2026, 6, 30), "uit dienst")
    long_ago = _case(case_data, ziekteperiodes=[{"eerste_ziektedag": "2022-01-03"}])
    end = api.case_end(long_ago, settings=settings, today=TODAY)
    assert end is not None and end[1] == "einde wachttijd" and date(2023, 12, 1) < end[0] < date(2024, 2, 1)


def test_case_data_and_stored_case_round_trip(samples_dir) -> None:
    for item in api.iter_cases([samples_dir / "verzuim_export.csv", samples_dir / "casus_kuipers.json"],
                               today=TODAY):
        if item.case is None:
            continue
        data = api.case_data(item.case)
        assert api.validate_case_data(data, today=TODAY)[0] == item.case
        assert api.stored_case(item.record.data) == item.case
    assert api.stored_case({"dossiernummer": "X"}) is None

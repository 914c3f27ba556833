"""Shared fixtures: sample and data folders, a case factory, and a LibreOffice skip marker."""

from __future__ import annotations

import copy
import shutil
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
DATA = Path(__file__).resolve().parent / "data"

MINIMAL_CASE: dict[str, Any] = {
    "dossiernummer": "T-001",
    "werkgever": {"naam": "Testbedrijf B.V."},
    "werknemer": {"naam": "Jan Test"},
    "ziekteperiodes": [{"eerste_ziektedag": "2026-01-05"}],
}


@pytest.fixture(scope="session")
def samples_dir() -> Path:
    return SAMPLES


@pytest.fixture(scope="session")
def data_dir() -> Path:
    return DATA


@pytest.fixture
def case_data() -> dict[str, Any]:
    """A fresh copy of the minimal valid case (the contract's four fields)."""
    return copy.deepcopy(MINIMAL_CASE)


@pytest.fixture
def make_case():
    """Factory: a validated Case from the minimal case with overrides (dotted keys allowed)."""
    from dossier.loaders.paths import unflatten
    from dossier.model import Case

    def factory(**overrides: Any) -> Case:
        data = copy.deepcopy(MINIMAL_CASE)
        for key, value in overrides.items():
            if "__" in key:
                nested = unflatten({key.replace("__", "."): value})
                _deep_merge(data, nested)
            else:
                data[key] = value
        return Case.model_validate(data)

    return factory


def _deep_merge(into: dict[str, Any], new: dict[str, Any]) -> None:
    for k, v in new.items():
        if isinstance(v, dict) and isinstance(into.get(k), dict):
            _deep_merge(into[k], v)
        else:
            into[k] = v


def have_soffice() -> bool:
    return shutil.which("soffice") is not None


requires_soffice = pytest.mark.skipif(not have_soffice(), reason="LibreOffice (soffice) is niet geïnstalleerd")

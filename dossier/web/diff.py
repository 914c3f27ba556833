"""What changed between two versions of a case file, for people: one line per changed field."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

#: Fields whose values are never shown (a BSN in a diff would end up on screens and in screenshots).
HIDDEN = ("bsn",)
MAX_VALUE = 80


@dataclass(frozen=True)
class Change:
    veld: str  # as users know it: ziekteperiodes[1].hersteldatum (1-based)
    soort: str  # toegevoegd | gewijzigd | verwijderd
    oud: str
    nieuw: str


def flatten(data: Any, prefix: str = "") -> dict[str, Any]:
    """Every leaf of a case file by its field name (lists 1-based, as in check's messages)."""
    out: dict[str, Any] = {}
    if isinstance(data, dict):
        for key, value in data.items():
            out.update(flatten(value, f"{prefix}.{key}" if prefix else str(key)))
    elif isinstance(data, list) and data:
        for i, value in enumerate(data, 1):
            out.update(flatten(value, f"{prefix}[{i}]"))
    else:
        out[prefix] = data
    return out


def _show(field: str, value: Any) -> str:
    if value is None or value == "" or value == []:
        return ""
    if field.rsplit(".", 1)[-1] in HIDDEN:
        return "(verborgen)"
    text = str(value)
    return text if len(text) <= MAX_VALUE else text[: MAX_VALUE - 1] + "…"


def changes(old: dict[str, Any] | None, new: dict[str, Any]) -> list[Change]:
    """The fields that differ from ``old`` to ``new`` (everything is "toegevoegd" for a first version)."""
    a, b = flatten(old or {}), flatten(new)
    out = []
    for field in sorted(set(a) | set(b)):
        before, after = a.get(field), b.get(field)
        if before == after:
            continue
        soort = "toegevoegd" if field not in a else "verwijderd" if field not in b else "gewijzigd"
        out.append(Change(field, soort, _show(field, before), _show(field, after)))
    return out

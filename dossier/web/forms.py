"""The basic-data form of a case: dotted field names in, the case file's dict out.

Form fields are named by their path in the case model (``werknemer.bsn``,
``ziekteperiodes.0.eerste_ziektedag``), so a validation issue's field (via
:func:`dossier.api.field_path`) is the name of the input it belongs to. Saving a form changes only
the fields the form shows: everything else in the case file stays as it was.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from dossier import api


@dataclass(frozen=True)
class Field:
    path: str
    label: str
    kind: str = "text"  # text | date | number
    hint: str = ""


WERKNEMER = (
    Field("werknemer.naam", "Naam"),
    Field("werknemer.bsn", "BSN", hint="9 cijfers; wordt nergens in een adres of titel getoond"),
    Field("werknemer.geboortedatum", "Geboortedatum", "date"),
    Field("werknemer.functie", "Functie"),
    Field("werknemer.uren_per_week", "Uren per week", "number"),
    Field("werknemer.datum_in_dienst", "In dienst sinds", "date"),
)
WERKGEVER = (
    Field("werkgever.naam", "Naam"),
    Field("werkgever.kvk", "KvK-nummer"),
    Field("werkgever.loonheffingennummer", "Loonheffingennummer"),
)
PERIODE = (
    Field("eerste_ziektedag", "Eerste ziektedag", "date"),
    Field("hersteldatum", "Hersteldatum", "date"),
)
SIMPLE = (Field("dossiernummer", "Dossiernummer"), *WERKNEMER, *WERKGEVER)
_PERIOD_KEY = re.compile(r"ziekteperiodes\.(\d{1,3})\.(eerste_ziektedag|hersteldatum)")


def get_path(data: Any, path: str) -> Any:
    node = data
    for part in path.split("."):
        if isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        elif isinstance(node, dict):
            node = node.get(part)
        else:
            return None
    return node


def _set(data: dict[str, Any], path: str, value: str) -> None:
    *parents, last = path.split(".")
    node = data
    for part in parents:
        if not isinstance(node.get(part), dict):
            if not value:
                return
            node[part] = {}
        node = node[part]
    if value:
        node[last] = value
    else:
        node.pop(last, None)


def apply_form(data: dict[str, Any], form: Mapping[str, str], *, new: bool) -> dict[str, Any]:
    """``data`` with the form's fields put in (an empty input removes the field)."""
    out = copy.deepcopy(data)
    for f in SIMPLE:
        if f.path == "dossiernummer" and not new:
            continue
        _set(out, f.path, str(form.get(f.path, "")).strip())
    rows: dict[int, dict[str, str]] = {}
    for key, value in form.items():
        if m := _PERIOD_KEY.fullmatch(key):
            rows.setdefault(int(m.group(1)), {})[m.group(2)] = str(value).strip()
    old = out.get("ziekteperiodes") if isinstance(out.get("ziekteperiodes"), list) else []
    periods = []
    for i in sorted(rows):
        if not any(rows[i].values()):
            continue  # an empty row is no period
        period = copy.deepcopy(old[i]) if i < len(old) and isinstance(old[i], dict) else {}
        for name, value in rows[i].items():
            _set(period, name, value)
        periods.append(period)
    out["ziekteperiodes"] = periods
    return out


def as_input(value: Any, kind: str) -> tuple[str, str]:
    """(input type, value) for showing a stored value: dates as ISO for ``<input type=date>``;
    a date the browser cannot show stays a text input, so nothing is lost."""
    if value is None:
        return ("date" if kind == "date" else "text"), ""
    text = str(value)
    if kind == "date":
        try:
            return "date", api.parse_today(text).isoformat()
        except ValueError:
            return "text", text
    return "text", text


def errors_by_field(issues: list[api.Issue]) -> dict[str, list[api.Issue]]:
    out: dict[str, list[api.Issue]] = {}
    for issue in issues:
        out.setdefault(api.field_path(issue.field), []).append(issue)
    return out


def period_count(data: Any) -> int:
    periods = get_path(data, "ziekteperiodes")
    return len(periods) if isinstance(periods, list) else 0

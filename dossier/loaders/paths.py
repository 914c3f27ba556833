"""Column headers → dotted field paths, and dotted paths → nested dicts."""

from __future__ import annotations

import re
from functools import cache
from typing import Any, get_args, get_origin

from pydantic import BaseModel

#: Headers that real verzuim exports and casemanagers' spreadsheets use, mapped to the canonical
#: dotted path. Keys are already normalised (see :func:`normalise_header`).
HEADER_ALIASES: dict[str, str] = {
    "eerste_ziektedag": "ziekteperiodes.0.eerste_ziektedag",
    "ziektedatum": "ziekteperiodes.0.eerste_ziektedag",
    "hersteldatum": "ziekteperiodes.0.hersteldatum",
    "herstelmelding": "ziekteperiodes.0.hersteldatum",
    "dossier": "dossiernummer",
    "dossier_nummer": "dossiernummer",
    "werkgever": "werkgever.naam",
    "werknemer": "werknemer.naam",
    "naam_werknemer": "werknemer.naam",
    "bsn": "werknemer.bsn",
    "burgerservicenummer": "werknemer.bsn",
    "functie": "werknemer.functie",
    "loonheffingennummer": "werkgever.loonheffingennummer",
    "datum_probleemanalyse": "probleemanalyse.datum",
    "datum_plan_van_aanpak": "plan_van_aanpak.datum",
    "datum_ziekmelding_uwv": "ziekmelding_uwv.datum",
    "datum_eerstejaarsevaluatie": "eerstejaarsevaluatie.datum",
    "datum_eindevaluatie": "eindevaluatie.datum",
    "datum_uit_dienst": "werknemer.datum_uit_dienst",
    "uit_dienst": "werknemer.datum_uit_dienst",
    "datum_ziekmelding_uit_dienst": "ziekmelding_uit_dienst.datum",
    "vangnet": "ziekteperiodes.0.vangnet",
    "vangnetregeling": "ziekteperiodes.0.vangnet",
    "datum_vangnetmelding": "ziekteperiodes.0.vangnet_gemeld",
    "loon_nu": "eindevaluatie.bruto_maandloon_nu",
    "uren_nu": "eindevaluatie.uren_per_week_nu",
}

#: Keys that would hold medical details. They are never read; the warning says why.
MEDICAL_KEYS = {"diagnose", "ziekte", "klachten", "symptomen", "behandeling", "medicatie",
                "oorzaak", "aandoening", "medisch", "ziekteoorzaak"}


def normalise_header(header: str) -> str:
    """``' Werknemer.Naam '`` → ``werknemer.naam``; ``Eerste ziektedag`` → ``eerste_ziektedag``."""
    text = header.strip().lower().replace("\ufeff", "")
    text = re.sub(r"\s+", "_", text)
    text = text.replace("re-integratie", "reintegratie").replace("-", "_")
    # ziekteperiodes[1].x (1-based, as messages show it) → ziekteperiodes.0.x (0-based index).
    # ASCII digits only, and few of them: int() of thousands of digits raises instead of converting.
    text = re.sub(r"\[([0-9]{1,9})\]", lambda m: f".{max(int(m.group(1)) - 1, 0)}", text)
    return text


def canonical_path(header: str) -> str:
    """The dotted case-file path a column header stands for."""
    norm = normalise_header(header)
    return HEADER_ALIASES.get(norm, norm)


#: Highest list index (0-based) a dotted path may use. A path beyond it is not read, so a hostile
#: header such as ``ziekteperiodes[1000000000].x`` cannot make the reader build a huge list.
MAX_LIST_INDEX = 9_999


def is_index(part: str) -> bool:
    """True for a path part that addresses a list item (ASCII digits: ``"0"``, ``"12"``)."""
    return part.isascii() and part.isdigit()


def list_index(part: str) -> int | None:
    """The list index a path part stands for; None when it is no index or above :data:`MAX_LIST_INDEX`."""
    if not is_index(part) or len(part) > len(str(MAX_LIST_INDEX)):
        return None
    index = int(part)
    return index if index <= MAX_LIST_INDEX else None


def unflatten(flat: dict[str, Any]) -> dict[str, Any]:
    """``{"a.b": 1, "l.0.x": 2}`` → ``{"a": {"b": 1}, "l": [{"x": 2}]}`` (numeric parts = list index).

    A path is left out when it would run into a plain value that an earlier path set (columns
    ``a`` and ``a.b`` both filled), when it names a field inside a list, or when its list index is
    above :data:`MAX_LIST_INDEX`; the model then reports what is missing or wrong.
    """
    root: dict[str, Any] = {}
    for path, value in flat.items():
        parts = path.split(".")
        node: Any = root
        for i, part in enumerate(parts):
            last = i == len(parts) - 1
            nxt: Any = value if last else ([] if is_index(parts[i + 1]) else {})
            if isinstance(node, list):
                idx = list_index(part)
                if idx is None:
                    break
                while len(node) <= idx:
                    node.append(None)
                if last or node[idx] is None:
                    node[idx] = nxt
                node = node[idx]
            elif isinstance(node, dict):
                if last:
                    node[part] = nxt
                else:
                    node = node.setdefault(part, nxt)
            else:
                break  # an earlier path put a plain value here
    return _drop_list_holes(root)


def _drop_list_holes(node: Any) -> Any:
    if isinstance(node, dict):
        return {k: _drop_list_holes(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_drop_list_holes(v) for v in node if v is not None]
    return node


def submodel(annotation: Any) -> type[BaseModel] | None:
    """The pydantic model inside ``X | None`` or ``list[X]`` annotations, if any."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in get_args(annotation):
        found = submodel(arg)
        if found is not None:
            return found
    return None


@cache
def _fields(model: type[BaseModel]) -> dict[str, tuple[type[BaseModel] | None, bool]]:
    """field name → (nested model or None, is-a-list)."""
    out = {}
    for name, info in model.model_fields.items():
        ann = info.annotation
        is_list = get_origin(ann) is list
        out[name] = (submodel(ann), is_list)
    return out


def unknown_keys(model: type[BaseModel], data: Any, prefix: str = "") -> list[str]:
    """Dotted paths in ``data`` that ``model`` does not know (reported as warnings)."""
    found: list[str] = []
    if not isinstance(data, dict):
        return found
    fields = _fields(model)
    for key, value in data.items():
        path = f"{prefix}{key}"
        if key not in fields:
            found.append(path)
            continue
        sub, is_list = fields[key]
        if sub is None:
            continue
        if is_list and isinstance(value, list):
            for i, item in enumerate(value):
                found.extend(unknown_keys(sub, item, f"{path}.{i}."))
        elif isinstance(value, dict):
            found.extend(unknown_keys(sub, value, f"{path}."))
    return found

"""Forms generated from the case model: one per section of a case, every field of :class:`dossier.api.Case`.

The pydantic model is the one source: a field's type picks its input (a date → ``<input type="date">``,
a closed vocabulary → a select, ja/nee → a select, a list of objects → repeatable rows, a nested object →
a fieldset), its attribute docstring is the hint, and :data:`LABELS` only fixes names that read badly
when spelled out. A new field in the model shows up in its section's form with no new HTML.

Inputs are named by their dotted path in the case file (``plan_van_aanpak.activiteiten.2.wat``), so a
validation issue's field (via :func:`dossier.api.field_path`) is the name of the input it belongs to.
Posting a section replaces the fields that section shows and keeps everything else of the case file.
"""

from __future__ import annotations

import copy
import datetime as dt
import re
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from typing import Any, Literal, Union

from dossier import api
from dossier.web.forms import as_input, get_path

#: Labels where the field name spelled out ("eens_met_riv" → "Eens met riv") reads badly.
LABELS = {
    "bsn": "BSN", "kvk": "KvK-nummer", "email": "E-mail", "reintegratiebedrijf": "Re-integratiebedrijf",
    "doel_kort": "Doel op korte termijn", "doel_lang": "Doel op lange termijn (einddoel)",
    "spoor1": "Conclusie spoor 1", "spoor2_nodig": "Tweede spoor nodig",
    "eens_met_riv": "Eens met het re-integratieverslag",
    "spoor2_mogelijkheden": "Mogelijkheden in het tweede spoor", "advies_uren_spoor2": "Advies uren per week spoor 2",
    "passend_werk_intern": "Passend werk bij de eigen werkgever", "doel_jaar2": "Doel voor het tweede jaar",
    "bruto_maandloon_nu": "Bruto maandloon nu", "uren_per_week_nu": "Uren per week nu",
    "kopie_riv_werknemer": "Kopie re-integratieverslag aan werknemer", "datum_in_dienst": "In dienst sinds",
    "datum_uit_dienst": "Uit dienst per", "vangnet_gemeld": "Vangnet gemeld bij UWV", "reden": "Reden",
    "zwangerschapsverlof": "Zwangerschaps- en bevallingsverlof", "opgesteld_door": "Opgesteld door",
    "eerste_ziektedag": "Eerste ziektedag", "periode_van": "Periode van", "periode_tot": "Periode tot en met",
    "verlengd_op": "Verlengd op", "oorspronkelijk_einde": "Oorspronkelijke einddatum", "wie": "Wie", "wat": "Wat",
    "reintegratiebedrijf_datum": "Re-integratiebedrijf", "door": "Door", "scan": "Ondertekende scan",
    "werkervaringsplaats": "Werkervaringsplaats (uren per week)", "eigen_werk": "Eigen werk",
    "ander_werk": "Ander werk",
}
#: Labels that depend on the object a field is in (the same name means another thing there).
CONTEXT_LABELS = {
    ("Ondertekening", "werkgever"): "Getekend door de werkgever op",
    ("Ondertekening", "werknemer"): "Getekend door de werknemer op",
    ("Ondertekening", "reintegratiebedrijf"): "Getekend door het re-integratiebedrijf op",
    ("Ondertekening", "datum"): "Datum van het document",
    ("GewerkteUren", "eigen_werk"): "Eigen werk (uren per week)",
    ("GewerkteUren", "ander_werk"): "Ander werk (uren per week)",
    ("ArbeidsdeskundigOnderzoek", "eigen_werk"): "Eigen werk",
}
#: Label of one row of a list (the list's name → the row's noun).
ROW_LABELS = {
    "ziekteperiodes": "Ziekteperiode", "activiteiten": "Activiteit", "bijstellingen": "Bijstelling",
    "evaluaties": "Evaluatie", "voortgang": "Voortgang", "evaluatiemomenten": "Evaluatiemoment",
    "stappen": "Stap", "sollicitaties": "Sollicitatie", "werkervaringsplaatsen": "Werkervaringsplaats",
    "inspanningsrapportages": "Rapportageperiode", "belastbare_uren": "Oordeel", "gewerkte_uren": "Periode",
    "ondertekeningen": "Ondertekening",
}
#: Text fields that are short (one line); every other free text gets a text area.
SHORT = {"naam", "functie", "organisatie", "telefoon", "email", "adres", "postcode", "plaats",
         "loonheffingennummer", "kvk", "sector", "bsn", "personeelsnummer", "wie", "status", "stand",
         "bureau", "werkgever", "spoor", "opleiding", "verwachte_duur", "titel", "auteur", "bestand", "scan",
         "document", "dossiernummer"}
#: Fields a form carries along unchanged (set elsewhere: a signed scan comes with its upload).
HIDDEN = {("Ondertekening", "scan")}


@dataclass(frozen=True)
class Input:
    """One input. ``kind``: text, textarea, date, number, int, termijn, janee, select or hidden."""

    name: str
    label: str
    kind: str = "text"
    hint: str = ""
    required: bool = False
    choices: tuple[str, ...] = ()
    default: str = ""
    """The model's default when left empty (shown in an empty select)."""


@dataclass(frozen=True)
class Group:
    """A nested object (a fieldset) with its fields."""

    name: str
    label: str
    fields: tuple[Node, ...] = field(default=())
    hint: str = ""
    required: bool = False


@dataclass(frozen=True)
class Repeat:
    """A list: repeatable rows of ``item`` (a Group, or an Input for a list of dates or texts)."""

    name: str
    label: str
    item: Group | Input
    row_label: str
    hint: str = ""


Node = Input | Group | Repeat


@dataclass(frozen=True)
class Section:
    """One form of a case: its slug (in the URL), title and the model paths it shows."""

    slug: str
    title: str
    paths: tuple[str, ...]
    nodes: tuple[Node, ...] = field(default=())


#: The sections of a case, in the order of the re-integration (paths are dotted model paths; a
#: section that shows a part of an object leaves out what another section shows).
SECTIONS_SPEC: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("basis", "Werknemer en werkgever", ("werknemer", "werkgever")),
    ("betrokkenen", "Betrokkenen", ("casemanager", "bedrijfsarts", "arbeidsdeskundige", "reintegratiebedrijf")),
    ("ziekteperiodes", "Ziekteperiodes", ("ziekteperiodes",)),
    ("probleemanalyse", "Probleemanalyse", ("probleemanalyse",)),
    ("bijstellingen", "Bijstellingen van de probleemanalyse", ("probleemanalyse.bijstellingen",)),
    ("plan-van-aanpak", "Plan van aanpak", ("plan_van_aanpak",)),
    ("evaluaties", "Evaluaties en bijstellingen van het plan", ("evaluaties",)),
    ("meldingen", "Meldingen bij UWV", ("ziekmelding_uwv", "ziekmelding_uit_dienst", "wia_aanvraag")),
    ("eerstejaarsevaluatie", "Eerstejaarsevaluatie", ("eerstejaarsevaluatie",)),
    ("tweede-spoor", "Tweede spoor", ("tweede_spoor", "inspanningsrapportages")),
    ("sollicitaties", "Sollicitaties", ("tweede_spoor.sollicitaties",)),
    ("werkervaringsplaatsen", "Werkervaringsplaatsen", ("tweede_spoor.werkervaringsplaatsen",)),
    ("arbeidsdeskundig-onderzoek", "Arbeidsdeskundig onderzoek", ("arbeidsdeskundig_onderzoek",)),
    ("uren", "Belastbaarheid en gewerkte uren", ("belastbare_uren", "gewerkte_uren", "spoor1_niet_haalbaar")),
    ("actueel-oordeel", "Actueel oordeel", ("actueel_oordeel",)),
    ("eindevaluatie", "Eindevaluatie en oordeel werknemer", ("eindevaluatie", "oordeel_werknemer")),
    ("loonsanctie", "Loonsanctie en verlenging", ("loonsanctie", "vrijwillige_verlenging")),
    ("ondertekening", "Ondertekening", ("ondertekeningen",)),
    ("opmerkingen", "Opmerkingen", ("opmerkingen",)),
)
#: Model paths every section but their own leaves out.
_ELSEWHERE = {p for _, _, paths in SECTIONS_SPEC for p in paths if "." in p}
#: Fields of the case no section form shows (uploads keep them; the dossiernummer never changes).
NOT_IN_FORMS = ("dossiernummer", "bijlagen")


# --- from the model to form nodes ----------------------------------------------------------


def label_for(name: str, owner: str = "") -> str:
    if (owner, name) in CONTEXT_LABELS:
        return CONTEXT_LABELS[(owner, name)]
    return LABELS.get(name) or (name[:1].upper() + name[1:].replace("_", " "))


def _strip(tp: Any) -> tuple[Any, bool]:
    """(the type without Annotated and None, whether None was allowed)."""
    optional = False
    while True:
        origin = typing.get_origin(tp)
        if origin is typing.Annotated:
            tp = typing.get_args(tp)[0]
        elif origin in (Union, types.UnionType):
            args = [a for a in typing.get_args(tp) if a is not type(None)]
            optional = optional or len(args) < len(typing.get_args(tp))
            if len(args) == 1:
                tp = args[0]
            else:
                return tuple(args), optional
        else:
            return tp, optional


def _is_model(tp: Any) -> bool:
    return isinstance(tp, type) and hasattr(tp, "model_fields")


def _leaf(name: str, tp: Any, owner: str, hint: str, required: bool, default: Any = None) -> Input:
    label = label_for(name, owner)
    if (owner, name) in HIDDEN:
        return Input(name, label, "hidden", hint, required)
    if name == "document" and owner == "Ondertekening":
        return Input(name, label, "select", hint, required, tuple(api.document_kind_names()))
    if isinstance(tp, tuple):  # date | str: a termijn ("per direct" or a date)
        return Input(name, label, "termijn", hint, required)
    if typing.get_origin(tp) is Literal:
        return Input(name, label, "select", hint, required, tuple(str(a) for a in typing.get_args(tp)),
                     default if isinstance(default, str) else "")
    kind = {dt.date: "date", Decimal: "number", bool: "janee", int: "int"}.get(tp)
    if kind is None:
        kind = "text" if name in SHORT else "textarea"
    return Input(name, label, kind, hint, required)


def node_for(name: str, info: Any, owner: str = "") -> Node:
    """The form node of one model field (``info``: its pydantic FieldInfo)."""
    hint = (info.description or "").strip()
    tp, optional = _strip(info.annotation)
    required = info.is_required() and not optional
    if typing.get_origin(tp) is list:
        item_tp, _ = _strip(typing.get_args(tp)[0])
        row = ROW_LABELS.get(name, label_for(name))
        item: Group | Input = (_group(row, row, item_tp) if _is_model(item_tp)
                               else _leaf(name, item_tp, owner, "", True))
        if isinstance(item, Input):
            item = Input("", row, item.kind, "", True, item.choices)
        return Repeat(name, label_for(name, owner), item, row, hint)
    if _is_model(tp):
        return _group(name, label_for(name, owner), tp, hint, required)
    return _leaf(name, tp, owner, hint, required, info.default)


def _group(name: str, label: str, model: Any, hint: str = "", required: bool = False) -> Group:
    nodes = tuple(node_for(n, info, model.__name__) for n, info in model.model_fields.items())
    return Group(name, label, nodes, hint, required)


def _case_node(path: str) -> Node:
    model = api.Case
    parts = path.split(".")
    for part in parts[:-1]:
        tp, _ = _strip(model.model_fields[part].annotation)
        model = tp
    return node_for(parts[-1], model.model_fields[parts[-1]], model.__name__)


def _without(node: Node, path: str, skip: set[str]) -> Node:
    """``node`` without the children whose full path another section shows."""
    if not isinstance(node, Group):
        return node
    kept = tuple(_without(n, f"{path}.{n.name}", skip) for n in node.fields if f"{path}.{n.name}" not in skip)
    return Group(node.name, node.label, kept, node.hint, node.required)


@cache
def sections() -> tuple[Section, ...]:
    out = []
    for slug, title, paths in SECTIONS_SPEC:
        nodes = tuple(_without(_case_node(p), p, _ELSEWHERE - {p}) for p in paths)
        out.append(Section(slug, title, paths, nodes))
    return tuple(out)


def section(slug: str) -> Section | None:
    return next((s for s in sections() if s.slug == slug), None)


#: Milestone codes (a late step's finding names its milestone) that are not a model path themselves.
_MILESTONE_PATHS = {"evaluatie": "evaluaties", "ziekmelding_vangnet": "ziekteperiodes",
                    "eindevaluatie": "eindevaluatie", "wia_brief": "wia_aanvraag"}


def section_for(veld: str) -> Section | None:
    """The section whose form holds a finding's or issue's field (``inspanningsrapportages[5]``, a milestone
    code), for a link from the case page; None when no form shows it."""
    path = api.field_path(veld)
    path = _MILESTONE_PATHS.get(path, path)
    best: tuple[int, Section] | None = None
    for sec in sections():
        for p in sec.paths:
            if (path == p or path.startswith(p + ".")) and (best is None or len(p) > best[0]):
                best = (len(p), sec)
    return best[1] if best else None


def find_repeat(list_path: str) -> tuple[Section, Repeat] | None:
    """The section and list node of a list input path (row numbers in it ignored): the add-a-row route."""
    names = [p for p in list_path.split(".") if not p.isdigit()]
    for sec in sections():
        for path, node in zip(sec.paths, sec.nodes, strict=True):
            prefix = path.split(".")
            if names[:len(prefix)] != prefix:
                continue
            found: Node | None = node
            for name in names[len(prefix):]:
                if isinstance(found, Repeat):
                    found = found.item
                found = next((n for n in found.fields if n.name == name), None) if isinstance(found, Group) else None
            if isinstance(found, Repeat):
                return sec, found
    return None


# --- values: the case file → inputs, the posted form → the case file -----------------------


def shown(value: Any, kind: str) -> tuple[str, str]:
    """(input type, text) of a stored value. A stored date the browser cannot show (not ISO) is shown as
    a text input, so nothing is lost."""
    if kind == "janee" and value is not None:
        if isinstance(value, bool):
            return "select", "ja" if value else "nee"
        text = str(value).strip().lower()
        if text in ("ja", "nee"):
            return "select", text
        return "text", str(value)  # as typed elsewhere ("j", "true"): shown, and checked by the model
    input_type, text = as_input(value, kind)
    return (kind if value is not None and kind != "date" else input_type), text


def _tree(form: Mapping[str, str], roots: tuple[str, ...]) -> dict[str, Any]:
    """The posted inputs under ``roots`` as a nested dict (row numbers stay dict keys)."""
    tree: dict[str, Any] = {}
    for key, value in form.items():
        if not any(key == r or key.startswith(r + ".") for r in roots):
            continue
        if not re.fullmatch(r"[a-z0-9_]+(\.[a-z0-9_]+){0,8}", key):
            continue
        node = tree
        *parents, last = key.split(".")
        for part in parents:
            nxt = node.setdefault(part, {})
            if not isinstance(nxt, dict):
                break
            node = nxt
        else:
            if not isinstance(node.get(last), dict):
                node[last] = value
    return tree


def _number(text: str) -> Any:
    """An integer as a JSON number; anything else as typed (the model reads "12,5" and reports the rest)."""
    return int(text) if re.fullmatch(r"-?\d{1,15}", text) else text


def _leaf_value(node: Input, raw: Any) -> Any:
    if not isinstance(raw, str):
        return None
    text = raw.strip()
    if not text:
        return None
    if node.kind == "janee":
        return {"ja": True, "nee": False}.get(text, text)
    if node.kind in ("number", "int"):
        return _number(text)
    return text


def value_of(node: Node, raw: Any) -> Any:
    """The case-file value of one node from its posted inputs; None (or []) when nothing was filled in."""
    if isinstance(node, Input):
        return _leaf_value(node, raw)
    if isinstance(node, Repeat):
        if not isinstance(raw, dict):
            return []
        rows = [value_of(node.item, raw[k]) for k in sorted((k for k in raw if k.isdigit()), key=int)]
        return [r for r in rows if r is not None]
    if not isinstance(raw, dict):
        return None
    out = {}
    for child in node.fields:
        v = value_of(child, raw.get(child.name))
        if v is not None and v != []:
            out[child.name] = v
    return out or None


def _merged(node: Node, old: Any, new: Any) -> Any:
    """``new`` over ``old``: a group keeps the keys it does not show (unknown keys, other sections')."""
    if not isinstance(node, Group) or not isinstance(old, dict):
        return new
    kept = {k: v for k, v in old.items() if k not in {n.name for n in node.fields}}
    for child in node.fields:
        v = _merged(child, old.get(child.name), (new or {}).get(child.name))
        if v is not None and v != []:
            kept[child.name] = v
    return kept or None


def _put(data: dict[str, Any], path: str, value: Any) -> None:
    *parents, last = path.split(".")
    node = data
    for part in parents:
        if not isinstance(node.get(part), dict):
            if value is None or value == []:
                return
            node[part] = {}
        node = node[part]
    if value is None or value == []:
        node.pop(last, None)
    else:
        node[last] = value
    # A parent object left empty goes too (an empty probleemanalyse is no step done).
    if parents and not node:
        _put(data, ".".join(parents), None)


def apply_section(data: dict[str, Any], sec: Section, form: Mapping[str, str]) -> dict[str, Any]:
    """``data`` with the posted section put in; every field the section does not show stays as it was."""
    out = copy.deepcopy(data)
    tree = _tree(form, sec.paths)
    for path, node in zip(sec.paths, sec.nodes, strict=True):
        new = value_of(node, get_path(tree, path))
        _put(out, path, _merged(node, get_path(out, path), new))
    return out


# --- messages next to their field ----------------------------------------------------------


@dataclass(frozen=True)
class Message:
    """A message for one input: an error (not saved), a warning or a finding (saved, still to do)."""

    ernst: str  # fout | waarschuwing | bevinding
    melding: str
    niveau: str | None = None


def messages(issues: list[api.Issue], found: list[Any]) -> dict[str, list[Message]]:
    """Issues and findings by the dotted path of the input they are about."""
    out: dict[str, list[Message]] = {}
    for i in issues:
        out.setdefault(api.field_path(i.field), []).append(Message(str(i.severity), i.message))
    for f in found:
        if f.veld:
            out.setdefault(api.field_path(f.veld), []).append(Message("bevinding", f.melding, str(f.niveau)))
    return out


def paths_of(node: Node, prefix: str, data: Any) -> set[str]:
    """Every input path a node renders for ``data`` (rows included), and the node's own path."""
    out = {prefix}
    if isinstance(node, Group):
        for child in node.fields:
            out |= paths_of(child, f"{prefix}.{child.name}", data)
    elif isinstance(node, Repeat):
        rows = get_path(data, prefix)
        for i in range(len(rows) if isinstance(rows, list) else 0):
            out |= paths_of(node.item, f"{prefix}.{i}", data)
    return out


def section_paths(sec: Section, data: Any) -> set[str]:
    return set().union(*(paths_of(n, p, data) for p, n in zip(sec.paths, sec.nodes, strict=True)))


def belongs(path: str, sec: Section) -> bool:
    """Whether a message path is inside the section (its own fields, not another section's)."""
    mine = any(path == p or path.startswith(p + ".") for p in sec.paths)
    other = any(path == p or path.startswith(p + ".") for p in _ELSEWHERE - set(sec.paths))
    return mine and not other

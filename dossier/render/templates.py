"""Built-in and firm templates: list, resolve, export and check them.

A firm customises its documents by putting DOCX files with the built-in names (for example
``plan_van_aanpak.docx``) in a folder and pointing ``--templates`` or the environment variable
``DOSSIER_TEMPLATES`` at it. A file there overrides the built-in template with the same name;
every other document falls back to the built-in one.

:func:`check_templates` tells a firm everything that is wrong with its templates, in Dutch,
with the paragraph text to find it by: Jinja syntax errors, variables and filters that do not
exist (with the nearest valid name), and tags that Word broke (split over differently
formatted pieces of text, interrupted by a tab or field, typographic quotes, unbalanced
``{{``/``}}``). It also fills each template once with an example case (the same limits as a real
render), so a template that runs too long or makes too much text is found before it is used.
"""

from __future__ import annotations

import difflib
import functools
import json
import re
import shutil
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docxtpl import DocxTemplate
from jinja2 import TemplateSyntaxError, nodes
from lxml import etree

from dossier.convert.sanitise import external_references
from dossier.errors import DossierError, Issue, Severity, TemplateRenderError, UsageError
from dossier.kinds import document_kinds, template_names
from dossier.render import limits
from dossier.render.context import INTERNE_NAMEN, LIJST, OBJECT, SCHEMA, Veld, dichtstbijzijnde
from dossier.render.docx import (
    check_template_zip,
    dutch_syntax_message,
    not_a_docx,
    omgeving,
    open_block,
    paragraph_text,
    render_bytes,
)
from dossier.render.environment import make_environment


def _builtin_dir() -> Path:
    """The repository folder ``templates_nl`` (source tree, editable install), else the copy a
    wheel installs as data in ``<prefix>/share/dossier/templates_nl``."""
    repo = Path(__file__).resolve().parents[2] / "templates_nl"
    if repo.is_dir():
        return repo
    return Path(sys.prefix) / "share" / "dossier" / "templates_nl"


#: The built-in templates shipped with dossier.
BUILTIN_DIR = _builtin_dir()

#: The document kinds, as template names, in RIV order (the registry in :mod:`dossier.kinds`).
SOORTEN: tuple[str, ...] = document_kinds()

#: Every built-in template: the document kinds, then the dossier cover.
TEMPLATE_NAMES = template_names()

Bron = Literal["ingebouwd", "eigen"]


@dataclass(frozen=True)
class TemplateInfo:
    """One template as it will be used.

    Attributes:
        name: file name without .docx, e.g. "plan_van_aanpak".
        path: the file that is used.
        source: "ingebouwd" (shipped with dossier) or "eigen" (from the firm's folder).
    """

    name: str
    path: Path
    source: Bron


def _is_template_file(p: Path) -> bool:
    # Word keeps "~$name.docx" lock files next to an open document; they are not templates.
    return p.is_file() and p.suffix.lower() == ".docx" and not p.name.startswith(("~$", "."))


def list_templates(templates_dir: Path | None = None) -> list[TemplateInfo]:
    """The templates in effect: built-ins, each overridden by a same-named file in ``templates_dir``.

    Extra .docx files in ``templates_dir`` (not a built-in name) are listed after them as "eigen".
    """
    out: list[TemplateInfo] = []
    eigen = {p.stem: p for p in sorted(Path(templates_dir).iterdir()) if _is_template_file(p)} \
        if templates_dir is not None and Path(templates_dir).is_dir() else {}
    for name in template_names():
        if name in eigen:
            out.append(TemplateInfo(name, eigen.pop(name), "eigen"))
        else:
            out.append(TemplateInfo(name, BUILTIN_DIR / f"{name}.docx", "ingebouwd"))
    out += [TemplateInfo(name, path, "eigen") for name, path in eigen.items()]
    return out


def resolve_template(name: str, templates_dir: Path | None = None) -> Path:
    """The file to use for template ``name`` ("plan_van_aanpak" or "plan_van_aanpak.docx").

    Raises:
        TemplateRenderError: no such template in ``templates_dir`` or among the built-ins.
    """
    stem = name[:-5] if name.lower().endswith(".docx") else name
    if templates_dir is not None:
        own = Path(templates_dir) / f"{stem}.docx"
        if own.is_file():
            return own
    builtin = BUILTIN_DIR / f"{stem}.docx"
    if builtin.is_file():
        return builtin
    known = ", ".join(template_names())
    tip = difflib.get_close_matches(stem, template_names(), n=1)
    hint = f" — bedoelt u '{tip[0]}'?" if tip else ""
    raise TemplateRenderError(f"sjabloon '{stem}' bestaat niet{hint} (beschikbaar: {known})",
                              template=f"{stem}.docx")


def export_templates(dest: Path, *, force: bool = False) -> list[Path]:
    """Copy the built-in templates to ``dest`` as a starting point for the firm's own.

    Args:
        dest: folder to copy into (created when missing).
        force: overwrite files that already exist.

    Returns:
        The written files.

    Raises:
        UsageError: a file exists and ``force`` is False (nothing is copied then).
    """
    dest = Path(dest)
    sources = [BUILTIN_DIR / f"{name}.docx" for name in template_names()]
    targets = [dest / s.name for s in sources]
    existing = [t for t in targets if t.exists()]
    if existing and not force:
        names = ", ".join(t.name for t in existing)
        raise UsageError(f"{dest}: bestaat al: {names}; gebruik --force om te overschrijven")
    dest.mkdir(parents=True, exist_ok=True)
    for src, dst in zip(sources, targets, strict=True):
        shutil.copyfile(src, dst)
    return targets


# --- checking --------------------------------------------------------------------------------

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_OPEN = {"{{": "}}", "{%": "%}", "{#": "#}"}
_CLOSE = {v: k for k, v in _OPEN.items()}
#: Quotes Word's autocorrect types; docxtpl turns the first four back into straight quotes.
_QUOTES_FIXED = "“”‘’"
_QUOTES_BROKEN = "„‚«»″′"
#: Marks a non-text element (tab, line break, field) inside the joined paragraph text.
_BREAK = "\ue000"
_BREAK_TAGS = {f"{W}tab": "een tab", f"{W}br": "een regeleinde", f"{W}cr": "een regeleinde",
               f"{W}fldChar": "een veld", f"{W}instrText": "een veld",
               f"{W}drawing": "een afbeelding", f"{W}footnoteReference": "een voetnoot",
               f"{W}commentReference": "een opmerking"}
_SPECIAL = re.compile(r"\{%-?\s*(p|tr|tc|r)\s")
#: Dict methods a template may call on an object without being flagged.
_DICT_METHODS = frozenset({"items", "keys", "values", "get"})
#: Filters whose result is the same list / one item of the list they were given.
_SAME_FILTERS = frozenset({"sort", "reverse", "list", "unique", "selectattr", "rejectattr",
                           "default", "d"})
_ITEM_FILTERS = frozenset({"first", "last", "random"})


def _issue(sev: Severity, template: str, where: str, fld: str, message: str) -> Issue:
    return Issue(sev, template, where, fld, message)


def _short(text: str, limit: int = 120) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


@dataclass
class _Part:
    """One XML part of a template that docxtpl renders on its own."""

    naam: str  # hoofdtekst, koptekst, voettekst, voetnoten
    element: Any  # lxml root (body or part root)
    source: str = ""  # docxtpl's patched Jinja source, one paragraph per line


def _parts(path: Path) -> tuple[list[_Part], dict[str, str]]:
    """The parts docxtpl renders (body, headers, footers, footnotes) and the core properties."""
    tpl = DocxTemplate(str(path))
    doc = tpl.get_docx()
    out = [_Part("hoofdtekst", doc.element.body)]
    for rel in doc.part.rels.values():
        if rel.reltype == RT.HEADER:
            out.append(_Part("koptekst", etree.fromstring(rel.target_part.blob)))
        elif rel.reltype == RT.FOOTER:
            out.append(_Part("voettekst", etree.fromstring(rel.target_part.blob)))
    for part in doc.part.package.iter_parts():
        if part.content_type.endswith(".footnotes+xml"):
            out.append(_Part("voetnoten", etree.fromstring(part.blob)))
    for p in out:
        xml = etree.tostring(p.element, encoding="unicode")
        p.source = re.sub(r"<w:p([ >])", r"\n<w:p\1", tpl.patch_xml(xml))
    props = {name: getattr(doc.core_properties, name) or ""
             for name in ("author", "comments", "identifier", "language", "subject", "title")}
    return out, props


def _paragraph_pieces(p: Any) -> list[tuple[str, Any]]:
    """Text of a paragraph as (piece, run) in document order; breaks become _BREAK pieces."""
    pieces: list[tuple[str, Any]] = []
    for el in p.iter():
        if el.tag == f"{W}t" and el.text:
            run = el.getparent()
            pieces.append((el.text, run))
        elif el.tag in _BREAK_TAGS:
            if el.tag == f"{W}fldChar" and el.get(f"{W}fldCharType") != "begin":
                continue
            pieces.append((_BREAK, el))
    return pieces


def _rpr_key(run: Any) -> str:
    rpr = run.find(f"{W}rPr") if run is not None and run.tag == f"{W}r" else None
    if rpr is None:
        return ""
    clone = etree.fromstring(etree.tostring(rpr))
    for el in list(clone):
        # Spelling/grammar marks and revision ids are not formatting.
        if el.tag in (f"{W}noProof", f"{W}lang", f"{W}rtl"):
            clone.remove(el)
    for attr in list(clone.attrib):
        if "rsid" in attr:
            del clone.attrib[attr]
    return etree.tostring(clone, encoding="unicode")


def _word_issues(template: str, part: _Part) -> Iterator[Issue]:
    """Tags that Word broke: unbalanced, interrupted, split over formatting, curly quotes."""
    for p in part.element.iter(f"{W}p"):
        pieces = _paragraph_pieces(p)
        if not pieces:
            continue
        text = "".join(t for t, _ in pieces)
        if "{" not in text and "}" not in text:
            continue
        owner: list[Any] = []
        for t, el in pieces:
            owner.extend([el] * len(t))
        shown = _short(text.replace(_BREAK, " "))
        where = f"{part.naam}, alinea '{shown}'"

        if re.search(r"\{\s+[{%]", text):
            yield _issue(Severity.fout, template, where, "",
                         "'{ {' of '{ %' met een spatie ertussen: typ '{{' of '{%' zonder spatie")
        specials = _SPECIAL.findall(text)
        if len(specials) > 1:
            yield _issue(Severity.fout, template, where, "",
                         "meer dan één {%p/{%tr/{%tc/{%r-tag in dezelfde alinea; zet elke tag in "
                         "een eigen alinea")
        if "tr" in specials and not any(a.tag == f"{W}tr" for a in p.iterancestors()):
            yield _issue(Severity.fout, template, where, "",
                         "{%tr …%} mag alleen in een tabelrij staan")

        i = 0
        while i < len(text):
            two = text[i:i + 2]
            if two in _OPEN:
                close = _OPEN[two]
                j = text.find(close, i + 2)
                nxt = min((k for k in (text.find(o, i + 2) for o in _OPEN) if k != -1),
                          default=-1)
                if j == -1 or (nxt != -1 and nxt < j):
                    yield _issue(Severity.fout, template, where, "",
                                 f"tag '{_short(text[i:nxt if nxt != -1 else len(text)], 40)}' "
                                 f"is niet afgesloten met '{close}' in deze alinea")
                    i = nxt if nxt != -1 else len(text)
                    continue
                tag = text[i:j + 2]
                yield from _tag_issues(template, where, tag, owner[i:j + 2])
                i = j + 2
                continue
            if two in _CLOSE:
                yield _issue(Severity.fout, template, where, "",
                             f"losse '{two}' zonder '{_CLOSE[two]}' ervoor: de tag is kapot "
                             "(typ hem opnieuw in één keer)")
                i += 2
                continue
            i += 1


def _tag_issues(template: str, where: str, tag: str, owners: list[Any]) -> Iterator[Issue]:
    shown = tag.replace(_BREAK, "⏎")
    if _BREAK in tag:
        kind = next((_BREAK_TAGS[o.tag] for o in owners if o.tag in _BREAK_TAGS), "iets")
        yield _issue(Severity.fout, template, where, "",
                     f"de tag '{_short(shown, 60)}' wordt onderbroken door {kind}; typ de tag "
                     "opnieuw in één keer")
        return
    runs = [o for o in owners if o.tag == f"{W}r"]
    distinct = list(dict.fromkeys(runs))
    if len(distinct) > 1:
        parents = {r.getparent() for r in distinct}
        if len(parents) > 1:
            yield _issue(Severity.fout, template, where, "",
                         f"de tag '{_short(tag, 60)}' loopt over een hyperlink, bijgehouden "
                         "wijziging of inhoudsbesturingselement heen; typ de tag opnieuw in één "
                         "keer zonder opmaak")
        elif len({_rpr_key(r) for r in distinct}) > 1:
            yield _issue(Severity.waarschuwing, template, where, "",
                         f"Word heeft de tag '{_short(tag, 60)}' opgesplitst in stukken met "
                         "verschillende opmaak; de uitkomst krijgt de opmaak van het eerste "
                         "stuk. Selecteer de tag, wis de opmaak en typ hem opnieuw in één keer")
    broken = sorted({c for c in tag if c in _QUOTES_BROKEN})
    if broken:
        yield _issue(Severity.fout, template, where, "",
                     f"typografische aanhalingstekens {' '.join(broken)} in de tag "
                     f"'{_short(tag, 60)}': gebruik rechte aanhalingstekens ' of \" (zet "
                     "AutoCorrectie 'slimme aanhalingstekens' uit)")
    curly = sorted({c for c in tag if c in _QUOTES_FIXED})
    if curly and not broken:
        yield _issue(Severity.waarschuwing, template, where, "",
                     f"typografische aanhalingstekens {' '.join(curly)} in de tag "
                     f"'{_short(tag, 60)}': dossier zet ze om, maar typ liever rechte "
                     "aanhalingstekens ' of \"")


@dataclass(frozen=True)
class _T:
    """What an expression refers to in the contract (None veld = unknown, not checked)."""

    veld: Veld | None
    schema: str = ""
    toon: str = ""
    item: bool = False


_ANY = _T(None)


@dataclass
class _Checker:
    """Walks a Jinja AST and reports names, attributes, filters and tests not in the contract."""

    template: str
    part: _Part
    filters: set[str]
    tests: set[str]
    issues: list[Issue] = field(default_factory=list)
    seen: set[tuple[str, str]] = field(default_factory=set)
    #: Added to node line numbers when a single paragraph (line) was parsed on its own.
    line_offset: int = 0

    def report(self, node: nodes.Node, fld: str, message: str) -> None:
        if (fld, message) in self.seen:
            return
        self.seen.add((fld, message))
        lineno = getattr(node, "lineno", None)
        if lineno is not None:
            lineno += self.line_offset
        context = omgeving(self.part.source, lineno, 0).lstrip("» ")
        where = f"{self.part.naam}, alinea '{_short(context)}'" if context else self.part.naam
        self.issues.append(_issue(Severity.fout, self.template, where, fld, message))

    # expressions
    def expr(self, node: nodes.Node | None, scope: dict[str, _T]) -> _T:
        if node is None:
            return _ANY
        if isinstance(node, nodes.Name):
            return self.name(node, scope)
        if isinstance(node, nodes.Getattr):
            return self.attr(node, self.expr(node.node, scope), node.attr)
        if isinstance(node, nodes.Getitem):
            base = self.expr(node.node, scope)
            arg = node.arg
            if isinstance(arg, nodes.Const) and isinstance(arg.value, str):
                return self.attr(node, base, arg.value)
            self.expr(arg, scope)
            if (isinstance(arg, nodes.Const) and isinstance(arg.value, int) and base.veld is not None
                    and base.veld.soort == LIJST and not base.item):
                return _T(base.veld, base.schema + "[]", f"{base.toon}[{arg.value}]", True)
            return _ANY
        if isinstance(node, nodes.Filter):
            return self.filter(node, scope)
        if isinstance(node, nodes.Test):
            self.expr(node.node, scope)
            if node.name not in self.tests:
                tip = difflib.get_close_matches(node.name, sorted(self.tests), n=1)
                hint = f" — bedoelt u '{tip[0]}'?" if tip else ""
                self.report(node, node.name, f"onbekende test 'is {node.name}'{hint}")
            self.args(node, scope)
            return _ANY
        if isinstance(node, nodes.Call):
            self.expr(node.node, scope)
            self.args(node, scope)
            return _ANY
        for child in node.iter_child_nodes():
            self.generic(child, scope)
        return _ANY

    def args(self, node: Any, scope: dict[str, _T]) -> None:
        for a in node.args:
            self.expr(a, scope)
        for kw in node.kwargs:
            self.expr(kw.value, scope)
        for extra in (node.dyn_args, node.dyn_kwargs):
            self.expr(extra, scope)

    def name(self, node: nodes.Name, scope: dict[str, _T]) -> _T:
        if node.ctx != "load":
            return _ANY
        n = node.name
        if n in scope:
            return scope[n]
        top = next((v for v in SCHEMA if v.naam == n), None)
        if top is not None:
            return _T(top, n, n)
        if n in INTERNE_NAMEN or n in ("loop", "caller", "varargs", "kwargs", "true", "false",
                                       "none", "True", "False", "None") or n in self.globals:
            return _ANY
        voorstel = dichtstbijzijnde(n, extra=[*scope, *self.globals])
        hint = f" — bedoelt u '{voorstel}'?" if voorstel else ""
        self.report(node, n, f"onbekende variabele '{n}'{hint}")
        return _ANY

    @property
    def globals(self) -> set[str]:
        return _GLOBALS

    def attr(self, node: nodes.Node, base: _T, attr: str) -> _T:
        veld = base.veld
        if veld is None:
            return _ANY
        if veld.soort == LIJST and not base.item:
            self.report(node, f"{base.toon}.{attr}",
                        f"'{base.toon}' is een lijst: gebruik een lus, bijvoorbeeld "
                        f"{{%tr for x in {base.toon} %}} … {{{{ x.{attr} }}}}")
            return _ANY
        if veld.soort not in (OBJECT, LIJST):
            return _ANY  # text/date methods are not checked
        child = veld.veld(attr)
        schema = f"{base.schema}.{attr}"
        toon = f"{base.toon}.{attr}"
        if child is None:
            if attr in _DICT_METHODS:
                return _ANY
            voorstel = dichtstbijzijnde(schema)
            if voorstel and base.schema and voorstel.startswith(base.schema + "."):
                voorstel = base.toon + voorstel[len(base.schema):]
            elif voorstel and base.toon != base.schema:
                voorstel = None
            hint = f" — bedoelt u '{voorstel}'?" if voorstel else ""
            uitleg = (f" ({base.toon} is een item van {base.schema[:-2]})"
                      if base.item and base.toon != base.schema else "")
            self.report(node, toon, f"onbekende variabele '{toon}'{hint}{uitleg}")
            return _ANY
        return _T(child, schema, toon)

    def filter(self, node: nodes.Filter, scope: dict[str, _T]) -> _T:
        base = self.expr(node.node, scope)
        self.args(node, scope)
        if node.name not in self.filters:
            tip = difflib.get_close_matches(node.name, sorted(self.filters), n=1)
            hint = f" — bedoelt u '{tip[0]}'?" if tip else ""
            self.report(node, node.name, f"onbekend filter '{node.name}'{hint}")
            return _ANY
        if node.name in _SAME_FILTERS:
            return base
        if node.name in _ITEM_FILTERS and base.veld is not None and base.veld.soort == LIJST \
                and not base.item:
            return _T(base.veld, base.schema + "[]", f"({base.toon}|{node.name})", True)
        return _ANY

    # statements
    def generic(self, node: nodes.Node, scope: dict[str, _T]) -> None:
        if isinstance(node, nodes.Expr):
            self.expr(node, scope)
        elif isinstance(node, nodes.For):
            self.for_(node, scope)
        elif isinstance(node, nodes.Assign):
            self.assign(node, scope)
        elif isinstance(node, nodes.AssignBlock):
            if isinstance(node.target, nodes.Name):
                scope[node.target.name] = _ANY
            self.body(node.body, scope)
        elif isinstance(node, nodes.With):
            self.with_(node, scope)
        elif isinstance(node, nodes.Macro):
            self.macro(node, scope)
        elif isinstance(node, nodes.CallBlock):
            self.expr(node.call, scope)
            self.body(node.body, self.with_args(node, scope))
        elif isinstance(node, (nodes.Include, nodes.Import, nodes.FromImport, nodes.Extends)):
            self.report(node, "", "{% include %}, {% import %} en {% extends %} werken niet in een "
                                  "Word-sjabloon; zet de tekst in het sjabloon zelf")
        else:
            for child in node.iter_child_nodes():
                self.generic(child, scope)

    def assign(self, node: nodes.Assign, scope: dict[str, _T]) -> None:
        """``{% set x = … %}`` keeps what the value refers to; unpacking gives unchecked names."""
        t = self.expr(node.node, scope)
        if isinstance(node.target, nodes.Name):
            scope[node.target.name] = t
        elif isinstance(node.target, nodes.Tuple):
            for item in node.target.items:
                if isinstance(item, nodes.Name):
                    scope[item.name] = _ANY

    def with_(self, node: nodes.With, scope: dict[str, _T]) -> None:
        inner = dict(scope)
        for target, value in zip(node.targets, node.values, strict=False):
            t = self.expr(value, scope)
            if isinstance(target, nodes.Name):
                inner[target.name] = t
        self.body(node.body, inner)

    def macro(self, node: nodes.Macro, scope: dict[str, _T]) -> None:
        scope[node.name] = _ANY
        inner = self.with_args(node, scope)
        for d in node.defaults:
            self.expr(d, scope)
        self.body(node.body, inner)

    @staticmethod
    def with_args(node: nodes.Macro | nodes.CallBlock, scope: dict[str, _T]) -> dict[str, _T]:
        """The scope inside a macro or call block: its arguments are unchecked names."""
        inner = dict(scope)
        for a in node.args:
            inner[a.name] = _ANY
        return inner

    def body(self, items: list[nodes.Node], scope: dict[str, _T]) -> None:
        for item in items:
            self.generic(item, scope)

    def for_(self, node: nodes.For, scope: dict[str, _T]) -> None:
        it = self.expr(node.iter, scope)
        inner = dict(scope)
        inner["loop"] = _ANY
        if isinstance(node.target, nodes.Name):
            if it.veld is not None and it.veld.soort == LIJST and not it.item:
                inner[node.target.name] = _T(it.veld, it.schema + "[]", node.target.name, True)
            else:
                inner[node.target.name] = _ANY
        else:
            for n in node.target.find_all(nodes.Name):
                inner[n.name] = _ANY
        if node.test is not None:
            self.expr(node.test, inner)
        self.body(node.body, inner)
        self.body(node.else_, scope)


_GLOBALS = set(make_environment().globals)

def syntax_issue(template: str, deel: str, source: str, exc: TemplateSyntaxError, env: Any) -> Issue:
    """An Issue for a Jinja syntax error, with the paragraph text around it."""
    lineno = exc.lineno
    opener = open_block(source, env)
    if opener is not None and "innermost block" in (exc.message or ""):
        lineno = opener[1]  # point at the tag that is not closed, not at the end of the text
    lines = source.splitlines()
    where = deel
    if lineno and 0 < lineno <= len(lines) and paragraph_text(lines[lineno - 1]):
        where += f", alinea '{_short(paragraph_text(lines[lineno - 1]))}'"
    context = omgeving(source, lineno)
    return _issue(Severity.fout, template, where, "",
                  f"fout in de sjabloontaal: {dutch_syntax_message(exc)}"
                  + (f"\nIn de alinea:\n{context}" if context else ""))


def check_template(path: Path) -> list[Issue]:
    """Every problem in one template file (see :func:`check_templates`)."""
    path = Path(path)
    name = path.name
    try:
        check_template_zip(path)
    except TemplateRenderError as e:
        return [_issue(Severity.fout, name, "", "", e.message.removeprefix(f"{name}: "))]
    try:
        parts, props = _parts(path)
    except Exception as e:  # python-docx raises several types for a bad file
        return [_issue(Severity.fout, name, "", "", f"geen geldig Word-bestand (.docx): {not_a_docx(e)}")]
    try:
        issues = _static_issues(name, parts, props)
    except (RecursionError, MemoryError):
        return [_issue(Severity.fout, name, "", "", "de sjabloontaal is te diep genest (te veel "
                                                    "haakjes of blokken in elkaar)")]
    # LibreOffice would fetch or embed what these point to; the converter removes them, so a
    # template that has them does not produce what its author sees in Word.
    try:
        issues += [
            _issue(Severity.fout, name, "", "",
                   f"'{name}' bevat een externe verwijzing of macro: {finding}; die wordt bij het omzetten "
                   "naar PDF verwijderd, haal haar uit het sjabloon")
            for finding in external_references(path)
        ]
    except DossierError as e:
        issues.append(_issue(Severity.fout, name, "", "", str(e)))
    if not any(i.severity is Severity.fout for i in issues):
        issues += _trial_render(path)
    return issues


def _static_issues(name: str, parts: list[_Part], props: dict[str, str]) -> list[Issue]:
    env = make_environment()
    issues: list[Issue] = []
    for part in parts:
        issues += list(_word_issues(name, part))
    for part in parts:
        try:
            ast = env.parse(part.source)
        except TemplateSyntaxError as e:
            issues.append(syntax_issue(name, part.naam, part.source, e, env))
            # Still check the names in every paragraph that makes sense on its own, so one
            # run of the check reports as much as possible.
            checker = _Checker(name, part, set(env.filters), set(env.tests))
            for index, line in enumerate(part.source.splitlines()):
                try:
                    body = env.parse(line).body
                except TemplateSyntaxError:
                    continue
                checker.line_offset = index
                checker.body(body, {})
            issues += checker.issues
            continue
        checker = _Checker(name, part, set(env.filters), set(env.tests))
        checker.body(ast.body, {})
        issues += checker.issues
        if not checker.issues:
            try:
                env.compile(part.source)
            except TemplateSyntaxError as e:
                issues.append(_issue(Severity.fout, name, part.naam, "",
                                     f"fout in de sjabloontaal: {e.message}"))
    for prop, value in props.items():
        if "{" not in value:
            continue
        part = _Part(f"documenteigenschap '{prop}'", None, value)
        try:
            ast = env.parse(value)
        except TemplateSyntaxError as e:
            issues.append(syntax_issue(name, part.naam, value, e, env))
            continue
        checker = _Checker(name, part, set(env.filters), set(env.tests))
        checker.body(ast.body, {})
        issues += checker.issues
    return issues


#: The example case templates are filled with by the check (package data, no attachments).
VOORBEELDCASUS = "data/voorbeeldcasus.json"
#: The date of issue for the example case.
VOORBEELD_DATUM = date(2026, 11, 23)


@functools.cache
def _voorbeeld_contexten() -> dict[str, dict[str, Any]]:
    """A template context per built-in template name, from the example case."""
    from dossier.model import Case
    from dossier.render import plan_documents, plan_voorblad
    from dossier.settings import Settings
    from dossier.timeline import compute_timeline

    data = json.loads(resources.files("dossier").joinpath(VOORBEELDCASUS).read_text(encoding="utf-8"))
    case = Case.model_validate(data)
    settings = Settings()
    tl = compute_timeline(case, today=VOORBEELD_DATUM)
    out = {"voorblad": plan_voorblad(case, tl, settings=settings, today=VOORBEELD_DATUM).context}
    for soort in SOORTEN:
        out[soort] = plan_documents(case, tl, soort=soort, settings=settings, today=VOORBEELD_DATUM)[0].context
    return out


def _trial_render(path: Path) -> list[Issue]:
    """Fill the template with the example case: a limit it exceeds is an error, another failure
    (that may depend on the example's data) a warning."""
    name = path.name
    contexts = _voorbeeld_contexten()
    context = contexts.get(path.stem, contexts["plan_van_aanpak"])
    try:
        render_bytes(path, context, make_environment())
    except TemplateRenderError as e:
        cause = e.__cause__
        message = e.message.removeprefix(f"{name}: ")
        if isinstance(cause, (limits.TemplateLimitError, RecursionError, MemoryError)):
            return [_issue(Severity.fout, name, "", "", f"bij het invullen met een voorbeeldcasus: {message}")]
        return [_issue(Severity.waarschuwing, name, "", "",
                       f"het invullen met een voorbeeldcasus mislukt: {message}")]
    return []


def check_templates(templates_dir: Path | None = None) -> list[Issue]:
    """Check every template in ``templates_dir`` (None: the built-in templates).

    Returns:
        Issues with source = template file name, location = part and paragraph text, field =
        the variable concerned, and a Dutch message that says how to fix it, e.g.
        ``onbekende variabele 'werknemer.nam' — bedoelt u 'werknemer.naam'?``.
    """
    folder = BUILTIN_DIR if templates_dir is None else Path(templates_dir)
    if not folder.is_dir():
        return [_issue(Severity.fout, str(folder), "", "", "map met sjablonen niet gevonden")]
    issues: list[Issue] = []
    for path in sorted(p for p in folder.iterdir() if _is_template_file(p)):
        issues += check_template(path)
    return issues

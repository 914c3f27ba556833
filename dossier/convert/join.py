"""One LibreOffice load per case: join a case's DOCX files into one, split the PDF back.

LibreOffice spends most of a short document's conversion on fixed per-document work (importing
styles and numbering, setting up the layout, starting the export), not on its pages. Joining the
documents of one template set into ONE DOCX, converting that once and cutting the PDF back into
one PDF per document saves most of that work.

Each document becomes its own section (its own page style in LibreOffice), so it keeps its own
first page, headers and footers (images included), page size and orientation; its page
numbering restarts at 1. ``NUMPAGES``/``SECTIONPAGES`` would count the joined document, so they
are replaced by a marker text that the UNO worker overwrites with the document's own page count
(known from the layout) before the export: LibreOffice itself draws the number, in the footer's
own font, at the footer's own place.

Only documents that can be joined *safely* are joined (:func:`join_problem`): the parts every
document shares in a joined file (styles, settings, theme, fonts, numbering) must be identical,
and the document must not use what would change meaning in a joined file (fields other than
page numbers and hyperlinks, footnotes, comments, list numbering that would continue across
documents, embedded chunks). Documents that fail stay separate conversions.
"""

from __future__ import annotations

import copy
import hashlib
import posixpath
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

from lxml import etree

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PR = "http://schemas.openxmlformats.org/package/2006/relationships"
CT = "http://schemas.openxmlformats.org/package/2006/content-types"
WP = "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"
RT = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
RT_MS = "http://schemas.microsoft.com/office/2007/relationships/"

#: Relationship types of the parts a joined document has only once (the first document's).
SHARED_TYPES = frozenset(
    [RT + t for t in ("styles", "settings", "webSettings", "fontTable", "theme", "numbering", "customXml",
                      "footnotes", "endnotes")]
    + [RT_MS + "stylesWithEffects"]
)
#: Shared parts that change the layout: they must be equal in every joined document.
FINGERPRINT_TYPES = (RT + "styles", RT + "settings", RT + "fontTable", RT + "theme", RT + "numbering")
#: Relationship types that make a document unsafe to join.
REFUSED_TYPES = frozenset([RT + "comments", RT + "glossaryDocument", RT + "aFChunk", RT + "subDocument"])
#: Fields whose result is the same inside a joined document (page numbers restart per document).
SAFE_FIELDS = frozenset(["PAGE", "HYPERLINK"])
#: Fields that count pages: replaced by a marker the UNO worker fills in per document.
COUNT_FIELDS = frozenset(["NUMPAGES", "SECTIONPAGES"])

MAIN_REL = RT + "officeDocument"
BOOKMARK_PREFIX = "_dossier_join_"


def _w(tag: str) -> str:
    return f"{{{W}}}{tag}"


def marker(i: int) -> str:
    """The text that stands for document ``i``'s page count until the worker fills it in."""
    return f"[[NP{i}]]"


class NotJoinable(Exception):
    """A document cannot be joined safely; the message says why (Dutch, for the log at -v)."""


@dataclass
class _Source:
    path: Path
    files: dict[str, bytes]
    main: str  # e.g. "word/document.xml"
    rels: list[etree._Element]
    fingerprint: str = ""
    _root: etree._Element | None = None
    _ctypes: etree._Element | None = None

    def root(self) -> etree._Element:
        """The main part, parsed once (the join consumes it)."""
        if self._root is None:
            self._root = _parse(self.files[self.main])
        return self._root

    def ctypes(self) -> etree._Element:
        if self._ctypes is None:
            self._ctypes = _parse(self.files["[Content_Types].xml"])
        return self._ctypes

    def rel_target(self, rel: etree._Element, base: str | None = None) -> str:
        return posixpath.normpath(posixpath.join(posixpath.dirname(base or self.main), rel.get("Target", "")))


def _rels_name(part: str) -> str:
    return posixpath.join(posixpath.dirname(part), "_rels", posixpath.basename(part) + ".rels")


def _parse(data: bytes) -> etree._Element:
    return etree.fromstring(data, etree.XMLParser(resolve_entities=False, remove_blank_text=False, huge_tree=False))


def _read(path: Path) -> _Source:
    with zipfile.ZipFile(path) as z:
        files = {n: z.read(n) for n in z.namelist()}
    root_rels = _parse(files["_rels/.rels"])
    main = next((r.get("Target", "") for r in root_rels if r.get("Type") == MAIN_REL), "word/document.xml")
    main = main.lstrip("/")
    rels = list(_parse(files[_rels_name(main)])) if _rels_name(main) in files else []
    src = _Source(path, files, main, rels)
    prints = []
    for rtype in FINGERPRINT_TYPES:
        rel = next((r for r in rels if r.get("Type") == rtype), None)
        data = files.get(src.rel_target(rel), b"") if rel is not None else b""
        if rtype == RT + "settings" and data:
            data = _settings_for_print(data)
        prints.append(hashlib.sha256(data).hexdigest())
    src.fingerprint = hashlib.sha256("".join(prints).encode()).hexdigest()
    return src


def _settings_for_print(data: bytes) -> bytes:
    """settings.xml without what Word changes on every save and what has no effect on the layout."""
    root = _parse(data)
    for tag in ("rsids", "proofState", "attachedTemplate", "docVars", "zoom"):
        for el in root.findall(_w(tag)):
            root.remove(el)
    return etree.tostring(root)


def _instr_names(root: etree._Element) -> list[str]:
    names = [(el.text or "").split()[:1] for el in root.iter(_w("instrText"))]
    names += [(el.get(_w("instr")) or "").split()[:1] for el in root.iter(_w("fldSimple"))]
    return [n[0].upper() for n in names if n]


def join_problem(src: _Source) -> str | None:
    """Why ``src`` cannot be joined with other documents of its template set (Dutch), or None."""
    for rel in src.rels:
        if rel.get("Type") in REFUSED_TYPES:
            return f"het heeft een onderdeel van het type {rel.get('Type', '').rsplit('/', 1)[-1]}"
    body_root = src.root()
    for tag in ("footnoteReference", "endnoteReference", "commentReference", "altChunk", "subDoc", "numPr"):
        if body_root.find(f".//{_w(tag)}") is not None:
            return f"het gebruikt {tag}"
    roots = [body_root] + [_parse(src.files[src.rel_target(r)]) for r in src.rels
                           if r.get("Type") in (RT + "header", RT + "footer")]
    for root in roots:
        for name in _instr_names(root):
            if name in COUNT_FIELDS and root is body_root:
                return f"de tekst heeft een {name}-veld"
            if name not in SAFE_FIELDS and name not in COUNT_FIELDS:
                return f"het heeft een {name}-veld"
    if _continued_list(src, body_root):
        return "het heeft genummerde lijsten uit alineastijlen (die zouden doortellen over de documenten)"
    return None


def _continued_list(src: _Source, body: etree._Element) -> bool:
    """True when a numbered (not bulleted) list comes from a paragraph style used in the text.

    Direct numbering (``w:numPr`` in a paragraph) is refused elsewhere; a style's numbering is
    shared by the joined documents and would count on across them.
    """
    numbered = _numbered_styles(src)
    return bool(numbered) and any(el.get(_w("val")) in numbered for el in body.iter(_w("pStyle")))


_NUMBERED_STYLES: dict[str, frozenset[str]] = {}


def _numbered_styles(src: _Source) -> frozenset[str]:
    """Paragraph styles of the template set with a numbered (not bulleted) list (cached per set)."""
    cached = _NUMBERED_STYLES.get(src.fingerprint)
    if cached is not None:
        return cached
    styles_rel = next((r for r in src.rels if r.get("Type") == RT + "styles"), None)
    num_rel = next((r for r in src.rels if r.get("Type") == RT + "numbering"), None)
    found: set[str] = set()
    if styles_rel is not None and num_rel is not None:
        numbering = _parse(src.files[src.rel_target(num_rel)])
        abstract_of = {n.get(_w("numId")): n.find(_w("abstractNumId")).get(_w("val"))
                       for n in numbering.iter(_w("num")) if n.find(_w("abstractNumId")) is not None}
        counting = {a.get(_w("abstractNumId")) for a in numbering.iter(_w("abstractNum"))
                    if {f.get(_w("val")) for f in a.iter(_w("numFmt"))} - {"bullet", "none"}}
        for st in _parse(src.files[src.rel_target(styles_rel)]).iter(_w("style")):
            num = st.find(f"{_w('pPr')}/{_w('numPr')}/{_w('numId')}")
            if num is not None and abstract_of.get(num.get(_w("val"))) in counting:
                found.add(st.get(_w("styleId")) or "")
    if len(_NUMBERED_STYLES) > 64:
        _NUMBERED_STYLES.clear()
    _NUMBERED_STYLES[src.fingerprint] = frozenset(found)
    return _NUMBERED_STYLES[src.fingerprint]


@dataclass
class JoinPlan:
    """Which sources to join.

    Attributes:
        groups: source indexes per template set (2 or more each, in source order).
        reasons: the index of every DOCX that cannot be joined, with the reason (Dutch).
        sources: the read documents by index, for :func:`join_docx` (read once).
    """

    groups: list[list[int]]
    reasons: dict[int, str]
    sources: dict[int, _Source]


def plan_groups(paths: Sequence[Path]) -> JoinPlan:
    """Group the joinable DOCX files among ``paths`` by template set; see :class:`JoinPlan`."""
    by_print: dict[str, list[int]] = {}
    reasons: dict[int, str] = {}
    sources: dict[int, _Source] = {}
    for i, path in enumerate(paths):
        if Path(path).suffix.lower() != ".docx":
            continue
        try:
            src = _read(Path(path))
            problem = join_problem(src)
        except (OSError, KeyError, zipfile.BadZipFile, etree.XMLSyntaxError, ValueError) as exc:
            problem = f"het kon niet worden gelezen ({type(exc).__name__})"
        if problem is not None:
            reasons[i] = problem
            continue
        by_print.setdefault(src.fingerprint, []).append(i)
        sources[i] = src
    groups = [g for g in by_print.values() if len(g) > 1]
    return JoinPlan(groups, reasons, {i: sources[i] for g in groups for i in g})


# --- the join ------------------------------------------------------------------------------


@dataclass
class JoinedDocx:
    """A joined DOCX and what the worker needs to split it: a bookmark and a marker per document.

    ``titles`` holds each document's own title, which LibreOffice writes into a PDF's metadata
    (a joined PDF only has the first one's).
    """

    path: Path
    bookmarks: list[str]
    markers: list[str]
    titles: list[str]


class _Writer:
    """Collects the joined package's parts, relationships and content types."""

    def __init__(self, first: _Source) -> None:
        self.files: dict[str, bytes] = {}
        self.ctypes = _parse(first.files["[Content_Types].xml"])
        self.defaults = {d.get("Extension", "").lower() for d in self.ctypes.findall(f"{{{CT}}}Default")}
        self.overrides = {o.get("PartName", "").lstrip("/") for o in self.ctypes.findall(f"{{{CT}}}Override")}
        self.doc_rels = etree.Element(f"{{{PR}}}Relationships", nsmap={None: PR})
        self.docpr_id = 0

    def add_ctype(self, src: _Source, old: str, new: str) -> None:
        ext = posixpath.splitext(new)[1].lstrip(".").lower()
        src_ct = src.ctypes()
        for o in src_ct.findall(f"{{{CT}}}Override"):
            if o.get("PartName", "").lstrip("/") == old and new not in self.overrides:
                etree.SubElement(self.ctypes, f"{{{CT}}}Override", PartName="/" + new,
                                 ContentType=o.get("ContentType", ""))
                self.overrides.add(new)
                return
        if ext not in self.defaults:
            for d in src_ct.findall(f"{{{CT}}}Default"):
                if d.get("Extension", "").lower() == ext:
                    self.ctypes.insert(0, copy.deepcopy(d))
                    self.defaults.add(ext)


def _copy_part(w: _Writer, src: _Source, part: str, prefix: str, done: dict[str, str]) -> str:
    """Copy ``part`` (and what it refers to) under a new name; returns the new name."""
    if part in done:
        return done[part]
    new = posixpath.join(posixpath.dirname(part), prefix + posixpath.basename(part))
    done[part] = new
    data = src.files[part]
    if part.endswith(".xml") and posixpath.basename(posixpath.dirname(part)) == "word":
        data = _mark_count_fields(data, prefix)
    w.files[new] = data
    w.add_ctype(src, part, new)
    rels_name = _rels_name(part)
    if rels_name in src.files:
        rels = _parse(src.files[rels_name])
        for rel in rels:
            if rel.get("TargetMode") == "External":
                continue
            target = src.rel_target(rel, part)
            if target in src.files:
                copied = _copy_part(w, src, target, prefix, done)
                rel.set("Target", posixpath.relpath(copied, posixpath.dirname(part)))
        w.files[_rels_name(new)] = etree.tostring(rels, xml_declaration=True, encoding="UTF-8", standalone=True)
    return new


def _mark_count_fields(data: bytes, prefix: str) -> bytes:
    """Replace NUMPAGES/SECTIONPAGES fields in a header or footer by the document's marker."""
    root = _parse(data)
    if root.tag not in (_w("hdr"), _w("ftr")):
        return data
    text = marker(int(prefix[1:-1]))
    changed = False
    for simple in list(root.iter(_w("fldSimple"))):
        if ((simple.get(_w("instr")) or "").split() or [""])[0].upper() in COUNT_FIELDS:
            run = _marker_run(simple.find(f".//{_w('rPr')}"), text)
            simple.getparent().replace(simple, run)
            changed = True
    for instr in list(root.iter(_w("instrText"))):
        if ((instr.text or "").split() or [""])[0].upper() not in COUNT_FIELDS:
            continue
        run = instr.getparent()
        siblings = list(run.getparent())
        at = siblings.index(run)
        begin = next((k for k in range(at, -1, -1) if _fld_char(siblings[k]) == "begin"), None)
        end = next((k for k in range(at, len(siblings)) if _fld_char(siblings[k]) == "end"), None)
        if begin is None or end is None:
            raise NotJoinable("een paginatotaalveld loopt over meer alinea's")
        result = next((s for s in siblings[begin:end] if s.find(_w("t")) is not None), run)
        new = _marker_run(result.find(_w("rPr")), text)
        parent = run.getparent()
        parent.insert(parent.index(siblings[begin]), new)
        for s in siblings[begin:end + 1]:
            parent.remove(s)
        changed = True
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True) if changed else data


def _fld_char(el: etree._Element) -> str | None:
    fc = el.find(_w("fldChar")) if el.tag == _w("r") else None
    return fc.get(_w("fldCharType")) if fc is not None else None


def _marker_run(rpr: etree._Element | None, text: str) -> etree._Element:
    run = etree.Element(_w("r"))
    if rpr is not None:
        run.append(copy.deepcopy(rpr))
    etree.SubElement(run, _w("t")).text = text
    return run


def join_docx(paths: Sequence[Path | _Source], out: Path) -> JoinedDocx:
    """Join ``paths`` (one template set: paths, or the sources of a :class:`JoinPlan`) into ``out``.

    Raises:
        NotJoinable: a document turned out not to be joinable after all.
    """
    sources = [p if isinstance(p, _Source) else _read(Path(p)) for p in paths]
    first = sources[0]
    w = _Writer(first)
    body_children: list[etree._Element] = []
    bookmarks: list[str] = []
    markers: list[str] = []
    doc_root = first.root()
    for i, src in enumerate(sources):
        if src.fingerprint != first.fingerprint:
            raise NotJoinable(f"{src.path.name} hoort bij een andere sjabloonset")
        prefix = f"j{i}_"
        mapping, copied = _copy_rels(w, src, prefix, keep_shared=i == 0)
        if i == 0:
            replaced = set(copied)
        root = doc_root if i == 0 else src.root()
        body = root.find(_w("body"))
        children = list(body)
        final = children.pop() if children and children[-1].tag == _w("sectPr") else etree.Element(_w("sectPr"))
        for el in [*children, final]:
            _remap(el, mapping, i, w)
        first_sect = _first_section(children, final, restart=i > 0)
        if i > 0:
            _own_headers(w, first_sect, i, even=_even_and_odd(first))
        name = f"{BOOKMARK_PREFIX}{i}"
        _bookmark_first_paragraph(children, name, 900000 + i)
        bookmarks.append(name)
        markers.append(marker(i))
        if i < len(sources) - 1:
            _end_section(children, final)
            body_children.extend(children)
        else:
            body_children.extend([*children, final])
    body = doc_root.find(_w("body"))
    for el in list(body):
        body.remove(el)
    body.extend(body_children)
    w.files[first.main] = etree.tostring(doc_root, xml_declaration=True, encoding="UTF-8", standalone=True)
    w.files[_rels_name(first.main)] = etree.tostring(w.doc_rels, xml_declaration=True, encoding="UTF-8",
                                                     standalone=True)
    for name, data in first.files.items():  # the first document's package parts (styles, settings, ...)
        if name not in replaced and name not in (_rels_name(p) for p in replaced):
            w.files.setdefault(name, data)
    w.files["[Content_Types].xml"] = etree.tostring(w.ctypes, xml_declaration=True, encoding="UTF-8",
                                                    standalone=True)
    buf = BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as z:  # read once, by LibreOffice, at once
        z.writestr("[Content_Types].xml", w.files.pop("[Content_Types].xml"))
        for name, data in w.files.items():
            z.writestr(name, data)
    Path(out).write_bytes(buf.getvalue())
    return JoinedDocx(Path(out), bookmarks, markers, [_title(src) for src in sources])


def _title(src: _Source) -> str:
    data = src.files.get("docProps/core.xml")
    if data is None:
        return ""
    el = _parse(data).find("{http://purl.org/dc/elements/1.1/}title")
    return (el.text or "") if el is not None else ""


# --- the split ------------------------------------------------------------------------------


def split_pdf(joined: Path, counts: Sequence[int], targets: Sequence[Path], titles: Sequence[str]) -> None:
    """Cut the joined PDF into one PDF per document (``counts[i]`` pages each) at ``targets``.

    Each part keeps its pages' own outline entries (the document's headings), its links and
    LibreOffice's document information, with the document's own title.

    Raises:
        ValueError: the page counts do not add up to the joined PDF's pages.
    """
    import pikepdf

    with pikepdf.open(joined) as pdf:
        if sum(counts) != len(pdf.pages):
            raise ValueError(f"page counts {list(counts)} do not add up to {len(pdf.pages)} pages")
        page_index = {page.objgen: i for i, page in enumerate(pdf.pages)}
        with pdf.open_outline() as outline:
            tree = [_outline_node(item, page_index) for item in outline.root]
        start = 0
        for count, target, title in zip(counts, targets, titles, strict=True):
            part = pikepdf.new()
            part.pages.extend(pdf.pages[start:start + count])
            for key in ("/Lang", "/ViewerPreferences"):
                if key in pdf.Root:
                    part.Root[key] = _foreign(part, pdf.Root[key])
            for key, value in pdf.docinfo.items():
                part.docinfo[key] = _foreign(part, value)
            if title:
                part.docinfo["/Title"] = title
            items = _outline_items(tree, start, start + count)
            if items:
                with part.open_outline() as out:
                    out.root.extend(items)
            part.save(target, deterministic_id=True)
            start += count


def _foreign(pdf, obj):
    import pikepdf

    if not isinstance(obj, pikepdf.Object):
        return obj
    if obj.is_indirect:
        return pdf.copy_foreign(obj)
    if isinstance(obj, pikepdf.Dictionary):
        return pikepdf.Dictionary({k: _foreign(pdf, v) for k, v in obj.items()})
    if isinstance(obj, pikepdf.Array):
        return pikepdf.Array([_foreign(pdf, v) for v in obj])
    return obj


def _outline_node(item, page_index: dict) -> tuple:
    dest = item.destination
    page = left = top = zoom = None
    if dest is None and item.action is not None and item.action.get("/S") == "/GoTo":
        dest = item.action.get("/D")
    if dest is not None and len(dest) >= 2 and hasattr(dest[0], "objgen"):
        page = page_index.get(dest[0].objgen)
        if str(dest[1]) == "/XYZ" and len(dest) >= 5:
            left, top, zoom = (float(v) if v is not None else None for v in list(dest)[2:5])
    return item.title, page, left, top, zoom, [_outline_node(c, page_index) for c in item.children]


def _outline_items(tree: list, start: int, stop: int) -> list:
    import pikepdf

    out = []
    for title, page, left, top, zoom, children in tree:
        if page is None or not start <= page < stop:
            continue
        kw = {"left": left, "top": top, "zoom": zoom} if top is not None else {}
        item = pikepdf.OutlineItem(title, page - start, "XYZ" if kw else None, **kw)
        item.children.extend(_outline_items(children, start, stop))
        out.append(item)
    return out


def _copy_rels(w: _Writer, src: _Source, prefix: str, *, keep_shared: bool) -> tuple[dict[str, str], dict[str, str]]:
    """Copy the document's own parts (headers, footers, images, ...); map old → new rIds."""
    mapping: dict[str, str] = {}
    done: dict[str, str] = {}
    for rel in src.rels:
        rid = rel.get("Id", "")
        if rel.get("Type") in SHARED_TYPES:
            if keep_shared:
                w.doc_rels.append(copy.deepcopy(rel))
                mapping[rid] = rid
            continue
        new = copy.deepcopy(rel)
        new_id = f"{prefix}{rid}"
        new.set("Id", new_id)
        mapping[rid] = new_id
        if rel.get("TargetMode") != "External":
            target = src.rel_target(rel)
            if target in src.files:
                copied = _copy_part(w, src, target, prefix, done)
                new.set("Target", posixpath.relpath(copied, posixpath.dirname(src.main)))
        w.doc_rels.append(new)
    return mapping, done


def _remap(el: etree._Element, mapping: dict[str, str], i: int, w: _Writer) -> None:
    """Relationship ids, bookmark ids/names and drawing ids of document ``i`` made unique."""
    for node in el.iter():
        if not isinstance(node.tag, str):
            continue
        for key, value in node.attrib.items():
            if key.startswith(f"{{{R}}}") and value in mapping:
                node.set(key, mapping[value])
        if i and node.tag in (_w("bookmarkStart"), _w("bookmarkEnd")):
            node.set(_w("id"), str(i * 10000 + int(node.get(_w("id"), "0"))))
            if node.get(_w("name")):
                node.set(_w("name"), f"{node.get(_w('name'))}_j{i}")
        elif i and node.tag == _w("hyperlink") and node.get(_w("anchor")):
            node.set(_w("anchor"), f"{node.get(_w('anchor'))}_j{i}")
        elif node.tag == f"{{{WP}}}docPr":
            w.docpr_id += 1
            node.set("id", str(w.docpr_id))


def _first_section(children: list[etree._Element], final: etree._Element, *, restart: bool) -> etree._Element:
    """The document's first section starts on a new page; its page numbers restart at 1."""
    sect = next((s for c in children for s in c.iterfind(f"{_w('pPr')}/{_w('sectPr')}")), final)
    kind = sect.find(_w("type"))
    if kind is not None:
        kind.set(_w("val"), "nextPage")
    if not restart:
        return sect
    pg = sect.find(_w("pgNumType"))
    if pg is None:
        pg = etree.Element(_w("pgNumType"))
        anchor = sect.find(_w("cols"))
        if anchor is not None:
            anchor.addprevious(pg)
        else:
            sect.append(pg)
    if pg.get(_w("start")) is None:
        pg.set(_w("start"), "1")
    return sect


#: Content types of header and footer parts.
_HF_TYPES = {
    "header": "application/vnd.openxmlformats-officedocument.wordprocessingml.header+xml",
    "footer": "application/vnd.openxmlformats-officedocument.wordprocessingml.footer+xml",
}


def _own_headers(w: _Writer, sect: etree._Element, i: int, *, even: bool) -> None:
    """Give a document's first section every header and footer it would otherwise inherit.

    A section without a header (or footer) reference of a kind inherits the previous section's;
    alone, a document's first section has none, joined it would show the previous document's.
    """
    kinds = ["default"] + (["first"] if sect.find(_w("titlePg")) is not None else []) + (["even"] if even else [])
    for what, tag in (("header", "hdr"), ("footer", "ftr")):
        have = {ref.get(_w("type"), "default") for ref in sect.findall(_w(f"{what}Reference"))}
        for kind in kinds:
            if kind in have:
                continue
            name = f"word/j{i}_empty_{what}_{kind}.xml"
            root = etree.Element(_w(tag), nsmap={"w": W, "r": R})
            etree.SubElement(root, _w("p"))
            w.files[name] = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
            etree.SubElement(w.ctypes, f"{{{CT}}}Override", PartName="/" + name, ContentType=_HF_TYPES[what])
            rid = f"j{i}_empty_{what}_{kind}"
            etree.SubElement(w.doc_rels, f"{{{PR}}}Relationship", Id=rid, Type=RT + what,
                             Target=posixpath.basename(name))
            ref = etree.Element(_w(f"{what}Reference"))
            ref.set(_w("type"), kind)
            ref.set(f"{{{R}}}id", rid)
            sect.insert(0, ref)  # references come first in CT_SectPr


def _even_and_odd(src: _Source) -> bool:
    rel = next((r for r in src.rels if r.get("Type") == RT + "settings"), None)
    if rel is None or src.rel_target(rel) not in src.files:
        return False
    flag = _parse(src.files[src.rel_target(rel)]).find(_w("evenAndOddHeaders"))
    return flag is not None and flag.get(_w("val"), "true") not in ("0", "false", "off")


def _bookmark_first_paragraph(children: list[etree._Element], name: str, bid: int) -> None:
    para = next((p for c in children for p in c.iter(_w("p"))), None)
    if para is None:
        raise NotJoinable("een document heeft geen alinea")
    start = etree.Element(_w("bookmarkStart"))
    start.set(_w("id"), str(bid))
    start.set(_w("name"), name)
    end = etree.Element(_w("bookmarkEnd"))
    end.set(_w("id"), str(bid))
    ppr = para.find(_w("pPr"))
    at = 1 if ppr is not None else 0
    para.insert(at, start)
    para.insert(at + 1, end)


def _end_section(children: list[etree._Element], final: etree._Element) -> None:
    """Attach the document's last section properties to its last paragraph (or a tiny new one)."""
    last = children[-1] if children else None
    if last is None or last.tag != _w("p") or last.find(f"{_w('pPr')}/{_w('sectPr')}") is not None:
        last = etree.Element(_w("p"))
        ppr = etree.SubElement(last, _w("pPr"))
        spacing = etree.SubElement(ppr, _w("spacing"))
        spacing.set(_w("before"), "0")
        spacing.set(_w("after"), "0")
        spacing.set(_w("line"), "20")
        spacing.set(_w("lineRule"), "exact")
        children.append(last)
    ppr = last.find(_w("pPr"))
    if ppr is None:
        ppr = etree.Element(_w("pPr"))
        last.insert(0, ppr)
    # sectPr comes after the other paragraph properties, before pPrChange (CT_PPr sequence).
    change = ppr.find(_w("pPrChange"))
    if change is not None:
        change.addprevious(final)
    else:
        ppr.append(final)

"""Remove active and hidden content from an attachment (pikepdf), keeping what a reader needs.

Attachments come from outside (a company doctor, a re-integration firm, an employee) and travel
on to UWV. Before one enters the dossier or the upload set, :func:`sanitize` removes, in place:

* JavaScript: the catalog's ``/Names/JavaScript``, ``/OpenAction`` and ``/AA`` (document, page,
  annotation and form-field triggers), ``javascript:`` links, XFA forms (they carry scripts);
* every action that is not an internal jump, a web/mail link or a page-turning ``/Named`` action:
  ``/Launch``, ``/SubmitForm``, ``/ImportData``, ``/GoToR``, ``/GoToE``, media and form actions —
  also inside an allowed action's ``/Next`` chain and in bookmarks;
* embedded files (``/Names/EmbeddedFiles``, ``/AF``, portfolios) and FileAttachment, sound,
  movie, screen, rich-media and 3D annotations;
* page-level XMP (``/Metadata``) and ``/PieceInfo`` (the private data of the producing program,
  often user names and home folders), also on images and forms the pages use.

What stays: internal links (``/Dest``, ``/GoTo``), ``http``/``https``/``mailto`` links, form
fields with their values and appearances, the document's own catalog-level XMP (it is not copied
into the dossier anyway), bookmarks without actions.

Malformed or cyclic structures are walked with depth limits and visited sets: a hostile file
cannot make this loop.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import pikepdf
from pikepdf import Array, Dictionary, Pdf

#: URI schemes a link may keep. Everything else (``file:``, ``javascript:``, ``data:``, relative
#: addresses that a viewer resolves against a base) is removed.
SAFE_URI_SCHEMES = frozenset({"http", "https", "mailto"})

#: /Named actions a viewer carries out without any risk.
SAFE_NAMED = frozenset({"/NextPage", "/PrevPage", "/FirstPage", "/LastPage"})

#: Dutch descriptions of the actions that are removed.
ACTION_NAMES = {
    "/JavaScript": "JavaScript",
    "/Launch": "Launch-actie (start een programma of opent een bestand)",
    "/SubmitForm": "SubmitForm-actie (verstuurt formuliergegevens naar een adres)",
    "/ImportData": "ImportData-actie (leest formuliergegevens uit een bestand)",
    "/GoToR": "GoToR-actie (opent een ander PDF-bestand)",
    "/GoToE": "GoToE-actie (opent een ingesloten PDF-bestand)",
}

#: Annotation subtypes that are removed whole: they embed files or play media.
DROPPED_ANNOTATIONS = {
    "/FileAttachment": "bijlage-annotatie (FileAttachment, een ingesloten bestand)",
    "/Sound": "geluidsannotatie",
    "/Movie": "filmannotatie",
    "/Screen": "multimedia-annotatie (Screen)",
    "/RichMedia": "multimedia-annotatie (RichMedia)",
    "/3D": "3D-annotatie",
}

#: Catalog entries removed whole, with their description.
_CATALOG_DROPS = {
    "/AF": "bijgevoegd bestand (/AF)",
    "/PieceInfo": "PieceInfo van het document (privégegevens van het makende programma)",
    "/Collection": "PDF-portfolio (/Collection)",
}

#: Name trees removed whole from the catalog's /Names.
_NAME_TREE_DROPS = {
    "/JavaScript": "JavaScript op documentniveau",
    "/EmbeddedFiles": "ingesloten bestand",
    "/AlternatePresentations": "alternatieve presentatie (diavoorstelling)",
    "/Renditions": "multimedia (/Renditions)",
}

#: How deep nested structures (action chains, field trees, forms in forms, bookmarks) are followed.
MAX_DEPTH = 32

_SCHEME = re.compile(r"^\s*([A-Za-z][A-Za-z0-9+.\-]*):")


@dataclass(frozen=True)
class Removal:
    """One thing that was removed.

    Attributes:
        what: Dutch description, e.g. "Launch-actie (start een programma of opent een bestand)".
        where: Dutch location: "document", "pagina 3", "formulierveld 'naam'", "bladwijzer".
    """

    what: str
    where: str


def sanitize(pdf: Pdf) -> list[Removal]:
    """Remove active and hidden content from ``pdf`` in place; return what was removed."""
    cleaner = _Cleaner()
    for number, page in enumerate(pdf.pages, start=1):
        cleaner.page(page.obj, f"pagina {number}")
    cleaner.catalog(pdf.Root)
    return cleaner.removed


def describe(removals: Iterable[Removal], *, max_places: int = 5) -> list[str]:
    """One Dutch line per kind of removal, with where it was, e.g.
    ``"JavaScript (pagina 1, 2 en bladwijzer)"`` or ``"ingesloten bestand (document, 3×)"``."""
    places: dict[str, list[str]] = {}
    for item in removals:
        places.setdefault(item.what, []).append(item.where)
    lines = []
    for what, wheres in places.items():
        unique = list(dict.fromkeys(wheres))
        shown = ", ".join(unique[:max_places])
        if len(unique) > max_places:
            shown += f" en {len(unique) - max_places} andere plaatsen"
        if len(wheres) > len(unique):
            shown += f"; {len(wheres)}×"
        lines.append(f"{what} ({shown})")
    return lines


def _is_dict(obj: object) -> bool:
    return isinstance(obj, Dictionary | pikepdf.Stream)


def _key(obj: pikepdf.Object) -> tuple[int, int] | None:
    """Identity of an indirect object (None for direct ones, which cannot form cycles)."""
    return obj.objgen if obj.is_indirect else None


class _Cleaner:
    """Walks one document; keeps visited sets so shared and cyclic objects are handled once."""

    def __init__(self) -> None:
        self.removed: list[Removal] = []
        self._actions: dict[tuple[int, int], bool] = {}
        self._xobjects: set[tuple[int, int]] = set()
        self._fields: set[tuple[int, int]] = set()

    def note(self, what: str, where: str) -> None:
        self.removed.append(Removal(what, where))

    # -- actions ------------------------------------------------------------------------------

    def action_ok(self, action: pikepdf.Object, where: str, depth: int = 0) -> bool:
        """Whether ``action`` may stay; bad actions in its /Next chain are removed in place."""
        key = _key(action)
        if key is not None and key in self._actions:
            return self._actions[key]
        if not _is_dict(action) or depth > MAX_DEPTH:
            return False
        if key is not None:
            self._actions[key] = True  # provisional: a /Next cycle back to here ends the walk
        verdict = self._judge(action, where)
        if verdict and "/Next" in action:
            self._clean_next(action, where, depth)
        if key is not None:
            self._actions[key] = verdict
        return verdict

    def _judge(self, action: Dictionary, where: str) -> bool:
        kind = str(action.get("/S", ""))
        if kind == "/GoTo":
            return True
        if kind == "/Named" and str(action.get("/N", "")) in SAFE_NAMED:
            return True
        if kind == "/URI":
            try:
                uri = bytes(action.get("/URI", b"")).decode("latin-1")
            except (TypeError, ValueError):
                uri = ""
            match = _SCHEME.match(uri)
            scheme = match.group(1).lower() if match else ""
            if scheme in SAFE_URI_SCHEMES:
                return True
            what = "JavaScript" if scheme == "javascript" else (
                f"link met een {scheme}:-adres" if scheme else "link zonder webadres (relatief adres)")
            self.note(what, where)
            return False
        self.note(ACTION_NAMES.get(kind, f"actie van het type {kind.lstrip('/') or 'onbekend'}"), where)
        return False

    def _clean_next(self, action: Dictionary, where: str, depth: int) -> None:
        nxt = action.get("/Next")
        if isinstance(nxt, Array):
            keep = [a for a in nxt if self.action_ok(a, where, depth + 1)]
            if keep:
                action.Next = Array(keep)
            else:
                del action["/Next"]
        elif nxt is None or not self.action_ok(nxt, where, depth + 1):
            del action["/Next"]

    def triggers(self, holder: Dictionary, where: str) -> None:
        """Clean an /AA dictionary (event → action); remove it when nothing is left."""
        aa = holder.get("/AA")
        if aa is None:
            return
        if _is_dict(aa):
            for event in list(aa.keys()):
                if not self.action_ok(aa[event], where):
                    del aa[event]
            if len(aa.keys()):
                return
        del holder["/AA"]

    def single_action(self, holder: Dictionary, where: str) -> None:
        """Remove ``holder``'s /A when that action is not allowed."""
        if "/A" in holder and not self.action_ok(holder.get("/A"), where):
            del holder["/A"]

    # -- catalog ------------------------------------------------------------------------------

    def catalog(self, root: Dictionary) -> None:
        names = root.get("/Names")
        if _is_dict(names):
            for tree, what in _NAME_TREE_DROPS.items():
                if tree in names:
                    for _ in range(max(1, _count_leaves(names[tree]))):
                        self.note(what, "document")
                    del names[tree]
        opening = root.get("/OpenAction")
        if _is_dict(opening) and not self.action_ok(opening, "bij het openen van het document"):
            del root["/OpenAction"]
        self.triggers(root, "document")
        for entry, what in _CATALOG_DROPS.items():
            if entry in root:
                self.note(what, "document")
                del root[entry]
        form = root.get("/AcroForm")
        if _is_dict(form):
            if "/XFA" in form:
                self.note("XFA-formulier (kan scripts bevatten)", "document")
                del form["/XFA"]
                if "/NeedsRendering" in root:  # it asks the viewer to render the XFA form
                    del root["/NeedsRendering"]
            for field in _iter_array(form.get("/Fields")):
                self.field(field, 0)
        outlines = root.get("/Outlines")
        if _is_dict(outlines):
            self.bookmarks(outlines.get("/First"))

    def field(self, field: pikepdf.Object, depth: int) -> None:
        key = _key(field)
        if not _is_dict(field) or depth > MAX_DEPTH or (key is not None and key in self._fields):
            return
        if key is not None:
            self._fields.add(key)
        name = _text(field.get("/T"))
        where = f"formulierveld '{name}'" if name else "formulierveld"
        self.triggers(field, where)
        self.single_action(field, where)
        for kid in _iter_array(field.get("/Kids")):
            self.field(kid, depth + 1)

    def bookmarks(self, item: pikepdf.Object) -> None:
        """Walk the outline (children and siblings) iteratively; cycles end at a seen item."""
        seen: set[tuple[int, int]] = set()
        stack = [(item, 0)]
        while stack:
            node, depth = stack.pop()
            key = _key(node) if node is not None else None
            if not _is_dict(node) or depth > MAX_DEPTH or key in seen or len(seen) > 100_000:
                continue
            if key is not None:
                seen.add(key)
            self.single_action(node, "bladwijzer")
            stack.append((node.get("/Next"), depth))
            stack.append((node.get("/First"), depth + 1))

    # -- pages --------------------------------------------------------------------------------

    def page(self, page: Dictionary, where: str) -> None:
        self.triggers(page, where)
        for entry, what in (("/Metadata", "XMP-metadata van de pagina"),
                            ("/PieceInfo", "PieceInfo van de pagina (privégegevens van het makende programma)"),
                            ("/AF", "bijgevoegd bestand (/AF)")):
            if entry in page:
                self.note(what, where)
                del page[entry]
        self.annotations(page, where)
        resources = page.get("/Resources")
        if _is_dict(resources):
            self.xobjects(resources, where, 0)

    def annotations(self, page: Dictionary, where: str) -> None:
        annots = page.get("/Annots")
        if not isinstance(annots, Array):
            return
        keep, dropped = [], set()
        for annot in annots:
            if not _is_dict(annot):
                continue
            subtype = str(annot.get("/Subtype", ""))
            if subtype in DROPPED_ANNOTATIONS:
                self.note(DROPPED_ANNOTATIONS[subtype], where)
                popup = annot.get("/Popup")
                if popup is not None and popup.is_indirect:
                    dropped.add(popup.objgen)
                continue
            self.triggers(annot, where)
            self.single_action(annot, where)
            if "/AF" in annot:
                self.note("bijgevoegd bestand (/AF)", where)
                del annot["/AF"]
            if subtype == "/Link" and "/A" not in annot and "/Dest" not in annot:
                continue  # a link whose only action was removed would be a dead, clickable area
            keep.append(annot)
        keep = [a for a in keep if not (a.is_indirect and a.objgen in dropped)]
        if keep:
            page.Annots = Array(keep)
        else:
            del page["/Annots"]

    def xobjects(self, resources: Dictionary, where: str, depth: int) -> None:
        """Strip /Metadata, /PieceInfo and /AF from the images and forms a page draws."""
        xobjects = resources.get("/XObject")
        if not _is_dict(xobjects) or depth > MAX_DEPTH:
            return
        for name in list(xobjects.keys()):
            xobj = xobjects[name]
            key = _key(xobj)
            if not isinstance(xobj, pikepdf.Stream) or (key is not None and key in self._xobjects):
                continue
            if key is not None:
                self._xobjects.add(key)
            for entry, what in (("/Metadata", "XMP-metadata van een afbeelding of vorm"),
                                ("/PieceInfo", "PieceInfo van een afbeelding of vorm"),
                                ("/AF", "bijgevoegd bestand (/AF)")):
                if entry in xobj:
                    self.note(what, where)
                    del xobj[entry]
            inner = xobj.get("/Resources")
            if str(xobj.get("/Subtype", "")) == "/Form" and _is_dict(inner):
                self.xobjects(inner, where, depth + 1)


def _iter_array(value: pikepdf.Object | None) -> Iterator[pikepdf.Object]:
    if isinstance(value, Array):
        yield from value


def _text(value: pikepdf.Object | None) -> str:
    if value is None:
        return ""
    try:
        return str(value)[:60]
    except (TypeError, ValueError):
        return ""


def _count_leaves(tree: pikepdf.Object) -> int:
    """Number of entries in a name tree (for the report); shared or cyclic nodes count once."""
    seen: set[tuple[int, int]] = set()
    count, stack = 0, [(tree, 0)]
    while stack:
        node, depth = stack.pop()
        key = _key(node) if node is not None else None
        if not _is_dict(node) or depth > MAX_DEPTH or key in seen:
            continue
        if key is not None:
            seen.add(key)
        names = node.get("/Names")
        count += len(names) // 2 if isinstance(names, Array) else 0
        stack.extend((kid, depth + 1) for kid in _iter_array(node.get("/Kids")))
    return count

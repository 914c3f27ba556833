"""Assemble the dossier: cover, index, parts → one stamped, bookmarked, linked PDF.

The stages, in order (each a small function below):

1. open every input (decrypting where needed) and count its pages;
2. plan the page numbers and render the index until its page count is stable;
3. merge cover, index and parts (pypdf), rewriting named links per part so that two
   attachments using the same destination names (two LaTeX documents) cannot mix up;
4. flatten form fields (the filled-in values stay visible as page content);
5. build the outline: cover, index, groups → parts → the attachment's own bookmarks;
6. put a link annotation on every index row;
7. stamp every page, set page labels (equal to the stamped numbers) and metadata;
8. serialise deterministically (/ID is a hash of the content) and write atomically.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from typing import Any

from pypdf import PageObject, PdfReader, PdfWriter
from pypdf.errors import PyPdfError
from pypdf.generic import (
    ArrayObject,
    DictionaryObject,
    FloatObject,
    IndirectObject,
    NameObject,
    NumberObject,
    StreamObject,
    TextStringObject,
)
from pypdf.generic import Fit as PdfFit

from dossier.errors import AssemblyError
from dossier.pdf import pdfa
from dossier.pdf.index import FontSet, RenderedIndex, find_fonts, index_page_count, render_index
from dossier.pdf.output import serialise, set_document_info, write_atomic
from dossier.pdf.plan import (
    DossierMeta,
    DossierPlan,
    Part,
    PartPlacement,
    group_runs,
    index_rows,
    needs_heading,
    plan_dossier,
)
from dossier.pdf.preflight import open_pdf, quiet_libraries
from dossier.pdf.stamp import add_stream, attach_xobject, content_refs, stamp_pages
from dossier.privacy import scrub

#: Index renders allowed before giving up on a stable page count (2 always suffice: the
#: layout does not depend on the numbers shown).
MAX_INDEX_PASSES = 4

# Widget flags (PDF 32000-1 §12.5.3) for annotations that are not shown on screen.
_FLAG_HIDDEN = 1 << 1
_FLAG_NOVIEW = 1 << 5


@dataclass(frozen=True)
class AssemblyResult:
    """What was written: where every part landed (JSON-serialisable via :meth:`to_dict`).

    Attributes:
        output: the dossier PDF.
        total_pages: pages in the dossier.
        index_start: first page of the index (1-based).
        index_pages: number of index pages.
        cover: the cover's placement, or None.
        parts: placements of the parts, in order.
        size_bytes: size of the written file.
        sha256: SHA-256 of the written file (hex).
    """

    output: str
    total_pages: int
    index_start: int
    index_pages: int
    cover: PartPlacement | None
    parts: tuple[PartPlacement, ...]
    size_bytes: int
    sha256: str

    def part(self, key: str) -> PartPlacement:
        """The placement of the part with ``key``.

        Raises:
            KeyError: no part has that key.
        """
        for placement in self.parts:
            if placement.key == key:
                return placement
        raise KeyError(key)

    def to_dict(self) -> dict[str, Any]:
        """Plain dictionary of str/int/None/lists, ready for ``json.dumps``."""
        return {"output": self.output, "total_pages": self.total_pages, "index_start": self.index_start,
                "index_pages": self.index_pages, "cover": self.cover.to_dict() if self.cover else None,
                "parts": [p.to_dict() for p in self.parts], "size_bytes": self.size_bytes,
                "sha256": self.sha256}

    def to_json(self) -> str:
        """The result as indented JSON (UTF-8 text, non-ASCII kept)."""
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=2) + "\n"


@dataclass
class _Input:
    part: Part
    reader: PdfReader
    first_index: int = 0  # 0-based index of the first page in the writer


def assemble_dossier(
    cover: Part | None,
    parts: list[Part],
    out: Path,
    meta: DossierMeta,
    *,
    fonts: FontSet | None = None,
) -> AssemblyResult:
    """Build the dossier PDF: cover, index, parts; stamped, bookmarked, linked, deterministic.

    Args:
        cover: optional cover page(s); not listed in the index, but stamped and bookmarked.
        parts: the documents in dossier order.
        out: where to write the PDF (written atomically; nothing is left there on failure).
        meta: titles, stamp texts and the fixed creation moment.
        fonts: font family for index and stamps (found automatically when None).

    Returns:
        Where every part landed, the page counts and the file's checksum.

    Raises:
        AssemblyError: an input cannot be used, no font is installed, or the file cannot be
            written. The message is Dutch and names the file.
    """
    out = Path(out)
    _check_request(cover, parts, out)
    with quiet_libraries():
        fonts = fonts or find_fonts()
        cover_input = _Input(cover, open_pdf(cover.pdf, cover.password)) if cover else None
        inputs = [_Input(part, open_pdf(part.pdf, part.password)) for part in parts]
        plan, index = _plan_with_index(cover_input, inputs, meta, fonts)
        try:
            writer = _merge(cover_input, index, inputs)
            flatten_forms(writer)
            _build_outline(writer, plan, cover_input, inputs, meta)
            _add_index_links(writer, plan, index)
            stamp_pages(writer, meta, fonts)
            writer.set_page_label(0, plan.total_pages - 1, style="/D", start=1)
            set_document_info(writer, meta)
            if meta.pdfa:
                sources = [(p.title, Path(p.pdf)) for p in [*([cover] if cover else []), *parts]]
                pdfa.mark_if_conformant(writer, meta.created, sources, what="Het dossier")
            data = serialise(writer)
        except (PyPdfError, ValueError, KeyError, TypeError, AttributeError) as exc:
            raise AssemblyError(
                f"Het dossier kon niet worden samengesteld: {scrub(str(exc)) or type(exc).__name__}"
            ) from exc
    write_atomic(out, data)
    return AssemblyResult(
        output=str(out),
        total_pages=plan.total_pages,
        index_start=plan.index_start,
        index_pages=plan.index_pages,
        cover=plan.cover,
        parts=plan.parts,
        size_bytes=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
    )


def _check_request(cover: Part | None, parts: Sequence[Part], out: Path) -> None:
    if not parts:
        raise AssemblyError("Er zijn geen documenten om samen te voegen.")
    keys = [p.key for p in parts] + ([cover.key] if cover else [])
    duplicates = sorted({k for k in keys if keys.count(k) > 1})
    if duplicates:
        raise AssemblyError(f"Dubbele sleutel(s) voor onderdelen: {', '.join(duplicates)}.")
    target = out.resolve()
    for part in [*parts, *([cover] if cover else [])]:
        if Path(part.pdf).resolve() == target:
            raise AssemblyError(
                f"Het uitvoerbestand {scrub(out.name)} is ook een invoerbestand ({part.title}); "
                "kies een andere naam of map voor het dossier."
            )
    if out.is_dir():
        raise AssemblyError(f"{scrub(str(out))} is een map; geef een bestandsnaam voor het dossier.")


def _plan_with_index(
    cover: _Input | None, inputs: Sequence[_Input], meta: DossierMeta, fonts: FontSet
) -> tuple[DossierPlan, RenderedIndex]:
    """Plan, render the index, and re-plan until the index's page count is what was planned."""
    cover_pages = len(cover.reader.pages) if cover else 0
    counts = [len(i.reader.pages) for i in inputs]
    index_pages = 1
    for _ in range(MAX_INDEX_PASSES):
        plan = plan_dossier(
            cover.part if cover else None, cover_pages, [i.part for i in inputs], counts, index_pages
        )
        rows = index_rows(plan)
        pages = index_page_count(rows, meta, fonts)  # cheap: no PDF written for a count
        if pages == index_pages:
            index = render_index(rows, meta, fonts)
            if index.page_count == index_pages:
                return plan, index
            pages = index.page_count  # pragma: no cover - the count and the drawing paginate alike
        index_pages = pages
    raise AssemblyError("De inhoudsopgave kon niet stabiel worden opgemaakt.")  # pragma: no cover


# --- merge ----------------------------------------------------------------------------------


def _merge(cover: _Input | None, index: RenderedIndex, inputs: Sequence[_Input]) -> PdfWriter:
    writer = PdfWriter()
    if cover is not None:
        _append(writer, cover)
    writer.append(PdfReader(BytesIO(index.pdf)), import_outline=False)
    for item in inputs:
        _append(writer, item)
    _drop_named_destinations(writer)
    return writer


def _append(writer: PdfWriter, item: _Input) -> None:
    item.first_index = len(writer.pages)
    try:
        writer.append(item.reader, import_outline=False)
        _resolve_named_links(writer, item)
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise AssemblyError(
            f"Bestand {scrub(Path(item.part.pdf).name)} ({item.part.title}) kon niet worden "
            f"samengevoegd: {scrub(str(exc)) or type(exc).__name__}"
        ) from exc


def _named(reader: PdfReader) -> dict[str, Any]:
    try:
        return dict(reader.named_destinations)
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError):
        return {}


def _resolve_named_links(writer: PdfWriter, item: _Input) -> None:
    """Turn links to named destinations into explicit ones pointing at this part's pages.

    pypdf keeps one global name table, so a second attachment with a destination called
    "section.1" would otherwise jump into the first attachment.
    """
    named = None
    for offset in range(len(item.reader.pages)):
        page = writer.pages[item.first_index + offset]
        for ref in page.get("/Annots", None) or []:
            annot = ref.get_object()
            if annot.get("/Subtype") != "/Link":
                continue
            holder, key = annot, "/Dest"
            if key not in annot:
                action = annot.get("/A")
                action = action.get_object() if action is not None else None
                if not isinstance(action, DictionaryObject) or action.get("/S") != "/GoTo":
                    continue
                holder, key = action, "/D"
            target = holder.get(key)
            if isinstance(target, ArrayObject) or target is None:
                continue
            if named is None:
                named = _named(item.reader)
            dest = named.get(str(target)) or named.get(str(target).lstrip("/"))
            number = item.reader.get_destination_page_number(dest) if dest is not None else None
            if number is None or not 0 <= number < len(item.reader.pages):
                continue
            array = dest.dest_array
            array[0] = writer.pages[item.first_index + number].indirect_reference
            holder[NameObject(key)] = ArrayObject(array)


def _drop_named_destinations(writer: PdfWriter) -> None:
    """All links are explicit now; the merged name table would only leak stale names."""
    root = writer._root_object
    names = root.get("/Names")
    if names is not None:
        names = names.get_object()
        names.pop("/Dests", None)
        if not names:
            del root["/Names"]
    root.pop("/Dests", None)


# --- forms ----------------------------------------------------------------------------------


def flatten_forms(writer: PdfWriter) -> int:
    """Paint every visible form field's appearance into its page and remove the form.

    Fields filled in without an appearance stream (/NeedAppearances) get one generated by
    pypdf first, so their values do not disappear. Returns the number of fields painted.
    """
    root = writer._root_object
    if "/AcroForm" not in root:
        return 0
    regenerate = bool(root["/AcroForm"].get_object().get("/NeedAppearances", False))
    painted = 0
    open_q: IndirectObject | None = None
    for page in writer.pages:
        annots = page.get("/Annots")
        if not annots:
            continue
        keep = ArrayObject()
        ops: list[bytes] = []
        for ref in annots.get_object():
            annot = ref.get_object()
            if annot.get("/Subtype") != "/Widget":
                keep.append(ref)
                continue
            if int(annot.get("/F", 0)) & (_FLAG_HIDDEN | _FLAG_NOVIEW):
                continue
            appearance = _appearance(writer, page, annot, regenerate)
            matrix = _appearance_matrix(annot, appearance) if appearance is not None else None
            if appearance is None or matrix is None:
                continue
            name = attach_xobject(page, appearance.indirect_reference, "/DossierField")
            ops.append(f"q {matrix} cm {name} Do Q\n".encode("ascii"))
        if keep:
            page[NameObject("/Annots")] = keep
        else:
            del page["/Annots"]
        if not ops:
            continue
        if open_q is None:
            open_q = add_stream(writer, b"q\n")
        tail = add_stream(writer, b"\nQ\n" + b"".join(ops))
        page[NameObject("/Contents")] = ArrayObject([open_q, *content_refs(page), tail])
        painted += len(ops)
    del root["/AcroForm"]
    return painted


def _field_value(annot: DictionaryObject) -> tuple[str, Any, Any]:
    """(qualified name, /FT, /V) of the field a widget belongs to (walking /Parent)."""
    names, ftype, value = [], None, None
    node: Any = annot
    for _ in range(32):
        if node is None:
            break
        node = node.get_object()
        if "/T" in node:
            names.append(str(node["/T"]))
        ftype = ftype or node.get("/FT")
        value = value if value is not None else node.get("/V")
        node = node.get("/Parent")
    return ".".join(reversed(names)), ftype, value


def _appearance(
    writer: PdfWriter, page: PageObject, annot: DictionaryObject, regenerate: bool
) -> StreamObject | None:
    """The widget's normal appearance stream.

    A text or choice field gets a fresh appearance when it has none, or when the form asks
    viewers to regenerate them (/NeedAppearances): LibreOffice, for one, exports empty
    appearances ("/Tx BMC EMC") and relies on that flag.
    """
    stream = _normal_appearance(annot)
    name, ftype, value = _field_value(annot)
    if ftype not in ("/Tx", "/Ch") or value in (None, "") or not name:
        return stream
    if stream is not None and not regenerate and _shows_text(stream):
        return stream
    text: Any = [str(v) for v in value] if isinstance(value, ArrayObject) else str(value)
    try:
        writer.update_page_form_field_values(page, {name: text}, auto_regenerate=False)
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError):
        return stream
    return _normal_appearance(annot)


def _shows_text(stream: StreamObject) -> bool:
    """True when an appearance stream draws text at all (LibreOffice's empty ones do not)."""
    try:
        data = stream.get_data()
    except (PyPdfError, ValueError):
        return False
    return any(op in data for op in (b"Tj", b"TJ", b"'", b'"', b"Do"))


def _normal_appearance(annot: DictionaryObject) -> StreamObject | None:
    ap = annot.get("/AP")
    if ap is None:
        return None
    normal = ap.get_object().get("/N")
    if normal is None:
        return None
    normal = normal.get_object()
    if isinstance(normal, StreamObject):
        return normal if normal.indirect_reference is not None else None
    if isinstance(normal, DictionaryObject):  # states of a check box or radio button
        state = annot.get("/AS")
        chosen = normal.get(state) if state is not None else None
        if chosen is None:
            return None
        chosen = chosen.get_object()
        return chosen if isinstance(chosen, StreamObject) and chosen.indirect_reference else None
    return None


def _appearance_matrix(annot: DictionaryObject, form: StreamObject) -> str | None:
    """``cm`` operands that map the appearance's (transformed) BBox onto /Rect (§12.5.5)."""
    try:
        rx0, ry0, rx1, ry1 = (float(v) for v in annot["/Rect"])
        bx0, by0, bx1, by1 = (float(v) for v in form.get("/BBox", [0, 0, 0, 0]))
        a, b, c, d, e, f = (float(v) for v in form.get("/Matrix", [1, 0, 0, 1, 0, 0]))
    except (KeyError, TypeError, ValueError):
        return None
    corners = [(a * x + c * y + e, b * x + d * y + f) for x in (bx0, bx1) for y in (by0, by1)]
    xs, ys = [p[0] for p in corners], [p[1] for p in corners]
    width, height = max(xs) - min(xs), max(ys) - min(ys)
    rx0, rx1, ry0, ry1 = min(rx0, rx1), max(rx0, rx1), min(ry0, ry1), max(ry0, ry1)
    if width <= 0 or height <= 0:
        return None
    sx, sy = (rx1 - rx0) / width, (ry1 - ry0) / height
    values = (sx, 0.0, 0.0, sy, rx0 - min(xs) * sx, ry0 - min(ys) * sy)
    if "/Type" not in form:
        form[NameObject("/Type")] = NameObject("/XObject")
    if "/Subtype" not in form:
        form[NameObject("/Subtype")] = NameObject("/Form")
    return " ".join(f"{v:.4f}".rstrip("0").rstrip(".") or "0" for v in values)


# --- outline and links ----------------------------------------------------------------------


def _build_outline(
    writer: PdfWriter,
    plan: DossierPlan,
    cover: _Input | None,
    inputs: Sequence[_Input],
    meta: DossierMeta,
) -> None:
    if cover is not None and plan.cover is not None:
        item = writer.add_outline_item(title=cover.part.title, page_number=0, is_open=False)
        if cover.part.keep_outline:
            _copy_outline(writer, cover, item)
    writer.add_outline_item(title=meta.index_title, page_number=plan.index_start - 1)
    by_key = {i.part.key: i for i in inputs}
    for group, members in group_runs(plan.parts):
        parent = None
        if needs_heading(group, members):
            parent = writer.add_outline_item(
                title=group, page_number=members[0].start_page - 1, bold=True, is_open=True
            )
        for placement in members:
            item = writer.add_outline_item(
                title=placement.title,
                page_number=placement.start_page - 1,
                parent=parent,
                is_open=False,
            )
            source = by_key[placement.key]
            if source.part.keep_outline:
                _copy_outline(writer, source, item)


def _copy_outline(writer: PdfWriter, source: _Input, parent: IndirectObject) -> None:
    """Copy the attachment's own bookmarks under ``parent``, destinations remapped."""
    try:
        outline = source.reader.outline
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError):
        return
    _copy_outline_level(writer, source, outline, parent, depth=0)


def _copy_outline_level(
    writer: PdfWriter, source: _Input, items: list[Any], parent: IndirectObject, depth: int
) -> None:
    if depth > 16:  # guard against cyclic or absurdly deep outlines
        return
    last: IndirectObject | None = None
    count = len(source.reader.pages)
    for entry in items:
        if isinstance(entry, list):
            if last is not None:
                _copy_outline_level(writer, source, entry, last, depth + 1)
            continue
        try:
            number = source.reader.get_destination_page_number(entry)
        except (PyPdfError, ValueError, KeyError, TypeError, AttributeError):
            number = None
        if number is not None and 0 <= number < count:
            array = entry.dest_array
            fit = PdfFit(str(array[1]), [_fit_arg(v) for v in array[2:]])
        else:
            number, fit = 0, PdfFit.fit()
        title = str(entry.get("/Title", "")) or "(zonder titel)"
        last = writer.add_outline_item(
            title=title,
            page_number=source.first_index + number,
            parent=parent,
            fit=fit,
            is_open=False,
        )


def _fit_arg(value: Any) -> float | None:
    value = value.get_object() if hasattr(value, "get_object") else value
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _add_index_links(writer: PdfWriter, plan: DossierPlan, index: RenderedIndex) -> None:
    """A /Link on every index row, going to the first page of its part (bundlebuild-style)."""
    for link in index.links:
        page = writer.pages[plan.index_start - 1 + link.page]
        target = writer.pages[link.target_page - 1].indirect_reference
        annot = DictionaryObject(
            {
                NameObject("/Type"): NameObject("/Annot"),
                NameObject("/Subtype"): NameObject("/Link"),
                NameObject("/Rect"): ArrayObject([FloatObject(v) for v in link.rect]),
                NameObject("/Border"): ArrayObject([NumberObject(0)] * 3),
                NameObject("/Dest"): ArrayObject([target, NameObject("/Fit")]),
                NameObject("/Contents"): TextStringObject(link.label),
                NameObject("/F"): NumberObject(4),  # print
            }
        )
        annot[NameObject("/P")] = page.indirect_reference
        if "/Annots" not in page:
            page[NameObject("/Annots")] = ArrayObject()
        page["/Annots"].get_object().append(writer._add_object(annot))

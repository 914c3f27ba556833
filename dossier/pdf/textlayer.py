"""Does a PDF have a text layer at all? (The "scanned, no text layer" warning.)

A page has text when its content, a form it draws, or one of its annotation appearances (filled
form fields) shows a non-empty string with a text operator (``Tj``, ``TJ``, ``'``, ``"``). That is
independent of script and length: a form with three short labels and a page of Arabic both have
text, an image-only scan has none, and a scan that went through OCR has its invisible text layer.
Counting extracted characters (what this replaced) called both of the former scans: right-to-left
text and CID fonts often extract poorly, and a form has few characters.
"""

from __future__ import annotations

import pikepdf
from pikepdf import Array, Dictionary, Pdf

#: Text-showing operators (PDF 32000-1 §9.4.3).
TEXT_OPERATORS = "Tj TJ ' \""

#: Nesting of forms in forms that is followed (malicious files can nest without end).
MAX_FORM_DEPTH = 12


def pdf_has_text(pdf: Pdf) -> bool:
    """True when at least one page has text (see the module docstring)."""
    seen: set[tuple[int, int]] = set()
    return any(page_has_text(page, seen) for page in pdf.pages)


def page_has_text(page: pikepdf.Page, seen: set[tuple[int, int]] | None = None) -> bool:
    """True when the page's content, its forms or its annotation appearances show text.

    ``seen`` (form XObjects already examined without finding text) is shared between the pages
    of a document, so a form drawn on every page is parsed once.
    """
    seen = set() if seen is None else seen
    if _shows_text(page):
        return True
    if _forms_have_text(page.obj.get("/Resources"), seen, 0):
        return True
    for annot in _array(page.obj.get("/Annots")):
        normal = _normal_appearance(annot)
        if normal is not None and _form_has_text(normal, seen, 0):
            return True
    return False


def _shows_text(stream_or_page: pikepdf.Object | pikepdf.Page) -> bool:
    try:
        instructions = pikepdf.parse_content_stream(stream_or_page, TEXT_OPERATORS)
    except (pikepdf.PdfError, TypeError, ValueError):
        return False  # an unreadable content stream shows nothing
    for instruction in instructions:
        operands = getattr(instruction, "operands", ())
        if not operands:
            continue
        shown = operands[-1]
        if isinstance(shown, pikepdf.String) and len(bytes(shown)):
            return True
        if isinstance(shown, Array) and any(isinstance(p, pikepdf.String) and len(bytes(p)) for p in shown):
            return True
    return False


def _forms_have_text(resources: pikepdf.Object | None, seen: set[tuple[int, int]], depth: int) -> bool:
    if not isinstance(resources, Dictionary | pikepdf.Stream):
        return False
    xobjects = resources.get("/XObject")
    if not isinstance(xobjects, Dictionary):
        return False
    return any(_form_has_text(xobjects[name], seen, depth) for name in list(xobjects.keys()))


def _form_has_text(xobj: pikepdf.Object, seen: set[tuple[int, int]], depth: int) -> bool:
    if not isinstance(xobj, pikepdf.Stream) or depth > MAX_FORM_DEPTH:
        return False
    if str(xobj.get("/Subtype", "/Form")) != "/Form":
        return False  # an image
    key = xobj.objgen if xobj.is_indirect else None
    if key is not None:
        if key in seen:
            return False
        seen.add(key)
    return _shows_text(xobj) or _forms_have_text(xobj.get("/Resources"), seen, depth + 1)


def _normal_appearance(annot: pikepdf.Object) -> pikepdf.Object | None:
    if not isinstance(annot, Dictionary):
        return None
    ap = annot.get("/AP")
    normal = ap.get("/N") if isinstance(ap, Dictionary) else None
    return normal if isinstance(normal, pikepdf.Stream) else None


def _array(value: pikepdf.Object | None) -> list[pikepdf.Object]:
    return list(value) if isinstance(value, Array) else []

"""Page stamps: "<case line>" bottom left and "pagina X van Y" bottom right on every page.

All stamps of a dossier are drawn in ONE fpdf2 document (one page per dossier page, each the
visual size of its target page), so the font is embedded once and drawing costs well under a
millisecond per page. Each overlay page becomes a Form XObject that is painted on its target
page with a matrix that undoes /Rotate and moves it into the visible box (CropBox ∩ MediaBox,
which need not start at 0,0). The original content streams are not parsed or rewritten: the
page's /Contents becomes ``[q, original…, Q + stamp]``.

Pitfall avoided (bundlebuild): pages that share one page object, resource dictionary or
content stream must not get each other's stamp. Every page gets its own /Resources copy and
its own stamp stream, and a page object that occurs twice in the page tree is split first.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from io import BytesIO

from fpdf import FPDF
from pypdf import PageObject, PdfReader, PdfWriter
from pypdf.generic import (
    ArrayObject,
    DecodedStreamObject,
    DictionaryObject,
    FloatObject,
    IndirectObject,
    NameObject,
    StreamObject,
)

from dossier.pdf.index import FontSet, find_fonts, new_fpdf
from dossier.pdf.plan import DossierMeta
from dossier.pdf.preflight import quiet_libraries

STAMP_SIZE = 7.5  # pt
STAMP_MIN_SIZE = 5.0  # pt; below this the left text is shortened instead
STAMP_BASELINE = 17.0  # pt above the visual bottom edge (6 mm)
STAMP_MARGIN_X = 42.52  # pt (15 mm) from the visual left and right edges
STAMP_GAP = 14.0  # pt between the left and the right text
STAMP_GREY = (90, 90, 90)

#: Resource name of the stamp XObject (a digit is appended if a page already uses it).
XOBJECT_NAME = "/DossierStamp"


@dataclass(frozen=True)
class PageGeometry:
    """How a page is shown: its visible box in user space, rotation and user unit.

    Attributes:
        box: (x0, y0, x1, y1) of CropBox ∩ MediaBox, normalised so x0 < x1 and y0 < y1.
        rotate: /Rotate normalised to 0, 90, 180 or 270 (clockwise, as the viewer turns it).
        user_unit: /UserUnit (size of one user-space unit in points; normally 1).
    """

    box: tuple[float, float, float, float]
    rotate: int = 0
    user_unit: float = 1.0

    @property
    def visual_size(self) -> tuple[float, float]:
        """(width, height) in points as the reader sees the page."""
        x0, y0, x1, y1 = self.box
        w, h = (x1 - x0) * self.user_unit, (y1 - y0) * self.user_unit
        return (w, h) if self.rotate in (0, 180) else (h, w)

    def matrix(self) -> tuple[float, float, float, float, float, float]:
        """The ``cm`` matrix mapping visual coordinates (points, origin at the visual bottom
        left) to the page's user space."""
        x0, y0, x1, y1 = self.box
        s = 1.0 / self.user_unit
        if self.rotate == 90:  # visual origin is the box's bottom-right corner
            return (0.0, s, -s, 0.0, x1, y0)
        if self.rotate == 180:
            return (-s, 0.0, 0.0, -s, x1, y1)
        if self.rotate == 270:  # visual origin is the box's top-left corner
            return (0.0, -s, s, 0.0, x0, y1)
        return (s, 0.0, 0.0, s, x0, y0)


def page_geometry(page: PageObject) -> PageGeometry:
    """Read the visible box, rotation and user unit of a page."""
    media = _normalised(page.mediabox)
    crop = _normalised(page.cropbox)
    box = (
        max(media[0], crop[0]),
        max(media[1], crop[1]),
        min(media[2], crop[2]),
        min(media[3], crop[3]),
    )
    if box[2] - box[0] < 1 or box[3] - box[1] < 1:  # CropBox outside MediaBox: ignore it
        box = media
    try:
        rotate = round(float(page.get("/Rotate", 0) or 0) / 90) * 90 % 360
    except (TypeError, ValueError):
        rotate = 0
    try:
        user_unit = float(page.get("/UserUnit", 1) or 1)
    except (TypeError, ValueError):
        user_unit = 1.0
    return PageGeometry(box=box, rotate=int(rotate), user_unit=user_unit if user_unit > 0 else 1.0)


def _normalised(rect: Sequence[float]) -> tuple[float, float, float, float]:
    x0, y0, x1, y1 = (float(v) for v in rect)
    return (min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1))


def build_overlay(
    geometries: Sequence[PageGeometry],
    left: str,
    right_fmt: str,
    meta: DossierMeta,
    fonts: FontSet | None = None,
) -> bytes:
    """Draw every page's stamp into one PDF (page i is the stamp of dossier page i + 1).

    Args:
        geometries: the geometry of every dossier page, in order.
        left: text for the bottom left.
        right_fmt: text for the bottom right with ``{page}`` and ``{total}``.
        meta: supplies the fixed creation date.
        fonts: font family (found with :func:`find_fonts` when None).

    Returns:
        The overlay PDF.
    """
    with quiet_libraries():  # fontTools comments on the fonts' header dates
        return _build_overlay(geometries, left, right_fmt, meta, fonts or find_fonts())


def _build_overlay(
    geometries: Sequence[PageGeometry], left: str, right_fmt: str, meta: DossierMeta, fonts: FontSet
) -> bytes:
    pdf = new_fpdf(fonts, meta, bold=False)  # stamps are regular text only
    pdf.set_text_color(*STAMP_GREY)
    total = len(geometries)
    for number, geometry in enumerate(geometries, start=1):
        width, height = geometry.visual_size
        pdf.add_page(format=(width, height))
        right = right_fmt.format(page=number, total=total)
        margin = min(STAMP_MARGIN_X, width * 0.08)
        baseline = height - min(STAMP_BASELINE, height * 0.03)
        size, left_text = _fit(pdf, left, right, width - 2 * margin - STAMP_GAP)
        pdf.set_font("dossier", "", size)
        if left_text:
            pdf.text(margin, baseline, left_text)
        pdf.text(width - margin - pdf.get_string_width(right), baseline, right)
    return bytes(pdf.output())


def _fit(pdf: FPDF, left: str, right: str, available: float) -> tuple[float, str]:
    """Font size and left text such that both texts fit on one line."""
    size = STAMP_SIZE
    pdf.set_font("dossier", "", size)
    needed = pdf.get_string_width(left) + pdf.get_string_width(right)
    if needed <= available or needed == 0:
        return size, left
    size = max(STAMP_MIN_SIZE, size * available / needed)
    pdf.set_font("dossier", "", size)
    room = available - pdf.get_string_width(right)
    if pdf.get_string_width(left) <= room:
        return size, left
    while left and pdf.get_string_width(left + "…") > room:
        left = left[:-1]
    return size, (left.rstrip() + "…") if left else ""


def add_stream(
    writer: PdfWriter, data: bytes, extra: dict[str, object] | None = None
) -> IndirectObject:
    """Add a Flate-compressed stream (with optional dictionary entries) to the writer."""
    stream = DecodedStreamObject()
    stream.set_data(data)
    if extra:
        stream.update(extra)
    return writer._add_object(stream.flate_encode())


def split_shared_pages(writer: PdfWriter) -> int:
    """Give every page of the page tree its own page object; return how many were split.

    A page object listed twice in /Kids would otherwise receive two stamps (one per
    occurrence), and both occurrences would show both.
    """
    seen: set[int] = set()
    split = 0
    for index in range(len(writer.pages)):
        page = writer.pages[index]
        ref = page.indirect_reference
        if ref is None or ref.idnum not in seen:
            if ref is not None:
                seen.add(ref.idnum)
            continue
        kids = page["/Parent"].get_object()["/Kids"]
        copy = PageObject(writer)
        copy.update(page)
        new_ref = writer._add_object(copy)
        # Point the later occurrence in /Kids at the copy; the earlier one keeps the original.
        occurrences = [i for i, kid in enumerate(kids) if kid.idnum == ref.idnum]
        kids[occurrences[-1]] = new_ref
        writer.flattened_pages[index] = copy
        split += 1
    return split


def stamp_pages(
    writer: PdfWriter,
    meta: DossierMeta,
    fonts: FontSet | None = None,
) -> None:
    """Stamp every page of ``writer`` with ``meta.stamp_left`` and the page number.

    Args:
        writer: the assembled dossier (all pages already in place).
        meta: stamp texts and the fixed creation date.
        fonts: font family (found with :func:`find_fonts` when None).
    """
    split_shared_pages(writer)
    pages = list(writer.pages)
    geometries = [page_geometry(page) for page in pages]
    overlay_pdf = build_overlay(geometries, meta.stamp_left, meta.stamp_right_fmt, meta, fonts)
    overlay = PdfReader(BytesIO(overlay_pdf))

    open_q = add_stream(writer, b"q\n")
    for page, geometry, stamp in zip(pages, geometries, overlay.pages, strict=True):
        width, height = geometry.visual_size
        resources = stamp.raw_get("/Resources").clone(writer)  # cloned once, cached per reader
        xobject = add_stream(
            writer,
            stamp.get_contents().get_data(),
            {
                NameObject("/Type"): NameObject("/XObject"),
                NameObject("/Subtype"): NameObject("/Form"),
                NameObject("/BBox"): ArrayObject(
                    [FloatObject(0), FloatObject(0), FloatObject(width), FloatObject(height)]
                ),
                NameObject("/Resources"): resources,
            },
        )
        name = attach_xobject(page, xobject)
        matrix = " ".join(_num(v) for v in geometry.matrix())
        tail = (
            f"\nQ\n/Artifact <</Type /Pagination /Subtype /Footer>> BDC\n"
            f"q {matrix} cm {name} Do Q\nEMC\n"
        ).encode("ascii")
        contents = content_refs(page)
        tail_ref = add_stream(writer, tail)
        page[NameObject("/Contents")] = ArrayObject([open_q, *contents, tail_ref])


def _num(value: float) -> str:
    text = f"{value:.4f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


def content_refs(page: PageObject) -> list[IndirectObject]:
    """The page's content streams as a list of references (the page keeps them untouched)."""
    contents = page.raw_get("/Contents") if "/Contents" in page else None
    if contents is None:
        return []
    resolved = contents.get_object()
    if isinstance(resolved, ArrayObject):
        return [ref for ref in resolved if isinstance(ref, IndirectObject)]
    if isinstance(resolved, StreamObject) and isinstance(contents, IndirectObject):
        return [contents]
    return []


def attach_xobject(page: PageObject, xobject: IndirectObject, base: str = XOBJECT_NAME) -> str:
    """Add the XObject to a private copy of the page's resources; return its (unique) name.

    The page's own /Resources and /XObject dictionaries may be shared with other pages, so
    they are copied (shallowly) rather than changed in place.
    """
    old = page.get("/Resources")
    resources = DictionaryObject(old.get_object()) if old is not None else DictionaryObject()
    old_xobjects = resources.get("/XObject")
    xobjects = (
        DictionaryObject(old_xobjects.get_object()) if old_xobjects is not None else DictionaryObject()
    )
    name, n = base, 0
    while name in xobjects:
        n += 1
        name = f"{base}{n}"
    xobjects[NameObject(name)] = xobject
    resources[NameObject("/XObject")] = xobjects
    page[NameObject("/Resources")] = resources
    return name

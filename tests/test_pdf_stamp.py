"""Tests for dossier.pdf.stamp: geometry, per-page stamps, shared objects and speed."""

from __future__ import annotations

import re
import shutil
import subprocess
import time
from datetime import datetime
from io import BytesIO
from pathlib import Path

import pytest
from pypdf import PdfReader, PdfWriter
from pypdf.generic import (
    ArrayObject,
    DecodedStreamObject,
    DictionaryObject,
    NameObject,
    NumberObject,
    RectangleObject,
)

from dossier.pdf.index import find_fonts, new_fpdf
from dossier.pdf.plan import DossierMeta
from dossier.pdf.stamp import PageGeometry, _fit, page_geometry, stamp_pages

META = DossierMeta(
    title="Re-integratiedossier",
    subject="Re-integratieverslag WIA — S. Kuipers",
    author="Bakkerij Van Dijk & Zonen B.V.",
    stamp_left="VZ-2025-0142 · S. Kuipers · BSN 111222333",
    created=datetime(2026, 9, 20, 10, 0),
)

needs_poppler = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs pdftotext")


def to_visual(geometry: PageGeometry, x: float, y: float) -> tuple[float, float]:
    """Where a viewer shows user-space point (x, y) (origin at the visual bottom left)."""
    x0, y0, x1, y1 = geometry.box
    return {
        0: (x - x0, y - y0),
        90: (y - y0, x1 - x),
        180: (x1 - x, y1 - y),
        270: (y1 - y, x - x0),
    }[geometry.rotate]


@pytest.mark.parametrize("rotate", [0, 90, 180, 270])
@pytest.mark.parametrize("box", [(0, 0, 595, 842), (100, 200, 695, 1042), (-300, -420, 300, 420)])
def test_matrix_maps_visual_coordinates_into_user_space(rotate: int, box: tuple) -> None:
    geometry = PageGeometry(box=tuple(float(v) for v in box), rotate=rotate)
    a, b, c, d, e, f = geometry.matrix()
    width, height = geometry.visual_size
    for u, v in [(0, 0), (width, 0), (0, height), (42.5, 17.0), (width - 42.5, 17.0)]:
        x, y = a * u + c * v + e, b * u + d * v + f
        assert to_visual(geometry, x, y) == pytest.approx((u, v))


def test_page_geometry_reads_boxes_rotation_and_user_unit() -> None:
    writer = PdfWriter()
    page = writer.add_blank_page(612, 792)
    page.cropbox = RectangleObject((540, 720, 72, 72))  # inverted corners
    page[NameObject("/Rotate")] = NumberObject(-90)
    geometry = page_geometry(page)
    assert geometry.box == (72.0, 72.0, 540.0, 720.0)
    assert geometry.rotate == 270
    assert geometry.visual_size == (648.0, 468.0)

    page.cropbox = RectangleObject((1000, 1000, 1200, 1200))  # outside the MediaBox: ignored
    page[NameObject("/UserUnit")] = NumberObject(2)
    geometry = page_geometry(page)
    assert geometry.box == (0.0, 0.0, 612.0, 792.0)
    assert geometry.visual_size == (1584.0, 1224.0)  # rotated, in points
    a, b, *_rest = geometry.matrix()
    assert abs(a) + abs(b) == pytest.approx(0.5)  # stamp keeps its size in points


def test_long_left_text_is_shrunk_then_shortened() -> None:
    pdf = new_fpdf(find_fonts(), META)
    size, text = _fit(pdf, "kort", "pagina 1 van 9", 400)
    assert (size, text) == (7.5, "kort")
    size, text = _fit(pdf, "x" * 400, "pagina 1 van 9", 200)
    assert size == 5.0
    assert text.endswith("…")
    pdf.set_font("dossier", "", size)
    assert pdf.get_string_width(text) + pdf.get_string_width("pagina 1 van 9") <= 200


def decoded_stream(data: bytes) -> DecodedStreamObject:
    stream = DecodedStreamObject()
    stream.set_data(data)
    return stream


def stamped_text(writer: PdfWriter, page: int) -> str:
    buffer = BytesIO()
    writer.write(buffer)
    reader = PdfReader(BytesIO(buffer.getvalue()))
    return reader.pages[page].extract_text()


def test_pages_sharing_one_page_object_are_split_and_stamped_once_each() -> None:
    writer = PdfWriter()
    page = writer.add_blank_page(595, 842)
    # List the same page object twice in the page tree (bundlebuild's double-stamp bug).
    kids = writer._root_object["/Pages"]["/Kids"]
    kids.append(page.indirect_reference)
    writer._root_object["/Pages"][NameObject("/Count")] = NumberObject(2)
    writer.flattened_pages.append(page)
    assert writer.pages[0].indirect_reference == writer.pages[1].indirect_reference

    stamp_pages(writer, META)
    assert writer.pages[0].indirect_reference != writer.pages[1].indirect_reference
    first, second = stamped_text(writer, 0), stamped_text(writer, 1)
    assert re.findall(r"pagina \d+ van \d+", first) == ["pagina 1 van 2"]
    assert re.findall(r"pagina \d+ van \d+", second) == ["pagina 2 van 2"]


def test_shared_resources_and_content_are_not_modified() -> None:
    writer = PdfWriter()
    shared_resources = writer._add_object(DictionaryObject())
    pages = [writer.add_blank_page(595, 842) for _ in range(3)]
    content = writer._add_object(decoded_stream(b"BT /F1 12 Tf 72 700 Td (gedeeld) Tj ET\n"))
    for page in pages:
        page[NameObject("/Resources")] = shared_resources
        page[NameObject("/Contents")] = content
    stamp_pages(writer, META)
    assert shared_resources.get_object() == {}  # the shared dictionary got no stamp entries
    xobjects = [p["/Resources"]["/XObject"].raw_get("/DossierStamp").idnum for p in writer.pages]
    assert len(set(xobjects)) == 3
    for page in writer.pages:
        contents = page["/Contents"]
        assert isinstance(contents, ArrayObject)
        assert content in list(contents)  # original stream kept, not rewritten
    for n in range(3):
        assert re.findall(r"pagina \d+ van \d+", stamped_text(writer, n)) == [f"pagina {n + 1} van 3"]


def test_existing_xobject_name_is_not_overwritten() -> None:
    writer = PdfWriter()
    page = writer.add_blank_page(595, 842)
    marker = writer._add_object(decoded_stream(b""))
    page[NameObject("/Resources")] = DictionaryObject(
        {NameObject("/XObject"): DictionaryObject({NameObject("/DossierStamp"): marker})}
    )
    stamp_pages(writer, META)
    xobjects = writer.pages[0]["/Resources"]["/XObject"]
    assert xobjects.raw_get("/DossierStamp") == marker
    assert "/DossierStamp1" in xobjects


def test_stamping_is_fast() -> None:
    writer = PdfWriter()
    for n in range(300):
        writer.add_blank_page(595, 842) if n % 2 else writer.add_blank_page(842, 595)
    find_fonts()  # font lookup is cached; it is not part of stamping
    start = time.perf_counter()
    stamp_pages(writer, META)
    per_page_ms = (time.perf_counter() - start) * 1000 / 300
    assert per_page_ms < 5.0, f"{per_page_ms:.2f} ms per page"


@needs_poppler
def test_stamp_is_small_grey_text_in_the_bottom_margin(tmp_path: Path) -> None:
    writer = PdfWriter()
    writer.add_blank_page(595.28, 841.89)
    stamp_pages(writer, META)
    out = tmp_path / "one.pdf"
    writer.write(out)
    xml = subprocess.run(["pdftotext", "-bbox", str(out), "-"], capture_output=True, text=True,
                         check=True).stdout
    words = re.findall(r'yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">pagina<', xml)
    (y_min, y_max), = words
    assert 7.0 <= float(y_max) - float(y_min) <= 8.5  # 7.5 pt
    baseline_from_bottom = 841.89 - float(y_max)
    assert 12 <= baseline_from_bottom <= 20  # ≈ 5–7 mm

"""Tests for dossier.pdf.images: photos and scans placed on an A4 page."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from PIL import Image
from pypdf import PdfReader

from dossier.errors import AssemblyError
from dossier.pdf.images import MARGIN_MM, image_to_pdf

MM = 72 / 25.4


def photo(path: Path, size: tuple[int, int], exif_orientation: int | None = None) -> Path:
    image = Image.new("RGB", size, (200, 210, 220))
    for x in range(0, size[0], 40):  # some structure so JPEG is not trivial
        for y in range(size[1]):
            image.putpixel((x, y), (30, 30, 30))
    kwargs = {}
    if exif_orientation:
        exif = Image.Exif()
        exif[0x0112] = exif_orientation
        kwargs["exif"] = exif
    image.save(path, **kwargs)
    return path


def placement(pdf: Path) -> tuple[float, float, float, float, float, float]:
    """(page_w, page_h, img_w, img_h, x, y) from the page and its `w 0 0 h x y cm` operator."""
    page = PdfReader(pdf).pages[0]
    content = page.get_contents().get_data().decode("latin-1")
    w, h, x, y = (float(v) for v in re.search(
        r"([\d.]+) 0 0 ([\d.]+) ([\d.]+) ([\d.]+) cm\s*/I", content).groups())
    return float(page.mediabox.width), float(page.mediabox.height), w, h, x, y


def test_portrait_jpeg_on_portrait_a4_keeping_aspect(tmp_path: Path) -> None:
    out = image_to_pdf(photo(tmp_path / "scan.jpg", (600, 900)), tmp_path / "scan.pdf")
    page_w, page_h, w, h, x, y = placement(out)
    assert (round(page_w), round(page_h)) == (595, 842)
    assert w / h == pytest.approx(600 / 900, rel=1e-3)
    assert x >= MARGIN_MM * MM - 0.5 and y >= MARGIN_MM * MM - 0.5
    assert x + w <= page_w - MARGIN_MM * MM + 0.5 and y + h <= page_h - MARGIN_MM * MM + 0.5
    assert x == pytest.approx(page_w - x - w, abs=0.5)  # centred


def test_wide_png_on_landscape_a4(tmp_path: Path) -> None:
    out = image_to_pdf(photo(tmp_path / "foto.png", (1200, 500)), tmp_path / "foto.pdf")
    page_w, page_h, w, h, _x, _y = placement(out)
    assert (round(page_w), round(page_h)) == (842, 595)
    assert w / h == pytest.approx(1200 / 500, rel=1e-3)
    assert w == pytest.approx(page_w - 2 * MARGIN_MM * MM, abs=0.5)  # width is the limit


def test_exif_orientation_of_phone_photos_is_applied(tmp_path: Path) -> None:
    # Stored 600×900, but EXIF says "rotate 90°": the photo is really 900×600 (landscape).
    out = image_to_pdf(photo(tmp_path / "telefoon.jpg", (600, 900), exif_orientation=6),
                       tmp_path / "telefoon.pdf")
    page_w, page_h, w, h, _x, _y = placement(out)
    assert page_w > page_h
    assert w / h == pytest.approx(900 / 600, rel=1e-3)


def test_output_is_deterministic(tmp_path: Path) -> None:
    src = photo(tmp_path / "scan.jpg", (600, 900))
    a = image_to_pdf(src, tmp_path / "a.pdf").read_bytes()
    b = image_to_pdf(src, tmp_path / "b.pdf").read_bytes()
    assert a == b


def test_jpeg_is_embedded_without_recompression(tmp_path: Path) -> None:
    src = photo(tmp_path / "scan.jpg", (600, 900))
    out = image_to_pdf(src, tmp_path / "scan.pdf")
    images = PdfReader(out).pages[0].images
    assert len(images) == 1 and images[0].name.endswith(".jpg")
    assert out.stat().st_size < src.stat().st_size + 3000


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("brief.gif", b"GIF89a", "alleen JPG- en PNG"),
        ("kapot.jpg", b"geen afbeelding", "geen leesbare afbeelding"),
        ("weg.png", None, "niet gevonden"),
    ],
)
def test_bad_images_raise_dutch_errors(
    tmp_path: Path, name: str, content: bytes | None, message: str
) -> None:
    src = tmp_path / name
    if content is not None:
        src.write_bytes(content)
    with pytest.raises(AssemblyError, match=message):
        image_to_pdf(src, tmp_path / "uit.pdf")
    assert not (tmp_path / "uit.pdf").exists()

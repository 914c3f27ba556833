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


def _png_bomb(path: Path, width: int, height: int) -> Path:
    """A real black-and-white PNG of width × height pixels, all white: a few hundred KB on disk."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    row = b"\x00" + b"\xff" * ((width + 7) // 8)  # filter byte + 1 bit per pixel
    z = zlib.compressobj(9)
    idat = b"".join(z.compress(row) for _ in range(height)) + z.flush()
    ihdr = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b""))
    return path


@pytest.mark.parametrize(("size", "shown"), [((30_000, 30_000), "meer dan 60 miljoen pixels"),
                                              ((10_000, 9_000), "10.000 × 9.000 pixels, maximaal 60 miljoen")])
def test_a_decompression_bomb_png_is_refused_before_it_is_decoded(tmp_path: Path, size, shown) -> None:
    import resource
    import time

    bomb = _png_bomb(tmp_path / "scan.png", *size)
    assert bomb.stat().st_size < 1_000_000
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.monotonic()
    with pytest.raises(AssemblyError) as e:
        image_to_pdf(bomb, tmp_path / "uit.pdf")
    assert time.monotonic() - start < 2
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 50_000  # KB: nothing was decoded
    assert e.value.message == (f"Bestand scan.png is een te grote afbeelding ({shown}; een decompressiebom?): "
                               "verklein de afbeelding of sla haar op als PDF.")
    assert not (tmp_path / "uit.pdf").exists()


def test_a_big_but_ordinary_photo_still_works(tmp_path: Path) -> None:
    out = image_to_pdf(_png_bomb(tmp_path / "groot.png", 8000, 6000), tmp_path / "uit.pdf")  # 48 megapixels
    assert len(PdfReader(out).pages) == 1


def test_build_with_a_30000_pixel_square_png_attachment_is_a_dutch_error(tmp_path: Path) -> None:
    """It used to end as "Interne fout" (Pillow's DecompressionBombError was not caught)."""
    import json
    import subprocess
    import sys

    _png_bomb(tmp_path / "scan.png", 30_000, 30_000)
    (tmp_path / "casus.json").write_text(json.dumps({
        "dossiernummer": "V-1", "werkgever": {"naam": "W"}, "werknemer": {"naam": "N"},
        "ziekteperiodes": [{"eerste_ziektedag": "2026-01-05"}],
        "bijlagen": [{"titel": "Scan", "bestand": "scan.png"}]}), encoding="utf-8")
    fake_cli = ("import sys; import dossier.pipeline as p; from dossier.convert.fake import FakeConverter; "
                "p.make_converter = lambda settings: FakeConverter(); from dossier.cli import run; run(sys.argv[1:])")
    r = subprocess.run([sys.executable, "-c", fake_cli, "build", "casus.json", "-o", "uit.pdf", "--today",
                        "2026-11-23"], capture_output=True, text=True, cwd=tmp_path, timeout=60)
    assert r.returncode == 6, r.stderr
    assert "bijlagen[1].bestand: afbeelding 'scan.png' kan niet worden gelezen: Bestand scan.png is een te grote " \
           "afbeelding (meer dan 60 miljoen pixels" in r.stderr
    assert "Interne fout" not in r.stderr and "Traceback" not in r.stderr and "Warning" not in r.stderr
    assert not (tmp_path / "uit.pdf").exists()


def test_pillow_errors_are_explained_in_dutch(tmp_path: Path) -> None:
    broken = photo(tmp_path / "afgebroken.jpg", (300, 200))
    broken.write_bytes(broken.read_bytes()[:400])  # a JPEG cut off after its header
    with pytest.raises(AssemblyError) as e:
        image_to_pdf(broken, tmp_path / "uit.pdf")
    assert e.value.message.startswith("Bestand afgebroken.jpg is geen leesbare afbeelding: het bestand is "
                                      "beschadigd of afgebroken")
    (tmp_path / "tekst.png").write_text("geen afbeelding", encoding="utf-8")
    with pytest.raises(AssemblyError) as e:
        image_to_pdf(tmp_path / "tekst.png", tmp_path / "uit.pdf")
    assert e.value.message == "Bestand tekst.png is geen leesbare afbeelding (geen geldig JPG- of PNG-bestand)."
    assert str(tmp_path) not in e.value.message  # Pillow's message held the full path

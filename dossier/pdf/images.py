"""Photos and scans (JPG/PNG) as A4 PDF pages, so they can be attached like any document."""

from __future__ import annotations

import warnings
from datetime import UTC, datetime
from io import BytesIO
from pathlib import Path

from dossier.errors import AssemblyError
from dossier.fileio import atomic_write_bytes
from dossier.privacy import scrub

A4_MM = (210.0, 297.0)
MARGIN_MM = 12.0

#: Fixed /CreationDate of image PDFs: the output depends on the image only (deterministic).
FIXED_DATE = datetime(2000, 1, 1, tzinfo=UTC)

SUPPORTED = {".jpg", ".jpeg", ".png"}

#: EXIF tag telling how a phone held the camera; other values than 1 need a rotation.
EXIF_ORIENTATION = 0x0112

#: Pixels an attachment may have, checked from the header before the image is decoded (a decoded
#: pixel takes 3-4 bytes, and fpdf2 holds a copy). 60 million covers a 48-megapixel phone photo and an
#: A4 scan at 600 dpi (35 million); a 30,000 × 30,000 PNG of a few hundred KB would need gigabytes.
MAX_PIXELS = 60_000_000


def _n(n: int) -> str:
    return f"{n:,}".replace(",", ".")


def _miljoen(n: int) -> str:
    return _n(round(n / 1_000_000))


def _too_big(name: str, size: str) -> str:
    return (f"Bestand {name} is een te grote afbeelding ({size}; een decompressiebom?): verklein de "
            "afbeelding of sla haar op als PDF.")


def image_to_pdf(src: Path, out: Path, *, margin_mm: float = MARGIN_MM) -> Path:
    """Place an image on one A4 page, portrait or landscape to fit, aspect ratio kept.

    The EXIF orientation of phone photos is applied first. The image is scaled to fill the
    area inside the margins and centred. The same image always gives the same bytes.

    Args:
        src: a .jpg, .jpeg or .png file.
        out: the PDF to write (atomically).
        margin_mm: white margin around the image.

    Returns:
        ``out``.

    Raises:
        AssemblyError: the file is missing, not a supported image, or cannot be read.
    """
    from fpdf import FPDF
    from PIL import Image, ImageOps, UnidentifiedImageError

    src, out = Path(src), Path(out)
    name = scrub(src.name)
    if src.suffix.lower() not in SUPPORTED:
        raise AssemblyError(f"Bestand {name}: alleen JPG- en PNG-afbeeldingen worden ondersteund.")
    try:
        with warnings.catch_warnings():
            # Pillow warns (in English, on stderr) above its own limit; ours is checked next.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            opened = Image.open(src)
        with opened:
            width, height = opened.size
            if width * height > MAX_PIXELS:
                raise AssemblyError(_too_big(name, f"{_n(width)} × {_n(height)} pixels, maximaal "
                                                   f"{_miljoen(MAX_PIXELS)} miljoen"))
            opened.load()
            transposed = opened.getexif().get(EXIF_ORIENTATION, 1) not in (None, 1)
            image = ImageOps.exif_transpose(opened) if transposed else opened
            width, height = image.size
            if transposed or image.mode not in ("RGB", "L", "RGBA", "LA", "P", "CMYK", "1"):
                # Re-encode losslessly only when the pixels changed; otherwise embed the file.
                buffer = BytesIO()
                image.convert("RGBA" if "A" in image.mode else "RGB").save(buffer, format="PNG")
                source: Path | BytesIO = buffer
            else:
                source = src
    except Image.DecompressionBombError as exc:  # Pillow's own limit, checked while opening
        raise AssemblyError(_too_big(name, f"meer dan {_miljoen(MAX_PIXELS)} miljoen pixels")) from exc
    except FileNotFoundError as exc:
        raise AssemblyError(f"Bestand {name} niet gevonden.") from exc
    except UnidentifiedImageError as exc:
        raise AssemblyError(f"Bestand {name} is geen leesbare afbeelding (geen geldig JPG- of PNG-bestand).") from exc
    except (OSError, ValueError) as exc:  # Pillow's messages are English: "image file is truncated", …
        raise AssemblyError(f"Bestand {name} is geen leesbare afbeelding: het bestand is beschadigd of "
                            f"afgebroken ({type(exc).__name__}).") from exc
    if width < 1 or height < 1:
        raise AssemblyError(f"Bestand {name} is een lege afbeelding.")

    landscape = width > height
    page_w, page_h = (A4_MM[1], A4_MM[0]) if landscape else A4_MM
    box_w, box_h = page_w - 2 * margin_mm, page_h - 2 * margin_mm
    scale = min(box_w / width, box_h / height)
    w, h = width * scale, height * scale

    pdf = FPDF(unit="mm", format="A4", orientation="L" if landscape else "P")
    pdf.set_creation_date(FIXED_DATE)
    pdf.set_creator("dossier")
    pdf.set_title(src.stem)
    pdf.set_auto_page_break(False)
    pdf.add_page()
    try:
        pdf.image(source, x=(page_w - w) / 2, y=(page_h - h) / 2, w=w, h=h)
        data = bytes(pdf.output())
    except Exception as exc:  # fpdf2 raises several types for odd images
        raise AssemblyError(f"Bestand {name} kon niet als PDF worden opgemaakt ({exc}).") from exc
    atomic_write_bytes(out, data)
    return out

"""Make the signed scans of the Kuipers sample (``samples/ondertekend/*.pdf``).

In practice the early documents of a case are printed, signed with a pen and scanned; the sample
names such scans in ``ondertekeningen[].scan`` and the dossier puts them in place of the generated
documents. This script makes them the way that happens: it renders the unsigned document (dotted
date lines) with dossier itself, writes each party's signing date (``ondertekeningen[].werkgever`` /
``werknemer`` / ``reintegratiebedrijf``) and a signature by "hand" into the signature block, and
makes each page a 150 dpi greyscale "scan" (a slight skew, a grey paper tone, a few specks, JPEG
compression) with a text layer from OCR, as an office scanner makes it. The images are deterministic
(fixed seed, dated by the last signature, no clock); the OCR step may vary in its metadata.

Needs LibreOffice (to render the document), pdftoppm and pdftotext (poppler-utils), ocrmypdf with
Dutch tesseract (the ``ocr`` extra; ``make system``) and, for the handwriting, the URW Z003 font of
ghostscript's fonts (a plain font when it is missing).

Run from the repository root::

    .venv/bin/python scripts/make_sample_scans.py
"""

from __future__ import annotations

import json
import random
import re
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter, ImageFont

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import dossier  # noqa: E402 - needs the repository on sys.path

CASE = ROOT / "samples" / "casus_kuipers.json"
TODAY = date(2026, 11, 23)  # the Makefile's demo date
DPI = 150
SCALE = DPI / 72  # PDF points to scan pixels
HAND_FONTS = ("/usr/share/fonts/opentype/urw-base35/Z003-MediumItalic.otf",
              "/usr/share/fonts/type1/urw-base35/Z003-MediumItalic.t1")
INK = 40  # the pen, in grey


@dataclass(frozen=True)
class Word:
    page: int
    x0: float
    y0: float
    x1: float
    y1: float
    text: str


def words(pdf: Path) -> list[Word]:
    """Every word of the PDF with its box in points (``pdftotext -bbox``)."""
    html = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    out, page = [], 0
    for line in html.splitlines():
        if "<page " in line:
            page += 1
        m = re.search(r'xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)<', line)
        if m:
            x0, y0, x1, y1 = (float(v) for v in m.groups()[:4])
            out.append(Word(page, x0, y0, x1, y1, m.group(5)))
    return out


def party_of(heading: str) -> str:
    if heading.startswith("Namens") or heading.startswith("Werkgever"):
        return "werkgever"
    if heading.startswith("Werknemer"):
        return "werknemer"
    return "reintegratiebedrijf"


def signature_places(ws: list[Word]) -> list[tuple[str, Word, Word | None]]:
    """(party, the dotted date line, the 'handtekening' label under it) per signature block."""
    places = []
    for i, w in enumerate(ws):
        if w.text != "Datum:" or i + 1 >= len(ws) or not ws[i + 1].text.startswith("…"):
            continue
        above = [h for h in ws if h.page == w.page and abs(h.x0 - w.x0) < 2 and w.y0 - 60 < h.y0 < w.y0 - 30]
        if not above:
            continue
        heading = min(above, key=lambda h: h.y0)
        label = next((h for h in ws if h.page == w.page and abs(h.x0 - w.x0) < 2 and h.text == "handtekening"
                      and 0 < h.y0 - w.y0 < 120), None)
        places.append((party_of(heading.text), ws[i + 1], label))
    return places


def hand(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    for path in HAND_FONTS:
        if Path(path).is_file():
            return ImageFont.truetype(path, size)
    return ImageFont.load_default()


def signature(draw: ImageDraw.ImageDraw, name: str, x: float, y: float, rng: random.Random) -> None:
    """A name in a hand font with a flourish under it, at (x, y) = the left end of the base line."""
    font = hand(round(30 * SCALE / 1.39))
    draw.text((x, y - 30), name, font=font, fill=INK)
    width = draw.textlength(name, font=font)
    pts = [(x + t * width, y + 2 + 4 * rng.random() - t * 6) for t in (0, 0.3, 0.6, 1.0)]
    draw.line([*pts, (x + width + 12, y - 14)], fill=INK, width=3)


def scan_page(png: Path, rng: random.Random) -> Image.Image:
    """What a flatbed scanner makes of a printed page: grey paper, a slight skew, specks, softness."""
    page = Image.open(png).convert("L")
    paper = Image.new("L", page.size, 238)
    page = Image.composite(page, paper, page.point(lambda v: 255 - v))  # grey paper under the print
    page = page.rotate(rng.uniform(-0.5, 0.5), resample=Image.Resampling.BICUBIC, fillcolor=238,
                       translate=(rng.randint(-4, 4), rng.randint(-3, 5)))
    draw = ImageDraw.Draw(page)
    for _ in range(40):
        x, y = rng.randrange(page.width), rng.randrange(page.height)
        draw.point((x, y), fill=rng.randint(90, 180))
    return page.filter(ImageFilter.GaussianBlur(0.4))


def make_scan(kind: str, nummer: int, record: dict[str, str], case_file: Path, out: Path,
              names: dict[str, str], work: Path, rng: random.Random) -> None:
    pdf = work / f"{kind}-{nummer}.pdf"
    dossier.render_documents(kind, case_file, output=pdf, nummer=nummer if kind != "plan_van_aanpak" else None,
                             settings=dossier.Settings(), today=TODAY)
    subprocess.run(["pdftoppm", "-r", str(DPI), "-gray", "-png", str(pdf), str(work / f"{kind}-{nummer}")],
                   check=True)
    pngs = sorted(work.glob(f"{kind}-{nummer}-*.png"))
    ws = words(pdf)
    pages = []
    for n, png in enumerate(pngs, start=1):
        img = Image.open(png).convert("L")
        draw = ImageDraw.Draw(img)
        for party, line, label in signature_places([w for w in ws if w.page == n]):
            when = record.get(party)
            if when is None:
                continue
            d = date.fromisoformat(when)
            draw.text((line.x0 * SCALE + 4, line.y0 * SCALE - 3), f"{d.day}-{d.month}-{d.year}",
                      font=hand(round(22 * SCALE / 1.39)), fill=INK)
            if label is not None:
                signature(draw, names[party], label.x0 * SCALE + 12, label.y0 * SCALE - 10, rng)
        img.save(png)
        pages.append(scan_page(png, rng))
    out.parent.mkdir(parents=True, exist_ok=True)
    # dated the day of the last signature (the day it was scanned), not the clock: deterministic
    signed = max(date.fromisoformat(v) for k, v in record.items() if k in names)
    scanned = datetime(signed.year, signed.month, signed.day, 16, 0, tzinfo=UTC)
    image_pdf = work / f"{kind}-{nummer}-scan.pdf"
    pages[0].save(image_pdf, "PDF", resolution=DPI, save_all=True, append_images=pages[1:], quality=35,
                  title=f"Scan {kind} {nummer}", producer="scanner", creationDate=scanned.timetuple(),
                  modDate=scanned.timetuple())
    # the scanner's OCR: a text layer under the image (the dossier's preflight asks for one)
    subprocess.run([str(Path(sys.executable).parent / "ocrmypdf"), "-q", "-l", "nld", "--output-type", "pdf",
                    "--optimize", "0", str(image_pdf), str(out)], check=True)


def main() -> None:
    data = json.loads(CASE.read_text(encoding="utf-8"))
    names = {"werkgever": data["casemanager"]["naam"], "werknemer": data["werknemer"]["naam"],
             "reintegratiebedrijf": data["reintegratiebedrijf"]["naam"]}
    records = [r for r in data.get("ondertekeningen", []) if r.get("scan")]
    unsigned = {k: v for k, v in data.items() if k != "ondertekeningen"}  # the printed, unsigned version
    rng = random.Random(2025)
    with tempfile.TemporaryDirectory(prefix="scans-") as tmp:
        work = Path(tmp)
        case_file = work / "casus.json"
        case_file.write_text(json.dumps(unsigned, ensure_ascii=False), encoding="utf-8")
        for r in records:
            out = CASE.parent / r["scan"]
            make_scan(r["document"], r.get("nummer", 1), r, case_file, out, names, work, rng)
            print(f"{out.relative_to(ROOT)}: {out.stat().st_size // 1024} kB")


if __name__ == "__main__":
    main()

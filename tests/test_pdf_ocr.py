"""--ocr: a scanned attachment (image only) becomes searchable in the dossier and the UWV set.

The scan is made here: Dutch text rendered to a greyscale image with Pillow, saved as an image-only
PDF (what a copier's scan-to-PDF produces). The build uses the fake converter (the templates' PDFs
do not matter here); the OCR is real (ocrmypdf + tesseract nld).
"""

from __future__ import annotations

import json
import shutil
import subprocess
from datetime import date
from pathlib import Path

import pikepdf
import pytest
from PIL import Image, ImageDraw, ImageFont

from dossier.errors import MissingDependencyError
from dossier.pdf import ocr
from dossier.pdf.intake import admit_pdf
from dossier.pdf.textlayer import pdf_has_text

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
FONT = next((p for p in (Path("/usr/share/fonts/truetype/liberation2/LiberationSans-Regular.ttf"),
                         Path("/usr/share/fonts/truetype/crosextra/Carlito-Regular.ttf"),
                         Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")) if p.exists()), None)
LINES = ["Verslag van het gesprek", "Werkhervatting in aangepast werk", "Bedrijfsarts akkoord"]
WORDS = ("Verslag", "gesprek", "Werkhervatting", "aangepast", "Bedrijfsarts", "akkoord")

needs_ocr = pytest.mark.skipif(bool(ocr.missing()) or FONT is None or shutil.which("pdftotext") is None,
                               reason="ocrmypdf, tesseract-ocr-nld, een lettertype of pdftotext ontbreekt "
                                      "(make installeert ze)")


def make_scan(path: Path, lines: list[str] = LINES) -> Path:
    """One A4 page at 150 dpi: black Dutch text on slightly grey paper, as an image-only PDF (or a
    PNG, by the suffix)."""
    img = Image.new("L", (1240, 1754), 245)
    draw = ImageDraw.Draw(img)
    font = ImageFont.truetype(str(FONT), 40)
    for n, line in enumerate(lines):
        draw.text((120, 200 + n * 90), line, fill=20, font=font)
    if path.suffix == ".png":
        img.save(path, "PNG", dpi=(150, 150))
    else:
        img.save(path, "PDF", resolution=150.0)
    return path


def _text(pdf: Path, first: int | None = None, last: int | None = None) -> str:
    args = ["pdftotext", "-enc", "UTF-8"]
    if first:
        args += ["-f", str(first), "-l", str(last or first)]
    return subprocess.run([*args, str(pdf), "-"], capture_output=True, text=True, check=True).stdout


@pytest.mark.slow
@needs_ocr
def test_build_with_ocr_makes_the_scan_searchable(tmp_path: Path) -> None:
    from dossier.api import load_one_case
    from dossier.pipeline import build_dossier
    from dossier.settings import Settings

    make_scan(tmp_path / "scan.pdf")
    with pikepdf.open(tmp_path / "scan.pdf") as pdf:
        assert not pdf_has_text(pdf)  # really a scan
    case = json.loads((SAMPLES / "casus_minimaal.json").read_text(encoding="utf-8"))
    make_scan(tmp_path / "foto.png", ["Ontvangstbevestiging werkgever"])
    case["bijlagen"] = [{"titel": "Gespreksverslag", "bestand": "scan.pdf", "soort": "overig",
                         "datum": "2026-05-01"},
                        {"titel": "Foto van een brief", "bestand": "foto.png", "soort": "overig",
                         "datum": "2026-06-01"}]
    (tmp_path / "casus.json").write_text(json.dumps(case), encoding="utf-8")
    settings = Settings(converter="fake", ocr=True)
    loaded = load_one_case(tmp_path / "casus.json", settings=settings, today=date(2026, 11, 23))
    result = build_dossier(loaded, out=tmp_path / "d.pdf", settings=settings, today=date(2026, 11, 23),
                           uwv_dir=tmp_path / "uwv")
    assert not any("gescand" in w.message for w in result.warnings)
    part = next(p for p in result.parts if p["title"] == "Gespreksverslag")
    in_dossier = _text(tmp_path / "d.pdf", int(part["start_page"]), int(part["end_page"]))
    (upload,) = (p for p in result.uwv_files if "Gespreksverslag" in p.name)
    for word in WORDS:
        assert word in in_dossier, (word, in_dossier)
        assert word in _text(upload), word
    assert "Verslag" not in _text(tmp_path / "scan.pdf")  # the attachment itself is untouched
    photo = next(p for p in result.parts if p["title"] == "Foto van een brief")  # an image attachment too
    assert "Ontvangstbevestiging" in _text(tmp_path / "d.pdf", int(photo["start_page"]))


@pytest.mark.slow
@needs_ocr
def test_ocr_with_pdfa_gives_a_conforming_part(tmp_path: Path) -> None:
    info, issues = admit_pdf(make_scan(tmp_path / "scan.pdf"), tmp_path / "c.pdf", label="b", ocr=True, pdfa=True)
    assert info is not None and info.ocr and info.has_text_layer and info.pdfa_problems == ()
    assert issues == []
    with pikepdf.open(info.path) as pdf:
        assert pdf.open_metadata().pdfa_status == "2B"


def test_without_ocr_a_scan_is_warned_and_left_alone(tmp_path: Path) -> None:
    if FONT is None:
        pytest.skip("geen lettertype")
    info, issues = admit_pdf(make_scan(tmp_path / "scan.pdf"), tmp_path / "c.pdf", label="b")
    assert info is not None and not info.ocr and not info.has_text_layer
    assert "bouw met --ocr" in issues[0].message


def test_missing_ocr_tools_give_a_dutch_dependency_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    if FONT is None:
        pytest.skip("geen lettertype")
    monkeypatch.setattr(ocr.shutil, "which", lambda _name: None)
    monkeypatch.setattr(ocr.importlib.util, "find_spec", lambda _name: None)
    with pytest.raises(MissingDependencyError) as caught:
        admit_pdf(make_scan(tmp_path / "scan.pdf"), tmp_path / "c.pdf", label="b", ocr=True)
    assert "pip install 'dossier[ocr]'" in caught.value.message
    assert "tesseract-ocr" in caught.value.message


def test_ocrmypdf_runs_single_threaded_without_skip_text(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    seen: dict[str, object] = {}

    def fake_run(argv: list[str], **kwargs: object) -> subprocess.CompletedProcess[str]:
        seen["argv"], seen["env"] = argv, kwargs["env"]
        Path(argv[-1]).write_bytes(b"%PDF-1.7\n")
        return subprocess.CompletedProcess(argv, 0, "", "")

    monkeypatch.setattr(ocr, "require", lambda: None)
    monkeypatch.setattr(ocr.subprocess, "run", fake_run)
    ocr.ocr_pdf(tmp_path / "in.pdf", tmp_path / "out.pdf", pdfa=True)
    argv = seen["argv"]
    assert isinstance(argv, list) and argv[argv.index("-l") + 1] == "nld"
    assert argv[argv.index("--output-type") + 1] == "pdfa-2" and "--skip-text" not in argv
    assert seen["env"]["OMP_THREAD_LIMIT"] == "1"  # type: ignore[index]

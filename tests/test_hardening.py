"""Hostile input and privacy end to end: literal case data, owner-only output, no BSN in names,
huge attachments in bounded memory. Uses the real LibreOffice."""

from __future__ import annotations

import json
import resource
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from pypdf import PdfReader

pytestmark = [pytest.mark.libreoffice,
              pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice ontbreekt")]

BSN = "111222333"
HOSTILE = {
    "werkgever": 'Bakker & Zn <B.V.> "aanhalingstekens" \'enkel\' {{ 7*7 }} {% if x %}x{% endif %} 🎂',
    "werknemer": "محمد العلي Zoë Ørsted-‘t Hooft",
    "visie": "tab\there\x00nul\x01ctl\x0bvt\x1f einde\r\nnieuwe regel",
}


def _cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "dossier", *args], capture_output=True, text=True, cwd=cwd)


def _text(pdf: Path) -> str:
    return subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout


def test_case_data_renders_literally_and_the_pdf_stays_valid(tmp_path: Path) -> None:
    case = {"dossiernummer": "H-1", "werkgever": {"naam": HOSTILE["werkgever"]},
            "werknemer": {"naam": HOSTILE["werknemer"], "bsn": BSN},
            "ziekteperiodes": [{"eerste_ziektedag": "2026-09-14"}],
            "plan_van_aanpak": {"datum": "2026-10-20", "afspraken": "Lange afspraak. " * 700,
                                "visie_werknemer": HOSTILE["visie"],
                                "doel_kort": "{{ ''.__class__.__mro__ }}"}}
    p = tmp_path / "casus.json"
    p.write_text(json.dumps(case, ensure_ascii=False), encoding="utf-8")
    proc = _cli("render", "plan_van_aanpak", str(p), "--pdf", "-o", str(tmp_path / "uit"), "--today", "2026-11-23")
    assert proc.returncode == 0, proc.stderr
    pdf = tmp_path / "uit" / "plan_van_aanpak-H-1.pdf"
    assert subprocess.run(["qpdf", "--check", str(pdf)], capture_output=True).returncode == 0
    text = _text(pdf)
    flat = " ".join(text.split())
    assert "{{ 7*7 }}" in flat and "{% if x %}x{% endif %}" in flat and "49" not in flat
    assert 'Bakker & Zn <B.V.> "aanhalingstekens"' in flat
    assert "Zoë Ørsted-‘t Hooft" in flat and "العلي" in flat
    assert "{{ ''.__class__.__mro__ }}" in flat
    assert "einde" in flat and "nieuwe regel" in flat
    assert len(PdfReader(pdf).pages) >= 4  # the 11,000-character field flows over pages


def _walk_outputs(root: Path) -> list[Path]:
    return [root, *root.rglob("*")]


def test_every_output_is_owner_only_and_no_file_name_holds_the_bsn(tmp_path: Path, samples_dir: Path) -> None:
    shutil.copytree(samples_dir, tmp_path / "samples")
    case = tmp_path / "samples" / "casus_kuipers.json"
    runs = [
        ("render", "alle", str(case), "--pdf", "-o", str(tmp_path / "docs"), "--today", "2026-10-16"),
        ("build", str(case), "-o", str(tmp_path / "dossier" / "d.pdf"), "--uwv", str(tmp_path / "uwv"),
         "--today", "2026-10-16"),
        ("timeline", str(case), "--format", "ics", "-o", str(tmp_path / "ics" / "t.ics"), "--today", "2026-10-16"),
    ]
    for args in runs:
        proc = _cli(*args)
        assert proc.returncode == 0, proc.stderr
    kuipers = json.loads(case.read_text(encoding="utf-8"))
    batch_in = tmp_path / "batch.json"
    batch_in.write_text(json.dumps([kuipers], ensure_ascii=False), encoding="utf-8")
    for folder in ("bijlagen", "ondertekend"):  # attachments and signed scans next to batch.json
        shutil.copytree(samples_dir / folder, tmp_path / folder)
    proc = _cli("batch", str(batch_in), "--out", str(tmp_path / "batch"), "--soort", "alle", "--jobs", "1",
                "--today", "2026-10-16")
    assert proc.returncode == 0, proc.stderr
    outputs = [p for d in ("docs", "dossier", "uwv", "ics", "batch") for p in _walk_outputs(tmp_path / d)]
    assert len(outputs) > 30
    for p in outputs:
        mode = p.stat().st_mode & 0o777
        assert mode & 0o077 == 0, f"{p} is readable by others ({oct(mode)})"
        assert BSN not in p.name
        if p.suffix in (".json", ".csv", ".txt"):
            assert BSN not in p.read_text(encoding="utf-8-sig") or p.name == "overzicht.txt"


def test_the_bsn_is_masked_in_verbose_logs(tmp_path: Path, samples_dir: Path) -> None:
    data = json.loads((samples_dir / "casus_kuipers.json").read_text(encoding="utf-8"))
    data["bijlagen"] = [{"titel": f"BSN {BSN} in de titel", "bestand": f"ontbreekt-{BSN}.pdf"}]
    p = tmp_path / "casus.json"
    p.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    proc = _cli("-vv", "build", str(p), "-o", str(tmp_path / "d.pdf"), "--today", "2026-10-16")
    assert proc.returncode == 6
    assert "ontbreekt-" in proc.stderr and "*****2333" in proc.stderr
    assert BSN not in proc.stderr and BSN not in proc.stdout


def _scan_pdf(path: Path, pages: int) -> None:
    """An image-only PDF of ``pages`` A4 pages at 150 dpi, as a copier would make it."""
    import random

    from fpdf import FPDF
    from PIL import Image, ImageDraw

    rng = random.Random(7)
    pdf = FPDF(unit="mm", format="A4")
    for n in range(pages):  # every page its own image, like a real scan (no shared image objects)
        img = Image.new("L", (1240, 1754), 255)
        draw = ImageDraw.Draw(img)
        for y in range(150, 1650, 32):
            draw.line((120, y, 120 + rng.randint(400, 1000), y), fill=rng.randint(20, 90), width=3)
        jpg = path.with_name(f"scan-{n}.jpg")
        img.save(jpg, quality=75)
        pdf.add_page()
        pdf.image(str(jpg), x=0, y=0, w=210, h=297)
    pdf.output(str(path))


def test_a_100_page_scan_is_handled_in_bounded_memory(tmp_path: Path, samples_dir: Path) -> None:
    pytest.importorskip("PIL")
    _scan_pdf(tmp_path / "scan.pdf", 100)
    data = json.loads((samples_dir / "casus_minimaal.json").read_text(encoding="utf-8"))
    data["bijlagen"] = [{"titel": "Gescand dossier vorige werkgever", "bestand": "scan.pdf", "soort": "overig"}]
    p = tmp_path / "casus.json"
    p.write_text(json.dumps(data), encoding="utf-8")
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    proc = _cli("build", str(p), "-o", str(tmp_path / "d.pdf"), "--today", "2026-11-23")
    peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    assert proc.returncode == 0, proc.stderr
    assert "gescand" in proc.stderr.lower()  # a warning: no text layer
    assert len(PdfReader(tmp_path / "d.pdf").pages) > 100
    assert max(peak_kb, before) < 600 * 1024, f"peak RSS {peak_kb / 1024:.0f} MB"

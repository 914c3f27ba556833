"""End to end: `dossier build` on the Kuipers sample with the real LibreOffice, checked with real readers."""

from __future__ import annotations

import itertools
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from pypdf import PdfReader

pytestmark = [pytest.mark.libreoffice,
              pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice ontbreekt")]

TODAY = "2026-10-16"
BSN = "111222333"


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "dossier", *args], capture_output=True, text=True)


def _page_text(pdf: Path, n: int) -> str:
    return subprocess.run(["pdftotext", "-layout", "-f", str(n), "-l", str(n), str(pdf), "-"],
                          capture_output=True, text=True, check=True).stdout


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory, samples_dir: Path) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("build")
    proc = _cli("build", str(samples_dir / "casus_kuipers.json"), "-o", str(out / "kuipers.pdf"),
                "--today", TODAY, "--uwv", str(out / "uwv"))
    assert proc.returncode == 0, proc.stderr
    return {"pdf": out / "kuipers.pdf", "index": out / "kuipers.index.json", "uwv": out / "uwv", "dir": out}


def test_qpdf_check_passes(built: dict[str, Path]) -> None:
    proc = subprocess.run(["qpdf", "--check", str(built["pdf"])], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_every_page_carries_its_stamp(built: dict[str, Path]) -> None:
    total = len(PdfReader(built["pdf"]).pages)
    assert total > 25
    for n in range(1, total + 1):
        text = _page_text(built["pdf"], n)
        assert f"pagina {n} van {total}" in text, f"page {n}"
        assert "VZ-2025-0142" in text


def test_index_rows_outline_and_links_point_at_the_real_start_pages(built: dict[str, Path]) -> None:
    index = json.loads(built["index"].read_text(encoding="utf-8"))
    parts = index["delen"]
    reader = PdfReader(built["pdf"])
    assert index["paginas"] == len(reader.pages)
    # parts are contiguous and in the Part A order of groups
    order = ["Probleemanalyse", "Plan van aanpak", "Eerstejaarsevaluatie", "Arbeidsdeskundig rapport",
             "Tweede spoor", "Actueel oordeel", "Eindevaluatie", "Oordeel werknemer", "Overige bijlagen"]
    groups = [p["group"] for p in parts]
    assert sorted(set(groups), key=order.index) == list(dict.fromkeys(groups))
    for a, b in itertools.pairwise(parts):
        assert b["start_page"] == a["end_page"] + 1
    assert parts[-1]["end_page"] == len(reader.pages)
    # each part's first page really is that document
    markers = {"Probleemanalyse": "Probleemanalyse", "Plan van aanpak": "Plan van aanpak",
               "Eerstejaarsevaluatie": "Eerstejaarsevaluatie", "Arbeidsdeskundig rapport": "rbeidsdeskundig",
               "Actueel oordeel bedrijfsarts": "ctueel oordeel", "Eindevaluatie": "Eindevaluatie",
               "Trajectplan tweede spoor": "rajectplan", "Evaluatieverslag 1": "Evaluatieverslag",
               "Oordeel werknemer": "Oordeel van de werknemer"}
    for p in parts:
        marker = markers.get(p["title"])
        if marker:
            assert marker.lower() in _page_text(built["pdf"], p["start_page"]).lower(), p
    # the index page shows each part's page range
    index_pages = range(2, parts[0]["start_page"])  # the index may take more than one page
    index_text = "\n".join(_page_text(built["pdf"], n) for n in index_pages)
    for p in parts:
        shown = str(p["start_page"]) if p["start_page"] == p["end_page"] else f"{p['start_page']}–{p['end_page']}"
        assert re.search(rf"\b{shown}\s*$", index_text, re.MULTILINE), shown
    # outline entries (nested) point at the start pages
    starts = {p["title"]: p["start_page"] for p in parts}

    def walk(items):
        for item in items:
            if isinstance(item, list):
                yield from walk(item)
            else:
                yield item

    seen = {o.title: reader.get_destination_page_number(o) + 1 for o in walk(reader.outline)}
    for title, start in starts.items():
        assert seen.get(title) == start, title
    # each index link goes to a part's first page
    targets = set()
    for annot in (a for n in index_pages for a in reader.pages[n - 1].get("/Annots", [])):
        a = annot.get_object()
        if a.get("/Subtype") == "/Link":
            dest = a.get("/Dest") or a["/A"]["/D"]
            targets.add(reader.get_page_number(dest[0].get_object()) + 1)
    assert {p["start_page"] for p in parts} <= targets


def test_metadata_and_page_labels(built: dict[str, Path]) -> None:
    reader = PdfReader(built["pdf"])
    meta = reader.metadata
    assert meta.author == "Bakkerij Van Dijk & Zonen B.V."
    assert "Sandra Kuipers" in meta.title
    assert reader.page_labels[:3] == ["1", "2", "3"]
    assert (built["pdf"].stat().st_mode & 0o077) == 0


def test_cover_and_documents_read_as_dutch(built: dict[str, Path]) -> None:
    cover = _page_text(built["pdf"], 1)
    for expected in ("Sandra Kuipers", BSN, "Bakkerij Van Dijk & Zonen B.V.", "VZ-2025-0142", "6 januari 2025",
                     "16 oktober 2026"):
        assert expected in cover
    full = subprocess.run(["pdftotext", str(built["pdf"]), "-"], capture_output=True, text=True).stdout
    assert "None" not in full
    assert not re.search(r"\b20\d\d-\d\d-\d\d\b", full)  # no raw ISO dates anywhere


def test_uwv_upload_set(built: dict[str, Path]) -> None:
    files = sorted(built["uwv"].glob("*.pdf"))
    assert len(files) >= 8
    assert all(BSN not in f.name for f in files)
    overzicht = (built["uwv"] / "overzicht.txt").read_text(encoding="utf-8")
    for f in files:
        assert f.name in overzicht
        assert f.stat().st_size <= 10 * 1024 * 1024
        n = len(PdfReader(f).pages)
        for page in range(1, n + 1):
            text = _page_text(f, page)
            assert f"BSN {BSN}" in text and f"pagina {page} van {n}" in text
    assert "documenttype: Plan van aanpak" in overzicht
    assert "documenttype: Eindevaluatie" in overzicht


def test_same_input_same_bytes(built: dict[str, Path], samples_dir: Path, tmp_path: Path) -> None:
    proc = _cli("build", str(samples_dir / "casus_kuipers.json"), "-o", str(tmp_path / "again.pdf"), "--today", TODAY)
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "again.pdf").read_bytes() == built["pdf"].read_bytes()


def _case_with_attachments(tmp_path: Path, samples_dir: Path, bijlagen: list[dict[str, str]]) -> Path:
    data = json.loads((samples_dir / "casus_minimaal.json").read_text(encoding="utf-8"))
    data["bijlagen"] = bijlagen
    shutil.copytree(samples_dir / "bijlagen", tmp_path / "bijlagen")
    case = tmp_path / "casus.json"
    case.write_text(json.dumps(data), encoding="utf-8")
    return case


def test_preflight_reports_every_attachment_problem_before_writing(tmp_path: Path, samples_dir: Path,
                                                                   data_dir: Path) -> None:
    shutil.copyfile(data_dir / "pdf_fixtures" / "versleuteld_wachtwoord.pdf", tmp_path / "geheim.pdf")
    case = _case_with_attachments(tmp_path, samples_dir, [
        {"titel": "PA", "bestand": "bijlagen/probleemanalyse.pdf", "soort": "probleemanalyse"},
        {"titel": "Weg", "bestand": "bijlagen/bestaat-niet.pdf"},
        {"titel": "Medische informatie", "bestand": "bijlagen/actueel_oordeel.pdf", "soort": "medisch"},
        {"titel": "Versleuteld", "bestand": "geheim.pdf"},
        {"titel": "Tekst", "bestand": "casus.json"},
    ])
    out = tmp_path / "out" / "dossier.pdf"
    proc = _cli("build", str(case), "-o", str(out), "--today", "2026-11-23")
    assert proc.returncode == 6, proc.stderr
    err = proc.stderr
    assert "bijlagen[2].bestand" in err and "niet gevonden" in err
    assert "bijlagen[3].soort" in err and "medisch document" in err
    assert "bijlagen[4].bestand" in err and "wachtwoord" in err
    assert "bijlagen[5].bestand" in err and "niet ondersteund" in err
    assert "Traceback" not in err
    assert not out.exists() and not (tmp_path / "out").exists()


def test_encrypted_attachment_opens_with_the_password_from_the_case(tmp_path: Path, samples_dir: Path,
                                                                    data_dir: Path) -> None:
    shutil.copyfile(data_dir / "pdf_fixtures" / "versleuteld_wachtwoord.pdf", tmp_path / "geheim.pdf")
    shutil.copyfile(data_dir / "pdf_fixtures" / "gedraaid_liggend.pdf", tmp_path / "gedraaid.pdf")
    case = _case_with_attachments(tmp_path, samples_dir, [
        {"titel": "Versleuteld verslag", "bestand": "geheim.pdf", "wachtwoord": "geheim"},
        {"titel": "Gedraaide scan", "bestand": "gedraaid.pdf", "soort": "overig", "datum": "2026-10-01"},
    ])
    out = tmp_path / "dossier.pdf"
    proc = _cli("build", str(case), "-o", str(out), "--today", "2026-11-23")
    assert proc.returncode == 0, proc.stderr
    reader = PdfReader(out)
    total = len(reader.pages)
    for n in range(1, total + 1):
        assert f"pagina {n} van {total}" in _page_text(out, n)


def test_a_failed_conversion_leaves_no_partial_pdf(tmp_path: Path, samples_dir: Path) -> None:
    case = _case_with_attachments(tmp_path, samples_dir, [{"titel": "Kapot", "bestand": "kapot.docx"}])
    (tmp_path / "kapot.docx").write_bytes(b"PK\x03\x04 dit is geen echt docx-bestand" * 10)
    out = tmp_path / "dossier.pdf"
    proc = _cli("build", str(case), "-o", str(out), "--today", "2026-11-23")
    assert proc.returncode == 5, proc.stderr
    assert "kapot.docx" in proc.stderr or "bijlage-1" in proc.stderr
    assert not out.exists()
    assert not list(tmp_path.glob(".dossier.pdf*"))

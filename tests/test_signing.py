"""Signatures (``ondertekeningen``): the contract, matching records to documents, signature blocks,
the unsigned-document finding, and signed scans in place of generated documents (issue 12, items 1, 2, 9)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Any

import pytest

import dossier
from dossier import kinds
from dossier.errors import Severity
from dossier.loaders.records import Record
from dossier.validate import build_case

TODAY = date(2026, 10, 16)


def _kuipers(samples_dir: Path) -> dict[str, Any]:
    return json.loads((samples_dir / "casus_kuipers.json").read_text(encoding="utf-8"))


def _validate(data: dict[str, Any], base: Path | None = None):
    rec = Record(source=(base or Path(".")) / "casus.json", location="", data=data)
    return build_case(rec, today=TODAY)


def _fields(issues, severity=Severity.fout) -> dict[str, str]:
    return {i.field: i.message for i in issues if i.severity is severity}


# --- the contract --------------------------------------------------------------------------


def test_unknown_document_is_an_error_naming_the_record(samples_dir: Path) -> None:
    data = _kuipers(samples_dir)
    data["ondertekeningen"] = [{"document": "plan_van_aanpak"}, {"document": "plan_van_aanpk"}]
    case, issues = _validate(data, samples_dir)
    assert case is None
    assert "geen documentsoort" in _fields(issues)["ondertekeningen[2].document"]


def test_document_kinds_come_from_the_registry_at_validation_time(samples_dir: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    data = _kuipers(samples_dir)
    data["ondertekeningen"] = [{"document": "evaluatieverslag", "nummer": 2}]
    if "evaluatieverslag" not in kinds.KINDS:
        assert _validate(data, samples_dir)[0] is None
        new = kinds.Kind("evaluatieverslag", "Evaluatieverslag", "Plan van aanpak", "Plan van aanpak",
                         plan=kinds._single(lambda c: c.plan_van_aanpak, lambda p: p.datum), numbered=True)
        monkeypatch.setitem(kinds.KINDS, new.name, new)
    case, issues = _validate(data, samples_dir)
    assert case is not None, issues
    assert case.ondertekeningen[0].nummer == 2


def test_one_record_per_document_and_scan_types(samples_dir: Path) -> None:
    data = _kuipers(samples_dir)
    data["ondertekeningen"] = [
        {"document": "inspanningsrapportage", "nummer": 2, "werkgever": "2026-05-20"},
        {"document": "inspanningsrapportage", "nummer": 2, "werknemer": "2026-05-21"},
        {"document": "plan_van_aanpak", "scan": "getekend.docx"},
        {"document": "eindevaluatie", "scan": "bestaat-niet.pdf", "datum": "2026-09-29", "werkgever": "2026-09-01"},
    ]
    _case, issues = _validate(data, samples_dir)
    errors = _fields(issues)
    assert "staat al in ondertekeningen[1]" in errors["ondertekeningen[2].document"]
    assert "geen PDF, JPG of PNG" in errors["ondertekeningen[3].scan"]
    warnings = _fields(issues, Severity.waarschuwing)
    assert "niet gevonden" in warnings["ondertekeningen[4].scan"]
    assert "vóór de datum van het document" in warnings["ondertekeningen[4].werkgever"]


def test_schema_documents_the_record() -> None:
    schema = dossier.case_schema()
    props = schema["$defs"]["Ondertekening"]["properties"]
    assert set(props) == {"document", "nummer", "datum", "werkgever", "werknemer", "reintegratiebedrijf", "scan"}
    assert schema["properties"]["ondertekeningen"]["type"] == "array"
    docs = (Path(__file__).parents[1] / "docs" / "templates.md").read_text(encoding="utf-8")
    assert "`ondertekening.werknemer`" in docs and "## Ondertekeningen" in docs


# --- matching records to planned documents -------------------------------------------------


def _check(tmp_path: Path, samples_dir: Path, records: list[dict[str, Any]]) -> list[Any]:
    data = _kuipers(samples_dir)
    data["ondertekeningen"] = records
    f = tmp_path / "casus.json"
    f.write_text(json.dumps(data), encoding="utf-8")
    shutil.copytree(samples_dir / "bijlagen", tmp_path / "bijlagen", dirs_exist_ok=True)
    run = dossier.check([f], settings=dossier.Settings(), today=TODAY)
    items = list(run)
    assert len(items) == 1
    return items[0].issues


def test_a_datum_that_does_not_match_its_nummer_is_an_error_never_a_move(tmp_path: Path, samples_dir: Path) -> None:
    issues = _check(tmp_path, samples_dir, [
        # report 3 is dated 16 June 2026; 16 April 2026 is report 2's date
        {"document": "inspanningsrapportage", "nummer": 3, "datum": "2026-04-16", "werkgever": "2026-05-20"},
        {"document": "bijstelling_plan_van_aanpak", "nummer": 7},
        {"document": "plan_van_aanpak", "datum": "2025-02-20", "werkgever": "2025-02-21", "werknemer": "2025-02-21"},
    ])
    errors = _fields(issues)
    assert set(errors) == {"ondertekeningen[1].datum", "ondertekeningen[2].nummer"}, errors
    assert "past niet bij inspanningsrapportage 3 (gedateerd 16-06-2026)" in errors["ondertekeningen[1].datum"]
    assert "datum van nummer 2" in errors["ondertekeningen[1].datum"]
    assert "bijstelling_plan_van_aanpak 7 bestaat niet" in errors["ondertekeningen[2].nummer"]


def test_unsigned_documents_are_listed_14_days_after_their_date(tmp_path: Path, samples_dir: Path) -> None:
    from dossier.findings import unsigned_findings
    from dossier.model import Case

    data = _kuipers(samples_dir)
    data["ondertekeningen"] = [
        {"document": "plan_van_aanpak", "werkgever": "2025-02-21", "werknemer": "2025-02-24"},
        {"document": "trajectplan_tweede_spoor", "werkgever": "2025-12-22", "werknemer": "2025-12-22"},
        {"document": "eindevaluatie", "scan": "x.pdf"},
    ]
    case = Case.model_validate(data)
    settings = dossier.Settings()
    tl = dossier.case_timeline(case, settings=settings, today=TODAY)
    found = {f.melding.split(" van ")[0]: f for f in unsigned_findings(case, tl, settings=settings)}
    assert "Plan van aanpak" not in found  # both signed
    assert "Eindevaluatie" not in found  # a signed scan
    traject = found["Trajectplan tweede spoor"]
    assert traject.code == "niet_ondertekend" and traject.veld == "ondertekeningen[2]"
    assert "door het re-integratiebedrijf" in traject.melding
    assert traject.niveau == "loonsanctie-risico"  # on 16 October 2026 the eindevaluatie was due
    # Before the eindevaluatie's due date: an aandachtspunt; and a document of 8 days ago is not listed yet.
    early = dossier.case_timeline(case, settings=settings, today=date(2026, 6, 24))
    found = {f.melding.split(" van ")[0]: f for f in unsigned_findings(case, early, settings=settings)}
    assert found["Trajectplan tweede spoor"].niveau == "aandachtspunt"
    assert any(t.startswith("Inspanningsrapportage tweede spoor 2") for t in found)  # 16 April: 69 days
    assert not any(t.startswith("Inspanningsrapportage tweede spoor 3") for t in found)  # 16 June: 8 days


def test_signature_blocks_print_name_function_and_date(tmp_path: Path, samples_dir: Path) -> None:
    from docx import Document as Docx

    data = _kuipers(samples_dir)
    data["ondertekeningen"] = [{"document": "plan_van_aanpak", "werkgever": "2025-02-21"}]
    f = tmp_path / "casus.json"
    f.write_text(json.dumps(data), encoding="utf-8")
    [out] = dossier.render_documents("plan_van_aanpak", f, output=tmp_path / "r", settings=dossier.Settings(),
                                     today=TODAY)
    cells = [c.text for t in Docx(str(out)).tables for row in t.rows for c in row.cells]
    werkgever = next(c for c in cells if c.startswith("Namens de werkgever"))
    werknemer = next(c for c in cells if c.startswith("Werknemer") and "Datum" in c)
    assert "Marieke de Vries" in werkgever and "HR-manager" in werkgever and "Datum: 21 februari 2025" in werkgever
    assert re.search(r"Datum: …+", werknemer)  # not signed yet: a fill-in line


# --- signed scans in the build (real LibreOffice, qpdf, pdftotext) -----------------------------


def _scan_pdf(path: Path, word: str, pages: int) -> None:
    from fpdf import FPDF

    pdf = FPDF()
    for n in range(1, pages + 1):
        pdf.add_page()
        pdf.set_font("Helvetica", size=28)
        pdf.text(30, 60, f"{word} pagina {n}")
    pdf.output(str(path))


def _scan_png(path: Path) -> None:
    from PIL import Image, ImageDraw

    img = Image.new("RGB", (827, 1169), "white")
    ImageDraw.Draw(img).rectangle((80, 80, 740, 300), outline="black", width=6)
    img.save(path)


def _page_text(pdf: Path, n: int) -> str:
    return subprocess.run(["pdftotext", "-layout", "-f", str(n), "-l", str(n), str(pdf), "-"],
                          capture_output=True, text=True, check=True).stdout


@pytest.fixture(scope="module")
def scanned(tmp_path_factory: pytest.TempPathFactory, samples_dir: Path) -> dict[str, Path]:
    work = tmp_path_factory.mktemp("scans")
    shutil.copytree(samples_dir / "bijlagen", work / "bijlagen")
    data = _kuipers(samples_dir)
    _scan_pdf(work / "pva-getekend.pdf", "HANDTEKENINGPVA", 2)
    _scan_png(work / "rapportage2.png")
    data["ondertekeningen"] = [
        {"document": "plan_van_aanpak", "datum": "2025-02-20", "werkgever": "2025-02-24", "werknemer": "2025-02-26",
         "scan": "pva-getekend.pdf"},
        {"document": "inspanningsrapportage", "nummer": 2, "datum": "2026-04-16", "scan": "rapportage2.png"},
    ]
    (work / "casus.json").write_text(json.dumps(data), encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "dossier", "-v", "build", str(work / "casus.json"), "-o",
                           str(work / "d.pdf"), "--today", TODAY.isoformat(), "--uwv", str(work / "uwv")],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    (work / "stderr.txt").write_text(proc.stderr, encoding="utf-8")
    return {"pdf": work / "d.pdf", "index": work / "d.index.json", "uwv": work / "uwv", "dir": work}


@pytest.mark.libreoffice
@pytest.mark.slow
@pytest.mark.skipif(shutil.which("soffice") is None or shutil.which("qpdf") is None,
                    reason="LibreOffice of qpdf ontbreekt")
def test_signed_scans_take_the_place_of_generated_documents(scanned: dict[str, Path]) -> None:
    from pypdf import PdfReader

    pdf = scanned["pdf"]
    assert subprocess.run(["qpdf", "--check", str(pdf)], capture_output=True).returncode == 0
    parts = json.loads(scanned["index"].read_text(encoding="utf-8"))["delen"]
    by_title = {p["title"]: p for p in parts}
    pva = by_title["Plan van aanpak"]
    rap2 = next(p for t, p in by_title.items() if t.startswith("Inspanningsrapportage tweede spoor 2"))
    assert pva["bron"] == rap2["bron"] == "scan"
    assert {p["bron"] for p in parts if p is not pva and p is not rap2} <= {"gegenereerd", "bijlage"}
    assert (pva["page_count"], rap2["page_count"]) == (2, 1)  # the scans' pages, not the generated ones
    for p in parts[1:]:
        assert p["start_page"] == parts[parts.index(p) - 1]["end_page"] + 1
    reader = PdfReader(pdf)
    total = len(reader.pages)
    # the scan's word on the part's pages, with the dossier's stamp on every scan page
    for n in (pva["start_page"], pva["end_page"]):
        text = _page_text(pdf, n)
        assert f"HANDTEKENINGPVA pagina {n - pva['start_page'] + 1}" in text
        assert f"pagina {n} van {total}" in text and "VZ-2025-0142" in text
    assert f"pagina {rap2['start_page']} van {total}" in _page_text(pdf, rap2["start_page"])
    # index row: the signing date, and the page range
    index_text = "".join(_page_text(pdf, n) for n in range(2, parts[0]["start_page"]))  # every index page
    assert "ondertekend op 26 februari 2025 (scan)" in index_text
    assert re.search(rf"Plan van aanpak.*{pva['start_page']}–{pva['end_page']}\s*$", index_text, re.MULTILINE)
    assert "ondertekende scan" in index_text  # the PNG scan has no signing dates

    def walk(items):
        for item in items:
            yield from (walk(item) if isinstance(item, list) else [item])

    seen = {o.title: reader.get_destination_page_number(o) + 1 for o in walk(reader.outline)}
    assert seen["Plan van aanpak"] == pva["start_page"]
    assert seen[rap2["title"]] == rap2["start_page"]
    # stderr says which documents came from scans
    stderr = (scanned["dir"] / "stderr.txt").read_text(encoding="utf-8")
    assert "Plan van aanpak komt uit de ondertekende scan pva-getekend.pdf" in stderr


@pytest.mark.libreoffice
@pytest.mark.slow
@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice ontbreekt")
def test_uwv_set_holds_the_scans_and_the_reminders(scanned: dict[str, Path]) -> None:
    uwv = scanned["uwv"]
    overzicht = (uwv / "overzicht.txt").read_text(encoding="utf-8")
    pva = next(uwv.glob("* Plan van aanpak 2025-02-20.pdf"))
    text = subprocess.run(["pdftotext", str(pva), "-"], capture_output=True, text=True, check=True).stdout
    assert "HANDTEKENINGPVA pagina 2" in text and "BSN 111222333" in text
    assert re.search(rf"{re.escape(pva.name)}\n    documenttype: Plan van aanpak; datum 20 februari 2025; "
                     r"ondertekend op 26 februari 2025 \(scan\);", overzicht)
    assert "; ondertekende scan;" in overzicht  # the PNG, without dates
    assert "documenttype: Eindevaluatie; datum 29 september 2026; nog niet ondertekend;" in overzicht
    prose = " ".join(overzicht.split())
    assert "samen met de WIA-aanvraag van de werknemer (aanvragen uiterlijk 18 oktober 2026)" in prose
    assert "uiterlijk in week 91 van de ziekte een kopie van alle documenten (uiterlijk 4 oktober 2026)" in prose
    assert "konden wij niet controleren" in prose
    assert "documenttype: Actueel oordeel bedrijfsarts of arbodienst" in overzicht


def test_scans_pass_the_attachment_intake(tmp_path: Path, samples_dir: Path) -> None:
    from dossier.attachments import preflight_scans
    from dossier.cases import LoadedCase
    from dossier.model import Case

    _scan_pdf(tmp_path / "getekend.pdf", "GETEKEND", 1)
    (tmp_path / "kapot.pdf").write_bytes(b"%PDF-1.4 dit is geen pdf")
    data = _kuipers(samples_dir)
    data["ondertekeningen"] = [{"document": "plan_van_aanpak", "scan": "getekend.pdf"},
                               {"document": "eindevaluatie", "scan": "weg.png"},
                               {"document": "eerstejaarsevaluatie", "scan": "kapot.pdf"}]
    rec = Record(source=tmp_path / "casus.json", location="", data=data)
    scans, issues = preflight_scans(LoadedCase(rec, Case.model_validate(data)), tmp_path / "work")
    assert set(scans) == {0} and scans[0].pdf.is_file() and scans[0].pdf.parent != tmp_path
    errors = _fields(issues)
    assert "niet gevonden" in errors["ondertekeningen[2].scan"]
    assert "kapot.pdf is beschadigd" in errors["ondertekeningen[3].scan"]

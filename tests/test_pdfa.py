"""PDF/A-2b (``--pdfa``): LibreOffice's export, the identification and OutputIntent of the assembled
dossier and the UWV parts, embedded fonts, and the attachments that keep a file from conforming.

There is no full PDF/A-2 validator on this platform (veraPDF is not packaged in Debian, PyPI or
npm). Debian's PDFBox Preflight checks PDF/A-1b; the build must pass it except for the rules that
PDF/A-2 relaxed (:data:`PDFA1_ONLY`). The identification, the OutputIntent and the fonts are also
checked directly with pikepdf and poppler's pdffonts. SECURITY.md says what this does not cover.
"""

from __future__ import annotations

import logging
import shutil
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from xml.etree import ElementTree

import pikepdf
import pytest
from docx import Document

from dossier.pdf import DossierMeta, Part, assemble_dossier, pdfa
from dossier.pdf.intake import admit_pdf

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "data" / "pdf_fixtures"
SAMPLES = ROOT / "samples"

#: PDFBox Preflight (Debian libpdfbox2-java) and what it needs on Java 17.
PREFLIGHT_JARS = [Path("/usr/share/java") / name for name in (
    "preflight.jar", "pdfbox2.jar", "fontbox2.jar", "xmpbox.jar", "commons-logging.jar",
    "javax.activation.jar", "jaxb-api.jar")]
HAVE_PREFLIGHT = shutil.which("java") is not None and all(p.is_file() for p in PREFLIGHT_JARS)
needs_preflight = pytest.mark.skipif(not HAVE_PREFLIGHT, reason="PDFBox Preflight ontbreekt "
                                     "(make installeert libpdfbox2-java, libactivation-java, libjaxb-api-java)")
needs_soffice = pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice ontbreekt")

#: PDFBox Preflight error codes (org.apache.pdfbox.preflight.PreflightConstants) ignored because the
#: rule is PDF/A-1 only; PDF/A-2 (ISO 19005-2) allows it. Nothing else may be reported.
PDFA1_ONLY = {
    # "part must be 1": the file identifies itself as part 2, which is the point.
    "7.11.2": "pdfaid:part is 2 (PDF/A-2), Preflight only accepts 1",
    # PDF/A-1 forbids transparency; PDF/A-2 §6.4 allows it (fpdf2's pages and LibreOffice's
    # images carry transparency groups; the sRGB OutputIntent covers their /CS /DeviceRGB).
    "2.2.1": "transparency group on a page (allowed in PDF/A-2 §6.4)",
    "2.2.2": "soft mask (PNG alpha, image attachments) or constant alpha (allowed in PDF/A-2 §6.4)",
    # PDF/A-1 §6.3.5 requires a CIDSet for every subset CID font; PDF/A-2 §6.2.11.4.2 makes it
    # optional (only a CIDSet that is present must be complete). fpdf2 writes none.
    "3.1.11": "CIDSet missing for a subset CID font (optional in PDF/A-2 §6.2.11.4.2)",
}

TODAY = "2026-11-23"


def preflight(pdfs: list[Path], work: Path) -> dict[str, list[tuple[str, str]]]:
    """File name → (code, details) of every error PDFBox Preflight (PDF/A-1b) reports.

    One JVM for all files: Preflight's ``xml group`` mode reads a list file and writes
    ``<list>.preflight.xml``.
    """
    listing = work / "preflight-list.txt"
    listing.write_text("".join(f"{p.resolve()}\n" for p in pdfs), encoding="utf-8")
    classpath = ":".join(str(p) for p in PREFLIGHT_JARS)
    proc = subprocess.run(["java", "-cp", classpath, "org.apache.pdfbox.preflight.Validator_A1b", "xml", "group",
                           str(listing)], capture_output=True, text=True, timeout=300, check=False)
    report = listing.with_name(listing.name + ".preflight.xml")
    assert report.is_file(), proc.stdout + proc.stderr
    results: dict[str, list[tuple[str, str]]] = {}
    for node in ElementTree.parse(report).getroot().iter("preflight"):
        results[node.get("name", "")] = [(e.findtext("code", ""), e.findtext("details", ""))
                                         for e in node.iter("error")]
    assert sorted(results) == sorted(p.name for p in pdfs), proc.stdout + proc.stderr
    return results


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The Kuipers sample built with --pdfa, with its UWV upload set (real LibreOffice)."""
    if shutil.which("soffice") is None:
        pytest.skip("LibreOffice ontbreekt")
    out = tmp_path_factory.mktemp("pdfa")
    proc = subprocess.run([sys.executable, "-m", "dossier", "build", str(SAMPLES / "casus_kuipers.json"),
                           "--today", TODAY, "--pdfa", "-o", str(out / "kuipers.pdf"), "--uwv", str(out / "uwv")],
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr
    assert "PDF/A" not in proc.stderr, proc.stderr  # every part conforms: no warning
    return {"pdf": out / "kuipers.pdf", "uwv": out / "uwv"}


def _outputs(built: dict[str, Path]) -> list[Path]:
    return [built["pdf"], *sorted(built["uwv"].glob("*.pdf"))]


@pytest.mark.libreoffice
@needs_preflight
def test_pdfbox_preflight_reports_only_rules_pdfa2_relaxed(built: dict[str, Path], tmp_path: Path) -> None:
    files = _outputs(built)
    assert len(files) > 10
    # the control: a plain PDF with an unembedded font must get errors this test does not ignore
    shutil.copyfile(FIXTURES / "mediabox_offset.pdf", tmp_path / "controle.pdf")
    results = preflight([*files, tmp_path / "controle.pdf"], tmp_path)
    control = {code for code, _ in results.pop("controle.pdf")}
    assert any(code.startswith("3.") and code not in PDFA1_ONLY for code in control), control
    for name, errors in results.items():
        assert ("7.11.2", "Error on MetaData, part must be 1") in errors, name  # Preflight did read our XMP
        unexpected = [(code, details) for code, details in errors if code not in PDFA1_ONLY]
        assert unexpected == [], f"{name}: {unexpected}"


@pytest.mark.libreoffice
def test_identification_output_intent_fonts_and_annotations(built: dict[str, Path]) -> None:
    for path in _outputs(built):
        with pikepdf.open(path) as pdf:
            meta = pdf.open_metadata()
            assert meta.pdfa_status == "2B", path.name
            assert meta["pdfaid:part"] == "2" and meta["pdfaid:conformance"] == "B"
            info = pdf.docinfo
            assert meta["dc:title"] == str(info.Title) and meta["pdf:Producer"] == str(info.Producer)
            assert meta["dc:creator"] == [str(info.Author)]
            assert meta["xmp:CreateDate"].startswith("2026-11-23T00:00:00")
            assert "/Filter" not in pdf.Root.Metadata  # PDF/A: metadata stream not filtered
            (intent,) = pdf.Root.OutputIntents
            assert intent.S == pikepdf.Name.GTS_PDFA1
            profile = intent.DestOutputProfile
            assert int(profile.N) == 3
            data = profile.read_bytes()
            assert data[36:40] == b"acsp" and data[16:20] == b"RGB "  # an ICC profile for RGB
            assert "/Encrypt" not in pdf.trailer
            assert pdf.pdf_version == "1.7"
            for page in pdf.pages:
                for annot in page.obj.get("/Annots", []):
                    flags = int(annot.get("/F", 0))
                    assert flags & 4 and not flags & (1 | 2 | 32), (path.name, flags)
            assert pdfa.problems(pdf) == []
        fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
        rows = fonts.splitlines()[2:]
        assert rows, path.name
        for row in rows:  # name type encoding emb sub uni object ID
            assert row.split()[-5] == "yes", (path.name, row)


@pytest.mark.libreoffice
@needs_soffice
def test_libreoffice_cli_mode_exports_pdfa(tmp_path: Path) -> None:
    """The --convert-to path (the UNO path is what the build above used)."""
    from dossier.convert.libreoffice import SofficeConverter

    doc = Document()
    doc.add_paragraph("Plan van aanpak — Ayşe Öztürk")
    doc.save(tmp_path / "plan.docx")
    with SofficeConverter(mode="cli", pdfa=True) as conv:
        (pdf_path,) = conv.to_pdf([tmp_path / "plan.docx"], tmp_path / "pdf")
    with pikepdf.open(pdf_path) as pdf:
        assert pdf.open_metadata().pdfa_status == "2B"


# --- which parts may be in a PDF/A file ---------------------------------------------------------


META = DossierMeta(title="Re-integratiedossier", subject="Test", author="Werkgever B.V.",
                   stamp_left="T-001 · Jan Test", created=datetime(2026, 11, 23, tzinfo=UTC), pdfa=True)


def _marked(path: Path) -> bool:
    with pikepdf.open(path) as pdf:
        return pdf.open_metadata().pdfa_status == "2B" and "/OutputIntents" in pdf.Root


def test_dossier_of_conforming_parts_is_marked(tmp_path: Path) -> None:
    parts = [Part(key="a", title="Probleemanalyse", group="Probleemanalyse", pdf=FIXTURES / "pdfa.pdf"),
             Part(key="b", title="Gedraaid", group="Overige bijlagen", pdf=FIXTURES / "gedraaid_liggend.pdf")]
    assemble_dossier(None, parts, tmp_path / "d.pdf", META)
    assert _marked(tmp_path / "d.pdf")
    assemble_dossier(None, parts, tmp_path / "plain.pdf", DossierMeta(**{**META.__dict__, "pdfa": False}))
    assert not _marked(tmp_path / "plain.pdf")


def test_a_part_with_an_unembedded_font_keeps_the_dossier_unmarked(tmp_path: Path,
                                                                  caplog: pytest.LogCaptureFixture) -> None:
    parts = [Part(key="a", title="Probleemanalyse", group="Probleemanalyse", pdf=FIXTURES / "pdfa.pdf"),
             Part(key="b", title="Handgeschreven PDF", group="Overige bijlagen", pdf=FIXTURES / "mediabox_offset.pdf")]
    with caplog.at_level(logging.WARNING, logger="dossier"):
        assemble_dossier(None, parts, tmp_path / "d.pdf", META)
    assert not _marked(tmp_path / "d.pdf")
    (record,) = [r for r in caplog.records if "PDF/A" in r.getMessage()]
    assert "Handgeschreven PDF" in record.getMessage() and "Helvetica" in record.getMessage()
    assert "Probleemanalyse" not in record.getMessage()


def test_intake_names_what_cannot_conform(tmp_path: Path) -> None:
    info, issues = admit_pdf(FIXTURES / "mediabox_offset.pdf", tmp_path / "c.pdf", label="bijlagen[2]", pdfa=True)
    assert info is not None and info.pdfa_problems == ("lettertype 'Helvetica' is niet ingesloten",)
    (warning,) = issues
    assert "mediabox_offset.pdf kan niet PDF/A-2b-conform worden gemaakt" in warning.message
    assert "geen PDF/A-kenmerk" in warning.message
    info, issues = admit_pdf(FIXTURES / "pdfa.pdf", tmp_path / "d.pdf", label="b", pdfa=True)
    assert info is not None and info.pdfa_problems == () and issues == []
    # encryption is no obstacle: the clean copy is decrypted
    info, issues = admit_pdf(FIXTURES / "versleuteld_wachtwoord.pdf", tmp_path / "e.pdf", password="geheim",
                             label="b", pdfa=True)
    assert info is not None and info.pdfa_problems == () and issues == []


def test_cmyk_and_missing_appearances_are_named(tmp_path: Path) -> None:
    pdf = pikepdf.new()
    pdf.pages.append(pikepdf.Page(pikepdf.Dictionary(
        Type=pikepdf.Name.Page, MediaBox=[0, 0, 100, 100],
        Contents=pdf.make_stream(b"0 0 0 1 k 0 0 50 50 re f"),
        Annots=[pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Text,
                                                     Rect=[0, 0, 10, 10], Contents=pikepdf.String("notitie")))])))
    found = pdfa.problems(pdf)
    assert "CMYK-kleuren (DeviceCMYK) zonder CMYK-kleurprofiel" in found
    assert "annotatie zonder weergave (Text)" in found


def test_xmp_escapes_and_matches_the_document_information() -> None:
    xmp = pdfa.xmp_packet(title="Dossier <Kuipers> & co", author="Van Dijk & Zonen", subject="WIA — test",
                          creator="dossier", producer="dossier 0.1", created=datetime(2026, 11, 23, tzinfo=UTC))
    text = xmp.decode("utf-8")
    assert "Dossier &lt;Kuipers&gt; &amp; co" in text and "2026-11-23T00:00:00+00:00" in text
    assert "<pdfaid:part>2</pdfaid:part>" in text and "<pdfaid:conformance>B</pdfaid:conformance>" in text


# --- the options ---------------------------------------------------------------------------------


@pytest.mark.parametrize("flags", [(), ("--pdfa",), ("--ocr",), ("--pdfa", "--ocr")])
def test_build_and_batch_options_reach_the_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                    flags: tuple[str, ...]) -> None:
    from click.testing import CliRunner

    import dossier.api
    from dossier.batch import BatchReport
    from dossier.cli import main
    from dossier.pipeline import BuildResult

    seen = []

    def fake_build(loaded: object, *, settings: object, **_kw: object) -> BuildResult:
        seen.append(settings)
        return BuildResult(pdf=tmp_path / "d.pdf", index_json=tmp_path / "d.index.json", pages=1)

    def fake_batch(*_args: object, settings: object, **_kw: object) -> BatchReport:
        seen.append(settings)
        return BatchReport(results=[])

    # The CLI is an adapter over dossier.api: the options must arrive there.
    monkeypatch.setattr(dossier.api, "build", fake_build)
    monkeypatch.setattr(dossier.api, "run_batch", fake_batch)
    runner = CliRunner()
    case = str(SAMPLES / "casus_kuipers.json")
    for args in (["build", case, "--today", TODAY, "-o", str(tmp_path / "d.pdf")],
                 ["batch", case, "--today", TODAY, "--out", str(tmp_path / "uit")]):
        result = runner.invoke(main, [*args, *flags])
        assert result.exit_code == 0, result.output
    assert [(s.pdfa, s.ocr) for s in seen] == [("--pdfa" in flags, "--ocr" in flags)] * 2

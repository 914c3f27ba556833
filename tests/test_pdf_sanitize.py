"""The attachment intake: active and hidden content removed, ordinary links and forms kept, damaged
files repaired, and the text-layer test (dossier.pdf.sanitize, intake, textlayer)."""

from __future__ import annotations

import json
import logging
import shutil
import subprocess
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pikepdf
import pytest
from pikepdf import Array, Dictionary, Name, String
from pypdf import PdfReader

from dossier.errors import Severity
from dossier.pdf.intake import admit_pdf, sanitize_in_place
from dossier.pdf.preflight import inspect_pdf
from dossier.pdf.sanitize import describe, sanitize
from dossier.pdf.textlayer import pdf_has_text

FIXTURES = Path(__file__).resolve().parent / "data" / "pdf_fixtures"
SAMPLES = Path(__file__).resolve().parent.parent / "samples"

#: Action types that must not survive the intake.
BAD_ACTIONS = {"/JavaScript", "/Launch", "/SubmitForm", "/ImportData", "/GoToR", "/GoToE"}
#: Text of the embedded file: must appear nowhere in the output.
SECRET = b"Inhoud van het ingesloten bestand: wachtwoorden.xlsx"
#: What the page-level XMP and PieceInfo leak.
LEAK = "C:/Users/j.jansen/Documents/verzuim"


def _text_page(pdf: pikepdf.Pdf, font: pikepdf.Object, text: str) -> pikepdf.Page:
    content = pdf.make_stream(f"BT /F1 14 Tf 72 760 Td ({text}) Tj ET".encode("latin-1"))
    page = pikepdf.Page(Dictionary(Type=Name.Page, MediaBox=[0, 0, 595, 842], Contents=content,
                                   Resources=Dictionary(Font=Dictionary(F1=font))))
    pdf.pages.append(page)
    return pdf.pages[-1]


def _annot(pdf: pikepdf.Pdf, subtype: Name, rect: list[int], **entries: object) -> pikepdf.Object:
    return pdf.make_indirect(Dictionary(Type=Name.Annot, Subtype=subtype, Rect=rect, **entries))


def _js(code: str) -> Dictionary:
    return Dictionary(S=Name.JavaScript, JS=String(code))


def make_hostile_pdf(path: Path) -> Path:
    """Two pages with every kind of active and hidden content, plus the good things that must stay."""
    pdf = pikepdf.new()
    font = pdf.make_indirect(Dictionary(Type=Name.Font, Subtype=Name.Type1, BaseFont=Name.Helvetica,
                                        Encoding=Name.WinAnsiEncoding))
    p1 = _text_page(pdf, font, "Verslag arbeidsdeskundige met actieve inhoud")
    p2 = _text_page(pdf, font, "Tweede pagina: conclusie")
    embedded = pdf.make_stream(SECRET, Type=Name.EmbeddedFile)
    filespec = pdf.make_indirect(Dictionary(Type=Name.Filespec, F=String("wachtwoorden.xlsx"),
                                            EF=Dictionary(F=embedded)))

    # bad: page actions, launch/submit/import/remote-goto, a javascript: link, JS in a /Next chain
    p1.obj.AA = Dictionary(O=_js("app.alert('pagina geopend')"), C=Dictionary(S=Name.GoTo, D=[p2.obj, Name.Fit]))
    p2.obj.AA = Dictionary(O=Dictionary(S=Name.Launch, F=String("cmd.exe")))
    bad = [
        _annot(pdf, Name.Link, [72, 700, 200, 720], A=Dictionary(S=Name.Launch, F=String("calc.exe"))),
        _annot(pdf, Name.Link, [72, 670, 200, 690],
               A=Dictionary(S=Name.GoToR, F=String("../andere.pdf"), D=Array([0, Name.Fit]))),
        _annot(pdf, Name.Link, [72, 640, 200, 660],
               A=Dictionary(S=Name.GoToE, T=Dictionary(R=Name.C, N=String("x")), D=Array([0, Name.Fit]))),
        _annot(pdf, Name.Link, [72, 610, 200, 630], A=Dictionary(S=Name.ImportData, F=String("data.fdf"))),
        _annot(pdf, Name.Link, [72, 580, 200, 600], A=Dictionary(S=Name.URI, URI=String("javascript:alert(1)"))),
        _annot(pdf, Name.Link, [72, 550, 200, 570], A=Dictionary(S=Name.URI, URI=String("file:///etc/passwd"))),
        _annot(pdf, Name.FileAttachment, [300, 700, 320, 720], FS=filespec, Contents=String("bijlage")),
    ]
    # good: an internal link, a web link whose /Next runs JavaScript (the link stays, the JS goes)
    internal = _annot(pdf, Name.Link, [72, 500, 200, 520], Dest=Array([p2.obj, Name.Fit]))
    web = _annot(pdf, Name.Link, [72, 470, 200, 490],
                 A=Dictionary(S=Name.URI, URI=String("https://www.uwv.nl/werkgevers"), Next=_js("this.print()")))
    # a filled text field with an appearance, and a submit button (its action goes, the button stays)
    appearance = pdf.make_stream(b"/Tx BMC BT /F1 12 Tf 2 6 Td (Sandra Kuipers) Tj ET EMC",
                                 Type=Name.XObject, Subtype=Name.Form, BBox=[0, 0, 200, 20],
                                 Resources=Dictionary(Font=Dictionary(F1=font)))
    field = _annot(pdf, Name.Widget, [300, 400, 500, 420], FT=Name.Tx, T=String("naam"), V=String("Sandra Kuipers"),
                   DA=String("/F1 12 Tf 0 g"), F=4, AP=Dictionary(N=appearance),
                   AA=Dictionary(K=_js("AFNumber_Keystroke()")))
    button_ap = pdf.make_stream(b"BT /F1 10 Tf 2 6 Td (Verstuur) Tj ET", Type=Name.XObject, Subtype=Name.Form,
                                BBox=[0, 0, 80, 20], Resources=Dictionary(Font=Dictionary(F1=font)))
    button = _annot(pdf, Name.Widget, [300, 360, 380, 380], FT=Name.Btn, Ff=65536, T=String("verstuur"), F=4,
                    AP=Dictionary(N=button_ap),
                    A=Dictionary(S=Name.SubmitForm, F=Dictionary(FS=Name.URL, F=String("https://verzamel.example/"))))
    p1.obj.Annots = Array([*bad, internal, web, field, button])
    p2.obj.Annots = Array([_annot(pdf, Name.Link, [72, 700, 200, 720], A=_js("app.launchURL('x')"))])
    for page in (p1, p2):  # page-level XMP and PieceInfo with a user's home folder
        page.obj.Metadata = pdf.make_stream(f"<x:xmpmeta><pdf:Keywords>{LEAK}</pdf:Keywords></x:xmpmeta>".encode(),
                                            Type=Name.Metadata, Subtype=Name.XML)
        page.obj.PieceInfo = Dictionary(Illustrator=Dictionary(LastModified=String("D:20250101"),
                                                               Private=String(LEAK)))
    root = pdf.Root
    xfa = pdf.make_stream(b"<xdp:xdp><script>xfa.host.messageBox('XFA')</script></xdp:xdp>")
    root.AcroForm = Dictionary(Fields=Array([field, button]), DA=String("/F1 12 Tf 0 g"),
                               DR=Dictionary(Font=Dictionary(F1=font)), XFA=Array([String("template"), xfa]))
    root.NeedsRendering = True
    root.Names = Dictionary(JavaScript=Dictionary(Names=Array([String("init"), _js("app.alert('hoi')")])),
                            EmbeddedFiles=Dictionary(Names=Array([String("wachtwoorden.xlsx"), filespec])))
    root.OpenAction = _js("this.exportDataObject({cName: 'wachtwoorden.xlsx', nLaunch: 2})")
    root.AF = Array([filespec])
    bookmark = pdf.make_indirect(Dictionary(Title=String("Conclusie"), A=_js("app.alert('bladwijzer')")))
    root.Outlines = pdf.make_indirect(Dictionary(Type=Name.Outlines, First=bookmark, Last=bookmark, Count=1))
    bookmark.Parent = root.Outlines
    pdf.save(path)
    return path


def _walk(pdf: pikepdf.Pdf) -> Iterator[pikepdf.Object]:
    """Every dictionary and stream reachable from the trailer (what a viewer could act on)."""
    seen: set[tuple[int, int]] = set()
    stack: list[pikepdf.Object] = [pdf.trailer]
    while stack:
        obj = stack.pop()
        if not isinstance(obj, pikepdf.Object):
            continue  # numbers, booleans and null come back as Python values
        if obj.is_indirect:
            if obj.objgen in seen:
                continue
            seen.add(obj.objgen)
        if isinstance(obj, Dictionary | pikepdf.Stream):
            yield obj
            stack.extend(obj[k] for k in list(obj.keys()) if k != "/Parent")
        elif isinstance(obj, Array):
            stack.extend(obj)


def assert_nothing_active(path: Path) -> None:
    """No bad action, no script, no embedded file, no page XMP or PieceInfo anywhere in ``path``."""
    with pikepdf.open(path) as pdf:
        for obj in _walk(pdf):
            assert str(obj.get("/S", "")) not in BAD_ACTIONS, obj
            assert "/JS" not in obj and "/EmbeddedFiles" not in obj and "/AF" not in obj
            assert str(obj.get("/Type", "")) not in ("/EmbeddedFile", "/Filespec")
            assert str(obj.get("/Subtype", "")) != "/FileAttachment"
            if str(obj.get("/S", "")) == "/URI":
                assert bytes(obj.URI).startswith((b"https:", b"http:", b"mailto:"))
            if isinstance(obj, pikepdf.Stream):
                assert SECRET not in obj.read_bytes()
        for page in pdf.pages:  # a page's /AA may keep an internal jump; _walk saw no bad action in it
            for key in ("/Metadata", "/PieceInfo"):
                assert key not in page.obj, key
        assert "/OpenAction" not in pdf.Root and "/NeedsRendering" not in pdf.Root
        assert "/XFA" not in pdf.Root.get("/AcroForm", Dictionary())
        assert "/JavaScript" not in pdf.Root.get("/Names", Dictionary())
    raw = path.read_bytes()
    assert LEAK.encode() not in raw and b"calc.exe" not in raw


@pytest.fixture
def hostile(tmp_path: Path) -> Path:
    return make_hostile_pdf(tmp_path / "hostile.pdf")


def test_sanitising_removes_every_active_and_hidden_part(hostile: Path, tmp_path: Path) -> None:
    with pikepdf.open(hostile) as pdf:
        removed = sanitize(pdf)
        pdf.save(tmp_path / "clean.pdf")
    assert_nothing_active(tmp_path / "clean.pdf")
    lines = describe(removed)
    text = "\n".join(lines)
    for expected in ("JavaScript", "Launch-actie", "SubmitForm-actie", "ImportData-actie", "GoToR-actie",
                     "GoToE-actie", "link met een file:-adres", "ingesloten bestand", "bijlage-annotatie",
                     "XMP-metadata van de pagina", "PieceInfo van de pagina", "bladwijzer", "pagina 2",
                     "bij het openen van het document", "JavaScript op documentniveau", "XFA-formulier"):
        assert expected in text, expected
    assert len(lines) == len({line.split(" (")[0] for line in lines})  # one line per kind


def test_sanitising_keeps_links_form_values_and_text(hostile: Path, tmp_path: Path) -> None:
    with pikepdf.open(hostile) as pdf:
        sanitize(pdf)
        pdf.save(tmp_path / "clean.pdf")
    with pikepdf.open(tmp_path / "clean.pdf") as pdf:
        p1, p2 = pdf.pages
        annots = list(p1.obj.Annots)
        internal = [a for a in annots if "/Dest" in a]
        assert len(internal) == 1 and internal[0].Dest[0].objgen == p2.obj.objgen
        web = [a for a in annots if "/A" in a and a.A.get("/S") == Name.URI]
        assert [bytes(a.A.URI) for a in web] == [b"https://www.uwv.nl/werkgevers"]
        assert "/Next" not in web[0].A  # its JavaScript follow-up is gone, the link stays
        widgets = {str(a.T): a for a in annots if a.get("/Subtype") == Name.Widget}
        assert set(widgets) == {"naam", "verstuur"}
        assert str(widgets["naam"].V) == "Sandra Kuipers" and "/N" in widgets["naam"].AP
        assert "/A" not in widgets["verstuur"] and "/N" in widgets["verstuur"].AP
        assert len(pdf.Root.AcroForm.Fields) == 2
        assert "/AA" not in widgets["naam"]
        assert "/Annots" not in p2.obj  # its only link ran JavaScript
        assert str(pdf.Root.Outlines.First.Title) == "Conclusie" and "/A" not in pdf.Root.Outlines.First
    assert "Verslag arbeidsdeskundige" in PdfReader(tmp_path / "clean.pdf").pages[0].extract_text()


def test_intake_writes_a_clean_copy_and_logs_what_it_removed(hostile: Path, tmp_path: Path,
                                                            caplog: pytest.LogCaptureFixture) -> None:
    original = hostile.read_bytes()
    with caplog.at_level(logging.INFO, logger="dossier"):
        info, issues = admit_pdf(hostile, tmp_path / "work" / "bijlage-1.pdf", label="bijlagen[1] 'hostile.pdf'")
    assert info is not None and issues == []
    assert info.path == tmp_path / "work" / "bijlage-1.pdf" and info.source == hostile
    assert hostile.read_bytes() == original  # the attachment itself is never written to
    assert_nothing_active(info.path)
    assert any("Launch-actie" in line for line in info.removed)
    logged = [r for r in caplog.records if r.levelno == logging.INFO and "verwijderd uit hostile.pdf" in r.getMessage()]
    assert len(logged) == 1 and "JavaScript" in logged[0].getMessage()


def test_an_ordinary_attachment_loses_nothing(tmp_path: Path) -> None:
    info, issues = admit_pdf(FIXTURES / "pdftex_outline.pdf", tmp_path / "c.pdf", label="b")
    assert info is not None and issues == [] and info.removed == ()
    assert info.has_outline and info.page_count == 3
    with pikepdf.open(tmp_path / "c.pdf") as pdf:  # the \ref links of LaTeX stay
        assert any(a.get("/Subtype") == Name.Link for page in pdf.pages for a in page.obj.get("/Annots", []))


def test_cyclic_action_chains_and_bookmarks_end(tmp_path: Path) -> None:
    pdf = pikepdf.new()
    font = pdf.make_indirect(Dictionary(Type=Name.Font, Subtype=Name.Type1, BaseFont=Name.Helvetica))
    page = _text_page(pdf, font, "Lus")
    goto = pdf.make_indirect(Dictionary(S=Name.GoTo, D=[page.obj, Name.Fit]))
    goto.Next = goto  # an action that follows itself
    page.obj.Annots = Array([_annot(pdf, Name.Link, [0, 0, 10, 10], A=goto)])
    item = pdf.make_indirect(Dictionary(Title=String("a"), A=_js("x")))
    item.Next = item
    item.First = item
    pdf.Root.Outlines = pdf.make_indirect(Dictionary(First=item, Last=item))
    removed = sanitize(pdf)
    assert [r.what for r in removed] == ["JavaScript"]


def test_office_attachment_pdf_is_sanitised_in_place(hostile: Path, tmp_path: Path) -> None:
    target = tmp_path / "bijlage-2.pdf"
    shutil.copyfile(hostile, target)
    removed = sanitize_in_place(target, label="bijlagen[2] 'brief.docx'")
    assert any("Launch" in line for line in removed)
    assert_nothing_active(target)


# --- repair --------------------------------------------------------------------------------


def test_destroyed_xref_is_repaired_with_a_warning(tmp_path: Path) -> None:
    damaged = FIXTURES / "xref_vernield.pdf"
    with pytest.raises(Exception):  # noqa: B017 - pypdf really cannot read it
        PdfReader(damaged, strict=False).pages[0].extract_text()
    info, issues = admit_pdf(damaged, tmp_path / "c.pdf", label="bijlage 2")
    assert info is not None and info.repaired and info.page_count == 1
    assert [i.severity for i in issues] == [Severity.waarschuwing]
    assert "xref_vernield.pdf was beschadigd en is hersteld" in issues[0].message
    assert "Vertrouwelijk verslag" in PdfReader(info.path).pages[0].extract_text()


def test_a_file_qpdf_cannot_rebuild_is_refused_clearly(tmp_path: Path) -> None:
    info, issues = admit_pdf(FIXTURES / "beschadigd.pdf", tmp_path / "c.pdf", label="bijlage 3")
    assert info is None and len(issues) == 1 and issues[0].severity is Severity.fout
    assert "beschadigd.pdf is beschadigd en kan niet worden hersteld" in issues[0].message
    assert "<_io" not in issues[0].message  # no internal stream names
    assert not (tmp_path / "c.pdf").exists()


def test_a_page_listed_twice_is_not_called_damaged(tmp_path: Path) -> None:
    info, issues = admit_pdf(FIXTURES / "gedeelde_objecten.pdf", tmp_path / "c.pdf", label="b")
    assert info is not None and not info.repaired and issues == []


@pytest.mark.parametrize(("password", "expected"), [(None, "geef het wachtwoord op"), ("fout", "onjuist")])
def test_intake_password_errors(tmp_path: Path, password: str | None, expected: str) -> None:
    info, issues = admit_pdf(FIXTURES / "versleuteld_wachtwoord.pdf", tmp_path / "c.pdf", password=password,
                             label="b")
    assert info is None and expected in issues[0].message


def test_intake_decrypts_into_the_clean_copy(tmp_path: Path) -> None:
    info, issues = admit_pdf(FIXTURES / "versleuteld_wachtwoord.pdf", tmp_path / "c.pdf", password="geheim",
                             label="b")
    assert info is not None and issues == [] and info.encrypted and info.password_required
    reader = PdfReader(info.path)
    assert not reader.is_encrypted and "Vertrouwelijk verslag" in reader.pages[0].extract_text()


# --- text layer ----------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["formulier_kort.pdf", "arabisch.pdf", "formulier_ingevuld.pdf", "pdfa.pdf"])
def test_forms_and_right_to_left_text_are_not_scans(tmp_path: Path, name: str) -> None:
    for info, issues in (admit_pdf(FIXTURES / name, tmp_path / name, label="b"),
                         inspect_pdf(FIXTURES / name, label="b")):
        assert info is not None and info.has_text_layer, name
        assert not any("gescand" in i.message for i in issues), name


def test_an_image_only_scan_is_still_warned(tmp_path: Path) -> None:
    info, issues = admit_pdf(FIXTURES / "scan_zonder_tekst.pdf", tmp_path / "c.pdf", label="bijlage 4")
    assert info is not None and not info.has_text_layer
    assert [i.severity for i in issues] == [Severity.waarschuwing]
    assert "scan_zonder_tekst.pdf is een gescand document zonder tekstlaag" in issues[0].message


def test_text_only_in_a_form_field_appearance_counts(tmp_path: Path) -> None:
    pdf = pikepdf.new()
    font = pdf.make_indirect(Dictionary(Type=Name.Font, Subtype=Name.Type1, BaseFont=Name.Helvetica))
    pdf.pages.append(pikepdf.Page(Dictionary(Type=Name.Page, MediaBox=[0, 0, 200, 200],
                                             Contents=pdf.make_stream(b"0 0 1 1 re f"))))
    assert not pdf_has_text(pdf)
    ap = pdf.make_stream(b"BT /F1 9 Tf (ja) Tj ET", Type=Name.XObject, Subtype=Name.Form, BBox=[0, 0, 50, 10],
                         Resources=Dictionary(Font=Dictionary(F1=font)))
    pdf.pages[0].obj.Annots = Array([_annot(pdf, Name.Widget, [0, 0, 50, 10], AP=Dictionary(N=ap))])
    assert pdf_has_text(pdf)


# --- a build: nothing of it reaches the dossier or the UWV set -------------------------------


def test_build_dossier_and_uwv_set_carry_none_of_the_active_content(hostile: Path, tmp_path: Path,
                                                                    caplog: pytest.LogCaptureFixture) -> None:
    from dossier.api import load_one_case
    from dossier.pipeline import build_dossier
    from dossier.settings import Settings

    (tmp_path / "bijlagen").mkdir()
    shutil.copyfile(hostile, tmp_path / "bijlagen" / "rapport.pdf")
    shutil.copyfile(FIXTURES / "xref_vernield.pdf", tmp_path / "bijlagen" / "kapot.pdf")
    case = json.loads((SAMPLES / "casus_minimaal.json").read_text(encoding="utf-8"))
    case["bijlagen"] = [
        {"titel": "Arbeidsdeskundig rapport", "bestand": "bijlagen/rapport.pdf", "soort": "arbeidsdeskundig_rapport",
         "datum": "2026-03-01"},
        {"titel": "Verslag", "bestand": "bijlagen/kapot.pdf", "soort": "overig", "datum": "2026-04-01"},
    ]
    case_file = tmp_path / "casus.json"
    case_file.write_text(json.dumps(case), encoding="utf-8")
    settings = Settings(converter="fake")
    loaded = load_one_case(case_file, settings=settings, today=date(2026, 11, 23))
    out = tmp_path / "uit" / "dossier.pdf"
    with caplog.at_level(logging.INFO, logger="dossier"):
        result = build_dossier(loaded, out=out, settings=settings, today=date(2026, 11, 23),
                               uwv_dir=tmp_path / "uwv")
    assert any("hersteld" in w.message and "kapot.pdf" in w.message for w in result.warnings)
    assert any("verwijderd uit rapport.pdf" in r.getMessage() for r in caplog.records)
    pdfs = [out, *(p for p in result.uwv_files if p.suffix == ".pdf")]
    assert len(pdfs) >= 3
    for pdf in pdfs:
        assert_nothing_active(pdf)
    # the good parts made it: the web link, the filled-in value (flattened), the repaired file's text
    with pikepdf.open(out) as pdf:
        uris = [bytes(o.URI) for o in _walk(pdf) if str(o.get("/S", "")) == "/URI"]
    assert b"https://www.uwv.nl/werkgevers" in uris
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True, check=True).stdout
        assert "Sandra Kuipers" in text and "Vertrouwelijk verslag" in text

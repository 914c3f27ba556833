"""Joined conversion (one LibreOffice load for several documents, split back per document).

The fast tests check the DOCX join and the PDF split on their own. The LibreOffice tests convert
the same documents once joined and once one by one and compare every page at 100 dpi
(pdftoppm): at most 0.5 % of the pixels may differ per page, with the same page count per
document. One build per template set: the built-in templates (every kind, from the Kuipers
sample) and a firm-style set (a logo in the header, another first-page header, a landscape
section, its own page numbering in a footer table).
"""

from __future__ import annotations

import logging
import shutil
import subprocess
import zipfile
from datetime import date
from io import BytesIO
from pathlib import Path

import pytest
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from lxml import etree
from pypdf import PdfReader

from dossier.convert.join import W, join_docx, marker, plan_groups, split_pdf

ROOT = Path(__file__).resolve().parent.parent
TODAY = date(2026, 11, 23)
#: Largest share of differing pixels allowed on one page (issue 15).
MAX_DIFF = 0.005


def _w(tag: str) -> str:
    return f"{{{W}}}{tag}"


# --- a firm-style template set -----------------------------------------------------------------


def _logo() -> BytesIO:
    from PIL import Image, ImageDraw

    img = Image.new("RGB", (240, 80), "white")
    draw = ImageDraw.Draw(img)
    draw.rectangle((4, 4, 236, 76), outline=(20, 60, 140), width=6)
    draw.ellipse((20, 16, 68, 64), fill=(200, 40, 40))
    draw.rectangle((90, 30, 220, 50), fill=(20, 60, 140))
    buf = BytesIO()
    img.save(buf, "PNG")
    buf.seek(0)
    return buf


def _field(paragraph, instr: str) -> None:
    for kind, text in (("begin", None), (None, f" {instr} "), ("separate", None), (None, "1"), ("end", None)):
        run = paragraph.add_run()
        if kind is not None:
            fc = OxmlElement("w:fldChar")
            fc.set(qn("w:fldCharType"), kind)
            run._r.append(fc)
        elif text.strip() == "1":
            run.text = text
        else:
            it = OxmlElement("w:instrText")
            it.set(qn("xml:space"), "preserve")
            it.text = text
            run._r.append(it)


def make_firm_document(path: Path, title: str, paragraphs: int, *, landscape_rows: int) -> Path:
    """A firm's document: logo headers (another one on the first page), a landscape section and
    'Blad X van Y' in a footer table."""
    doc = Document()
    doc.styles["Normal"].font.name = "Carlito"
    doc.styles["Normal"].font.size = Pt(11)
    s = doc.sections[0]
    s.page_width, s.page_height = Mm(210), Mm(297)
    s.different_first_page_header_footer = True
    first = s.first_page_header.paragraphs[0]
    first.add_run().add_picture(_logo(), width=Mm(50))
    first.add_run("  Firma Voorbeeld B.V. — vertrouwelijk")
    head = s.header.paragraphs[0]
    head.add_run().add_picture(_logo(), width=Mm(20))
    head.add_run(f"  {title}")
    table = s.footer.add_table(rows=1, cols=2, width=Mm(170))
    table.cell(0, 0).paragraphs[0].add_run("Firma Voorbeeld B.V.")
    cell = table.cell(0, 1).paragraphs[0]
    cell.add_run("Blad ")
    _field(cell, "PAGE")
    cell.add_run(" van ")
    _field(cell, "NUMPAGES")
    s.first_page_footer.paragraphs[0].add_run("Eerste blad van ")
    _field(s.first_page_footer.paragraphs[0], "NUMPAGES")
    doc.add_heading(title, level=1)
    for k in range(paragraphs):
        doc.add_paragraph(f"Alinea {k + 1} van {title}. " + "Een zin over de re-integratie en de afspraken. " * 9)
    new = doc.add_section()
    new.orientation = WD_ORIENT.LANDSCAPE
    new.page_width, new.page_height = Mm(297), Mm(210)
    doc.add_heading("Overzicht (liggend)", level=2)
    grid = doc.add_table(rows=landscape_rows, cols=5)
    grid.style = "Table Grid"
    for r in range(landscape_rows):
        for c in range(5):
            grid.cell(r, c).text = f"r{r + 1} k{c + 1}"
    doc.save(path)
    return path


# --- building and comparing -------------------------------------------------------------------


def _builtin_documents(folder: Path, sample: str = "casus_kuipers.json") -> list[Path]:
    """Every generated DOCX of a sample (Kuipers: all built-in templates), voorblad first."""
    from dossier.cases import iter_cases
    from dossier.pipeline import prepare_dossier
    from dossier.settings import Settings

    item = next(iter_cases([ROOT / "samples" / sample], today=TODAY))
    out = []
    with prepare_dossier(item.loaded, settings=Settings(), today=TODAY) as w:
        for i, d in enumerate([w.cover, *w.documents]):
            if d.scan is None:
                out.append(Path(shutil.copy(d.docx, folder / f"{i:02d}-{d.docx.name}")))
    return out


def _pages(pdf: Path, folder: Path) -> list[Path]:
    folder.mkdir(parents=True)
    subprocess.run(["pdftoppm", "-r", "100", "-png", str(pdf), str(folder / "p")], check=True)
    return sorted(folder.glob("p*.png"))


def _page_differences(a: Path, b: Path, work: Path) -> list[float]:
    """Share of differing pixels on every page of ``a`` against ``b`` (same page count asserted)."""
    from PIL import Image, ImageChops

    pa, pb = _pages(a, work / "a"), _pages(b, work / "b")
    assert len(pa) == len(pb), f"{a.name}: {len(pa)} pages joined, {len(pb)} apart"
    shares = []
    for x, y in zip(pa, pb, strict=True):
        ia, ib = Image.open(x).convert("L"), Image.open(y).convert("L")
        assert ia.size == ib.size, f"{a.name}: another page size"
        diff = ImageChops.difference(ia, ib)
        shares.append(sum(diff.histogram()[1:]) / (ia.size[0] * ia.size[1]))
    return shares


# --- fast: join and split ------------------------------------------------------------------


def test_builtin_documents_form_one_joinable_set(tmp_path: Path) -> None:
    docs = _builtin_documents(tmp_path)
    plan = plan_groups(docs)
    assert plan.reasons == {}
    assert plan.groups == [list(range(len(docs)))]


def test_join_gives_every_document_its_own_section_numbering_and_headers(tmp_path: Path) -> None:
    docs = [make_firm_document(tmp_path / f"f{k}.docx", f"Brief {k}", 3, landscape_rows=3) for k in range(3)]
    joined = join_docx(docs, tmp_path / "joined.docx")
    assert joined.markers == [marker(0), marker(1), marker(2)]
    with zipfile.ZipFile(joined.path) as z:
        body = etree.fromstring(z.read("word/document.xml")).find(_w("body"))
        names = z.namelist()
        footers = [z.read(n).decode() for n in names if "footer" in n and n.endswith(".xml") and "_rels" not in n]
        header_rels = [n for n in names if n.startswith("word/_rels/j") and "header" in n]
    sects = list(body.iter(_w("sectPr")))
    assert len(sects) == 6  # two sections per document
    starts = [s.find(_w("pgNumType")) for s in sects]
    # The first section of the 2nd and 3rd document restarts at 1; their landscape sections do not.
    assert [p.get(_w("start")) if p is not None else None for p in starts] == [None, None, "1", None, "1", None]
    assert all(s.find(_w("titlePg")) is not None for s in sects[::2])
    assert len({ref.get(qn("r:id")) for ref in body.iter(_w("headerReference"))}) == 6
    # NUMPAGES became the document's marker; PAGE stays a field.
    assert all("NUMPAGES" not in f for f in footers)
    assert sum(marker(k) in f for f in footers for k in range(3)) == 6
    assert any(" PAGE " in f for f in footers)
    assert len(header_rels) == 6  # every header keeps its logo relationship
    assert [b for b in joined.bookmarks] == [f"_dossier_join_{k}" for k in range(3)]


def test_documents_that_cannot_be_joined_safely_stay_apart(tmp_path: Path) -> None:
    plain = [make_firm_document(tmp_path / f"f{k}.docx", f"Brief {k}", 1, landscape_rows=1) for k in range(2)]
    toc = Document(str(plain[0]))
    p = toc.add_paragraph()
    _field(p, "TOC \\o")
    toc.save(tmp_path / "toc.docx")
    other = Document()  # python-docx's own template: other styles than the firm's set
    other.add_paragraph("Ander sjabloon")
    other.save(tmp_path / "other.docx")
    (tmp_path / "notes.odt").write_bytes(b"not a docx")
    plan = plan_groups([*plain, tmp_path / "toc.docx", tmp_path / "other.docx", tmp_path / "notes.odt"])
    assert plan.groups == [[0, 1]]
    assert "TOC" in plan.reasons[2]
    assert 3 not in plan.reasons and 4 not in plan.reasons  # a set of its own (of one), and not a DOCX


def test_split_keeps_each_documents_pages_outline_and_title(tmp_path: Path) -> None:
    from pypdf import PdfWriter

    writer = PdfWriter()
    for _ in range(5):
        writer.add_blank_page(595, 842)
    writer.add_outline_item(title="Eerste", page_number=0)
    second = writer.add_outline_item(title="Tweede", page_number=2)
    writer.add_outline_item(title="Tweede, sub", page_number=3, parent=second)
    writer.add_metadata({"/Title": "Eerste document", "/Producer": "LibreOffice 7.4"})
    writer.write(tmp_path / "joined.pdf")
    targets = [tmp_path / "a.pdf", tmp_path / "b.pdf"]
    split_pdf(tmp_path / "joined.pdf", [2, 3], targets, ["Document A", "Document B"])
    a, b = PdfReader(targets[0]), PdfReader(targets[1])
    assert (len(a.pages), len(b.pages)) == (2, 3)
    assert [o.title for o in a.outline] == ["Eerste"]
    assert b.outline[0].title == "Tweede" and b.get_destination_page_number(b.outline[0]) == 0
    assert b.outline[1][0].title == "Tweede, sub" and b.get_destination_page_number(b.outline[1][0]) == 1
    assert (a.metadata.title, b.metadata.title) == ("Document A", "Document B")
    assert b.metadata["/Producer"] == "LibreOffice 7.4"
    with pytest.raises(ValueError, match="do not add up"):
        split_pdf(tmp_path / "joined.pdf", [2, 2], targets, ["A", "B"])


# --- LibreOffice: joined against one by one, page by page ------------------------------------


def _compare_paths(docs: list[Path], tmp_path: Path, caplog: pytest.LogCaptureFixture, *,
                   apart: int = 0) -> list[str]:
    """Convert ``docs`` joined and apart; the pages that differ too much (``apart``: documents
    expected to be converted apart in the joined run, with their notice)."""
    from dossier.convert.libreoffice import SofficeConverter

    with SofficeConverter(mode="uno", join=True) as joined, SofficeConverter(mode="uno") as separate:
        with caplog.at_level(logging.DEBUG, logger="dossier.convert.libreoffice.uno_mode"):
            pdfs_joined = joined.to_pdf(docs, tmp_path / "joined")
        pdfs_apart = separate.to_pdf(docs, tmp_path / "apart")
    messages = [r.getMessage() for r in caplog.records]
    together = [m for m in messages if "in één keer omgezet" in m]
    assert sum(int(m.split()[1]) for m in together) == len(docs) - apart, "not every document was joined"
    assert len([m for m in messages if "wordt apart omgezet (niet samen te voegen" in m]) == apart
    problems = []
    for k, (a, b) in enumerate(zip(pdfs_joined, pdfs_apart, strict=True)):
        shares = _page_differences(a, b, tmp_path / f"cmp{k}")
        problems += [f"{a.name} page {n + 1}: {s:.2%}" for n, s in enumerate(shares) if s > MAX_DIFF]
    return problems


def _have_uno() -> bool:
    from dossier.convert.libreoffice import find_uno_python

    return shutil.which("soffice") is not None and find_uno_python() is not None


needs_uno = pytest.mark.skipif(not _have_uno(), reason="LibreOffice of een Python met 'uno' ontbreekt")


@pytest.mark.libreoffice
@pytest.mark.slow
@needs_uno
@pytest.mark.xfail(strict=True, reason="evaluatieverslag 9 of the rewritten Kuipers sample: page 2 differs 3.9 % "
                   "joined in a group of six. Here the separate conversion is the odd one: it leaves heading 6 "
                   "alone at the foot of page 1, the joined one keeps it with its paragraph; the check looks at "
                   "the joined layout only. Joining is off by default (docs/samenvoegen.md)")
def test_builtin_templates_joined_look_like_apart(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    docs = _builtin_documents(tmp_path)
    assert _compare_paths(docs, tmp_path, caplog) == []


@pytest.mark.libreoffice
@pytest.mark.slow
@needs_uno
def test_firm_templates_joined_look_like_apart(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    docs = [make_firm_document(tmp_path / f"firma-{k}.docx", f"Brief {k}", 9 + 5 * k, landscape_rows=6 + 30 * k)
            for k in range(3)]
    with_toc = Document(str(docs[0]))
    _field(with_toc.add_paragraph(), "TOC \\o")
    with_toc.save(tmp_path / "firma-toc.docx")
    docs.insert(1, tmp_path / "firma-toc.docx")
    assert plan_groups(docs).groups == [[0, 2, 3]]
    assert _compare_paths(docs, tmp_path, caplog, apart=1) == []


def test_joining_is_off_unless_asked_for() -> None:
    from click.testing import CliRunner

    from dossier.cli import main
    from dossier.convert import make_converter
    from dossier.settings import Settings

    assert make_converter(Settings()).join is False
    assert make_converter(Settings(samenvoegen=True)).join is True
    for command in ("build", "render", "batch"):
        assert "--samenvoegen / --apart" in CliRunner().invoke(main, [command, "--help"]).output


@pytest.mark.libreoffice
@pytest.mark.slow
@needs_uno
def test_a_group_whose_joined_layout_breaks_keep_with_next_is_converted_apart(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """All 24 documents of the Kuipers story as it was before its rewrite (kept in tests/data) in ONE
    load: LibreOffice then leaves a heading at the foot of a page in three inspanningsrapportages
    (pages up to 15.6 % off, one with another page count; docs/samenvoegen.md). The worker's check
    must see it, and the group falls back to separate conversions, whose pages equal those of a
    plain separate run. (The rewritten sample happens to join cleanly even in one group.)"""
    from dossier.convert.libreoffice import SofficeConverter

    docs = _builtin_documents(tmp_path, str(ROOT / "tests" / "data" / "kuipers_joined_layout_fault.json"))
    with SofficeConverter(mode="uno", join=True, join_size=len(docs)) as joined, \
            SofficeConverter(mode="uno") as separate:
        with caplog.at_level(logging.INFO, logger="dossier.convert.libreoffice.uno_mode"):
            pdfs_joined = joined.to_pdf(docs, tmp_path / "joined")
        pdfs_apart = separate.to_pdf(docs, tmp_path / "apart")
    messages = [r.getMessage() for r in caplog.records]
    notices = [m for m in messages if "onderaan de pagina" in m]
    assert len(notices) == 1 and notices[0].startswith(f"LibreOffice: {len(docs)} documenten apart omgezet")
    for name in ("inspanningsrapportage-2", "inspanningsrapportage-3", "inspanningsrapportage-4"):
        assert f"-{name}-" in notices[0]
    assert not [m for m in messages if "in één keer omgezet" in m]
    for k, (a, b) in enumerate(zip(pdfs_joined, pdfs_apart, strict=True)):
        assert max(_page_differences(a, b, tmp_path / f"cmp{k}")) == 0.0, a.name

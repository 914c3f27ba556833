"""The copy LibreOffice converts leaves out the styles nothing refers to (dossier.convert.slim).

The fast tests check which styles stay; the LibreOffice test converts every built-in template (the
Kuipers sample) and a firm-style set once slimmed and once as they are, and compares every page
at 100 dpi: not one pixel may differ.
"""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import pytest
from docx import Document
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from lxml import etree
from test_convert_join import _builtin_documents, _page_differences, make_firm_document, needs_uno

from dossier.convert.slim import W, slim_document


def _style_ids(path: Path) -> set[str]:
    with zipfile.ZipFile(path) as z:
        root = etree.fromstring(z.read("word/styles.xml"))
    return {s.get(f"{{{W}}}styleId") for s in root.iter(f"{{{W}}}style")}


def _styled_document(path: Path) -> Path:
    """python-docx's default template (164 styles, like the built-in templates) with a few used:
    one in the text, one only in the header, one only in a table."""
    doc = Document()
    doc.add_paragraph("Kop", style="Heading 1")
    doc.add_paragraph("Tekst")
    doc.sections[0].header.paragraphs[0].style = doc.styles["Quote"]
    doc.add_table(rows=1, cols=1).style = doc.styles["Light Grid Accent 1"]
    doc.save(path)
    return path


def test_unused_styles_are_left_out_and_the_used_ones_kept_with_what_they_build_on(tmp_path: Path) -> None:
    path = _styled_document(tmp_path / "d.docx")
    before = _style_ids(path)
    removed = slim_document(path)
    after = _style_ids(path)
    assert removed == len(before) - len(after) and len(after) < 30 < len(before)
    # Used (text, header, table), what they are based on / linked to / followed by, the defaults.
    assert {"Heading1", "Heading1Char", "Quote", "QuoteChar", "LightGrid-Accent1", "Normal",
            "DefaultParagraphFont", "TableNormal", "NoList"} <= after
    assert "Heading2" not in after and "Title" not in after
    doc = Document(str(path))  # still a valid package: python-docx opens it
    assert doc.paragraphs[0].style.name == "Heading 1"
    with zipfile.ZipFile(path) as z:
        names = z.namelist()
        assert "word/stylesWithEffects.xml" not in names
        assert b"stylesWithEffects" not in z.read("[Content_Types].xml")
        assert b"stylesWithEffects" not in z.read("word/_rels/document.xml.rels")
        assert all(i.compress_type == zipfile.ZIP_STORED for i in z.infolist())


def test_styles_named_by_numbering_and_settings_are_kept(tmp_path: Path) -> None:
    path = _styled_document(tmp_path / "d.docx")
    with zipfile.ZipFile(path) as z:
        files = {n: z.read(n) for n in z.namelist()}
    numbering = etree.fromstring(files["word/numbering.xml"])
    lvl = numbering.find(f".//{{{W}}}lvl")
    pstyle = OxmlElement("w:pStyle")
    pstyle.set(qn("w:val"), "ListNumber")
    lvl.append(pstyle)
    files["word/numbering.xml"] = etree.tostring(numbering)
    settings = etree.fromstring(files["word/settings.xml"])
    table = OxmlElement("w:defaultTableStyle")
    table.set(qn("w:val"), "MediumShading1")
    settings.append(table)
    files["word/settings.xml"] = etree.tostring(settings)
    with zipfile.ZipFile(path, "w") as z:
        for name, data in files.items():
            z.writestr(name, data)
    assert slim_document(path) > 0
    assert {"ListNumber", "MediumShading1"} <= _style_ids(path)


@pytest.mark.parametrize("case", ["styleref", "not_a_zip", "broken_styles"])
def test_a_document_it_cannot_follow_is_left_as_it_is(tmp_path: Path, case: str) -> None:
    path = _styled_document(tmp_path / "d.docx")
    if case == "styleref":
        doc = Document(str(path))
        run = doc.paragraphs[1].add_run()
        instr = OxmlElement("w:instrText")
        instr.text = ' STYLEREF "Heading 1" '
        run._r.append(instr)
        doc.save(path)
    elif case == "not_a_zip":
        path.write_bytes(b"{\\rtf1 geen docx}")
    else:
        with zipfile.ZipFile(path) as z:
            files = {n: z.read(n) for n in z.namelist()}
        files["word/styles.xml"] = files["word/styles.xml"][:500]
        with zipfile.ZipFile(path, "w") as z:
            for name, data in files.items():
                z.writestr(name, data)
    before = path.read_bytes()
    assert slim_document(path) == 0
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["d.docx"]  # no temporary file left behind


def test_the_converter_slims_its_private_copy_not_the_source(tmp_path: Path) -> None:
    from dossier.convert.libreoffice.process import Job
    from dossier.convert.libreoffice.uno_mode import stage_job

    path = _styled_document(tmp_path / "d.docx")
    before = path.read_bytes()
    job = Job(path, tmp_path / "d.pdf", _folder(tmp_path / "in") / "d.docx")
    stage_job(job, slim=True)
    assert path.read_bytes() == before
    assert len(_style_ids(job.doc)) < len(_style_ids(path))
    plain = Job(path, tmp_path / "d.pdf", _folder(tmp_path / "in2") / "d.docx")
    stage_job(plain, slim=False)
    assert plain.doc.read_bytes() == before


def _folder(path: Path) -> Path:
    path.mkdir()
    return path


@pytest.mark.libreoffice
@pytest.mark.slow
@needs_uno
def test_slimmed_documents_convert_to_the_same_pixels(tmp_path: Path) -> None:
    from dossier.convert.libreoffice import SofficeConverter

    docs = _builtin_documents(tmp_path)
    docs += [make_firm_document(tmp_path / f"firma-{k}.docx", f"Brief {k}", 9 + 5 * k, landscape_rows=6 + 30 * k)
             for k in range(2)]
    with SofficeConverter(mode="uno") as slim, SofficeConverter(mode="uno", slim=False) as full:
        slimmed = slim.to_pdf(docs, tmp_path / "slim")
        plain = full.to_pdf(docs, tmp_path / "full")
    different = []
    for k, (a, b) in enumerate(zip(slimmed, plain, strict=True)):
        shares = _page_differences(a, b, tmp_path / f"cmp{k}")
        different += [f"{a.name} page {n + 1}: {s:.3%}" for n, s in enumerate(shares) if s > 0]
    assert different == []
    shutil.rmtree(tmp_path / "slim")


@pytest.mark.libreoffice
@needs_uno
def test_a_refused_document_mid_way_stops_there_and_leaves_libreoffice_in_step(tmp_path: Path) -> None:
    """The copies are made one by one while LibreOffice converts (the UNO worker is fed as it
    goes): a refused document raises its own error after the requests already sent are
    answered, and the same LibreOffice converts the next call."""
    from dossier.convert.libreoffice import SofficeConverter
    from dossier.errors import ConversionError

    first, last = _styled_document(tmp_path / "a.docx"), _styled_document(tmp_path / "c.docx")
    twice = _styled_document(tmp_path / "b.docx")
    with zipfile.ZipFile(twice, "a") as zf, pytest.warns(UserWarning, match="Duplicate name"):
        zf.writestr("word/document.xml", b"<niet-wat-gecontroleerd-is/>")
    with SofficeConverter(mode="uno") as conv:
        with pytest.raises(ConversionError, match=r"'b\.docx' is geweigerd"):
            conv.to_pdf([first, twice, last], tmp_path / "out")
        assert (tmp_path / "out" / "a.pdf").read_bytes().startswith(b"%PDF")
        assert not (tmp_path / "out" / "b.pdf").exists() and not (tmp_path / "out" / "c.pdf").exists()
        assert conv.to_pdf([last], tmp_path / "again")[0].read_bytes().startswith(b"%PDF")
        assert conv.starts == 1

"""Conversion touches no network and no file outside its input.

Unit tests of :mod:`dossier.convert.sanitise` on each construct (no LibreOffice), and tests with a
real LibreOffice and a loopback listener: documents that link to ``http://127.0.0.1:<port>/`` and
to a local PNG are converted; the listener must see no connection and the PDFs must hold no image.
"""

from __future__ import annotations

import hashlib
import io
import shutil
import socket
import struct
import threading
import tracemalloc
import zipfile
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from docx import Document
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import parse_xml
from lxml import etree
from pypdf import PdfReader
from pypdf.generic import DictionaryObject, IndirectObject

from dossier.convert.libreoffice import SofficeConverter, process
from dossier.convert.sanitise import external_references, sanitise_document
from dossier.errors import ConversionError, ExitCode

HAVE_SOFFICE = shutil.which("soffice") is not None
ROOT = Path(__file__).resolve().parent.parent

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
W = f'xmlns:w="{W_NS}"'
DRAWING_NS = (
    f'{W} xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" '
    'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
    'xmlns:pic="http://schemas.openxmlformats.org/drawingml/2006/picture" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
)
OFFICE_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
EMPTY_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"></Relationships>'
)


# --------------------------------------------------------------------------------------------
# hostile documents, built here
# --------------------------------------------------------------------------------------------


def png_bytes() -> bytes:
    """A valid 8×8 red PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    raw = b"".join(b"\x00" + b"\xff\x00\x00" * 8 for _ in range(8))
    header = struct.pack(">IIBBBBB", 8, 8, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")


def _docx(path: Path, text: str, add: Callable[..., None] | None = None) -> Path:
    doc = Document()
    doc.add_paragraph(text)
    if add is not None:
        add(doc, doc.add_paragraph())
    path.parent.mkdir(parents=True, exist_ok=True)
    doc.save(str(path))
    return path


def linked_image_docx(path: Path, url: str, text: str) -> Path:
    """A DOCX with a picture that is only linked (``a:blip r:link``, TargetMode="External")."""

    def add(doc: Document, p: object) -> None:
        rid = doc.part.relate_to(url, RT.IMAGE, is_external=True)
        p._p.append(  # type: ignore[attr-defined]
            parse_xml(
                f"""<w:r {DRAWING_NS}><w:drawing><wp:inline><wp:extent cx="914400" cy="914400"/>
<wp:docPr id="7" name="Plaatje"/><a:graphic><a:graphicData uri="http://schemas.openxmlformats.org/drawingml/2006/picture">
<pic:pic><pic:nvPicPr><pic:cNvPr id="7" name="x.png"/><pic:cNvPicPr/></pic:nvPicPr>
<pic:blipFill><a:blip r:link="{rid}"/><a:stretch><a:fillRect/></a:stretch></pic:blipFill>
<pic:spPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="914400" cy="914400"/></a:xfrm>
<a:prstGeom prst="rect"><a:avLst/></a:prstGeom></pic:spPr></pic:pic></a:graphicData></a:graphic>
</wp:inline></w:drawing></w:r>"""
            )
        )

    return _docx(path, text, add)


def field_docx(path: Path, instructions: list[str], text: str, result: str = "resultaat") -> Path:
    """A DOCX with one complex field whose instruction is split over ``instructions`` runs."""

    def add(doc: Document, p: object) -> None:
        runs = [f'<w:r {W}><w:fldChar w:fldCharType="begin"/></w:r>']
        runs += [f'<w:r {W}><w:instrText xml:space="preserve">{i}</w:instrText></w:r>' for i in instructions]
        runs += [
            f'<w:r {W}><w:fldChar w:fldCharType="separate"/></w:r>',
            f"<w:r {W}><w:t>{result}</w:t></w:r>",
            f'<w:r {W}><w:fldChar w:fldCharType="end"/></w:r>',
        ]
        for xml in runs:
            p._p.append(parse_xml(xml))  # type: ignore[attr-defined]

    return _docx(path, text, add)


def simple_field_docx(path: Path, instr: str, text: str) -> Path:
    """A DOCX with a ``w:fldSimple`` field (``instr`` is put in the attribute as it is)."""

    def add(doc: Document, p: object) -> None:
        p._p.append(  # type: ignore[attr-defined]
            parse_xml(f'<w:fldSimple {W} w:instr="{instr}"><w:r><w:t>simpel resultaat</w:t></w:r></w:fldSimple>')
        )

    return _docx(path, text, add)


def add_relationship(path: Path, rels_name: str, reltype: str, target: str, *, external: bool) -> Path:
    """Add one relationship to ``rels_name`` (created when the part has none yet)."""
    mode = ' TargetMode="External"' if external else ""
    rel = f'<Relationship Id="rIdX" Type="{OFFICE_REL}/{reltype}" Target="{target}"{mode}/>'
    with zipfile.ZipFile(path) as zf:
        names = zf.namelist()
        old = zf.read(rels_name).decode() if rels_name in names else EMPTY_RELS
    return (
        rewrite_zip(path, {rels_name: old.replace("</Relationships>", rel + "</Relationships>").encode()})
        if (rels_name in names)
        else rewrite_zip(path, {}, {rels_name: old.replace("</Relationships>", rel + "</Relationships>").encode()})
    )


def rewrite_zip(path: Path, changes: dict[str, bytes | None], extra: dict[str, bytes] | None = None) -> Path:
    """Replace members (None: drop them) and append ``extra`` members."""
    with zipfile.ZipFile(path) as zf:
        items = [(i, zf.read(i)) for i in zf.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info, data in items:
            if info.filename in changes:
                if changes[info.filename] is None:
                    continue
                data = changes[info.filename]  # type: ignore[assignment]
            out.writestr(info, data)
        for name, data in (extra or {}).items():
            out.writestr(name, data)
    return path


def member(path: Path, name: str) -> bytes:
    with zipfile.ZipFile(path) as zf:
        return zf.read(name)


ODT_MANIFEST = """<?xml version="1.0" encoding="UTF-8"?>
<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">
 <manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.text"/>
 <manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>
 {extra}
</manifest:manifest>"""


def odt(path: Path, body: str, *, extra_members: dict[str, bytes] | None = None, manifest_extra: str = "") -> Path:
    """A minimal ODT (mimetype stored first, as the format requires)."""
    content = f"""<?xml version="1.0" encoding="UTF-8"?>
<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"
 xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"
 xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0" xmlns:xlink="http://www.w3.org/1999/xlink"
 xmlns:svg="urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0" office:version="1.2">
<office:body><office:text>{body}</office:text></office:body></office:document-content>"""
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.text")
        zf.writestr("content.xml", content, zipfile.ZIP_DEFLATED)
        for name, data in (extra_members or {}).items():
            zf.writestr(name, data, zipfile.ZIP_DEFLATED)
        zf.writestr("META-INF/manifest.xml", ODT_MANIFEST.format(extra=manifest_extra), zipfile.ZIP_DEFLATED)
    return path


def odt_image(path: Path, url: str, text: str) -> Path:
    frame = (
        '<draw:frame draw:name="f1" svg:width="2cm" svg:height="2cm" text:anchor-type="as-char">'
        f'<draw:image xlink:href="{url}" xlink:type="simple" xlink:show="embed" xlink:actuate="onLoad"/></draw:frame>'
    )
    return odt(path, f"<text:p>{text}</text:p><text:p>{frame}</text:p>")


def rtf_field(path: Path, instruction: str, text: str) -> Path:
    """An RTF file with one field whose instruction is ``instruction`` (raw RTF)."""
    path.write_text(
        "{\\rtf1\\ansi {\\fonttbl{\\f0 Arial;}}\\f0 " + text + "\\par "
        "{\\field{\\*\\fldinst {" + instruction + "}}{\\fldrslt {veldresultaat}}}\\par}",
        encoding="ascii",
    )
    return path


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def clean(tmp_path: Path) -> Callable[[Path], tuple[Path, list[str]]]:
    """Sanitise a document into ``tmp_path/schoon``; check the source is untouched."""

    def run(src: Path) -> tuple[Path, list[str]]:
        before = sha256(src)
        dest = tmp_path / "schoon" / src.name
        dest.parent.mkdir(exist_ok=True)
        findings = sanitise_document(src, dest)
        assert sha256(src) == before
        assert dest.stat().st_mode & 0o077 == 0
        assert findings == external_references(src)
        return dest, findings

    return run


def document_xml(path: Path) -> etree._Element:
    return etree.fromstring(member(path, "word/document.xml"))


def texts(root: etree._Element) -> str:
    return "".join(root.itertext())


# --------------------------------------------------------------------------------------------
# OOXML
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["http://127.0.0.1:9/x.png", "file:///etc/dossier-test.png", "\\\\server\\x.png"])
def test_linked_image_relationship_is_pointed_at_nothing(url: str, tmp_path: Path, clean) -> None:
    src = linked_image_docx(tmp_path / "brief.docx", url, "Tekst van de brief")

    dest, findings = clean(src)

    rels = member(dest, "word/_rels/document.xml.rels").decode()
    assert url.replace("\\", "") not in rels.replace("\\", "")
    assert 'TargetMode="External"' not in rels
    assert "r:link" not in member(dest, "word/document.xml").decode()
    assert len(findings) == 1 and findings[0].startswith("gekoppelde afbeelding naar")
    assert "Tekst van de brief" in texts(document_xml(dest))
    Document(str(dest))  # still a valid package


@pytest.mark.parametrize(
    "pieces",
    [
        [' INCLUDEPICTURE "http://127.0.0.1:9/y.png" \\d '],
        [" INCLUDE", 'PICTURE "file:///etc/passwd" '],  # split over two runs
        [' INCLUDETEXT "/etc/passwd" '],
        [' LINK Excel.Sheet.8 "C:\\\\geheim.xls" "" \\a '],
        [' DDEAUTO c:\\\\windows\\\\system32\\\\cmd.exe "/k calc" '],
        [' IMPORT "http://127.0.0.1:9/z.wmf" '],
        [' "INCLUDETEXT" "x.docx" '],
    ],
    ids=["includepicture", "split", "includetext", "link", "ddeauto", "import", "quoted"],
)
def test_include_fields_are_replaced_by_their_result(pieces: list[str], tmp_path: Path, clean) -> None:
    src = field_docx(tmp_path / "veld.docx", pieces, "Tekst met veld")

    dest, findings = clean(src)

    root = document_xml(dest)
    assert root.findall(f".//{{{W_NS}}}instrText") == []
    assert root.findall(f".//{{{W_NS}}}fldChar") == []
    assert "Tekst met veld" in texts(root) and "resultaat" in texts(root)
    assert len(findings) == 1 and findings[0].startswith("veld ")


def test_simple_include_field_is_unwrapped(tmp_path: Path, clean) -> None:
    src = simple_field_docx(tmp_path / "simpel.docx", " INCLUDETEXT &quot;http://127.0.0.1:9/t&quot; ", "Tekst")

    dest, findings = clean(src)

    root = document_xml(dest)
    assert root.findall(f".//{{{W_NS}}}fldSimple") == []
    assert "simpel resultaat" in texts(root)
    assert findings == ["veld 'INCLUDETEXT \"http://127.0.0.1:9/t\"' (word/document.xml)"]


def test_escaped_field_keyword_is_still_found(tmp_path: Path, clean) -> None:
    # &#73; is "I": the bytes do not show the keyword, the parser (and LibreOffice) do.
    src = field_docx(tmp_path / "verstopt.docx", [' &#73;NCLUDEPICTURE "http://127.0.0.1:9/y.png" '], "Tekst")

    dest, findings = clean(src)

    assert len(findings) == 1
    assert document_xml(dest).findall(f".//{{{W_NS}}}instrText") == []


def test_utf16_part_is_checked_too(tmp_path: Path, clean) -> None:
    src = field_docx(tmp_path / "utf16.docx", [' INCLUDEPICTURE "http://127.0.0.1:9/y.png" '], "Tekst")
    root = document_xml(src)
    rewrite_zip(src, {"word/document.xml": etree.tostring(root, xml_declaration=True, encoding="UTF-16")})

    dest, findings = clean(src)

    assert len(findings) == 1
    assert document_xml(dest).findall(f".//{{{W_NS}}}instrText") == []


def test_ordinary_fields_and_hyperlinks_stay_and_the_copy_is_identical(tmp_path: Path, clean) -> None:
    src = field_docx(tmp_path / "gewoon.docx", [' HYPERLINK "https://www.uwv.nl/link" '], "Tekst", result="UWV")

    def add(doc: Document, p: object) -> None:
        doc.part.relate_to("https://www.uwv.nl/", RT.HYPERLINK, is_external=True)

    plain = _docx(tmp_path / "link.docx", "Met hyperlink", add)
    for doc in (src, plain):
        dest, findings = clean(doc)
        assert findings == []
        assert dest.read_bytes() == doc.read_bytes()


@pytest.mark.parametrize(
    ("reltype", "target", "external", "part", "label"),
    [
        ("aFChunk", "afchunk.mht", False, "document", "ingevoegd document (altChunk)"),
        ("subDocument", "file:///tmp/sub.docx", True, "document", "subdocument"),
        ("attachedTemplate", "file:///C:/Users/x/Normal.dotm", True, "settings", "gekoppelde documentsjabloon"),
        ("oleObject", "file:///tmp/blad.xls", True, "document", "OLE-object"),
        ("oleObject", "embeddings/oleObject1.bin", False, "document", "OLE-object"),
        ("package", "embeddings/blad.xlsx", False, "document", "ingesloten pakket (OLE-object)"),
        ("frame", "http://127.0.0.1:9/frame.html", True, "document", "frame"),
        ("font", "http://127.0.0.1:9/font.odttf", True, "document", "gekoppeld lettertype"),
        ("image", "C:\\Users\\x\\logo.png", False, "document", "gekoppelde afbeelding"),
    ],
    ids=["altchunk", "subdocument", "attachedtemplate", "ole-link", "ole-embedded", "package", "frame", "font", "path"],
)
def test_objects_and_documents_that_would_be_loaded_are_cut_off(
    reltype: str, target: str, external: bool, part: str, label: str, tmp_path: Path, clean
) -> None:
    rels_name = f"word/_rels/{part}.xml.rels"
    src = add_relationship(_docx(tmp_path / "object.docx", "Tekst"), rels_name, reltype, target, external=external)

    dest, findings = clean(src)

    rels = member(dest, rels_name).decode()
    assert target not in rels and 'TargetMode="External"' not in rels
    assert findings == [f"{label} {'naar ' if external else ''}'{target}' ({rels_name})"]


def test_macro_parts_are_removed_and_the_package_stays_valid(tmp_path: Path, clean) -> None:
    src = _docx(tmp_path / "macro.docm", "Tekst met macro's")
    types = member(src, "[Content_Types].xml").decode()
    types = types.replace(
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
        "application/vnd.ms-word.document.macroEnabled.main+xml",
    ).replace(
        "</Types>",
        '<Override PartName="/word/vbaProject.bin" ContentType="application/vnd.ms-office.vbaProject"/>'
        '<Override PartName="/word/vbaData.xml" ContentType="application/vnd.ms-word.vbaData+xml"/></Types>',
    )
    rels = member(src, "word/_rels/document.xml.rels").decode()
    rels = rels.replace(
        "</Relationships>",
        '<Relationship Id="rIdVba" Type="http://schemas.microsoft.com/office/2006/relationships/vbaProject" '
        'Target="vbaProject.bin"/></Relationships>',
    )
    vba_rels = (
        '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
        'relationships"><Relationship Id="rId1" Type="http://schemas.microsoft.com/office/2006/relationships/'
        'wordVbaData" Target="vbaData.xml"/></Relationships>'
    )
    rewrite_zip(
        src,
        {"[Content_Types].xml": types.encode(), "word/_rels/document.xml.rels": rels.encode()},
        {
            "word/vbaProject.bin": b'\xd0\xcf\x11\xe0 Attribute VB_Name = "Module1"',
            "word/_rels/vbaProject.bin.rels": vba_rels.encode(),
            "word/vbaData.xml": b'<?xml version="1.0"?><wne:vbaSuppData xmlns:wne="urn:x"/>',
        },
    )

    dest, findings = clean(src)

    with zipfile.ZipFile(dest) as zf:
        names = set(zf.namelist())
        new_types = zf.read("[Content_Types].xml").decode()
        new_rels = zf.read("word/_rels/document.xml.rels").decode()
    assert not names & {"word/vbaProject.bin", "word/vbaData.xml", "word/_rels/vbaProject.bin.rels"}
    assert "vbaProject" not in new_types and "vbaData" not in new_types and "macroEnabled" not in new_types
    assert "vbaProject" not in new_rels
    assert findings == ["macro's (word/vbaData.xml)", "macro's (word/vbaProject.bin)"]
    assert "Tekst met macro's" in texts(etree.fromstring(member(dest, "word/document.xml")))
    Document(str(dest))


def test_a_zip_with_something_in_front_is_still_checked(tmp_path: Path, clean) -> None:
    src = linked_image_docx(tmp_path / "voorloop.docx", "http://127.0.0.1:9/x.png", "Tekst")
    src.write_bytes(b"MZ" + b"\0" * 100 + src.read_bytes())

    _dest, findings = clean(src)

    assert len(findings) == 1


def test_xml_entities_and_duplicate_members_are_refused(tmp_path: Path) -> None:
    bomb = field_docx(tmp_path / "entiteit.docx", ["ENTITEIT"], "Tekst")
    xml = member(bomb, "word/document.xml").decode()
    decl_end = xml.index("?>") + 2
    xml = xml[:decl_end] + '<!DOCTYPE w:document [<!ENTITY e "INCLUDEPICTURE x">]>' + xml[decl_end:]
    rewrite_zip(bomb, {"word/document.xml": xml.replace("ENTITEIT", "&e;").encode()})
    twice = _docx(tmp_path / "dubbel.docx", "Tekst")
    with zipfile.ZipFile(twice, "a") as zf, pytest.warns(UserWarning, match="Duplicate name"):
        zf.writestr("word/document.xml", b"<niet-wat-gecontroleerd-is/>")

    for src, expected in ((bomb, "definieert XML-entiteiten"), (twice, "komt twee keer voor")):
        with pytest.raises(ConversionError, match=expected) as info:
            sanitise_document(src, tmp_path / f"uit-{src.name}")
        assert src.name in str(info.value)
        assert info.value.exit_code == ExitCode.conversion_failed
        assert not (tmp_path / f"uit-{src.name}").exists()  # no unchecked copy left behind


def test_builtin_templates_have_no_external_references() -> None:
    templates = sorted((ROOT / "templates_nl").glob("*.docx"))
    assert templates
    for template in templates:
        assert external_references(template) == [], template.name


# --------------------------------------------------------------------------------------------
# ODF
# --------------------------------------------------------------------------------------------


def test_odt_external_images_and_sections_are_cut_off_hyperlinks_stay(tmp_path: Path, clean) -> None:
    body = (
        "<text:p>Tekst ODT <text:a xlink:href='https://www.uwv.nl/'>UWV</text:a></text:p>"
        "<text:p><draw:frame><draw:image xlink:href='http://127.0.0.1:9/a.png'/></draw:frame>"
        "<draw:frame><draw:image xlink:href='file:///etc/b.png'/></draw:frame>"
        "<draw:frame><draw:image xlink:href='%2e%2e/c.png'/></draw:frame>"
        "<draw:frame><draw:image xlink:href='Pictures/intern.png'/></draw:frame>"
        "<draw:frame><draw:object xlink:href='./Object 1'/></draw:frame></text:p>"
        "<text:section text:name='s'><text:section-source xlink:href='file:///etc/passwd'/>"
        "<text:p>laatste inhoud</text:p></text:section>"
    )
    src = odt(tmp_path / "bijlage.odt", body)

    dest, findings = clean(src)

    content = member(dest, "content.xml").decode()
    for gone in ("127.0.0.1", "/etc/b.png", "c.png", "section-source", "/etc/passwd"):
        assert gone not in content
    for kept in ("https://www.uwv.nl/", "Pictures/intern.png", "./Object 1", "laatste inhoud", "Tekst ODT"):
        assert kept in content
    assert len(findings) == 4
    with zipfile.ZipFile(dest) as zf:
        first = zf.infolist()[0]
    assert first.filename == "mimetype" and first.compress_type == zipfile.ZIP_STORED


def test_odt_basic_and_scripts_are_removed_with_their_manifest_entries(tmp_path: Path, clean) -> None:
    module = (
        b'<?xml version="1.0"?><script:module xmlns:script="http://openoffice.org/2000/script">Sub x</script:module>'
    )
    src = odt(
        tmp_path / "macro.odt",
        "<text:p>Tekst</text:p>",
        extra_members={"Basic/Standard/Module1.xml": module, "Scripts/python/x.py": b"import os"},
        manifest_extra=(
            '<manifest:file-entry manifest:full-path="Basic/Standard/Module1.xml" manifest:media-type="text/xml"/>'
            '<manifest:file-entry manifest:full-path="Scripts/python/x.py" manifest:media-type=""/>'
        ),
    )

    dest, findings = clean(src)

    with zipfile.ZipFile(dest) as zf:
        names = zf.namelist()
        manifest = zf.read("META-INF/manifest.xml").decode()
    assert not [n for n in names if n.startswith(("Basic/", "Scripts/"))]
    assert "Basic/" not in manifest and "Scripts/" not in manifest and "content.xml" in manifest
    assert findings == ["macro's (Basic/)", "macro's (Scripts/)"]


# --------------------------------------------------------------------------------------------
# RTF
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "instruction",
    [
        ' INCLUDEPICTURE "file:///etc/x.png" \\\\d ',
        ' INCLUDE{}PICTURE "file:///etc/x.png" ',  # split by a group
        ' \\\'49NCLUDEPICTURE "file:///etc/x.png" ',  # \'49 is "I"
        ' \\u73?NCLUDETEXT "/etc/passwd" ',  # \u73 is "I", "?" its stand-in
    ],
    ids=["plain", "group", "hex", "unicode"],
)
def test_rtf_include_fields_are_emptied_result_stays(instruction: str, tmp_path: Path, clean) -> None:
    src = rtf_field(tmp_path / "brief.rtf", instruction, "Tekst RTF")

    dest, findings = clean(src)

    out = dest.read_text(encoding="ascii")
    assert "/etc/" not in out
    assert "veldresultaat" in out and "Tekst RTF" in out
    assert len(findings) == 1


def test_rtf_hyperlink_field_stays(tmp_path: Path, clean) -> None:
    src = rtf_field(tmp_path / "link.rtf", ' HYPERLINK "https://www.uwv.nl/link" ', "Tekst")

    dest, findings = clean(src)

    assert findings == [] and dest.read_bytes() == src.read_bytes()


# --------------------------------------------------------------------------------------------
# zip bombs
# --------------------------------------------------------------------------------------------


def _patch_sizes(data: bytes, size: int) -> bytes:
    """Declare ``size`` as the uncompressed size of the first member (local and central header)."""
    out = bytearray(data)
    struct.pack_into("<I", out, out.index(b"PK\x03\x04") + 22, size)
    struct.pack_into("<I", out, out.index(b"PK\x01\x02") + 24, size)
    return bytes(out)


def _bounded(run: Callable[[], object]) -> int:
    """Peak Python memory (bytes) while ``run`` runs."""
    tracemalloc.start()
    try:
        run()
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return peak


def test_zip_member_with_a_huge_declared_size_is_refused_unread(tmp_path: Path) -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("word/document.xml", b"<w:document/>")
    bomb = tmp_path / "bom.docx"
    bomb.write_bytes(_patch_sizes(buf.getvalue(), 4_000_000_000))

    def run() -> None:
        with pytest.raises(ConversionError, match=r"'bom\.docx' is geweigerd.*word/document\.xml.*zip-bom"):
            sanitise_document(bomb, tmp_path / "uit.docx")

    assert _bounded(run) < 5 * 1024 * 1024


def test_zip_member_compressed_absurdly_far_is_refused_in_bounded_memory(tmp_path: Path) -> None:
    bomb = tmp_path / "bom.odt"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as zf, zf.open("content.xml", "w") as fh:
        block = b"\0" * (1024 * 1024)
        for _ in range(100):  # 100 MB of zeros, about 100 kB compressed
            fh.write(block)
    assert bomb.stat().st_size < 1024 * 1024

    def run() -> None:
        with pytest.raises(ConversionError, match=r"samengeperst.*zip-bom") as info:
            sanitise_document(bomb, tmp_path / "uit.odt")
        assert info.value.exit_code == ExitCode.conversion_failed

    assert _bounded(run) < 10 * 1024 * 1024


def test_zip_member_that_lies_about_its_size_is_never_inflated_further(tmp_path: Path) -> None:
    # Declared 20 bytes, really 50 MB: Python stops at the declared size (CRC error), and
    # LibreOffice gets a stand-in it cannot open either, so the document fails as damaged.
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf, zf.open("word/document.xml", "w") as fh:
        for _ in range(50):
            fh.write(b"<" * (1024 * 1024))
    bomb = tmp_path / "leugen.docx"
    bomb.write_bytes(_patch_sizes(buf.getvalue(), 20))
    dest = tmp_path / "uit.docx"

    peak = _bounded(lambda: sanitise_document(bomb, dest))

    assert peak < 10 * 1024 * 1024
    assert dest.read_bytes().startswith(b"PK\x03\x04") and not zipfile.is_zipfile(dest)


# --------------------------------------------------------------------------------------------
# real LibreOffice, loopback listener
# --------------------------------------------------------------------------------------------


class Listener:
    """A TCP listener on 127.0.0.1 (random free port) that counts accepted connections.

    It answers every request with a PNG, so that an image LibreOffice fetched would show up in
    the PDF too.
    """

    def __init__(self) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.sock.settimeout(0.1)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self.requests: list[bytes] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.port}/{name}"

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.connections += 1
            with conn:
                conn.settimeout(2)
                try:
                    self.requests.append(conn.recv(1024).split(b"\r\n", 1)[0])
                    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: image/png\r\n\r\n" + png_bytes())
                except OSError:
                    pass

    def close(self) -> None:
        self._stop.set()
        self._thread.join(5)
        self.sock.close()


@pytest.fixture
def listener() -> Iterator[Listener]:
    lis = Listener()
    yield lis
    lis.close()


def hostile_documents(folder: Path, lis: Listener, *, rtf: bool = True) -> dict[Path, str]:
    """Documents that link to the listener and to a local PNG, with the text each must keep."""
    folder.mkdir(parents=True)
    local = folder / "lokaal.png"
    local.write_bytes(png_bytes())
    docs = {
        linked_image_docx(folder / "a_koppeling.docx", lis.url("a.png"), "Tekst A"): "Tekst A",
        field_docx(
            folder / "b_includepicture.docx", [f' INCLUDEPICTURE "{lis.url("b.png")}" \\d '], "Tekst B"
        ): "Tekst B",
        linked_image_docx(folder / "c_bestand.docx", local.as_uri(), "Tekst C"): "Tekst C",
        odt_image(folder / "e_odt.odt", lis.url("e.png"), "Tekst E"): "Tekst E",
        odt_image(folder / "f_odt_bestand.odt", local.as_uri(), "Tekst F"): "Tekst F",
    }
    if rtf:
        # LibreOffice 7.4 embeds this local file even with the locked-down profile.
        instruction = f' INCLUDEPICTURE "{local.as_uri()}" \\\\d '
        docs[rtf_field(folder / "d_rtf.rtf", instruction, "Tekst D")] = "Tekst D"
    return docs


def image_count(pdf: Path) -> int:
    """Image XObjects used by the PDF's pages (also inside form XObjects)."""
    count = 0
    seen: set[int] = set()

    def walk(resources: object) -> None:
        nonlocal count
        if isinstance(resources, IndirectObject):
            resources = resources.get_object()
        if not isinstance(resources, DictionaryObject):
            return
        xobjects = resources.get("/XObject")
        xobjects = xobjects.get_object() if xobjects is not None else {}
        for ref in xobjects.values():
            obj = ref.get_object()
            key = id(obj) if not isinstance(ref, IndirectObject) else ref.idnum
            if key in seen:
                continue
            seen.add(key)
            if obj.get("/Subtype") == "/Image":
                count += 1
            elif obj.get("/Subtype") == "/Form":
                walk(obj.get("/Resources"))

    for page in PdfReader(pdf).pages:
        walk(page.get("/Resources"))
    return count


def convert_and_check(conv: SofficeConverter, docs: dict[Path, str], out: Path, lis: Listener) -> None:
    before = {src: sha256(src) for src in docs}
    pdfs = conv.to_pdf(list(docs), out)
    assert lis.connections == 0, lis.requests
    for (src, text), pdf in zip(docs.items(), pdfs, strict=True):
        assert image_count(pdf) == 0, src.name
        assert text in PdfReader(pdf).pages[0].extract_text(), src.name
        assert sha256(src) == before[src]


@pytest.mark.libreoffice
@pytest.mark.skipif(not HAVE_SOFFICE, reason="LibreOffice (soffice) ontbreekt")
def test_conversion_fetches_nothing_and_embeds_no_local_file(listener: Listener, tmp_path: Path) -> None:
    docs = hostile_documents(tmp_path / "src", listener)
    with SofficeConverter(work_dir=tmp_path / "work") as conv:
        convert_and_check(conv, docs, tmp_path / "out", listener)


def _plain_copy(src: Path, dest: Path) -> list[str]:
    shutil.copyfile(src, dest)
    return []


@pytest.mark.libreoffice
@pytest.mark.skipif(not HAVE_SOFFICE, reason="LibreOffice (soffice) ontbreekt")
@pytest.mark.parametrize("layer", ["profiel", "opschonen", "geen"])
def test_each_defence_holds_on_its_own(
    layer: str, listener: Listener, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # "profiel": only the locked-down profile; "opschonen": only the sanitiser; "geen": neither,
    # to show that the listener does see what LibreOffice fetches.
    if layer != "profiel":
        monkeypatch.setattr(process, "PROFILE_SETTINGS", {})
    if layer != "opschonen":
        monkeypatch.setattr("dossier.convert.libreoffice.uno_mode.sanitise_document", _plain_copy)
    docs = hostile_documents(tmp_path / "src", listener, rtf=layer == "opschonen")
    with SofficeConverter(mode="cli", work_dir=tmp_path / "work") as conv:
        if layer == "geen":
            pdfs = conv.to_pdf(list(docs), tmp_path / "out")
            assert listener.connections > 0
            assert sum(image_count(pdf) for pdf in pdfs) > 0
        else:
            convert_and_check(conv, docs, tmp_path / "out", listener)


def test_profile_is_locked_down_before_libreoffice_starts(tmp_path: Path) -> None:
    process.lock_down_profile(tmp_path / "profiel")

    xcu = etree.parse(str(tmp_path / "profiel" / "user" / "registrymodifications.xcu")).getroot()
    oor = "{http://openoffice.org/2001/registry}"
    settings = {
        (item.get(f"{oor}path"), prop.get(f"{oor}name")): prop.findtext("value") for item in xcu for prop in item
    }
    assert settings[("/org.openoffice.Office.Common/Security/Scripting", "BlockUntrustedRefererLinks")] == "true"
    assert settings[("/org.openoffice.Office.Common/Security/Scripting", "DisableMacrosExecution")] == "true"
    assert settings[("/org.openoffice.Office.Common/Security/Scripting", "MacroSecurityLevel")] == "3"
    assert settings[("/org.openoffice.Office.Writer/Content/Update", "Link")] == "2"  # never

"""PDF/A-2b: the identification of the assembled files, and the checks that decide whether a part
may be in a file that carries it.

Three pieces:

* :func:`problems` (pikepdf) names what keeps a PDF from PDF/A-2b and cannot be repaired here:
  fonts that are not embedded, DeviceCMYK colour (the OutputIntent is sRGB), PostScript
  XObjects, transfer functions, annotations without an appearance. Encryption, JavaScript and
  embedded files are not in the list: the intake decrypts and sanitises every attachment.
* :func:`normalise` (pikepdf) repairs what can be repaired without changing the look: image
  ``/Interpolate`` is dropped; it says whether LZW streams must be re-compressed with Flate.
* :func:`mark` (pypdf, on the writer that assembles the dossier or a part of the upload set)
  writes the XMP identification (``pdfaid:part=2``, ``conformance=B``, Dublin Core and XMP basic
  fields equal to the document information), an sRGB OutputIntent (the ICC profile that fpdf2
  ships) and the annotation flags PDF/A wants (Print on; hidden annotations dropped).

The assembler marks a file only when every part passed :func:`part_problems`; a file that does not
conform is never labelled as if it did. There is no full PDF/A-2 validator on this platform (see
SECURITY.md): the tests run PDFBox Preflight (a PDF/A-1b checker) and check the identification,
OutputIntent and fonts directly.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Sequence
from datetime import datetime
from importlib import resources
from pathlib import Path
from xml.sax.saxutils import escape

import pikepdf
from pikepdf import Array, Dictionary, Name, Pdf
from pypdf import PdfWriter
from pypdf.generic import (
    ArrayObject,
    DecodedStreamObject,
    DictionaryObject,
    NameObject,
    NumberObject,
    TextStringObject,
)

from dossier.errors import AssemblyError
from dossier.privacy import scrub

log = logging.getLogger(__name__)

#: The identification written into the XMP metadata.
PART = 2
CONFORMANCE = "B"

#: The OutputIntent's condition (the ICC registry's name for sRGB).
OUTPUT_CONDITION = "sRGB IEC61966-2.1"

#: Annotation flags (PDF 32000-1 §12.5.3).
_INVISIBLE, _HIDDEN, _PRINT, _NOVIEW, _TOGGLE_NOVIEW = 1, 2, 4, 32, 256

#: Annotation subtypes PDF/A does not require an appearance stream for (Widgets are flattened).
_NO_APPEARANCE_NEEDED = frozenset({"/Link", "/Popup", "/Widget"})

_FONT_FILES = ("/FontFile", "/FontFile2", "/FontFile3")
_MAX_DEPTH = 12


# --- checking -------------------------------------------------------------------------------


def problems(pdf: Pdf) -> list[str]:
    """Dutch descriptions of what keeps ``pdf`` from PDF/A-2b (empty: nothing found)."""
    walker = _Walker()
    for page in pdf.pages:
        walker.page(page)
    return list(dict.fromkeys(walker.found))


@functools.lru_cache(maxsize=256)
def _cached_problems(path: str, _mtime_ns: int, _size: int) -> tuple[str, ...]:
    with pikepdf.open(path) as pdf:
        return tuple(problems(pdf))


def part_problems(path: Path) -> tuple[str, ...]:
    """:func:`problems` of a file, cached by path, modification time and size (the dossier and
    the upload set ask for the same parts)."""
    st = Path(path).stat()
    try:
        return _cached_problems(str(Path(path).resolve()), st.st_mtime_ns, st.st_size)
    except pikepdf.PdfError:
        return ("het bestand kan niet worden gecontroleerd",)


def normalise(pdf: Pdf) -> bool:
    """Repair in place what PDF/A forbids and can be fixed without changing the look.

    Returns True when the file has LZW streams, which the caller re-compresses on save
    (``stream_decode_level=generalized``).
    """
    lzw = False
    for obj in pdf.objects:
        if not isinstance(obj, pikepdf.Stream):
            continue
        if str(obj.get("/Subtype", "")) == "/Image" and bool(obj.get("/Interpolate", False)):
            del obj["/Interpolate"]
        filters = obj.get("/Filter")
        names = list(filters) if isinstance(filters, Array) else [filters]
        lzw = lzw or any(str(f) in ("/LZWDecode", "/LZW") for f in names if f is not None)
    return lzw


class _Walker:
    """Visits the resources each page uses (forms and appearances included), once each."""

    def __init__(self) -> None:
        self.found: list[str] = []
        self._seen: set[tuple[int, int]] = set()

    def _first_visit(self, obj: pikepdf.Object) -> bool:
        if not obj.is_indirect:
            return True
        if obj.objgen in self._seen:
            return False
        self._seen.add(obj.objgen)
        return True

    def page(self, page: pikepdf.Page) -> None:
        self.content(page)
        self.resources(page.obj.get("/Resources"), 0)
        for annot in page.obj.get("/Annots", None) or []:
            if not isinstance(annot, Dictionary):
                continue
            subtype = str(annot.get("/Subtype", ""))
            ap = annot.get("/AP")
            normal = ap.get("/N") if isinstance(ap, Dictionary) else None
            if normal is None and subtype not in _NO_APPEARANCE_NEEDED:
                self.found.append(f"annotatie zonder weergave ({subtype.lstrip('/') or 'onbekend'})")
            for stream in _appearance_streams(normal):
                self.form(stream, 0)

    def content(self, stream: pikepdf.Object | pikepdf.Page) -> None:
        try:
            instructions = pikepdf.parse_content_stream(stream, "k K cs CS")
        except (pikepdf.PdfError, TypeError, ValueError):
            return
        for instruction in instructions:
            op, operands = str(instruction.operator), list(instruction.operands)
            if op in ("k", "K") or (operands and str(operands[-1]) == "/DeviceCMYK"):
                self.found.append("CMYK-kleuren (DeviceCMYK) zonder CMYK-kleurprofiel")
                return

    def resources(self, res: pikepdf.Object | None, depth: int) -> None:
        if not isinstance(res, Dictionary) or depth > _MAX_DEPTH:
            return
        for font in _values(res.get("/Font")):
            if self._first_visit(font):
                self.font(font, depth)
        for cs in _values(res.get("/ColorSpace")):
            if _is_cmyk(cs):
                self.found.append("CMYK-kleuren (DeviceCMYK) zonder CMYK-kleurprofiel")
        for gs in _values(res.get("/ExtGState")):
            if isinstance(gs, Dictionary) and any(
                key in gs and str(gs[key]) != "/Default" for key in ("/TR", "/TR2")
            ):
                self.found.append("overdrachtsfunctie (/TR) in de grafische toestand")
        for xobj in _values(res.get("/XObject")):
            if isinstance(xobj, pikepdf.Stream) and self._first_visit(xobj):
                self.xobject(xobj, depth)

    def xobject(self, xobj: pikepdf.Stream, depth: int) -> None:
        subtype = str(xobj.get("/Subtype", ""))
        if subtype == "/PS" or str(xobj.get("/Subtype2", "")) == "/PS":
            self.found.append("PostScript-fragment (PostScript-XObject)")
        if "/OPI" in xobj or "/Alternates" in xobj:
            self.found.append("afbeelding met /OPI of /Alternates")
        if subtype == "/Image":
            if _is_cmyk(xobj.get("/ColorSpace")):
                self.found.append("CMYK-kleuren (DeviceCMYK) zonder CMYK-kleurprofiel")
        elif subtype == "/Form":
            self.form(xobj, depth + 1)

    def form(self, stream: pikepdf.Stream, depth: int) -> None:
        if depth > _MAX_DEPTH:
            return
        self.content(stream)
        self.resources(stream.get("/Resources"), depth + 1)

    def font(self, font: pikepdf.Object, depth: int) -> None:
        if not isinstance(font, Dictionary):
            return
        subtype = str(font.get("/Subtype", ""))
        if subtype == "/Type3":
            self.resources(font.get("/Resources"), depth + 1)
            return
        described = font
        if subtype == "/Type0":
            kids = font.get("/DescendantFonts")
            described = kids[0] if isinstance(kids, Array) and len(kids) else font
        descriptor = described.get("/FontDescriptor") if isinstance(described, Dictionary) else None
        if isinstance(descriptor, Dictionary) and any(key in descriptor for key in _FONT_FILES):
            return
        name = str(font.get("/BaseFont", "/onbekend")).lstrip("/")
        name = name.split("+", 1)[1] if len(name) > 7 and name[6] == "+" else name
        self.found.append(f"lettertype '{name}' is niet ingesloten")


def _values(obj: pikepdf.Object | None) -> list[pikepdf.Object]:
    if not isinstance(obj, Dictionary):
        return []
    return [obj[key] for key in list(obj.keys())]


def _appearance_streams(normal: pikepdf.Object | None) -> list[pikepdf.Stream]:
    if isinstance(normal, pikepdf.Stream):
        return [normal]
    if isinstance(normal, Dictionary):  # on/off states of a check box
        return [v for v in _values(normal) if isinstance(v, pikepdf.Stream)]
    return []


def _is_cmyk(cs: pikepdf.Object | None) -> bool:
    if isinstance(cs, Name):
        return str(cs) in ("/DeviceCMYK", "/CMYK")
    if isinstance(cs, Array) and len(cs) >= 2 and str(cs[0]) == "/Indexed":
        return _is_cmyk(cs[1])
    return False


# --- marking --------------------------------------------------------------------------------


@functools.cache
def srgb_profile() -> bytes:
    """The sRGB ICC profile shipped with fpdf2 (``fpdf/data/color_profiles/sRGB2014.icc``)."""
    try:
        return resources.files("fpdf").joinpath("data/color_profiles/sRGB2014.icc").read_bytes()
    except (FileNotFoundError, OSError) as exc:  # pragma: no cover - fpdf2 ships it since 2.7
        raise AssemblyError(
            "Het sRGB-kleurprofiel voor PDF/A ontbreekt (fpdf/data/color_profiles/sRGB2014.icc); "
            "installeer fpdf2 opnieuw (pip install --force-reinstall fpdf2)."
        ) from exc


def xmp_packet(*, title: str, author: str, subject: str, creator: str, producer: str,
               created: datetime) -> bytes:
    """The XMP metadata of a PDF/A-2b file, with the same values as the document information."""
    when = created.isoformat(timespec="seconds")

    def alt(text: str) -> str:
        return f'<rdf:Alt><rdf:li xml:lang="x-default">{escape(text)}</rdf:li></rdf:Alt>'

    dc = ["<dc:format>application/pdf</dc:format>"]
    if title:
        dc.append(f"<dc:title>{alt(title)}</dc:title>")
    if author:
        dc.append(f"<dc:creator><rdf:Seq><rdf:li>{escape(author)}</rdf:li></rdf:Seq></dc:creator>")
    if subject:
        dc.append(f"<dc:description>{alt(subject)}</dc:description>")
    body = "\n".join([
        '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>',
        '<x:xmpmeta xmlns:x="adobe:ns:meta/">',
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">',
        '<rdf:Description rdf:about="" xmlns:pdfaid="http://www.aiim.org/pdfa/ns/id/">',
        f"<pdfaid:part>{PART}</pdfaid:part><pdfaid:conformance>{CONFORMANCE}</pdfaid:conformance>",
        "</rdf:Description>",
        '<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/">',
        *dc,
        "</rdf:Description>",
        '<rdf:Description rdf:about="" xmlns:xmp="http://ns.adobe.com/xap/1.0/">',
        f"<xmp:CreatorTool>{escape(creator)}</xmp:CreatorTool>",
        f"<xmp:CreateDate>{when}</xmp:CreateDate><xmp:ModifyDate>{when}</xmp:ModifyDate>",
        f"<xmp:MetadataDate>{when}</xmp:MetadataDate>",
        "</rdf:Description>",
        '<rdf:Description rdf:about="" xmlns:pdf="http://ns.adobe.com/pdf/1.3/">',
        f"<pdf:Producer>{escape(producer)}</pdf:Producer>",
        "</rdf:Description>",
        "</rdf:RDF>",
        "</x:xmpmeta>",
        '<?xpacket end="w"?>',
    ])
    return body.encode("utf-8")


def mark(writer: PdfWriter, created: datetime) -> None:
    """Identify ``writer`` as PDF/A-2b: XMP from its document information, sRGB OutputIntent,
    annotation flags, a 1.7 header. Call after the document information is set."""
    info = writer.metadata or {}

    def field(key: str) -> str:
        value = info.get(key)
        return str(value) if value is not None else ""

    xmp = DecodedStreamObject()  # PDF/A: the metadata stream is not filtered
    xmp.set_data(xmp_packet(title=field("/Title"), author=field("/Author"), subject=field("/Subject"),
                            creator=field("/Creator"), producer=field("/Producer"), created=created))
    xmp.update({NameObject("/Type"): NameObject("/Metadata"), NameObject("/Subtype"): NameObject("/XML")})
    root = writer._root_object
    root[NameObject("/Metadata")] = writer._add_object(xmp)
    root[NameObject("/OutputIntents")] = ArrayObject([writer._add_object(_output_intent(writer))])
    for page in writer.pages:
        _fix_annotation_flags(page)
    writer.pdf_header = "%PDF-1.7"


def mark_if_conformant(writer: PdfWriter, created: datetime, parts: Sequence[tuple[str, Path]], *,
                       what: str, level: int = logging.WARNING) -> bool:
    """:func:`mark` ``writer`` when no part has :func:`part_problems`; otherwise log (in Dutch) which
    parts keep ``what`` (e.g. "Het dossier") from being PDF/A and leave it unmarked.

    Returns whether the file was marked.
    """
    bad = [(title, found) for title, path in parts if (found := part_problems(Path(path)))]
    if bad:
        detail = "; ".join(f"{title}: {', '.join(found)}" for title, found in bad)
        log.log(level, "%s krijgt geen PDF/A-2b-kenmerk, want niet conform zijn: %s", what, scrub(detail))
        return False
    mark(writer, created)
    return True


def _output_intent(writer: PdfWriter) -> DictionaryObject:
    profile = DecodedStreamObject()
    profile.set_data(srgb_profile())
    icc = profile.flate_encode()
    icc[NameObject("/N")] = NumberObject(3)
    return DictionaryObject({
        NameObject("/Type"): NameObject("/OutputIntent"),
        NameObject("/S"): NameObject("/GTS_PDFA1"),
        NameObject("/OutputConditionIdentifier"): TextStringObject(OUTPUT_CONDITION),
        NameObject("/Info"): TextStringObject(OUTPUT_CONDITION),
        NameObject("/RegistryName"): TextStringObject("http://www.color.org"),
        NameObject("/DestOutputProfile"): writer._add_object(icc),
    })


def _fix_annotation_flags(page: DictionaryObject) -> None:
    """Print on, hidden/no-view off (PDF/A-2 §6.3.2); annotations that were hidden are dropped
    instead of shown, so the pages look as before."""
    annots = page.get("/Annots")
    if annots is None:
        return
    keep = ArrayObject()
    for ref in annots.get_object():
        annot = ref.get_object()
        flags = int(annot.get("/F", 0))
        hidden = flags & (_INVISIBLE | _HIDDEN | _NOVIEW)
        if hidden and annot.get("/Subtype") != "/Popup":
            continue
        annot[NameObject("/F")] = NumberObject((flags | _PRINT) & ~(_INVISIBLE | _HIDDEN | _NOVIEW | _TOGGLE_NOVIEW))
        keep.append(ref)
    if keep:
        page[NameObject("/Annots")] = keep
    else:
        del page["/Annots"]

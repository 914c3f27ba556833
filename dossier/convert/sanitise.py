"""Office documents made safe for LibreOffice: no external links, no include fields, no macros.

LibreOffice follows what a document links to while it converts it: a linked image (``r:link`` to
a relationship with ``TargetMode="External"``) to ``http://…`` makes it send requests, a
``file://`` link embeds a local file into the PDF, an INCLUDEPICTURE field in an RTF file does the
same. Before LibreOffice sees a document, :func:`sanitise_document` writes a copy without them:

- OOXML (DOCX and the other zip formats with ``[Content_Types].xml``): every relationship that
  points outside the package (except hyperlinks: LibreOffice never fetches those) and every
  altChunk, subDocument, attachedTemplate, frame, OLE object and embedded package relationship is
  removed, with the attributes that refer to it (``r:link``, ``r:id``, …). Fields that include
  files or URLs (INCLUDETEXT, INCLUDEPICTURE, INCLUDE, IMPORT, LINK, DDE, DDEAUTO), as
  ``w:instrText`` complex fields and as ``w:fldSimple``, are replaced by their last result.
  Macro parts (``vbaProject.bin``, ``vbaData.xml``) are removed with their relationships and
  content-type entries.
- ODF (ODT, …): ``xlink:href`` attributes that point outside the package (images, objects,
  backgrounds, …; not hyperlinks) are removed, and linked sections lose their source. The
  ``Basic/``, ``Scripts/`` and ``Dialogs/`` folders are removed with their manifest entries.
- RTF: field instructions that include files or URLs are emptied (the field result stays).
- Zip members are size-checked before anything is inflated: a member over
  :data:`MAX_MEMBER_BYTES`, or compressed more than :data:`MAX_RATIO` times, is refused, so a zip
  bomb cannot exhaust memory here.

Other files (e.g. binary ``.doc``) are copied unchanged; for those the locked-down LibreOffice
profile (:data:`dossier.convert.libreoffice.process.PROFILE_SETTINGS`) is the defence.

Every document passes here on its way to LibreOffice, so the common case is kept cheap: parts
that cannot hold fields or links (styles, theme, fonts, …) are never inflated, and the others are
only parsed when their bytes contain something that may need removing.
"""

from __future__ import annotations

import io
import os
import posixpath
import re
import shutil
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote

from lxml import etree

from dossier.errors import ConversionError

#: A zip member may not inflate to more than this.
MAX_MEMBER_BYTES = 200 * 1024 * 1024
#: All members together may not inflate to more than this.
MAX_TOTAL_BYTES = 1024 * 1024 * 1024
#: An XML part is read into memory to be checked: it may not be larger than this.
MAX_XML_BYTES = 32 * 1024 * 1024
#: A member larger than :data:`RATIO_FROM_BYTES` may not be compressed more than this many times.
#: Ordinary Word XML compresses 5-40×; deflate cannot do better than about 1,000×.
MAX_RATIO = 200
RATIO_FROM_BYTES = 1024 * 1024
#: Documents up to this size are checked in memory (one read); larger ones from the copy on disk.
IN_MEMORY_BYTES = 32 * 1024 * 1024
#: More members than this is not an office document.
MAX_MEMBERS = 20_000

#: What LibreOffice gets instead of a zip that cannot be read here: it cannot read it either, and
#: reports the document as damaged, as it did before this check existed.
_UNREADABLE_STAND_IN = b"PK\x03\x04 onleesbaar zip-bestand\n"

#: Field types that include a file or URL (INCLUDE and IMPORT are the old names of INCLUDETEXT
#: and INCLUDEPICTURE).
DANGEROUS_FIELDS = frozenset({"INCLUDETEXT", "INCLUDEPICTURE", "INCLUDE", "IMPORT", "LINK", "DDE", "DDEAUTO"})

_W_NAMESPACES = (
    "http://schemas.openxmlformats.org/wordprocessingml/2006/main",
    "http://purl.oclc.org/ooxml/wordprocessingml/main",
)
_REL_NAMESPACES = frozenset(
    {
        "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
        "http://purl.oclc.org/ooxml/officeDocument/relationships",
    }
)
_XLINK = "http://www.w3.org/1999/xlink"
_ODF_TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
_ODF_DRAW = "urn:oasis:names:tc:opendocument:xmlns:drawing:1.0"
_MANIFEST = "urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"

#: Relationship types (last part of the type URI) whose target a document never needs at
#: conversion: LibreOffice would load it as a (sub)document or object.
_DANGEROUS_RELATIONSHIPS = frozenset({"aFChunk", "subDocument", "attachedTemplate", "frame", "oleObject", "package"})
#: Relationship types of macro parts: the relationship and the part are removed.
_MACRO_RELATIONSHIPS = frozenset(
    {"vbaProject", "wordVbaData", "vbaProjectSignature", "vbaProjectSignatureAgile", "vbaProjectSignatureV3"}
)
_MACRO_CONTENT_TYPES = frozenset(
    {
        "application/vnd.ms-office.vbaproject",
        "application/vnd.ms-word.vbadata+xml",
        "application/vnd.ms-office.vbaprojectsignature",
        "application/vnd.ms-office.vbaprojectsignatureagile",
        "application/vnd.ms-office.vbaprojectsignaturev3",
    }
)
_MACRO_NAMES = re.compile(r"(^|/)(vbaproject\.bin|vbadata\.xml|vbaprojectsignature\w*\.bin)$", re.IGNORECASE)
#: ODF folders with Basic code, scripts and Basic dialogs.
_MACRO_FOLDERS = ("Basic/", "Scripts/", "Dialogs/")
_MACRO_MAIN = "application/vnd.ms-word.document.macroenabled.main+xml"
_PLAIN_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
#: Parts reached only through these relationship types hold no fields or links of their own
#: (their relationships are checked like all others), so they are not inflated.
_INERT_ROLES = frozenset(
    {
        "styles",
        "stylesWithEffects",
        "theme",
        "fontTable",
        "numbering",
        "settings",
        "webSettings",
        "customXml",
        "customXmlProps",
        "core-properties",
        "metadata/core-properties",
        "extended-properties",
        "custom-properties",
        "people",
        "commentsIds",
        "commentsExtensible",
    }
)

_REL_LABELS = {
    "image": "gekoppelde afbeelding",
    "oleObject": "OLE-object",
    "package": "ingesloten pakket (OLE-object)",
    "attachedTemplate": "gekoppelde documentsjabloon",
    "subDocument": "subdocument",
    "aFChunk": "ingevoegd document (altChunk)",
    "frame": "frame",
    "font": "gekoppeld lettertype",
}
_HREF_LABELS = {
    "image": "gekoppelde afbeelding",
    "object": "gekoppeld object",
    "object-ole": "gekoppeld OLE-object",
    "section-source": "gekoppelde sectie",
    "table-source": "gekoppelde tabel",
    "background-image": "gekoppelde achtergrond",
    "fill-image": "gekoppelde opvulling",
    "list-level-style-image": "gekoppeld opsommingsteken",
    "plugin": "plug-in",
    "applet": "applet",
    "floating-frame": "zwevend frame",
}

# Byte-level pre-checks (see _XmlPart): exact for what they rule out, cheap for the common case.
_LOOSE_KEYWORD = re.compile(
    r"(?<![A-Za-z])(INCLUDETEXT|INCLUDEPICTURE|INCLUDE|IMPORT|LINK|DDEAUTO|DDE)(?![A-Za-z])", re.IGNORECASE
)
_INSTR_TEXT = re.compile(rb"<(?:[\w.-]+:)?(?:instrText|delInstrText)\b[^>]*>([^<]*)")
_INSTR_ATTR = re.compile(rb"""instr\s*=\s*("[^"]*"|'[^']*')""")
_FLDCHAR_TYPE = re.compile(rb"""fldCharType\s*=\s*["'](\w+)""")
_HREF_ATTR = re.compile(rb"""href\s*=\s*("[^"]*"|'[^']*')""")
_SAFE_HREF = re.compile(rb"#.*|(\./)?[A-Za-z0-9_ ./-]*", re.DOTALL)
_XML_DECL = re.compile(rb"<\?xml[^>]*?>")
_DECL_ENCODING = re.compile(rb"""encoding\s*=\s*["']([A-Za-z0-9._-]+)""")
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
_INTERNAL_SCHEMES = ("vnd.sun.star.package:", "vnd.sun.star.graphicobject:", "vnd.sun.star.script:")

_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


class _Unreadable(Exception):
    """The zip cannot be read here (damaged, encrypted, unsupported compression)."""


@dataclass
class _Plan:
    """What to change in one package: findings (Dutch), parts to replace and to remove, and the
    relationship ids removed per part (references to them are removed from that part)."""

    findings: list[str] = field(default_factory=list)
    replace: dict[str, bytes] = field(default_factory=dict)
    remove: set[str] = field(default_factory=set)
    cut: dict[str, set[str]] = field(default_factory=dict)

    @property
    def changes(self) -> bool:
        return bool(self.replace or self.remove)


# --------------------------------------------------------------------------------------------
# Public functions
# --------------------------------------------------------------------------------------------


def sanitise_document(src: Path, dest: Path) -> list[str]:
    """Write a copy of ``src`` to ``dest`` without external links, include fields and macros.

    ``src`` is never modified. A document without any of these is copied byte for byte.

    Args:
        src: the document (DOCX, ODT, RTF, DOC, …).
        dest: where the copy goes (readable by the owner only); its folder must exist.

    Returns:
        Dutch descriptions of what was removed, e.g. ``gekoppelde afbeelding naar
        'http://…/x.png' (word/_rels/document.xml.rels)``; empty when nothing was.

    Raises:
        ConversionError: the document is refused: a zip member too large or compressed too far
            (zip bomb), duplicate member names, XML entity declarations, or XML that cannot be
            parsed.
    """
    src, dest = Path(src), Path(dest)
    # From here on only the private copy is read: what is checked is what LibreOffice gets.
    copy = _private_copy(src, dest)
    try:
        return _sanitise_copy(copy, src.name, dest)
    except BaseException:
        dest.unlink(missing_ok=True)  # a refused document leaves no copy behind
        raise


def _sanitise_copy(copy: io.BytesIO | Path, name: str, dest: Path) -> list[str]:
    kind = _kind(copy, name)
    if kind == "rtf":
        fixed, findings = _fix_rtf(copy.getvalue() if isinstance(copy, io.BytesIO) else dest.read_bytes())
        if fixed is not None:
            dest.write_bytes(fixed)
        return findings
    if kind != "zip":
        return []
    try:
        with _open_zip(copy) as zf:
            plan = _inspect_zip(zf, name)
            if plan.changes:
                tmp = dest.with_name(f".{dest.name}.tmp")
                _rewrite(zf, plan, tmp)
                os.replace(tmp, dest)
    except _Unreadable:
        dest.write_bytes(_UNREADABLE_STAND_IN)
        return []
    return plan.findings


def external_references(path: Path) -> list[str]:
    """Dutch descriptions of every external link, include field and macro part in a document.

    What :func:`sanitise_document` would remove, without writing anything (for checking
    templates: each finding is an error there).

    Raises:
        ConversionError: the document cannot be checked safely (see :func:`sanitise_document`),
            or it is a zip that cannot be read.
    """
    path = Path(path)
    kind = _kind(path, path.name)
    if kind == "rtf":
        return _fix_rtf(path.read_bytes())[1]
    if kind != "zip":
        return []
    try:
        with _open_zip(path) as zf:
            return _inspect_zip(zf, path.name).findings
    except _Unreadable as exc:
        raise ConversionError(
            f"'{path.name}' kan niet worden gecontroleerd: geen leesbaar zip-bestand ({exc})."
        ) from None


# --------------------------------------------------------------------------------------------
# Packages
# --------------------------------------------------------------------------------------------


def _private_copy(src: Path, dest: Path) -> io.BytesIO | Path:
    """Copy ``src`` to ``dest`` (owner-only); return the copy's bytes when small, else its path."""
    fd = os.open(dest, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with open(fd, "wb") as out:
        os.fchmod(out.fileno(), 0o600)
        if src.stat().st_size <= IN_MEMORY_BYTES:
            data = src.read_bytes()
            out.write(data)
            return io.BytesIO(data)
        with src.open("rb") as fh:
            shutil.copyfileobj(fh, out, 1024 * 1024)
    return dest


def _kind(doc: io.BytesIO | Path, name: str) -> str:
    """ "zip", "rtf" or "other", by content (LibreOffice also goes by content, not by name)."""
    if isinstance(doc, io.BytesIO):
        head = doc.getvalue()[:1024]
    else:
        with doc.open("rb") as fh:
            head = fh.read(1024)
    rtf = head.removeprefix(b"\xef\xbb\xbf").lstrip().startswith(b"{\\rtf")
    # A zip may carry anything in front of it (readers find it from the end), so ask zipfile.
    if head[:2] == b"PK" or zipfile.is_zipfile(doc):
        if rtf:
            raise ConversionError(f"'{name}' is geweigerd: het is tegelijk een RTF- en een zip-bestand.")
        return "zip"
    return "rtf" if rtf else "other"


def _open_zip(doc: io.BytesIO | Path) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(doc)
    except (zipfile.BadZipFile, zlib.error, NotImplementedError, EOFError, ValueError) as exc:
        raise _Unreadable(str(exc)) from None


def _inspect_zip(zf: zipfile.ZipFile, name: str) -> _Plan:
    """Everything to change in the package, decided from its members (read-only)."""
    try:
        infos = zf.infolist()
    except (zipfile.BadZipFile, OSError) as exc:  # pragma: no cover - ZipFile() already read it
        raise _Unreadable(str(exc)) from None
    _check_members(infos, name)
    members = {i.filename: i for i in infos if not i.is_dir()}
    plan = _Plan()
    types = _content_types(zf, members, name)
    for member in members:
        if _is_macro_part(member, types):
            plan.remove.add(member)
    roles: dict[str, set[str]] = {}
    for member in sorted(m for m in members if m.endswith(".rels")):
        _relationships(zf, members[member], name, plan, roles)
    for member in list(plan.remove):
        plan.remove.add(_rels_of(member))
    plan.remove &= set(members)
    for member, info in members.items():
        if member in plan.remove or member.endswith(".rels") or member == "[Content_Types].xml":
            continue
        cut = plan.cut.get(member, set())
        if not cut and (not _is_xml(member, types) or (member in roles and roles[member] <= _INERT_ROLES)):
            continue
        new, found = _XmlPart(member, _read(zf, info, name), name, cut).fixed()
        plan.findings += found
        if new is not None:
            plan.replace[member] = new
    _macro_findings(plan)
    if plan.remove:
        _drop_removed_entries(zf, members, name, plan, types)
    return plan


def _check_members(infos: list[zipfile.ZipInfo], name: str) -> None:
    """Refuse zip bombs and ambiguous packages before inflating anything."""
    refused = f"'{name}' is geweigerd"
    if len(infos) > MAX_MEMBERS:
        raise ConversionError(f"{refused}: het bevat {len(infos)} onderdelen (meer dan {MAX_MEMBERS}).")
    seen: set[str] = set()
    total = 0
    for info in infos:
        key = info.filename.replace("\\", "/").lower()
        if key in seen:
            # Readers disagree on which of two same-named members counts: what is checked here
            # might not be what LibreOffice reads.
            raise ConversionError(f"{refused}: het onderdeel '{info.filename}' komt twee keer voor.")
        seen.add(key)
        size = info.file_size
        if size > MAX_MEMBER_BYTES:
            raise ConversionError(
                f"{refused}: het onderdeel '{info.filename}' wordt uitgepakt {_mb(size)} "
                f"(meer dan {_mb(MAX_MEMBER_BYTES)}); mogelijk een zip-bom."
            )
        if size > RATIO_FROM_BYTES and size > MAX_RATIO * max(info.compress_size, 1):
            ratio = size // max(info.compress_size, 1)
            raise ConversionError(
                f"{refused}: het onderdeel '{info.filename}' is {ratio}× samengeperst "
                f"({_mb(size)} uit {info.compress_size} bytes); mogelijk een zip-bom."
            )
        total += size
        if total > MAX_TOTAL_BYTES:
            raise ConversionError(
                f"{refused}: de onderdelen worden samen meer dan {_mb(MAX_TOTAL_BYTES)} uitgepakt; "
                "mogelijk een zip-bom."
            )


def _mb(size: int) -> str:
    return f"{size / (1024 * 1024):.0f} MB"


def _read(zf: zipfile.ZipFile, info: zipfile.ZipInfo, name: str) -> bytes:
    """A member's bytes; Python inflates no more than the (checked) declared size."""
    if info.file_size > MAX_XML_BYTES:
        raise ConversionError(
            f"'{name}' is geweigerd: het onderdeel '{info.filename}' is te groot om te controleren "
            f"({_mb(info.file_size)}, ten hoogste {_mb(MAX_XML_BYTES)})."
        )
    try:
        with zf.open(info) as fh:
            # read(n) inflates at most about n bytes; read() would inflate a whole compressed
            # chunk at once, whatever the declared size.
            return fh.read(info.file_size + 1)
    except (zipfile.BadZipFile, zlib.error, RuntimeError, NotImplementedError, EOFError, ValueError) as exc:
        raise _Unreadable(f"{info.filename}: {exc}") from None


def _parse(data: bytes, member: str, name: str) -> etree._ElementTree:
    """Parse one part without entities, DTDs or network; refuse what cannot be checked."""
    try:
        tree = etree.ElementTree(etree.fromstring(data, _PARSER))
    except etree.XMLSyntaxError as exc:
        raise ConversionError(
            f"'{name}' kan niet worden gecontroleerd: '{member}' is geen geldige XML ({exc})."
        ) from None
    dtd = tree.docinfo.internalDTD
    if dtd is not None and any(True for _ in dtd.iterentities()):
        raise ConversionError(f"'{name}' is geweigerd: '{member}' definieert XML-entiteiten.")
    return tree


def _serialise(tree: etree._ElementTree) -> bytes:
    return etree.tostring(tree, xml_declaration=True, encoding="UTF-8", standalone=tree.docinfo.standalone)


def _content_types(zf: zipfile.ZipFile, members: dict[str, zipfile.ZipInfo], name: str) -> dict[str, str] | None:
    """OOXML content types: ``{"/part": type}`` overrides and ``{"ext": type}`` defaults; None for ODF."""
    info = members.get("[Content_Types].xml")
    if info is None:
        return None
    types: dict[str, str] = {}
    for el in _parse(_read(zf, info, name), info.filename, name).getroot():
        if not isinstance(el.tag, str):
            continue
        local = etree.QName(el).localname
        ctype = (el.get("ContentType") or "").strip().lower()
        if local == "Override":
            types[unquote(el.get("PartName") or "").lstrip("/")] = ctype
        elif local == "Default":
            types["." + (el.get("Extension") or "").lower()] = ctype
    return types


def _type_of(member: str, types: dict[str, str] | None) -> str:
    if not types:
        return ""
    return types.get(member) or types.get("." + member.rsplit(".", 1)[-1].lower(), "")


def _is_xml(member: str, types: dict[str, str] | None) -> bool:
    return member.lower().endswith(".xml") or _type_of(member, types).endswith("xml")


def _is_macro_part(member: str, types: dict[str, str] | None) -> bool:
    return (
        bool(_MACRO_NAMES.search(member))
        or member.startswith(_MACRO_FOLDERS)
        or (types is not None and types.get(member, "") in _MACRO_CONTENT_TYPES)
    )


def _macro_findings(plan: _Plan) -> None:
    folders = sorted({f for f in _MACRO_FOLDERS for m in plan.remove if m.startswith(f)})
    parts = sorted(m for m in plan.remove if not m.startswith(_MACRO_FOLDERS) and not m.endswith(".rels"))
    plan.findings += [f"macro's ({p})" for p in [*parts, *folders]]


def _rels_of(part: str) -> str:
    folder, base = posixpath.split(part)
    return posixpath.join(folder, "_rels", f"{base}.rels")


def _rels_source_dir(rels: str) -> str:
    """The folder of the part a ``.rels`` file belongs to (``word/_rels/x.rels`` → ``word``)."""
    return posixpath.dirname(posixpath.dirname(rels))


def _resolve(base: str, target: str) -> str:
    target = unquote(target.strip().replace("\\", "/"))
    if target.startswith("/"):
        return posixpath.normpath(target.lstrip("/"))
    return posixpath.normpath(posixpath.join(base, target))


def _relationships(
    zf: zipfile.ZipFile, info: zipfile.ZipInfo, name: str, plan: _Plan, roles: dict[str, set[str]]
) -> None:
    """Remove the dangerous relationships of one ``.rels`` part; record every target's role."""
    tree = _parse(_read(zf, info, name), info.filename, name)
    base = _rels_source_dir(info.filename)
    source = posixpath.join(base, posixpath.basename(info.filename).removesuffix(".rels"))
    changed = False
    for rel in list(tree.getroot()):
        if not isinstance(rel.tag, str) or etree.QName(rel).localname != "Relationship":
            continue
        rtype = (rel.get("Type") or "").rsplit("/", 1)[-1]
        target = rel.get("Target") or ""
        external = (rel.get("TargetMode") or "").strip().lower() == "external"
        resolved = "" if external else _resolve(base, target)
        if rtype == "hyperlink":
            continue  # never fetched; a link in the PDF
        if rtype in _MACRO_RELATIONSHIPS or resolved in plan.remove:
            if resolved:
                plan.remove.add(resolved)
        elif external or rtype in _DANGEROUS_RELATIONSHIPS or _SCHEME.match(target.strip()):
            label = _REL_LABELS.get(rtype, f"koppeling ({rtype or 'onbekend type'})")
            where = f"naar '{_short(target)}'" if external else f"'{_short(target)}'"
            plan.findings.append(f"{label} {where} ({info.filename})")
        else:
            roles.setdefault(resolved, set()).add(rtype)
            continue
        # Removed, and so are the references to it in its part (see _XmlPart): the package
        # stays valid and nothing is left that LibreOffice could load.
        plan.cut.setdefault(source, set()).add(rel.get("Id") or "")
        rel.getparent().remove(rel)
        changed = True
    if changed:
        plan.replace[info.filename] = _serialise(tree)


def _drop_removed_entries(
    zf: zipfile.ZipFile, members: dict[str, zipfile.ZipInfo], name: str, plan: _Plan, types: dict[str, str] | None
) -> None:
    """Keep the package valid without the removed parts: content types and ODF manifest."""
    if types is not None:
        tree = _parse(_read(zf, members["[Content_Types].xml"], name), "[Content_Types].xml", name)
        for el in list(tree.getroot()):
            if not isinstance(el.tag, str):
                continue
            if etree.QName(el).localname == "Override" and unquote(el.get("PartName") or "").lstrip("/") in plan.remove:
                el.getparent().remove(el)
            elif (el.get("ContentType") or "").lower() == _MACRO_MAIN:
                el.set("ContentType", _PLAIN_MAIN)
        plan.replace["[Content_Types].xml"] = _serialise(tree)
    manifest = "META-INF/manifest.xml"
    if manifest in members:
        data = plan.replace.get(manifest) or _read(zf, members[manifest], name)
        tree = _parse(data, manifest, name)
        folders = tuple(f for f in _MACRO_FOLDERS if any(m.startswith(f) for m in plan.remove))
        for el in list(tree.getroot()):
            path = el.get(f"{{{_MANIFEST}}}full-path") if isinstance(el.tag, str) else None
            if path is not None and (path in plan.remove or path.startswith(folders)):
                el.getparent().remove(el)
        plan.replace[manifest] = _serialise(tree)


def _rewrite(zf: zipfile.ZipFile, plan: _Plan, out_path: Path) -> None:
    """Write the package again: same members in the same order, minus and with the changes."""
    try:
        with zipfile.ZipFile(out_path, "w") as out:
            for info in zf.infolist():
                if info.filename in plan.remove:
                    continue
                new = zipfile.ZipInfo(info.filename, date_time=info.date_time)
                new.compress_type = info.compress_type
                new.external_attr = info.external_attr
                if info.is_dir():
                    out.writestr(new, b"")
                elif info.filename in plan.replace:
                    out.writestr(new, plan.replace[info.filename])
                else:
                    with zf.open(info) as src, out.open(new, "w", force_zip64=info.file_size > 2**31) as dst:
                        shutil.copyfileobj(src, dst, 1024 * 1024)
        os.chmod(out_path, 0o600)
    except (zipfile.BadZipFile, zlib.error, RuntimeError, NotImplementedError, EOFError) as exc:
        out_path.unlink(missing_ok=True)
        raise _Unreadable(str(exc)) from None
    except BaseException:
        out_path.unlink(missing_ok=True)
        raise


def _short(text: str, limit: int = 120) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


# --------------------------------------------------------------------------------------------
# XML parts: fields (OOXML) and xlink:href (ODF)
# --------------------------------------------------------------------------------------------


class _XmlPart:
    """One XML part: decide cheaply whether it may need changes, and make them."""

    def __init__(self, member: str, data: bytes, name: str, cut: set[str]) -> None:
        self.member = member
        self.data = data
        self.name = name
        self.cut = cut

    def fixed(self) -> tuple[bytes | None, list[str]]:
        """The part without dangerous fields and external links (None: unchanged) and findings."""
        if not self._needs_parsing():
            return None, []
        tree = _parse(self.data, self.member, self.name)
        findings = self._fix_fields(tree) + self._fix_links(tree)
        changed = self._cut_references(tree) or bool(findings)
        return (_serialise(tree) if changed else None), findings

    def _cut_references(self, tree: etree._ElementTree) -> bool:
        """Remove the attributes that name a removed relationship (r:id, r:link, r:embed, o:relid)."""
        changed = False
        for el in tree.getroot().iter():
            if not isinstance(el.tag, str):
                continue
            for attr, value in list(el.attrib.items()):
                qname = etree.QName(attr)
                if value in self.cut and (qname.namespace in _REL_NAMESPACES or qname.localname == "relid"):
                    del el.attrib[attr]
                    changed = True
        return changed

    def _needs_parsing(self) -> bool:
        data = self.data
        if self.cut or not _ascii_compatible(data):
            return True  # e.g. UTF-16: the byte checks below would not see anything
        plain = _plain(data)
        # Element and attribute names cannot be escaped, so without "nstr" (instrText,
        # delInstrText, w:instr) there is no field and without "href" no xlink:href.
        if b"nstr" in data and (not plain or _suspicious_fields(data)):
            return True
        return b"href" in data and (not plain or _suspicious_hrefs(data))

    def _fix_fields(self, tree: etree._ElementTree) -> list[str]:
        """Replace each field that includes a file or URL by its last result."""
        root = tree.getroot()
        tags = [f"{{{ns}}}{t}" for ns in _W_NAMESPACES for t in ("fldChar", "instrText", "delInstrText", "fldSimple")]
        findings: list[str] = []
        open_fields: list[_Field] = []
        done: list[_Field] = []
        for el in list(root.iter(*tags)):
            local = etree.QName(el).localname
            if local == "fldSimple":
                instr = el.get(f"{{{etree.QName(el).namespace}}}instr") or ""
                if _field_keyword(instr):
                    findings.append(f"veld '{_short(instr)}' ({self.member})")
                    _unwrap(el)
            elif local == "fldChar":
                kind = el.get(f"{{{etree.QName(el).namespace}}}fldCharType")
                if kind == "begin":
                    open_fields.append(_Field(markers=[el]))
                elif open_fields and kind == "separate":
                    open_fields[-1].markers.append(el)
                    open_fields[-1].in_code = False
                elif open_fields and kind == "end":
                    open_fields[-1].markers.append(el)
                    done.append(open_fields.pop())
            elif open_fields and open_fields[-1].in_code:
                open_fields[-1].code.append(el)
        for fld in done + open_fields:  # a field left open runs to the end of the part
            instr = "".join(c.text or "" for c in fld.code)
            if _field_keyword(instr):
                findings.append(f"veld '{_short(instr)}' ({self.member})")
                for el in fld.markers + fld.code:
                    el.getparent().remove(el)
        return findings

    def _fix_links(self, tree: etree._ElementTree) -> list[str]:
        """Remove external xlink:href attributes (not hyperlinks); drop linked section sources."""
        findings: list[str] = []
        attr = f"{{{_XLINK}}}href"
        for el in list(tree.getroot().iter()):
            value = el.get(attr) if isinstance(el.tag, str) else None
            if value is None or not _is_external_href(value):
                continue
            qname = etree.QName(el)
            if (qname.namespace, qname.localname) in {(_ODF_TEXT, "a"), (_ODF_DRAW, "a")}:
                continue  # a hyperlink: never fetched
            label = _HREF_LABELS.get(qname.localname, f"externe koppeling ({qname.localname})")
            findings.append(f"{label} naar '{_short(value)}' ({self.member})")
            if qname.localname in ("section-source", "table-source"):
                el.getparent().remove(el)  # the section keeps its last content
            else:
                # Not pointed elsewhere: LibreOffice refuses a document whose link names a part
                # that is not in the package, and loads one whose image has no link at all.
                del el.attrib[attr]
        return findings


@dataclass
class _Field:
    """A complex field: its begin/separate/end markers and its instruction elements."""

    markers: list[etree._Element]
    code: list[etree._Element] = field(default_factory=list)
    in_code: bool = True


def _unwrap(el: etree._Element) -> None:
    """Replace an element by its children (a w:fldSimple by its result runs)."""
    parent = el.getparent()
    index = parent.index(el)
    for child in list(el):
        parent.insert(index, child)
        index += 1
    parent.remove(el)


def _field_keyword(instr: str) -> str | None:
    """The field type when it is one that includes a file or URL (first word, as Word reads it)."""
    match = re.match(r'[\s"]*([A-Za-z]+)', instr)
    word = match.group(1).upper() if match else ""
    return word if word in DANGEROUS_FIELDS else None


def _ascii_compatible(data: bytes) -> bool:
    """True for UTF-8 (or ASCII) XML, the only encoding the byte checks understand."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in data[:4]:
        return False
    decl = _XML_DECL.match(data.removeprefix(b"\xef\xbb\xbf"))
    encoding = _DECL_ENCODING.search(decl.group(0)) if decl else None
    return encoding is None or encoding.group(1).lower() in (b"utf-8", b"utf8", b"us-ascii", b"ascii")


def _plain(data: bytes) -> bool:
    """No character references, CDATA, comments, DTDs or processing instructions after the
    declaration: then text and attribute values can be read from the bytes as they are."""
    body = data.removeprefix(b"\xef\xbb\xbf")
    decl = _XML_DECL.match(body)
    if decl:
        body = body[decl.end() :]
    return b"&#" not in body and b"<!" not in body and b"<?" not in body


def _suspicious_fields(data: bytes) -> bool:
    """May a field in this (plain) part include a file or URL? False is certain."""
    types = _FLDCHAR_TYPE.findall(data)
    depth = 0
    for kind in types:
        depth += 1 if kind == b"begin" else -1 if kind == b"end" else 0
        if depth > 1:
            return True  # nested fields: let the parser sort out which text belongs to which
    pieces = [m.group(1) for m in _INSTR_TEXT.finditer(data)]
    pieces += [m.group(1)[1:-1] for m in _INSTR_ATTR.finditer(data)]
    joined = b"".join(pieces).decode("utf-8", errors="replace")
    return bool(_LOOSE_KEYWORD.search(joined)) or any(
        _LOOSE_KEYWORD.search(p.decode("utf-8", errors="replace")) for p in pieces
    )


def _suspicious_hrefs(data: bytes) -> bool:
    """Does any href in this (plain) part point outside the package? False is certain."""
    for match in _HREF_ATTR.finditer(data):
        value = match.group(1)[1:-1]
        if not _SAFE_HREF.fullmatch(value) or b".." in value or value.startswith(b"/"):
            return True
    return False


def _is_external_href(value: str) -> bool:
    """True when an ODF href points outside the package (a URL, an absolute or ``..`` path)."""
    value = unquote(value).strip()
    if not value or value.startswith("#"):
        return False
    if _SCHEME.match(value):
        return not value.lower().startswith(_INTERNAL_SCHEMES)
    if value.startswith(("/", "\\")):
        return True
    return ".." in value.replace("\\", "/").split("/")


# --------------------------------------------------------------------------------------------
# RTF
# --------------------------------------------------------------------------------------------

_RTF_TOKEN = re.compile(
    rb"\\bin(-?\d{1,10}) ?|\\([a-zA-Z]{1,32})(-?\d{1,10})? ?|\\'([0-9a-fA-F]{2})|\\([^a-zA-Z])|([{}])|([^\\{}]+)",
    re.DOTALL,
)
_EMPTY_RTF_INSTRUCTION = b"{\\*\\fldinst }"


@dataclass
class _RtfGroup:
    start: int
    instruction: bool = False
    text: list[str] = field(default_factory=list)


def _fix_rtf(data: bytes) -> tuple[bytes | None, list[str]]:
    """Empty every RTF field instruction that includes a file or URL (the result stays)."""
    if b"fldinst" not in data:
        return None, []
    spans: list[tuple[int, int]] = []
    findings: list[str] = []
    for start, end, instr in _RtfInstructions(data).run():
        if _field_keyword(instr):
            findings.append(f"veld '{_short(instr)}' (RTF)")
            spans.append((start, end))
    if not spans:
        return None, []
    out, pos = [], 0
    for start, end in sorted(spans):
        if start < pos:
            continue  # inside a span already emptied
        out += [data[pos:start], _EMPTY_RTF_INSTRUCTION]
        pos = end
    out.append(data[pos:])
    return b"".join(out), findings


class _RtfInstructions:
    """Finds every ``\\fldinst`` group: (start, end, text) with escapes and Unicode decoded."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.found: list[tuple[int, int, str]] = []
        self.stack: list[_RtfGroup] = []
        self.collecting = 0  # open instruction groups
        self.uc = 1  # characters after \uN that stand in for it
        self.skip = 0

    def run(self) -> list[tuple[int, int, str]]:
        data, pos = self.data, 0
        while pos < len(data):
            m = _RTF_TOKEN.match(data, pos)
            if m is None:
                pos += 1
                continue
            pos = m.end()
            binary, word, param, hexbyte, symbol, brace, text = m.groups()
            if binary is not None:
                pos += max(0, int(binary))  # raw bytes: may hold braces
            elif word is not None:
                self._control(word, param)
            elif hexbyte is not None:
                self._add(bytes.fromhex(hexbyte.decode()).decode("cp1252", errors="replace"))
            elif symbol is not None:
                self._add(symbol.decode("latin-1") if symbol in b"\\{}" else "")
            elif brace == b"{":
                self.stack.append(_RtfGroup(m.start()))
            elif brace == b"}":
                self._close(pos)
            else:
                self._add(text.replace(b"\r", b"").replace(b"\n", b"").decode("latin-1"))
        return self.found

    def _add(self, text: str) -> None:
        if self.skip:
            cut = min(self.skip, len(text))
            text, self.skip = text[cut:], self.skip - cut
        if self.collecting and self.stack and text:
            self.stack[-1].text.append(text)

    def _control(self, word: bytes, param: bytes | None) -> None:
        if word == b"fldinst" and self.stack and not self.stack[-1].instruction:
            self.stack[-1].instruction = True
            self.collecting += 1
        elif word == b"u" and param:
            self._add(chr(int(param) % 65536))
            self.skip = self.uc
        elif word == b"uc" and param:
            self.uc = max(0, int(param))
        elif word in (b"par", b"line", b"tab"):
            self._add(" ")

    def _close(self, end: int) -> None:
        if not self.stack:
            return
        group = self.stack.pop()
        if group.instruction:
            self.collecting -= 1
            self.found.append((group.start, end, "".join(group.text)))
        if self.collecting and self.stack:
            self.stack[-1].text += group.text  # nested text belongs to the enclosing instruction

"""What LibreOffice need not read: the styles no part of a DOCX refers to.

A DOCX made from python-docx's default template (like the built-in templates), and many a firm's
Word template, carries 150 or more style definitions of which one document uses about 20.
LibreOffice's DOCX import builds every one of them: about 45 ms of the 130 ms a two-page
evaluatieverslag takes, load and export together (LibreOffice 7.4, measured in one warm office).
The copy LibreOffice converts (never the user's file, see :mod:`dossier.convert.sanitise`) keeps
only the styles a part of the package names, the styles those are based on, linked to or followed
by, and the default styles. A style nothing refers to cannot change a page: the PDF is the same,
pixel for pixel (tests/test_convert_slim.py compares every built-in template).

Latent styles and the document defaults stay as they are: LibreOffice does not build anything
from them. ``stylesWithEffects.xml`` (Word 2010's second copy of the styles, for Word 2007) is
left out with its relationship: LibreOffice does not read it, and it is the largest part of such
a package.
"""

from __future__ import annotations

import logging
import os
import posixpath
import re
import zipfile
import zlib
from collections import OrderedDict
from pathlib import Path
from xml.sax.saxutils import unescape

from lxml import etree

logger = logging.getLogger(__name__)

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
STYLES_TYPE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles"
EFFECTS_TYPE = "http://schemas.microsoft.com/office/2007/relationships/stylesWithEffects"
CT = "http://schemas.openxmlformats.org/package/2006/content-types"
MAIN_TYPES = frozenset([
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument",
    "http://purl.oclc.org/ooxml/officeDocument/relationships/officeDocument",
])

#: Elements whose ``val`` names a style (in any part; whatever the namespace prefix).
_REFERENCE = re.compile(
    rb"<(?:[\w.-]+:)?(?:pStyle|rStyle|tblStyle|numStyleLink|styleLink|clickAndTypeStyle|defaultTableStyle)"
    rb"\s[^>]*?(?:[\w.-]+:)?val\s*=\s*(?:\"([^\"]*)\"|'([^']*)')"
)
#: Fields that name a style in their instruction; a document with one keeps every style.
_NAMES_STYLES = re.compile(rb"STYLEREF", re.IGNORECASE)
#: The pruned styles part per (CRC, size, referenced styles): the documents of one template differ
#: in their text, not in their styles part.
_PRUNED: OrderedDict[tuple[int, int, frozenset[str]], tuple[bytes, int]] = OrderedDict()
_PRUNED_MAX = 64


def _w(tag: str) -> str:
    return f"{{{W}}}{tag}"


def slim_document(path: Path) -> int:
    """Rewrite the DOCX at ``path`` without the styles nothing in it refers to.

    Only for a private copy that :func:`dossier.convert.sanitise.sanitise_document` has checked
    (members size-checked): the file is replaced atomically. Anything unexpected (not a DOCX, no
    styles part, XML that cannot be read, a STYLEREF field) leaves the file as it is.

    Returns:
        How many style definitions were left out (0: the file is unchanged).
    """
    path = Path(path)
    try:
        with zipfile.ZipFile(path) as zf:
            found = _styles_part(zf)
            if found is None:
                return 0
            styles_part, rels_name, rels, effects = found
            skip = {styles_part, effects}
            parts = {i.filename: zf.read(i) for i in zf.infolist()
                     if not i.is_dir() and i.filename.endswith(".xml") and i.filename not in skip}
            used = _referenced(parts.values())
            if used is None:
                return 0
            pruned, removed = _pruned(zf, zf.getinfo(styles_part), frozenset(used))
            if not removed:
                return 0
            parts[styles_part] = pruned
            if effects is not None:
                parts.update(_without_effects(rels, rels_name, parts["[Content_Types].xml"], effects))
            _write(zf, parts, {effects}, path)
    except (OSError, KeyError, zipfile.BadZipFile, zlib.error, NotImplementedError, EOFError, RuntimeError,
            etree.XMLSyntaxError) as exc:
        logger.debug("%s: stijlen niet uitgedund (%s: %s)", path.name, type(exc).__name__, exc)
        return 0
    return removed


def _write(zf: zipfile.ZipFile, parts: dict[str, bytes], leave_out: set[str | None], path: Path) -> None:
    """The package again, with ``parts`` replaced and ``leave_out`` left out, atomically at ``path``."""
    tmp = path.with_name(f".{path.name}.slim")
    try:
        # Stored, not deflated: a private copy read once, by LibreOffice, right away.
        with zipfile.ZipFile(tmp, "w", zipfile.ZIP_STORED) as out:
            for item in zf.infolist():
                if item.filename in leave_out:
                    continue
                new = zipfile.ZipInfo(item.filename, date_time=item.date_time)
                new.external_attr = item.external_attr
                data = b"" if item.is_dir() else parts[item.filename] if item.filename in parts else zf.read(item)
                out.writestr(new, data)
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _without_effects(rels: etree._Element, rels_name: str, content_types: bytes,
                     effects: str) -> dict[str, bytes]:
    """The main part's relationships (``rels``, parsed; changed here) and the content types
    without ``stylesWithEffects.xml``."""
    for rel in list(rels):
        if rel.get("Type") == EFFECTS_TYPE:
            rels.remove(rel)
    types = etree.fromstring(content_types)
    for override in types.findall(f"{{{CT}}}Override"):
        if override.get("PartName", "").lstrip("/") == effects:
            types.remove(override)
    return {rels_name: etree.tostring(rels, xml_declaration=True, encoding="UTF-8", standalone=True),
            "[Content_Types].xml": etree.tostring(types, xml_declaration=True, encoding="UTF-8", standalone=True)}


def _styles_part(zf: zipfile.ZipFile) -> tuple[str, str, etree._Element, str | None] | None:
    """The main document's styles part, its relationships part (name and parsed) and its
    ``stylesWithEffects`` part (found from the relationships, not by name)."""
    root_rels = etree.fromstring(zf.read("_rels/.rels"))
    main = next((r.get("Target", "") for r in root_rels if r.get("Type") in MAIN_TYPES), None)
    if not main:
        return None
    main = main.lstrip("/")
    rels_name = posixpath.join(posixpath.dirname(main), "_rels", posixpath.basename(main) + ".rels")
    names = set(zf.namelist())
    if rels_name not in names:
        return None
    rels = etree.fromstring(zf.read(rels_name))
    found: dict[str, str] = {}
    for rel in rels:
        if rel.get("Type") in (STYLES_TYPE, EFFECTS_TYPE) and rel.get("TargetMode") != "External":
            target = posixpath.normpath(posixpath.join(posixpath.dirname(main), rel.get("Target", "")))
            if target in names:
                found[rel.get("Type", "")] = target
    if STYLES_TYPE not in found:
        return None
    return found[STYLES_TYPE], rels_name, rels, found.get(EFFECTS_TYPE)


def _referenced(parts) -> set[str] | None:
    """Style ids the parts name; None when a part names styles in a way not followed here."""
    used: set[str] = set()
    for data in parts:
        if _NAMES_STYLES.search(data):
            return None
        for m in _REFERENCE.finditer(data):
            value = m.group(1) if m.group(1) is not None else m.group(2)
            used.add(unescape(value.decode("utf-8"), {"&quot;": '"', "&apos;": "'"}))
    return used


def _pruned(zf: zipfile.ZipFile, info: zipfile.ZipInfo, used: frozenset[str]) -> tuple[bytes, int]:
    key = (info.CRC, info.file_size, used)
    hit = _PRUNED.get(key)
    if hit is not None:
        _PRUNED.move_to_end(key)
        return hit
    root = etree.fromstring(zf.read(info), etree.XMLParser(resolve_entities=False, huge_tree=False))
    styles = {s.get(_w("styleId")): s for s in root.iter(_w("style"))}
    keep = set(used) | {sid for sid, s in styles.items() if s.get(_w("default")) in ("1", "true", "on")}
    todo = list(keep)
    while todo:
        style = styles.get(todo.pop())
        if style is None:
            continue
        for tag in ("basedOn", "next", "link"):
            el = style.find(_w(tag))
            if el is not None and el.get(_w("val")) not in keep:
                keep.add(el.get(_w("val")))
                todo.append(el.get(_w("val")))
    removed = 0
    for sid, style in styles.items():
        if sid not in keep:
            style.getparent().remove(style)
            removed += 1
    result = (etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True) if removed else b"",
              removed)
    _PRUNED[key] = result
    if len(_PRUNED) > _PRUNED_MAX:
        _PRUNED.popitem(last=False)
    return result

"""The last steps of writing a PDF: document info, deterministic bytes, atomic write.

Shared by the dossier (:mod:`dossier.pdf.assemble`) and the UWV upload set of separate parts
(:mod:`dossier.pdf.single`), so both carry the same metadata and the same reproducible /ID.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from io import BytesIO
from pathlib import Path
from typing import Any

import pypdf
from pypdf import PdfWriter
from pypdf.generic import (
    ArrayObject,
    BooleanObject,
    ByteStringObject,
    DictionaryObject,
    IndirectObject,
    NameObject,
    TextStringObject,
)

from dossier.errors import AssemblyError
from dossier.fileio import atomic_write_bytes, write_error
from dossier.pdf.plan import DossierMeta

#: /Creator of every dossier.
CREATOR = "dossier"

# A fixed stand-in for the file identifier while the bytes are hashed (same length as the real one).
_ID_PLACEHOLDER = b"dossier:fileid:0"


def pdf_date(moment: datetime) -> str:
    """PDF date string: ``D:20250210143000+01'00'`` (no offset for a naive datetime)."""
    text = moment.strftime("D:%Y%m%d%H%M%S")
    offset = moment.utcoffset()
    if offset is None:
        return text
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    minutes = abs(minutes)
    return f"{text}{sign}{minutes // 60:02d}'{minutes % 60:02d}'"


def _producer() -> str:
    try:
        from dossier import __version__ as version
    except ImportError:
        version = ""
    name = f"dossier {version}".strip()
    return f"{name} (pypdf {pypdf.__version__})"


def set_document_info(writer: PdfWriter, meta: DossierMeta) -> None:
    when = pdf_date(meta.created)
    writer.metadata = {
        "/Title": meta.title,
        "/Subject": meta.subject,
        "/Author": meta.author,
        "/Creator": CREATOR,
        "/Producer": _producer(),
        "/CreationDate": when,
        "/ModDate": when,
    }
    root = writer._root_object
    root[NameObject("/PageMode")] = NameObject("/UseOutlines")
    root[NameObject("/Lang")] = TextStringObject("nl-NL")
    root[NameObject("/ViewerPreferences")] = DictionaryObject(
        {NameObject("/DisplayDocTitle"): BooleanObject(True)}
    )


def serialise(writer: PdfWriter) -> bytes:
    """Write to bytes with /ID = first 16 bytes of SHA-256 of the file (with a placeholder ID).

    Same inputs → same bytes → same ID; no clock is read anywhere.
    """
    writer.compress_identical_objects(remove_duplicates=True, remove_unreferenced=False)
    _drop_unreachable(writer)
    placeholder = ByteStringObject(_ID_PLACEHOLDER)
    writer._ID = ArrayObject([placeholder, placeholder])
    buffer = BytesIO()
    writer.write(buffer)
    data = buffer.getvalue()
    marker = b"<" + _ID_PLACEHOLDER.hex().encode() + b">"
    trailer = data.rfind(b"trailer")
    if trailer < 0 or data.count(marker, trailer) != 2:  # pragma: no cover - pypdf changed
        raise AssemblyError("Kon geen vaste bestands-ID schrijven (onverwachte pypdf-uitvoer).")
    digest = hashlib.sha256(data).digest()[:16]
    return data[:trailer] + data[trailer:].replace(marker, b"<" + digest.hex().encode() + b">")


def _drop_unreachable(writer: PdfWriter) -> int:
    """Free every object not reachable from the catalog or /Info; return how many.

    Flattened widgets, unused named destinations and objects pypdf cloned along with the
    inputs (their own catalogs' leftovers) would otherwise stay in the file as dead weight.
    """
    reachable: set[int] = set()
    stack: list[Any] = [writer._root_object]
    if writer._info is not None:
        stack.append(writer._info)
    while stack:
        obj = stack.pop()
        if isinstance(obj, IndirectObject):
            if obj.idnum in reachable:
                continue
            reachable.add(obj.idnum)
            obj = obj.get_object()
        if isinstance(obj, DictionaryObject):
            stack.extend(obj.values())
        elif isinstance(obj, ArrayObject):
            stack.extend(obj)
    root_ref = writer._root_object.indirect_reference
    info_ref = writer._info.indirect_reference if writer._info is not None else None
    reachable.update(ref.idnum for ref in (root_ref, info_ref) if ref is not None)
    dropped = 0
    for number, obj in enumerate(writer._objects, start=1):
        if obj is not None and number not in reachable:
            writer._objects[number - 1] = None
            dropped += 1
    return dropped


def write_atomic(out: Path, data: bytes) -> None:
    """Write atomically with owner-only permissions (:func:`dossier.fileio.atomic_write_bytes`);
    a file system error becomes a Dutch :class:`AssemblyError`. An existing ``out`` is only
    replaced by a complete new file."""
    try:
        atomic_write_bytes(out, data)
    except OSError as exc:
        raise write_error(exc, out) from exc

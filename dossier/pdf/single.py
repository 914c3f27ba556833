"""One document stamped on its own: the UWV upload set (each RIV part a separate PDF)."""

from __future__ import annotations

import dataclasses
import logging
from pathlib import Path

from pypdf import PdfWriter

from dossier.pdf import pdfa
from dossier.pdf.assemble import flatten_forms
from dossier.pdf.output import serialise, set_document_info, write_atomic
from dossier.pdf.plan import DossierMeta
from dossier.pdf.preflight import open_pdf, quiet_libraries
from dossier.pdf.stamp import stamp_pages


def stamp_single(src: Path, out: Path, *, meta: DossierMeta, left: str, title: str,
                 password: str | None = None) -> int:
    """Write ``src`` to ``out`` with ``left`` and "pagina X van Y" stamped on every page.

    Forms are flattened like in the dossier; the output is deterministic and written atomically.
    Returns the number of pages.
    """
    with quiet_libraries():
        reader = open_pdf(src, password)
        writer = PdfWriter()
        writer.append(reader, import_outline=False)
        flatten_forms(writer)
        part_meta = dataclasses.replace(meta, stamp_left=left, title=title)
        stamp_pages(writer, part_meta)
        writer.set_page_label(0, len(writer.pages) - 1, style="/D", start=1)
        set_document_info(writer, part_meta)
        if meta.pdfa:
            pdfa.mark_if_conformant(writer, meta.created, [(title, Path(src))], what=f"UWV-bestand {Path(out).name}",
                                    level=logging.INFO)  # the dossier's warning already names the part
        data = serialise(writer)
    write_atomic(Path(out), data)
    return len(writer.pages)

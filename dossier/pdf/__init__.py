"""The PDF layer: plan page numbers, draw the index, merge, stamp; take attachments in (repair,
sanitise, check: :func:`admit_pdf`); PDF/A-2b marking (:mod:`dossier.pdf.pdfa`).

Independent of the case model: callers describe the dossier with :class:`Part` and
:class:`DossierMeta` and get an :class:`AssemblyResult` back.
"""

from __future__ import annotations

from dossier.pdf.assemble import AssemblyResult, assemble_dossier
from dossier.pdf.images import image_to_pdf
from dossier.pdf.intake import admit_pdf
from dossier.pdf.plan import DossierMeta, Part, PartPlacement, format_date_nl, format_page_range
from dossier.pdf.preflight import PdfInfo, inspect_pdf, open_pdf

__all__ = [
    "AssemblyResult",
    "DossierMeta",
    "Part",
    "PartPlacement",
    "PdfInfo",
    "admit_pdf",
    "assemble_dossier",
    "format_date_nl",
    "format_page_range",
    "image_to_pdf",
    "inspect_pdf",
    "open_pdf",
]

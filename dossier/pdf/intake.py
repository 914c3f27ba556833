"""The intake of an attachment PDF: repair, decrypt, sanitise, (OCR), check — once, into a clean copy.

:func:`admit_pdf` is what a build runs for every PDF attachment before anything is merged or
copied into the UWV upload set. In order:

1. read the file (missing, empty, not a PDF → error);
2. open it with pikepdf (qpdf): the empty password, then the case's password; a file whose
   cross-reference table or trailer is damaged is reconstructed — accepted with a warning
   ("hersteld") — and refused with a clear message only when qpdf cannot rebuild it;
3. :func:`dossier.pdf.sanitize.sanitize` removes JavaScript, dangerous actions, embedded files,
   page XMP and PieceInfo; what was removed is returned and logged at INFO (``-v``);
4. for a PDF/A build, :func:`dossier.pdf.pdfa.normalise` and :func:`dossier.pdf.pdfa.problems`;
5. save a decrypted clean copy (deterministic, so equal inputs give equal dossiers);
6. with OCR asked for and no text on any page: ocrmypdf adds a Dutch text layer;
7. :func:`dossier.pdf.preflight.describe_pdf` on the clean copy (size, scan, signature, pages).

Everything after the intake (the dossier, the upload set) reads the clean copy only.
:func:`sanitize_in_place` does step 3 for PDFs the build made itself from an office attachment.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import re
from io import BytesIO
from pathlib import Path

import pikepdf

from dossier.errors import AssemblyError, Issue, Severity
from dossier.pdf import ocr as ocr_module
from dossier.pdf import pdfa as pdfa_module
from dossier.pdf.preflight import (
    PdfInfo,
    describe_pdf,
    display_name,
    open_pdf,
    password_error,
    quiet_libraries,
    read_pdf_bytes,
)
from dossier.pdf.sanitize import describe, sanitize
from dossier.pdf.textlayer import pdf_has_text
from dossier.privacy import scrub

log = logging.getLogger(__name__)

# qpdf prefixes its messages with the stream's repr ("stream <_io.BytesIO object at 0x…>: ").
_QPDF_PREFIX = re.compile(r"^.*?<[^>]*>:\s*")

#: Words in qpdf's warnings when it had to rebuild the file's structure.
_DAMAGE_MARKERS = ("file is damaged", "reconstruct")


class _Opened:
    """A document opened by pikepdf, and how it had to be opened."""

    def __init__(self, pdf: pikepdf.Pdf, encrypted: bool, password_required: bool) -> None:
        self.pdf = pdf
        self.encrypted = encrypted
        self.password_required = password_required


def _qpdf_message(exc: Exception) -> str:
    return scrub(_QPDF_PREFIX.sub("", str(exc)).strip())


def _open(data: bytes, password: str | None, name: str) -> _Opened:
    """Open with pikepdf: empty password first, then ``password``; qpdf reconstructs damage."""
    candidates = [""] + ([password] if password else [])
    for candidate in candidates:
        try:
            pdf = pikepdf.open(BytesIO(data), password=candidate, attempt_recovery=True)
        except pikepdf.PasswordError:
            continue
        except (pikepdf.PdfError, ValueError, RuntimeError) as exc:
            raise AssemblyError(
                f"Bestand {name} is beschadigd en kan niet worden hersteld ({_qpdf_message(exc)}); "
                "open het en sla het opnieuw op als PDF, of vraag de afzender om een nieuw exemplaar."
            ) from exc
        return _Opened(pdf, pdf.is_encrypted, bool(candidate))
    raise password_error(name, password)


def _save(pdf: pikepdf.Pdf, clean: Path, *, recompress: bool) -> None:
    """Write the clean copy: decrypted, deterministic /ID, LZW re-compressed when asked; owner-only
    (it may be the decrypted copy of a password-protected attachment)."""
    clean.parent.mkdir(parents=True, exist_ok=True)
    options: dict[str, object] = {"deterministic_id": True, "encryption": False}
    if recompress:
        options["stream_decode_level"] = pikepdf.StreamDecodeLevel.generalized
    tmp = clean.with_name(f".{clean.name}.tmp")
    try:
        pdf.save(tmp, **options)
        os.chmod(tmp, 0o600)
        os.replace(tmp, clean)
    finally:
        tmp.unlink(missing_ok=True)


def admit_pdf(
    path: Path,
    clean: Path,
    *,
    password: str | None = None,
    label: str,
    ocr: bool = False,
    pdfa: bool = False,
) -> tuple[PdfInfo | None, list[Issue]]:
    """Take one attachment in: repair, decrypt, sanitise, optionally OCR; check the clean copy.

    Args:
        path: the attachment as the case names it (never written to).
        clean: where the clean copy goes (in the build's work folder); ``info.path`` is this file.
        password: password for an encrypted PDF (the empty password is always tried first).
        label: display name for messages, e.g. "bijlagen[3] 'verslag.pdf'".
        ocr: give a scan (no text on any page) a Dutch text layer with ocrmypdf.
        pdfa: the build makes PDF/A-2b: normalise the copy and name what cannot conform.

    Returns:
        ``(info, issues)`` like :func:`dossier.pdf.preflight.inspect_pdf`; ``info`` is None when
        the file cannot be used (then ``issues`` holds an error).

    Raises:
        MissingDependencyError: ``ocr`` is set, the file is a scan, and ocrmypdf or tesseract
            with Dutch is not installed.
    """
    path, clean = Path(path), Path(clean)
    name = display_name(path)

    def issue(severity: Severity, message: str) -> Issue:
        return Issue(severity=severity, source=label, location="", field="", message=message)

    try:
        opened = _open(read_pdf_bytes(path), password, name)
        result = _clean_copy(opened, clean, name, pdfa)
    except AssemblyError as exc:
        return None, [issue(Severity.fout, exc.message)]
    if result.removed:
        log.info("%s: verwijderd uit %s: %s", label, name, "; ".join(result.removed))
    warnings: list[str] = []
    if result.repaired:
        pages = f"alle {result.pages} pagina's compleet zijn" if result.pages > 1 else "de pagina compleet is"
        warnings.append(f"Bestand {name} was beschadigd en is hersteld (de verwijzingstabel is opnieuw "
                        f"opgebouwd); controleer in het dossier of {pages}, of vraag de afzender om een nieuw "
                        "exemplaar.")
    done_ocr = False
    if ocr and not result.has_text:
        try:
            result.has_text = _ocr(clean, name, result.pages, pdfa)
            done_ocr = True
            log.info("%s: %s is herkend met OCR (tesseract, Nederlands)", label, name)
        except AssemblyError as exc:
            warnings.append(f"{exc.message} Het bestand is zonder tekstlaag opgenomen.")
        if done_ocr and pdfa:
            result.problems = pdfa_module.part_problems(clean)
    if result.problems:
        warnings.append(f"Bestand {name} kan niet PDF/A-2b-conform worden gemaakt: {'; '.join(result.problems)}. "
                        "Het dossier (en dit deel van de UWV-set) krijgt daarom geen PDF/A-kenmerk; vraag zo "
                        "nodig een PDF/A-versie aan de afzender.")
    with quiet_libraries():
        try:
            reader = open_pdf(clean)
        except AssemblyError as exc:
            return None, [issue(Severity.fout, exc.message)]
        info, found = describe_pdf(reader, path=clean, name=name, label=label, size=clean.stat().st_size,
                                   has_text=result.has_text)
    info = dataclasses.replace(info, source=path, encrypted=opened.encrypted,
                               password_required=opened.password_required, repaired=result.repaired,
                               removed=result.removed, ocr=done_ocr, pdfa_problems=result.problems)
    return info, [issue(Severity.waarschuwing, w) for w in warnings] + found


@dataclasses.dataclass
class _CleanCopy:
    pages: int
    removed: tuple[str, ...]
    problems: tuple[str, ...]
    has_text: bool
    repaired: bool


def _clean_copy(opened: _Opened, clean: Path, name: str, pdfa: bool) -> _CleanCopy:
    """Sanitise (and for PDF/A normalise and check) the opened document and save it to ``clean``."""
    with opened.pdf as pdf:
        try:
            pages = len(pdf.pages)
            if pages == 0:
                raise AssemblyError(f"Bestand {name} bevat geen pagina's.")
            removed = tuple(describe(sanitize(pdf)))
            recompress = pdfa_module.normalise(pdf) if pdfa else False
            problems = tuple(pdfa_module.problems(pdf)) if pdfa else ()
            has_text = pdf_has_text(pdf)
            _save(pdf, clean, recompress=recompress)
        except (pikepdf.PdfError, ValueError, RuntimeError, OSError) as exc:
            raise AssemblyError(f"Bestand {name} is beschadigd en kan niet worden hersteld "
                                f"({_qpdf_message(exc)}); vraag de afzender om een nieuw exemplaar.") from exc
        warnings = pdf.get_warnings()
    if warnings:
        log.debug("%s: qpdf: %s", name, "; ".join(scrub(_QPDF_PREFIX.sub("", w)) for w in warnings))
    # qpdf also warns about things it quietly normalises (a page listed twice in the page tree);
    # only a reconstruction is "damaged and repaired".
    repaired = any(marker in w for w in warnings for marker in _DAMAGE_MARKERS)
    return _CleanCopy(pages, removed, problems, has_text, repaired)


def _ocr(clean: Path, name: str, pages: int, pdfa: bool) -> bool:
    """OCR the clean copy in place; returns whether it has text now."""
    target = clean.with_name(f"{clean.stem}.ocr.pdf")
    ocr_module.ocr_pdf(clean, target, pdfa=pdfa, pages=pages, name=name)
    os.replace(target, clean)
    with pikepdf.open(clean) as pdf:
        return pdf_has_text(pdf)


def sanitize_in_place(pdf_path: Path, *, label: str = "") -> list[str]:
    """Sanitise a PDF the build made itself (LibreOffice output of an office attachment, whose
    links may point at local files); returns and logs (INFO) what was removed.

    Raises:
        AssemblyError: the file cannot be opened or written.
    """
    pdf_path = Path(pdf_path)
    try:
        with pikepdf.open(pdf_path) as pdf:
            removed = describe(sanitize(pdf))
            if removed:
                _save(pdf, pdf_path, recompress=False)
    except (pikepdf.PdfError, OSError) as exc:
        raise AssemblyError(f"{label or display_name(pdf_path)}: de PDF kon niet worden opgeschoond "
                            f"({_qpdf_message(exc)}).") from exc
    if removed:
        log.info("%s: verwijderd: %s", label or display_name(pdf_path), "; ".join(removed))
    return removed

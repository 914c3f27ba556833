"""Pre-flight checks on attachment PDFs, and opening (decrypting) them for assembly.

:func:`inspect_pdf` never raises for a bad file: it returns the problems as :class:`Issue`
values with Dutch messages naming the file (errors block the build, warnings do not; this is
bundlebuild's ``check``). :func:`open_pdf` is what the assembler uses: it opens and decrypts a
PDF or raises :class:`AssemblyError` with the same messages.

:func:`dossier.pdf.intake.admit_pdf` is what a build uses: it also repairs, sanitises and
decrypts the attachment into a clean copy and reports on that copy with :func:`describe_pdf`.

Encrypted PDFs: many open with an empty user password. pypdf decrypts RC4 itself but needs the
``cryptography`` package for AES; without it the file is decrypted in memory by ``qpdf`` (no
decrypted copy is written to disk).
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import shutil
import subprocess
import tempfile
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path

import pikepdf
from pypdf import PageObject, PdfReader
from pypdf.errors import DependencyError, PdfReadError, PyPdfError

from dossier.errors import AssemblyError, Issue, Severity
from dossier.pdf.textlayer import pdf_has_text
from dossier.privacy import scrub

log = logging.getLogger(__name__)

#: UWV accepts documents of at most 10 MB each in its upload portal.
MAX_DOCUMENT_BYTES = 10 * 1024 * 1024

#: Seconds qpdf may take to decrypt one file.
QPDF_TIMEOUT = 60

#: Third-party loggers that report recoverable oddities of input files and fonts. Their records
#: are routed to our logger at DEBUG while we work, so the library never prints.
_NOISY_LOGGERS = ("pypdf", "fontTools", "fpdf")

_PASSWORD_HINT = "geef het wachtwoord op in de casus (bijlagen[].wachtwoord)"


@dataclass(frozen=True)
class PdfInfo:
    """What pre-flight found out about a readable PDF.

    Attributes:
        path: the file.
        label: display name used in messages.
        size_bytes: file size.
        page_count: number of pages.
        encrypted: the file is encrypted (it could be opened, possibly with a password).
        password_required: a non-empty password was needed to open it.
        has_text_layer: at least one page has a text layer (not a bare scan).
        landscape_pages: 1-based pages that are displayed wider than high.
        rotated_pages: 1-based pages with a /Rotate other than 0.
        has_form: the file has interactive form fields (they are flattened in the dossier).
        signed: the file carries a digital signature (stamping invalidates it).
        has_outline: the file has bookmarks of its own.
        pdf_version: header version, e.g. "1.7".
        source: the original file when ``path`` is the clean copy made by the intake.
        repaired: the file was damaged and has been reconstructed (pikepdf/qpdf).
        removed: Dutch lines saying what the sanitiser removed (JavaScript, embedded files...).
        ocr: a text layer was added with OCR.
        pdfa_problems: what keeps the file from PDF/A-2b (only checked for a PDF/A build).
    """

    path: Path
    label: str
    size_bytes: int
    page_count: int
    encrypted: bool = False
    password_required: bool = False
    has_text_layer: bool = True
    landscape_pages: tuple[int, ...] = field(default=())
    rotated_pages: tuple[int, ...] = field(default=())
    has_form: bool = False
    signed: bool = False
    has_outline: bool = False
    pdf_version: str = ""
    source: Path | None = None
    repaired: bool = False
    removed: tuple[str, ...] = field(default=())
    ocr: bool = False
    pdfa_problems: tuple[str, ...] = field(default=())


class _Capture(logging.Handler):
    """Collects records of noisy third-party loggers."""

    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@contextlib.contextmanager
def quiet_libraries() -> Iterator[list[str]]:
    """Silence pypdf/fontTools/fpdf while the block runs; yield the messages they produced.

    Their warnings are about input files ("Object 5 0 not defined") or fonts; they are logged
    at DEBUG on ``dossier.pdf`` instead of reaching the console through logging's last resort.
    """
    capture = _Capture()
    saved = []
    for name in _NOISY_LOGGERS:
        lib = logging.getLogger(name)
        saved.append((lib, lib.propagate, lib.level))
        lib.addHandler(capture)
        lib.propagate = False
        lib.setLevel(logging.DEBUG if log.isEnabledFor(logging.DEBUG) else logging.WARNING)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield capture.messages
    finally:
        for lib, propagate, level in saved:
            lib.removeHandler(capture)
            lib.propagate = propagate
            lib.setLevel(level)
        for message in capture.messages:
            log.debug("%s", scrub(message))


def _name(path: Path) -> str:
    return scrub(path.name)


def display_name(path: Path) -> str:
    """The file name as messages show it (a BSN in it masked)."""
    return _name(Path(path))


def _qpdf_decrypt(data: bytes, password: str, name: str) -> bytes:
    """Decrypt with qpdf in memory (used when pypdf lacks an AES provider)."""
    qpdf = shutil.which("qpdf")
    if qpdf is None:
        raise AssemblyError(
            f"Bestand {name} is versleuteld met AES. Installeer qpdf (apt install qpdf) of het "
            "Python-pakket cryptography om het te kunnen openen."
        )
    # qpdf needs a seekable input file; the encrypted bytes are no secret. The password goes
    # through stdin (--password-file=-), never on the command line; the result stays in memory.
    with tempfile.NamedTemporaryFile(suffix=".pdf") as tmp:
        tmp.write(data)
        tmp.flush()
        args = [qpdf, "--decrypt", tmp.name, "-"]
        if password:
            args.insert(1, "--password-file=-")
        try:
            proc = subprocess.run(
                args,
                input=(password + "\n").encode() if password else b"",
                capture_output=True,
                timeout=QPDF_TIMEOUT,
                check=False,
            )
        except subprocess.TimeoutExpired as exc:
            raise AssemblyError(f"Bestand {name}: ontsleutelen met qpdf duurde te lang.") from exc
    # qpdf exits 3 for "succeeded with warnings".
    if proc.returncode not in (0, 3) or not proc.stdout.startswith(b"%PDF"):
        stderr = proc.stderr.decode("utf-8", "replace")
        if "password" in stderr.lower():
            raise _WrongPassword(name)
        raise AssemblyError(f"Bestand {name} kon niet worden ontsleuteld: {scrub(stderr.strip())}")
    return proc.stdout


class _WrongPassword(AssemblyError):
    def __init__(self, name: str) -> None:
        super().__init__(f"Bestand {name} is versleuteld; {_PASSWORD_HINT}.")


def _candidates(password: str | None) -> list[str]:
    return [""] + ([password] if password else [])


def password_error(name: str, password: str | None) -> AssemblyError:
    """The Dutch error for an encrypted file whose password is missing or wrong."""
    if password:
        return AssemblyError(
            f"Bestand {name} is versleuteld en het opgegeven wachtwoord is onjuist; "
            "controleer bijlagen[].wachtwoord in de casus."
        )
    return _WrongPassword(name)


def _decrypt(
    data: bytes, reader: PdfReader | None, password: str | None, name: str
) -> tuple[PdfReader, bool]:
    """Decrypt: the empty password first, then ``password``. Returns (reader, password needed).

    ``reader`` is None when pypdf could not even construct a reader (it tries the empty
    password in its constructor and fails there on AES without an AES provider).
    """
    if reader is not None:
        try:
            for candidate in _candidates(password):
                if reader.decrypt(candidate):
                    return reader, bool(candidate)
            raise password_error(name, password)
        except DependencyError:
            pass  # AES without the cryptography package: let qpdf do it
    for candidate in _candidates(password):
        try:
            plain = _qpdf_decrypt(data, candidate, name)
        except _WrongPassword:
            continue
        return PdfReader(BytesIO(plain), strict=False), bool(candidate)
    raise password_error(name, password)


def read_pdf_bytes(path: Path) -> bytes:
    """The bytes of a file that claims to be a PDF.

    Raises:
        AssemblyError: missing, a folder, unreadable, empty, or not starting with ``%PDF-``.
    """
    name = _name(path)
    if not path.exists():
        raise AssemblyError(f"Bestand {name} niet gevonden ({scrub(str(path.parent))}).")
    if path.is_dir():
        raise AssemblyError(f"{name} is een map, geen PDF-bestand.")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise AssemblyError(f"Bestand {name} kan niet worden gelezen: {exc.strerror}.") from exc
    if not data:
        raise AssemblyError(f"Bestand {name} is leeg (0 bytes).")
    if b"%PDF-" not in data[:1024]:
        raise AssemblyError(
            f"Bestand {name} is geen PDF (het begint niet met %PDF-); "
            "sla het document opnieuw op als PDF."
        )
    return data


def open_pdf(path: Path, password: str | None = None) -> PdfReader:
    """Open (and if needed decrypt) a PDF for reading.

    Args:
        path: the PDF file.
        password: the user password of an encrypted PDF; the empty password is tried first.

    Returns:
        A decrypted reader.

    Raises:
        AssemblyError: the file is missing, empty, not a PDF, damaged, or cannot be decrypted.
    """
    return _open(Path(path), password)[0]


def _open(path: Path, password: str | None) -> tuple[PdfReader, bool, bool, bytes]:
    """Open a PDF; return (reader, encrypted, a non-empty password was needed, the file's bytes)."""
    name = _name(path)
    needed = False
    data = read_pdf_bytes(path)
    with quiet_libraries():
        try:
            try:
                reader: PdfReader | None = PdfReader(BytesIO(data), strict=False)
                encrypted = reader.is_encrypted
            except DependencyError:
                reader, encrypted = None, True
            if encrypted:
                reader, needed = _decrypt(data, reader, password, name)
            assert reader is not None
            if len(reader.pages) == 0:
                raise AssemblyError(f"Bestand {name} bevat geen pagina's.")
        except AssemblyError:
            raise
        except (PdfReadError, PyPdfError, ValueError, KeyError, TypeError, OSError) as exc:
            raise AssemblyError(
                f"Bestand {name} is beschadigd en kan niet worden gelezen ({scrub(str(exc))}); "
                "open het en sla het opnieuw op als PDF, of vraag de afzender om een nieuw exemplaar."
            ) from exc
    return reader, encrypted, needed, data


def _has_text(data: bytes, password: str | None, pages: list[PageObject]) -> bool:
    """Whether any page has text (:mod:`dossier.pdf.textlayer`); pypdf's extraction decides only
    when pikepdf cannot open the file."""
    for candidate in _candidates(password):
        try:
            with pikepdf.open(BytesIO(data), password=candidate) as pdf:
                return pdf_has_text(pdf)
        except pikepdf.PasswordError:
            continue
        except pikepdf.PdfError:
            break
    for page in pages:
        try:
            if page.extract_text().strip():
                return True
        except Exception:  # any extraction failure means "no text from this page"
            continue
    return False


def _is_signed(reader: PdfReader) -> bool:
    form = reader.trailer["/Root"].get("/AcroForm")
    if form is None:
        return False
    form = form.get_object()
    if int(form.get("/SigFlags", 0)) & 1:
        return True
    for ref in form.get("/Fields", []):
        fld = ref.get_object()
        if fld.get("/FT") == "/Sig" and fld.get("/V") is not None:
            return True
    return False


def _has_form(reader: PdfReader) -> bool:
    form = reader.trailer["/Root"].get("/AcroForm")
    return form is not None and bool(form.get_object().get("/Fields"))


def oversize_message(size: int, name: str) -> str | None:
    """The warning for a document of ``size`` bytes over UWV's upload limit (any file type), or None."""
    if size <= MAX_DOCUMENT_BYTES:
        return None
    return (f"Bestand {name} is {size / 1024 / 1024:.1f} MB; UWV accepteert maximaal 10 MB "
            "per document. Verklein het bestand (bijvoorbeeld door opnieuw te scannen met "
            "een lagere resolutie).")


def inspect_pdf(
    path: Path, *, password: str | None = None, label: str
) -> tuple[PdfInfo | None, list[Issue]]:
    """Check one attachment in place (no repair, no clean copy: see :func:`dossier.pdf.intake.admit_pdf`).

    Args:
        path: the PDF file.
        password: password for an encrypted PDF (the empty password is always tried first).
        label: display name for messages, e.g. "bijlage 3" (the file name is added).

    Returns:
        ``(info, issues)``; ``info`` is None when the file cannot be used at all (then
        ``issues`` holds at least one error).
    """
    path = Path(path)
    try:
        reader, encrypted, password_required, data = _open(path, password)
    except AssemblyError as exc:
        return None, [_issue(label, Severity.fout, exc.message)]
    with quiet_libraries():
        has_text = _has_text(data, password, list(reader.pages))
    info, issues = describe_pdf(reader, path=path, name=_name(path), label=label, size=path.stat().st_size,
                                has_text=has_text)
    return dataclasses.replace(info, encrypted=encrypted, password_required=password_required), issues


def _issue(label: str, severity: Severity, message: str) -> Issue:
    return Issue(severity=severity, source=label, location="", field="", message=message)


def describe_pdf(
    reader: PdfReader, *, path: Path, name: str, label: str, size: int, has_text: bool
) -> tuple[PdfInfo, list[Issue]]:
    """Properties of an opened PDF and the warnings they call for (size, scan, signature).

    Args:
        reader: the opened, decrypted file.
        path: the file ``reader`` read (becomes :attr:`PdfInfo.path`).
        name: the file name shown in messages (the original's when ``path`` is a clean copy).
        label: display name of the attachment, e.g. "bijlage 3".
        size: the file size to check against UWV's limit.
        has_text: whether any page has text (:mod:`dossier.pdf.textlayer`).
    """
    issues: list[Issue] = []
    too_big = oversize_message(size, name)
    if too_big:
        issues.append(_issue(label, Severity.waarschuwing, too_big))

    with quiet_libraries():
        pages = list(reader.pages)
        landscape, rotated = [], []
        for number, page in enumerate(pages, start=1):
            rotation = int(page.get("/Rotate", 0) or 0) % 360
            box = page.cropbox
            wide = abs(box.width) > abs(box.height)
            if rotation % 180:
                wide = not wide
            if wide:
                landscape.append(number)
            if rotation:
                rotated.append(number)
        signed = _is_signed(reader)
        has_form = _has_form(reader)
        try:
            has_outline = bool(reader.outline)
        except (PyPdfError, ValueError, KeyError, TypeError):
            has_outline = False
        version = reader.pdf_header.removeprefix("%PDF-")

    if not has_text:
        issues.append(
            _issue(
                label,
                Severity.waarschuwing,
                f"Bestand {name} is een gescand document zonder tekstlaag (geen doorzoekbare "
                "tekst); bouw met --ocr om het te laten herkennen (ocrmypdf), of doe dat vooraf.",
            )
        )
    if signed:
        issues.append(
            _issue(
                label,
                Severity.waarschuwing,
                f"Bestand {name} is digitaal ondertekend; die handtekening is in het dossier niet "
                "meer geldig omdat elke pagina een stempel krijgt. Bewaar het origineel.",
            )
        )
    info = PdfInfo(
        path=path,
        label=label,
        size_bytes=size,
        page_count=len(pages),
        has_text_layer=has_text,
        landscape_pages=tuple(landscape),
        rotated_pages=tuple(rotated),
        has_form=has_form,
        signed=signed,
        has_outline=has_outline,
        pdf_version=version,
    )
    return info, issues

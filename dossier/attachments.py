"""Attachments made by others, checked before anything is built.

Every problem of every attachment is reported at once, each with one severity decided here:
errors stop the build (missing, unreadable, unsupported, damaged or locked PDFs, medical
documents), warnings do not (scans without a text layer, files over UWV's 10 MB, signed PDFs).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dossier.cases import LoadedCase
from dossier.errors import AssemblyError, Issue, Severity
from dossier.inputs import locate_attachment
from dossier.kinds import KINDS
from dossier.model import Bijlage
from dossier.privacy import scrub
from dossier.settings import Settings

OFFICE_SUFFIXES = {".docx", ".doc", ".odt", ".rtf"}
IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png"}


@dataclass
class PreparedAttachment:
    """An attachment that passed preflight (a PDF, or an office/image file still to convert)."""

    index: int
    bijlage: Bijlage
    source: Path
    pdf: Path | None = None  # set once it is (or has become) a PDF
    office_copy: Path | None = None  # an office file, copied into the work folder for conversion

    @property
    def needs_conversion(self) -> bool:
        return self.pdf is None


def _label(i: int, b: Bijlage) -> str:
    return f"bijlagen[{i + 1}] '{b.bestand}'"


def preflight_attachments(loaded: LoadedCase, work: Path,
                          settings: Settings | None = None) -> tuple[list[PreparedAttachment], list[Issue]]:
    """Check every attachment before anything is built; report all problems at once.

    Errors: missing or unreadable files, unsupported types, damaged (beyond repair) or
    password-protected PDFs without the password, medical documents (never part of the employer's
    dossier). Warnings: scanned documents without a text layer, repaired files, files over UWV's
    10 MB. Every PDF is repaired, sanitised (and with ``settings.ocr`` OCR'd) once, into a clean copy
    in ``work`` that the build uses from here on; the original is never written to.
    """
    opts = settings or Settings()
    case, base = loaded.case, loaded.record.base_dir
    src_name, where = loaded.record.source.name, f"dossier {case.dossiernummer}"
    issues: list[Issue] = []
    prepared: list[PreparedAttachment] = []
    for i, b in enumerate(case.bijlagen):
        item, found = _check_one(i, b, base, work, opts)
        issues += [Issue(sev, src_name, where, f"bijlagen[{i + 1}].{fld}", msg) for sev, fld, msg in found]
        if item is not None:
            prepared.append(item)
    return prepared, issues


_Found = list[tuple[Severity, str, str]]


def _invalid(err: Any, soort: str) -> str:
    from dossier.kinds import ATTACHMENT_KINDS

    if tuple(err.get("loc", ())) == ("soort",):
        return f"onbekende soort '{soort[:60]}'; kies uit: {', '.join(ATTACHMENT_KINDS)}"
    return "verplicht veld ontbreekt of is leeg" if err.get("type") in ("missing", "string_too_short") \
        else "ongeldige waarde"


def check_attachment_file(path: Path, *, titel: str, soort: str, wachtwoord: str | None, work: Path,
                          settings: Settings | None = None) -> list[Issue]:
    """One attachment file through the preflight of a build (same rules, same messages), before it is
    part of a case; the clean copy goes to ``work``. Issues are located at ``bestand`` or ``soort``."""
    from pydantic import ValidationError

    try:
        b = Bijlage.model_validate({"titel": titel, "bestand": path.name, "soort": soort, "wachtwoord": wachtwoord})
    except ValidationError as e:  # an unknown soort, an empty titel
        return [Issue(Severity.fout, path.name, "", ".".join(str(x) for x in err["loc"]) or "bijlage",
                      _invalid(err, soort)) for err in e.errors()]
    _item, found = _check_one(0, b, path.parent, work, settings or Settings())
    return [Issue(sev, path.name, "", fld, msg.replace(_label(0, b), f"'{path.name}'")) for sev, fld, msg in found]


def _check_one(i: int, b: Bijlage, base: Path, work: Path,
               opts: Settings) -> tuple[PreparedAttachment | None, _Found]:
    """One attachment: (the prepared item or None when it cannot be used, its problems)."""
    from dossier.pdf.preflight import oversize_message

    if not KINDS[b.soort].in_dossier:  # medical documents never enter the dossier
        return None, [(Severity.fout, "soort", f"'{b.titel}' is een medisch document en wordt geweigerd: "
                       "medische informatie gaat alleen van de werknemer of bedrijfsarts naar UWV, nooit in het "
                       "dossier van de werkgever")]
    found = locate_attachment(b.bestand, base, opts.bijlagen_map)
    if found.outside:
        return None, [(Severity.fout, "bestand", f"bestand '{b.bestand}' ligt buiten de map van het casusbestand"
                       f"{' en de bijlagenmap' if opts.bijlagen_map else ''} en wordt geweigerd")]
    if found.path is None:
        return None, [(Severity.fout, "bestand", f"bestand '{b.bestand}' niet gevonden (gezocht in {base})")]
    path = found.path
    suffix = path.suffix.lower()
    item = PreparedAttachment(i, b, path)
    if suffix == ".pdf":
        return _check_pdf(item, work, opts)
    if suffix in IMAGE_SUFFIXES:
        found = _check_image(item, work, opts)
    elif suffix in OFFICE_SUFFIXES:
        found = [] if path.stat().st_size else [(Severity.fout, "bestand", f"'{b.bestand}' is leeg (0 bytes)")]
    else:
        found = [(Severity.fout, "bestand", f"bestandstype '{suffix or '(geen)'}' van '{b.bestand}' wordt niet "
                  "ondersteund; gebruik PDF, DOCX, ODT, JPG of PNG")]
    if any(sev is Severity.fout for sev, _f, _m in found):
        return None, found
    too_big = oversize_message(path.stat().st_size, scrub(path.name))
    return item, found + ([(Severity.waarschuwing, "bestand", too_big)] if too_big else [])


def _clean_copy(item: PreparedAttachment, work: Path) -> Path:
    return work / "bijlagen" / f"bijlage-{item.index + 1}.pdf"


def _check_pdf(item: PreparedAttachment, work: Path, opts: Settings) -> tuple[PreparedAttachment | None, _Found]:
    from dossier.pdf.intake import admit_pdf

    info, found = admit_pdf(item.source, _clean_copy(item, work), password=item.bijlage.wachtwoord,
                            label=_label(item.index, item.bijlage), ocr=opts.ocr, pdfa=opts.pdfa)
    problems = [(x.severity, "bestand", x.message) for x in found]
    if info is None:
        return None, problems
    item.pdf = info.path
    return item, problems


def _check_image(item: PreparedAttachment, work: Path, opts: Settings) -> _Found:
    from dossier.pdf import image_to_pdf
    from dossier.pdf.intake import admit_pdf

    try:
        item.pdf = image_to_pdf(item.source, _clean_copy(item, work))
        if opts.ocr:  # a photographed letter is a scan too
            _info, found = admit_pdf(item.pdf, item.pdf, label=_label(item.index, item.bijlage), ocr=True,
                                     pdfa=opts.pdfa)
            return [(x.severity, "bestand", x.message) for x in found]
    except (AssemblyError, OSError, ValueError) as e:
        return [(Severity.fout, "bestand", f"afbeelding '{item.bijlage.bestand}' kan niet worden gelezen: "
                 f"{getattr(e, 'message', e)}")]
    return []


# --- signed scans of generated documents ----------------------------------------------------


@dataclass
class PreparedScan:
    """A signed scan that passed preflight: a clean PDF that takes the place of a generated document."""

    index: int  # 0-based position in ``case.ondertekeningen``
    source: Path
    pdf: Path


def preflight_scans(loaded: LoadedCase, work: Path,
                    settings: Settings | None = None) -> tuple[dict[int, PreparedScan], list[Issue]]:
    """Every ``ondertekeningen[].scan`` through the same intake as attachments (PDF via ``admit_pdf``,
    JPG/PNG via ``image_to_pdf``), into clean copies in ``work``; all problems at once.

    Returns:
        ({record index: prepared scan}, issues located at ``ondertekeningen[N].scan``).
    """
    opts = settings or Settings()
    case, base = loaded.case, loaded.record.base_dir
    src_name, where = loaded.record.source.name, f"dossier {case.dossiernummer}"
    scans: dict[int, PreparedScan] = {}
    issues: list[Issue] = []
    for i, o in enumerate(case.ondertekeningen):
        if not o.scan:
            continue
        # The attachment checks, on a stand-in record: same file rules, same messages.
        stand_in = Bijlage(titel=f"scan {o.document} {o.nummer}", bestand=o.scan)
        item, found = _check_one(i, stand_in, base, work / "scans", opts)
        found = [(sev, fld, scrub(msg.replace(_label(i, stand_in), f"ondertekeningen[{i + 1}] '{o.scan}'")))
                 for sev, fld, msg in found]
        if item is not None and item.pdf is None and not any(s is Severity.fout for s, _f, _m in found):
            found.append((Severity.fout, "scan", f"'{o.scan}' is geen PDF, JPG of PNG; een ondertekende scan "
                          "moet een van die bestandstypen zijn"))
        issues += [Issue(sev, src_name, where, f"ondertekeningen[{i + 1}].scan", msg) for sev, _fld, msg in found]
        if item is not None and item.pdf is not None:
            scans[i] = PreparedScan(i, item.source, item.pdf)
    return scans, issues

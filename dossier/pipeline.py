"""Building outputs for one case: the stages in order (the table of contents of the program).

``build_dossier``: timeline → preflight of the attachments (all problems at once, before anything is
written) → render the documents → convert them to PDF with one LibreOffice → order the parts as UWV
expects → assemble (index, outline, stamps) → publish atomically, plus the optional UWV upload set.
Every intermediate file lives in a private work folder; ``publish`` is the only write to the output.
"""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import tempfile
import time
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from dossier.api import LoadedCase
from dossier.convert import Converter
from dossier.errors import AssemblyError, Issue, Severity, UsageError
from dossier.fileio import atomic_path, atomic_write_bytes, ensure_dir
from dossier.model import Bijlage, Case
from dossier.nl_format import datum
from dossier.pdf.plan import DossierMeta
from dossier.settings import Settings
from dossier.timeline import Tijdlijn, compute_timeline

log = logging.getLogger(__name__)

#: UWV accepts at most 10 MB per uploaded document.
UWV_MAX_BYTES = 10 * 1024 * 1024
OFFICE_SUFFIXES = {".docx", ".doc", ".odt", ".rtf"}
IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png"}

#: RIV order of Part A: (group title, attachment kinds and generated documents in that group).
GROUPS: list[tuple[str, tuple[str, ...]]] = [
    ("Probleemanalyse", ("probleemanalyse", "bijstelling_probleemanalyse")),
    ("Plan van aanpak", ("plan_van_aanpak", "bijstelling_plan_van_aanpak")),
    ("Eerstejaarsevaluatie", ("eerstejaarsevaluatie",)),
    ("Arbeidsdeskundig rapport", ("arbeidsdeskundig_rapport",)),
    ("Tweede spoor", ("trajectplan_tweede_spoor", "inspanningsrapportage", "tweede_spoor")),
    ("Actueel oordeel", ("actueel_oordeel",)),
    ("Eindevaluatie", ("eindevaluatie",)),
    ("Overige bijlagen", ("overig",)),
]
GROUP_OF = {kind: group for group, kinds in GROUPS for kind in kinds}
ORDER_OF = {kind: n for n, (_g, kinds) in enumerate(GROUPS) for kind in kinds}

#: UWV document types to pick in the werkgeversportaal, per kind of part.
UWV_TYPE = {
    "probleemanalyse": "Probleemanalyse",
    "bijstelling_probleemanalyse": "Probleemanalyse (bijstelling)",
    "plan_van_aanpak": "Plan van aanpak",
    "bijstelling_plan_van_aanpak": "Plan van aanpak (bijstelling)",
    "eerstejaarsevaluatie": "Eerstejaarsevaluatie",
    "actueel_oordeel": "Actueel oordeel",
    "eindevaluatie": "Eindevaluatie",
    "arbeidsdeskundig_rapport": "Overige documenten (arbeidsdeskundig rapport)",
    "trajectplan_tweede_spoor": "Overige documenten (tweede spoor)",
    "inspanningsrapportage": "Overige documenten (tweede spoor)",
    "tweede_spoor": "Overige documenten (tweede spoor)",
    "overig": "Overige documenten",
}


def make_converter(settings: Settings) -> Converter:
    """The converter the settings ask for (LibreOffice, or the fake one for tests and dry runs)."""
    if settings.converter == "fake":
        from dossier.convert.fake import FakeConverter

        return FakeConverter()
    from dossier.convert.libreoffice import SofficeConverter

    return SofficeConverter(soffice=settings.soffice, timeout=settings.timeout, pdfa=settings.pdfa)


def build_created(today: date) -> datetime:
    """The fixed creation moment of the PDF: SOURCE_DATE_EPOCH, else the reference date (midnight UTC)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return datetime.fromtimestamp(int(epoch), tz=UTC)
    return datetime(today.year, today.month, today.day, tzinfo=UTC)


# --- attachments ---------------------------------------------------------------------------


@dataclass
class PreparedAttachment:
    """An attachment that passed preflight (a PDF, or an office/image file still to convert)."""

    index: int
    bijlage: Bijlage
    source: Path
    pdf: Path | None = None  # set once it is (or has become) a PDF


def _label(i: int, b: Bijlage) -> str:
    return f"bijlagen[{i + 1}] '{b.bestand}'"


def preflight_attachments(loaded: LoadedCase, work: Path,
                          settings: Settings | None = None) -> tuple[list[PreparedAttachment], list[Issue]]:
    """Check every attachment before anything is built; report all problems at once.

    Errors: missing or unreadable files, unsupported types, damaged or password-protected PDFs
    without the password, medical documents (never part of the employer's dossier). Warnings:
    scanned documents without a text layer, files over UWV's 10 MB. Every PDF is repaired, sanitised
    (and with ``settings.ocr`` OCR'd) once, into a clean copy in ``work`` that the build uses from here on.
    """
    from dossier.pdf import image_to_pdf
    from dossier.pdf.intake import admit_pdf

    opts = settings or Settings()

    case, base = loaded.case, loaded.record.base_dir
    src_name, where = loaded.record.source.name, f"dossier {case.dossiernummer}"
    issues: list[Issue] = []
    prepared: list[PreparedAttachment] = []

    def add(sev: Severity, i: int, fld: str, msg: str) -> None:
        issues.append(Issue(sev, src_name, where, f"bijlagen[{i + 1}].{fld}", msg))

    for i, b in enumerate(case.bijlagen):
        try:
            path = (base / b.bestand).resolve()
            exists = path.is_file()
        except (OSError, ValueError):  # a name too long or otherwise impossible for this file system
            exists = False
        if b.soort == "medisch":
            add(Severity.fout, i, "soort", f"'{b.titel}' is een medisch document en wordt geweigerd: medische "
                "informatie gaat alleen van de werknemer of bedrijfsarts naar UWV, nooit in het dossier van de "
                "werkgever")
            continue
        if not exists:
            add(Severity.fout, i, "bestand", f"bestand '{b.bestand}' niet gevonden (gezocht in {base})")
            continue
        suffix = path.suffix.lower()
        item = PreparedAttachment(i, b, path)
        if suffix == ".pdf":
            info, found = admit_pdf(path, work / "bijlagen" / f"bijlage-{i + 1}.pdf", password=b.wachtwoord,
                                    label=_label(i, b), ocr=opts.ocr, pdfa=opts.pdfa)
            issues.extend(_relocate(found, src_name, where, i))
            if info is None:
                continue
            item.pdf = info.path
        elif suffix in IMAGE_SUFFIXES:
            try:
                item.pdf = image_to_pdf(path, work / "bijlagen" / f"bijlage-{i + 1}.pdf")
                if opts.ocr:  # a photographed letter is a scan too
                    _info, found = admit_pdf(item.pdf, item.pdf, label=_label(i, b), ocr=True, pdfa=opts.pdfa)
                    issues.extend(_relocate(found, src_name, where, i))
            except (AssemblyError, OSError, ValueError) as e:
                add(Severity.fout, i, "bestand", f"afbeelding '{b.bestand}' kan niet worden gelezen: "
                    f"{getattr(e, 'message', e)}")
                continue
        elif suffix in OFFICE_SUFFIXES:
            if path.stat().st_size == 0:
                add(Severity.fout, i, "bestand", f"'{b.bestand}' is leeg (0 bytes)")
                continue
        else:
            add(Severity.fout, i, "bestand", f"bestandstype '{suffix or '(geen)'}' van '{b.bestand}' wordt niet "
                "ondersteund; gebruik PDF, DOCX, ODT, JPG of PNG")
            continue
        if suffix != ".pdf" and path.stat().st_size > UWV_MAX_BYTES:  # admit_pdf warns for PDFs itself
            add(Severity.waarschuwing, i, "bestand", f"'{b.bestand}' is groter dan 10 MB; UWV accepteert per "
                "document maximaal 10 MB")
        prepared.append(item)
    return prepared, issues


def _relocate(found: list[Issue], src: str, where: str, i: int) -> list[Issue]:
    """Issues from the PDF layer, placed at the case file, case and attachment field."""
    return [Issue(x.severity, src, where, f"bijlagen[{i + 1}].bestand", x.message) for x in found]


def missing_riv_parts(case: Case, tl: Tijdlijn) -> list[tuple[str, str]]:
    """RIV parts that should be there by now but are not (warnings: the dossier still builds)."""
    kinds = {b.soort for b in case.bijlagen}
    out: list[tuple[str, str]] = []
    today = tl.today

    def due(code: str) -> bool:
        m = tl.get(code)
        return m is not None and (m.vanaf or m.uiterlijk) <= today

    if due("probleemanalyse") and "probleemanalyse" not in kinds:
        out.append(("bijlagen", "de probleemanalyse van de bedrijfsarts ontbreekt als bijlage (soort "
                                "'probleemanalyse'); die is verplicht in het re-integratieverslag"))
    if due("plan_van_aanpak") and not (case.plan_van_aanpak and case.plan_van_aanpak.datum):
        out.append(("plan_van_aanpak.datum", "het plan van aanpak is nog niet opgesteld (geen datum)"))
    if due("eerstejaarsevaluatie") and not (case.eerstejaarsevaluatie and case.eerstejaarsevaluatie.datum):
        out.append(("eerstejaarsevaluatie.datum", "de eerstejaarsevaluatie ontbreekt"))
    if due("wia_brief"):
        if "actueel_oordeel" not in kinds:
            out.append(("bijlagen", "het actueel oordeel van de bedrijfsarts ontbreekt als bijlage (soort "
                                    "'actueel_oordeel'); nodig voor de WIA-aanvraag"))
        if not (case.eindevaluatie and case.eindevaluatie.datum):
            out.append(("eindevaluatie.datum", "de eindevaluatie ontbreekt; nodig voor de WIA-aanvraag"))
    return out


# --- documents -----------------------------------------------------------------------------


@dataclass
class BuildResult:
    """What ``build_dossier`` wrote and found."""

    pdf: Path
    index_json: Path
    pages: int
    parts: list[dict[str, object]] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)
    uwv_files: list[Path] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)


@dataclass
class _Piece:
    """One part of the dossier before assembly."""

    kind: str
    title: str
    datum: date | None
    pdf: Path
    auteurs: str = ""
    password: str | None = None
    key: str = ""


def _author(case: Case, kind: str) -> str:
    """Who wrote or signed a generated document (UWV: each part names authors with their function)."""
    wg = case.werkgever.contactpersoon
    employer = f"{wg.naam} ({wg.functie})" if wg and wg.functie else (wg.naam if wg else case.werkgever.naam)
    employee = f"{case.werknemer.naam} (werknemer)"
    if kind in ("trajectplan_tweede_spoor", "inspanningsrapportage"):
        ts = case.tweede_spoor
        c = (ts.consulent if ts and ts.consulent else None) or case.reintegratiebedrijf
        if c is not None:
            role = ", ".join(x for x in (c.functie, c.organisatie) if x)
            return f"{c.naam} ({role})" if role else c.naam
    return f"{employer}; {employee}"


def _ordered(pieces: list[_Piece]) -> list[_Piece]:
    """Part A order by group; chronological within a group, generated documents first on ties."""
    return sorted(pieces, key=lambda p: (ORDER_OF.get(p.kind, len(GROUPS)), p.datum or date.max, p.key))


@dataclass
class CaseWork:
    """One case between the three stages of a build.

    ``prepare_*`` (Python: preflight, render) → ``convert`` (LibreOffice) → ``finish_*`` (Python:
    assemble, publish). Keeping them apart lets a batch render the next case and assemble the previous
    one while LibreOffice converts this one. ``close()`` removes the private work folder.
    """

    loaded: LoadedCase
    settings: Settings
    today: date
    work: Path
    tl: Tijdlijn
    jobs: list[Any] = field(default_factory=list)
    docx: list[Path] = field(default_factory=list)
    attachments: list[PreparedAttachment] = field(default_factory=list)
    office: list[PreparedAttachment] = field(default_factory=list)
    office_src: list[Path] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)
    pdf_dir: Path | None = None
    pdfs: list[Path] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    _clock: float = field(default_factory=time.perf_counter)

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.timings[name] = round(self.timings.get(name, 0.0) + now - self._clock, 3)
        self._clock = now

    def convert(self, converter: Converter) -> None:
        """Stage 2: every office document of the case through one LibreOffice call."""
        self._clock = time.perf_counter()
        sources = [*self.docx, *self.office_src]
        self.pdfs = converter.to_pdf(sources, self.pdf_dir or self.work / "pdf") if sources else []
        for a, pdf in zip(self.office, self.pdfs[len(self.docx):], strict=True):
            a.pdf = pdf
        self.lap("convert")

    def close(self) -> None:
        if self.settings.keep_work:
            log.warning("Werkmap bewaard: %s", self.work)
        else:
            shutil.rmtree(self.work, ignore_errors=True)


def _new_work(loaded: LoadedCase, settings: Settings, today: date) -> CaseWork:
    tl = compute_timeline(loaded.case, today=today, wia_aanvraag_week=settings.wia_aanvraag_week)
    return CaseWork(loaded, settings, today, Path(tempfile.mkdtemp(prefix="dossier-")), tl)


def prepare_dossier(loaded: LoadedCase, *, settings: Settings, today: date) -> CaseWork:
    """Stage 1 of a build: preflight of the attachments (every problem at once, before anything is
    written), then render the documents and the cover.

    Raises:
        AssemblyError: an attachment cannot be used (all problems listed in ``issues``).
        CaseDataError: with ``settings.strict``, when there are warnings.
        TemplateRenderError: a template is broken.
    """
    from dossier.errors import CaseDataError
    from dossier.render import plan_documents, plan_voorblad, render_jobs

    w = _new_work(loaded, settings, today)
    try:
        case = loaded.case
        src, where = loaded.record.source.name, f"dossier {case.dossiernummer}"
        w.attachments, issues = preflight_attachments(loaded, w.work, settings)
        issues += [Issue(Severity.waarschuwing, src, where, f, m) for f, m in missing_riv_parts(case, w.tl)]
        errors = [i for i in issues if i.severity is Severity.fout]
        if errors:
            raise AssemblyError(f"dossier {case.dossiernummer}: {len(errors)} probleem/problemen met de bijlagen",
                                issues)
        if settings.strict and issues:
            raise CaseDataError(f"dossier {case.dossiernummer}: {len(issues)} waarschuwing(en) en --strict staat aan",
                                issues)
        w.warnings = issues
        w.lap("preflight")
        w.jobs = plan_documents(case, w.tl, soort="alle", settings=settings, today=today)
        cover_job = plan_voorblad(case, w.tl, settings=settings, today=today)
        w.docx = render_jobs([cover_job, *w.jobs], w.work / "docx", settings=settings)
        w.office = [a for a in w.attachments if a.pdf is None]
        for a in w.office:  # copied under a unique name: two attachments may share a file name
            target = w.work / "office" / f"bijlage-{a.index + 1}{a.source.suffix.lower()}"
            ensure_dir(target.parent)
            shutil.copyfile(a.source, target)
            w.office_src.append(target)
        w.lap("render")
        return w
    except BaseException:
        w.close()
        raise


def finish_dossier(w: CaseWork, *, out: Path, uwv_dir: Path | None = None) -> BuildResult:
    """Stage 3 of a build: order the parts as UWV expects (Part A), assemble and publish atomically."""
    from dossier.pdf import Part, assemble_dossier
    from dossier.pdf.intake import sanitize_in_place

    w._clock = time.perf_counter()
    for a in w.office:  # LibreOffice's PDF of an office attachment: its links may point at local files
        sanitize_in_place(a.pdf, label=_label(a.index, a.bijlage))
    case, n_docx = w.loaded.case, len(w.docx)
    pieces = [_Piece(j.soort, j.titel, j.datum, pdf, _author(case, j.soort), key=f"{j.soort}-{n}")
              for n, (j, pdf) in enumerate(zip(w.jobs, w.pdfs[1:n_docx], strict=True), start=1)]
    pieces += [_Piece(a.bijlage.soort, a.bijlage.titel, a.bijlage.datum, a.pdf, a.bijlage.auteur or "",
                      a.bijlage.wachtwoord, key=f"bijlage-{a.index + 1}")
               for a in w.attachments if a.pdf is not None]
    ordered = _ordered(pieces)
    parts = [Part(key=p.key, title=p.title, group=GROUP_OF.get(p.kind, "Overige bijlagen"), pdf=p.pdf,
                  datum=p.datum, auteurs=p.auteurs, password=p.password) for p in ordered]
    cover = Part(key="voorblad", title="Voorblad", group="Voorblad", pdf=w.pdfs[0], in_index=False)
    meta = replace(dossier_meta(case, w.today), pdfa=w.settings.pdfa)
    staged = w.work / "dossier.pdf"
    result = assemble_dossier(cover, parts, staged, meta)
    w.lap("assemble")

    # Publish: the only writes outside the work folder.
    index = {"dossiernummer": case.dossiernummer, "paginas": result.total_pages,
             "delen": [_placement_dict(pl) for pl in result.parts]}
    with atomic_path(out) as tmp:
        shutil.copyfile(staged, tmp)
    index_json = atomic_write_bytes(out.with_suffix(".index.json"),
                                    json.dumps(index, ensure_ascii=False, indent=2).encode("utf-8"))
    uwv_files = write_uwv_set(case, ordered, uwv_dir, meta=meta) if uwv_dir is not None else []
    w.lap("publish")
    return BuildResult(out, index_json, result.total_pages, index["delen"], w.warnings, uwv_files, w.timings)


def build_dossier(loaded: LoadedCase, *, out: Path, settings: Settings, today: date,
                  converter: Converter | None = None, uwv_dir: Path | None = None) -> BuildResult:
    """Build the complete, indexed PDF re-integration dossier of one case (the three stages in a row).

    Raises:
        AssemblyError: an attachment cannot be used (all problems listed in ``issues``).
        CaseDataError: with ``settings.strict``, when there are warnings.
        TemplateRenderError, ConversionError, MissingDependencyError: as their names say.
    """
    conv = converter or make_converter(settings)
    try:
        conv.start()  # LibreOffice starts while the documents render
        w = prepare_dossier(loaded, settings=settings, today=today)
        try:
            w.convert(conv)
            return finish_dossier(w, out=out, uwv_dir=uwv_dir)
        finally:
            w.close()
    finally:
        if converter is None:
            conv.close()


def _placement_dict(pl: object) -> dict[str, object]:
    keys = ("key", "title", "group", "start_page", "end_page", "page_count")
    return {k: getattr(pl, k) for k in keys if hasattr(pl, k)}


def dossier_meta(case: Case, today: date) -> DossierMeta:
    """Titles, stamp texts and the fixed creation moment of a case's dossier."""
    bsn = f" · BSN {case.werknemer.bsn}" if case.werknemer.bsn else ""
    return DossierMeta(
        title=f"Re-integratiedossier {case.werknemer.naam}",
        subject=f"Re-integratieverslag WIA — {case.werknemer.naam} — dossier {case.dossiernummer}",
        author=case.werkgever.naam,
        stamp_left=f"{case.dossiernummer} · {case.werknemer.naam}{bsn}",
        created=build_created(today),
        index_intro=f"{case.werknemer.naam} · {case.werkgever.naam} · opgemaakt op {datum(today)}",
    )


# --- UWV upload set ------------------------------------------------------------------------


def _safe_name(text: str) -> str:
    return re.sub(r"[^\w\- .()]+", "", text, flags=re.UNICODE).strip()


def write_uwv_set(case: Case, ordered: list[_Piece], uwv_dir: Path, *, meta: DossierMeta) -> list[Path]:
    """Each RIV part as its own PDF named by UWV document type and date, BSN on every page.

    File names never contain the BSN. ``overzicht.txt`` says what to upload under which type.
    """
    from dossier.pdf.single import stamp_single

    ensure_dir(uwv_dir)
    written: list[Path] = []
    lines = [f"Uploadset re-integratieverslag — dossier {case.dossiernummer}, {case.werknemer.naam}",
             "Upload elk bestand in het werkgeversportaal van UWV (Uploaden > Re-integratieverslag) en kies",
             "het documenttype dat hieronder staat. Onderteken elk document. Het BSN staat op elke pagina.",
             "Medische informatie hoort niet in deze set: die stuurt de werknemer of de bedrijfsarts zelf.", ""]
    bsn = f"BSN {case.werknemer.bsn}" if case.werknemer.bsn else "BSN: (ontbreekt in de casus)"
    for n, p in enumerate(ordered, start=1):
        when = p.datum.isoformat() if p.datum else "zonder-datum"
        short = re.sub(r"\s*\(.*?\)", "", p.title)  # "Inspanningsrapportage 1 (12 januari …)" → short
        name = f"{n:02d} {_safe_name(short)} {when}.pdf"
        target = uwv_dir / name
        stamp_single(p.pdf, target, meta=meta, left=f"{case.werknemer.naam} · {bsn} · {p.title}",
                     title=f"{p.title} — {case.werknemer.naam}", password=p.password)
        size = target.stat().st_size
        note = "  LET OP: groter dan 10 MB" if size > UWV_MAX_BYTES else ""
        lines.append(f"{name}\n    documenttype: {UWV_TYPE.get(p.kind, 'Overige documenten')}; "
                     f"datum {datum(p.datum) or 'onbekend'}; {size / 1024:.0f} kB{note}")
        written.append(target)
    atomic_write_bytes(uwv_dir / "overzicht.txt", ("\n".join(lines) + "\n").encode("utf-8"))
    return [*written, uwv_dir / "overzicht.txt"]


# --- per-case processing for render and batch -----------------------------------------------


def prepare_documents(loaded: LoadedCase, out_dir: Path, *, soort: str, settings: Settings, today: date,
                      pdf: bool = True) -> CaseWork:
    """Stage 1 for documents: render one kind (or ``alle``) into ``out_dir``; PDFs follow in stage 2."""
    from dossier.render import plan_documents, render_jobs

    w = _new_work(loaded, settings, today)
    try:
        w.jobs = plan_documents(loaded.case, w.tl, soort=soort, settings=settings, today=today)
        if not w.jobs:
            raise UsageError(f"dossier {loaded.case.dossiernummer}: geen gegevens voor '{soort}'")
        rendered = render_jobs(w.jobs, out_dir, settings=settings)
        w.docx = rendered if pdf else []
        w.pdfs = [] if pdf else rendered  # nothing to convert: the DOCX files are the result
        w.pdf_dir = out_dir
        w.lap("render")
        return w
    except BaseException:
        w.close()
        raise


def finish_documents(w: CaseWork) -> list[Path]:
    """Stage 3 for documents: the files written (DOCX, then PDF)."""
    return [*w.docx, *w.pdfs] if w.docx else list(w.pdfs)


def render_documents(loaded: LoadedCase, out_dir: Path, *, soort: str, settings: Settings, today: date,
                     pdf: bool, converter: Converter | None = None) -> list[Path]:
    """Render one kind of document (or ``alle``) for a case into ``out_dir`` (DOCX, and PDF with ``pdf``)."""
    conv = (converter or make_converter(settings)) if pdf else None
    try:
        if conv is not None:
            conv.start()
        w = prepare_documents(loaded, out_dir, soort=soort, settings=settings, today=today, pdf=pdf)
        try:
            if conv is not None:
                w.convert(conv)
            return finish_documents(w)
        finally:
            w.close()
    finally:
        if conv is not None and converter is None:
            conv.close()


def prepare_case(loaded: LoadedCase, out_dir: Path, *, soort: str, settings: Settings, today: date) -> CaseWork:
    """Stage 1 of what a batch does for one case (the full dossier, or documents as DOCX + PDF)."""
    if soort == "dossier":
        return prepare_dossier(loaded, settings=settings, today=today)
    return prepare_documents(loaded, out_dir, soort=soort, settings=settings, today=today, pdf=True)


def finish_case(w: CaseWork, out_dir: Path, *, soort: str) -> list[Path]:
    """Stage 3 of what a batch does for one case; returns the files written into ``out_dir``."""
    if soort == "dossier":
        nr = w.loaded.case.dossiernummer
        result = finish_dossier(w, out=out_dir / f"{nr}.pdf")
        return [result.pdf, result.index_json]
    return finish_documents(w)


def process_case(loaded: LoadedCase, out_dir: Path, *, soort: str, settings: Settings, today: date,
                 converter: Converter) -> list[Path]:
    """What a batch does for one case, the three stages in a row."""
    w = prepare_case(loaded, out_dir, soort=soort, settings=settings, today=today)
    try:
        w.convert(converter)
        return finish_case(w, out_dir, soort=soort)
    finally:
        w.close()

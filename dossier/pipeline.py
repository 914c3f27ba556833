"""Building outputs for one case: the stages in order (the table of contents of the program).

Every build runs the same three stages on a :class:`CaseWork`, written once in :func:`run_stages`:

1. **prepare** (Python) — timeline and findings, preflight of the attachments (every problem at
   once, before anything is written), render the documents (and the cover) to DOCX;
2. **convert** (LibreOffice) — every office document of the case in one call of the converter;
3. **finish** (Python) — for a dossier: order the parts as UWV expects, assemble (index, outline,
   stamps) and publish atomically, plus the optional UWV upload set; for documents: the files.

Keeping the stages apart lets a batch render the next case and assemble the previous one while
LibreOffice converts this one. Every intermediate file lives in the case's private work folder;
publishing is the only write to the output.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import logging
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TypeVar

from dossier.attachments import PreparedAttachment, preflight_attachments, preflight_scans
from dossier.cases import LoadedCase
from dossier.convert import Converter, make_converter
from dossier.errors import AssemblyError, CaseDataError, Issue, Severity, UsageError
from dossier.fileio import atomic_path, ensure_dir, output_errors
from dossier.findings import case_findings, signing_errors
from dossier.kinds import KINDS, group_position
from dossier.model import Case
from dossier.nl_format import datum
from dossier.pdf.plan import DossierMeta, Part
from dossier.privacy import scrub
from dossier.render import DocumentJob
from dossier.settings import Settings
from dossier.timeline import Tijdlijn, compute_timeline

log = logging.getLogger(__name__)

T = TypeVar("T")

#: What a batch or ``render`` makes per case besides a single kind: every document, or the dossier.
ALLE, DOSSIER = "alle", "dossier"


def build_created(today: date) -> datetime:
    """The fixed creation moment of the PDF: SOURCE_DATE_EPOCH, else the reference date (midnight UTC)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return datetime.fromtimestamp(int(epoch), tz=UTC)
    return datetime(today.year, today.month, today.day, tzinfo=UTC)


# --- the stage products --------------------------------------------------------------------


@dataclass
class Document:
    """A generated document between the stages: its job, its DOCX and (after stage 2) its PDF.

    ``scan`` is the clean copy of its signed scan (``ondertekeningen[].scan``): then the DOCX is not
    converted and the scan is the document's PDF in the dossier and the UWV set.
    """

    job: DocumentJob
    docx: Path
    pdf: Path | None = None
    scan: Path | None = None


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
    scans: list[str] = field(default_factory=list)
    """Titles of the documents whose signed scan took the place of the generated version."""


@dataclass
class CaseWork:
    """One case between the stages, with its products by name. Use it as a context manager:
    leaving it removes the private work folder (kept with ``settings.keep_work``).

    Attributes:
        cover: the dossier's cover (None when building documents only).
        documents: the generated documents, in RIV order.
        attachments: the attachments that passed preflight (PDFs, images made PDF, office files).
        pdf_dir: where stage 2 writes its PDFs (the work folder, or the output folder for documents).
        warnings: findings and attachment warnings of stage 1.
    """

    loaded: LoadedCase
    settings: Settings
    today: date
    tl: Tijdlijn
    folder: Path
    pdf_dir: Path
    cover: Document | None = None
    documents: list[Document] = field(default_factory=list)
    attachments: list[PreparedAttachment] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)
    convert_documents: bool = True
    timings: dict[str, float] = field(default_factory=dict)
    _clock: float = field(default_factory=time.perf_counter)

    @classmethod
    def open(cls, loaded: LoadedCase, *, settings: Settings, today: date, pdf_dir: Path | None = None) -> CaseWork:
        """A new work folder and the case's timeline."""
        tl = compute_timeline(loaded.case, today=today, wia_aanvraag_week=settings.wia_aanvraag_week)
        folder = Path(tempfile.mkdtemp(prefix="dossier-"))
        return cls(loaded, settings, today, tl, folder, pdf_dir or folder / "pdf")

    def __enter__(self) -> CaseWork:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self.settings.keep_work:
            log.warning("Werkmap bewaard: %s", self.folder)
        else:
            shutil.rmtree(self.folder, ignore_errors=True)

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.timings[name] = round(self.timings.get(name, 0.0) + now - self._clock, 3)
        self._clock = now

    def _to_convert(self) -> list[tuple[Path, Document | PreparedAttachment]]:
        """(source, product that receives its PDF): cover, documents, then office attachments."""
        docs = [self.cover] if self.cover is not None else []
        docs += [d for d in self.documents if d.scan is None] if self.convert_documents else []
        out: list[tuple[Path, Document | PreparedAttachment]] = [(d.docx, d) for d in docs]
        out += [(a.office_copy, a) for a in self.attachments if a.office_copy is not None]
        return out

    def convert(self, converter: Converter) -> None:
        """Stage 2: every office document of the case through one call of the converter."""
        self._clock = time.perf_counter()
        from dossier.convert.cache import convert_case

        todo = self._to_convert()
        if todo:
            pdfs = convert_case(converter, [src for src, _ in todo], self.pdf_dir,
                                dossier=self.loaded.case.dossiernummer)
            for (_src, product), pdf in zip(todo, pdfs, strict=True):
                product.pdf = pdf
        self.lap("convert")


# --- the three stages, written once --------------------------------------------------------


@contextlib.contextmanager
def converter_for(settings: Settings, converter: Converter | None = None) -> Iterator[Converter]:
    """The given converter, or a new one (started at once, so LibreOffice warms up while the
    documents render) that is closed afterwards."""
    if converter is not None:
        yield converter
        return
    from dossier.convert.cache import with_cache

    conv = with_cache(make_converter(settings), settings)
    try:
        conv.start()
        yield conv
    finally:
        conv.close()


def run_stages(prepare: Callable[[], CaseWork], finish: Callable[[CaseWork], T],
               converter: Converter | None) -> T:
    """prepare → convert (skipped without a converter) → finish; the work folder is always removed."""
    with prepare() as w:
        if converter is not None:
            w.convert(converter)
        return finish(w)


def _prepared(w: CaseWork, fill: Callable[[CaseWork], None]) -> CaseWork:
    """Run stage 1's ``fill`` on a new work folder; a failure removes the folder before it propagates."""
    try:
        fill(w)
        return w
    except BaseException:
        w.close()
        raise


# --- the dossier ---------------------------------------------------------------------------


def prepare_dossier(loaded: LoadedCase, *, settings: Settings, today: date) -> CaseWork:
    """Stage 1 of a build: findings and preflight of the attachments (every problem at once,
    before anything is written), then render the documents and the cover.

    Raises:
        AssemblyError: an attachment cannot be used (all problems listed in ``issues``).
        CaseDataError: with ``settings.strict``, when there are warnings.
        TemplateRenderError: a template is broken.
    """
    return _prepared(CaseWork.open(loaded, settings=settings, today=today), _fill_dossier)


def _fill_dossier(w: CaseWork) -> None:
    from dossier.render import plan_documents, plan_voorblad

    case, loaded, settings = w.loaded.case, w.loaded, w.settings
    jobs = plan_documents(case, w.tl, soort=ALLE, settings=settings, today=w.today)
    w.attachments, found = preflight_attachments(loaded, w.folder, settings)
    scans, scan_issues = preflight_scans(loaded, w.folder, settings)
    src, where = loaded.record.source.name, f"dossier {case.dossiernummer}"
    wrong = [f.issue(src, where, Severity.fout) for f in signing_errors(case, w.tl, settings=settings, jobs=jobs)]
    issues = [*loaded.issues, *found, *scan_issues, *wrong]
    issues += [f.issue(src, where) for f in case_findings(case, w.tl, settings=settings, jobs=jobs)]
    errors = [i for i in issues if i.severity is Severity.fout]
    if wrong:  # a record that names no document is a data error, not a file problem
        what = "1 ondertekening past" if len(wrong) == 1 else f"{len(wrong)} ondertekeningen passen"
        raise CaseDataError(f"dossier {case.dossiernummer}: {what} bij geen document", issues)
    if errors:
        raise AssemblyError(f"dossier {case.dossiernummer}: {len(errors)} probleem/problemen met de bijlagen of "
                            "scans", issues)
    blocking = [i for i in issues if settings.blocks(i)]
    if blocking:
        flag = "--strict-alle" if settings.strict_alle else "--strict"
        raise CaseDataError(f"dossier {case.dossiernummer}: {len(blocking)} waarschuwing(en) en {flag} staat aan",
                            issues)
    w.warnings = issues
    w.lap("preflight")
    cover_job = plan_voorblad(case, w.tl, settings=settings, today=w.today)
    w.cover, *w.documents = _render(w, [cover_job, *jobs], w.folder / "docx")
    index = {id(o): i for i, o in enumerate(case.ondertekeningen)}
    for d in w.documents:
        o = d.job.ondertekening
        scan = scans.get(index[id(o)]) if o is not None else None
        if scan is not None:
            d.scan = d.pdf = scan.pdf
            log.info("%s: %s komt uit de ondertekende scan %s", case.dossiernummer, d.job.titel,
                     scrub(o.scan or ""))
    for a in w.attachments:
        if a.needs_conversion:  # copied under a unique name: two attachments may share a file name
            a.office_copy = w.folder / "office" / f"bijlage-{a.index + 1}{a.source.suffix.lower()}"
            ensure_dir(a.office_copy.parent)
            shutil.copyfile(a.source, a.office_copy)
    w.lap("render")


def _render(w: CaseWork, jobs: list[DocumentJob], out_dir: Path) -> list[Document]:
    from dossier.render import render_jobs

    docx = render_jobs(jobs, out_dir, settings=w.settings, dossier=w.loaded.case.dossiernummer)
    return [Document(job, d) for job, d in zip(jobs, docx, strict=True)]


def _author(case: Case, kind: str) -> str:
    """Who wrote or signed a generated document (UWV: each part names authors with their function)."""
    wg = case.werkgever.contactpersoon
    employer = f"{wg.naam} ({wg.functie})" if wg and wg.functie else (wg.naam if wg else case.werkgever.naam)
    employee = f"{case.werknemer.naam} (werknemer)"
    if kind == "oordeel_werknemer":  # the employee's own judgement
        return employee
    if kind in ("trajectplan_tweede_spoor", "inspanningsrapportage"):
        ts = case.tweede_spoor
        c = (ts.consulent if ts and ts.consulent else None) or case.reintegratiebedrijf
        if c is not None:
            role = ", ".join(x for x in (c.functie, c.organisatie) if x)
            return f"{c.naam} ({role})" if role else c.naam
    return f"{employer}; {employee}"


def signed_text(d: Document) -> str:
    """"ondertekend op …" for the index: the last party's date once every party signed (or a scan is there);
    a scan without dates says only that it is signed."""
    from dossier.findings import unsigned_by

    o = d.job.ondertekening
    dates = [x for x in (o.werkgever, o.werknemer, o.reintegratiebedrijf) if x is not None] if o else []
    if dates and not unsigned_by(d.job):
        return f"ondertekend op {datum(max(dates))}" + (" (scan)" if d.scan is not None else "")
    return "ondertekende scan" if d.scan is not None else ""


def _document_part(case: Case, n: int, d: Document) -> Part:
    assert d.pdf is not None
    signed = signed_text(d)
    auteurs = _author(case, d.job.soort) + (f"\n{signed}" if signed else "")  # its own line in the index
    return Part(key=f"{d.job.soort}-{n}", title=d.job.titel, group=d.job.kind.group, pdf=d.pdf,
                datum=d.job.datum, auteurs=auteurs, kind=d.job.soort)


def dossier_parts(w: CaseWork) -> list[Part]:
    """The parts in the order of the RIV: by group; chronological within a group, generated documents
    first on ties. A document with a signed scan is that scan, in the document's place."""
    case = w.loaded.case
    parts = [_document_part(case, n, d) for n, d in enumerate(w.documents, start=1) if d.pdf is not None]
    parts += [Part(key=f"bijlage-{a.index + 1}", title=a.bijlage.titel, group=KINDS[a.bijlage.soort].group,
                   pdf=a.pdf, datum=a.bijlage.datum, auteurs=a.bijlage.auteur or "", password=a.bijlage.wachtwoord,
                   kind=a.bijlage.soort)
              for a in w.attachments if a.pdf is not None]
    return sorted(parts, key=lambda p: (group_position(p.kind), p.datum or date.max, p.key))


def finish_dossier(w: CaseWork, *, out: Path, uwv_dir: Path | None = None) -> BuildResult:
    """Stage 3 of a build: order the parts as UWV expects (Part A), assemble and publish atomically."""
    from dossier.pdf import assemble_dossier
    from dossier.pdf.intake import sanitize_in_place
    from dossier.uwv import write_uwv_set

    w._clock = time.perf_counter()
    for a in w.attachments:  # LibreOffice's PDF of an office attachment: its links may point at local files
        if a.office_copy is not None and a.pdf is not None:
            sanitize_in_place(a.pdf, label=f"bijlagen[{a.index + 1}] '{a.bijlage.bestand}'")
    case = w.loaded.case
    parts = dossier_parts(w)
    assert w.cover is not None and w.cover.pdf is not None
    cover = Part(key="voorblad", title="Voorblad", group="Voorblad", pdf=w.cover.pdf, in_index=False)
    meta = dataclasses.replace(dossier_meta(case, w.today), pdfa=w.settings.pdfa)
    staged = w.folder / "dossier.pdf"
    result = assemble_dossier(cover, parts, staged, meta)
    w.lap("assemble")

    # Publish: the only writes outside the work folder.
    keys = ("key", "title", "group", "start_page", "end_page", "page_count")
    bron = {f"{d.job.soort}-{n}": "scan" if d.scan is not None else "gegenereerd"
            for n, d in enumerate(w.documents, start=1)}
    index = {"dossiernummer": case.dossiernummer, "paginas": result.total_pages,
             "delen": [{**{k: pl.to_dict()[k] for k in keys}, "bron": bron.get(pl.key, "bijlage")}
                       for pl in result.parts]}
    index_json = out.with_suffix(".index.json")
    # A full or read-only disk: exit 6, and neither file half-written.
    with output_errors(out), atomic_path(out) as tmp, atomic_path(index_json) as tmp_index:
        shutil.copyfile(staged, tmp)
        tmp_index.write_bytes(json.dumps(index, ensure_ascii=False, indent=2).encode("utf-8"))
    signed = {f"{d.job.soort}-{n}": signed_text(d) for n, d in enumerate(w.documents, start=1)}
    with output_errors(uwv_dir or out):
        uwv_files = (write_uwv_set(case, parts, uwv_dir, meta=meta, tijdlijn=w.tl, ondertekend=signed)
                     if uwv_dir is not None else [])
    w.lap("publish")
    scans = [d.job.titel for d in w.documents if d.scan is not None]
    return BuildResult(out, index_json, result.total_pages, index["delen"], w.warnings, uwv_files, w.timings,
                       scans)


def build_dossier(loaded: LoadedCase, *, out: Path, settings: Settings, today: date,
                  converter: Converter | None = None, uwv_dir: Path | None = None) -> BuildResult:
    """Build the complete, indexed PDF re-integration dossier of one case (the three stages in a row).

    Raises:
        AssemblyError: an attachment cannot be used (all problems listed in ``issues``).
        CaseDataError: with ``settings.strict``, when there are warnings.
        TemplateRenderError, ConversionError, MissingDependencyError: as their names say.
    """
    with converter_for(settings, converter) as conv:
        return run_stages(lambda: prepare_dossier(loaded, settings=settings, today=today),
                          lambda w: finish_dossier(w, out=out, uwv_dir=uwv_dir), conv)


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


# --- documents -----------------------------------------------------------------------------


def prepare_documents(loaded: LoadedCase, out_dir: Path, *, soort: str, settings: Settings, today: date,
                      pdf: bool = True, nummer: int | None = None) -> CaseWork:
    """Stage 1 for documents: render one kind (or ``alle``) into ``out_dir``; PDFs follow in stage 2."""
    from dossier.render import plan_documents

    def fill(w: CaseWork) -> None:
        jobs = plan_documents(loaded.case, w.tl, soort=soort, settings=settings, today=today, nummer=nummer)
        if not jobs:
            raise UsageError(f"dossier {loaded.case.dossiernummer}: geen gegevens voor '{soort}'")
        w.documents = _render(w, jobs, out_dir)
        w.convert_documents = pdf
        w.lap("render")

    return _prepared(CaseWork.open(loaded, settings=settings, today=today, pdf_dir=out_dir), fill)


def finish_documents(w: CaseWork) -> list[Path]:
    """Stage 3 for documents: the files written (DOCX, then PDF)."""
    return [d.docx for d in w.documents] + [d.pdf for d in w.documents if d.pdf is not None]


def render_documents(loaded: LoadedCase, out_dir: Path, *, soort: str, settings: Settings, today: date,
                     pdf: bool, converter: Converter | None = None, nummer: int | None = None) -> list[Path]:
    """Render one kind of document (or ``alle``) for a case into ``out_dir`` (DOCX, and PDF with ``pdf``)."""

    def prepare() -> CaseWork:
        return prepare_documents(loaded, out_dir, soort=soort, settings=settings, today=today, pdf=pdf,
                                 nummer=nummer)

    if not pdf:
        return run_stages(prepare, finish_documents, None)
    with converter_for(settings, converter) as conv:
        return run_stages(prepare, finish_documents, conv)


# --- one case of a batch -------------------------------------------------------------------


def prepare_case(loaded: LoadedCase, out_dir: Path, *, soort: str, settings: Settings, today: date) -> CaseWork:
    """Stage 1 of what a batch does for one case (the full dossier, or documents as DOCX + PDF)."""
    if soort == DOSSIER:
        return prepare_dossier(loaded, settings=settings, today=today)
    return prepare_documents(loaded, out_dir, soort=soort, settings=settings, today=today, pdf=True)


def finish_case(w: CaseWork, out_dir: Path, *, soort: str) -> list[Path]:
    """Stage 3 of what a batch does for one case; returns the files written into ``out_dir``."""
    if soort == DOSSIER:
        result = finish_dossier(w, out=out_dir / f"{w.loaded.case.dossiernummer}.pdf")
        return [result.pdf, result.index_json]
    return finish_documents(w)


def process_case(loaded: LoadedCase, out_dir: Path, *, soort: str, settings: Settings, today: date,
                 converter: Converter) -> list[Path]:
    """What a batch does for one case, the three stages in a row."""
    return run_stages(lambda: prepare_case(loaded, out_dir, soort=soort, settings=settings, today=today),
                      lambda w: finish_case(w, out_dir, soort=soort), converter)

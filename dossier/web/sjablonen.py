"""Template sets: upload a firm's set (a zip of .docx), see ``templates check`` per file, preview a
template filled with a stored case, and switch the active set.

Sets live in ``DATA/sjablonen/NAAM/`` and are never overwritten (a new upload is a new set). The
active set is a stored setting; it becomes ``store.settings.templates_dir``, which every document and
build of the application uses. The DOCX preview is rendered in the request (it is fast); the PDF
preview needs LibreOffice and is a background job (soort ``voorbeeld``) that renders with the set's
folder without switching the active set; the page polls it and then shows the PDF in the browser.
"""

from __future__ import annotations

import dataclasses
import io
import json
import re
import shutil
import tempfile
import zipfile
from datetime import date
from pathlib import Path, PurePosixPath

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from dossier import api
from dossier.web import beheer_store as bs
from dossier.web.documents import DOCX
from dossier.web.jobs import SETS_DIR
from dossier.web.pages import _form, _page, _session, _store, error_page
from dossier.web.storage import Invalid, NotFound, Store
from dossier.web.uploads_guard import ZIP_MAGIC, UploadRefused, read_upload

router = APIRouter(include_in_schema=False)

MAX_ZIP = 50 * 1024 * 1024
MAX_MEMBERS = 100
MAX_MEMBER = 20 * 1024 * 1024
SET_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$")


def _root(data_dir: Path) -> Path:
    return data_dir / SETS_DIR


def set_dir(data_dir: Path, name: str) -> Path:
    if not SET_NAME.match(name):
        raise NotFound(f"sjablonenset '{name[:40]}' bestaat niet")
    folder = _root(data_dir) / name
    if not folder.is_dir():
        raise NotFound(f"sjablonenset '{name}' bestaat niet")
    return folder


def sets(data_dir: Path) -> list[str]:
    root = _root(data_dir)
    return sorted(p.name for p in root.iterdir() if p.is_dir() and SET_NAME.match(p.name)) if root.is_dir() else []


def apply_active(store: Store, data_dir: Path) -> str | None:
    """Make the stored active set take effect (``store.settings.templates_dir``); returns its name."""
    name = bs.get_setting(store, bs.TEMPLATE_SET)
    try:
        folder = set_dir(data_dir, name) if name else None
    except NotFound:  # removed by hand: back to the built-ins
        folder, name = None, None
    store.settings = dataclasses.replace(store.settings, templates_dir=folder)
    return name


def extract_set(content: bytes, target: Path) -> list[str]:
    """Unpack the .docx files of a zip into the new folder ``target``; returns their names.

    Refuses (UploadRefused) a member name with a path that leaves the folder (zip slip), a link,
    too many or too large members, two files of the same name and a zip without .docx.
    """
    try:
        z = zipfile.ZipFile(io.BytesIO(content))
    except zipfile.BadZipFile:
        raise UploadRefused(415, "het bestand is geen leesbaar zip-archief") from None
    with z:
        infos = [i for i in z.infolist() if not i.is_dir()]
        if len(infos) > MAX_MEMBERS:
            raise UploadRefused(413, f"het archief bevat meer dan {MAX_MEMBERS} bestanden")
        for info in infos:
            if not bs.safe_member(info.filename):
                raise UploadRefused(422, f"het archief bevat '{info.filename[:80]}': een pad buiten de map "
                                         "(zip slip); er is niets opgeslagen")
            if (info.external_attr >> 16) & 0o170000 == 0o120000:
                raise UploadRefused(422, f"'{info.filename[:80]}' in het archief is een koppeling; niets opgeslagen")
        wanted = [i for i in infos if i.filename.lower().endswith(".docx")
                  and not PurePosixPath(i.filename).name.startswith(("~$", "."))
                  and not i.filename.startswith("__MACOSX/")]
        names = [PurePosixPath(i.filename).name for i in wanted]
        if not wanted:
            raise UploadRefused(422, "het archief bevat geen .docx-sjablonen")
        if len(set(names)) != len(names):
            raise UploadRefused(422, "het archief bevat twee sjablonen met dezelfde naam")
        if any(i.file_size > MAX_MEMBER for i in wanted):
            raise UploadRefused(413, f"een sjabloon in het archief is groter dan {MAX_MEMBER // (1024 * 1024)} MB")
        for info, name in zip(wanted, names, strict=True):
            with z.open(info) as src:
                if src.read(4) != ZIP_MAGIC:
                    raise UploadRefused(422, f"'{name}' is geen Word-bestand (.docx); er is niets opgeslagen")
        target.mkdir(parents=True)
        for info, name in zip(wanted, names, strict=True):
            # The size in the zip's directory can lie: count what is really unpacked.
            with z.open(info) as src, (target / name).open("wb") as out:
                total = 0
                while chunk := src.read(1024 * 1024):
                    total += len(chunk)
                    if total > MAX_MEMBER:
                        raise UploadRefused(413, f"'{name}' is groter dan {MAX_MEMBER // (1024 * 1024)} MB")
                    out.write(chunk)
    return sorted(names)


@router.get("/beheer/sjablonen")
def sets_page(request: Request) -> Response:
    _session(request)
    data_dir = request.app.state.config.data_dir
    return _page(request, "sjablonen.html", sets=sets(data_dir),
                 active=bs.get_setting(_store(request), bs.TEMPLATE_SET) or "")


@router.post("/beheer/sjablonen")
async def upload_set(request: Request) -> Response:
    session = _session(request)
    data_dir = request.app.state.config.data_dir
    try:
        up = await read_upload(request, session, limit=MAX_ZIP, suffixes=(".zip",))
        name = up.fields.get("naam", "").strip()
        if not SET_NAME.match(name):
            raise UploadRefused(422, "geef de set een naam van letters, cijfers, - of _ (hoogstens 40 tekens, "
                                     "zonder spaties)")
        if (_root(data_dir) / name).exists():
            raise UploadRefused(409, f"er is al een sjablonenset '{name}'; kies een andere naam (een set wordt "
                                     "nooit overschreven)")
        _root(data_dir).mkdir(exist_ok=True)
        work = Path(tempfile.mkdtemp(prefix=".upload-", dir=_root(data_dir)))
        try:
            files = extract_set(up.content, work / "set")
            (work / "set").rename(_root(data_dir) / name)
        finally:
            shutil.rmtree(work, ignore_errors=True)
    except UploadRefused as e:
        return error_page(request, e.status, e.melding)
    bs.audit(_store(request), "sjablonen", door=session["u"],
             omschrijving=f"set '{name}' geüpload ({len(files)} sjablonen)")
    return RedirectResponse(f"/beheer/sjablonen/{name}", status_code=303)


def check_by_file(folder: Path) -> dict[str, list[api.Issue]]:
    """The ``templates check`` issues of a set, per file (every .docx listed, also those in order)."""
    out: dict[str, list[api.Issue]] = {p.name: [] for p in sorted(folder.glob("*.docx"))}
    try:
        issues = api.check_templates(folder).issues
    except api.TemplateRenderError as e:  # a file Word cannot open either: say so instead of failing
        issues = e.issues or [api.Issue(api.Severity.fout, "", "", "", api.scrub(e.message))]
    for issue in issues:
        out.setdefault(Path(issue.source).name, []).append(issue)
    return out


@router.get("/beheer/sjablonen/{name}")
def set_page(request: Request, name: str) -> Response:
    _session(request)
    store = _store(request)
    folder = set_dir(request.app.state.config.data_dir, name)
    kinds = set(api.document_kind_names())
    checks = check_by_file(folder)
    nrs = [r.dossiernummer for r in bs.all_cases(store, deleted=False)][:200]
    return _page(request, "sjabloonset.html", setnaam=name, checks=checks, kinds=kinds, nrs=nrs,
                 active=bs.get_setting(store, bs.TEMPLATE_SET) or "")


@router.post("/beheer/sjablonen/actief")
async def switch(request: Request) -> Response:
    session = _session(request)
    values = await _form(request, session)
    store, data_dir = _store(request), request.app.state.config.data_dir
    name = values.get("set", "").strip()
    if name:
        set_dir(data_dir, name)  # NotFound for an unknown set
    bs.set_setting(store, bs.TEMPLATE_SET, name or None)
    apply_active(store, data_dir)
    bs.audit(store, "sjablonen", door=session["u"], omschrijving=f"actieve set: {name or 'ingebouwd'}")
    return RedirectResponse("/beheer/sjablonen", status_code=303)


def _kind(soort: str) -> str:
    if soort not in api.document_kind_names():
        raise NotFound(f"'{soort[:60]}' is geen documentsoort")
    return soort


def render_preview(store: Store, folder: Path, soort: str, nr: str, *, today: date) -> bytes:
    """``soort`` of the set in ``folder``, filled with stored case ``nr``, as DOCX (fast: in the request;
    the PDF is a job, see :func:`preview_pdf`)."""
    settings = dataclasses.replace(store.settings, templates_dir=folder)
    data = store.get(nr).data
    with tempfile.TemporaryDirectory(prefix="dossier-web-") as tmp:
        case_file = Path(tmp) / "casus.json"
        case_file.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        out = Path(tmp) / f"{_kind(soort)}.docx"
        try:
            api.render_documents(soort, case_file, output=out, settings=settings, today=today)
        except api.UsageError as e:
            raise Invalid(e.message, []) from None
        return out.read_bytes()


def _filename(name: str, soort: str, ext: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]", "_", f"voorbeeld-{name}-{soort}") + f".{ext}"


@router.post("/beheer/sjablonen/{name}/voorbeeld.docx")
async def preview_docx_form(request: Request, name: str) -> Response:
    """The page's DOCX button (a POST with the CSRF token, which so never lands in a URL)."""
    values = await _form(request, _session(request))
    return await run_in_threadpool(preview, request, name, "docx", values.get("soort", ""), values.get("nr", ""))


@router.get("/beheer/sjablonen/{name}/voorbeeld.{fmt}")
def preview(request: Request, name: str, fmt: str, soort: str = "", nr: str = "") -> Response:
    _session(request)
    if fmt == "pdf":  # not converted in a request any more: the page posts it as a job
        return error_page(request, 405, "een PDF-voorbeeld wordt op de achtergrond gemaakt: gebruik de knop "
                                        "'Voorbeeld als PDF' op de pagina van de sjablonenset")
    if fmt != "docx":
        return error_page(request, 404, "niet gevonden")
    store = _store(request)
    folder = set_dir(request.app.state.config.data_dir, name)
    try:
        content = render_preview(store, folder, soort, nr, today=request.app.state.config.reference_date())
    except Invalid as e:
        return error_page(request, 422, f"voorbeeld niet te maken: {e.message}")
    except (api.TemplateRenderError, api.MissingDependencyError) as e:
        return error_page(request, 422, f"voorbeeld niet te maken: {api.scrub(e.message)}")
    return Response(content, media_type=DOCX,
                    headers={"Content-Disposition": f'attachment; filename="{_filename(name, soort, "docx")}"'})


@router.post("/beheer/sjablonen/{name}/voorbeeld.pdf")
async def preview_pdf(request: Request, name: str) -> Response:
    """"Voorbeeld als PDF": a background job that renders ``soort`` with this set (not the active one)
    and converts it; answers with the job's progress (htmx) or its page."""
    from dossier.web.job_routes import job_answer

    session = _session(request)
    values = await _form(request, session)
    set_dir(request.app.state.config.data_dir, name)  # NotFound for an unknown set
    job_id = request.app.state.jobs.submit(values.get("nr", ""), "voorbeeld", door=session["u"],
                                           today=request.app.state.config.reference_date(),
                                           document=_kind(values.get("soort", "")), sjablonen=name)
    bs.audit(_store(request), "sjablonen", door=session["u"],
             omschrijving=f"PDF-voorbeeld van {values.get('soort')} met set '{name}' gestart")
    return job_answer(request, job_id)


@router.get("/taken/{job_id}/voorbeeld.pdf")
def preview_result(request: Request, job_id: str) -> Response:
    """The finished preview, shown in the browser (inline)."""
    _session(request)
    jobs = request.app.state.jobs
    info = jobs.get(job_id)
    if info.soort != "voorbeeld":
        raise NotFound(f"taak {job_id[:40]} is geen sjabloonvoorbeeld")
    path = jobs.result_file(job_id, "document.pdf")  # NotFound until it is finished
    filename = _filename(str(info.parameters.get("sjablonen")), str(info.parameters.get("document")), "pdf")
    # The browser's own PDF viewer is an embedded object: allow it for this response only.
    return FileResponse(path, media_type="application/pdf",
                        headers={"Content-Disposition": f'inline; filename="{filename}"',
                                 "Content-Security-Policy": "default-src 'none'; object-src 'self'; "
                                                            "frame-ancestors 'none'"})

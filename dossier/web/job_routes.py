"""Uploads, background jobs and their results: the API routes (``/api/v1``) and the case page's parts.

API contract (issue 14, keep it exact):
    ``POST /cases/{nr}/attachments`` (``file``, ``titel``, ``soort``, ``datum``, optional ``wachtwoord``
    and ``auteur``) → 201 ``{"bijlage", "waarschuwingen"}`` or 422 ``{"problemen"}``;
    ``POST /cases/{nr}/scans`` → 201; ``POST /cases/{nr}/dossier?today=`` → 202 ``{"job"}``;
    ``GET /jobs/{id}`` → ``{"status", "voortgang", "melding", "resultaat"}``; ``GET /cases/{nr}/dossier.pdf``
    and ``/dossier-uwv.zip`` (the latest finished build, 404 before the first);
    ``POST /cases/{nr}/documents/{soort}/pdf?nummer=`` → 202 ``{"job"}``. 413 over the upload limit,
    415 for a body that is not multipart or a file of a type the engine does not take.
"""

from __future__ import annotations

import os
from datetime import date
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, FastAPI, Query, Request
from fastapi.responses import FileResponse, JSONResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile
from starlette.exceptions import HTTPException

from dossier import api
from dossier.web import security
from dossier.web.api_routes import TooLarge, WrongType, today_param
from dossier.web.files import PARTIJEN, WrongFileType, add_attachment, add_scan, file_store, uploads
from dossier.web.jobs import BEZIG, WACHTEND, Jobs
from dossier.web.storage import Invalid, NotFound, Store, input_error

#: The largest upload (a whole multipart request) in MB; DOSSIER_MAX_UPLOAD_MB changes it.
MAX_UPLOAD_MB = 50


def max_upload() -> int:
    raw = os.environ.get("DOSSIER_MAX_UPLOAD_MB", "")
    try:
        return int(float(raw) * 1024 * 1024) if raw else MAX_UPLOAD_MB * 1024 * 1024
    except ValueError:
        return MAX_UPLOAD_MB * 1024 * 1024


api_router = APIRouter(prefix="/api/v1")
page_router = APIRouter(include_in_schema=False)


def install(app: FastAPI, store: Store) -> Jobs:
    """Register the routes and the job service (``app.state.jobs``); the lifespan calls ``recover``/``close``."""
    from dossier.web.beheer_store import ERASE_HOOKS

    jobs = Jobs(store, app.state.config.data_dir)
    app.state.jobs = jobs
    if erase_outputs not in ERASE_HOOKS:  # erasing a case for good (bewaartermijn) removes its builds too
        ERASE_HOOKS.append(erase_outputs)
    app.add_exception_handler(WrongFileType, _wrong_type)
    app.include_router(api_router)
    app.include_router(page_router)
    return jobs


def erase_outputs(store: Store, data_dir: Any, case_id: int) -> None:
    """What the jobs of a case left outside the database (its built dossiers and PDFs), for good."""
    import shutil

    import sqlalchemy as sa

    from dossier.web.jobs import FOLDER, job_table

    with store._read.connect() as conn:
        ids = conn.execute(sa.select(job_table.c.id).where(job_table.c.case_id == case_id)).scalars().all()
    for job_id in ids:
        shutil.rmtree(data_dir / FOLDER / job_id, ignore_errors=True)


async def _wrong_type(request: Request, e: Exception) -> Response:
    return JSONResponse({"melding": getattr(e, "message", str(e))}, status_code=415)


def _store(request: Request) -> Store:
    return request.app.state.store


def _jobs(request: Request) -> Jobs:
    return request.app.state.jobs


async def limited_form(request: Request) -> FormData:
    """The multipart form of the request, refused early when it is too large (413) or not multipart (415).

    The body is counted as it arrives, so a client that lies about (or leaves out) Content-Length is
    stopped at the limit too; the parts are spooled to temporary files by the parser.
    """
    from starlette.requests import Request as StarletteRequest

    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind != "multipart/form-data":
        raise WrongType(f"stuur het bestand als multipart/form-data, niet als '{kind[:60] or '(geen)'}'")
    limit = max_upload()
    too_big = f"het bestand is te groot: de grens is {limit // (1024 * 1024)} MB per upload"
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise TooLarge(too_big)
    seen = 0
    receive = request.receive

    async def counted() -> Any:
        nonlocal seen
        message = await receive()
        if message.get("type") == "http.request":
            seen += len(message.get("body", b""))
            if seen > limit:
                raise TooLarge(too_big)
        return message

    return await StarletteRequest(request.scope, counted).form(max_files=2, max_fields=20)


def _text(form: FormData, name: str) -> str | None:
    value = form.get(name)
    return value if isinstance(value, str) else None


async def _file(form: FormData) -> tuple[bytes, str | None]:
    upload = form.get("file")
    if not isinstance(upload, UploadFile):
        raise Invalid("file", [input_error("file", "geen bestand meegestuurd (veld 'file')")])
    content = await upload.read()
    if not content:
        raise Invalid("file", [input_error("file", "het bestand is leeg (0 bytes)")])
    return content, upload.filename


def _nummer(value: str | None) -> int:
    if value is None or not value.strip():
        return 1
    try:
        n = int(value)
    except ValueError:
        n = 0
    if n < 1:
        raise Invalid("nummer", [input_error("nummer", f"'{value[:20]}' is geen volgnummer (1, 2, …)")])
    return n


async def _attachment(request: Request, nr: str, form: FormData, door: str) -> tuple[int, list[api.Issue]]:
    content, name = await _file(form)
    # Preflight (pikepdf, qpdf) and the save are blocking work: off the event loop.
    return await run_in_threadpool(add_attachment, _store(request), file_store(request), nr, content, name,
                          titel=_text(form, "titel") or "", soort=(_text(form, "soort") or "overig").strip(),
                          datum=_text(form, "datum"), wachtwoord=_text(form, "wachtwoord"), door=door,
                          today=request.app.state.config.reference_date(), auteur=_text(form, "auteur"))


async def _scan(request: Request, nr: str, form: FormData, door: str) -> tuple[int, list[api.Issue]]:
    content, name = await _file(form)
    return await run_in_threadpool(add_scan, _store(request), file_store(request), nr, content, name,
                    document=(_text(form, "document") or "").strip(), nummer=_nummer(_text(form, "nummer")),
                    datum=_text(form, "datum"), getekend={p: _text(form, p) for p in PARTIJEN}, door=door,
                    today=request.app.state.config.reference_date())


# --- API ---------------------------------------------------------------------------------------


@api_router.post("/cases/{nr}/attachments", status_code=201)
async def post_attachment(request: Request, nr: str) -> JSONResponse:
    _store(request).get(nr)
    form = await limited_form(request)
    upload_id, warnings = await _attachment(request, nr, form, request.app.state.config.gebruiker)
    return JSONResponse({"bijlage": upload_id, "waarschuwingen": [api.issue_json(w) for w in warnings]},
                        status_code=201)


@api_router.post("/cases/{nr}/scans", status_code=201)
async def post_scan(request: Request, nr: str) -> JSONResponse:
    _store(request).get(nr)
    form = await limited_form(request)
    upload_id, warnings = await _scan(request, nr, form, request.app.state.config.gebruiker)
    return JSONResponse({"scan": upload_id, "waarschuwingen": [api.issue_json(w) for w in warnings]},
                        status_code=201)


def _accepted(job_id: str) -> JSONResponse:
    return JSONResponse({"job": job_id}, status_code=202, headers={"Location": f"/api/v1/jobs/{job_id}"})


@api_router.post("/cases/{nr}/dossier", status_code=202)
def post_dossier(request: Request, nr: str, today: str | None = None) -> JSONResponse:
    when = today_param(request, today)
    return _accepted(_jobs(request).submit(nr, "dossier", today=when, door=request.app.state.config.gebruiker))


def _document_kind(soort: str) -> str:
    if soort not in api.document_kind_names():
        raise NotFound(f"onbekende documentsoort '{soort[:60]}'; kies uit: {', '.join(api.document_kind_names())}")
    return soort


@api_router.post("/cases/{nr}/documents/{soort}/pdf", status_code=202)
def post_document_pdf(request: Request, nr: str, soort: str, nummer: int | None = Query(None, ge=1),
                      today: str | None = None) -> JSONResponse:
    when = today_param(request, today)
    job_id = _jobs(request).submit(nr, "document", today=when, door=request.app.state.config.gebruiker,
                                   document=_document_kind(soort), nummer=nummer)
    return _accepted(job_id)


@api_router.get("/jobs/{job_id}")
def get_job(request: Request, job_id: str) -> dict[str, Any]:
    return _jobs(request).get(job_id).as_json()


def _download(path: Any, name: str, media: str, *, inline: bool = False) -> FileResponse:
    disposition = "inline" if inline else "attachment"
    return FileResponse(path, media_type=media, headers={"Content-Disposition": f'{disposition}; filename="{name}"'})


def _safe(nr: str) -> str:
    import re

    return re.sub(r"[^A-Za-z0-9._-]", "_", nr)


@api_router.get("/jobs/{job_id}/document.pdf")
def get_job_document(request: Request, job_id: str) -> FileResponse:
    info = _jobs(request).get(job_id)
    path = _jobs(request).result_file(job_id, "document.pdf")
    return _download(path, f"{info.parameters.get('document')}-{_safe(info.nr)}.pdf", "application/pdf")


@api_router.get("/cases/{nr}/dossier.pdf")
def get_dossier_pdf(request: Request, nr: str) -> FileResponse:
    return _download(_jobs(request).latest_build(nr, "dossier.pdf"), f"{_safe(nr)}.pdf", "application/pdf")


@api_router.get("/cases/{nr}/dossier-uwv.zip")
def get_dossier_zip(request: Request, nr: str) -> FileResponse:
    return _download(_jobs(request).latest_build(nr, "dossier-uwv.zip"), f"{_safe(nr)}-uwv.zip", "application/zip")


# --- the case page ---------------------------------------------------------------------------


def case_context(request: Request, nr: str, case: api.Case, today: date) -> dict[str, Any]:
    """What the case page's documents, attachments and build sections show."""
    store = _store(request)
    jobs = _jobs(request)
    mine = uploads(store, nr)
    names = {u.bestand: u.naam for u in mine}
    soorten = [(k.name, k.titel) for k in api.KINDS.values() if not k.generated]
    return {"documenten": api.planned_documents(case, settings=store.case_settings(case), today=today),
            "bijlage_namen": names, "bijlage_soorten": soorten, "bouw": jobs.latest(nr),
            "gebouwd": jobs.latest(nr, klaar=True) is not None}


def _page_session(request: Request) -> dict[str, Any]:
    from dossier.web.pages import _session

    return _session(request)


def _csrf(session: dict[str, Any], request: Request, form: FormData) -> None:
    given = _text(form, "csrf") or request.headers.get("x-csrf-token")
    if not security.csrf_ok(session, given):
        raise HTTPException(403, "het formulier is verlopen of komt niet van deze site (CSRF-controle); "
                                 "laad de pagina opnieuw")


def _fragment(request: Request, name: str, **context: Any) -> Response:
    from dossier.web.pages import _page

    return _page(request, name, **context)


def _back(nr: str, anchor: str) -> Response:
    return RedirectResponse(f"/casussen/{quote(nr, safe='')}#{anchor}", status_code=303)


def _section(request: Request, nr: str, name: str, **extra: Any) -> Response:
    store = _store(request)
    today = request.app.state.config.reference_date()
    case, _issues = api.validate_case_data(store.get(nr).data, today=today)
    if case is None:
        return _back(nr, "inhoud")
    return _fragment(request, name, nr=nr, case=case, session=request.app.state.sessions.read(request),
                     **case_context(request, nr, case, today), **extra)


class _Refused(Exception):
    """A page upload refused before it is read (413 too large, 415 not multipart or a wrong file type)."""

    def __init__(self, status: int, melding: str) -> None:
        super().__init__(melding)
        self.status, self.melding = status, melding


async def _page_form(request: Request) -> tuple[dict[str, Any], FormData]:
    session = _page_session(request)
    try:
        form = await limited_form(request)
    except (TooLarge, WrongType) as e:
        # Nothing was read or stored, so the section can be shown without the form's CSRF token.
        raise _Refused(413 if isinstance(e, TooLarge) else 415, e.message) from None
    _csrf(session, request, form)
    return session, form


def _refusal(request: Request, nr: str, name: str, status: int, **extra: Any) -> Response:
    """The refused upload's section with the message next to the file field, with the refusal's status
    (htmx swaps 413/415, see base.html); without htmx the whole case page, the message in place."""
    if request.headers.get("hx-request"):
        response = _section(request, nr, name, **extra)
    else:
        from dossier.web.pages import render_case_page

        response = render_case_page(request, nr, **extra)
    if response.status_code == 200:  # not the redirect of a case that cannot be shown
        response.status_code = status
    return response


@page_router.post("/casussen/{nr}/bijlagen")
async def page_attachment(request: Request, nr: str) -> Response:
    problems: list[api.Issue] = []
    warnings: list[api.Issue] = []
    try:
        session, form = await _page_form(request)
        _id, warnings = await _attachment(request, nr, form, session["u"])
    except _Refused as e:
        return await run_in_threadpool(_refusal, request, nr, "casus_bijlagen.html", e.status,
                                       problemen=[input_error("bestand", e.melding)])
    except WrongFileType as e:
        return await run_in_threadpool(_refusal, request, nr, "casus_bijlagen.html", 415,
                                       problemen=[input_error("bestand", e.message)], vorige=_text(form, "titel"))
    except Invalid as e:
        problems = e.issues
    if not request.headers.get("hx-request"):
        if problems:
            from dossier.web.pages import error_page

            return error_page(request, 422, "bijlage geweigerd: " + "; ".join(i.message for i in problems))
        return _back(nr, "bijlagen")
    # htmx swaps only 2xx answers: a refusal is shown in the section, next to the field.
    return await run_in_threadpool(_section, request, nr, "casus_bijlagen.html", problemen=problems,
                                   waarschuwingen=warnings, toegevoegd=not problems,
                                   vorige=_text(form, "titel") if problems else None)


@page_router.post("/casussen/{nr}/scans")
async def page_scan(request: Request, nr: str) -> Response:
    problems: list[api.Issue] = []
    warnings: list[api.Issue] = []
    try:
        session, form = await _page_form(request)
        choice = (_text(form, "keuze") or "").split(":")
        if len(choice) == 2:
            form = FormData([*form.multi_items(), ("document", choice[0]), ("nummer", choice[1])])
        _id, warnings = await _scan(request, nr, form, session["u"])
    except _Refused as e:
        return await run_in_threadpool(_refusal, request, nr, "casus_documenten.html", e.status,
                                       scan_problemen=[input_error("bestand", e.melding)])
    except WrongFileType as e:
        return await run_in_threadpool(_refusal, request, nr, "casus_documenten.html", 415,
                                       scan_problemen=[input_error("bestand", e.message)])
    except Invalid as e:
        problems = e.issues
    if not request.headers.get("hx-request"):
        if problems:
            from dossier.web.pages import error_page

            return error_page(request, 422, "scan geweigerd: " + "; ".join(i.message for i in problems))
        return _back(nr, "documenten")
    return await run_in_threadpool(_section, request, nr, "casus_documenten.html", scan_problemen=problems,
                                   scan_waarschuwingen=warnings, scan_toegevoegd=not problems)


async def _post_csrf(request: Request) -> dict[str, Any]:
    session = _page_session(request)
    form = await request.form(max_files=0, max_fields=10)
    _csrf(session, request, form)
    return session


def _job_fragment(request: Request, job_id: str) -> Response:
    info = _jobs(request).get(job_id)
    return _fragment(request, "taak.html", taak=info, bezig=info.status in (WACHTEND, BEZIG))


def job_answer(request: Request, job_id: str) -> Response:
    """The answer to a form that started a job: its progress fragment for htmx, else the job's page."""
    if not request.headers.get("hx-request"):
        return RedirectResponse(f"/taken/{job_id}", status_code=303)
    return _job_fragment(request, job_id)


@page_router.post("/casussen/{nr}/dossier")
async def page_build(request: Request, nr: str) -> Response:
    session = await _post_csrf(request)
    job_id = _jobs(request).submit(nr, "dossier", today=request.app.state.config.reference_date(), door=session["u"])
    if not request.headers.get("hx-request"):
        return _back(nr, "bouw")
    return _job_fragment(request, job_id)


@page_router.post("/casussen/{nr}/documenten/{soort}/pdf")
async def page_document_pdf(request: Request, nr: str, soort: str, nummer: int | None = Query(None, ge=1)) -> Response:
    session = await _post_csrf(request)
    job_id = _jobs(request).submit(nr, "document", today=request.app.state.config.reference_date(),
                                   door=session["u"], document=_document_kind(soort), nummer=nummer)
    return job_answer(request, job_id)


@page_router.get("/taken/{job_id}")
def page_job(request: Request, job_id: str) -> Response:
    _page_session(request)
    if not request.headers.get("hx-request"):  # opened as a page (a form posted without htmx)
        info = _jobs(request).get(job_id)
        return _fragment(request, "taak_pagina.html", taak=info, bezig=info.status in (WACHTEND, BEZIG))
    return _job_fragment(request, job_id)


@page_router.get("/taken/{job_id}/document.pdf")
def page_job_document(request: Request, job_id: str) -> Response:
    _page_session(request)
    return get_job_document(request, job_id)


@page_router.get("/casussen/{nr}/dossier.pdf")
def page_dossier_pdf(request: Request, nr: str, download: int = 0) -> Response:
    """The latest build: shown in the browser (inline), or as a download with ``?download=1``."""
    _page_session(request)
    return _download(_jobs(request).latest_build(nr, "dossier.pdf"), f"{_safe(nr)}.pdf", "application/pdf",
                     inline=not download)


@page_router.get("/casussen/{nr}/dossier-uwv.zip")
def page_dossier_zip(request: Request, nr: str) -> Response:
    _page_session(request)
    return get_dossier_zip(request, nr)


@page_router.get("/casussen/{nr}/documenten/{soort}/{nummer}.docx")
def page_document_docx(request: Request, nr: str, soort: str, nummer: int) -> Response:
    """One numbered generated document as DOCX (the case page links each planned document)."""
    _page_session(request)
    from dossier.web.documents import DOCX, download_name, render_docx

    store = _store(request)
    data = store.get(nr).data
    case, _issues = api.validate_case_data(data)
    settings = store.case_settings(case) if case is not None else store.settings
    content = render_docx(data, _document_kind(soort), nummer=nummer, settings=settings,
                          today=request.app.state.config.reference_date())
    return Response(content, media_type=DOCX,
                    headers={"Content-Disposition": f'attachment; filename="{download_name(nr, soort)}"'})

"""The web pages (Dutch, server-rendered Jinja2 with htmx): login, werkvoorraad, case, form, versions.

Every POST carries the session's CSRF token; no page puts a BSN in a URL or a title.
"""

from __future__ import annotations

import secrets
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from starlette.exceptions import HTTPException

from dossier import api
from dossier.web import forms, security, tijd
from dossier.web.storage import Conflict, Invalid, Store
from dossier.web.timeline_svg import drawing

router = APIRouter(include_in_schema=False)
templates = Jinja2Templates(directory=Path(__file__).parent / "templates")
templates.env.filters["datum"] = lambda d: d.strftime("%d-%m-%Y") if isinstance(d, date) else (d or "")
templates.env.filters["url"] = lambda s: quote(str(s), safe="")
templates.env.filters["tijd"] = tijd.lokaal  # stored UTC, shown in Dutch local time
templates.env.globals["NIVEAU_TEKST"] = {"loonsanctie-risico": "Loonsanctie-risico", "boete": "Boete",
                                         "aandachtspunt": "Aandachtspunt"}
LOGIN_CSRF = "dossier_login_csrf"
PER_PAGINA = 25


class _Login(Exception):
    """No valid session: go to the login page."""


def _session(request: Request) -> dict[str, Any]:
    session = request.app.state.sessions.read(request)
    if session is None:
        raise _Login
    return session


def _store(request: Request) -> Store:
    return request.app.state.store


def _page(request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
    session = request.app.state.sessions.read(request)
    return templates.TemplateResponse(request, name, {"session": session, **context}, status_code=status)


def error_page(request: Request, status: int, melding: str) -> HTMLResponse:
    return _page(request, "fout.html", status, code=status, melding=melding)


async def _form(request: Request, session: dict[str, Any]) -> dict[str, str]:
    form = await request.form()
    values = {k: v for k, v in form.items() if isinstance(v, str)}
    if not security.csrf_ok(session, values.get("csrf")):
        raise HTTPException(403, "het formulier is verlopen of komt niet van deze site (CSRF-controle); "
                                 "laad de pagina opnieuw")
    return values


def login_redirect(request: Request, exc: Exception) -> Response:
    """Handler of :class:`_Login` (registered by the app factory)."""
    return RedirectResponse("/login", status_code=303)


# --- login ---------------------------------------------------------------------------------


@router.get("/login")
def login_page(request: Request, token: str | None = None) -> Response:
    cfg = request.app.state.config
    if token is not None and security.token_ok(token, cfg.token):
        return _logged_in(request)
    csrf = secrets.token_urlsafe(16)
    response = _page(request, "login.html", 401 if token else 200, csrf=csrf,
                     fout="Dit token klopt niet." if token else None)
    response.set_cookie(LOGIN_CSRF, csrf, httponly=True, samesite="strict", secure=cfg.secure_cookies)
    return response


@router.post("/login")
async def login(request: Request) -> Response:
    form = await request.form()
    given, csrf = form.get("token"), form.get("csrf")
    cookie = request.cookies.get(LOGIN_CSRF)
    if not (isinstance(csrf, str) and cookie and secrets.compare_digest(csrf, cookie)):
        return error_page(request, 403, "het aanmeldformulier is verlopen; laad de pagina opnieuw")
    if not (isinstance(given, str) and security.token_ok(given.strip(), request.app.state.config.token)):
        fresh = secrets.token_urlsafe(16)
        response = _page(request, "login.html", 401, csrf=fresh, fout="Dit token klopt niet.")
        response.set_cookie(LOGIN_CSRF, fresh, httponly=True, samesite="strict")
        return response
    return _logged_in(request)


def _logged_in(request: Request) -> Response:
    cfg = request.app.state.config
    response = RedirectResponse("/", status_code=303)
    response.set_cookie(security.SESSION_COOKIE, request.app.state.sessions.new(cfg.gebruiker),
                        max_age=security.SESSION_MAX_AGE, httponly=True, samesite="lax", secure=cfg.secure_cookies)
    response.delete_cookie(LOGIN_CSRF)
    return response


@router.post("/logout")
async def logout(request: Request) -> Response:
    await _form(request, _session(request))
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(security.SESSION_COOKIE)
    return response


# --- werkvoorraad --------------------------------------------------------------------------


@router.get("/")
def werkvoorraad(request: Request, zoek: str = "", pagina: int = 1, termijn: str = "") -> Response:
    _session(request)
    pagina = max(1, pagina)
    termijn = termijn if termijn in ("te_laat", "deze_week") else ""
    today = request.app.state.config.reference_date()
    from dossier.web import werkvoorraad as wv

    filters = wv.Filters.from_query(request.query_params)
    total, rows = _store(request).list(zoek=zoek, pagina=pagina, per_pagina=PER_PAGINA, today=today,
                                       termijn=termijn, filters=filters)
    pages = max(1, -(-total // PER_PAGINA))
    name = "werkvoorraad_lijst.html" if request.headers.get("hx-request") else "werkvoorraad.html"
    return _page(request, name, rows=rows, total=total, zoek=zoek, pagina=pagina, pages=pages, today=today,
                 termijn=termijn, filters=filters, keuzes=wv.choices(_store(request)) if name == "werkvoorraad.html"
                 else {}, STATUS_TEKST=wv.STATUS_TEKST, SORTERINGEN=wv.SORTERINGEN)


# --- a case --------------------------------------------------------------------------------


@router.get("/casussen/nieuw")
def new_case_page(request: Request) -> Response:
    _session(request)
    return _form_page(request, {"ziekteperiodes": [{}]}, new=True)


@router.post("/casussen/nieuw")
async def new_case(request: Request) -> Response:
    session = _session(request)
    values = await _form(request, session)
    data = forms.apply_form({}, values, new=True)
    cfg = request.app.state.config
    try:
        _store(request).create(data, door=session["u"], today=cfg.reference_date())
    except Invalid as e:
        return _form_page(request, data, new=True, issues=e.issues, status=422)
    except Conflict as e:
        return _form_page(request, data, new=True, melding=e.message, status=409)
    return RedirectResponse(f"/casussen/{quote(data['dossiernummer'], safe='')}", status_code=303)


@router.get("/casussen/periode-rij")
def period_row(request: Request, i: int = 0) -> Response:
    """One empty sickness-period row (htmx "add a row")."""
    _session(request)
    return _page(request, "periode_rij.html", i=max(0, min(i, 999)), period={}, errors={},
                 fields=forms.PERIODE, as_input=forms.as_input)


@router.get("/casussen/{nr}")
def case_page(request: Request, nr: str) -> Response:
    _session(request)
    return render_case_page(request, nr)


def render_case_page(request: Request, nr: str, **extra: Any) -> HTMLResponse:
    """The case page; ``extra`` goes to its sections (a refused upload's message next to its field)."""
    store = _store(request)
    stored = store.get(nr)
    today = request.app.state.config.reference_date()
    case, issues = api.validate_case_data(stored.data, today=today)
    if case is None:
        return _page(request, "casus.html", nr=nr, stored=stored, case=None, issues=issues)
    settings = store.case_settings(case)
    tl = api.case_timeline(case, settings=settings, today=today)
    found = api.findings(case, settings=settings, today=today)
    found_rows = sorted(((str(f.niveau), f) for f in found), key=lambda r: api.NIVEAUS.index(r[0]))
    from dossier.web.documents import kinds
    from dossier.web.job_routes import case_context

    return _page(request, "casus.html", nr=nr, stored=stored, case=case, tl=tl, svg=drawing(case, tl),
                 findings=found_rows, issues=issues, today=today, kinds=kinds(),
                 **case_context(request, nr, case, today), **extra)


@router.get("/casussen/{nr}/bewerken")
def edit_page(request: Request, nr: str) -> Response:
    _session(request)
    stored = _store(request).get(nr)
    return _form_page(request, stored.data, new=False, nr=nr, versie=stored.versie)


@router.post("/casussen/{nr}/bewerken")
async def edit(request: Request, nr: str) -> Response:
    session = _session(request)
    values = await _form(request, session)
    store = _store(request)
    stored = store.get(nr)
    data = forms.apply_form(stored.data, values, new=False)
    try:
        expected = int(values.get("versie", ""))
    except ValueError:
        expected = stored.versie
    try:
        store.save(nr, data, door=session["u"], today=request.app.state.config.reference_date(), expected=expected)
    except Invalid as e:
        return _form_page(request, data, new=False, nr=nr, versie=expected, issues=e.issues, status=422)
    except Conflict as e:
        return _form_page(request, data, new=False, nr=nr, versie=expected, melding=e.message, status=409)
    return RedirectResponse(f"/casussen/{quote(nr, safe='')}", status_code=303)


def _form_page(request: Request, data: dict[str, Any], *, new: bool, nr: str | None = None,
               versie: int | None = None, issues: list[api.Issue] | None = None, melding: str | None = None,
               status: int = 200) -> Response:
    errors = forms.errors_by_field(issues or [])
    shown = {f.path for f in forms.SIMPLE} | {f"ziekteperiodes.{i}.{f.path}" for i in range(forms.period_count(data))
                                                for f in forms.PERIODE}
    other = [i for path, found in errors.items() if path not in shown for i in found]
    periods = forms.get_path(data, "ziekteperiodes") or [{}]
    return _page(request, "formulier.html", status, data=data, new=new, nr=nr, versie=versie, errors=errors,
                 other=other, melding=melding, werknemer=forms.WERKNEMER, werkgever=forms.WERKGEVER,
                 fields=forms.PERIODE, periods=periods, get=forms.get_path, as_input=forms.as_input)


# --- versions ------------------------------------------------------------------------------


@router.get("/casussen/{nr}/versies")
def versions_page(request: Request, nr: str) -> Response:
    _session(request)
    from dossier.web.diff import changes

    store = _store(request)
    versions = store.versions(nr)
    datas = {v.versie: store.get(nr, versie=v.versie).data for v in versions}
    diffs = {v.versie: changes(datas.get(v.versie - 1), datas[v.versie]) for v in versions}
    return _page(request, "versies.html", nr=nr, current=store.get(nr), versions=versions, diffs=diffs)


@router.post("/casussen/{nr}/versies/{versie}/herstel")
async def restore(request: Request, nr: str, versie: int) -> Response:
    session = _session(request)
    values = await _form(request, session)
    store = _store(request)
    try:
        expected = int(values.get("huidig", ""))
    except ValueError:
        expected = None
    try:
        store.restore(nr, versie, door=session["u"], today=request.app.state.config.reference_date(),
                      expected=expected)
    except Invalid as e:
        return error_page(request, 422, "deze versie is niet meer geldig: "
                          + "; ".join(f"{i.field}: {i.message}" for i in e.issues))
    return RedirectResponse(f"/casussen/{quote(nr, safe='')}/versies", status_code=303)


# --- documents and deleting ----------------------------------------------------------------


@router.get("/casussen/{nr}/documenten/{soort}.docx")
def document_page(request: Request, nr: str, soort: str) -> Response:
    _session(request)
    from dossier.web.documents import DOCX, download_name, render_docx

    store = _store(request)
    try:
        data = store.get(nr).data
        case, _ = api.validate_case_data(data)
        settings = store.case_settings(case) if case is not None else store.settings
        content = render_docx(data, soort, nummer=None, settings=settings,
                              today=request.app.state.config.reference_date())
    except Invalid as e:
        return error_page(request, 422, e.message)
    return Response(content, media_type=DOCX,
                    headers={"Content-Disposition": f'attachment; filename="{download_name(nr, soort)}"'})


@router.get("/casussen/{nr}/verwijderen")
def delete_page(request: Request, nr: str) -> Response:
    _session(request)
    return _page(request, "verwijderen.html", nr=nr, stored=_store(request).get(nr))


@router.post("/casussen/{nr}/verwijderen")
async def delete(request: Request, nr: str) -> Response:
    session = _session(request)
    values = await _form(request, session)
    if values.get("bevestig") != nr:
        return _page(request, "verwijderen.html", 422, nr=nr, stored=_store(request).get(nr),
                     fout="Typ het dossiernummer precies over om te bevestigen.")
    _store(request).delete(nr)
    return RedirectResponse("/", status_code=303)

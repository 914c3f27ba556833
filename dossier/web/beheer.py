"""The beheer pages: import a verzuim export, export cases, AVG (inzage, bewaartermijn), the audit log.

Registered by :func:`install` (the app factory calls it), together with the agenda feed
(:mod:`dossier.web.agenda`) and the template sets (:mod:`dossier.web.sjablonen`).
"""

from __future__ import annotations

import json
import logging
import re
import secrets
import shutil
import threading
import time
from datetime import date
from pathlib import Path
from typing import Any

from dateutil.relativedelta import relativedelta
from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import RedirectResponse, Response, StreamingResponse

from dossier import api
from dossier.web import agenda, importeren
from dossier.web import beheer_store as bs
from dossier.web.export import export_zip, inzage_zip, safe_name
from dossier.web.pages import _form, _page, _session, _store, error_page
from dossier.web.uploads_guard import UploadRefused, read_upload

router = APIRouter(include_in_schema=False)
log = logging.getLogger("dossier.web")

#: The largest verzuim export taken (a CSV of 10,000 rows is a few MB).
MAX_IMPORT = 20 * 1024 * 1024
IMPORT_DIR = "import"
IMPORT_ID = re.compile(r"^[0-9a-f]{32}$")
#: Previews not applied within a day are removed.
IMPORT_KEEP = 24 * 3600
BEWAARTERMIJN = "bewaartermijn_maanden"
DEFAULT_MONTHS = 24


def install(app: FastAPI) -> None:
    """Add the beheer, agenda and template routes and make the active template set take effect."""
    from dossier.web import sjablonen

    app.state.agenda_cache = bs.PerVersion()
    app.state.einde_cache = bs.PerVersion()
    app.include_router(router)
    app.include_router(agenda.router)
    app.include_router(sjablonen.router)
    sjablonen.apply_active(app.state.store, app.state.config.data_dir)
    app.state.beheer_stop = threading.Event()
    threading.Thread(target=_warm, args=(app.state, app.state.beheer_stop), name="dossier-beheer-warm",
                     daemon=True).start()


#: How often the warm-up looks whether the date moved on or cases were saved (seconds).
WARM_EVERY = 300


def _warm(state: Any, stop: threading.Event) -> None:
    """Keep the agenda feed and the bewaartermijn list computed, so that a calendar client's first
    request of the day does not wait for thousands of timelines (only changed cases are redone)."""
    while not stop.wait(5):
        try:
            today = state.config.reference_date()
            agenda.feed(state.store, today, state.agenda_cache)
            expired(state.store, today, state.einde_cache)
        except Exception:  # a locked or closed database: try again next round, never kill the thread
            log.exception("vooraf berekenen van agenda en bewaartermijn mislukt")
        if stop.wait(WARM_EVERY):
            return


def _cfg(request: Request) -> Any:
    return request.app.state.config


def _zip_response(body: Any, name: str) -> Response:
    return StreamingResponse(body, media_type="application/zip",
                             headers={"Content-Disposition": f'attachment; filename="{name}"'})


@router.get("/beheer")
def beheer_page(request: Request) -> Response:
    _session(request)
    return _page(request, "beheer.html", audit=bs.audit_rows(_store(request), limit=50))


# --- import --------------------------------------------------------------------------------


@router.get("/beheer/import")
def import_page(request: Request) -> Response:
    _session(request)
    return _page(request, "import.html", preview=None)


def _import_dir(request: Request) -> Path:
    root = _cfg(request).data_dir / IMPORT_DIR
    root.mkdir(exist_ok=True)
    for old in root.iterdir():  # the previews nobody applied
        if old.is_dir() and time.time() - old.stat().st_mtime > IMPORT_KEEP:
            shutil.rmtree(old, ignore_errors=True)
    return root


def _source(folder: Path) -> Path:
    found = [p for p in folder.iterdir() if p.stem == "bron" and p.suffix in importeren.SUFFIXES]
    if not found:
        raise FileNotFoundError(folder)
    return found[0]


@router.post("/beheer/import")
async def import_upload(request: Request) -> Response:
    session = _session(request)
    try:
        up = await read_upload(request, session, limit=MAX_IMPORT, suffixes=importeren.SUFFIXES)
    except UploadRefused as e:
        return error_page(request, e.status, e.melding)
    ident = secrets.token_hex(16)
    folder = _import_dir(request) / ident
    folder.mkdir()
    src = folder / f"bron{up.suffix}"
    src.write_bytes(up.content)
    today = _cfg(request).reference_date()
    try:
        result = importeren.preview(_store(request), src, bron=up.filename, today=today)
    except api.DossierError as e:
        shutil.rmtree(folder, ignore_errors=True)
        return error_page(request, 422, e.message)
    (folder / "voorbeeld.json").write_text(json.dumps({
        "bron": up.filename, "versies": {r.dossiernummer: r.versie for r in result.toe_te_passen}}), encoding="utf-8")
    return _page(request, "import.html", preview=result, ident=ident)


@router.post("/beheer/import/{ident}/toepassen")
async def import_apply(request: Request, ident: str) -> Response:
    session = _session(request)
    await _form(request, session)
    folder = _cfg(request).data_dir / IMPORT_DIR / ident
    if not IMPORT_ID.match(ident) or not (folder / "voorbeeld.json").is_file():
        return error_page(request, 404, "dit importvoorbeeld bestaat niet (meer); upload het bestand opnieuw")
    shown = json.loads((folder / "voorbeeld.json").read_text(encoding="utf-8"))
    store, today = _store(request), _cfg(request).reference_date()
    result = importeren.preview(store, _source(folder), bron=shown["bron"], today=today)
    done = importeren.apply(store, result, expected=shown["versies"], door=session["u"], today=today)
    for a in done:
        if a.versie is not None:
            bs.audit(store, "import", door=session["u"], nr=a.dossiernummer,
                     omschrijving=f"versie {a.versie} uit import van {shown['bron']}")
    shutil.rmtree(folder, ignore_errors=True)
    return _page(request, "import_klaar.html", done=done, bron=shown["bron"])


# --- export --------------------------------------------------------------------------------


@router.get("/beheer/export.zip")
def export_all(request: Request) -> Response:
    session = _session(request)
    store = _store(request)
    records = bs.all_cases(store, deleted=False)
    bs.audit(store, "export", door=session["u"], omschrijving=f"alle dossiers ({len(records)})")
    return _zip_response(export_zip(store, _cfg(request).data_dir, records), "dossiers.zip")


@router.get("/beheer/casussen/{nr}/export.zip")
def export_one(request: Request, nr: str) -> Response:
    session = _session(request)
    store = _store(request)
    store.get(nr)  # NotFound for a deleted or unknown case
    records = bs.all_cases_named(store, [nr])
    bs.audit(store, "export", door=session["u"], nr=nr, omschrijving="casusbestand met bestanden")
    return _zip_response(export_zip(store, _cfg(request).data_dir, records), f"{safe_name(nr)}.zip")


# --- AVG: inzage ---------------------------------------------------------------------------


@router.get("/beheer/casussen/{nr}/inzage")
def inzage_page(request: Request, nr: str) -> Response:
    _session(request)
    rec = bs.find_case(_store(request), nr)
    mine = [r for r in bs.all_cases(_store(request)) if r.id == rec.id or bs.same_employee(r.data, rec.data)]
    return _page(request, "inzage.html", nr=nr, cases=mine)


@router.post("/beheer/casussen/{nr}/inzage.zip")
async def inzage(request: Request, nr: str) -> Response:
    session = _session(request)
    await _form(request, session)
    store = _store(request)
    body, nrs = inzage_zip(store, _cfg(request).data_dir, nr)
    for n in nrs:
        bs.audit(store, "inzage", door=session["u"], nr=n, omschrijving="inzage-export (AVG art. 15)")
    return _zip_response(body, f"inzage-{safe_name(nr)}.zip")


# --- AVG: bewaartermijn --------------------------------------------------------------------


def _months(store: Any) -> int:
    raw = bs.get_setting(store, BEWAARTERMIJN)
    return int(raw) if raw and raw.isdigit() else DEFAULT_MONTHS


def _end(rec: bs.CaseRecord, store: Any, today: date) -> tuple[str, date, str] | None:
    case = api.stored_case(rec.data, today=today)
    if case is None:
        return None
    end = api.case_end(case, settings=store.settings, today=today)
    return (case.werknemer.naam, *end) if end is not None else None


def expired(store: Any, today: date, cache: bs.PerVersion | None = None) -> list[dict[str, Any]]:
    """Cases (deleted ones too) whose bewaartermijn has passed: ended longer than the period ago."""
    months = _months(store)
    out = []
    for rec, found in bs.cached_over_cases(store, cache or bs.PerVersion(), today,
                                           lambda rec: _end(rec, store, today), deleted=True):
        if found is None:
            continue
        naam, einde, reden = found
        until = einde + relativedelta(months=months)
        if until < today:
            out.append({"nr": rec.dossiernummer, "werknemer": naam, "einde": einde, "reden": reden, "tot": until,
                        "verwijderd": rec.deleted_at is not None, "versies": rec.versie})
    return out


@router.get("/beheer/bewaartermijn")
def retention_page(request: Request) -> Response:
    _session(request)
    store = _store(request)
    rows = expired(store, _cfg(request).reference_date(), request.app.state.einde_cache)
    return _page(request, "bewaartermijn.html", rows=rows, months=_months(store))


@router.post("/beheer/bewaartermijn")
async def retention_setting(request: Request) -> Response:
    session = _session(request)
    values = await _form(request, session)
    raw = values.get("maanden", "").strip()
    if not raw.isdigit() or not 1 <= int(raw) <= 1200:
        return error_page(request, 422, "de bewaartermijn is een aantal maanden (1 tot 1200)")
    bs.set_setting(_store(request), BEWAARTERMIJN, str(int(raw)))
    bs.audit(_store(request), "bewaartermijn", door=session["u"], omschrijving=f"termijn {int(raw)} maanden")
    return RedirectResponse("/beheer/bewaartermijn", status_code=303)


@router.post("/beheer/bewaartermijn/{nr}/wissen")
async def erase(request: Request, nr: str) -> Response:
    session = _session(request)
    values = await _form(request, session)
    store = _store(request)
    today = _cfg(request).reference_date()
    rows = expired(store, today, request.app.state.einde_cache)
    if nr not in {r["nr"] for r in rows}:
        return error_page(request, 409, f"de bewaartermijn van dossier {nr} is niet verstreken; er is niets gewist")
    if values.get("bevestig", "").strip() != nr:
        return _page(request, "bewaartermijn.html", 422, rows=rows, months=_months(store),
                     fout=f"Typ het dossiernummer {nr} precies over om het definitief te wissen.")
    versions, files = bs.erase(store, nr, data_dir=_cfg(request).data_dir)
    # No dossiernummer, name or date: the row says only that the duty was carried out.
    bs.audit(store, "gewist", door=session["u"], omschrijving=f"een dossier na afloop van de bewaartermijn definitief "
             f"gewist ({versions} versies, {files} bestanden)")
    return RedirectResponse("/beheer/bewaartermijn", status_code=303)

"""The generated section forms of a case, their add-a-row partials and the per-werkgever settings page.

Each section save is a new version (optimistic lock on the version the form was loaded with). A case
is refused only for errors (the model's, as ``dossier check`` reports them); anything merely missing
is a finding, shown next to its field after the save.
"""

from __future__ import annotations

import re
import threading
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.exceptions import HTTPException

from dossier import api
from dossier.web import modelforms as mf
from dossier.web import werkgevers
from dossier.web.pages import _form, _page, _session, _store, templates
from dossier.web.storage import Conflict, Invalid

router = APIRouter(include_in_schema=False)
templates.env.globals.update(mf_get=mf.get_path, mf_shown=mf.shown, mf_section_for=mf.section_for)
templates.env.filters["domid"] = lambda p: re.sub(r"[^A-Za-z0-9_-]", "-", str(p))
#: One settings refresh at a time: a second waits and then finds nothing stale left to do.
_REFRESH = threading.Lock()
_LIST_PATH = re.compile(r"[a-z_]+(\.(\d{1,3}|[a-z_0-9]+)){0,6}")


def _section(slug: str) -> mf.Section:
    sec = mf.section(slug)
    if sec is None:
        raise HTTPException(404, f"onbekend onderdeel '{slug}'")
    return sec


def _section_page(request: Request, nr: str, sec: mf.Section, data: dict[str, Any], versie: int, *,
                  issues: list[api.Issue], found: list[Any], melding: str | None = None,
                  opgeslagen: int | None = None, status: int = 200) -> Response:
    msgs = mf.messages(issues, found)
    rendered = mf.section_paths(sec, data)
    errors = [i for i in issues if str(i.severity) == "fout"]
    # What has no input of its own: this section's other messages, and any error (it blocks the save).
    top = [(path, m) for path, ms in msgs.items() if path not in rendered for m in ms
           if mf.belongs(path, sec) or m.ernst == "fout"]
    return _page(request, "sectie.html", status, nr=nr, sectie=sec, secties=mf.sections(), data=data,
                 versie=versie, msgs=msgs, knopen=list(zip(sec.paths, sec.nodes, strict=True)), fouten=bool(errors),
                 bovenaan=top, melding=melding, opgeslagen=opgeslagen)


@router.get("/casussen/{nr}/formulier")
def first_section(request: Request, nr: str) -> Response:
    _session(request)
    return RedirectResponse(f"/casussen/{quote(nr, safe='')}/formulier/{mf.sections()[0].slug}", status_code=303)


@router.get("/casussen/{nr}/formulier/{slug}")
def section_page(request: Request, nr: str, slug: str, opgeslagen: int | None = None) -> Response:
    _session(request)
    sec = _section(slug)
    store = _store(request)
    stored = store.get(nr)
    today = request.app.state.config.reference_date()
    case, issues = api.validate_case_data(stored.data, today=today)
    found = api.findings(case, settings=store.case_settings(case), today=today) if case is not None else []
    return _section_page(request, nr, sec, stored.data, stored.versie, issues=issues, found=found,
                         opgeslagen=opgeslagen if opgeslagen == stored.versie else None)


@router.post("/casussen/{nr}/formulier/{slug}")
async def save_section(request: Request, nr: str, slug: str) -> Response:
    session = _session(request)
    sec = _section(slug)
    values = await _form(request, session)
    store = _store(request)
    stored = store.get(nr)
    try:
        expected = int(values.get("versie", ""))
    except ValueError:
        expected = stored.versie
    data = mf.apply_section(stored.data, sec, values)
    today = request.app.state.config.reference_date()
    try:
        versie = store.save(nr, data, door=session["u"], today=today, expected=expected)
    except Invalid as e:
        return _section_page(request, nr, sec, data, expected, issues=e.issues, found=[], status=422)
    except Conflict as e:
        return _section_page(request, nr, sec, data, expected, issues=[], found=[], melding=e.message, status=409)
    return RedirectResponse(f"/casussen/{quote(nr, safe='')}/formulier/{sec.slug}?opgeslagen={versie}",
                            status_code=303)


@router.get("/formulieren/rij")
def add_row(request: Request, pad: str, i: int = 0) -> Response:
    """One empty row of a list (htmx "add a row"), and the add button again with the next row number."""
    _session(request)
    found = mf.find_repeat(pad) if _LIST_PATH.fullmatch(pad) else None
    if found is None:
        raise HTTPException(404, "onbekende lijst")
    return _page(request, "sectie_rij.html", lijst=found[1], pad=pad, i=max(0, min(i, 999)))


@router.get("/formulieren/niets")
def nothing(request: Request) -> Response:
    """The empty answer of a "remove this row" button (htmx deletes the row itself)."""
    _session(request)
    return Response(status_code=200)


# --- per-werkgever settings ----------------------------------------------------------------


def _werkgevers_page(request: Request, status: int = 200, **extra: Any) -> Response:
    from dossier.web.werkvoorraad import choices

    store = _store(request)
    stored = werkgevers.all_settings(store)
    names = sorted(set(choices(store)["werkgevers"]) | set(stored))
    folder = werkgevers.sets_dir(store)
    sets = sorted(p.name for p in folder.iterdir() if p.is_dir()) if folder.is_dir() else []
    rows = [stored.get(n, werkgevers.Instelling(n)) for n in names]
    return _page(request, "werkgevers.html", status, rows=rows, sets=sets, weken=list(werkgevers.WIA_WEKEN),
                 standaard=store.settings.wia_aanvraag_week, **extra)


def _refresh(store: Any, today: Any) -> None:
    with _REFRESH:
        store.refresh(today)


@router.get("/werkgevers")
def werkgevers_page(request: Request) -> Response:
    _session(request)
    return _werkgevers_page(request)


@router.post("/werkgevers")
async def save_werkgever(request: Request) -> Response:
    session = _session(request)
    values = await _form(request, session)
    naam = values.get("werkgever", "").strip()
    sjablonenset = values.get("sjablonenset", "").strip()
    week = values.get("wia_aanvraag_week", "").strip()
    wrong = werkgevers.problems(sjablonenset, week)
    if not naam:
        wrong["werkgever"] = "kies een werkgever"
    if wrong:
        return _werkgevers_page(request, 422, fout_voor=naam, fouten=wrong)
    store = _store(request)
    werkgevers.save(store, naam, sjablonenset=sjablonenset or None, wia_aanvraag_week=int(week) if week else None,
                    door=session["u"])
    # The werkvoorraad columns of this werkgever's cases follow in the background (timelines are slow).
    today = request.app.state.config.reference_date()
    threading.Thread(target=_refresh, args=(store, today), name="dossier-werkgever", daemon=True).start()
    return RedirectResponse("/werkgevers?opgeslagen=1", status_code=303)

"""The agenda feed: every open milestone of every open case as iCalendar, at ``/agenda/{token}.ics``.

Calendar clients (Outlook, Google, Apple) send no cookie and no bearer header, so this one route is
authenticated by the token in its path alone: a separate, revocable token, stored as its hash only
and shown once when it is made. A wrong or revoked token is a plain 404.
"""

from __future__ import annotations

import threading
from datetime import date
from typing import Any

import sqlalchemy as sa
from fastapi import APIRouter, Request
from fastapi.responses import PlainTextResponse, RedirectResponse, Response

from dossier import api
from dossier.web import beheer_store as bs
from dossier.web.pages import _form, _page, _session, _store
from dossier.web.storage import Store, case_table, version_table

router = APIRouter(include_in_schema=False)
_lock = threading.Lock()


def _fingerprint(store: Store, today: date) -> tuple[Any, ...]:
    """Changes whenever a case is saved, deleted or erased (then the feed is made anew)."""
    with store._read.connect() as conn:
        top = conn.execute(sa.select(sa.func.max(version_table.c.id))).scalar()
        live = conn.execute(sa.select(sa.func.count()).select_from(case_table)
                            .where(case_table.c.deleted_at.is_(None))).scalar()
    return today, top, live, str(store.settings.wia_aanvraag_week)


def feed(store: Store, today: date) -> str:
    """The iCalendar text of the open milestones of the open (undeleted, not ended) cases."""
    items = []
    for rec in bs.all_cases(store, deleted=False):
        case, _ = api.validate_case_data(rec.data, today=today)
        if case is None or api.case_end(case, settings=store.settings, today=today) is not None:
            continue
        items.append((case, api.case_timeline(case, settings=store.settings, today=today)))
    return api.agenda_ics(items, name="dossier: poortwachter-mijlpalen")


def cached_feed(request: Request, store: Store, today: date) -> str:
    key = _fingerprint(store, today)
    with _lock:
        cache = getattr(request.app.state, "agenda_cache", None)
        if cache is not None and cache[0] == key:
            return cache[1]
    text = feed(store, today)
    with _lock:
        request.app.state.agenda_cache = (key, text)
    return text


@router.get("/agenda/{token}.ics")
def agenda_feed(request: Request, token: str) -> Response:
    store = _store(request)
    if not bs.feed_token_ok(store, token):
        return PlainTextResponse("niet gevonden", status_code=404)
    text = cached_feed(request, store, request.app.state.config.reference_date())
    return Response(text, media_type="text/calendar; charset=utf-8",
                    headers={"Content-Disposition": 'inline; filename="dossier-agenda.ics"'})


@router.get("/agenda")
def agenda_page(request: Request) -> Response:
    _session(request)
    return _page(request, "agenda.html", made=bs.get_setting(_store(request), bs.FEED_TOKEN_MADE), url=None)


@router.post("/agenda/nieuw-token")
async def new_token(request: Request) -> Response:
    session = _session(request)
    await _form(request, session)
    store = _store(request)
    token = bs.new_feed_token(store)
    bs.audit(store, "agenda_token", door=session["u"], omschrijving="nieuw agendatoken; het vorige werkt niet meer")
    url = f"{request.base_url}agenda/{token}.ics"
    return _page(request, "agenda.html", made=bs.get_setting(store, bs.FEED_TOKEN_MADE), url=url)


@router.post("/agenda/intrekken")
async def revoke(request: Request) -> Response:
    session = _session(request)
    await _form(request, session)
    bs.revoke_feed_token(_store(request))
    bs.audit(_store(request), "agenda_token", door=session["u"], omschrijving="agendatoken ingetrokken")
    return RedirectResponse("/agenda", status_code=303)

"""The agenda feed: every open milestone of every open case as iCalendar, at ``/agenda/{token}.ics``.

Calendar clients (Outlook, Google, Apple) send no cookie and no bearer header, so this one route is
authenticated by the token in its path alone: a separate, revocable token, stored as its hash only
and shown once when it is made. A wrong or revoked token is a plain 404.
"""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Request
from fastapi.responses import PlainTextResponse, RedirectResponse, Response

from dossier import api
from dossier.web import beheer_store as bs
from dossier.web.pages import _form, _page, _session, _store
from dossier.web.storage import Store

router = APIRouter(include_in_schema=False)


def _events(case: api.Case, store: Store, today: date) -> str:
    """The VEVENT lines of one open case (empty when it has ended)."""
    if api.case_end(case, settings=store.settings, today=today) is not None:
        return ""
    text = api.agenda_ics([(case, api.case_timeline(case, settings=store.settings, today=today))])
    start, end = text.find("BEGIN:VEVENT"), text.rfind("END:VCALENDAR")
    return text[start:end] if start >= 0 else ""


def feed(store: Store, today: date, cache: bs.PerVersion | None = None) -> str:
    """The iCalendar text of the open milestones of the open (undeleted, not ended) cases; with a cache,
    only cases saved since the last call (or all, when the date moved on) run their timeline."""
    def compute(rec: bs.CaseRecord) -> str:
        case = api.stored_case(rec.data, today=today)
        return _events(case, store, today) if case is not None else ""

    done = bs.cached_over_cases(store, cache or bs.PerVersion(), today, compute, deleted=False)
    parts = [text for _, text in done]
    head = api.agenda_ics([], name="dossier: poortwachter-mijlpalen")
    return head[: head.rfind("END:VCALENDAR")] + "".join(parts) + "END:VCALENDAR\r\n"


@router.get("/agenda/{token}.ics")
def agenda_feed(request: Request, token: str) -> Response:
    store = _store(request)
    if not bs.feed_token_ok(store, token):
        return PlainTextResponse("niet gevonden", status_code=404)
    text = feed(store, request.app.state.config.reference_date(), request.app.state.agenda_cache)
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

"""The HTTP API under ``/api/v1`` (contract in issue 14; keep keys and status codes exact).

A thin adapter: storage for cases, :mod:`dossier.api` for everything the engine does.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import JSONResponse

from dossier import api
from dossier.web.storage import Invalid, Store, input_error

router = APIRouter(prefix="/api/v1")


def store(request: Request) -> Store:
    return request.app.state.store


def problems(issues: list[api.Issue], status: int = 422) -> JSONResponse:
    return JSONResponse({"problemen": [api.issue_json(i) for i in issues]}, status_code=status)


#: The largest JSON body the API reads (a case file is a few tens of KB; uploads come later, separately).
MAX_BODY = 2 * 1024 * 1024


class TooLarge(api.DossierError):
    """A request body over :data:`MAX_BODY` (413)."""


class WrongType(api.DossierError):
    """A body that says it is not JSON (415)."""


async def _body(request: Request) -> dict[str, Any]:
    """The JSON body as a dict; anything else is Invalid (422) with a Dutch message."""
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind and not (kind == "application/json" or kind.endswith("+json")):
        raise WrongType(f"de body moet JSON zijn (Content-Type: application/json), niet '{kind[:60]}'")
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY:
        raise TooLarge(f"de body is groter dan {MAX_BODY // (1024 * 1024)} MB")
    raw = b""
    async for chunk in request.stream():
        raw += chunk
        if len(raw) > MAX_BODY:
            raise TooLarge(f"de body is groter dan {MAX_BODY // (1024 * 1024)} MB")
    try:
        data = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        melding = f"de body is geen geldige JSON ({e.__class__.__name__})"
        raise Invalid("geen JSON", [input_error("", melding)]) from None
    if not isinstance(data, dict):
        raise Invalid("geen object", [input_error("", "verwacht één casus als JSON-object")])
    return data


def today_param(request: Request, value: str | None) -> date:
    if value is None or not value.strip():
        return request.app.state.config.reference_date()
    try:
        return api.parse_today(value)
    except ValueError as e:
        raise Invalid("peildatum", [input_error("today", str(e))]) from None


def _if_match(request: Request) -> int | None:
    raw = request.headers.get("if-match")
    if raw is None or raw.strip() == "*":
        return None
    text = raw.strip().removeprefix("W/").strip('"')
    try:
        return int(text)
    except ValueError:
        raise Invalid("If-Match", [input_error("If-Match", f"'{raw}' is geen versienummer")]) from None


@router.post("/cases", status_code=201)
async def create_case(request: Request) -> JSONResponse:
    data = await _body(request)
    cfg = request.app.state.config
    versie = store(request).create(data, door=cfg.gebruiker, today=cfg.reference_date())
    return JSONResponse({"dossiernummer": str(data["dossiernummer"]).strip(), "versie": versie}, status_code=201)


@router.get("/cases")
def list_cases(request: Request, zoek: str = "", pagina: int = Query(1, ge=1),
               per_pagina: int = Query(50, ge=1, le=500)) -> dict[str, Any]:
    total, rows = store(request).list(zoek=zoek, pagina=pagina, per_pagina=per_pagina,
                                      today=request.app.state.config.reference_date())
    return {"totaal": total, "casussen": [{
        "dossiernummer": r.dossiernummer, "werknemer": r.werknemer, "werkgever": r.werkgever,
        "ziekteweek": r.ziekteweek,
        "volgende_mijlpaal": {"code": r.mijlpaal_code, "uiterlijk": r.mijlpaal_uiterlijk.isoformat()}
        if r.mijlpaal_code and r.mijlpaal_uiterlijk else None,
        "niveau": r.niveau} for r in rows]}


@router.get("/cases/{nr}")
def get_case(request: Request, nr: str) -> Response:
    stored = store(request).get(nr)
    body = json.dumps(stored.data, ensure_ascii=False, indent=2) + "\n"
    return Response(body, media_type="application/json", headers={"ETag": f'"{stored.versie}"'})


@router.put("/cases/{nr}")
async def put_case(request: Request, nr: str) -> JSONResponse:
    data = await _body(request)
    expected = _if_match(request)
    cfg = request.app.state.config
    versie = store(request).save(nr, data, door=cfg.gebruiker, today=cfg.reference_date(), expected=expected)
    return JSONResponse({"dossiernummer": nr, "versie": versie}, headers={"ETag": f'"{versie}"'})


@router.delete("/cases/{nr}", status_code=204)
def delete_case(request: Request, nr: str) -> Response:
    store(request).delete(nr)
    return Response(status_code=204)


@router.get("/cases/{nr}/versions")
def case_versions(request: Request, nr: str) -> list[dict[str, Any]]:
    return [{"versie": v.versie, "opgeslagen_op": v.opgeslagen_op.isoformat(), "door": v.door}
            for v in store(request).versions(nr)]


@router.get("/cases/{nr}/timeline")
def case_timeline(request: Request, nr: str, today: str | None = None) -> Response:
    """Exactly ``dossier timeline --format json`` of the case on ``today``."""
    when = today_param(request, today)
    case = store(request).validated(store(request).get(nr).data, when)
    tl = api.case_timeline(case, settings=store(request).case_settings(case), today=when)
    return Response(api.format_timeline([(case, tl)], "json"), media_type="application/json")


@router.get("/cases/{nr}/documents/{soort}.docx")
def document_docx(request: Request, nr: str, soort: str, nummer: int | None = Query(None, ge=1),
                  today: str | None = None) -> Response:
    """One generated document of the case, rendered now (``dossier render SOORT``)."""
    from dossier.web.documents import DOCX, download_name, render_docx

    when = today_param(request, today)
    s = store(request)
    data = s.get(nr).data
    content = render_docx(data, soort, nummer=nummer, settings=_case_settings(s, data), today=when)
    return Response(content, media_type=DOCX,
                    headers={"Content-Disposition": f'attachment; filename="{download_name(nr, soort)}"'})


@router.get("/cases/{nr}/check")
def case_check(request: Request, nr: str, today: str | None = None) -> Response:
    """Exactly ``dossier check --format json`` of the case (stored as the file ``NR.json``) on ``today``."""
    from dossier.web.documents import check_json

    when = today_param(request, today)
    s = store(request)
    data = s.get(nr).data
    return Response(check_json(data, nr, settings=_case_settings(s, data), today=when), media_type="application/json")


def _case_settings(s: Store, data: dict[str, Any]) -> api.Settings:
    """The werkgever's settings of a stored case (the server's own when the data does not validate)."""
    case, _ = api.validate_case_data(data)
    return s.case_settings(case) if case is not None else s.settings

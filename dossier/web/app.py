"""The application factory: storage, routes, error handlers and the security headers."""

from __future__ import annotations

import logging
import threading
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException

from dossier import api
from dossier.web import security
from dossier.web.api_routes import TooLarge, WrongType
from dossier.web.config import WebConfig
from dossier.web.storage import Conflict, Invalid, NotFound, Store

log = logging.getLogger("dossier.web")
HERE = Path(__file__).parent

#: Paths that need no token (the health check for monitoring and load balancers).
PUBLIC = ("/healthz",)


def _is_api(path: str) -> bool:
    return path == "/api" or path.startswith("/api/")


#: How often the background refresher looks whether the date moved on (seconds).
REFRESH_EVERY = 300


def _refresher(store: Store, config: WebConfig, stop: threading.Event) -> None:
    """Keep the precomputed werkvoorraad columns current: at start and whenever the date changes."""
    while not stop.is_set():
        try:
            store.refresh(config.reference_date())
        except Exception:  # a locked database now is retried next round; never kill the thread
            log.exception("bijwerken van de werkvoorraad mislukt")
        stop.wait(REFRESH_EVERY)


def create_app(config: WebConfig) -> FastAPI:
    """A ready application for one data folder; creates the folder and migrates the database."""
    config.data_dir.mkdir(parents=True, exist_ok=True)
    store = Store(config.db_path)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        stop = threading.Event()
        worker = threading.Thread(target=_refresher, args=(store, config, stop), name="dossier-refresh", daemon=True)
        worker.start()
        _app.state.jobs.recover()  # jobs a restart interrupted: bezig → fout, wachtend → queued again
        yield
        stop.set()
        if hasattr(_app.state, "beheer_stop"):  # the beheer warm-up (dossier.web.beheer)
            _app.state.beheer_stop.set()
        worker.join(5)
        _app.state.jobs.close()
        store.close()

    app = FastAPI(title="dossier", version="1", lifespan=lifespan, docs_url="/api/docs",
                  openapi_url="/api/openapi.json", redoc_url=None)
    app.state.config = config
    app.state.store = store
    app.state.sessions = security.Sessions(security.session_key(config.data_dir))

    @app.middleware("http")
    async def guard(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        path = request.url.path
        if _is_api(path):
            given = security.bearer(request)
            session = app.state.sessions.read(request)
            # The docs page is also open to a logged-in browser (it cannot send a bearer header).
            docs = path in ("/api/docs", "/api/openapi.json") and session is not None
            if not docs and not security.token_ok(given, config.token):
                response: Response = JSONResponse(
                    {"melding": "niet aangemeld: stuur 'Authorization: Bearer TOKEN' met het token van de server"},
                    status_code=401, headers={"WWW-Authenticate": "Bearer"})
            else:
                response = await call_next(request)
        else:
            response = await call_next(request)
        for name, value in security.HEADERS.items():
            response.headers.setdefault(name, value)
        if path.startswith("/static/"):
            response.headers["Cache-Control"] = "max-age=3600"
        return response

    _install_error_handlers(app)

    @app.get("/healthz", include_in_schema=False)
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    from dossier.web.api_routes import router as api_router
    from dossier.web.pages import _Login, login_redirect
    from dossier.web.pages import router as page_router

    app.add_exception_handler(_Login, login_redirect)

    from dossier.web.formroutes import router as form_router

    app.include_router(api_router)
    app.include_router(page_router)
    app.include_router(form_router)
    from dossier.web import beheer  # import/export, AVG, agenda feed, template sets
    from dossier.web.job_routes import install as install_jobs

    beheer.install(app)
    install_jobs(app, store)  # uploads, background jobs and their results
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    return app


def _install_error_handlers(app: FastAPI) -> None:
    """JSON errors on the API (``{"melding"}``, ``{"problemen"}``), Dutch pages elsewhere."""

    @app.exception_handler(NotFound)
    async def not_found(request: Request, e: NotFound) -> Response:
        if _is_api(request.url.path):
            return JSONResponse({"melding": e.message}, status_code=404)
        from dossier.web.pages import error_page
        return error_page(request, 404, e.message)

    @app.exception_handler(Conflict)
    async def conflict(request: Request, e: Conflict) -> Response:
        if _is_api(request.url.path):
            return JSONResponse({"melding": e.message}, status_code=409)
        from dossier.web.pages import error_page
        return error_page(request, 409, e.message)

    @app.exception_handler(Invalid)
    async def invalid(request: Request, e: Invalid) -> Response:
        return JSONResponse({"problemen": [api.issue_json(i) for i in e.issues]}, status_code=422)

    @app.exception_handler(TooLarge)
    async def too_large(request: Request, e: TooLarge) -> Response:
        return JSONResponse({"melding": e.message}, status_code=413)

    @app.exception_handler(WrongType)
    async def wrong_type(request: Request, e: WrongType) -> Response:
        return JSONResponse({"melding": e.message}, status_code=415)

    @app.exception_handler(RequestValidationError)
    async def bad_request(request: Request, e: RequestValidationError) -> Response:
        found = [{"ernst": "fout", "veld": ".".join(str(p) for p in err.get("loc", ())[1:]),
                  "melding": "ongeldige waarde"} for err in e.errors()]
        return JSONResponse({"problemen": found}, status_code=422)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, e: HTTPException) -> Response:
        text = {404: "niet gevonden", 405: "deze methode kan hier niet"}.get(e.status_code, str(e.detail))
        if _is_api(request.url.path) or request.url.path in PUBLIC:
            return JSONResponse({"melding": text}, status_code=e.status_code, headers=e.headers)
        from dossier.web.pages import error_page
        return error_page(request, e.status_code, text)

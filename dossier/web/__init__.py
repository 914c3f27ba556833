"""``dossier serve``: the web application and the HTTP API (optional extra ``dossier[web]``).

Everything here is a thin adapter over :mod:`dossier.api`: it stores cases and versions, draws
pages and answers the API, and adds no rules of its own.
"""

from __future__ import annotations

from dossier.web.config import WebConfig, default_data_dir, default_user

__all__ = ["WebConfig", "create_app", "default_data_dir", "default_user", "import_cases", "serve"]


def create_app(config: WebConfig):  # type: ignore[no-untyped-def]  # (FastAPI is imported lazily)
    """The FastAPI application for ``config`` (see :mod:`dossier.web.app`)."""
    from dossier.web.app import create_app as _create

    return _create(config)


def import_cases(config: WebConfig, paths: list) -> tuple[int, int]:  # type: ignore[type-arg]
    """Store every valid case of the given files as a new case; existing dossiernummers are left alone.

    Returns (imported, skipped).
    """
    from dossier.web.storage import import_files

    return import_files(config, paths)


def serve(config: WebConfig, *, host: str = "127.0.0.1", port: int = 8000) -> None:
    """Run the server until interrupted (uvicorn, one process)."""
    import uvicorn

    uvicorn.run(create_app(config), host=host, port=port, access_log=False, log_level="warning")

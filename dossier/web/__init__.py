"""``dossier serve``: the web application and the HTTP API (optional extra ``dossier[web]``).

Everything here is a thin adapter over :mod:`dossier.api`: it stores cases and versions, draws
pages and answers the API, and adds no rules of its own.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from dossier.web.config import WebConfig, default_data_dir, default_user

if TYPE_CHECKING:
    from fastapi import FastAPI

__all__ = ["WebConfig", "create_app", "default_data_dir", "default_user", "import_cases", "missing", "serve"]

#: The modules of the ``web`` extra (import name → the package to install).
REQUIRED = {"fastapi": "fastapi", "uvicorn": "uvicorn", "sqlalchemy": "sqlalchemy", "alembic": "alembic",
            "multipart": "python-multipart", "itsdangerous": "itsdangerous", "jinja2": "jinja2"}


def missing() -> list[str]:
    """The packages of the ``web`` extra that are not installed (empty when it is complete)."""
    import importlib.util

    return [pkg for mod, pkg in REQUIRED.items() if importlib.util.find_spec(mod) is None]


def create_app(config: WebConfig) -> FastAPI:
    """The FastAPI application for ``config`` (see :mod:`dossier.web.app`)."""
    from dossier.web.app import create_app as _create

    return _create(config)


def import_cases(config: WebConfig, paths: list[Path]) -> tuple[int, int]:
    """Store every valid case of the given files as a new case; existing dossiernummers are left alone.

    Returns (imported, skipped).
    """
    from dossier.web.storage import import_files

    return import_files(config, paths)


def serve(config: WebConfig, *, host: str = "127.0.0.1", port: int = 8000) -> None:
    """Run the server until interrupted (uvicorn, one process)."""
    import uvicorn

    uvicorn.run(create_app(config), host=host, port=port, access_log=False, log_level="warning")

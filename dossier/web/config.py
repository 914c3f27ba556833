"""Where the web application keeps its data and who it serves (single-user mode)."""

from __future__ import annotations

import getpass
import os
import secrets
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path


def default_data_dir() -> Path:
    """``$XDG_DATA_HOME/dossier``, i.e. ``~/.local/share/dossier`` when the variable is not set."""
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "dossier"


def default_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no name for this uid (a container)
        return "gebruiker"


@dataclass(frozen=True)
class WebConfig:
    """Settings of one server.

    Attributes:
        data_dir: the data folder (database ``dossier.sqlite3``, the session key).
        token: the login token of the pages and the bearer token of the API (one value).
        gebruiker: the name recorded with every saved version.
        today: a fixed reference date (tests, demos); None is the real date of each request.
        secure_cookies: send the session cookie only over HTTPS (behind a TLS proxy).
    """

    data_dir: Path = field(default_factory=default_data_dir)
    token: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    gebruiker: str = field(default_factory=default_user)
    today: date | None = None
    secure_cookies: bool = False

    @property
    def db_path(self) -> Path:
        return self.data_dir / "dossier.sqlite3"

    def reference_date(self) -> date:
        return self.today or date.today()

"""Token login, the session cookie, CSRF tokens and the security headers of every response."""

from __future__ import annotations

import hmac
import secrets
from pathlib import Path
from typing import Any

from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.requests import Request

SESSION_COOKIE = "dossier_sessie"
SESSION_MAX_AGE = 12 * 3600  # a working day; then log in again

#: No inline script or style anywhere: everything comes from /static.
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
       "form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
}


def token_ok(given: str | None, token: str) -> bool:
    return given is not None and hmac.compare_digest(given.encode(), token.encode())


def bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


def session_key(data_dir: Path) -> bytes:
    """A random key kept in the data folder, so sessions survive a restart of the server."""
    path = data_dir / "sessie.key"
    if not path.exists():
        path.write_bytes(secrets.token_bytes(32))
        path.chmod(0o600)
    return path.read_bytes()


class Sessions:
    """Signed session cookies: ``{"u": user, "csrf": token}``."""

    def __init__(self, key: bytes) -> None:
        self._s = URLSafeTimedSerializer(key, salt="dossier-sessie")

    def new(self, user: str) -> str:
        return self._s.dumps({"u": user, "csrf": secrets.token_urlsafe(24)})

    def read(self, request: Request) -> dict[str, Any] | None:
        raw = request.cookies.get(SESSION_COOKIE)
        if not raw:
            return None
        try:
            data = self._s.loads(raw, max_age=SESSION_MAX_AGE)
        except BadSignature:
            return None
        return data if isinstance(data, dict) and "csrf" in data else None


def csrf_ok(session: dict[str, Any], given: str | None) -> bool:
    return given is not None and hmac.compare_digest(given.encode(), str(session["csrf"]).encode())

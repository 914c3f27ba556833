"""Reading one uploaded file from a page form, with the checks every upload gets.

Too large → 413, a type that is not accepted → 415, a file name with a path in it → 422, a forged
CSRF token → 403; each with a Dutch message. The client's file name is never used as a path.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

from starlette.datastructures import UploadFile
from starlette.requests import Request

from dossier.web import security

ZIP_MAGIC = b"PK\x03\x04"
#: Content types browsers send for each accepted suffix (octet-stream: a browser that does not know).
TYPES = {
    ".csv": {"text/csv", "text/plain", "application/csv", "application/vnd.ms-excel", "application/octet-stream", ""},
    ".xlsx": {"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "application/zip",
              "application/octet-stream", ""},
    ".json": {"application/json", "text/plain", "text/json", "application/octet-stream", ""},
    ".zip": {"application/zip", "application/x-zip-compressed", "application/x-zip", "application/octet-stream", ""},
}


class UploadRefused(Exception):
    """An upload refused before anything was stored: ``status`` and a Dutch ``melding``."""

    def __init__(self, status: int, melding: str) -> None:
        super().__init__(melding)
        self.status, self.melding = status, melding


@dataclass(frozen=True)
class Upload:
    fields: dict[str, str]
    content: bytes
    suffix: str
    filename: str  # for messages only


def _mb(n: int) -> str:
    return f"{n / (1024 * 1024):.0f} MB"


def _checked_name(name: str) -> str:
    if not name:
        raise UploadRefused(422, "kies een bestand om te uploaden")
    if "/" in name or "\\" in name or "\x00" in name or ".." in PurePosixPath(name).parts or name.startswith(".."):
        raise UploadRefused(422, "de bestandsnaam bevat een pad (/, \\ of ..); upload het bestand zelf")
    return name


async def read_upload(request: Request, session: dict[str, Any], *, limit: int, suffixes: tuple[str, ...],
                      field: str = "bestand") -> Upload:
    """The one file of a multipart page form (field ``field``) and its other fields, checked."""
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if ctype != "multipart/form-data":
        raise UploadRefused(415, "verwacht een formulier met een bestand (multipart/form-data)")
    declared = request.headers.get("content-length", "")
    if not declared.isdigit():  # browsers always send it; without it the body would be spooled unread
        raise UploadRefused(411, "de lengte van het verzoek ontbreekt (Content-Length)")
    if int(declared) > limit + 64 * 1024:
        raise UploadRefused(413, f"het bestand is groter dan {_mb(limit)}")
    form = await request.form(max_files=1, max_fields=20)
    values = {k: v for k, v in form.items() if isinstance(v, str)}
    if not security.csrf_ok(session, values.get("csrf") or request.headers.get("x-csrf-token")):
        raise UploadRefused(403, "het formulier is verlopen of komt niet van deze site (CSRF-controle); "
                                 "laad de pagina opnieuw")
    upload = form.get(field)
    if not isinstance(upload, UploadFile):
        raise UploadRefused(422, "kies een bestand om te uploaden")
    name = _checked_name(upload.filename or "")
    suffix = PurePosixPath(name).suffix.lower()
    if suffix not in suffixes:
        raise UploadRefused(415, f"bestandstype '{suffix or name}' wordt hier niet aangenomen; "
                                 f"kies een {' of '.join(s.lstrip('.').upper() for s in suffixes)}-bestand")
    declared_type = (upload.content_type or "").split(";")[0].strip().lower()
    if declared_type not in TYPES.get(suffix, {""}):
        raise UploadRefused(415, f"het bestand zegt '{declared_type[:60]}' te zijn, geen {suffix.lstrip('.').upper()}")
    content = await upload.read(limit + 1)
    await upload.close()
    if len(content) > limit:
        raise UploadRefused(413, f"het bestand is groter dan {_mb(limit)}")
    if suffix in (".xlsx", ".zip") and not content.startswith(ZIP_MAGIC):
        raise UploadRefused(415, f"'{name}' is geen {suffix.lstrip('.').upper()}-bestand (de inhoud klopt niet)")
    return Upload(values, content, suffix, name)

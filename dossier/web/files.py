"""Uploaded files: a content-addressed store in the data folder, and their rows in the database.

A file is stored under its sha256 (``bestanden/ab/abcd….pdf``), written to a private temporary name
and linked into place, so it is complete or absent and never overwritten (the same content is the
same name). The client's file name is never used as a path: its type comes from the bytes, and the
name is kept only, sanitised, for display.

Each upload is also part of the case data as the case model expects it (a ``bijlagen`` entry, or the
``scan`` of an ``ondertekeningen`` record) and saved as a new version of the case, so nothing is lost.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import tempfile
import unicodedata
import zipfile
from dataclasses import dataclass
from datetime import UTC, datetime
from io import BytesIO
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from dossier import api
from dossier.web.storage import Conflict, Invalid, NotFound, Store, case_table, input_error

#: The store's folder in the data folder; also the build's ``bijlagen_map`` (names are relative to it).
FOLDER = "bestanden"

metadata = sa.MetaData()
upload_table = sa.Table(
    "upload", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("case_id", sa.Integer, nullable=False),
    sa.Column("rol", sa.String(20), nullable=False),  # "bijlage" or "scan"
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("bestand", sa.String(200), nullable=False),  # the name in the store (and in the case data)
    sa.Column("naam", sa.String(200), nullable=False),  # the client's name, sanitised, for display only
    sa.Column("grootte", sa.Integer, nullable=False),
    sa.Column("titel", sa.String(400), nullable=False),
    sa.Column("soort", sa.String(100), nullable=False),  # the attachment kind, or the signed document kind
    sa.Column("nummer", sa.Integer),
    sa.Column("versie", sa.Integer, nullable=False),  # the case version that added it
    sa.Column("door", sa.String(200), nullable=False),
    sa.Column("opgeslagen_op", sa.DateTime(timezone=True), nullable=False),
)


class WrongFileType(api.DossierError):
    """The bytes are not a type the engine takes (415)."""


# --- what a file is, by its bytes ----------------------------------------------------------

ATTACHMENT_TYPES = (".pdf", ".docx", ".odt", ".doc", ".rtf", ".jpg", ".png")
SCAN_TYPES = (".pdf", ".jpg", ".png")


def sniff(data: bytes) -> str | None:
    """The file type of ``data`` as a suffix (".pdf", ".docx", ...), from its bytes; None: not one we take."""
    if b"%PDF-" in data[:1024]:
        return ".pdf"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return ".png"
    if data.startswith(b"\xff\xd8\xff"):
        return ".jpg"
    if data.startswith(b"{\\rtf"):
        return ".rtf"
    if data.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return ".doc"
    if data.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(BytesIO(data)) as z:
                names = set(z.namelist())
                if "word/document.xml" in names:
                    return ".docx"
                if "mimetype" in names and z.read("mimetype").strip() == b"application/vnd.oasis.opendocument.text":
                    return ".odt"
        except (zipfile.BadZipFile, OSError, KeyError):
            return None
    return None


def display_name(client_name: str | None, suffix: str) -> str:
    """The client's file name made safe to show and to put in a temporary folder: its last part only
    (no folders, no ``..``), letters, digits and ``-_. `` only, at most 80 characters, with the suffix
    of the real type."""
    base = re.split(r"[\\/]", client_name or "")[-1]
    base = unicodedata.normalize("NFKC", base)
    stem = base.rsplit(".", 1)[0] if "." in base else base
    stem = re.sub(r"[^\w\- ]+", "_", stem, flags=re.UNICODE).strip(" ._")[:80] or "bestand"
    return stem + suffix


# --- the content-addressed store -----------------------------------------------------------


class FileStore:
    """Files by content in ``root`` (owner-only folders and files)."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.root.mkdir(mode=0o700, parents=True, exist_ok=True)

    def put(self, data: bytes, suffix: str) -> tuple[str, str]:
        """Store ``data``; returns (its name in the store, its sha256). An existing file is left as it is."""
        digest = hashlib.sha256(data).hexdigest()
        name = f"{digest[:2]}/{digest}{suffix}"
        target = self.root / name
        if target.exists():
            return name, digest
        target.parent.mkdir(mode=0o700, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".nieuw-", dir=target.parent)  # mode 0600
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
            with contextlib.suppress(FileExistsError):  # the name exists: never overwritten
                os.link(tmp, target)
        finally:
            os.unlink(tmp)
        return name, digest

    def path(self, name: str) -> Path:
        """The file of a store name; refuses anything that is not one (a name from elsewhere)."""
        if not re.fullmatch(r"[0-9a-f]{2}/[0-9a-f]{64}\.[a-z]{3,4}", name):
            raise NotFound("onbekend bestand")
        return self.root / name


def file_store(request_or_app: Any) -> FileStore:
    app = getattr(request_or_app, "app", request_or_app)
    return FileStore(app.state.config.data_dir / FOLDER)


def build_settings(store: Store, data_dir: Path) -> api.Settings:
    """The engine's settings for a stored case: attachments are looked up in the file store."""
    return store.settings.merge(bijlagen_map=data_dir / FOLDER)


# --- uploads into a case -------------------------------------------------------------------


@dataclass(frozen=True)
class Upload:
    id: int
    rol: str
    bestand: str
    naam: str
    grootte: int
    titel: str
    soort: str
    nummer: int | None
    versie: int
    door: str
    opgeslagen_op: datetime


def parse_date(veld: str, value: str | None) -> str | None:
    """A date field of an upload as ISO text (None when empty); Invalid with a Dutch message otherwise."""
    if value is None or not value.strip():
        return None
    try:
        return api.parse_today(value.strip()).isoformat()
    except ValueError as e:
        raise Invalid("datum", [input_error(veld, str(e))]) from None


def preflight(data: bytes, naam: str, *, titel: str, soort: str, wachtwoord: str | None,
              settings: api.Settings) -> list[api.Issue]:
    """The build's preflight of one upload (in a private temporary folder, named for display)."""
    with tempfile.TemporaryDirectory(prefix="dossier-upload-") as tmp:
        path = Path(tmp) / naam
        path.write_bytes(data)
        return api.preflight_attachment(path, titel=titel, soort=soort, wachtwoord=wachtwoord, settings=settings)


def _case_id(store: Store, nr: str) -> int:
    with store._read.connect() as conn:
        row = conn.execute(sa.select(case_table.c.id).where(case_table.c.dossiernummer == nr,
                                                            case_table.c.deleted_at.is_(None))).first()
    if row is None:
        raise NotFound(f"dossier {nr} niet gevonden")
    return int(row.id)


def save_with(store: Store, nr: str, change: Any, *, door: str, today: Any, files: FileStore,
              content: bytes, suffix: str, signing: bool = False) -> tuple[int, str, str]:
    """Add one stored file to the case: ``change(data, bestand)`` edits a copy of the current case data.

    The new data is validated before the file is stored, so a refusal stores nothing; a save that
    crosses another is retried on the newer version. ``signing``: the change is a signed scan, whose
    record must name a document the case has (as ``check`` demands). Returns (new version, store name,
    sha256).
    """
    digest = hashlib.sha256(content).hexdigest()
    name = f"{digest[:2]}/{digest}{suffix}"  # as FileStore.put names it
    for _attempt in range(5):
        current = store.get(nr)
        data = change(dict(current.data), name)
        case = store.validated(data, today)
        wrong = api.signing_problems(case, settings=store.case_settings(case), today=today) if signing else []
        if wrong:
            raise Invalid("ondertekening", wrong)
        stored, digest = files.put(content, suffix)
        try:
            return store.save(nr, data, door=door, today=today, expected=current.versie), stored, digest
        except Conflict:
            continue  # another save came in between: apply the change to the newer version
    raise Invalid("bezig", [input_error("", "het dossier wordt steeds tegelijk gewijzigd; probeer het opnieuw")])


def record(store: Store, nr: str, *, rol: str, bestand: str, sha256: str, naam: str, grootte: int, titel: str,
           soort: str, nummer: int | None, versie: int, door: str) -> int:
    """The database row of one upload; returns its id."""
    case_id = _case_id(store, nr)
    with store._tx() as conn:
        return int(conn.execute(upload_table.insert().values(
            case_id=case_id, rol=rol, sha256=sha256, bestand=bestand, naam=naam, grootte=grootte, titel=titel,
            soort=soort, nummer=nummer, versie=versie, door=door,
            opgeslagen_op=datetime.now(UTC).replace(microsecond=0))).inserted_primary_key[0])


def uploads(store: Store, nr: str) -> list[Upload]:
    """The uploads of a case, newest first."""
    case_id = _case_id(store, nr)
    c = upload_table.c
    with store._read.connect() as conn:
        rows = conn.execute(sa.select(c.id, c.rol, c.bestand, c.naam, c.grootte, c.titel, c.soort, c.nummer,
                                      c.versie, c.door, c.opgeslagen_op)
                            .where(c.case_id == case_id).order_by(c.id.desc())).all()
    return [Upload(*r) for r in rows]


def add_attachment(store: Store, files: FileStore, nr: str, content: bytes, client_name: str | None, *,
                   titel: str, soort: str, datum: str | None, wachtwoord: str | None, door: str,
                   today: Any, auteur: str | None = None) -> tuple[int, list[api.Issue]]:
    """Preflight an attachment and add it to the case (a ``bijlagen`` entry, a new version).

    Returns (upload id, warnings). Raises Invalid with the preflight's errors (nothing stored),
    WrongFileType for a type the engine does not take, NotFound for an unknown case.
    """
    store.get(nr)  # 404 before any work
    suffix = sniff(content)
    if suffix not in ATTACHMENT_TYPES:
        raise WrongFileType("dit bestandstype wordt niet ondersteund; gebruik PDF, Word (DOCX/DOC), ODT, RTF, "
                            "JPG of PNG")
    naam = display_name(client_name, suffix)
    titel = titel.strip()
    if not titel:
        raise Invalid("titel", [input_error("titel", "geef de bijlage een titel")])
    when = parse_date("datum", datum)
    settings = store.settings
    found = preflight(content, naam, titel=titel, soort=soort, wachtwoord=wachtwoord or None, settings=settings)
    errors = [i for i in found if i.severity is api.Severity.fout]
    if errors:
        raise Invalid("bijlage geweigerd", errors)

    def change(data: dict[str, Any], bestand: str) -> dict[str, Any]:
        entry = {"titel": titel, "bestand": bestand, "soort": soort}
        if when:
            entry["datum"] = when
        if auteur and auteur.strip():
            entry["auteur"] = auteur.strip()
        if wachtwoord:
            entry["wachtwoord"] = wachtwoord  # the case model keeps it with the attachment
        data["bijlagen"] = [*(data.get("bijlagen") or []), entry]
        return data

    versie, bestand, digest = save_with(store, nr, change, door=door, today=today, files=files, content=content,
                                        suffix=suffix)
    upload_id = record(store, nr, rol="bijlage", bestand=bestand, sha256=digest, naam=naam, grootte=len(content),
                       titel=titel, soort=soort, nummer=None, versie=versie, door=door)
    return upload_id, [i for i in found if i.severity is not api.Severity.fout]


PARTIJEN = ("werkgever", "werknemer", "reintegratiebedrijf")


def add_scan(store: Store, files: FileStore, nr: str, content: bytes, client_name: str | None, *, document: str,
             nummer: int, datum: str | None, getekend: dict[str, str | None], door: str,
             today: Any) -> tuple[int, list[api.Issue]]:
    """Preflight a signed scan and make it the ``scan`` of the case's ``ondertekeningen`` record for
    (document, nummer) — a new record when there is none; signing dates given are set, others kept."""
    store.get(nr)
    suffix = sniff(content)
    if suffix not in SCAN_TYPES:
        raise WrongFileType("een ondertekende scan moet een PDF, JPG of PNG zijn")
    if document not in api.document_kind_names():
        raise Invalid("document", [input_error("document", f"onbekende documentsoort '{document[:60]}'; kies uit: "
                                                f"{', '.join(api.document_kind_names())}")])
    naam = display_name(client_name, suffix)
    when = parse_date("datum", datum)
    dates = {p: parse_date(p, getekend.get(p)) for p in PARTIJEN}
    titel = f"ondertekende scan {document} {nummer}"
    found = preflight(content, naam, titel=titel, soort="overig", wachtwoord=None, settings=store.settings)
    errors = [i for i in found if i.severity is api.Severity.fout]
    if errors:
        raise Invalid("scan geweigerd", errors)

    def change(data: dict[str, Any], bestand: str) -> dict[str, Any]:
        records = [dict(o) for o in (data.get("ondertekeningen") or [])]
        mine = next((o for o in records if o.get("document") == document and int(o.get("nummer") or 1) == nummer),
                    None)
        if mine is None:
            mine = {"document": document, "nummer": nummer}
            records.append(mine)
        if when:
            mine["datum"] = when
        mine.update({p: d for p, d in dates.items() if d})
        mine["scan"] = bestand
        data["ondertekeningen"] = records
        return data

    versie, bestand, digest = save_with(store, nr, change, door=door, today=today, files=files, content=content,
                                        suffix=suffix, signing=True)
    upload_id = record(store, nr, rol="scan", bestand=bestand, sha256=digest, naam=naam, grootte=len(content),
                       titel=titel, soort=document, nummer=nummer, versie=versie, door=door)
    return upload_id, [i for i in found if i.severity is not api.Severity.fout]


def adopt_files(data: dict[str, Any], found: dict[str, Path], files: FileStore) -> tuple[dict[str, Any], list[Any]]:
    """A case file's own attachments and scans into the store (``dossier serve --import``): each name the
    engine found (:func:`dossier.api.attachment_files`) is replaced by its store name.

    Returns (the new data, [(rol, store name, sha256, display name, size, titel, soort, nummer)]) for
    :func:`record_adopted` once the case exists.
    """
    import copy

    data = copy.deepcopy(data)
    adopted: list[Any] = []
    for rol, key, entries in (("bijlage", "bestand", data.get("bijlagen")),
                              ("scan", "scan", data.get("ondertekeningen"))):
        for entry in entries if isinstance(entries, list) else []:
            path = found.get(str(entry.get(key))) if isinstance(entry, dict) else None
            if path is None:
                continue
            content = path.read_bytes()
            suffix = sniff(content) or path.suffix.lower()
            name, digest = files.put(content, suffix)
            titel = str(entry.get("titel") or f"ondertekende scan {entry.get('document')} {entry.get('nummer') or 1}")
            adopted.append((rol, name, digest, display_name(path.name, suffix), len(content), titel,
                            str(entry.get("soort") or entry.get("document") or "overig"),
                            entry.get("nummer") if rol == "scan" else None))
            entry[key] = name
    return data, adopted


def record_adopted(store: Store, nr: str, adopted: list[Any], *, door: str) -> None:
    for rol, name, digest, naam, size, titel, soort, nummer in adopted:
        record(store, nr, rol=rol, bestand=name, sha256=digest, naam=naam, grootte=size, titel=titel, soort=soort,
               nummer=nummer, versie=1, door=door)

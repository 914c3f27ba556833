"""Storage for the beheer pages: audit rows, stored settings, the agenda feed token, erasure.

Sits beside :mod:`dossier.web.storage` (same database, tables of migration ``0003_beheer``) and uses
its :class:`Store`'s engines, so writes take the same write lock.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import sqlalchemy as sa

from dossier.web.backup import safe_member
from dossier.web.storage import NotFound, Store, case_table, metadata, version_table

T = TypeVar("T")

audit_table = sa.Table(
    "audit", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("op", sa.DateTime(timezone=True), nullable=False),
    sa.Column("door", sa.String(200), nullable=False),
    sa.Column("actie", sa.String(60), nullable=False),
    sa.Column("dossiernummer", sa.String(200)),
    sa.Column("omschrijving", sa.Text, nullable=False),
)
setting_table = sa.Table(
    "instelling", metadata,
    sa.Column("sleutel", sa.String(100), primary_key=True),
    sa.Column("waarde", sa.Text, nullable=False),
)

#: The folder of the data folder where uploaded files live (content-addressed; built by the uploads work).
FILES_DIR = "bestanden"
#: Setting keys.
FEED_TOKEN = "agenda_token_sha256"
FEED_TOKEN_MADE = "agenda_token_aangemaakt"
TEMPLATE_SET = "sjablonenset"


def _now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def _aware(when: datetime | None) -> datetime | None:
    return when if when is None or when.tzinfo else when.replace(tzinfo=UTC)


@dataclass(frozen=True)
class AuditRow:
    op: datetime
    door: str
    actie: str
    dossiernummer: str | None
    omschrijving: str


@dataclass(frozen=True)
class CaseRecord:
    """One case, deleted or not, with its current content."""

    id: int
    dossiernummer: str
    versie: int
    deleted_at: datetime | None
    data: dict[str, Any]


# --- audit ---------------------------------------------------------------------------------


def audit(store: Store, actie: str, *, door: str, nr: str | None = None, omschrijving: str = "") -> None:
    with store._tx() as conn:
        conn.execute(audit_table.insert().values(op=_now(), door=door, actie=actie, dossiernummer=nr,
                                                 omschrijving=omschrijving))


def audit_rows(store: Store, nrs: list[str] | None = None, *, limit: int = 500) -> list[AuditRow]:
    """The newest audit rows (of the given dossiernummers only, when given)."""
    q = sa.select(audit_table).order_by(audit_table.c.id.desc()).limit(limit)
    if nrs is not None:
        q = q.where(audit_table.c.dossiernummer.in_(nrs))
    with store._read.connect() as conn:
        rows = conn.execute(q).all()
    return [AuditRow(_aware(r.op), r.door, r.actie, r.dossiernummer, r.omschrijving) for r in rows]


# --- settings ------------------------------------------------------------------------------


def get_setting(store: Store, key: str) -> str | None:
    with store._read.connect() as conn:
        return conn.execute(sa.select(setting_table.c.waarde).where(setting_table.c.sleutel == key)).scalar()


def set_setting(store: Store, key: str, value: str | None) -> None:
    with store._tx() as conn:
        conn.execute(setting_table.delete().where(setting_table.c.sleutel == key))
        if value is not None:
            conn.execute(setting_table.insert().values(sleutel=key, waarde=value))


# --- the agenda feed token (stored as its sha256 only) ---------------------------------------


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_feed_token(store: Store) -> str:
    """A fresh feed token; the previous one stops working. Only its hash is kept."""
    token = secrets.token_urlsafe(24)
    set_setting(store, FEED_TOKEN, _digest(token))
    set_setting(store, FEED_TOKEN_MADE, _now().isoformat())
    return token


def feed_token_ok(store: Store, token: str) -> bool:
    stored = get_setting(store, FEED_TOKEN)
    return stored is not None and hmac.compare_digest(stored, _digest(token))


def revoke_feed_token(store: Store) -> None:
    set_setting(store, FEED_TOKEN, None)
    set_setting(store, FEED_TOKEN_MADE, None)


# --- cases as a whole ----------------------------------------------------------------------


def all_cases(store: Store, *, deleted: bool = True) -> list[CaseRecord]:
    """Every case with its current content (soft-deleted ones too unless ``deleted`` is False)."""
    q = (sa.select(case_table.c.id, case_table.c.dossiernummer, case_table.c.versie, case_table.c.deleted_at,
                   version_table.c.data)
         .join(version_table, version_table.c.id == case_table.c.current_version_id)
         .order_by(case_table.c.dossiernummer))
    if not deleted:
        q = q.where(case_table.c.deleted_at.is_(None))
    with store._read.connect() as conn:
        rows = conn.execute(q).all()
    return [CaseRecord(r.id, r.dossiernummer, r.versie, _aware(r.deleted_at), r.data) for r in rows]


def case_heads(store: Store, *, deleted: bool = True) -> list[CaseRecord]:
    """Every case without its content (``data`` empty): what a cache needs to see what changed."""
    q = sa.select(case_table.c.id, case_table.c.dossiernummer, case_table.c.versie,
                  case_table.c.deleted_at).order_by(case_table.c.dossiernummer)
    if not deleted:
        q = q.where(case_table.c.deleted_at.is_(None))
    with store._read.connect() as conn:
        rows = conn.execute(q).all()
    return [CaseRecord(r.id, r.dossiernummer, r.versie, _aware(r.deleted_at), {}) for r in rows]


def current_data(store: Store, ids: list[int]) -> dict[int, dict[str, Any]]:
    """The current content of the given cases, by case id."""
    out: dict[int, dict[str, Any]] = {}
    for start in range(0, len(ids), 500):  # SQLite's limit on bound parameters
        q = (sa.select(case_table.c.id, version_table.c.data)
             .join(version_table, version_table.c.id == case_table.c.current_version_id)
             .where(case_table.c.id.in_(ids[start:start + 500])))
        with store._read.connect() as conn:
            out.update({r.id: r.data for r in conn.execute(q)})
    return out


def cached_over_cases(store: Store, cache: PerVersion, today: Any, compute: Callable[[CaseRecord], T], *,
                      deleted: bool) -> list[tuple[CaseRecord, T]]:
    """``compute(case)`` for every case, from ``cache`` where that version was done on ``today``;
    only the content of the other cases is read from the database."""
    heads = case_heads(store, deleted=deleted)
    cache.keep({h.id for h in heads})
    missing = [h for h in heads if not cache.has(h, today)]
    datas = current_data(store, [h.id for h in missing])
    out = []
    for h in heads:
        if h.id in datas:
            full = CaseRecord(h.id, h.dossiernummer, h.versie, h.deleted_at, datas[h.id])
            out.append((h, cache.get(full, today, lambda full=full: compute(full))))
        else:
            out.append((h, cache.get(h, today, lambda h=h: compute(h))))
    return out


def find_case(store: Store, nr: str) -> CaseRecord:
    """One case by dossiernummer, also when soft-deleted. Raises NotFound."""
    for rec in all_cases_named(store, [nr]):
        return rec
    raise NotFound(f"dossier {nr} niet gevonden")


def all_cases_named(store: Store, nrs: list[str]) -> list[CaseRecord]:
    q = (sa.select(case_table.c.id, case_table.c.dossiernummer, case_table.c.versie, case_table.c.deleted_at,
                   version_table.c.data)
         .join(version_table, version_table.c.id == case_table.c.current_version_id)
         .where(case_table.c.dossiernummer.in_(nrs)))
    with store._read.connect() as conn:
        rows = conn.execute(q).all()
    return [CaseRecord(r.id, r.dossiernummer, r.versie, _aware(r.deleted_at), r.data) for r in rows]


def all_versions(store: Store, case_id: int) -> list[dict[str, Any]]:
    """Every version of a case, oldest first: versie, opgeslagen_op, door, sha256, data."""
    with store._read.connect() as conn:
        rows = conn.execute(sa.select(version_table).where(version_table.c.case_id == case_id)
                            .order_by(version_table.c.versie)).all()
    return [{"versie": r.versie, "opgeslagen_op": _aware(r.saved_at).isoformat(), "door": r.saved_by,
             "sha256": r.sha256, "data": r.data} for r in rows]


def same_employee(a: dict[str, Any], b: dict[str, Any]) -> bool:
    """Whether two case files are about the same werknemer: the same BSN, or (without a BSN on either
    side) the same name and date of birth."""
    wa, wb = a.get("werknemer") or {}, b.get("werknemer") or {}
    if not isinstance(wa, dict) or not isinstance(wb, dict):
        return False
    bsn_a, bsn_b = str(wa.get("bsn") or "").strip(), str(wb.get("bsn") or "").strip()
    if bsn_a and bsn_b:
        return bsn_a == bsn_b
    name_a, name_b = str(wa.get("naam") or "").strip().lower(), str(wb.get("naam") or "").strip().lower()
    return bool(name_a) and name_a == name_b and wa.get("geboortedatum") == wb.get("geboortedatum")


def referenced_files(data: dict[str, Any]) -> list[str]:
    """The relative file paths a case file names (attachments, signed scans)."""
    out: list[str] = []
    for b in data.get("bijlagen") or []:
        if isinstance(b, dict) and isinstance(b.get("bestand"), str):
            out.append(b["bestand"])
    for o in data.get("ondertekeningen") or []:
        if isinstance(o, dict) and isinstance(o.get("scan"), str):
            out.append(o["scan"])
    return out


def case_files(data_dir: Path, data: dict[str, Any]) -> list[tuple[str, Path]]:
    """The stored files of a case: (the path the case file names, the file on disk).

    The hook for the file store of uploads: a path the case names is looked up under
    ``DATA/bestanden``; none when that store does not exist. Paths that leave the store are skipped.
    """
    root = (data_dir / FILES_DIR).resolve()
    if not root.is_dir():
        return []
    out: list[tuple[str, Path]] = []
    for rel in dict.fromkeys(referenced_files(data)):
        path = (root / rel).resolve()
        if path.is_relative_to(root) and path.is_file() and safe_member(rel):
            out.append((rel, path))
    return out


#: Called by :func:`erase` with (store, data_dir, case_id) before the case's rows go: other parts of
#: the application remove what they keep about a case outside the database (job outputs, say).
ERASE_HOOKS: list[Callable[[Store, Path, int], None]] = []


def _case_id_tables(conn: Any) -> list[str]:
    """The tables (besides the versions) with a ``case_id`` column: uploads, jobs, whatever comes."""
    names = [r[0] for r in conn.exec_driver_sql("SELECT name FROM sqlite_master WHERE type = 'table'")]
    return [n for n in names if n not in ("case", "case_version")
            and any(col[1] == "case_id" for col in conn.exec_driver_sql(f'PRAGMA table_info("{n}")'))]


def other_rows(store: Store, case_id: int) -> dict[str, list[dict[str, Any]]]:
    """Every row of another table that names the case by ``case_id`` (for the inzage), by table."""
    out: dict[str, list[dict[str, Any]]] = {}
    with store._read.connect() as conn:
        for table in _case_id_tables(conn):
            result = conn.exec_driver_sql(f'SELECT * FROM "{table}" WHERE case_id = ?', (case_id,))
            rows = [dict(zip(result.keys(), r, strict=True)) for r in result]
            if rows:
                out[table] = rows
    return out


def _named_elsewhere(store: Store, case_id: int, name: str) -> bool:
    """Whether any version of another case names the file (the same content is the same file)."""
    like = "%" + json.dumps(name)[1:-1].replace("%", r"\%").replace("_", r"\_") + "%"
    with store._read.connect() as conn:
        hits = conn.execute(sa.select(version_table.c.id, version_table.c.data)
                            .where(version_table.c.case_id != case_id,
                                   sa.cast(version_table.c.data, sa.Text).like(like, escape="\\"))).all()
    return any(name in referenced_files(h.data) for h in hits)


def erase(store: Store, nr: str, *, data_dir: Path) -> tuple[int, int]:
    """Remove a case for good: every version, its files, its audit rows and every row of another
    table that names it by ``case_id``. Returns (versions, files).

    Files are removed only when no other case names them (the store is content-addressed).
    """
    rec = find_case(store, nr)
    names = {f for v in all_versions(store, rec.id) for f in referenced_files(v["data"])}
    files = [p for rel, p in case_files(data_dir, {"bijlagen": [{"bestand": n} for n in names]})
             if not _named_elsewhere(store, rec.id, rel)]
    for hook in ERASE_HOOKS:
        hook(store, data_dir, rec.id)
    with store._tx() as conn:
        # Freed pages are overwritten with zeros, so the personal data is not left in the file.
        conn.exec_driver_sql("PRAGMA secure_delete=ON")
        for table in _case_id_tables(conn):
            conn.exec_driver_sql(f'DELETE FROM "{table}" WHERE case_id = ?', (rec.id,))
        n = conn.execute(version_table.delete().where(version_table.c.case_id == rec.id)).rowcount
        conn.execute(case_table.delete().where(case_table.c.id == rec.id))
        conn.execute(audit_table.delete().where(audit_table.c.dossiernummer == nr))
    for p in files:
        p.unlink(missing_ok=True)
    # The write-ahead log still holds the old pages until a checkpoint: fold it in and empty it.
    raw = store._write.raw_connection()
    try:
        raw.driver_connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        raw.close()
    return n, len(files)


class PerVersion:
    """Values computed from one version of a case on one date, kept in memory: a page over all cases
    then computes only the cases saved since (a timeline per case is too slow for thousands)."""

    def __init__(self) -> None:
        self._values: dict[int, tuple[tuple[int, Any], Any]] = {}
        self._lock = threading.Lock()

    def get(self, rec: CaseRecord, today: Any, compute: Callable[[], T]) -> T:
        key = (rec.versie, today)
        with self._lock:
            hit = self._values.get(rec.id)
        if hit is not None and hit[0] == key:
            return hit[1]
        value = compute()
        with self._lock:
            self._values[rec.id] = (key, value)
        return value

    def has(self, rec: CaseRecord, today: Any) -> bool:
        with self._lock:
            hit = self._values.get(rec.id)
        return hit is not None and hit[0] == (rec.versie, today)

    def keep(self, ids: set[int]) -> None:
        """Forget the cases not in ``ids`` (erased)."""
        with self._lock:
            for gone in set(self._values) - ids:
                del self._values[gone]

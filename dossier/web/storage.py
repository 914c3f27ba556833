"""Cases in a database: one row per case pointing at its current version, append-only versions.

Nothing is ever overwritten: every save adds a ``case_version`` row (the case file as JSON, its
sha256, who and when) and moves the case row on, with optimistic locking on the version number so
that two tabs saving over each other get a conflict instead of a silent overwrite. A delete is soft.

The werkvoorraad columns (werknemer, werkgever, next milestone, level, sickness week) are computed
by :func:`dossier.api.case_overview` on save and refreshed when the reference date moves on, so a
list of thousands of cases runs no timelines.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine

from dossier import api

MIGRATIONS = Path(__file__).parent / "migrations"

metadata = sa.MetaData()
case_table = sa.Table(
    "case", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("dossiernummer", sa.String(200), nullable=False, unique=True),
    sa.Column("versie", sa.Integer, nullable=False),
    sa.Column("current_version_id", sa.Integer),
    sa.Column("deleted_at", sa.DateTime(timezone=True)),
    sa.Column("werknemer", sa.String(400), nullable=False),
    sa.Column("werkgever", sa.String(400), nullable=False),
    sa.Column("eerste_ziektedag", sa.Date, nullable=False),
    sa.Column("mijlpaal_code", sa.String(100)),
    sa.Column("mijlpaal_uiterlijk", sa.Date),
    sa.Column("mijlpaal_omschrijving", sa.String(400)),
    sa.Column("niveau", sa.String(40)),
    sa.Column("ziekteweek", sa.Integer),
    sa.Column("peildatum", sa.Date, nullable=False),
    sa.Column("casemanager", sa.String(400)),
    sa.Column("status", sa.String(20), nullable=False, server_default="open"),
)
version_table = sa.Table(
    "case_version", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("case_id", sa.Integer, sa.ForeignKey("case.id"), nullable=False),
    sa.Column("versie", sa.Integer, nullable=False),
    sa.Column("data", sa.JSON, nullable=False),
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("saved_by", sa.String(200), nullable=False),
    sa.Column("saved_at", sa.DateTime(timezone=True), nullable=False),
)


class StoreError(api.DossierError):
    """Base of the storage errors (the web layer maps each to an HTTP status)."""


class NotFound(StoreError):
    """No (undeleted) case with that dossiernummer."""


class Conflict(StoreError):
    """A duplicate dossiernummer, or a save based on a version that is no longer current."""


class Invalid(StoreError):
    """The case data has errors; ``issues`` lists them all."""

    exit_code = api.ExitCode.invalid_data


def input_error(veld: str, melding: str) -> api.Issue:
    """One refused input value, as the 422 ``problemen`` and the form messages show it."""
    return api.Issue(api.Severity.fout, "invoer", "", veld, melding)


@dataclass(frozen=True)
class VersionInfo:
    versie: int
    opgeslagen_op: datetime
    door: str
    sha256: str


@dataclass(frozen=True)
class StoredCase:
    dossiernummer: str
    versie: int
    data: dict[str, Any]
    saved_by: str
    saved_at: datetime


@dataclass(frozen=True)
class Row:
    """One line of the werkvoorraad (the precomputed columns)."""

    dossiernummer: str
    werknemer: str
    werkgever: str
    ziekteweek: int | None
    mijlpaal_code: str | None
    mijlpaal_uiterlijk: date | None
    niveau: str | None
    mijlpaal_omschrijving: str | None = None
    casemanager: str | None = None
    status: str = "open"


def _engine(url: str, *, immediate: bool) -> Engine:
    engine = sa.create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Let SQLAlchemy's BEGIN below decide when a transaction starts (pysqlite's own is lazy).
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        # Writers take the write lock at once: no deadlock between two read-then-write transactions.
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


def migrate(engine: Engine) -> None:
    """Bring the database to the newest schema (run on every start; a no-op when current)."""
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")


def _sha256(data: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(data, ensure_ascii=False, sort_keys=True).encode()).hexdigest()


def _now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def _aware(when: datetime) -> datetime:
    return when if when.tzinfo else when.replace(tzinfo=UTC)


class Store:
    """The cases of one data folder (``dossier.sqlite3`` in it)."""

    def __init__(self, db_path: Path, *, settings: api.Settings | None = None) -> None:
        url = f"sqlite:///{db_path}"
        self.db_path = db_path
        self.settings = settings or api.default_settings()
        self._read = _engine(url, immediate=False)
        self._write = _engine(url, immediate=True)
        migrate(self._write)

    def close(self) -> None:
        self._read.dispose()
        self._write.dispose()

    @contextmanager
    def _tx(self) -> Iterator[Connection]:
        with self._write.begin() as conn:
            yield conn

    # --- validation ---------------------------------------------------------------------------

    def validated(self, data: Any, today: date) -> api.Case:
        """The case of ``data``, or :class:`Invalid` with every error (warnings do not stop a save)."""
        case, issues = api.validate_case_data(data, today=today)
        if case is None:
            raise Invalid("de casusgegevens bevatten fouten", [i for i in issues if i.severity == "fout"])
        return case

    def case_settings(self, case: api.Case) -> api.Settings:
        """The settings of this case's werkgever (template set, WIA week) over the server's own."""
        from dossier.web.werkgevers import settings_for

        return settings_for(self, case.werkgever.naam)

    def _overview(self, case: api.Case, today: date) -> dict[str, Any]:
        o = api.case_overview(case, settings=self.case_settings(case), today=today)
        code, due = o.volgende_mijlpaal if o.volgende_mijlpaal else (None, None)
        return {"werknemer": o.werknemer, "werkgever": o.werkgever, "eerste_ziektedag": o.eerste_ziektedag,
                "mijlpaal_code": code, "mijlpaal_uiterlijk": due, "mijlpaal_omschrijving": o.volgende_omschrijving,
                "niveau": o.niveau,
                "ziekteweek": o.ziekteweek, "peildatum": today, "casemanager": o.casemanager, "status": o.status}

    # --- writing ------------------------------------------------------------------------------

    def create(self, data: dict[str, Any], *, door: str, today: date) -> int:
        """Store a new case as version 1. Raises Invalid or Conflict (the dossiernummer exists)."""
        case = self.validated(data, today)
        nr = case.dossiernummer
        overview = self._overview(case, today)  # outside the write lock: it runs the timeline
        with self._tx() as conn:
            exists = conn.execute(sa.select(case_table.c.deleted_at).where(case_table.c.dossiernummer == nr)).first()
            if exists is not None:
                why = " (verwijderd)" if exists.deleted_at is not None else ""
                raise Conflict(f"dossier {nr} bestaat al{why}")
            case_id = conn.execute(case_table.insert().values(
                dossiernummer=nr, versie=1, **overview)).inserted_primary_key[0]
            self._add_version(conn, case_id, 1, data, door)
        return 1

    def save(self, nr: str, data: dict[str, Any], *, door: str, today: date, expected: int | None = None) -> int:
        """Store ``data`` as the next version of case ``nr``; returns the new version number.

        ``expected`` is the version the edit started from: another save in between is a Conflict.
        """
        case = self.validated(data, today)
        if case.dossiernummer != nr:
            raise Invalid("ander dossiernummer", [api.Issue(
                api.Severity.fout, "invoer", "", "dossiernummer",
                f"'{case.dossiernummer}' wijkt af van het dossier {nr}; een dossiernummer verandert niet")])
        overview = self._overview(case, today)  # outside the write lock: it runs the timeline
        with self._tx() as conn:
            row = self._live(conn, nr)
            if expected is not None and expected != row.versie:
                raise Conflict(f"dossier {nr} is intussen opgeslagen als versie {row.versie} "
                               f"(u bewerkte versie {expected}); laad het opnieuw en voer uw wijziging opnieuw in")
            new = row.versie + 1
            done = conn.execute(case_table.update().where(case_table.c.id == row.id,
                                                          case_table.c.versie == row.versie)
                                .values(versie=new, **overview))
            if done.rowcount != 1:  # pragma: no cover - the write lock makes this unreachable on SQLite
                raise Conflict(f"dossier {nr} is intussen gewijzigd")
            self._add_version(conn, row.id, new, data, door)
        return new

    def restore(self, nr: str, versie: int, *, door: str, today: date, expected: int | None = None) -> int:
        """Save an old version's content as a new version (history stays as it was)."""
        old = self.get(nr, versie=versie)
        return self.save(nr, old.data, door=door, today=today, expected=expected)

    def delete(self, nr: str) -> None:
        with self._tx() as conn:
            row = self._live(conn, nr)
            conn.execute(case_table.update().where(case_table.c.id == row.id).values(deleted_at=_now()))

    def _add_version(self, conn: Connection, case_id: int, versie: int, data: dict[str, Any], door: str) -> None:
        vid = conn.execute(version_table.insert().values(
            case_id=case_id, versie=versie, data=data, sha256=_sha256(data), saved_by=door,
            saved_at=_now())).inserted_primary_key[0]
        conn.execute(case_table.update().where(case_table.c.id == case_id).values(current_version_id=vid))

    # --- reading ------------------------------------------------------------------------------

    @staticmethod
    def _live(conn: Connection, nr: str) -> Any:
        row = conn.execute(sa.select(case_table).where(case_table.c.dossiernummer == nr,
                                                       case_table.c.deleted_at.is_(None))).first()
        if row is None:
            raise NotFound(f"dossier {nr} niet gevonden")
        return row

    def get(self, nr: str, *, versie: int | None = None) -> StoredCase:
        with self._read.connect() as conn:
            row = self._live(conn, nr)
            q = sa.select(version_table).where(version_table.c.case_id == row.id)
            q = q.where(version_table.c.versie == versie) if versie is not None else \
                q.where(version_table.c.id == row.current_version_id)
            v = conn.execute(q).first()
        if v is None:
            raise NotFound(f"dossier {nr} heeft geen versie {versie}")
        return StoredCase(nr, v.versie, v.data, v.saved_by, _aware(v.saved_at))

    def versions(self, nr: str) -> list[VersionInfo]:
        with self._read.connect() as conn:
            row = self._live(conn, nr)
            rows = conn.execute(sa.select(version_table.c.versie, version_table.c.saved_at,
                                          version_table.c.saved_by, version_table.c.sha256)
                                .where(version_table.c.case_id == row.id)
                                .order_by(version_table.c.versie.desc())).all()
        return [VersionInfo(r.versie, _aware(r.saved_at), r.saved_by, r.sha256) for r in rows]

    def list(self, *, zoek: str = "", pagina: int = 1, per_pagina: int = 50, today: date,
             termijn: str = "", filters: Any = None) -> tuple[int, list[Row]]:
        """A page of the werkvoorraad: undeleted cases, soonest milestone first, matching ``zoek``
        (part of the werknemer's name, the werkgever or the dossiernummer); ``termijn`` "te_laat" keeps
        cases whose next milestone is past its date, "deze_week" those due within 7 days.

        The columns are as computed on save or by the last :meth:`refresh` (the server refreshes in
        the background when the date moves on): a list request never runs a timeline. ``filters`` (a
        :class:`dossier.web.werkvoorraad.Filters`) narrows by casemanager, werkgever and status, hides
        the archive (closed cases) unless asked for, and picks the order.
        """
        c = case_table.c
        cond = [c.deleted_at.is_(None)]
        order = [c.mijlpaal_uiterlijk.is_(None), c.mijlpaal_uiterlijk, c.dossiernummer]
        if filters is not None:
            cond += filters.conditions(c)
            order = filters.order(c) or order
        if zoek.strip():
            like = f"%{zoek.strip().lower()}%"
            cond.append(sa.or_(sa.func.lower(c.werknemer).like(like), sa.func.lower(c.werkgever).like(like),
                               sa.func.lower(c.dossiernummer).like(like)))
        if termijn == "te_laat":
            cond.append(c.mijlpaal_uiterlijk < today)
        elif termijn == "deze_week":
            cond.append(c.mijlpaal_uiterlijk.between(today, today + timedelta(days=7)))
        with self._read.connect() as conn:
            total = conn.execute(sa.select(sa.func.count()).select_from(case_table).where(*cond)).scalar_one()
            rows = conn.execute(
                sa.select(c.dossiernummer, c.werknemer, c.werkgever, c.ziekteweek, c.mijlpaal_code,
                          c.mijlpaal_uiterlijk, c.niveau, c.mijlpaal_omschrijving, c.casemanager,
                          c.status).where(*cond)
                .order_by(*order)
                .limit(per_pagina).offset((pagina - 1) * per_pagina)).all()
        return total, [Row(*r) for r in rows]

    def refresh(self, today: date) -> int:
        """Recompute the werkvoorraad columns of cases last computed on another date (once a day).

        Each case is updated in its own short transaction, so saves are never held up for long.
        """
        with self._read.connect() as conn:
            stale = conn.execute(sa.select(case_table.c.id, version_table.c.id, version_table.c.data)
                                 .join(version_table, version_table.c.id == case_table.c.current_version_id)
                                 .where(case_table.c.peildatum != today, case_table.c.deleted_at.is_(None))).all()
        for case_id, version_id, data in stale:
            case, _ = api.validate_case_data(data, today=today)
            if case is None:
                continue
            overview = self._overview(case, today)
            with self._tx() as conn:
                # Only if no save came in between (a save computes the columns itself).
                conn.execute(case_table.update().where(case_table.c.id == case_id,
                                                       case_table.c.current_version_id == version_id)
                             .values(**overview))
        return len(stale)


def import_files(config: Any, paths: list[Path]) -> tuple[int, int]:
    """Store every valid case of the given case files as a new case (``dossier serve --import``).

    Cases whose dossiernummer is already stored are skipped, so a restart imports nothing twice.
    Returns (imported, skipped).
    """
    config.data_dir.mkdir(parents=True, exist_ok=True)
    store = Store(config.db_path)
    today = config.reference_date()
    done = skipped = 0
    from dossier.web.files import FOLDER, FileStore, adopt_files, record_adopted

    files = FileStore(config.data_dir / FOLDER)
    try:
        report = api.load_cases([Path(p) for p in paths], today=today)
        for loaded in report.cases:
            # The case file's own attachments and scans go into the file store, so the web can build it
            # (a file already there is left as it is: importing again changes nothing).
            data, adopted = adopt_files(dict(loaded.record.data), api.attachment_files(loaded, settings=store.settings),
                                        files)
            try:
                store.create(data, door=config.gebruiker, today=today)
                record_adopted(store, loaded.case.dossiernummer, adopted, door=config.gebruiker)
                done += 1
            except Conflict:
                skipped += 1
    finally:
        store.close()
    return done, skipped

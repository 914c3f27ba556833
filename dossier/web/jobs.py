"""Background jobs: building the dossier, one document's PDF and a template preview, never in a request.

A job is a database row (``job``: status ``wachtend`` → ``bezig`` → ``klaar`` | ``fout``, progress
0..1, a Dutch message, where the result is), so it survives a page reload and a restart. The work
itself goes to a :class:`JobRunner`; the embedded default, :class:`LocalPoolRunner`, is a local
process pool whose workers each keep one LibreOffice (the engine's converter, started once and
reused). A distributed engine can take over by implementing the same two methods.

A worker builds into a hidden folder and renames it into place when it is complete, so nothing
half-written is ever served. On start, a job left ``bezig`` is marked ``fout`` ("onderbroken door
herstart") and one left ``wachtend`` is queued again. A LibreOffice crash fails that one job with a
clear message; the converter starts a fresh LibreOffice, or the pool a fresh worker, for the next.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
import secrets
import shutil
import sqlite3
import threading
import zipfile
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import quote

import sqlalchemy as sa

from dossier import api
from dossier.web.files import build_settings, uploads
from dossier.web.storage import NotFound, Store, case_table

log = logging.getLogger("dossier.web.jobs")

WACHTEND, BEZIG, KLAAR, FOUT = "wachtend", "bezig", "klaar", "fout"
#: Where finished results live in the data folder: ``uitvoer/<job id>/``.
FOLDER = "uitvoer"
#: Where the uploaded template sets live (``DATA/sjablonen/NAAM/``; see :mod:`dossier.web.sjablonen`).
SETS_DIR = "sjablonen"
TMP_PREFIX = ".bezig-"
INTERRUPTED = "onderbroken door herstart van de server; start de taak opnieuw"
CRASHED = ("de verwerking is onverwacht gestopt (LibreOffice of het werkproces is gecrasht); deze taak is "
           "mislukt, een nieuwe taak start met een nieuw werkproces")

metadata = sa.MetaData()
job_table = sa.Table(
    "job", metadata,
    sa.Column("id", sa.String(40), primary_key=True),
    sa.Column("case_id", sa.Integer, nullable=False),
    sa.Column("soort", sa.String(20), nullable=False),  # "dossier" or "document"
    sa.Column("parameters", sa.JSON, nullable=False),
    sa.Column("status", sa.String(20), nullable=False),
    sa.Column("voortgang", sa.Float, nullable=False),
    sa.Column("melding", sa.Text, nullable=False),
    sa.Column("resultaat", sa.String(400)),
    sa.Column("door", sa.String(200), nullable=False),
    sa.Column("aangemaakt_op", sa.DateTime(timezone=True), nullable=False),
    sa.Column("gestart_op", sa.DateTime(timezone=True)),
    sa.Column("klaar_op", sa.DateTime(timezone=True)),
)


def _now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


# --- what a worker gets and gives back (picklable) ------------------------------------------


@dataclass(frozen=True)
class JobSpec:
    """Everything one job needs, so a worker anywhere can run it without the database of the server
    (progress is written to ``db_path`` when it is reachable; a remote engine may ignore it)."""

    job_id: str
    soort: str  # "dossier", "document" or "voorbeeld" (a document rendered with one template set)
    nr: str
    data: dict[str, Any]
    today: date
    settings: api.Settings
    out_dir: Path  # the final folder of the results; built next to it and renamed into place
    db_path: Path | None = None
    document: str | None = None
    nummer: int | None = None
    namen: dict[str, str] = field(default_factory=dict)  # store name → the name the user uploaded it as
    sjablonen: str | None = None  # "voorbeeld": the template set's name (its folder is in ``settings``)


@dataclass(frozen=True)
class Outcome:
    ok: bool
    melding: str
    crashed: bool = False  # the worker died (the job may not even have started)
    bestanden: list[str] = field(default_factory=list)


# --- the worker side ------------------------------------------------------------------------

_converter: Any = None  # per worker process: its own converter (one LibreOffice), started once


def _worker_init(settings: api.Settings, factory: Callable[[api.Settings], Any] | None) -> None:
    global _converter
    from multiprocessing.util import Finalize

    _converter = (factory or api.make_converter)(settings)
    _converter.start()  # LibreOffice starts in the background while the engine is imported
    api.warm_up()
    # Pool workers leave through os._exit: multiprocessing's finalizers still run, atexit does not.
    Finalize(None, _converter.close, exitpriority=10)


def _report(spec: JobSpec, status: str, voortgang: float, melding: str) -> None:
    """Progress into the job's row (a worker's own short connection; never fatal)."""
    if spec.db_path is None:
        return
    try:
        with contextlib.closing(sqlite3.connect(spec.db_path, timeout=30)) as db, db:
            started = ", gestart_op = COALESCE(gestart_op, ?)" if status == BEZIG else ""
            args: list[Any] = [status, voortgang, melding]
            if started:
                args.append(_now().replace(tzinfo=None).strftime("%Y-%m-%d %H:%M:%S.%f"))  # as SQLAlchemy writes it
            db.execute(f"UPDATE job SET status = ?, voortgang = ?, melding = ?{started} "
                       "WHERE id = ? AND status IN ('wachtend', 'bezig')", [*args, spec.job_id])
    except sqlite3.Error:
        log.warning("voortgang van taak %s niet opgeslagen", spec.job_id, exc_info=True)


class _Reporting:
    """The worker's converter, reporting progress around the conversion (the slow stage)."""

    def __init__(self, inner: Any, spec: JobSpec) -> None:
        self._inner, self._spec = inner, spec

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    def __enter__(self) -> _Reporting:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def to_pdf(self, sources: list[Path], out_dir: Path) -> list[Path]:
        _report(self._spec, BEZIG, 0.3, f"{len(sources)} document(en) omzetten naar PDF (LibreOffice)")
        pdfs = self._inner.to_pdf(sources, out_dir)
        _report(self._spec, BEZIG, 0.8, "het dossier samenvoegen")
        return pdfs


def _zip_folder(folder: Path, target: Path) -> None:
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as z:
        for f in sorted(folder.rglob("*")):
            if f.is_file():
                z.write(f, f.relative_to(folder).as_posix())


def _problem_text(e: api.DossierError) -> str:
    errors = [i for i in e.issues if i.severity is api.Severity.fout][:5]
    detail = "; ".join(f"{i.field}: {i.message}" if i.field else i.message for i in errors)
    return api.scrub(f"{e.message}{': ' + detail if detail else ''}")


def _by_upload_names(spec: JobSpec, work: Path) -> dict[str, Any]:
    """The case data with every stored file reached through a hard link in the work folder named as the
    user uploaded it, so that the engine's messages name the file the user knows (not its sha256). A
    hard link, not a symlink: the engine resolves symlinks and would name the target. The engine never
    writes to an attachment, so the stored file stays as it is."""
    import copy

    data = copy.deepcopy(spec.data)
    store = spec.settings.bijlagen_map
    if store is None or not spec.namen:
        return data
    links = work / "bestanden"
    links.mkdir()
    entries = [*(data.get("bijlagen") or []), *(data.get("ondertekeningen") or [])]
    for i, entry in enumerate(e for e in entries if isinstance(e, dict)):
        key = "bestand" if "bestand" in entry else "scan"
        naam = spec.namen.get(str(entry.get(key)))
        if naam:
            link = links / f"{i + 1}-{naam}"
            try:
                os.link(Path(store) / entry[key], link)
            except OSError:  # another file system, or the file is missing: the engine reports it by its name
                continue
            entry[key] = f"bestanden/{link.name}"
    return data


def run_job(spec: JobSpec) -> Outcome:
    """One job, in a worker: build into ``.bezig-<id>`` next to ``out_dir``, rename into place. Never raises."""
    import json

    _report(spec, BEZIG, 0.05, "gestart: gegevens en bijlagen controleren")
    tmp = spec.out_dir.parent / f"{TMP_PREFIX}{spec.job_id}"
    shutil.rmtree(tmp, ignore_errors=True)
    work = tmp / "werk"
    work.mkdir(parents=True, mode=0o700)
    try:
        case_file = work / "casus.json"
        case_file.write_text(json.dumps(_by_upload_names(spec, work), ensure_ascii=False), encoding="utf-8")
        conv = _Reporting(_converter, spec) if _converter is not None else None
        if spec.soort == "dossier":
            result = api.build(case_file, output=tmp / "dossier.pdf", uwv_dir=work / "uwv", settings=spec.settings,
                               today=spec.today, converter=conv)
            _zip_folder(work / "uwv", tmp / "dossier-uwv.zip")
            n = len(result.warnings)
            melding = f"klaar: {result.pages} pagina's" + (f", {n} bevinding(en)" if n else "")
            names = ["dossier.pdf", "dossier.index.json", "dossier-uwv.zip"]
        else:
            assert spec.document is not None
            api.render_documents(spec.document, case_file, output=tmp / "document.pdf", nummer=spec.nummer,
                                 settings=spec.settings, today=spec.today, converter=conv)
            melding, names = "klaar", ["document.pdf"]
        shutil.rmtree(work)
        os.replace(tmp, spec.out_dir)  # complete or absent
        return Outcome(True, melding, bestanden=names)
    except api.DossierError as e:
        return Outcome(False, _problem_text(e))
    except Exception as e:  # a bug must fail this job only, with a message, not the worker
        log.exception("taak %s mislukt", spec.job_id)
        return Outcome(False, api.scrub(f"interne fout: {type(e).__name__}: {e}"))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


# --- runners --------------------------------------------------------------------------------

Done = Callable[[JobSpec, Outcome], None]


class JobRunner(Protocol):
    """Runs jobs somewhere and calls ``done`` once per job (from any thread)."""

    def submit(self, spec: JobSpec, done: Done) -> None: ...

    def warm(self) -> None:
        """Get ready for the first job (start workers); may do nothing."""
        ...

    def close(self) -> None: ...


class LocalPoolRunner:
    """The embedded default: a local process pool (started at the first job), each worker with one
    persistent converter. A worker that dies fails its job; the next job gets a fresh pool."""

    def __init__(self, settings: api.Settings, *, workers: int = 1,
                 converter_factory: Callable[[api.Settings], Any] | None = None) -> None:
        self.settings, self.workers, self.factory = settings, workers, converter_factory
        self._pool: ProcessPoolExecutor | None = None
        self._lock = threading.Lock()

    def _get_pool(self) -> ProcessPoolExecutor:
        with self._lock:
            if self._pool is None:
                # spawn, not fork: the server has threads and open database connections.
                self._pool = ProcessPoolExecutor(max_workers=self.workers, mp_context=multiprocessing.get_context(
                    "spawn"), initializer=_worker_init, initargs=(self.settings, self.factory))
            return self._pool

    def warm(self) -> None:
        """Start the workers (and their LibreOffice) now, in the background, so the first job does not
        wait for them; the pool's initializer runs when a worker takes its first task."""
        pool = self._get_pool()
        for _ in range(self.workers):
            with contextlib.suppress(BrokenProcessPool, RuntimeError):
                pool.submit(os.getpid)

    def _drop(self, pool: ProcessPoolExecutor) -> None:
        with self._lock:
            if self._pool is pool:
                self._pool = None
        pool.shutdown(wait=False, cancel_futures=True)

    def submit(self, spec: JobSpec, done: Done) -> None:
        pool = self._get_pool()
        try:
            future = pool.submit(run_job, spec)
        except (BrokenProcessPool, RuntimeError):  # broken since the last job: a fresh pool
            self._drop(pool)
            pool = self._get_pool()
            future = pool.submit(run_job, spec)

        def finished(f: Future[Outcome]) -> None:
            if f.cancelled():
                return  # shut down: the job stays wachtend and is queued again at the next start
            exc = f.exception()
            if exc is None:
                done(spec, f.result())
                return
            if isinstance(exc, BrokenProcessPool):
                self._drop(pool)
                done(spec, Outcome(False, CRASHED, crashed=True))
            else:
                done(spec, Outcome(False, api.scrub(f"interne fout: {type(exc).__name__}: {exc}")))

        future.add_done_callback(finished)

    def close(self) -> None:
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is None:
            return
        # Let a running job finish (its converter closes cleanly), but not forever.
        stopper = threading.Thread(target=pool.shutdown, kwargs={"wait": True, "cancel_futures": True}, daemon=True)
        stopper.start()
        stopper.join(30)
        if stopper.is_alive():
            for proc in list(getattr(pool, "_processes", {}).values()):
                proc.terminate()


# --- the service the routes use -------------------------------------------------------------


@dataclass(frozen=True)
class JobInfo:
    id: str
    nr: str
    soort: str
    status: str
    voortgang: float
    melding: str
    resultaat: str | None
    parameters: dict[str, Any]

    def as_json(self) -> dict[str, Any]:
        """The API contract: ``{"status", "voortgang", "melding", "resultaat"}``."""
        return {"status": self.status, "voortgang": self.voortgang, "melding": self.melding,
                "resultaat": self.resultaat}


class Jobs:
    """Jobs of one data folder: create, run (through the runner), look up, recover after a restart."""

    def __init__(self, store: Store, data_dir: Path, runner: JobRunner | None = None) -> None:
        self.store, self.data_dir = store, Path(data_dir)
        self.root = self.data_dir / FOLDER
        self.root.mkdir(mode=0o700, parents=True, exist_ok=True)
        self.settings = build_settings(store, self.data_dir)
        self.runner: JobRunner = runner or LocalPoolRunner(self.settings)

    def close(self) -> None:
        self.runner.close()

    # --- creating and running ----------------------------------------------------------------

    def _case(self, nr: str) -> tuple[int, Any]:
        stored = self.store.get(nr)  # NotFound for an unknown or deleted case
        with self.store._read.connect() as conn:
            case_id = conn.execute(sa.select(case_table.c.id).where(case_table.c.dossiernummer == nr)).scalar_one()
        return int(case_id), stored

    def submit(self, nr: str, soort: str, *, today: date, door: str, document: str | None = None,
               nummer: int | None = None, sjablonen: str | None = None) -> str:
        """A new job for the current version of case ``nr``; returns its id (the work runs elsewhere).

        ``sjablonen``: render with that template set (``DATA/sjablonen/NAAM``) instead of the case's own,
        without changing the active set (the templates page's PDF preview, soort ``voorbeeld``)."""
        case_id, stored = self._case(nr)
        job_id = secrets.token_hex(12)
        params = {"nr": nr, "versie": stored.versie, "today": today.isoformat(), "document": document,
                  "nummer": nummer}
        if sjablonen is not None:
            params["sjablonen"] = sjablonen
        with self.store._tx() as conn:
            conn.execute(job_table.insert().values(
                id=job_id, case_id=case_id, soort=soort, parameters=params, status=WACHTEND, voortgang=0.0,
                melding="in de wachtrij", door=door, aangemaakt_op=_now()))
        self._run(job_id, soort, params, stored.data)
        return job_id

    def _settings(self, data: dict[str, Any], sjablonen: str | None = None) -> api.Settings:
        """The werkgever's settings of the case (template set, WIA week), with the file store; with
        ``sjablonen`` that template set's folder instead (for this job only)."""
        case, _issues = api.validate_case_data(data)
        settings = (self.settings if case is None
                    else self.store.case_settings(case).merge(bijlagen_map=self.settings.bijlagen_map))
        if sjablonen is not None:
            from dataclasses import replace

            settings = replace(settings, templates_dir=self.data_dir / SETS_DIR / sjablonen)
        return settings

    def _run(self, job_id: str, soort: str, params: dict[str, Any], data: dict[str, Any]) -> None:
        spec = JobSpec(job_id=job_id, soort=soort, nr=params["nr"], data=data,
                       today=date.fromisoformat(params["today"]),
                       settings=self._settings(data, params.get("sjablonen")),
                       out_dir=self.root / job_id, db_path=self.store_path,
                       document=params.get("document"), nummer=params.get("nummer"),
                       namen={u.bestand: u.naam for u in uploads(self.store, params["nr"])},
                       sjablonen=params.get("sjablonen"))
        self.runner.submit(spec, self._done)

    @property
    def store_path(self) -> Path:
        return Path(self.store._write.url.database or "")

    def _done(self, spec: JobSpec, outcome: Outcome) -> None:
        if outcome.crashed and self._status(spec.job_id) == WACHTEND:
            # The worker died before this job started (another job crashed it): run it again.
            self._run(spec.job_id, spec.soort, {"nr": spec.nr, "today": spec.today.isoformat(),
                                                "document": spec.document, "nummer": spec.nummer,
                                                "sjablonen": spec.sjablonen}, spec.data)
            return
        if outcome.ok:
            url = (f"/api/v1/cases/{quote(spec.nr, safe='')}/dossier.pdf" if spec.soort == "dossier"
                   else f"/api/v1/jobs/{spec.job_id}/document.pdf")
            values = {"status": KLAAR, "voortgang": 1.0, "melding": outcome.melding, "resultaat": url}
        else:
            values = {"status": FOUT, "voortgang": 1.0, "melding": outcome.melding, "resultaat": None}
            # A worker that died cannot clean up after itself.
            shutil.rmtree(spec.out_dir.parent / f"{TMP_PREFIX}{spec.job_id}", ignore_errors=True)
        try:
            with self.store._tx() as conn:
                conn.execute(job_table.update().where(job_table.c.id == spec.job_id,
                                                      job_table.c.status.in_((WACHTEND, BEZIG)))
                             .values(klaar_op=_now(), **values))
            if outcome.ok:
                self.prune(spec.nr, spec.soort, spec.job_id)
        except Exception:  # the callback thread must survive a locked database; the row says bezig then
            log.exception("status van taak %s niet opgeslagen", spec.job_id)

    @staticmethod
    def _group(params: dict[str, Any]) -> tuple[Any, ...]:
        """Which finished jobs replace each other: the same document (and number, and template set)."""
        return params.get("document"), params.get("nummer"), params.get("sjablonen")

    def prune(self, nr: str, soort: str, job_id: str) -> list[str]:
        """Remove the result folders that the finished job ``job_id`` made old: of the case's other finished
        jobs of the same kind (dossier: every build; a document: the same soort and nummer), all but the
        newest, in the order :meth:`latest` uses, so the build that ``…/dossier.pdf`` serves is never one
        removed. A removed document job's ``resultaat`` becomes null (its URL would only give 404).
        Returns the ids whose results were removed."""
        c = job_table.c
        q = (sa.select(c.id, c.parameters, c.resultaat).join(case_table, case_table.c.id == c.case_id)
             .where(case_table.c.dossiernummer == nr, c.soort == soort, c.status == KLAAR)
             .order_by(c.klaar_op.desc(), c.aangemaakt_op.desc(), c.id.desc()))
        with self.store._read.connect() as conn:
            rows = conn.execute(q).all()
        mine = next((self._group(r.parameters) for r in rows if r.id == job_id), None)
        if mine is None:
            return []
        older = [r for r in rows if self._group(r.parameters) == mine][1:]
        removed = [r.id for r in older if (self.root / r.id).exists()]
        for old in removed:
            shutil.rmtree(self.root / old, ignore_errors=True)
        dead = [r.id for r in older if r.resultaat is not None and soort != "dossier"]
        if dead:
            with self.store._tx() as conn:
                conn.execute(job_table.update().where(c.id.in_(dead)).values(resultaat=None))
        return removed

    def _status(self, job_id: str) -> str | None:
        with self.store._read.connect() as conn:
            return conn.execute(sa.select(job_table.c.status).where(job_table.c.id == job_id)).scalar()

    def recover(self) -> tuple[int, int]:
        """At start: jobs left ``bezig`` → ``fout`` (interrupted), ``wachtend`` → queued again; unfinished
        result folders are removed; the runner starts its workers. Returns (failed, queued)."""
        for stale in self.root.glob(f"{TMP_PREFIX}*"):
            shutil.rmtree(stale, ignore_errors=True)
        with self.store._tx() as conn:
            failed = conn.execute(job_table.update().where(job_table.c.status == BEZIG).values(
                status=FOUT, melding=INTERRUPTED, voortgang=1.0, klaar_op=_now())).rowcount
            waiting = conn.execute(sa.select(job_table.c.id, job_table.c.soort, job_table.c.parameters)
                                   .where(job_table.c.status == WACHTEND)).all()
        queued = 0
        for job_id, soort, params in waiting:
            try:
                data = self.store.get(params["nr"], versie=params["versie"]).data
            except NotFound:
                self._done(JobSpec(job_id, soort, params["nr"], {}, date.today(), self.settings, self.root / job_id),
                           Outcome(False, "het dossier bestaat niet meer"))
                continue
            self._run(job_id, soort, params, data)
            queued += 1
        self.runner.warm()
        return failed, queued

    # --- reading -----------------------------------------------------------------------------

    def _select(self) -> Any:
        c = job_table.c
        return (sa.select(c.id, case_table.c.dossiernummer, c.soort, c.status, c.voortgang, c.melding, c.resultaat,
                          c.parameters)
                .join(case_table, case_table.c.id == c.case_id).where(case_table.c.deleted_at.is_(None)))

    def get(self, job_id: str) -> JobInfo:
        with self.store._read.connect() as conn:
            row = conn.execute(self._select().where(job_table.c.id == job_id)).first()
        if row is None:
            raise NotFound(f"taak {job_id[:40]} niet gevonden")
        return JobInfo(*row)

    def result_file(self, job_id: str, name: str) -> Path:
        """A file of a finished job; NotFound before it is finished."""
        info = self.get(job_id)
        path = self.root / info.id / name
        if info.status != KLAAR or not path.is_file():
            gone = info.status == KLAAR and not (self.root / info.id).exists()
            raise NotFound(f"het resultaat van taak {job_id[:40]} is opgeruimd: er is een nieuwere gemaakt" if gone
                           else f"taak {job_id[:40]} heeft (nog) geen resultaat")
        return path

    def latest(self, nr: str, soort: str = "dossier", *, klaar: bool = False) -> JobInfo | None:
        """The newest job of the case (``klaar``: the newest finished one), or None; one query (case page)."""
        c = job_table.c
        q = self._select().where(case_table.c.dossiernummer == nr, c.soort == soort)
        if klaar:
            q = q.where(c.status == KLAAR).order_by(c.klaar_op.desc(), c.aangemaakt_op.desc(), c.id.desc())
        else:
            q = q.order_by(c.aangemaakt_op.desc(), c.id.desc())
        with self.store._read.connect() as conn:
            row = conn.execute(q.limit(1)).first()
        return JobInfo(*row) if row is not None else None

    def latest_build(self, nr: str, name: str) -> Path:
        """A file of the case's latest finished dossier build; NotFound before the first."""
        info = self.latest(nr, klaar=True)
        if info is None:
            self.store.get(nr)  # an unknown case is "not found" as such
            raise NotFound(f"dossier {nr} is nog niet gebouwd; start eerst een bouw (POST …/dossier)")
        return self.result_file(info.id, name)

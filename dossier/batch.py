"""Batch runs: many cases, one output folder each, one bad case never stops the others.

Each case is built in a hidden temporary folder next to its final place and renamed into place
when it is complete, so an interrupted or failed case leaves nothing half-written and a rerun with
``skip_existing`` finishes the rest. Worker processes each own one LibreOffice (started once, reused
for every document, recycled after N conversions); rendering in one worker overlaps with conversion
in another. Progress is reported through a callback; the CLI draws it on stderr.
"""

from __future__ import annotations

import contextlib
import csv
import gc
import io
import itertools
import json
import logging
import os
import queue
import shutil
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path
from typing import Protocol

from dossier.cases import CaseItem, LoadedCase, iter_cases
from dossier.convert import Converter, make_converter
from dossier.errors import DossierError, Severity, UsageError
from dossier.fileio import atomic_write_bytes, ensure_dir, output_errors
from dossier.inputs import case_inputs, refuse_overwrite, template_inputs
from dossier.kinds import document_kinds
from dossier.loaders import expand_inputs, iter_records
from dossier.pipeline import ALLE, DOSSIER, CaseWork, converter_for, finish_case, prepare_case, process_case
from dossier.privacy import scrub
from dossier.settings import Settings

log = logging.getLogger(__name__)

REPORT_JSON = "batch-rapport.json"
REPORT_CSV = "batch-rapport.csv"
TMP_PREFIX = ".bezig-"


@dataclass
class CaseResult:
    """One row of the batch report."""

    dossiernummer: str
    status: str  # "ok", "fout" or "overgeslagen"
    bestanden: list[str] = field(default_factory=list)
    problemen: list[str] = field(default_factory=list)
    seconden: float = 0.0
    bron: str = ""


@dataclass
class BatchReport:
    """What a batch did, case by case."""

    results: list[CaseResult] = field(default_factory=list)
    interrupted: bool = False
    seconds: float = 0.0
    jobs: int = 1

    def count(self, status: str) -> int:
        return sum(1 for r in self.results if r.status == status)

    @property
    def failed(self) -> int:
        return self.count("fout")

    def summary(self) -> str:
        """A one-screen Dutch summary."""
        n = len(self.results)
        lines = [f"Batch {'AFGEBROKEN' if self.interrupted else 'klaar'}: {n} casus(sen) in "
                 f"{self.seconds:.1f} s met {self.jobs} worker(s).",
                 f"  ok: {self.count('ok')}   fout: {self.failed}   overgeslagen: {self.count('overgeslagen')}"]
        done = self.count("ok")
        if done and self.seconds:
            lines.append(f"  tempo: {done / self.seconds:.2f} casus/s")
        failures = [r for r in self.results if r.status == "fout"][:10]
        if failures:
            lines.append("  Mislukt:")
            for r in failures:
                lines.append(f"    {r.dossiernummer}: {r.problemen[0] if r.problemen else 'onbekende fout'}")
            if self.failed > len(failures):
                lines.append(f"    … en {self.failed - len(failures)} meer (zie {REPORT_CSV})")
        return "\n".join(lines)


@dataclass(frozen=True)
class Progress:
    """A progress snapshot for the CLI's progress line."""

    done: int
    total: int
    failed: int
    elapsed: float

    @property
    def rate(self) -> float:
        return self.done / self.elapsed if self.elapsed > 0 else 0.0

    @property
    def remaining(self) -> float | None:
        return (self.total - self.done) / self.rate if self.rate > 0 else None


ProgressCallback = Callable[[Progress], None]


def case_folder(out_dir: Path, dossiernummer: str) -> Path:
    """The output folder of a case: named after its dossiernummer, never the BSN."""
    return out_dir / dossiernummer


def _malloc_trim() -> Callable[[], None]:
    """glibc's ``malloc_trim``: hand freed heap pages back to the system (no-op elsewhere).

    Rendering and assembly allocate and free tens of MB per case, from several threads; glibc keeps
    the freed pages in fragmented per-thread arenas, so without trimming the resident memory of a
    long batch creeps up although the live Python objects do not grow.
    """
    try:
        import ctypes

        libc = ctypes.CDLL("libc.so.6")
        trim = libc.malloc_trim
    except (OSError, AttributeError):
        return lambda: None
    trim.argtypes = [ctypes.c_size_t]
    return lambda: trim(0) and None


_trim = _malloc_trim()


def release_memory() -> None:
    """Collect cyclic garbage now (not at a random later case) and return free pages to the system."""
    gc.collect()
    _trim()


#: Cases between two calls of :func:`release_memory` in a worker.
TRIM_EVERY = 10
_cases_done = itertools.count(1)  # per process: the driver (--jobs 1) or a pool worker


def _case_done() -> None:
    """Count a finished case in this process; release memory every :data:`TRIM_EVERY` cases."""
    if next(_cases_done) % TRIM_EVERY == 0:
        release_memory()


# --- one case: the unit of work ----------------------------------------------------------


@dataclass(frozen=True)
class BatchJob:
    """What every case of a batch is built with. Frozen and picklable: a worker in another process
    (or on another machine) gets it as it is.

    Attributes:
        out_dir: the batch's output folder; each case gets a folder named after its dossiernummer.
        soort: a document kind, ``alle`` (every document) or ``dossier`` (the PDF dossier).
        settings: run settings.
        today: reference date.
    """

    out_dir: Path
    soort: str
    settings: Settings
    today: date


@dataclass
class _Flight:
    """A case on its way through the stages, building in its own hidden folder next to the output."""

    loaded: LoadedCase
    tmp: Path
    start: float
    work: CaseWork | None = None
    failed: CaseResult | None = None

    @property
    def nummer(self) -> str:
        return self.loaded.case.dossiernummer

    def fail(self, exc: BaseException) -> None:
        self.failed = _failure(self.loaded, exc, self.start)
        self.discard_work()

    def discard_work(self) -> None:
        if self.work is not None:
            self.work.close()
            self.work = None

    def discard(self) -> None:
        self.discard_work()
        shutil.rmtree(self.tmp, ignore_errors=True)


_flight_counter = itertools.count()


def _begin(loaded: LoadedCase, out_dir: Path) -> _Flight:
    tmp = out_dir / f"{TMP_PREFIX}{loaded.case.dossiernummer}-{os.getpid()}-{next(_flight_counter)}"
    shutil.rmtree(tmp, ignore_errors=True)
    ensure_dir(tmp)
    return _Flight(loaded, tmp, time.perf_counter())


def _guard(job: BatchJob, loaded: LoadedCase) -> None:
    """A case's folder is replaced whole when it is published: it must not hold one of its inputs."""
    refuse_overwrite(case_inputs(loaded.record.source, [b.bestand for b in loaded.case.bijlagen],
                                 bijlagen_map=job.settings.bijlagen_map, templates_dir=job.settings.templates_dir),
                     folders=[case_folder(job.out_dir, loaded.case.dossiernummer)])


def _failure(loaded: LoadedCase, exc: BaseException, start: float) -> CaseResult:
    """The report row of a case that failed; the BSN never reaches it."""
    nummer, seconds = loaded.case.dossiernummer, round(time.perf_counter() - start, 3)
    if isinstance(exc, DossierError):
        problems = [str(i) for i in exc.issues if i.severity is Severity.fout] or [exc.message]
    else:  # a bug or a crash must not stop the batch either
        log.debug("case %s failed", nummer, exc_info=exc)
        problems = [f"interne fout: {type(exc).__name__}: {exc}"]
    return CaseResult(nummer, "fout", [], [scrub(p) for p in problems], seconds, loaded.record.location)


def _publish(flight: _Flight, out_dir: Path, files: list[Path]) -> CaseResult:
    """Move the finished case folder into place (one rename: complete or absent, never half)."""
    final = case_folder(out_dir, flight.nummer)
    with output_errors(final):
        if final.exists():
            shutil.rmtree(final)
        os.replace(flight.tmp, final)
    names = [str(Path(flight.nummer) / f.relative_to(flight.tmp)) for f in files]
    return CaseResult(flight.nummer, "ok", names, [], round(time.perf_counter() - flight.start, 3),
                      flight.loaded.record.location)


def build_case(job: BatchJob, loaded: LoadedCase, converter: Converter) -> CaseResult:
    """Build one case into its folder under ``job.out_dir``, all stages in a row. Never raises.

    The case is built in a hidden folder next to its final place and renamed into place when it is
    complete. Everything it needs comes in its arguments, so a worker anywhere can call it.
    """
    flight = _begin(loaded, job.out_dir)
    try:
        _guard(job, loaded)
        files = process_case(loaded, flight.tmp, soort=job.soort, settings=job.settings, today=job.today,
                             converter=converter)
        return _publish(flight, job.out_dir, files)
    except Exception as e:
        return _failure(loaded, e, flight.start)
    finally:
        flight.discard()
        _case_done()


# --- runners: how the cases get to the unit of work ----------------------------------------


class Runner(Protocol):
    """Runs the cases of a batch. A context manager: entering starts the workers (and their
    LibreOffice) before the cases are read; leaving stops every one of them."""

    jobs: int

    def __enter__(self) -> Runner: ...

    def __exit__(self, *exc: object) -> None: ...

    def run(self, job: BatchJob, cases: Iterable[LoadedCase]) -> Iterator[CaseResult]:
        """Build every case; yield each one's report row as it finishes (in any order)."""
        ...


def _catching(items: Iterable[LoadedCase], failure: list[Exception]) -> Iterator[LoadedCase]:
    """``items`` until reading them raises; the exception is kept in ``failure`` for the caller's thread.

    Not ``yield from``: closing this generator must not close ``items``, which the caller still reads
    after Ctrl-C to report the cases that were not done.
    """
    it = iter(items)
    while True:
        try:
            item = next(it)
        except StopIteration:
            return
        except Exception as e:
            failure.append(e)
            return
        yield item


class _Pipe:
    """A one-place queue between two stages that gives up when the pipeline stops."""

    def __init__(self, stop: threading.Event) -> None:
        self.stop = stop
        self.q: queue.Queue[_Flight | None] = queue.Queue(maxsize=1)

    def put(self, item: _Flight | None) -> bool:
        while not self.stop.is_set():
            try:
                self.q.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def get(self) -> _Flight | None:
        while not self.stop.is_set():
            try:
                return self.q.get(timeout=0.1)
            except queue.Empty:
                continue
        return None

    def drain(self) -> None:
        while True:
            try:
                leftover = self.q.get_nowait()
            except queue.Empty:
                return
            if leftover is not None:
                leftover.discard()


class PipelinedRunner:
    """One worker in this process, three overlapping stages: while LibreOffice converts case n,
    Python renders case n+1 and assembles case n−1. LibreOffice is a separate process, so on a
    machine with two cores the batch runs at the speed of the conversion instead of the sum of all
    stages."""

    jobs = 1

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._stack = contextlib.ExitStack()
        self.converter: Converter | None = None

    def __enter__(self) -> PipelinedRunner:
        self.converter = self._stack.enter_context(converter_for(self.settings))
        return self

    def __exit__(self, *exc: object) -> None:
        self._stack.close()

    def run(self, job: BatchJob, cases: Iterable[LoadedCase]) -> Iterator[CaseResult]:
        assert self.converter is not None, "use the runner as a context manager"
        stop = threading.Event()
        prepared, converted = _Pipe(stop), _Pipe(stop)
        failure: list[Exception] = []  # reading the input failed in the thread: re-raised in the caller's
        threads = [threading.Thread(target=self._prepare_stage, args=(job, _catching(cases, failure), prepared),
                                    name="dossier-render", daemon=True),
                   threading.Thread(target=self._convert_stage, args=(prepared, converted),
                                    name="dossier-convert", daemon=True)]
        for t in threads:
            t.start()
        try:
            while (flight := self._next(converted, threads)) is not None:
                yield self._finish(job, flight)
            if failure:
                raise failure[0]
        finally:
            stop.set()
            for t in threads:
                t.join(timeout=self.settings.timeout + 10)
            prepared.drain()
            converted.drain()

    def _prepare_stage(self, job: BatchJob, cases: Iterable[LoadedCase], out: _Pipe) -> None:
        """Python: preflight and render."""
        try:
            for lc in cases:
                if out.stop.is_set():
                    break
                flight = _begin(lc, job.out_dir)
                try:
                    _guard(job, lc)
                    flight.work = prepare_case(lc, flight.tmp, soort=job.soort, settings=job.settings,
                                               today=job.today)
                except Exception as e:
                    flight.fail(e)
                if not out.put(flight):
                    flight.discard()
                    break
        finally:
            out.put(None)

    def _convert_stage(self, inp: _Pipe, out: _Pipe) -> None:
        """LibreOffice."""
        try:
            while (flight := inp.get()) is not None:
                if flight.work is not None:
                    try:
                        flight.work.convert(self.converter)  # type: ignore[arg-type]
                    except Exception as e:
                        flight.fail(e)
                if not out.put(flight):
                    flight.discard()
                    break
        finally:
            out.put(None)

    @staticmethod
    def _next(converted: _Pipe, threads: list[threading.Thread]) -> _Flight | None:
        while True:
            try:
                return converted.q.get(timeout=0.2)
            except queue.Empty:
                if not any(t.is_alive() for t in threads) and converted.q.empty():
                    return None

    @staticmethod
    def _finish(job: BatchJob, flight: _Flight) -> CaseResult:
        """Python: assemble and publish."""
        try:
            if flight.failed is not None:
                return flight.failed
            try:
                assert flight.work is not None
                files = finish_case(flight.work, flight.tmp, soort=job.soort)
                return _publish(flight, job.out_dir, files)
            except Exception as e:
                return _failure(flight.loaded, e, flight.start)
        finally:
            flight.discard()
            _case_done()


_worker_converter: Converter | None = None  # per pool worker process: its own LibreOffice


def _worker_init(settings: Settings) -> None:
    """Runs once in every worker process: start that worker's own LibreOffice."""
    global _worker_converter
    from multiprocessing.util import Finalize

    from dossier.signals import worker_signals

    # Ctrl-C, SIGTERM, SIGHUP go to the parent, which stops the pool; workers finish or drop their case.
    worker_signals()
    from dossier.convert.cache import with_cache

    _worker_converter = with_cache(make_converter(settings), settings)
    _worker_converter.start()
    gc.freeze()  # what the worker inherited stays; full collections only scan the per-case garbage
    # Pool workers leave through os._exit, so atexit never runs there; multiprocessing's finalizers do.
    Finalize(None, _worker_converter.close, exitpriority=10)


def _pool_task(job: BatchJob, loaded: LoadedCase) -> CaseResult:
    assert _worker_converter is not None
    return build_case(job, loaded, _worker_converter)


class ProcessPoolRunner:
    """A local process pool; each worker process owns one LibreOffice, started once and reused.

    At most 2 × jobs cases are in flight, so memory stays flat however long the input is.
    """

    def __init__(self, settings: Settings, jobs: int) -> None:
        self.settings = settings
        self.jobs = jobs
        self.pool: ProcessPoolExecutor | None = None

    def __enter__(self) -> ProcessPoolRunner:
        self.pool = ProcessPoolExecutor(max_workers=self.jobs, initializer=_worker_init, initargs=(self.settings,))
        for _ in range(self.jobs):  # start the workers (and their LibreOffice) now, not at the first case
            self.pool.submit(os.getpid)
        return self

    def __exit__(self, *exc: object) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)

    def run(self, job: BatchJob, cases: Iterable[LoadedCase]) -> Iterator[CaseResult]:
        assert self.pool is not None, "use the runner as a context manager"
        pending: set[Future[CaseResult]] = set()
        try:
            for lc in cases:
                pending.add(self.pool.submit(_pool_task, job, lc))
                if len(pending) >= 2 * self.jobs:
                    done, pending = wait(pending, return_when=FIRST_COMPLETED)
                    yield from (f.result() for f in done)
            while pending:
                done, pending = wait(pending, return_when=FIRST_COMPLETED)
                yield from (f.result() for f in done)
        except BaseException:
            for f in pending:
                f.cancel()
            self.pool.shutdown(wait=True, cancel_futures=True)
            raise


def make_runner(jobs: int, settings: Settings) -> Runner:
    """The in-process pipeline for one job, a local process pool for more."""
    return PipelinedRunner(settings) if jobs == 1 else ProcessPoolRunner(settings, jobs)


# --- driver --------------------------------------------------------------------------------


def run_batch(inputs: list[Path], out_dir: Path, *, soort: str = DOSSIER, jobs: int | None = None,
              settings: Settings, today: date, skip_existing: bool = False,
              progress: ProgressCallback | None = None, runner: Runner | None = None) -> BatchReport:
    """Process every case in ``inputs`` (CSV, XLSX, JSON list or folders) into ``out_dir``.

    Invalid cases are reported as ``fout`` with their problems; existing case folders are
    ``overgeslagen`` with ``skip_existing``. On Ctrl-C (or SIGTERM/SIGHUP under
    :func:`dossier.signals.stop_on_signals`) the finished cases stay, unfinished ones leave nothing,
    and the report lists what was not done; the ``KeyboardInterrupt`` is re-raised after the report
    is written. ``runner`` replaces the local one that ``jobs`` chooses (it must not be entered yet).

    Raises:
        UsageError: an unknown ``soort``, no case files in ``inputs``, or a report would overwrite an
            input (a case whose folder holds one of its inputs fails on its own).
        AssemblyError: the output folder cannot be written (disk full, read-only).
    """
    start = time.perf_counter()
    if soort not in (*document_kinds(), ALLE, DOSSIER):
        raise UsageError(f"onbekende soort '{soort}'; kies uit: {', '.join(document_kinds())}, alle of dossier")
    if not expand_inputs([Path(p) for p in inputs]):
        raise UsageError("geen casusbestanden gevonden (verwacht .json, .csv of .xlsx)")
    out_dir = Path(out_dir)
    refuse_overwrite([*expand_inputs([Path(p) for p in inputs]), *template_inputs(settings.templates_dir)],
                     files=[out_dir / REPORT_JSON, out_dir / REPORT_CSV])
    runner = runner or make_runner(max(1, jobs or os.cpu_count() or 1), settings)
    job = BatchJob(out_dir, soort, settings, today)
    with output_errors(out_dir):
        ensure_dir(out_dir)
    _remove_stale_tmp(out_dir)
    with runner:
        return _run(runner, job, inputs, skip_existing=skip_existing, progress=progress, start=start)


def _run(runner: Runner, job: BatchJob, inputs: list[Path], *, skip_existing: bool,
         progress: ProgressCallback | None, start: float) -> BatchReport:
    """Stream the cases through the runner: memory stays flat however long the input is.

    Only the small report rows are kept. Invalid and skipped cases get their row as they are read;
    the rest get theirs when the runner is done with them.
    """
    out_dir = job.out_dir
    report = BatchReport(jobs=runner.jobs)
    wall_start = time.time()
    total = _count_records(inputs)
    lock = threading.Lock()  # rows are added by the reading thread and by the main loop
    counts = {"done": 0, "failed": 0}
    started: dict[str, str] = {}  # dossiernummer → location, of cases handed to a worker
    finished: set[str] = set()

    def tick() -> None:
        if progress is not None:
            progress(Progress(counts["done"], total, counts["failed"], time.perf_counter() - start))

    def add(result: CaseResult) -> None:
        with lock:
            report.results.append(result)
            counts["done"] += 1
            counts["failed"] += result.status == "fout"

    def cases() -> Iterator[LoadedCase]:
        for item in iter_cases(inputs, today=job.today, bijlagen_map=job.settings.bijlagen_map):
            loaded = item.loaded
            if loaded is None:  # invalid or unreadable: one row with every problem found
                problems = [scrub(str(i)) for i in item.errors]
                add(CaseResult(_row_key(item), "fout", [], problems, 0.0,
                               item.record.location if item.record else ""))
            elif skip_existing and case_folder(out_dir, loaded.case.dossiernummer).is_dir():
                add(CaseResult(loaded.case.dossiernummer, "overgeslagen", [], ["bestaat al (--skip-existing)"],
                               0.0, loaded.record.location))
            else:
                started[loaded.case.dossiernummer] = loaded.record.location
                yield loaded

    stream = cases()
    stopped: KeyboardInterrupt | None = None
    tick()
    try:
        for result in runner.run(job, stream):
            finished.add(result.dossiernummer)
            add(result)
            tick()
    except KeyboardInterrupt as e:  # Ctrl-C, or SIGTERM/SIGHUP as dossier.errors.Stopped
        stopped = e
        report.interrupted = True
        rest = [(nr, loc) for nr, loc in started.items() if nr not in finished]
        with contextlib.suppress(Exception):
            rest += [(lc.case.dossiernummer, lc.record.location) for lc in stream]
        report.results += _unfinished(out_dir, rest, wall_start)
    report.seconds = round(time.perf_counter() - start, 2)
    _remove_stale_tmp(out_dir)
    with output_errors(out_dir):
        write_report(report, out_dir)
    if stopped is not None:
        raise stopped
    return report


def _unfinished(out_dir: Path, rest: list[tuple[str, str]], wall_start: float) -> list[CaseResult]:
    """Report rows of the cases an interrupt left: handed out but unfinished, and the rest of the input."""
    rows = []
    for nr, loc in rest:
        folder = case_folder(out_dir, nr)
        if folder.is_dir() and folder.stat().st_mtime >= wall_start - 1:
            # Renamed into place (complete) just before Ctrl-C landed: the folder is the truth.
            files = sorted(str(f.relative_to(out_dir)) for f in folder.iterdir())
            rows.append(CaseResult(nr, "ok", files, [], 0.0, loc))
        else:
            rows.append(CaseResult(nr, "overgeslagen", [], ["niet uitgevoerd: batch afgebroken"], 0.0, loc))
    return rows


def _count_records(inputs: list[Path]) -> int:
    """How many cases the input holds (a quick pass without validation, for the progress line)."""
    total = 0
    for path in expand_inputs([Path(p) for p in inputs]):
        with contextlib.suppress(DossierError):
            total += sum(1 for _ in iter_records(path))
    return total


def _row_key(item: CaseItem) -> str:
    """The report key of an invalid case: its dossiernummer as typed, else file and row."""
    if item.record is None:
        return item.issues[0].source if item.issues else "?"
    raw = item.record.data.get("dossiernummer") if isinstance(item.record.data, dict) else None
    if isinstance(raw, str | int) and str(raw).strip():
        return scrub(str(raw).strip())
    return f"{item.record.source.name} {item.record.location}".strip()


def _remove_stale_tmp(out_dir: Path) -> None:
    for stale in out_dir.glob(f"{TMP_PREFIX}*"):
        shutil.rmtree(stale, ignore_errors=True)


def _cell(text: str) -> str:
    """A CSV cell, scrubbed, that a spreadsheet shows as text: a leading = + - @ tab or CR would start
    a formula (CSV injection); a single quote before it is the OWASP advice."""
    text = scrub(text)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _scrubbed(value: object) -> object:
    """Every string in a JSON-ready value scrubbed (before dumping: JSON escapes the backslashes)."""
    if isinstance(value, str):
        return scrub(value)
    if isinstance(value, list):
        return [_scrubbed(v) for v in value]
    if isinstance(value, dict):
        return {k: _scrubbed(v) for k, v in value.items()}
    return value


def write_report(report: BatchReport, out_dir: Path) -> tuple[Path, Path]:
    """Write batch-rapport.json and batch-rapport.csv atomically (no BSN anywhere)."""
    rows = [asdict(r) for r in report.results]
    data = {"afgebroken": report.interrupted, "seconden": report.seconds, "workers": report.jobs,
            "totaal": len(rows), "ok": report.count("ok"), "fout": report.failed,
            "overgeslagen": report.count("overgeslagen"), "casussen": rows}
    js = atomic_write_bytes(out_dir / REPORT_JSON,
                            json.dumps(_scrubbed(data), ensure_ascii=False, indent=2).encode("utf-8"))
    buf = io.StringIO(newline="")
    writer = csv.writer(buf, delimiter=";", lineterminator="\r\n")
    writer.writerow(["dossiernummer", "status", "bestanden", "problemen", "seconden"])
    for r in report.results:
        writer.writerow([_cell(r.dossiernummer), r.status, _cell(" | ".join(r.bestanden)),
                         _cell(" | ".join(r.problemen)), f"{r.seconden:.3f}".replace(".", ",")])
    cs = atomic_write_bytes(out_dir / REPORT_CSV, b"\xef\xbb\xbf" + buf.getvalue().encode("utf-8"))
    return js, cs

"""Batch runs: many cases, one output folder each, one bad case never stops the others.

Each case is built in a hidden temporary folder next to its final place and renamed into place
when it is complete, so an interrupted or failed case leaves nothing half-written and a rerun with
``skip_existing`` finishes the rest. Worker processes each own one LibreOffice (started once, reused
for every document, recycled after N conversions); rendering in one worker overlaps with conversion
in another. Progress is reported through a callback; the CLI draws it on stderr.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import os
import shutil
import time
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path

from dossier.api import LoadedCase, load_cases
from dossier.errors import DossierError, Severity
from dossier.fileio import atomic_write_bytes, ensure_dir
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


# --- worker side ---------------------------------------------------------------------------

_worker_converter = None


def _worker_init(settings: Settings) -> None:
    """Runs once in every worker process: start that worker's own LibreOffice."""
    global _worker_converter
    import signal
    from multiprocessing.util import Finalize

    # Ctrl-C goes to the parent, which stops the pool; workers finish or drop their case cleanly.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    from dossier.pipeline import make_converter

    _worker_converter = make_converter(settings)
    _worker_converter.start()
    # Pool workers leave through os._exit, so atexit never runs there; multiprocessing's finalizers do.
    Finalize(None, _worker_converter.close, exitpriority=10)


def _run_case(loaded: LoadedCase, out_dir: Path, soort: str, settings: Settings, today: date,
              converter: object | None = None) -> CaseResult:
    """Build one case into a temporary folder and move it into place. Never raises."""
    from dossier.pipeline import process_case

    start = time.perf_counter()
    nummer = loaded.case.dossiernummer
    final = case_folder(out_dir, nummer)
    tmp = out_dir / f"{TMP_PREFIX}{nummer}-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    try:
        ensure_dir(tmp)
        conv = converter if converter is not None else _worker_converter
        files = process_case(loaded, tmp, soort=soort, settings=settings, today=today, converter=conv)
        if final.exists():
            shutil.rmtree(final)
        os.replace(tmp, final)
        names = [str(Path(nummer) / f.relative_to(tmp)) for f in files]
        return CaseResult(nummer, "ok", names, [], round(time.perf_counter() - start, 3),
                          loaded.record.location)
    except DossierError as e:
        problems = [str(i) for i in getattr(e, "issues", []) if i.severity is Severity.fout] or [e.message]
        return CaseResult(nummer, "fout", [], [scrub(p) for p in problems],
                          round(time.perf_counter() - start, 3), loaded.record.location)
    except Exception as e:  # a bug or a crash must not stop the batch either
        log.debug("case %s failed", nummer, exc_info=True)
        return CaseResult(nummer, "fout", [], [scrub(f"interne fout: {type(e).__name__}: {e}")],
                          round(time.perf_counter() - start, 3), loaded.record.location)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


# --- driver --------------------------------------------------------------------------------


def run_batch(inputs: list[Path], out_dir: Path, *, soort: str = "dossier", jobs: int | None = None,
              settings: Settings, today: date, skip_existing: bool = False,
              progress: ProgressCallback | None = None) -> BatchReport:
    """Process every case in ``inputs`` (CSV, XLSX, JSON list or folders) into ``out_dir``.

    Invalid cases are reported as ``fout`` with their problems; existing case folders are
    ``overgeslagen`` with ``skip_existing``. On Ctrl-C the finished cases stay, unfinished ones leave
    nothing, and the report lists what was not done; ``KeyboardInterrupt`` is re-raised after the
    report is written.
    """
    start = time.perf_counter()
    jobs = max(1, jobs or os.cpu_count() or 1)
    ensure_dir(out_dir)
    _remove_stale_tmp(out_dir)
    loaded = load_cases(inputs, today=today)
    report = BatchReport(jobs=jobs)

    # Invalid records: one report row each, with every problem found.
    valid_numbers = {lc.case.dossiernummer for lc in loaded.cases}
    for key, problems in _invalid_rows(loaded.issues, valid_numbers):
        report.results.append(CaseResult(key, "fout", [], problems, 0.0))

    todo: list[LoadedCase] = []
    for lc in loaded.cases:
        if skip_existing and case_folder(out_dir, lc.case.dossiernummer).is_dir():
            report.results.append(CaseResult(lc.case.dossiernummer, "overgeslagen", [],
                                             ["bestaat al (--skip-existing)"], 0.0, lc.record.location))
        else:
            todo.append(lc)

    total = len(todo)
    failed = 0

    def tick(n_done: int) -> None:
        if progress is not None:
            progress(Progress(n_done, total, failed, time.perf_counter() - start))

    tick(0)
    finished: dict[str, CaseResult] = {}
    try:
        for result in _execute(todo, out_dir, soort, settings, today, jobs):
            finished[result.dossiernummer] = result
            failed += result.status == "fout"
            tick(len(finished))
    except KeyboardInterrupt:
        report.interrupted = True
    report.results.extend(finished[lc.case.dossiernummer] for lc in todo if lc.case.dossiernummer in finished)
    report.results.extend(
        CaseResult(lc.case.dossiernummer, "overgeslagen", [], ["niet uitgevoerd: batch afgebroken"], 0.0,
                   lc.record.location)
        for lc in todo if lc.case.dossiernummer not in finished)
    report.seconds = round(time.perf_counter() - start, 2)
    _remove_stale_tmp(out_dir)
    write_report(report, out_dir)
    if report.interrupted:
        raise KeyboardInterrupt
    return report


def _execute(todo: list[LoadedCase], out_dir: Path, soort: str, settings: Settings, today: date,
             jobs: int) -> Iterator[CaseResult]:
    if not todo:
        return
    if jobs == 1 or len(todo) == 1:
        from dossier.pipeline import make_converter

        with make_converter(settings) as converter:
            converter.start()
            for lc in todo:
                yield _run_case(lc, out_dir, soort, settings, today, converter)
        return
    # At most 2×jobs cases in flight: memory stays flat however long the input is.
    with ProcessPoolExecutor(max_workers=jobs, initializer=_worker_init, initargs=(settings,)) as pool:
        pending: set[Future[CaseResult]] = set()
        queue = iter(todo)
        try:
            for lc in queue:
                pending.add(pool.submit(_run_case, lc, out_dir, soort, settings, today))
                if len(pending) >= 2 * jobs:
                    done, pending = wait(pending, return_when=FIRST_COMPLETED)
                    yield from (f.result() for f in done)
            while pending:
                done, pending = wait(pending, return_when=FIRST_COMPLETED)
                yield from (f.result() for f in done)
        except BaseException:
            for f in pending:
                f.cancel()
            pool.shutdown(wait=True, cancel_futures=True)
            raise


def _invalid_rows(issues: list, valid: set[str]) -> list[tuple[str, list[str]]]:
    """Group validation errors by case; the key is the dossiernummer or, lacking one, the row."""
    groups: dict[str, list[str]] = {}
    for issue in issues:
        if issue.severity is not Severity.fout:
            continue
        key = _case_key(issue)
        if key in valid:
            continue
        groups.setdefault(key, []).append(scrub(str(issue)))
    return list(groups.items())


def _case_key(issue) -> str:
    loc = issue.location or ""
    if "dossier " in loc:
        return loc.split("dossier ", 1)[1]
    return f"{issue.source} {loc}".strip()


def _remove_stale_tmp(out_dir: Path) -> None:
    for stale in out_dir.glob(f"{TMP_PREFIX}*"):
        shutil.rmtree(stale, ignore_errors=True)


def write_report(report: BatchReport, out_dir: Path) -> tuple[Path, Path]:
    """Write batch-rapport.json and batch-rapport.csv atomically (no BSN anywhere)."""
    rows = [asdict(r) for r in report.results]
    data = {"afgebroken": report.interrupted, "seconden": report.seconds, "workers": report.jobs,
            "totaal": len(rows), "ok": report.count("ok"), "fout": report.failed,
            "overgeslagen": report.count("overgeslagen"), "casussen": rows}
    js = atomic_write_bytes(out_dir / REPORT_JSON,
                            scrub(json.dumps(data, ensure_ascii=False, indent=2)).encode("utf-8"))
    buf = io.StringIO(newline="")
    writer = csv.writer(buf, delimiter=";", lineterminator="\r\n")
    writer.writerow(["dossiernummer", "status", "bestanden", "problemen", "seconden"])
    for r in report.results:
        writer.writerow([r.dossiernummer, r.status, " | ".join(r.bestanden), " | ".join(r.problemen),
                         f"{r.seconden:.3f}".replace(".", ",")])
    cs = atomic_write_bytes(out_dir / REPORT_CSV, b"\xef\xbb\xbf" + scrub(buf.getvalue()).encode("utf-8"))
    return js, cs

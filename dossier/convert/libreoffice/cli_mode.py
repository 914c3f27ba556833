"""CLI mode: one ``soffice --convert-to pdf --outdir DIR file1 file2 ...`` call per batch.

Needs nothing but soffice. soffice converts the documents in order and prints one line per
document, so each line restarts the per-document clock; after a time-out or crash the documents
that were not converted are retried once in a fresh process.
"""

from __future__ import annotations

import logging
import shutil
import subprocess
from pathlib import Path

from dossier.convert.libreoffice.process import (
    INSTALL_HINT,
    MAX_ATTEMPTS,
    PDFA_CONVERT_TO,
    Job,
    LineReader,
    State,
    StderrLogger,
    conversion_error,
    kill_group,
    lock_down_profile,
    pdf_problem,
    publish,
    soffice_command,
)
from dossier.errors import MissingDependencyError

logger = logging.getLogger(__name__)


def convert_cli(state: State, exe: str, jobs: list[Job], *, timeout: float) -> None:
    """Convert ``jobs`` with soffice runs until each is done or has failed :data:`MAX_ATTEMPTS` times."""
    attempts: dict[Path, int] = dict.fromkeys((j.src for j in jobs), 0)
    reasons: dict[Path, str] = {}
    pending = jobs
    while pending:
        done, attempted, reason = _run(state, exe, pending, timeout=timeout)
        failed = [j for j in pending if j.src not in done]
        for job in failed:
            if job.src in attempted:
                attempts[job.src] += 1
                reasons[job.src] = reason
        exhausted = [j for j in failed if attempts[j.src] >= MAX_ATTEMPTS]
        if exhausted:
            job = exhausted[0]
            raise conversion_error(job, reasons[job.src])
        for job in failed:
            if job.src in attempted:
                logger.warning("LibreOffice: '%s' mislukte (%s); nieuwe poging.", job.src.name, reason)
        pending = failed


def _run(state: State, exe: str, jobs: list[Job], *, timeout: float) -> tuple[set[Path], set[Path], str]:
    """One ``soffice --convert-to pdf`` run; returns (done, attempted, failure reason)."""
    staging = state.new_staging_dir()
    profile = state.profile_dir()
    lock_down_profile(profile)
    target = PDFA_CONVERT_TO if state.pdfa else "pdf"
    argv = [*soffice_command(exe, profile), "--convert-to", target, "--outdir", str(staging)]
    argv += [str(j.doc) for j in jobs]
    logger.debug("running %s", argv)
    state.starts += 1
    try:
        try:
            proc = subprocess.Popen(
                argv,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                start_new_session=True,
                bufsize=0,
            )
        except OSError as exc:
            raise MissingDependencyError(f"{INSTALL_HINT} ({exc})") from exc
        state.cli_proc = proc
        assert proc.stdout and proc.stderr
        errlog = StderrLogger(proc.stderr, f"soffice[{proc.pid}]")
        try:
            killed = _wait(proc, timeout)
        finally:
            state.cli_proc = None
            errlog.join()
        done, first_problem = _collect(jobs, staging)
        code = proc.returncode
        if killed or (code is not None and code < 0):
            state.wipe_profile()
        return (
            done,
            _attempted(jobs, done, killed=killed, code=code),
            _reason(killed, code, first_problem, errlog, timeout),
        )
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _wait(proc: subprocess.Popen[bytes], timeout: float) -> bool:
    """Follow soffice until it exits; kill it after ``timeout`` s without progress. True if killed."""
    assert proc.stdout
    reader = LineReader(proc.stdout)
    killed = False
    try:
        # soffice prints "convert A -> B using filter : ..." once per document (after loading
        # it), so each line restarts the per-document clock.
        while True:
            line = reader.readline(timeout)
            if line is None:
                logger.debug("soffice %d: time-out after %g s", proc.pid, timeout)
                killed = True
                break
            if not line:
                break
            logger.debug("soffice[%d]: %s", proc.pid, line.decode(errors="replace").strip())
        if not killed:
            try:
                proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                killed = True
    except BaseException:
        killed = True  # interrupted (Ctrl-C): do not leave soffice running
        raise
    finally:
        if killed:
            kill_group(proc)
    return killed


def _collect(jobs: list[Job], staging: Path) -> tuple[set[Path], str]:
    """Publish every complete PDF; return the done sources and the first problem found."""
    done: set[Path] = set()
    first_problem = ""
    for job in jobs:
        staged = staging / f"{job.doc.stem}.pdf"
        problem = pdf_problem(staged)
        if problem is None:
            publish(staged, job.target)
            done.add(job.src)
        elif not first_problem:
            first_problem = problem
    return done, first_problem


def _reason(killed: bool, code: int | None, first_problem: str, errlog: StderrLogger, timeout: float) -> str:
    """Dutch wording of why a run left documents unconverted."""
    if killed:
        return f"geen resultaat binnen de time-out van {timeout:g} s"
    if code is not None and code < 0:
        return f"LibreOffice is onverwacht gestopt (signaal {-code})"
    if code:
        return f"LibreOffice stopte met exitcode {code}"
    detail = errlog.last_error()
    return f"{first_problem} ({detail})" if detail else first_problem


def _attempted(jobs: list[Job], done: set[Path], *, killed: bool, code: int | None) -> set[Path]:
    """The sources this run really tried (a retry is only counted for those)."""
    if killed or code:
        # soffice works in order: the first unfinished document is the culprit; the ones after
        # it may never have been tried.
        not_done = [j.src for j in jobs if j.src not in done]
        return done | set(not_done[:1])
    return {j.src for j in jobs}

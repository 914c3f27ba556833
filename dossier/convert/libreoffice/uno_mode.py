"""UNO mode: a persistent worker keeps one LibreOffice warm and converts document after document.

The worker (:mod:`dossier.convert.uno_worker`, run under the system Python that has the ``uno``
module) starts ONE soffice and converts over a UNO named pipe. This module is the parent side:
starting the worker, queueing requests, reading answers, recycling LibreOffice after
``restart_after`` conversions (its successor, the *spare*, is started shortly before so that the
conversions never wait for a start) and retrying a document once after a crash or time-out.
"""

from __future__ import annotations

import collections
import contextlib
import json
import logging
import os
import shutil
import subprocess
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from dossier.convert.libreoffice.process import (
    MAX_ATTEMPTS,
    OFFICE_SHUTDOWN_GRACE_S,
    SHUTDOWN_TIMEOUT_S,
    START_TIMEOUT_S,
    AttemptFailed,
    Job,
    LineReader,
    State,
    StderrLogger,
    child_env,
    conversion_error,
    kill_group,
    lock_down_profile,
    pdf_problem,
    publish,
    soffice_command,
)
from dossier.convert.sanitise import sanitise_document
from dossier.convert.slim import slim_document
from dossier.errors import ConversionError

logger = logging.getLogger(__name__)

#: The worker script; it is run as a file, never imported here.
WORKER_SCRIPT = Path(__file__).resolve().parent.parent / "uno_worker.py"

#: Requests queued in the UNO worker's pipe behind the one it is converting.
QUEUE_AHEAD = 2
#: Conversions before recycling at which the successor LibreOffice is started (about a second's worth).
SPARE_LEAD = 15

#: Dutch wording for the failure kinds the worker reports.
_WORKER_FAILURES = {
    "load": "het document kon niet worden geopend (beschadigd of onbekend bestandstype)",
    "export": "de PDF-export mislukte",
    "join": "de samengevoegde documenten konden niet worden opgemeten",
    "request": "ongeldig verzoek aan de UNO-worker",
    "internal": "interne fout in de UNO-worker",
}


def worker_command(python: str, soffice: str, profile_dir: Path, pipe: str, *, pdfa: bool = False) -> list[str]:
    """The command line of one worker process.

    The soffice command line and the time-outs are passed from here, so the worker (which cannot
    import dossier) holds no copy of them.
    """
    return [
        python,
        str(WORKER_SCRIPT),
        "--pipe",
        pipe,
        "--start-timeout",
        str(START_TIMEOUT_S),
        "--shutdown-grace",
        str(OFFICE_SHUTDOWN_GRACE_S),
        *(["--pdfa"] if pdfa else []),
        "--",
        *soffice_command(soffice, profile_dir),
    ]


class UnoWorker:
    """Parent side of one ``uno_worker.py`` process and the soffice it runs."""

    def __init__(self, python: str, soffice: str, profile_dir: Path, *, pdfa: bool = False) -> None:
        self.profile_dir = profile_dir
        lock_down_profile(profile_dir)
        argv = worker_command(python, soffice, profile_dir, f"dossier_{os.getpid()}_{uuid.uuid4().hex}", pdfa=pdfa)
        logger.debug("starting UNO worker: %s", argv)
        # New session: worker and soffice form one process group we can kill as a whole.
        try:
            self.proc = subprocess.Popen(
                argv,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                start_new_session=True,
                env=child_env(),
                bufsize=0,
            )
        except OSError as exc:
            raise AttemptFailed(f"de UNO-worker kon niet starten: {exc}", fatal=True) from exc
        assert self.proc.stdin and self.proc.stdout and self.proc.stderr
        self._stdin = self.proc.stdin
        self._stdout = LineReader(self.proc.stdout)
        self.stderr = StderrLogger(self.proc.stderr, f"uno-worker[{self.proc.pid}]")
        self.conversions = 0
        self.ready = False
        self.pid: int | None = None
        self.office_pid: int | None = None
        self.version = ""

    def wait_ready(self) -> None:
        """Wait for the worker's handshake (soffice started and connected)."""
        if self.ready:
            return
        try:
            hello = self._receive(START_TIMEOUT_S + 5.0)
        except AttemptFailed:
            self.kill()
            raise
        if hello is None:
            self.kill()
            raise AttemptFailed(f"LibreOffice startte niet binnen {START_TIMEOUT_S:g} s", fatal=True)
        if not hello.get("ready"):
            self.kill()
            raise AttemptFailed(
                f"LibreOffice kon niet starten ({hello.get('error', 'onbekende fout')})",
                fatal=True,
            )
        self.ready = True
        self.pid = int(hello["pid"])
        self.office_pid = int(hello.get("office_pid") or self.pid)
        self.version = str(hello.get("version") or "")
        logger.debug(
            "UNO worker %d ready: soffice pid %d, office pid %d (%s)",
            self.proc.pid,
            self.pid,
            self.office_pid,
            self.version,
        )

    def alive(self) -> bool:
        """True while the worker process runs."""
        return self.proc.poll() is None

    def send(self, src: Path, out: Path, join: dict[str, list[str]] | None = None) -> None:
        """Queue a request; the worker answers requests in the order they were sent.

        ``join`` marks a joined document (bookmarks and page-count markers per document, see
        :mod:`dossier.convert.join`); its answer carries the page count of each.
        """
        message: dict[str, object] = {"src": str(src), "out": str(out)}
        if join is not None:
            message["join"] = join
        request = (json.dumps(message) + "\n").encode("utf-8")
        try:
            written = 0
            while written < len(request):  # unbuffered pipe: write() may be partial
                written += self._stdin.write(request[written:]) or 0
        except OSError:
            raise AttemptFailed(self._death_reason(), fatal=True) from None

    def result(self, timeout: float) -> dict[str, Any]:
        """Wait for the answer to the oldest request and return it; raise AttemptFailed when it failed."""
        answer = self._receive(timeout)
        if answer is None:
            raise AttemptFailed(f"geen antwoord binnen de time-out van {timeout:g} s", fatal=True)
        if not answer.get("ok"):
            fatal = bool(answer.get("fatal", True))
            what = _WORKER_FAILURES.get(str(answer.get("kind")), "de omzetting mislukte")
            if fatal:
                what += "; LibreOffice is daarbij gestopt"
            detail = str(answer.get("error") or "")
            raise AttemptFailed(f"{what}: {detail}" if detail else what, fatal=fatal)
        self.conversions += 1
        return answer

    def _receive(self, timeout: float) -> dict[str, Any] | None:
        line = self._stdout.readline(timeout)
        if line is None:
            return None
        if not line:
            raise AttemptFailed(self._death_reason(), fatal=True)
        try:
            message = json.loads(line)
        except ValueError:
            raise AttemptFailed(f"onleesbaar antwoord van de worker: {line!r}", fatal=True) from None
        if not isinstance(message, dict):
            raise AttemptFailed(f"onleesbaar antwoord van de worker: {line!r}", fatal=True)
        return message

    def _death_reason(self) -> str:
        try:
            code = self.proc.wait(timeout=2.0)
        except subprocess.TimeoutExpired:
            code = None
        detail = self.stderr.last_error()
        reason = "LibreOffice is onverwacht gestopt"
        if code is not None:
            reason += f" (exitcode {code})"
        return f"{reason}: {detail}" if detail else reason

    def stop(self) -> None:
        """Close stdin so the worker terminates soffice; kill the group if that takes too long."""
        with contextlib.suppress(OSError):
            self._stdin.close()
        try:
            self.proc.wait(timeout=SHUTDOWN_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            logger.debug("UNO worker %d did not stop in time; killing it", self.proc.pid)
        # Also catches a soffice.bin that outlived its parents.
        kill_group(self.proc)
        self.stderr.join()

    def kill(self) -> None:
        """Kill worker and soffice at once (time-out, crash, protocol out of step)."""
        kill_group(self.proc)
        with contextlib.suppress(OSError):
            self._stdin.close()
        self.stderr.join()


# --------------------------------------------------------------------------------------------
# Worker life cycle: start, recycle, spare
# --------------------------------------------------------------------------------------------


def spawn_worker(state: State, python: str, exe: str, restart_after: int) -> UnoWorker:
    """The worker to convert with: the current one, its spare when it is due for recycling, or new."""
    if state.worker is not None and not state.worker.alive():
        logger.debug("UNO worker died while idle; starting a new one")
        state.stop_worker(kill=True)
    if state.worker is not None and state.worker.conversions >= restart_after:
        logger.debug("recycling LibreOffice after %d conversions", state.worker.conversions)
        if state.spare is not None:
            old, state.worker = state.worker, None
            state.retire(old)
        else:
            state.stop_worker(kill=False)
    if state.worker is None and state.spare is not None:
        spare, state.spare = state.spare, None
        if spare.alive():
            state.worker = spare
        else:
            spare.kill()
            state.wipe_profile(spare.profile_dir)
    if state.worker is None:
        state.starts += 1
        state.join_retiring()
        state.worker = UnoWorker(python, exe, state.free_profile_dir(), pdfa=state.pdfa)
    return state.worker


def _start_spare(state: State, python: str, exe: str, worker: UnoWorker, restart_after: int) -> None:
    """Start the successor of ``worker`` shortly before it is recycled.

    Starting LibreOffice takes about a second; started :data:`SPARE_LEAD` conversions early
    (in its own profile), the successor is ready when the old process retires, and the
    conversions do not wait for it.
    """
    lead = min(SPARE_LEAD, restart_after // 4)
    if lead < 1 or state.spare is not None or worker.conversions < restart_after - lead:
        return
    state.join_retiring()
    state.starts += 1
    state.spare = UnoWorker(python, exe, state.free_profile_dir(), pdfa=state.pdfa)


def _ready_worker(state: State, python: str, exe: str, restart_after: int) -> UnoWorker:
    worker = spawn_worker(state, python, exe, restart_after)
    try:
        worker.wait_ready()
    except AttemptFailed:
        state.worker = None
        state.wipe_profile(worker.profile_dir)
        raise
    return worker


# --------------------------------------------------------------------------------------------
# Conversion
# --------------------------------------------------------------------------------------------


def convert_uno(state: State, python: str, exe: str, jobs: list[Job], *, timeout: float, restart_after: int,
                stage: Callable[[Job], None] | None = None) -> None:
    """Convert ``jobs`` in order, each into its target; see :func:`_round`.

    ``stage`` makes a job's private copy (``job.doc``) just before its request goes out, so
    LibreOffice converts the documents before it meanwhile; None: the copies are there. When
    ``stage`` refuses a document (ConversionError), the requests already sent are answered and
    published first, then the error is raised.
    """
    todo = collections.deque(jobs)
    tries: dict[Path, int] = {}
    feed = _Feed(stage)
    while todo:
        _round(state, python, exe, todo, tries, timeout=timeout, restart_after=restart_after, feed=feed)
        if feed.refused is not None:
            raise feed.refused


class _Feed:
    """Stages jobs on their way to the worker, once each; remembers a refusal."""

    def __init__(self, stage: Callable[[Job], None] | None) -> None:
        self.stage = stage
        self.ready: set[Path] = set()
        self.refused: ConversionError | None = None

    def ready_to_send(self, job: Job) -> bool:
        """Stage ``job`` if needed; False (and :attr:`refused` set) when it is refused."""
        if self.stage is None or job.doc in self.ready:
            return True
        try:
            self.stage(job)
        except ConversionError as exc:
            self.refused = exc
            return False
        self.ready.add(job.doc)
        return True


def _round(
    state: State,
    python: str,
    exe: str,
    todo: collections.deque[Job],
    tries: dict[Path, int],
    *,
    timeout: float,
    restart_after: int,
    feed: _Feed,
) -> None:
    """Convert jobs from the head of ``todo`` on one LibreOffice, with requests queued ahead.

    Up to :data:`QUEUE_AHEAD` further requests wait in the worker's pipe while it converts one,
    so LibreOffice goes straight on to the next document instead of idling until this
    (possibly busy) Python process has read the answer. Returns when ``todo`` is empty, when
    the worker is due for recycling, or after a failed attempt (the failed document is put
    back at the head of ``todo``; after :data:`MAX_ATTEMPTS` a ConversionError is raised).
    """
    sent: collections.deque[tuple[Job, Path]] = collections.deque()
    try:
        worker = _ready_worker(state, python, exe, restart_after)
        room = max(1, restart_after - worker.conversions)
        while todo or sent:
            while todo and len(sent) <= QUEUE_AHEAD and room > 0 and feed.refused is None:
                if not feed.ready_to_send(todo[0]):
                    break  # the requests already sent are answered, then convert_uno raises
                job = todo.popleft()
                sent.append((job, state.root_dir() / f"{uuid.uuid4().hex}.pdf"))
                room -= 1
                worker.send(job.doc, sent[-1][1])
            if not sent:
                return  # recycle before the next request, or a document was refused
            job, staged = sent[0]
            worker.result(timeout)
            problem = pdf_problem(staged)
            if problem is not None:
                raise AttemptFailed(problem, fatal=False)
            publish(staged, job.target)
            sent.popleft()
            _start_spare(state, python, exe, worker, restart_after)
    except AttemptFailed as exc:
        _requeue(state, todo, sent, tries, exc)
    except BaseException:
        # Interrupted mid-request (e.g. Ctrl-C): the protocol is out of step.
        state.stop_worker(kill=True)
        for _job, staged in sent:
            staged.unlink(missing_ok=True)
        raise


def _requeue(
    state: State,
    todo: collections.deque[Job],
    sent: collections.deque[tuple[Job, Path]],
    tries: dict[Path, int],
    exc: AttemptFailed,
) -> None:
    """After a failed attempt: put the sent jobs back in order, count the try, maybe give up."""
    if exc.fatal or len(sent) > 1:
        # A dead worker, or answers still due for the requests queued behind this one:
        # start afresh so requests and answers stay in step.
        state.stop_worker(kill=True)
    for job, staged in reversed(sent):  # back to the head, in order
        staged.unlink(missing_ok=True)
        todo.appendleft(job)
    failed = todo[0]  # the one being converted (or the first, when LibreOffice did not start)
    tries[failed.src] = tries.get(failed.src, 0) + 1
    if tries[failed.src] >= MAX_ATTEMPTS:
        raise conversion_error(failed, exc.reason) from None
    logger.warning(
        "LibreOffice: '%s' mislukte (%s); nieuwe poging%s.",
        failed.src.name,
        exc.reason,
        " met een nieuw LibreOffice-proces" if exc.fatal else "",
    )


# --------------------------------------------------------------------------------------------
# Joined conversion: one LibreOffice load for several documents of one template set
# --------------------------------------------------------------------------------------------


def stage_job(job: Job, *, slim: bool) -> None:
    """Make the job's private copy: checked (:func:`~dossier.convert.sanitise.sanitise_document`)
    and, with ``slim``, slimmed (:func:`slim_job`).

    Raises:
        ConversionError: the document is refused (e.g. a zip bomb).
    """
    for finding in sanitise_document(job.src, job.doc):
        logger.info("%s: %s verwijderd", job.src.name, finding)
    if slim:
        slim_job(job)


def slim_job(job: Job) -> None:
    """Leave the unused styles out of the job's private copy (:mod:`dossier.convert.slim`)."""
    if job.doc.suffix.lower() in SLIM_SUFFIXES:
        removed = slim_document(job.doc)
        if removed:
            logger.debug("%s: %d ongebruikte stijlen niet naar LibreOffice", job.src.name, removed)


#: What :func:`slim_job` is tried on (Word packages, which carry a styles part).
SLIM_SUFFIXES = frozenset([".docx", ".docm", ".dotx", ".dotm"])


def convert_uno_joined(state: State, python: str, exe: str, jobs: list[Job], *, timeout: float,
                       restart_after: int, group_size: int, slim: bool = True) -> None:
    """Convert ``jobs``, joining those of one template set (see :mod:`dossier.convert.join`).

    Documents that cannot be joined safely, and every group whose joined conversion fails, are
    converted one by one (:func:`convert_uno`), with the reason logged at INFO (``-v``). With
    ``slim`` the joined document and the documents converted apart are slimmed
    (:func:`slim_job`).
    """
    from dossier.convert.join import plan_groups

    plan = plan_groups([job.doc for job in jobs])
    for i, reason in sorted(plan.reasons.items()):
        logger.info("LibreOffice: '%s' wordt apart omgezet (niet samen te voegen: %s).", jobs[i].src.name, reason)
    joined: set[int] = set()
    for group in plan.groups:
        for at in range(0, len(group), group_size):
            chunk = group[at:at + group_size]
            if len(chunk) > 1 and _convert_joined(state, python, exe, [(jobs[i], plan.sources[i]) for i in chunk],
                                                  timeout=timeout, restart_after=restart_after, slim=slim):
                joined.update(chunk)
    rest = [job for i, job in enumerate(jobs) if i not in joined]
    if rest:
        convert_uno(state, python, exe, rest, timeout=timeout, restart_after=restart_after,
                    stage=slim_job if slim else None)


def _convert_joined(state: State, python: str, exe: str, items: list[tuple[Job, Any]], *, timeout: float,
                    restart_after: int, slim: bool) -> bool:
    """Join the documents into one DOCX, convert it once and split the PDF; False when that failed."""
    from dossier.convert.join import NotJoinable, join_docx, split_pdf

    jobs = [job for job, _src in items]
    folder = state.new_staging_dir("join")
    try:
        try:
            joined = join_docx([src for _job, src in items], folder / "joined.docx")
        except (NotJoinable, OSError, ValueError, KeyError) as exc:
            logger.info("LibreOffice: %d documenten apart omgezet (samenvoegen mislukte: %s).", len(jobs), exc)
            return False
        if slim:
            slim_document(joined.path)
        pdf = folder / "joined.pdf"
        try:
            worker = _ready_worker(state, python, exe, restart_after)
            worker.send(joined.path, pdf, {"bookmarks": joined.bookmarks, "markers": joined.markers})
            answer = worker.result(timeout * len(jobs))
            if answer.get("kept_apart"):
                places = ", ".join(f"'{jobs[k].src.name}' pagina {page}" for k, page in answer["kept_apart"])
                logger.info("LibreOffice: %d documenten apart omgezet (samen opgemaakt zou een kop met 'bij "
                            "volgende alinea houden' onderaan de pagina blijven staan: %s).", len(jobs), places)
                return False
            problem = pdf_problem(pdf)
            if problem is not None:
                raise AttemptFailed(problem, fatal=False)
        except AttemptFailed as exc:
            if exc.fatal:
                state.stop_worker(kill=True)
            logger.info("LibreOffice: %d documenten apart omgezet (samen omzetten mislukte: %s).", len(jobs), exc)
            return False
        except BaseException:
            state.stop_worker(kill=True)  # interrupted mid-request: the protocol is out of step
            raise
        staged = [folder / f"{k}.pdf" for k in range(len(jobs))]
        try:
            split_pdf(pdf, [int(n) for n in answer["pages"]], staged, joined.titles)
        except Exception as exc:  # any failure to split: convert the documents apart instead
            logger.info("LibreOffice: %d documenten apart omgezet (opknippen mislukte: %s: %s).", len(jobs),
                        type(exc).__name__, exc)
            return False
        for job, part in zip(jobs, staged, strict=True):
            publish(part, job.target)
        logger.debug("LibreOffice: %d documenten in één keer omgezet (%s pagina's)", len(jobs), answer["pages"])
        return True
    finally:
        shutil.rmtree(folder, ignore_errors=True)

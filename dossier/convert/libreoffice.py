"""DOCX→PDF with LibreOffice running headless.

Two ways to drive LibreOffice, chosen by ``mode``:

``uno``
    A persistent worker (:mod:`dossier.convert.uno_worker`, run under the system Python that has
    the ``uno`` module) starts ONE soffice and converts document after document over a UNO
    named pipe. The office stays warm for the whole converter instance.
``cli``
    One ``soffice --headless --convert-to pdf --outdir DIR file1 file2 ...`` call per batch.
    Needs nothing but soffice.
``auto`` (default)
    ``uno`` when a Python with ``uno`` is found, otherwise ``cli``.

Either way every converter instance has its own temporary LibreOffice profile, so several
instances can run in parallel (LibreOffice locks its profile; two processes on one profile fail
silently, see the prior-art notes). Each document gets ``timeout`` seconds and one retry in a
fresh process after a time-out or crash. Output is written to a private staging folder, checked
(non-empty, ``%PDF`` header, ``%%EOF`` trailer) and only then moved to ``out_dir/<stem>.pdf``, so a
failure never leaves a partial PDF behind.

POSIX only: processes are started in their own session so that a time-out can kill LibreOffice's
whole process tree (``soffice`` script → ``oosplash`` → ``soffice.bin``).
"""

from __future__ import annotations

import collections
import contextlib
import errno
import functools
import json
import logging
import os
import select
import shutil
import signal
import subprocess
import tempfile
import threading
import time
import uuid
import weakref
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Literal

from dossier.errors import ConversionError, DossierError, MissingDependencyError

logger = logging.getLogger(__name__)

Mode = Literal["auto", "uno", "cli"]
MODES: tuple[str, ...] = ("auto", "uno", "cli")

#: ``--convert-to`` argument for PDF/A-2b (LibreOffice 7.4+ reads JSON filter options).
PDFA_CONVERT_TO = 'pdf:writer_pdf_Export:{"SelectPdfVersion":{"type":"long","value":"2"}}'

#: Shown when soffice cannot be found.
INSTALL_HINT = (
    "LibreOffice (soffice) is niet gevonden. Installeer het met "
    "'sudo apt-get install libreoffice-writer-nogui' of voer 'make demo' uit."
)

#: Shown when mode="uno" is forced but no Python can import LibreOffice's ``uno`` module.
UNO_HINT = (
    "De Python-module 'uno' van LibreOffice is niet gevonden. Installeer het met "
    "'sudo apt-get install python3-uno', wijs met DOSSIER_UNO_PYTHON een Python met 'uno' aan, "
    "of gebruik mode='cli'."
)

#: Environment variable naming a Python interpreter that can ``import uno``.
UNO_PYTHON_ENV = "DOSSIER_UNO_PYTHON"

#: Interpreters probed (after $DOSSIER_UNO_PYTHON) for the ``uno`` module. Debian's python3-uno
#: only works with the system interpreter, never inside a virtualenv.
UNO_PYTHON_CANDIDATES: tuple[str, ...] = ("/usr/bin/python3", "python3")

#: The worker script; it is run as a file, never imported here.
WORKER_SCRIPT = Path(__file__).with_name("uno_worker.py")

#: Attempts per document: the first try plus one retry in a fresh process.
MAX_ATTEMPTS = 2
#: Requests queued in the UNO worker's pipe behind the one it is converting.
QUEUE_AHEAD = 2
#: Conversions before recycling at which the successor LibreOffice is started (about a second's worth).
SPARE_LEAD = 15

#: Seconds LibreOffice may take to start and accept a UNO connection. Kept apart from the
#: per-document ``timeout`` because the first start also creates the profile (~1-3 s, more on a
#: busy machine) and a short document time-out must not make start-up impossible.
START_TIMEOUT_S = 60.0

#: Seconds to wait for a clean shutdown (close stdin → Desktop.terminate()) before killing.
SHUTDOWN_TIMEOUT_S = 15.0

#: Seconds for quick probes (``soffice --version``, ``python3 -c "import uno"``).
PROBE_TIMEOUT_S = 30.0

#: Interpreter variables from our (virtualenv) environment that must not leak into the system
#: Python running the worker: they would point it at the wrong site-packages.
_PYTHON_ENV_VARS = ("PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP", "PYTHONUSERBASE")

#: Options shared by every soffice start. ``--nolockcheck`` skips the check for another instance
#: using the installation; our profile is private anyway.
_SOFFICE_FLAGS = (
    "--headless",
    "--invisible",
    "--nologo",
    "--norestore",
    "--nodefault",
    "--nolockcheck",
)


# --------------------------------------------------------------------------------------------
# Probes
# --------------------------------------------------------------------------------------------


def find_soffice(soffice: str = "soffice") -> str | None:
    """Return the absolute path of the soffice binary, or None when it is not installed.

    Args:
        soffice: a name looked up on PATH, or a path.
    """
    return shutil.which(soffice)


def find_uno_python() -> str | None:
    """Return a Python interpreter that can ``import uno``, or None.

    Tries ``$DOSSIER_UNO_PYTHON``, then ``/usr/bin/python3``, then ``python3`` on PATH. The probe
    result is cached per candidate list (and so per value of the environment variable).
    """
    env_python = os.environ.get(UNO_PYTHON_ENV, "").strip()
    candidates = ((env_python,) if env_python else ()) + UNO_PYTHON_CANDIDATES
    return _probe_uno_python(candidates)


def _probe_uno_python(candidates: tuple[str, ...]) -> str | None:
    # One probe at a time, so a background start and a to_pdf do not both pay for it.
    with _PROBE_LOCK:
        return _probe_uno_python_cached(candidates)


_PROBE_LOCK = threading.Lock()


@functools.cache
def _probe_uno_python_cached(candidates: tuple[str, ...]) -> str | None:
    for candidate in candidates:
        exe = shutil.which(candidate)
        if exe is None:
            continue
        try:
            result = subprocess.run(
                [exe, "-c", "import uno"],
                stdin=subprocess.DEVNULL,
                capture_output=True,
                timeout=PROBE_TIMEOUT_S,
                env=_child_env(),
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            logger.debug("uno probe %s failed: %s", exe, exc)
            continue
        if result.returncode == 0:
            logger.debug("using %s for the UNO worker", exe)
            return exe
        logger.debug("uno probe %s: no uno module", exe)
    return None


def _child_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k not in _PYTHON_ENV_VARS}


# --------------------------------------------------------------------------------------------
# Small process helpers
# --------------------------------------------------------------------------------------------


class _AttemptFailed(Exception):
    """One conversion attempt failed; ``fatal`` means the process must be replaced."""

    def __init__(self, reason: str, *, fatal: bool) -> None:
        super().__init__(reason)
        self.reason = reason
        self.fatal = fatal


class _LineReader:
    """Reads lines from a pipe with a time-out (select + os.read; POSIX only)."""

    def __init__(self, stream: IO[bytes]) -> None:
        self._fd = stream.fileno()
        self._buf = b""
        self.eof = False

    def readline(self, timeout: float) -> bytes | None:
        """Return the next line (b"" at end of file), or None when ``timeout`` runs out."""
        deadline = time.monotonic() + timeout
        while b"\n" not in self._buf:
            if self.eof:
                rest, self._buf = self._buf, b""
                return rest
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return None
            ready, _, _ = select.select([self._fd], [], [], remaining)
            if not ready:
                continue
            chunk = os.read(self._fd, 65536)
            if chunk:
                self._buf += chunk
            else:
                self.eof = True
        line, _, self._buf = self._buf.partition(b"\n")
        return line + b"\n"


class _StderrLogger:
    """Drains a child's stderr in a thread: every line at DEBUG, the last few kept for errors."""

    def __init__(self, stream: IO[bytes], label: str) -> None:
        self.tail: collections.deque[str] = collections.deque(maxlen=10)
        self._thread = threading.Thread(target=self._run, args=(stream, label), name=f"stderr-{label}", daemon=True)
        self._thread.start()

    def _run(self, stream: IO[bytes], label: str) -> None:
        with stream:
            for raw in iter(stream.readline, b""):
                text = raw.decode("utf-8", errors="replace").rstrip()
                if text:
                    self.tail.append(text)
                    logger.debug("%s: %s", label, text)

    def join(self, timeout: float = 2.0) -> None:
        """Wait briefly for the pipe to close (a straggler may hold it open)."""
        self._thread.join(timeout)

    def last_error(self) -> str:
        """The most telling recent stderr line, for an error message."""
        noise = ("javaldx",)
        lines = [t for t in self.tail if not any(n in t for n in noise)]
        return lines[-1] if lines else ""


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    """SIGKILL the process group led by ``proc`` (started with ``start_new_session``), reap it."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)
    try:
        proc.wait(timeout=SHUTDOWN_TIMEOUT_S)
    except subprocess.TimeoutExpired:  # pragma: no cover - SIGKILL does not get ignored
        logger.debug("process %d did not die after SIGKILL", proc.pid)


def _pdf_problem(path: Path) -> str | None:
    """Return why ``path`` is not a complete PDF, or None when it looks fine."""
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        return "er is geen PDF gemaakt"
    if size == 0:
        return "de PDF is leeg"
    with path.open("rb") as fh:
        if fh.read(5) != b"%PDF-":
            return "het resultaat is geen PDF"
        fh.seek(max(0, size - 1024))
        if b"%%EOF" not in fh.read():
            return "de PDF is onvolledig"
    return None


def _publish(staged: Path, target: Path) -> None:
    """Move a checked PDF into place atomically (copy + rename across file systems).

    The PDF holds an employee's personal data: it is made readable by the owner only.
    """
    os.chmod(staged, 0o600)
    try:
        os.replace(staged, target)
        return
    except OSError as exc:
        if exc.errno != errno.EXDEV:
            raise
    tmp = target.with_name(f".{target.name}.{uuid.uuid4().hex}.tmp")
    try:
        shutil.copyfile(staged, tmp)
        os.chmod(tmp, 0o600)
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
        staged.unlink(missing_ok=True)


def _batched(items: Sequence[_Job], size: int) -> Iterator[list[_Job]]:
    for start in range(0, len(items), size):
        yield list(items[start : start + size])


@dataclass(frozen=True)
class _Job:
    src: Path
    target: Path


# --------------------------------------------------------------------------------------------
# The persistent UNO worker (parent side)
# --------------------------------------------------------------------------------------------

#: Dutch wording for the failure kinds the worker reports.
_WORKER_FAILURES = {
    "load": "het document kon niet worden geopend (beschadigd of onbekend bestandstype)",
    "export": "de PDF-export mislukte",
    "request": "ongeldig verzoek aan de UNO-worker",
    "internal": "interne fout in de UNO-worker",
}


class _UnoWorker:
    """Parent side of one ``uno_worker.py`` process and the soffice it runs."""

    def __init__(self, python: str, soffice: str, profile_dir: Path, pdfa: bool = False) -> None:
        self.profile_dir = profile_dir
        pipe = f"dossier_{os.getpid()}_{uuid.uuid4().hex}"
        argv = [
            python,
            str(WORKER_SCRIPT),
            "--soffice",
            soffice,
            "--profile",
            str(profile_dir),
            "--pipe",
            pipe,
            "--start-timeout",
            str(START_TIMEOUT_S),
            *(["--pdfa"] if pdfa else []),
        ]
        logger.debug("starting UNO worker: %s", argv)
        # New session: worker and soffice form one process group we can kill as a whole.
        try:
            self.proc = subprocess.Popen(
                argv,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                start_new_session=True,
                env=_child_env(),
                bufsize=0,
            )
        except OSError as exc:
            raise _AttemptFailed(f"de UNO-worker kon niet starten: {exc}", fatal=True) from exc
        assert self.proc.stdin and self.proc.stdout and self.proc.stderr
        self._stdin = self.proc.stdin
        self._stdout = _LineReader(self.proc.stdout)
        self.stderr = _StderrLogger(self.proc.stderr, f"uno-worker[{self.proc.pid}]")
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
        except _AttemptFailed:
            self.kill()
            raise
        if hello is None:
            self.kill()
            raise _AttemptFailed(f"LibreOffice startte niet binnen {START_TIMEOUT_S:g} s", fatal=True)
        if not hello.get("ready"):
            self.kill()
            raise _AttemptFailed(
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

    def send(self, src: Path, out: Path) -> None:
        """Queue a request; the worker answers requests in the order they were sent."""
        request = (json.dumps({"src": str(src), "out": str(out)}) + "\n").encode("utf-8")
        try:
            written = 0
            while written < len(request):  # unbuffered pipe: write() may be partial
                written += self._stdin.write(request[written:]) or 0
        except OSError:
            raise _AttemptFailed(self._death_reason(), fatal=True) from None

    def result(self, timeout: float) -> None:
        """Wait for the answer to the oldest request; raise _AttemptFailed when it failed."""
        answer = self._receive(timeout)
        if answer is None:
            raise _AttemptFailed(f"geen antwoord binnen de time-out van {timeout:g} s", fatal=True)
        if not answer.get("ok"):
            fatal = bool(answer.get("fatal", True))
            what = _WORKER_FAILURES.get(str(answer.get("kind")), "de omzetting mislukte")
            if fatal:
                what += "; LibreOffice is daarbij gestopt"
            detail = str(answer.get("error") or "")
            raise _AttemptFailed(f"{what}: {detail}" if detail else what, fatal=fatal)
        self.conversions += 1

    def _receive(self, timeout: float) -> dict[str, Any] | None:
        line = self._stdout.readline(timeout)
        if line is None:
            return None
        if not line:
            raise _AttemptFailed(self._death_reason(), fatal=True)
        try:
            message = json.loads(line)
        except ValueError:
            raise _AttemptFailed(f"onleesbaar antwoord van de worker: {line!r}", fatal=True) from None
        if not isinstance(message, dict):
            raise _AttemptFailed(f"onleesbaar antwoord van de worker: {line!r}", fatal=True)
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
        _kill_group(self.proc)
        self.stderr.join()

    def kill(self) -> None:
        """Kill worker and soffice at once (time-out, crash, protocol out of step)."""
        _kill_group(self.proc)
        with contextlib.suppress(OSError):
            self._stdin.close()
        self.stderr.join()


# --------------------------------------------------------------------------------------------
# Instance state (kept apart from the converter so weakref.finalize can clean it up)
# --------------------------------------------------------------------------------------------


@dataclass
class _State:
    work_dir: Path | None
    root: Path | None = None
    worker: _UnoWorker | None = None
    #: The successor, started while ``worker`` does its last conversions before recycling.
    spare: _UnoWorker | None = None
    retiring: list[threading.Thread] = field(default_factory=list)
    cli_proc: subprocess.Popen[bytes] | None = None
    staging_seq: int = 0
    generation: int = 0
    lock: threading.RLock = field(default_factory=threading.RLock)

    def root_dir(self) -> Path:
        if self.root is None:
            parent = self.work_dir
            if parent is not None:
                parent.mkdir(parents=True, exist_ok=True)
            self.root = Path(tempfile.mkdtemp(prefix="dossier-lo-", dir=parent)).resolve()
        return self.root

    def profile_dir(self) -> Path:
        return self.root_dir() / "profile"

    def profile_url(self) -> str:
        return self.profile_dir().resolve().as_uri()

    def free_profile_dir(self) -> Path:
        """A profile folder no running LibreOffice of this instance uses (there are two)."""
        used = {w.profile_dir for w in (self.worker, self.spare) if w is not None}
        first = self.profile_dir()
        return first if first not in used else self.root_dir() / "profile-2"

    def wipe_profile(self, profile: Path | None = None) -> None:
        # After a kill the profile may hold half-written files; start the next process clean.
        if self.root is not None:
            shutil.rmtree(profile or self.root / "profile", ignore_errors=True)

    def retire(self, worker: _UnoWorker) -> None:
        """Stop a recycled worker in the background; its successor is already converting."""
        thread = threading.Thread(target=worker.stop, name="soffice-retire", daemon=True)
        thread.start()
        self.retiring.append(thread)

    def join_retiring(self) -> None:
        for thread in self.retiring:
            thread.join()
        self.retiring.clear()

    def new_staging_dir(self) -> Path:
        self.staging_seq += 1
        path = self.root_dir() / f"staging-{self.staging_seq}"
        path.mkdir()
        return path

    def stop_worker(self, *, kill: bool) -> None:
        worker, self.worker = self.worker, None
        if worker is None:
            return
        if kill:
            worker.kill()
            self.wipe_profile(worker.profile_dir)
        else:
            worker.stop()

    def cleanup(self) -> None:
        with self.lock:
            self.generation += 1
            self.stop_worker(kill=False)
            spare, self.spare = self.spare, None
            if spare is not None:
                spare.stop()
            self.join_retiring()
            if self.cli_proc is not None:
                _kill_group(self.cli_proc)
                self.cli_proc = None
            if self.root is not None:
                shutil.rmtree(self.root, ignore_errors=True)
                self.root = None


# --------------------------------------------------------------------------------------------
# The converter
# --------------------------------------------------------------------------------------------


class SofficeConverter:
    """Converts office documents to PDF with a private, reused LibreOffice process.

    Use as a context manager so that LibreOffice is stopped and the profile removed::

        with SofficeConverter(timeout=60) as conv:
            pdfs = conv.to_pdf([Path("brief.docx"), Path("plan.docx")], work / "pdf")

    Not meant to be shared between threads; calls on one instance are serialised by a lock.
    Use one instance per thread for parallel work.

    Attributes:
        name: engine name for messages and ``dossier check``.
        soffice: binary name or path as given.
        timeout: seconds one document may take before LibreOffice is killed.
        restart_after: conversions after which the process is recycled.
        mode: "auto", "uno" or "cli" as requested; see :attr:`effective_mode`.
        starts: how many LibreOffice processes this instance has started (for tests/metrics).
    """

    name = "libreoffice"

    def __init__(
        self,
        soffice: str = "soffice",
        timeout: float = 120.0,
        restart_after: int = 200,
        mode: Mode = "auto",
        work_dir: Path | None = None,
        pdfa: bool = False,
    ) -> None:
        """Create a converter; nothing is started until the first :meth:`to_pdf`.

        Args:
            soffice: binary name (looked up on PATH) or path.
            timeout: seconds per document before LibreOffice is killed and the document retried.
            restart_after: recycle the LibreOffice process after this many conversions.
            mode: "uno" (persistent worker), "cli" (one ``--convert-to`` call per batch) or
                "auto" (uno when a Python with ``uno`` is found).
            work_dir: parent folder for the private profile and staging files (default: the
                system temp folder). The instance's own subfolder is removed on close.
            pdfa: export PDF/A-2b (FilterData ``SelectPdfVersion=2``) instead of plain PDF.

        Raises:
            ValueError: an argument is out of range.
        """
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}, not {mode!r}")
        if timeout <= 0:
            raise ValueError("timeout must be positive")
        if restart_after < 1:
            raise ValueError("restart_after must be at least 1")
        self.soffice = soffice
        self.timeout = float(timeout)
        self.restart_after = int(restart_after)
        self.mode: Mode = mode
        self.pdfa = pdfa
        self.starts = 0
        self._version: str | None = None
        self._resolved: tuple[str, str | None] | None = None
        self._state = _State(Path(work_dir) if work_dir is not None else None)
        self._finalizer = weakref.finalize(self, self._state.cleanup)

    # -- probes ---------------------------------------------------------------------------

    def available(self) -> bool:
        """True when soffice is installed (and, for mode="uno", a Python with ``uno``)."""
        if find_soffice(self.soffice) is None:
            return False
        return self.mode != "uno" or find_uno_python() is not None

    def version(self) -> str:
        """The LibreOffice version, e.g. "LibreOffice 7.4.7.2 40(Build:2)".

        Raises:
            MissingDependencyError: soffice is not installed.
        """
        if self._version is None:
            exe = self._require_soffice()
            argv = [exe, f"-env:UserInstallation={self._state.profile_url()}", "--version"]
            try:
                result = subprocess.run(
                    argv,
                    stdin=subprocess.DEVNULL,
                    capture_output=True,
                    timeout=PROBE_TIMEOUT_S,
                    check=False,
                )
                text = result.stdout.decode("utf-8", errors="replace").strip()
            except (OSError, subprocess.TimeoutExpired) as exc:
                logger.debug("soffice --version failed: %s", exc)
                text = ""
            self._version = text.splitlines()[0] if text else "LibreOffice (versie onbekend)"
        return self._version

    @property
    def effective_mode(self) -> str:
        """The mode actually used: "uno" or "cli" (resolves "auto" by probing for ``uno``).

        Raises:
            MissingDependencyError: mode="uno" but no Python with ``uno`` was found.
        """
        return self._resolve_mode()[0]

    @property
    def pid(self) -> int | None:
        """Pid of the running office process (soffice.bin) in uno mode, else None."""
        worker = self._state.worker
        return worker.office_pid if worker is not None and worker.alive() else None

    @property
    def worker_pid(self) -> int | None:
        """Pid of the UNO worker process, if one runs."""
        worker = self._state.worker
        return worker.proc.pid if worker is not None and worker.alive() else None

    @property
    def instance_dir(self) -> Path | None:
        """This instance's private folder (profile + staging), once created."""
        return self._state.root

    # -- conversion -----------------------------------------------------------------------

    def to_pdf(self, sources: list[Path], out_dir: Path) -> list[Path]:
        """Convert every source into ``out_dir/<stem>.pdf``; return the PDFs in source order.

        An existing ``out_dir/<stem>.pdf`` is removed first, so after a failure no stale or
        partial PDF remains for the failed document.

        Args:
            sources: documents to convert (DOCX, ODT, ...). Stems must be unique.
            out_dir: folder for the PDFs; created when missing.

        Returns:
            The PDF paths, in the order of ``sources``.

        Raises:
            ConversionError: a document is missing or could not be converted after one retry.
            MissingDependencyError: soffice (or, for mode="uno", the ``uno`` module) is missing.
        """
        with self._state.lock:
            srcs = [Path(s) for s in sources]
            if not srcs:
                return []
            exe = self._require_soffice()
            jobs = self._plan_jobs(srcs, Path(out_dir))
            mode, python = self._resolve_mode()
            for job in jobs:
                job.target.unlink(missing_ok=True)
            if mode == "uno":
                assert python is not None
                todo = collections.deque(jobs)
                tries: dict[Path, int] = {}
                while todo:
                    self._uno_round(python, exe, todo, tries)
            else:
                for chunk in _batched(jobs, self.restart_after):
                    self._convert_cli(exe, chunk)
            return [job.target for job in jobs]

    def _plan_jobs(self, srcs: list[Path], out_dir: Path) -> list[_Job]:
        seen: dict[str, Path] = {}
        for src in srcs:
            if not src.is_file():
                raise ConversionError(
                    f"LibreOffice kon '{src.name}' niet omzetten naar PDF: het bestand bestaat niet ({src})."
                )
            if src.stem in seen:
                raise ConversionError(
                    f"'{seen[src.stem]}' en '{src}' zouden allebei '{src.stem}.pdf' worden; "
                    "geef de documenten verschillende namen."
                )
            seen[src.stem] = src
        out_dir.mkdir(parents=True, exist_ok=True)
        return [_Job(src.resolve(), out_dir / f"{src.stem}.pdf") for src in srcs]

    def _require_soffice(self) -> str:
        exe = find_soffice(self.soffice)
        if exe is None:
            raise MissingDependencyError(INSTALL_HINT)
        return exe

    def _resolve_mode(self) -> tuple[str, str | None]:
        if self._resolved is None:
            if self.mode == "cli":
                self._resolved = ("cli", None)
            else:
                python = find_uno_python()
                if python is not None:
                    self._resolved = ("uno", python)
                elif self.mode == "uno":
                    raise MissingDependencyError(UNO_HINT)
                else:
                    logger.debug("no Python with 'uno' found; using soffice --convert-to")
                    self._resolved = ("cli", None)
        return self._resolved

    def _fail(self, job: _Job, reason: str) -> ConversionError:
        return ConversionError(
            f"LibreOffice kon '{job.src.name}' niet omzetten naar PDF: {reason} (na {MAX_ATTEMPTS} pogingen)."
        )

    # -- uno mode -------------------------------------------------------------------------

    def start(self) -> None:
        """Start LibreOffice in the background and return at once (uno mode only).

        Call this early, e.g. before rendering the DOCX files, so that the start-up (probing for
        ``uno``, starting soffice: about a second) overlaps with other work and the first
        :meth:`to_pdf` finds a warm process. Errors are not raised here; :meth:`to_pdf` reports
        them. Does nothing in cli mode, where each batch is its own process.
        """
        if self.mode == "cli":
            return
        generation = self._state.generation
        threading.Thread(
            target=self._start_in_background, args=(generation,), name="soffice-start", daemon=True
        ).start()

    def _start_in_background(self, generation: int) -> None:
        try:
            with self._state.lock:
                if self._state.generation != generation:
                    return  # closed in the meantime
                exe = find_soffice(self.soffice)
                if exe is None:
                    return
                mode, python = self._resolve_mode()
                if mode == "uno" and python is not None:
                    self._spawn_worker(python, exe)
        except (DossierError, _AttemptFailed) as exc:
            logger.debug("background start failed: %s", exc)

    def _spawn_worker(self, python: str, exe: str) -> _UnoWorker:
        state = self._state
        if state.worker is not None and not state.worker.alive():
            logger.debug("UNO worker died while idle; starting a new one")
            state.stop_worker(kill=True)
        if state.worker is not None and state.worker.conversions >= self.restart_after:
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
            self.starts += 1
            state.join_retiring()
            state.worker = _UnoWorker(python, exe, state.free_profile_dir(), self.pdfa)
        return state.worker

    def _start_spare(self, python: str, exe: str, worker: _UnoWorker) -> None:
        """Start the successor of ``worker`` shortly before it is recycled.

        Starting LibreOffice takes about a second; started :data:`SPARE_LEAD` conversions early
        (in its own profile), the successor is ready when the old process retires, and the
        conversions do not wait for it.
        """
        lead = min(SPARE_LEAD, self.restart_after // 4)
        state = self._state
        if lead < 1 or state.spare is not None or worker.conversions < self.restart_after - lead:
            return
        state.join_retiring()
        self.starts += 1
        state.spare = _UnoWorker(python, exe, state.free_profile_dir(), self.pdfa)

    def _worker(self, python: str, exe: str) -> _UnoWorker:
        worker = self._spawn_worker(python, exe)
        try:
            worker.wait_ready()
        except _AttemptFailed:
            self._state.worker = None
            self._state.wipe_profile(worker.profile_dir)
            raise
        return worker

    def _uno_round(self, python: str, exe: str, todo: collections.deque[_Job], tries: dict[Path, int]) -> None:
        """Convert jobs from the head of ``todo`` on one LibreOffice, with requests queued ahead.

        Up to :data:`QUEUE_AHEAD` further requests wait in the worker's pipe while it converts one,
        so LibreOffice goes straight on to the next document instead of idling until this
        (possibly busy) Python process has read the answer. Returns when ``todo`` is empty, when
        the worker is due for recycling, or after a failed attempt (the failed document is put
        back at the head of ``todo``; after :data:`MAX_ATTEMPTS` a ConversionError is raised).
        """
        sent: collections.deque[tuple[_Job, Path]] = collections.deque()
        try:
            worker = self._worker(python, exe)
            room = max(1, self.restart_after - worker.conversions)
            while todo or sent:
                while todo and len(sent) <= QUEUE_AHEAD and room > 0:
                    job = todo.popleft()
                    sent.append((job, self._state.root_dir() / f"{uuid.uuid4().hex}.pdf"))
                    room -= 1
                    worker.send(job.src, sent[-1][1])
                if not sent:
                    return  # recycle before the next request
                job, staged = sent[0]
                worker.result(self.timeout)
                problem = _pdf_problem(staged)
                if problem is not None:
                    raise _AttemptFailed(problem, fatal=False)
                _publish(staged, job.target)
                sent.popleft()
                self._start_spare(python, exe, worker)
        except _AttemptFailed as exc:
            if exc.fatal or len(sent) > 1:
                # A dead worker, or answers still due for the requests queued behind this one:
                # start afresh so requests and answers stay in step.
                self._state.stop_worker(kill=True)
            for job, staged in reversed(sent):  # back to the head, in order
                staged.unlink(missing_ok=True)
                todo.appendleft(job)
            failed = todo[0]  # the one being converted (or the first, when LibreOffice did not start)
            tries[failed.src] = tries.get(failed.src, 0) + 1
            if tries[failed.src] >= MAX_ATTEMPTS:
                raise self._fail(failed, exc.reason) from None
            logger.warning(
                "LibreOffice: '%s' mislukte (%s); nieuwe poging%s.",
                failed.src.name,
                exc.reason,
                " met een nieuw LibreOffice-proces" if exc.fatal else "",
            )
        except BaseException:
            # Interrupted mid-request (e.g. Ctrl-C): the protocol is out of step.
            self._state.stop_worker(kill=True)
            for _job, staged in sent:
                staged.unlink(missing_ok=True)
            raise

    # -- cli mode -------------------------------------------------------------------------

    def _convert_cli(self, exe: str, jobs: list[_Job]) -> None:
        attempts: dict[Path, int] = dict.fromkeys((j.src for j in jobs), 0)
        reasons: dict[Path, str] = {}
        pending = jobs
        while pending:
            done, attempted, reason = self._run_cli(exe, pending)
            failed = [j for j in pending if j.src not in done]
            for job in failed:
                if job.src in attempted:
                    attempts[job.src] += 1
                    reasons[job.src] = reason
            exhausted = [j for j in failed if attempts[j.src] >= MAX_ATTEMPTS]
            if exhausted:
                job = exhausted[0]
                raise self._fail(job, reasons[job.src])
            for job in failed:
                if job.src in attempted:
                    logger.warning("LibreOffice: '%s' mislukte (%s); nieuwe poging.", job.src.name, reason)
            pending = failed

    def _run_cli(self, exe: str, jobs: list[_Job]) -> tuple[set[Path], set[Path], str]:
        """One ``soffice --convert-to pdf`` run; returns (done, attempted, failure reason)."""
        state = self._state
        staging = state.new_staging_dir()
        argv = [
            exe,
            f"-env:UserInstallation={state.profile_url()}",
            *_SOFFICE_FLAGS,
            "--convert-to",
            PDFA_CONVERT_TO if self.pdfa else "pdf",
            "--outdir",
            str(staging),
            *(str(j.src) for j in jobs),
        ]
        logger.debug("running %s", argv)
        self.starts += 1
        killed = False
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
            errlog = _StderrLogger(proc.stderr, f"soffice[{proc.pid}]")
            reader = _LineReader(proc.stdout)
            try:
                # soffice prints "convert A -> B using filter : ..." once per document (after
                # loading it), so each line restarts the per-document clock.
                while True:
                    line = reader.readline(self.timeout)
                    if line is None:
                        logger.debug("soffice %d: time-out after %g s", proc.pid, self.timeout)
                        killed = True
                        break
                    if not line:
                        break
                    logger.debug("soffice[%d]: %s", proc.pid, line.decode(errors="replace").strip())
                if not killed:
                    try:
                        proc.wait(timeout=self.timeout)
                    except subprocess.TimeoutExpired:
                        killed = True
            except BaseException:
                killed = True  # interrupted (Ctrl-C): do not leave soffice running
                raise
            finally:
                if killed:
                    _kill_group(proc)
                state.cli_proc = None
                errlog.join()
            code = proc.returncode

            done: set[Path] = set()
            first_problem = ""
            for job in jobs:
                staged = staging / f"{job.src.stem}.pdf"
                problem = _pdf_problem(staged)
                if problem is None:
                    _publish(staged, job.target)
                    done.add(job.src)
                elif not first_problem:
                    first_problem = problem
            not_done = [j.src for j in jobs if j.src not in done]

            if killed:
                reason = f"geen resultaat binnen de time-out van {self.timeout:g} s"
            elif code is not None and code < 0:
                reason = f"LibreOffice is onverwacht gestopt (signaal {-code})"
            elif code:
                reason = f"LibreOffice stopte met exitcode {code}"
            else:
                reason = first_problem
                detail = errlog.last_error()
                if detail:
                    reason += f" ({detail})"
            if killed or code:
                # soffice works in order: the first unfinished document is the culprit; the
                # ones after it may never have been tried.
                attempted = done | set(not_done[:1])
                if killed or (code is not None and code < 0):
                    state.wipe_profile()
            else:
                attempted = {j.src for j in jobs}
            return done, attempted, reason
        finally:
            shutil.rmtree(staging, ignore_errors=True)

    # -- lifecycle ------------------------------------------------------------------------

    def close(self) -> None:
        """Stop LibreOffice (cleanly, killing it if needed) and remove the private folder.

        The converter can be used again afterwards; it then starts a new process.
        """
        self._state.cleanup()

    def __enter__(self) -> SofficeConverter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return (
            f"SofficeConverter(soffice={self.soffice!r}, timeout={self.timeout:g}, "
            f"restart_after={self.restart_after}, mode={self.mode!r})"
        )

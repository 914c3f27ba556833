"""Process handling shared by both ways of driving LibreOffice.

Locating ``soffice`` and a Python that has LibreOffice's ``uno`` module, the command line and the
locked-down private profile every soffice starts with, the child environment, killing a process
group, reading a child's pipes with a time-out, checking and publishing PDFs, and the state one
converter instance keeps (its private folder, its processes).

POSIX only: processes are started in their own session so that a time-out can kill LibreOffice's
whole process tree (``soffice`` script → ``oosplash`` → ``soffice.bin``).
"""

from __future__ import annotations

import collections
import contextlib
import errno
import functools
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
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING
from xml.sax.saxutils import escape, quoteattr

from dossier.errors import ConversionError

if TYPE_CHECKING:
    from dossier.convert.libreoffice.uno_mode import UnoWorker

logger = logging.getLogger(__name__)

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

#: Attempts per document: the first try plus one retry in a fresh process.
MAX_ATTEMPTS = 2

#: Seconds LibreOffice may take to start and accept a UNO connection. Kept apart from the
#: per-document ``timeout`` because the first start also creates the profile (~1-3 s, more on a
#: busy machine) and a short document time-out must not make start-up impossible.
START_TIMEOUT_S = 60.0

#: Seconds to wait for a clean shutdown (close stdin → Desktop.terminate()) before killing.
SHUTDOWN_TIMEOUT_S = 15.0

#: Seconds the UNO worker gives soffice to exit after ``Desktop.terminate()`` before killing it;
#: shorter than :data:`SHUTDOWN_TIMEOUT_S`, so the worker gives up before we kill the worker.
OFFICE_SHUTDOWN_GRACE_S = 10.0

#: Seconds for quick probes (``soffice --version``, ``python3 -c "import uno"``).
PROBE_TIMEOUT_S = 30.0

#: Interpreter variables from our (virtualenv) environment that must not leak into the system
#: Python running the worker: they would point it at the wrong site-packages.
_PYTHON_ENV_VARS = ("PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP", "PYTHONUSERBASE")

#: Options shared by every soffice start (both modes; the UNO worker receives them on its
#: command line). ``--nolockcheck`` skips the check for another instance using the
#: installation; our profile is private anyway.
SOFFICE_FLAGS: tuple[str, ...] = (
    "--headless",
    "--invisible",
    "--nologo",
    "--norestore",
    "--nodefault",
    "--nolockcheck",
)

#: Settings written into every private profile before LibreOffice starts, as
#: ``{configuration path: {property: value}}``. Names and values are those of LibreOffice's
#: officecfg schema (Common.xcs, Writer.xcs, Calc.xcs, Inet.xcs). Documents come from outside:
#: nothing they link to is fetched, no macro runs, no link is refreshed.
PROFILE_SETTINGS: dict[str, dict[str, bool | int | str]] = {
    "/org.openoffice.Office.Common/Security/Scripting": {
        # "Block any links from documents not among the trusted locations": linked images and
        # objects (http://, file://) are not loaded. SecureURL empty: no location is trusted.
        "BlockUntrustedRefererLinks": True,
        "SecureURL": "",
        "MacroSecurityLevel": 3,  # very high: only macros from trusted locations (there are none)
        "DisableMacrosExecution": True,
        # Newer LibreOffice versions (not 7.4) also switch off OLE/DDE and similar content with
        # this; older ones ignore the unknown name.
        "DisableActiveContent": True,
    },
    # Writer.xcs Content/Update/Link: 0 always, 1 on request, 2 never.
    "/org.openoffice.Office.Writer/Content/Update": {"Link": 2},
    # Calc.xcs Content/Update/Link: 0 always, 1 never, 2 on request (spreadsheet attachments).
    "/org.openoffice.Office.Calc/Content/Update": {"Link": 1},
    # VBA code in Word/Excel files is neither loaded nor made executable.
    "/org.openoffice.Office.Writer/Filter/Import/VBA": {"Load": False, "Executable": False},
    "/org.openoffice.Office.Calc/Filter/Import/VBA": {"Load": False, "Executable": False},
    "/org.openoffice.Office.Impress/Filter/Import/VBA": {"Load": False},
    # A last line: should anything still try HTTP(S), it goes to a proxy that is not there
    # (port 9, "discard"), with no exceptions.
    "/org.openoffice.Inet/Settings": {
        "ooInetProxyType": 1,
        "ooInetHTTPProxyName": "127.0.0.1",
        "ooInetHTTPProxyPort": 9,
        "ooInetHTTPSProxyName": "127.0.0.1",
        "ooInetHTTPSProxyPort": 9,
        "ooInetNoProxy": "",
    },
}


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
    return probe_uno_python(candidates)


def probe_uno_python(candidates: tuple[str, ...]) -> str | None:
    """The first of ``candidates`` that can ``import uno`` (cached), or None."""
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
                env=child_env(),
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


def child_env() -> dict[str, str]:
    """Our environment without the interpreter variables of the virtualenv."""
    return {k: v for k, v in os.environ.items() if k not in _PYTHON_ENV_VARS}


# --------------------------------------------------------------------------------------------
# Command line and profile
# --------------------------------------------------------------------------------------------


def soffice_command(exe: str, profile_dir: Path) -> list[str]:
    """The start of every soffice command line: binary, private profile, :data:`SOFFICE_FLAGS`."""
    return [exe, f"-env:UserInstallation={profile_dir.resolve().as_uri()}", *SOFFICE_FLAGS]


def lock_down_profile(profile_dir: Path) -> None:
    """Write :data:`PROFILE_SETTINGS` into the profile, before LibreOffice starts on it.

    Written before every start (a profile is reused after a clean stop and wiped after a kill),
    so LibreOffice never runs on a profile without them.
    """
    items = []
    for path, props in PROFILE_SETTINGS.items():
        for name, value in props.items():
            text = ("true" if value else "false") if isinstance(value, bool) else str(value)
            items.append(
                f'<item oor:path={quoteattr(path)}><prop oor:name={quoteattr(name)} oor:op="fuse">'
                f"<value>{escape(text)}</value></prop></item>"
            )
    xcu = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<oor:items xmlns:oor="http://openoffice.org/2001/registry" '
        'xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">\n'
        + "\n".join(items)
        + "\n</oor:items>\n"
    )
    user = profile_dir / "user"
    user.mkdir(parents=True, exist_ok=True)
    (user / "registrymodifications.xcu").write_text(xcu, encoding="utf-8")


# --------------------------------------------------------------------------------------------
# Small process helpers
# --------------------------------------------------------------------------------------------


class AttemptFailed(Exception):
    """One conversion attempt failed; ``fatal`` means the process must be replaced."""

    def __init__(self, reason: str, *, fatal: bool) -> None:
        super().__init__(reason)
        self.reason = reason
        self.fatal = fatal


class LineReader:
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


class StderrLogger:
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


def kill_group(proc: subprocess.Popen[bytes]) -> None:
    """SIGKILL the process group led by ``proc`` (started with ``start_new_session``), reap it."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)
    try:
        proc.wait(timeout=SHUTDOWN_TIMEOUT_S)
    except subprocess.TimeoutExpired:  # pragma: no cover - SIGKILL does not get ignored
        logger.debug("process %d did not die after SIGKILL", proc.pid)


def pdf_problem(path: Path) -> str | None:
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


def publish(staged: Path, target: Path) -> None:
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


@dataclass(frozen=True)
class Job:
    """One document to convert.

    Attributes:
        src: the caller's document (named in messages; never opened by LibreOffice).
        target: where its PDF goes.
        doc: the checked copy in the instance's staging folder that LibreOffice converts.
    """

    src: Path
    target: Path
    doc: Path


def conversion_error(job: Job, reason: str) -> ConversionError:
    """The error for a document that failed :data:`MAX_ATTEMPTS` times."""
    return ConversionError(
        f"LibreOffice kon '{job.src.name}' niet omzetten naar PDF: {reason} (na {MAX_ATTEMPTS} pogingen)."
    )


def batched(items: Sequence[Job], size: int) -> Iterator[list[Job]]:
    """``items`` in consecutive lists of at most ``size``."""
    for start in range(0, len(items), size):
        yield list(items[start : start + size])


# --------------------------------------------------------------------------------------------
# Instance state (kept apart from the converter so weakref.finalize can clean it up)
# --------------------------------------------------------------------------------------------


#: ``--convert-to`` argument for PDF/A-2b (LibreOffice 7.4+ reads JSON filter options).
PDFA_CONVERT_TO = 'pdf:writer_pdf_Export:{"SelectPdfVersion":{"type":"long","value":"2"}}'


@dataclass
class State:
    """The private folder and the processes of one converter instance."""

    work_dir: Path | None
    #: Export PDF/A-2b instead of plain PDF (both modes).
    pdfa: bool = False
    root: Path | None = None
    worker: UnoWorker | None = None
    #: The successor, started while ``worker`` does its last conversions before recycling.
    spare: UnoWorker | None = None
    retiring: list[threading.Thread] = field(default_factory=list)
    cli_proc: subprocess.Popen[bytes] | None = None
    #: LibreOffice processes started so far (for tests and metrics).
    starts: int = 0
    staging_seq: int = 0
    generation: int = 0
    lock: threading.RLock = field(default_factory=threading.RLock)

    def root_dir(self) -> Path:
        """The instance's private folder (created on first use)."""
        if self.root is None:
            parent = self.work_dir
            if parent is not None:
                parent.mkdir(parents=True, exist_ok=True)
            self.root = Path(tempfile.mkdtemp(prefix="dossier-lo-", dir=parent)).resolve()
        return self.root

    def profile_dir(self) -> Path:
        """The first LibreOffice profile folder."""
        return self.root_dir() / "profile"

    def free_profile_dir(self) -> Path:
        """A profile folder no running LibreOffice of this instance uses (there are two)."""
        used = {w.profile_dir for w in (self.worker, self.spare) if w is not None}
        first = self.profile_dir()
        return first if first not in used else self.root_dir() / "profile-2"

    def wipe_profile(self, profile: Path | None = None) -> None:
        """Remove a profile; after a kill it may hold half-written files."""
        if self.root is not None:
            shutil.rmtree(profile or self.root / "profile", ignore_errors=True)

    def retire(self, worker: UnoWorker) -> None:
        """Stop a recycled worker in the background; its successor is already converting."""
        thread = threading.Thread(target=worker.stop, name="soffice-retire", daemon=True)
        thread.start()
        self.retiring.append(thread)

    def join_retiring(self) -> None:
        """Wait until every retired worker has stopped."""
        for thread in self.retiring:
            thread.join()
        self.retiring.clear()

    def new_staging_dir(self, prefix: str = "staging") -> Path:
        """A fresh, empty folder inside the private folder."""
        self.staging_seq += 1
        path = self.root_dir() / f"{prefix}-{self.staging_seq}"
        path.mkdir()
        return path

    def stop_worker(self, *, kill: bool) -> None:
        """Stop the current UNO worker (kill: at once, and wipe its profile)."""
        worker, self.worker = self.worker, None
        if worker is None:
            return
        if kill:
            worker.kill()
            self.wipe_profile(worker.profile_dir)
        else:
            worker.stop()

    def cleanup(self) -> None:
        """Stop every process and remove the private folder."""
        with self.lock:
            self.generation += 1
            self.stop_worker(kill=False)
            spare, self.spare = self.spare, None
            if spare is not None:
                spare.stop()
            self.join_retiring()
            if self.cli_proc is not None:
                kill_group(self.cli_proc)
                self.cli_proc = None
            if self.root is not None:
                shutil.rmtree(self.root, ignore_errors=True)
                self.root = None

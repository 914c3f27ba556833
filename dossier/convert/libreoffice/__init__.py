"""DOCX→PDF with LibreOffice running headless.

Two ways to drive LibreOffice, chosen by ``mode``:

``uno``
    A persistent worker (:mod:`dossier.convert.uno_worker`, run under the system Python that has
    the ``uno`` module) starts ONE soffice and converts document after document over a UNO
    named pipe. The office stays warm for the whole converter instance
    (:mod:`~dossier.convert.libreoffice.uno_mode`).
``cli``
    One ``soffice --headless --convert-to pdf --outdir DIR file1 file2 ...`` call per batch.
    Needs nothing but soffice (:mod:`~dossier.convert.libreoffice.cli_mode`).
``auto`` (default)
    ``uno`` when a Python with ``uno`` is found, otherwise ``cli``.

Either way every converter instance has its own temporary LibreOffice profile, so several
instances can run in parallel (LibreOffice locks its profile; two processes on one profile fail
silently, see the prior-art notes), and that profile is locked down before every start: no
linked content is loaded, no link is updated, no macro runs
(:data:`~dossier.convert.libreoffice.process.PROFILE_SETTINGS`). LibreOffice never opens the
caller's file: each document is first copied into the instance's private folder by
:func:`dossier.convert.sanitise.sanitise_document`, which removes external links, include fields
and macros and refuses zip bombs. Each document gets ``timeout`` seconds and one retry in a
fresh process after a time-out or crash. Output is written to a private staging folder, checked
(non-empty, ``%PDF`` header, ``%%EOF`` trailer) and only then moved to ``out_dir/<stem>.pdf``, so a
failure never leaves a partial PDF behind.

Process handling (probes, profile, pipes, PDF checks) lives in
:mod:`~dossier.convert.libreoffice.process`.
"""

from __future__ import annotations

import functools
import logging
import shutil
import subprocess
import threading
import weakref
from pathlib import Path
from typing import Literal

from dossier.convert import output_paths
from dossier.convert.libreoffice.cli_mode import convert_cli
from dossier.convert.libreoffice.process import (
    INSTALL_HINT,
    PROBE_TIMEOUT_S,
    UNO_HINT,
    AttemptFailed,
    Job,
    State,
    batched,
    find_soffice,
    find_uno_python,
)
from dossier.convert.libreoffice.uno_mode import (
    WORKER_SCRIPT,
    convert_uno,
    convert_uno_joined,
    spawn_worker,
    stage_job,
)
from dossier.errors import DossierError, MissingDependencyError

__all__ = [
    "INSTALL_HINT",
    "MODES",
    "UNO_HINT",
    "WORKER_SCRIPT",
    "Mode",
    "SofficeConverter",
    "find_soffice",
    "find_uno_python",
]

logger = logging.getLogger(__name__)

Mode = Literal["auto", "uno", "cli"]
MODES: tuple[str, ...] = ("auto", "uno", "cli")


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
        join: bool = False,
        join_size: int = 6,
        slim: bool = True,
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
            join: (uno mode) convert the DOCX files of one template set in one LibreOffice load,
                at most ``join_size`` at a time, and split the PDF back (:mod:`dossier.convert.join`).
                Off here; ``Settings.samenvoegen`` (off by default) decides for the CLI and the API.
            join_size: most documents per joined load.
            slim: leave the styles nothing refers to out of the copy LibreOffice converts
                (:mod:`dossier.convert.slim`; same pages, about 40 % less LibreOffice time).

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
        self._version: str | None = None
        self._resolved: tuple[str, str | None] | None = None
        self.pdfa = pdfa
        self.join = join
        self.join_size = max(2, int(join_size))
        self.slim = slim
        self._state = State(Path(work_dir) if work_dir is not None else None, pdfa=pdfa)
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
            argv = [exe, f"-env:UserInstallation={self._state.profile_dir().as_uri()}", "--version"]
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
    def starts(self) -> int:
        """How many LibreOffice processes this instance has started (for tests/metrics)."""
        return self._state.starts

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
        partial PDF remains for the failed document. LibreOffice converts a checked copy of
        each source (see :func:`dossier.convert.sanitise.sanitise_document`), slimmed
        (:mod:`dossier.convert.slim`); the sources are never modified. A refused document
        stops the conversion there: the PDFs of the documents before it may already be written.

        Args:
            sources: documents to convert (DOCX, ODT, ...). Stems must be unique.
            out_dir: folder for the PDFs; created when missing.

        Returns:
            The PDF paths, in the order of ``sources``.

        Raises:
            ConversionError: a document is missing, refused (e.g. a zip bomb) or could not be
                converted after one retry.
            MissingDependencyError: soffice (or, for mode="uno", the ``uno`` module) is missing.
        """
        with self._state.lock:
            srcs = [Path(s) for s in sources]
            if not srcs:
                return []
            exe = self._require_soffice()
            targets = output_paths(srcs, Path(out_dir))
            mode, python = self._resolve_mode()
            for target in targets:
                target.unlink(missing_ok=True)
            inputs = self._state.new_staging_dir("in")
            try:
                # PDF/A parts would need their own XMP identification: PDF/A is converted apart.
                joining = mode == "uno" and self.join and not self.pdfa and len(srcs) > 1
                jobs = [Job(src.resolve(), target, inputs / src.name)
                        for src, target in zip(srcs, targets, strict=True)]
                # Joined documents are slimmed once joined (slimmed apart, their styles would differ).
                stage = functools.partial(stage_job, slim=self.slim and not joining)
                if mode == "uno" and not joining:
                    assert python is not None
                    # Each copy is made just before its request goes out, while LibreOffice converts
                    # the documents before it.
                    convert_uno(self._state, python, exe, jobs, timeout=self.timeout,
                                restart_after=self.restart_after, stage=stage)
                    return targets
                for job in jobs:
                    stage(job)
                if mode == "uno":
                    assert python is not None
                    convert_uno_joined(self._state, python, exe, jobs, timeout=self.timeout,
                                       restart_after=self.restart_after, group_size=self.join_size,
                                       slim=self.slim)
                else:
                    for chunk in batched(jobs, self.restart_after):
                        convert_cli(self._state, exe, chunk, timeout=self.timeout)
            finally:
                shutil.rmtree(inputs, ignore_errors=True)
            return targets

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

    # -- background start -----------------------------------------------------------------

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
                    spawn_worker(self._state, python, exe, self.restart_after)
        except (DossierError, AttemptFailed) as exc:
            logger.debug("background start failed: %s", exc)

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

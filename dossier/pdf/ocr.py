"""OCR of scanned attachments with ocrmypdf (tesseract, Dutch), so a scan becomes searchable.

Optional: ``pip install 'dossier[ocr]'`` plus the Debian packages ``tesseract-ocr``,
``tesseract-ocr-nld`` and ``ghostscript`` (the Makefile installs them). ocrmypdf runs as a child
process (``python -m ocrmypdf``): it gets its own environment with ``OMP_THREAD_LIMIT=1`` (tesseract
otherwise starts a thread per core for every page and one page took 93 s instead of 3 s on two
cores), one job, no optimisation, and a time limit; its output is written to a new file only.
"""

from __future__ import annotations

import importlib.util
import logging
import os
import shutil
import subprocess
import sys
from pathlib import Path

from dossier.errors import AssemblyError, MissingDependencyError
from dossier.privacy import scrub

log = logging.getLogger(__name__)

#: Tesseract language: Dutch.
LANGUAGE = "nld"

#: Seconds ocrmypdf may take: a fixed start-up allowance plus this much per page.
START_SECONDS = 60.0
SECONDS_PER_PAGE = 60.0

#: What to install, in Dutch, per missing piece.
_HINTS = {
    "ocrmypdf": "het Python-pakket ocrmypdf (pip install 'dossier[ocr]')",
    "tesseract": "tesseract (apt-get install tesseract-ocr)",
    "nld": "de Nederlandse taaldata van tesseract (apt-get install tesseract-ocr-nld)",
}


def missing() -> list[str]:
    """What OCR needs and is not installed (empty: OCR can run)."""
    gaps = []
    if importlib.util.find_spec("ocrmypdf") is None:
        gaps.append("ocrmypdf")
    tesseract = shutil.which("tesseract")
    if tesseract is None:
        gaps.append("tesseract")
    elif LANGUAGE not in _tesseract_languages(tesseract):
        gaps.append("nld")
    return gaps


def require() -> None:
    """Raise :class:`MissingDependencyError` (Dutch, saying what to install) when OCR cannot run."""
    gaps = missing()
    if gaps:
        raise MissingDependencyError(
            "OCR (--ocr) is gevraagd, maar niet alles is geïnstalleerd; installeer "
            + " en ".join(_HINTS[g] for g in gaps) + ", of bouw zonder --ocr."
        )


def _tesseract_languages(tesseract: str) -> set[str]:
    try:
        proc = subprocess.run([tesseract, "--list-langs"], capture_output=True, text=True, timeout=30,
                              check=False, stdin=subprocess.DEVNULL)
    except (OSError, subprocess.TimeoutExpired):
        return set()
    return {line.strip() for line in (proc.stdout + proc.stderr).splitlines()[1:] if line.strip()}


def ocr_pdf(src: Path, dst: Path, *, pdfa: bool = False, pages: int = 1, name: str = "") -> None:
    """Write ``src`` (a scan: no page has text) with a Dutch text layer to ``dst``.

    Args:
        src: an image-only (scanned) PDF.
        dst: where to write the result; must differ from ``src``.
        pdfa: produce PDF/A-2b (``--output-type pdfa-2``) instead of a plain PDF.
        pages: page count, for the time limit.
        name: the attachment's display name for messages.

    Raises:
        MissingDependencyError: ocrmypdf, tesseract or its Dutch data is not installed.
        AssemblyError: ocrmypdf failed or ran out of time (the caller may go on without OCR).
    """
    require()
    # Only image-only files come here, so no --skip-text: with it, ocrmypdf refuses Debian 12's
    # Ghostscript 10.0.0 (a regression with existing text); PDF/A is made by ocrmypdf's own
    # pikepdf back end, which passes the scan's JPEGs through unchanged.
    output = ["--output-type", "pdfa-2", "--pdfa-backend", "internal"] if pdfa else ["--output-type", "pdf"]
    argv = [sys.executable, "-m", "ocrmypdf", "-l", LANGUAGE, *output, "--jobs", "1", "--optimize", "0", "--quiet",
            str(src), str(dst)]
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    timeout = START_SECONDS + SECONDS_PER_PAGE * max(1, pages)
    label = scrub(name or Path(src).name)
    try:
        proc = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=timeout,
                              stdin=subprocess.DEVNULL, check=False)
    except subprocess.TimeoutExpired as exc:
        Path(dst).unlink(missing_ok=True)
        raise AssemblyError(f"OCR van {label} duurde langer dan {timeout:.0f} s en is afgebroken.") from exc
    except OSError as exc:
        raise AssemblyError(f"OCR van {label} kon niet starten: {exc.strerror or exc}.") from exc
    if proc.returncode != 0 or not Path(dst).is_file():
        Path(dst).unlink(missing_ok=True)
        last = next((line for line in reversed(proc.stderr.splitlines()) if line.strip()), "")
        log.debug("ocrmypdf %s: exit %d: %s", label, proc.returncode, scrub(proc.stderr))
        raise AssemblyError(f"OCR van {label} mislukte (ocrmypdf, exitcode {proc.returncode}): {scrub(last)}")

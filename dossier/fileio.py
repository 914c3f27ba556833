"""Safe file output: write to a temporary file in the same folder, then rename.

A failed or interrupted write never leaves a half-written file behind. Files are created readable
by the owner only (0600; folders 0700): they hold personal data of an employee.
"""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from dossier.errors import AssemblyError

FILE_MODE = 0o600
DIR_MODE = 0o700


def ensure_dir(path: Path) -> Path:
    """Create a folder (and parents) readable by the owner only; return it."""
    path.mkdir(parents=True, exist_ok=True, mode=DIR_MODE)
    return path


@contextlib.contextmanager
def atomic_path(target: Path) -> Iterator[Path]:
    """Yield a temporary path next to ``target``; on success it replaces ``target`` atomically."""
    target = Path(target)
    ensure_dir(target.parent)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        os.chmod(tmp_path, FILE_MODE)
        os.replace(tmp_path, target)
    except BaseException:
        tmp_path.unlink(missing_ok=True)
        raise


def atomic_write_bytes(target: Path, data: bytes, *, sync: bool = True) -> Path:
    """Write ``data`` to ``target`` atomically with owner-only permissions (``sync=False``: without
    waiting for the disk, for files in a private work folder)."""
    with atomic_path(target) as tmp, tmp.open("wb") as handle:
        handle.write(data)
        if sync:
            handle.flush()
            os.fsync(handle.fileno())
    return target


@contextlib.contextmanager
def output_errors(target: Path) -> Iterator[None]:
    """Turn a failed write (disk full, read-only, no permission) into an :class:`AssemblyError`
    (exit 6) with a Dutch message naming the path."""
    try:
        yield
    except OSError as e:
        raise write_error(e, target) from e


_REASONS = {errno.ENOSPC: "de schijf is vol", errno.EDQUOT: "het schijfquotum is op",
            errno.EROFS: "het bestandssysteem is alleen-lezen", errno.EACCES: "geen schrijfrechten",
            errno.EPERM: "geen schrijfrechten"}


def write_error(e: OSError, target: Path) -> AssemblyError:
    """The Dutch :class:`AssemblyError` (exit 6) for a write that failed, naming the path."""
    where = e.filename or target
    reason = _REASONS.get(e.errno or 0, e.strerror or type(e).__name__)
    return AssemblyError(f"kan niet schrijven naar '{where}': {reason} (er is geen half bestand achtergelaten)")

"""SIGTERM and SIGHUP behave like Ctrl-C.

systemd, Docker, CI runners and ``kill`` send SIGTERM; a closed terminal sends SIGHUP. By default
either kills the process on the spot: no report, half-built folders, orphaned workers and
LibreOffice. :func:`stop_on_signals` turns them into :class:`~dossier.errors.Stopped` (a
``KeyboardInterrupt``) in the main thread, so the one clean-up path that Ctrl-C already takes runs
for them too. Only the first signal raises: a second one during the clean-up is ignored, so the
clean-up itself is not cut short.
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
from collections.abc import Iterator
from types import FrameType

from dossier.errors import Stopped

#: The signals that stop a run like Ctrl-C does.
STOP_SIGNALS = (signal.SIGTERM, signal.SIGHUP)


@contextlib.contextmanager
def stop_on_signals() -> Iterator[None]:
    """While active, SIGTERM/SIGHUP raise :class:`Stopped` in the main thread (once).

    Does nothing outside the main thread (Python delivers signals only there). The previous
    handlers come back on exit.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    fired = False

    def handler(signum: int, _frame: FrameType | None) -> None:
        nonlocal fired
        if fired:
            return
        fired = True
        raise Stopped(signum)

    previous = {sig: signal.signal(sig, handler) for sig in STOP_SIGNALS}
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


def worker_signals() -> None:
    """In a pool worker: leave Ctrl-C, SIGTERM and SIGHUP to the parent, which stops the pool in order
    (each worker finishes or drops its case, then closes its LibreOffice). A worker whose parent is
    gone has nobody to stop it, so it exits on SIGTERM/SIGHUP after all."""
    parent = os.getppid()

    def handler(signum: int, _frame: FrameType | None) -> None:
        if os.getppid() != parent:
            raise SystemExit(128 + signum)

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    for sig in STOP_SIGNALS:
        signal.signal(sig, handler)

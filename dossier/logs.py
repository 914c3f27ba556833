"""Logging set-up: one stderr handler on the ``dossier`` logger, installed by the CLI only."""

from __future__ import annotations

import logging

from dossier.privacy import scrub


class _BsnScrubbingFilter(logging.Filter):
    """Mask BSN-like numbers in every record before it is written anywhere."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = scrub(record.getMessage())
        record.args = None
        return True


def configure_logging(verbosity: int = 0) -> logging.Logger:
    """Install the stderr handler. verbosity: -1 quiet, 0 normal, 1 verbose, 2 debug."""
    level = {-1: logging.ERROR, 0: logging.WARNING, 1: logging.INFO}.get(verbosity, logging.DEBUG)
    logger = logging.getLogger("dossier")
    for handler in list(logger.handlers):
        logger.removeHandler(handler)
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(message)s"))
    handler.addFilter(_BsnScrubbingFilter())
    logger.addHandler(handler)
    logger.setLevel(level)
    logger.propagate = False
    return logger

"""Privacy helpers: the BSN never reaches a log line, error message, report or file name."""

from __future__ import annotations

import re

_NINE_DIGITS = re.compile(r"(?<!\d)(\d{9})(?!\d)")
_DOTTED_BSN = re.compile(r"(?<!\d)(\d{4})[.\s-](\d{2})[.\s-](\d{3})(?!\d)")


def mask_bsn(value: str) -> str:
    """Mask a BSN, keeping the last four digits: ``123456782`` → ``*****6782``."""
    digits = re.sub(r"\D", "", value)
    if len(digits) < 4:
        return "*" * len(digits)
    return "*" * (len(digits) - 4) + digits[-4:]


def scrub(text: str) -> str:
    """Mask every BSN-like nine-digit number in free text (log lines, messages, reports)."""
    text = _DOTTED_BSN.sub(lambda m: mask_bsn("".join(m.groups())), text)
    return _NINE_DIGITS.sub(lambda m: mask_bsn(m.group(1)), text)

"""The shape every reader produces: one raw case with where it came from."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Record:
    """One raw case as read from a file, before validation.

    Attributes:
        source: the file it came from.
        location: where in the file, for messages: "regel 7" (CSV/XLSX) or "casus 2" (JSON list).
        data: nested dict with the case-file keys (dotted CSV headers already unfolded).
        origin: maps a dotted field path ("ziekteperiodes.0.eerste_ziektedag") to the column header
            the user wrote, so messages name the column they know.
        unknown: column headers or keys that are not part of the case model.
    """

    source: Path
    location: str
    data: dict[str, Any]
    origin: dict[str, str] = field(default_factory=dict)
    unknown: tuple[str, ...] = ()

    @property
    def base_dir(self) -> Path:
        """Folder that attachment paths (``bijlagen[].bestand``) are relative to."""
        return self.source.parent

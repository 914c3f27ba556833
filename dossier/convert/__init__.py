"""DOCX→PDF converters behind one small interface.

``SofficeConverter`` (LibreOffice headless) is the real one; ``FakeConverter`` writes a
placeholder PDF for fast unit tests and dry runs.
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol, runtime_checkable


@runtime_checkable
class Converter(Protocol):
    """Turns office documents into PDFs. Use as a context manager: the process is reused."""

    name: str

    def available(self) -> bool:
        """True when the converter can run on this machine."""
        ...

    def version(self) -> str:
        """Human-readable version of the engine."""
        ...

    def start(self) -> None:
        """Start the engine in the background (so it is warm by the first conversion); optional."""
        ...

    def to_pdf(self, sources: list[Path], out_dir: Path) -> list[Path]:
        """Convert every source into ``out_dir/<stem>.pdf``; return the PDFs in source order.

        Raises:
            ConversionError: a document could not be converted (after one retry).
            MissingDependencyError: the engine is not installed.
        """
        ...

    def close(self) -> None:
        """Stop any background process."""
        ...

    def __enter__(self) -> Converter: ...

    def __exit__(self, *exc: object) -> None: ...

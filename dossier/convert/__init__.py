"""DOCX→PDF converters behind one small interface.

``SofficeConverter`` (LibreOffice headless) is the real one; ``FakeConverter`` writes a
placeholder PDF for fast unit tests.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from dossier.errors import ConversionError

if TYPE_CHECKING:
    from dossier.settings import Settings


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


def make_converter(settings: Settings) -> Converter:
    """The converter the settings ask for (LibreOffice, or the fake one for tests)."""
    if settings.converter == "fake":
        from dossier.convert.fake import FakeConverter

        return FakeConverter()
    from dossier.convert.libreoffice import SofficeConverter

    return SofficeConverter(soffice=settings.soffice, timeout=settings.timeout, pdfa=settings.pdfa,
                            join=settings.samenvoegen)


def output_paths(sources: Sequence[Path], out_dir: Path) -> list[Path]:
    """The PDF each source becomes (``out_dir/<stem>.pdf``), after checking the sources.

    The input checks every converter makes before converting anything; ``out_dir`` is created.

    Raises:
        ConversionError: a source does not exist, or two sources would become the same PDF.
    """
    seen: dict[str, Path] = {}
    for src in map(Path, sources):
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
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    return [out_dir / f"{stem}.pdf" for stem in seen]

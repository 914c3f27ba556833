"""A converter that needs no LibreOffice: placeholder PDFs for unit tests."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from fpdf import FPDF

from dossier.convert import output_paths
from dossier.errors import ConversionError


class FakeConverter:
    """Writes a small valid PDF per source containing the source's stem as text.

    Same interface as :class:`dossier.convert.libreoffice.SofficeConverter`, so the pipeline can
    run without LibreOffice (``Settings(converter="fake")``) and tests stay fast. ``fail_on`` makes it behave
    like a crashing engine for fault tests.

    Attributes:
        name: engine name ("fake").
        pages: pages per generated PDF.
        fail_on: source stems for which :meth:`to_pdf` raises :class:`ConversionError`.
        converted: every source converted so far, in order (for assertions).
        closed: True after :meth:`close`.
    """

    name = "fake"

    def __init__(self, pages: int = 1, *, fail_on: Iterable[str] = ()) -> None:
        """Create a fake converter.

        Args:
            pages: number of pages in each generated PDF (at least 1).
            fail_on: stems (file names without extension) that fail like a broken document.
        """
        if pages < 1:
            raise ValueError("pages must be at least 1")
        self.pages = pages
        self.fail_on = frozenset(fail_on)
        self.converted: list[Path] = []
        self.closed = False

    def available(self) -> bool:
        """Always True: the fake needs nothing installed."""
        return True

    def version(self) -> str:
        """A fixed version string."""
        return "FakeConverter 1.0"

    def start(self) -> None:
        """Nothing to start (mirrors :meth:`SofficeConverter.start`)."""

    def to_pdf(self, sources: list[Path], out_dir: Path) -> list[Path]:
        """Write ``out_dir/<stem>.pdf`` for every source; return them in source order.

        Args:
            sources: documents to "convert"; they must exist.
            out_dir: folder for the PDFs; created when missing.

        Returns:
            The PDF paths, in the order of ``sources``.

        Raises:
            ConversionError: a source is missing or two sources share a stem (checked before
                anything is written, as by the real converter), or the stem is in ``fail_on``.
        """
        srcs = [Path(s) for s in sources]
        targets = output_paths(srcs, Path(out_dir))
        results = []
        for src, target in zip(srcs, targets, strict=True):
            target.unlink(missing_ok=True)
            if src.stem in self.fail_on:
                raise ConversionError(
                    f"LibreOffice kon '{src.name}' niet omzetten naar PDF: gesimuleerde fout (FakeConverter)."
                )
            _write_placeholder(target, src.stem, self.pages)
            self.converted.append(src)
            results.append(target)
        return results

    def close(self) -> None:
        """Nothing to stop; only records that it was called."""
        self.closed = True

    def __enter__(self) -> FakeConverter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _write_placeholder(target: Path, text: str, pages: int) -> None:
    pdf = FPDF(format="A4")
    pdf.set_title(text)
    pdf.set_creator("dossier FakeConverter")
    pdf.set_font("Helvetica", size=14)
    # The core PDF fonts only cover Latin-1; anything else becomes "?".
    safe = text.encode("latin-1", errors="replace").decode("latin-1")
    for page in range(1, pages + 1):
        pdf.add_page()
        pdf.cell(text=safe)
        pdf.ln(10)
        pdf.cell(text=f"Pagina {page} van {pages}")
    pdf.output(str(target))

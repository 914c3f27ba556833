"""FakeConverter: placeholder PDFs with the same interface as the real converter."""

from __future__ import annotations

from pathlib import Path

import pytest
from pypdf import PdfReader

from dossier.convert import Converter
from dossier.convert.fake import FakeConverter
from dossier.errors import ConversionError, ExitCode


@pytest.fixture
def sources(tmp_path: Path) -> list[Path]:
    """Three dummy source files (the fake never reads their content)."""
    src = tmp_path / "src"
    src.mkdir()
    paths = []
    for stem in ("voorblad", "plan_van_aanpak", "probleemanalyse"):
        path = src / f"{stem}.docx"
        path.write_bytes(b"not really a docx")
        paths.append(path)
    return paths


def test_fake_implements_converter_protocol() -> None:
    conv = FakeConverter()
    assert isinstance(conv, Converter)
    assert conv.available() is True
    assert conv.version()
    assert conv.name == "fake"


def test_fake_writes_one_valid_pdf_per_source_in_order(sources: list[Path], tmp_path: Path) -> None:
    out = tmp_path / "out" / "pdf"  # created on demand

    with FakeConverter(pages=3) as conv:
        pdfs = conv.to_pdf(sources, out)

    assert pdfs == [out / f"{s.stem}.pdf" for s in sources]
    for src, pdf in zip(sources, pdfs, strict=True):
        assert pdf.read_bytes().startswith(b"%PDF")
        reader = PdfReader(pdf)
        assert len(reader.pages) == 3
        assert src.stem in reader.pages[0].extract_text()
    assert conv.converted == sources
    assert conv.closed


def test_fake_replaces_non_latin1_characters_instead_of_failing(tmp_path: Path) -> None:
    src = tmp_path / "brief_€_Öztürk.docx"
    src.write_bytes(b"x")

    (pdf,) = FakeConverter().to_pdf([src], tmp_path / "out")

    assert "Öztürk" in PdfReader(pdf).pages[0].extract_text()


def test_fake_missing_source_raises_conversion_error(tmp_path: Path) -> None:
    with pytest.raises(ConversionError, match=r"ontbreekt\.docx") as info:
        FakeConverter().to_pdf([tmp_path / "ontbreekt.docx"], tmp_path / "out")
    assert info.value.exit_code == ExitCode.conversion_failed


def test_fake_fail_on_simulates_a_broken_document(sources: list[Path], tmp_path: Path) -> None:
    out = tmp_path / "out"
    conv = FakeConverter(fail_on={"plan_van_aanpak"})

    with pytest.raises(ConversionError, match=r"'plan_van_aanpak\.docx' niet omzetten naar PDF"):
        conv.to_pdf(sources, out)

    assert not (out / "plan_van_aanpak.pdf").exists()


def test_fake_rejects_duplicate_stems(tmp_path: Path) -> None:
    a = tmp_path / "a" / "brief.docx"
    b = tmp_path / "b" / "brief.docx"
    for path in (a, b):
        path.parent.mkdir()
        path.write_bytes(b"x")

    with pytest.raises(ConversionError, match=r"brief\.pdf"):
        FakeConverter().to_pdf([a, b], tmp_path / "out")


def test_fake_empty_batch_returns_empty_list(tmp_path: Path) -> None:
    assert FakeConverter().to_pdf([], tmp_path / "out") == []


def test_fake_rejects_zero_pages() -> None:
    with pytest.raises(ValueError):
        FakeConverter(pages=0)

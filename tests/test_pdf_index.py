"""Tests for dossier.pdf.index: the inhoudsopgave drawn with fpdf2, and font lookup."""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import replace
from datetime import date, datetime
from io import BytesIO
from pathlib import Path

import pytest
from pypdf import PdfReader

from dossier.errors import AssemblyError
from dossier.pdf import index as index_module
from dossier.pdf.index import PAGE_H, PAGE_W, find_fonts, render_index
from dossier.pdf.plan import DossierMeta, Part, index_rows, plan_dossier

META = DossierMeta(
    title="Re-integratiedossier",
    subject="Re-integratieverslag WIA — S. Kuipers",
    author="Bakkerij Van Dijk & Zonen B.V.",
    stamp_left="VZ-2025-0142 · S. Kuipers",
    created=datetime(2026, 9, 20, 10, 0),
)


def rows_for(count: int, index_pages: int = 1) -> list:
    parts = [
        Part(f"d{n}", f"Verslag gesprek {n} met een titel van gemiddelde lengte", f"Periode {n // 8}",
             Path("x.pdf"), date(2025, 1, 1 + n % 28), "J. de Boer (casemanager)")
        for n in range(count)
    ]
    plan = plan_dossier(None, 0, parts, [1 + n % 4 for n in range(count)], index_pages)
    return index_rows(plan)


def test_one_page_index_with_a_link_per_row() -> None:
    rows = rows_for(6)
    rendered = render_index(rows, META)
    assert rendered.page_count == 1
    assert len(rendered.links) == len(rows)
    for link, row in zip(rendered.links, rows, strict=True):
        x0, y0, x1, y1 = link.rect
        assert 0 < x0 < x1 < PAGE_W and 0 < y0 < y1 < PAGE_H
        assert link.target_page == row.target_page
        assert link.label == row.title
    # rows go down the page without overlapping
    tops = [link.rect[3] for link in rendered.links]
    bottoms = [link.rect[1] for link in rendered.links]
    assert tops == sorted(tops, reverse=True)
    assert all(b >= next_top - 0.01 for b, next_top in zip(bottoms, tops[1:], strict=False))


def test_long_index_spills_over_and_layout_ignores_the_numbers() -> None:
    rows = rows_for(80)
    first = render_index(rows, META)
    assert first.page_count >= 2
    assert {link.page for link in first.links} == set(range(first.page_count))
    # a group that continues on the next page repeats its heading there, linking to the group
    repeated = [link for link in first.links if link.label.endswith("(vervolg)")]
    assert repeated and all(link.rect[3] > PAGE_H - 140 for link in repeated)  # top of a page
    headings = {r.title: r.target_page for r in rows if r.kind == "group"}
    for link in repeated:
        assert link.target_page == headings[link.label.removesuffix(" (vervolg)")]
    # different page numbers (a second planning pass) give the same pages and rectangles
    shifted = [replace(r, pages=f"{r.target_page + 100}–{r.target_page + 999}") for r in rows]
    second = render_index(shifted, META)
    assert second.page_count == first.page_count
    assert [link.rect for link in second.links] == [link.rect for link in first.links]


def test_rows_stay_above_the_stamp_area() -> None:
    rendered = render_index(rows_for(80), META)
    assert min(link.rect[1] for link in rendered.links) > 60  # ≥ 21 mm above the bottom edge


def test_index_pdf_is_deterministic_and_a4() -> None:
    rows = rows_for(10)
    a, b = render_index(rows, META), render_index(rows, META)
    assert a.pdf == b.pdf
    page = PdfReader(BytesIO(a.pdf)).pages[0]
    assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (595, 842)


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs pdftotext")
def test_index_text_has_dutch_dates_ranges_and_diacritics(tmp_path: Path) -> None:
    parts = [
        Part("a", "Overeenkomst € 1.250,– coördinatie", "Financiën", Path("a.pdf"), date(2025, 2, 3),
             "M. Özdemir (werkgever)"),
        Part("b", "Eén pagina", "Financiën", Path("b.pdf"), date(2025, 3, 14)),
    ]
    plan = plan_dossier(None, 0, parts, [4, 1], 1)
    meta = replace(META, index_intro="Toelichting bij de inhoudsopgave.")
    pdf = tmp_path / "index.pdf"
    pdf.write_bytes(render_index(index_rows(plan), meta).pdf)
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    for expected in ("Inhoudsopgave", "Re-integratieverslag WIA — S. Kuipers",
                     "Toelichting bij de inhoudsopgave.", "Financiën", "€ 1.250,– coördinatie",
                     "3 februari 2025", "14 maart 2025", "2–5", "M. Özdemir (werkgever)"):
        assert expected in text, expected
    assert text.rstrip().endswith("6")


def test_missing_fonts_raise_a_dutch_assembly_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(index_module, "FONT_DIRS", ())
    find_fonts.cache_clear()
    try:
        with pytest.raises(AssemblyError, match="Geen bruikbaar lettertype"):
            find_fonts()
    finally:
        find_fonts.cache_clear()


def test_fonts_prefer_carlito_when_installed() -> None:
    fonts = find_fonts()
    assert fonts.regular.exists() and fonts.bold.exists()
    if Path("/usr/share/fonts/truetype/crosextra/Carlito-Regular.ttf").exists():
        assert fonts.name == "Carlito"


def test_fonts_fall_back_in_order(monkeypatch: pytest.MonkeyPatch) -> None:
    candidates = (
        ("Niet Aanwezig", "NietAanwezig-Regular.ttf", "NietAanwezig-Bold.ttf", "x.ttf"),
        *index_module.FONT_CANDIDATES[1:],
    )
    monkeypatch.setattr(index_module, "FONT_CANDIDATES", candidates)
    find_fonts.cache_clear()
    try:
        fonts = find_fonts()
    finally:
        find_fonts.cache_clear()
    assert fonts.name in ("Liberation Sans", "DejaVu Sans")

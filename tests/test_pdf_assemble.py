"""End-to-end tests of dossier.pdf.assemble on PDFs made by other tools (tests/data/pdf_fixtures).

One dossier is built per module (it takes a fraction of a second) and inspected with pypdf,
pdftotext and qpdf: page numbers, index numbers, links, outline, stamps on rotated and
offset pages, forms, metadata, determinism and atomic writing.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from fpdf import FPDF
from pypdf import PdfReader

from dossier.errors import AssemblyError
from dossier.pdf import AssemblyResult, DossierMeta, Part, assemble_dossier
from dossier.pdf import assemble as assemble_module

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "data" / "pdf_fixtures"
SAMPLES = ROOT / "samples" / "bijlagen"

needs_poppler = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs pdftotext")
needs_qpdf = pytest.mark.skipif(shutil.which("qpdf") is None, reason="needs qpdf")

META = DossierMeta(
    title="Re-integratiedossier",
    subject="Re-integratieverslag WIA — S. Kuipers",
    author="Bakkerij Van Dijk & Zonen B.V.",
    stamp_left="VZ-2025-0142 · S. Kuipers · BSN 111222333",
    created=datetime(2026, 9, 20, 10, 0, tzinfo=timezone(timedelta(hours=2))),
    index_intro="Paginanummers verwijzen naar de stempel rechtsonder op elke pagina.",
)


def make_pdf(path: Path, pages: int, label: str, size: tuple[float, float] = (595.28, 841.89)) -> Path:
    """A plain text PDF such as a converted Word document (fpdf2, deterministic)."""
    pdf = FPDF(unit="pt", format=size)
    pdf.set_creation_date(datetime(2025, 1, 1))
    pdf.set_font("helvetica", size=14)
    for n in range(1, pages + 1):
        pdf.add_page()
        pdf.text(72, 100, f"{label}, blad {n}/{pages}")
        pdf.text(72, 130, "Dit is gewone tekst uit een omgezet Word-document.")
    pdf.output(str(path))
    return path


def pdftotext(pdf: Path, page: int | None = None, *args: str) -> str:
    cmd = ["pdftotext", "-enc", "UTF-8", *args]
    if page is not None:
        cmd += ["-f", str(page), "-l", str(page)]
    return subprocess.run(
        [*cmd, str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout


def build_parts(tmp: Path) -> tuple[Part, list[Part]]:
    cover = Part("voorblad", "Voorblad", "Voorblad", make_pdf(tmp / "voorblad.pdf", 1, "Voorblad"),
                 in_index=False)
    pva = make_pdf(tmp / "plan_van_aanpak.pdf", 3, "Plan van aanpak")
    parts = [
        Part("plan_van_aanpak", "Plan van aanpak", "Plan van aanpak", pva, date(2025, 2, 24),
             "M. van Dijk (werkgever), S. Kuipers (werknemer)"),
        Part("probleemanalyse", "Probleemanalyse", "Oordelen bedrijfsarts",
             SAMPLES / "probleemanalyse.pdf", date(2025, 2, 10), "drs. P. Hendriks (bedrijfsarts)"),
        Part("bijstelling", "Bijstelling probleemanalyse", "Oordelen bedrijfsarts",
             SAMPLES / "bijstelling_probleemanalyse.pdf", date(2025, 6, 2),
             "drs. P. Hendriks (bedrijfsarts)"),
        Part("latex", "Arbeidsdeskundig onderzoek (LaTeX)", "Arbeidsdeskundig onderzoek",
             FIXTURES / "pdftex_outline.pdf", date(2025, 11, 18), "mr. A. Bos (arbeidsdeskundige)"),
        Part("latex2", "Aanvulling arbeidsdeskundig onderzoek", "Arbeidsdeskundig onderzoek",
             FIXTURES / "pdftex_outline.pdf", date(2025, 11, 25), "mr. A. Bos (arbeidsdeskundige)"),
        Part("formulier", "Akkoordverklaring", "Formulieren", FIXTURES / "formulier_ingevuld.pdf",
             date(2025, 3, 1)),
        Part("formulier2", "Afspraak werkhervatting", "Formulieren",
             FIXTURES / "formulier_zonder_weergave.pdf", date(2025, 3, 2)),
        Part("gedraaid", "Gedraaide en liggende pagina's", "Gedraaide en liggende pagina's",
             FIXTURES / "gedraaid_liggend.pdf", keep_outline=False),
        Part("pdfa", "Verslag (PDF/A)", "Overige stukken", FIXTURES / "pdfa.pdf", date(2025, 4, 1)),
        Part("scan", "Gescande brief", "Overige stukken", FIXTURES / "scan_zonder_tekst.pdf"),
        Part("leeg_wachtwoord", "Versleuteld zonder wachtwoord", "Overige stukken",
             FIXTURES / "versleuteld_leeg_wachtwoord.pdf"),
        Part("wachtwoord", "Versleuteld met wachtwoord", "Overige stukken",
             FIXTURES / "versleuteld_wachtwoord.pdf", password="geheim"),
        Part("mediabox", "MediaBox en CropBox", "Overige stukken", FIXTURES / "mediabox_offset.pdf"),
        Part("gedeeld", "Gedeelde pagina-objecten", "Overige stukken",
             FIXTURES / "gedeelde_objecten.pdf"),
        Part("actueel_oordeel", "Actueel oordeel bedrijfsarts", "Actueel oordeel bedrijfsarts",
             SAMPLES / "actueel_oordeel.pdf", date(2026, 9, 15), "drs. P. Hendriks (bedrijfsarts)"),
    ]
    return cover, parts


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, AssemblyResult, Part, list[Part]]:
    tmp = tmp_path_factory.mktemp("dossier")
    cover, parts = build_parts(tmp)
    out = tmp / "out" / "dossier.pdf"
    result = assemble_dossier(cover, parts, out, META)
    return out, result, cover, parts


@pytest.fixture(scope="module")
def reader(built: tuple[Path, AssemblyResult, Part, list[Part]]) -> PdfReader:
    return PdfReader(built[0])


# --- structure ------------------------------------------------------------------------------


def test_order_cover_index_parts(built, reader: PdfReader) -> None:
    _out, result, _cover, parts = built
    assert result.cover is not None and (result.cover.start_page, result.cover.end_page) == (1, 1)
    assert result.index_start == 2
    page = result.index_start + result.index_pages
    for placement, part in zip(result.parts, parts, strict=True):
        assert placement.key == part.key
        assert placement.start_page == page
        page = placement.end_page + 1
    assert result.total_pages == page - 1 == len(reader.pages)


@needs_qpdf
def test_qpdf_check_passes(built) -> None:
    proc = subprocess.run(["qpdf", "--check", str(built[0])], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "No syntax or stream encoding errors" in proc.stdout


@needs_poppler
def test_every_page_stamped_exactly_once(built) -> None:
    out, result = built[0], built[1]
    total = result.total_pages
    for n in range(1, total + 1):
        text = pdftotext(out, n)
        assert len(re.findall(rf"pagina {n} van {total}\b", text)) == 1, (n, text[-300:])
        assert text.count("VZ-2025-0142 · S. Kuipers · BSN 111222333") == 1, n
        # exactly one dossier stamp (the arbodienst letters carry their own "pagina 1 van 2")
        assert len(re.findall(rf"pagina \d+ van {total}\b", text)) == 1, n


def test_page_labels_match_stamps(reader: PdfReader) -> None:
    assert reader.page_labels == [str(n) for n in range(1, len(reader.pages) + 1)]


def test_metadata(reader: PdfReader) -> None:
    info = reader.metadata
    assert info.title == META.title
    assert info.subject == META.subject
    assert info.author == META.author
    assert info.creator == "dossier"
    assert "dossier" in info.producer
    assert info["/CreationDate"] == "D:20260920100000+02'00'"
    assert info["/ModDate"] == "D:20260920100000+02'00'"
    root = reader.trailer["/Root"]
    assert root["/PageMode"] == "/UseOutlines"
    assert "/AcroForm" not in root


def test_result_is_json_serialisable(built) -> None:
    result = built[1]
    data = json.loads(result.to_json())
    assert data["total_pages"] == result.total_pages
    assert data["parts"][0]["key"] == "plan_van_aanpak"
    assert data["parts"][1]["pages"] == result.part("probleemanalyse").pages
    assert data["index_pages"] == result.index_pages


# --- index: numbers and links ----------------------------------------------------------------

ROW = re.compile(r"^\s*(\d+)\s+(\S.*?)\s{2,}.*?(\d+)(?:–(\d+))?\s*$")


def index_rows_from_text(pdf: Path, first: int, last: int) -> dict[int, tuple[str, int, int]]:
    """Parse "nr  title ... date  12–15" rows from the index pages (pdftotext -layout)."""
    rows = {}
    for page in range(first, last + 1):
        for line in pdftotext(pdf, page, "-layout").splitlines():
            match = ROW.match(line)
            if match and not re.search(r"pagina \d+ van \d+", line):
                start = int(match.group(3))
                end = int(match.group(4) or start)
                rows[int(match.group(1))] = (match.group(2), start, end)
    return rows


@needs_poppler
def test_index_numbers_equal_real_start_pages(built) -> None:
    out, result = built[0], built[1]
    rows = index_rows_from_text(out, result.index_start, result.index_start + result.index_pages - 1)
    listed = [p for p in result.parts if p.number is not None]
    assert sorted(rows) == [p.number for p in listed]
    for placement in listed:
        title, start, end = rows[placement.number]
        assert title.startswith(placement.title[:20])
        assert (start, end) == (placement.start_page, placement.end_page), placement.key


def index_links(reader: PdfReader, first: int, count: int) -> list[tuple[str, int]]:
    links = []
    for page in reader.pages[first - 1 : first - 1 + count]:
        for ref in page.get("/Annots", []):
            annot = ref.get_object()
            if annot.get("/Subtype") == "/Link":
                target = reader.get_page_number(annot["/Dest"][0].get_object()) + 1
                links.append((str(annot["/Contents"]), target))
    return links


def test_every_index_row_links_to_its_part(built, reader: PdfReader) -> None:
    result = built[1]
    links = index_links(reader, result.index_start, result.index_pages)
    by_title = dict(links)
    for placement in result.parts:
        assert by_title[placement.title] == placement.start_page, placement.key
    # group headings link to their first part
    assert by_title["Oordelen bedrijfsarts"] == result.part("probleemanalyse").start_page
    assert by_title["Overige stukken"] == result.part("pdfa").start_page
    assert "Voorblad" not in by_title  # the cover is not in the index


# --- outline ---------------------------------------------------------------------------------


def outline_tree(reader: PdfReader, items=None) -> list:
    """[(title, page, children)] of the whole outline."""
    items = reader.outline if items is None else items
    tree: list = []
    for item in items:
        if isinstance(item, list):
            tree[-1][2].extend(outline_tree(reader, item))
        else:
            tree.append((item.title, reader.get_destination_page_number(item) + 1, []))
    return tree


def test_outline_groups_parts_and_index(built, reader: PdfReader) -> None:
    result = built[1]
    tree = outline_tree(reader)
    top = [(title, page) for title, page, _ in tree]
    assert top[0] == ("Voorblad", 1)
    assert top[1] == (META.index_title, result.index_start)
    # a group with one part of the same name is a single entry
    assert ("Plan van aanpak", result.part("plan_van_aanpak").start_page) in top
    groups = {title: children for title, _page, children in tree}
    doctors = groups["Oordelen bedrijfsarts"]
    assert [(t, p) for t, p, _ in doctors] == [
        ("Probleemanalyse", result.part("probleemanalyse").start_page),
        ("Bijstelling probleemanalyse", result.part("bijstelling").start_page),
    ]
    for title, _page, children in tree:
        for child_title, child_page, _ in children:
            placement = next(p for p in result.parts if p.title == child_title)
            assert child_page == placement.start_page, (title, child_title)


def test_attachment_outline_survives_nested_and_remapped(built, reader: PdfReader) -> None:
    result = built[1]
    groups = {title: children for title, _page, children in outline_tree(reader)}
    latex_entries = groups["Arbeidsdeskundig onderzoek"]
    assert len(latex_entries) == 2
    for (_title, page, children), key in zip(latex_entries, ("latex", "latex2"), strict=True):
        start = result.part(key).start_page
        assert page == start
        # pdfTeX outline: Aanleiding (p1) > Vraagstelling; Onderzoek (p2) > 2 subs; Conclusie (p3)
        assert [(t, p - start + 1) for t, p, _ in children] == [
            ("Aanleiding", 1),
            ("Onderzoek", 2),
            ("Conclusie", 3),
        ]
        assert [t for t, _p, _c in children[1][2]] == ["Eigen werk", "Passend werk"]
        assert children[0][2][0][:2] == ("Vraagstelling", start)


def test_keep_outline_false_drops_the_attachments_bookmarks(reader: PdfReader) -> None:
    top = {title: children for title, _page, children in outline_tree(reader)}
    assert top["Gedraaide en liggende pagina's"] == []


def test_internal_links_of_two_latex_copies_stay_in_their_own_copy(built, reader: PdfReader) -> None:
    """Both copies define the same named destinations; each link must stay inside its copy."""
    result = built[1]
    for key in ("latex", "latex2"):
        placement = result.part(key)
        targets = []
        for number in range(placement.start_page, placement.end_page + 1):
            for ref in reader.pages[number - 1].get("/Annots", []):
                annot = ref.get_object()
                if annot.get("/Subtype") != "/Link":
                    continue
                dest = annot.get("/Dest") or annot["/A"]["/D"]
                assert not isinstance(dest, str), "named destination left in place"
                targets.append(reader.get_page_number(dest[0].get_object()) + 1)
        assert targets, key
        assert all(placement.start_page <= t <= placement.end_page for t in targets), (key, targets)
        assert placement.end_page in targets  # "zie paragraaf 3" → the last page
    assert "/Names" not in reader.trailer["/Root"]


# --- stamps on odd geometry ------------------------------------------------------------------


def stamp_words(pdf: Path, page: int) -> list[tuple[str, float, float, float, float]]:
    xml = pdftotext(pdf, page, "-bbox", "-cropbox")
    return [
        (m.group(5), float(m.group(1)), float(m.group(2)), float(m.group(3)), float(m.group(4)))
        for m in re.finditer(
            r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>',
            xml,
        )
    ]


def visual_size(reader: PdfReader, page: int) -> tuple[float, float, int]:
    p = reader.pages[page - 1]
    box = p.cropbox
    w, h = abs(float(box.width)), abs(float(box.height))
    rotate = int(p.get("/Rotate", 0)) % 360
    return (w, h, rotate) if rotate in (0, 180) else (h, w, rotate)


@needs_poppler
def test_stamps_upright_at_visual_bottom_on_rotated_landscape_and_offset_pages(
    built, reader: PdfReader
) -> None:
    out, result = built[0], built[1]
    rotated = result.part("gedraaid")
    offset = result.part("mediabox")
    shared = result.part("gedeeld")
    pages = [
        *range(rotated.start_page, rotated.end_page + 1),
        *range(offset.start_page, offset.end_page + 1),
        *range(shared.start_page, shared.end_page + 1),
    ]
    rotations_seen = set()
    for number in pages:
        width, height, rotate = visual_size(reader, number)
        rotations_seen.add(rotate)
        words = stamp_words(out, number)
        left = [w for w in words if w[0] == "VZ-2025-0142"]
        assert len(left) == 1, number
        line_y = left[0][2]
        right = [w for w in words if abs(w[2] - line_y) < 0.5 and w[1] > width / 2]
        assert [w[0] for w in right] == ["pagina", str(number), "van", str(result.total_pages)], number
        for word in [*right, *left]:
            _text, _x0, y0, _x1, y1 = word
            # horizontal, small (7–8 pt), 5–7 mm from the visual bottom edge
            assert 6.0 <= y1 - y0 <= 9.5, (number, word)
            assert height - 22 <= y1 <= height - 10, (number, word, height)
        # reading order left → right proves the text is not upside down
        xs = [w[1] for w in right]
        assert xs == sorted(xs)
        assert left[0][1] < width / 3 < 2 * width / 3 < right[-1][3] <= width
    assert rotations_seen == {0, 90, 180, 270}


def test_pages_sharing_one_object_or_stream_get_their_own_stamp(built, reader: PdfReader) -> None:
    placement = built[1].part("gedeeld")
    pages = [reader.pages[n - 1] for n in range(placement.start_page, placement.end_page + 1)]
    refs = {p.indirect_reference.idnum for p in pages}
    assert len(refs) == 3  # three page objects, although the source listed one twice


# --- forms -----------------------------------------------------------------------------------


@needs_poppler
def test_form_values_stay_visible_after_flattening(built, reader: PdfReader) -> None:
    out, result = built[0], built[1]
    for key, value in (("formulier", "Sandra Kuipers"), ("formulier2", "Werkhervatting 50% per 1 maart")):
        number = result.part(key).start_page
        assert value in pdftotext(out, number), key
        annots = reader.pages[number - 1].get("/Annots", [])
        assert not [a for a in annots if a.get_object().get("/Subtype") == "/Widget"]


# --- determinism and size --------------------------------------------------------------------


def test_two_builds_are_byte_identical(built, tmp_path: Path) -> None:
    out, _result, cover, parts = built
    again = tmp_path / "again.pdf"
    assemble_dossier(cover, parts, again, META)
    assert again.read_bytes() == out.read_bytes()
    assert b"dossier:fileid" not in out.read_bytes()


def test_output_is_compact(built) -> None:
    out, result, cover, parts = built
    inputs = sum(Path(p.pdf).stat().st_size for p in [cover, *parts])
    assert result.size_bytes == out.stat().st_size
    # the stamps add a little (one subset font), never a copy of the inputs
    assert out.stat().st_size < inputs + 80_000


# --- long index ------------------------------------------------------------------------------


@needs_poppler
def test_index_spilling_over_pages_keeps_numbers_and_links_right(tmp_path: Path) -> None:
    parts = []
    for n in range(1, 71):
        pdf = make_pdf(tmp_path / f"doc{n}.pdf", 1 + n % 3, f"Document {n}")
        group = f"Periode {1 + (n - 1) // 10}"
        parts.append(Part(f"doc-{n}", f"Verslag voortgangsgesprek {n}", group, pdf,
                          date(2025, 1, 1) + timedelta(days=7 * n), "J. de Boer (casemanager)"))
    out = tmp_path / "lang.pdf"
    result = assemble_dossier(None, parts, out, META)
    assert result.index_pages >= 2
    assert result.index_start == 1
    assert result.part("doc-1").start_page == result.index_pages + 1
    rows = index_rows_from_text(out, 1, result.index_pages)
    assert len(rows) == 70
    for placement in result.parts:
        _title, start, end = rows[placement.number]
        assert (start, end) == (placement.start_page, placement.end_page)
    reader = PdfReader(out)
    links = dict(index_links(reader, 1, result.index_pages))
    for placement in result.parts:
        assert links[placement.title] == placement.start_page
    # continuation pages repeat the heading
    assert "Inhoudsopgave (vervolg)" in pdftotext(out, 2)
    for n in (1, result.index_pages, result.total_pages):
        assert f"pagina {n} van {result.total_pages}" in pdftotext(out, n)


def test_sixty_page_dossier_is_fast(tmp_path: Path) -> None:
    parts = [
        Part(f"p{n}", f"Document {n}", "Stukken", make_pdf(tmp_path / f"{n}.pdf", 6, f"Doc {n}"))
        for n in range(10)
    ]
    start = time.perf_counter()
    result = assemble_dossier(None, parts, tmp_path / "zestig.pdf", META)
    elapsed = time.perf_counter() - start
    assert result.total_pages == 61
    assert elapsed < 5.0, elapsed


# --- errors and atomic writing ---------------------------------------------------------------


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_failure_midway_leaves_no_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pdf = make_pdf(tmp_path / "a.pdf", 2, "A")
    out_dir = tmp_path / "uit"
    out_dir.mkdir()

    def boom(*_args: object, **_kwargs: object) -> None:
        raise ValueError("kapot tijdens het stempelen")

    monkeypatch.setattr(assemble_module, "stamp_pages", boom)
    with pytest.raises(AssemblyError, match="kapot tijdens het stempelen"):
        assemble_dossier(None, [Part("a", "A", "A", pdf)], out_dir / "dossier.pdf", META)
    assert leftovers(out_dir) == []


def test_failure_while_writing_leaves_no_file_and_no_temp(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pdf = make_pdf(tmp_path / "a.pdf", 2, "A")
    out_dir = tmp_path / "uit"
    out_dir.mkdir()

    def no_replace(*_args: object) -> None:
        raise OSError(28, "No space left on device")

    import dossier.fileio

    monkeypatch.setattr(dossier.fileio.os, "replace", no_replace)
    with pytest.raises(AssemblyError, match="niet schrijven"):
        assemble_dossier(None, [Part("a", "A", "A", pdf)], out_dir / "dossier.pdf", META)
    assert leftovers(out_dir) == []


def test_existing_output_is_kept_when_build_fails(tmp_path: Path) -> None:
    out = tmp_path / "dossier.pdf"
    out.write_bytes(b"%PDF-1.4 vorige versie")
    with pytest.raises(AssemblyError):
        assemble_dossier(None, [Part("x", "X", "X", FIXTURES / "beschadigd.pdf")], out, META)
    assert out.read_bytes() == b"%PDF-1.4 vorige versie"
    assert leftovers(tmp_path) == ["dossier.pdf"]


@pytest.mark.parametrize(
    ("fixture", "message"),
    [
        ("leeg.pdf", r"leeg \(0 bytes\)"),
        ("geen_pdf.pdf", "geen PDF"),
        ("beschadigd.pdf", "beschadigd"),
        ("bestaat_niet.pdf", "niet gevonden"),
        ("versleuteld_wachtwoord.pdf", r"versleuteld; geef het wachtwoord op in de casus \(bijlagen\[\]\.wachtwoord\)"),
    ],
)
def test_unusable_input_raises_dutch_error_naming_the_file(
    tmp_path: Path, fixture: str, message: str
) -> None:
    with pytest.raises(AssemblyError, match=message) as info:
        assemble_dossier(None, [Part("x", "X", "X", FIXTURES / fixture)], tmp_path / "d.pdf", META)
    assert fixture in info.value.message
    assert leftovers(tmp_path) == []


def test_output_may_not_overwrite_an_input(tmp_path: Path) -> None:
    pdf = make_pdf(tmp_path / "a.pdf", 1, "A")
    with pytest.raises(AssemblyError, match="ook een invoerbestand"):
        assemble_dossier(None, [Part("a", "A", "A", pdf)], pdf, META)


def test_no_parts_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(AssemblyError, match="geen documenten"):
        assemble_dossier(None, [], tmp_path / "d.pdf", META)


def test_assembly_never_prints(tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    cover, parts = build_parts(tmp_path)
    capfd.readouterr()
    assemble_dossier(cover, parts, tmp_path / "stil.pdf", META)
    out, err = capfd.readouterr()
    assert out == "" and err == ""

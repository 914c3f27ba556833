"""The inhoudsopgave (index) pages, drawn directly with fpdf2, and font lookup.

The layout is computed first (rows measured, then paginated) and drawn second. Column widths do
not depend on the page numbers shown, so the number of index pages is known before the final
page numbers are: :mod:`dossier.pdf.assemble` renders once to count, plans, renders again and
checks that the count did not change.

While drawing, the rectangle of every row is recorded, so the assembler can put a link
annotation on it (bundlebuild's approach; scraping rendered text like BunTool is fragile).
"""

from __future__ import annotations

import copy
import functools
import math
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from io import BytesIO
from pathlib import Path

from fontTools import ttLib
from fpdf import FPDF
from fpdf.enums import StrokeCapStyle
from fpdf.fonts import SubsetMap, TTFFont

from dossier.errors import AssemblyError
from dossier.pdf.plan import DossierMeta, IndexRow
from dossier.pdf.preflight import quiet_libraries

#: Font families in order of preference: (name, regular, bold, italic) file names.
#: Carlito is metric-compatible with Calibri (the Word default most letters use).
FONT_CANDIDATES: tuple[tuple[str, str, str, str], ...] = (
    ("Carlito", "Carlito-Regular.ttf", "Carlito-Bold.ttf", "Carlito-Italic.ttf"),
    (
        "Liberation Sans",
        "LiberationSans-Regular.ttf",
        "LiberationSans-Bold.ttf",
        "LiberationSans-Italic.ttf",
    ),
    ("DejaVu Sans", "DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "DejaVuSans-Oblique.ttf"),
)

#: Where TrueType fonts are searched (recursively), in this order.
FONT_DIRS: tuple[Path, ...] = (
    Path("/usr/share/fonts"),
    Path("/usr/local/share/fonts"),
    Path("~/.local/share/fonts").expanduser(),
    Path("~/.fonts").expanduser(),
    Path("/Library/Fonts"),
    Path("C:/Windows/Fonts"),
)

_DEBIAN_SUBDIRS = ("crosextra", "liberation2", "dejavu")

# Geometry in PDF points (1 pt = 1/72 inch). A4 portrait.
PAGE_W = 595.28
PAGE_H = 841.89
MARGIN_L = 70.87  # 25 mm
MARGIN_R = 56.69  # 20 mm
MARGIN_T = 62.36  # 22 mm
MARGIN_B = 70.87  # 25 mm: leaves the bottom 7 mm for the page stamp with room to spare

TITLE_SIZE = 20.0
CONT_TITLE_SIZE = 13.0
SUBJECT_SIZE = 11.0
INTRO_SIZE = 9.5
HEAD_SIZE = 7.5  # column headings
ROW_SIZE = 10.5
GROUP_SIZE = 10.5
AUTHOR_SIZE = 8.5

ROW_LEADING = 1.28  # line height as a multiple of the font size
ROW_PAD = 4.0  # space above and below a part row
GROUP_SPACE = 9.0  # extra space above a group heading
NUMBER_W = 22.0  # number column; the title starts after it
COL_GAP = 12.0
LEADER_GAP = 3.2  # distance between leader dots; dots sit on a grid so columns align

BLACK = (26, 26, 26)
TEXT = (38, 38, 38)
GREY = (110, 110, 110)
RULE = (160, 160, 160)
ACCENT = (31, 58, 95)  # dark blue for the title and group headings

#: Widest strings the date and page columns must hold (fixed, so the layout never depends on
#: the numbers shown and the page count of the index is known before the page numbers are).
WIDEST_DATE = "30 september 2000"
WIDEST_PAGES = "8888–8888"

#: Added to a group heading repeated at the top of the next index page.
CONTINUED = "(vervolg)"


@dataclass(frozen=True)
class FontSet:
    """A TrueType family with the styles the index uses."""

    name: str
    regular: Path
    bold: Path
    italic: Path


@dataclass(frozen=True)
class IndexLink:
    """A clickable area on an index page.

    Attributes:
        page: 0-based page within the index PDF.
        rect: (x0, y0, x1, y1) in PDF user space (origin bottom left, points).
        target_page: 1-based page in the dossier the row points to.
        label: the row's title (used as the link's description).
    """

    page: int
    rect: tuple[float, float, float, float]
    target_page: int
    label: str = ""


@dataclass(frozen=True)
class RenderedIndex:
    """The index as a PDF plus the link rectangles recorded while drawing."""

    pdf: bytes
    page_count: int
    links: tuple[IndexLink, ...]


def _font_files() -> Iterator[Path]:
    for base in FONT_DIRS:
        if base.is_dir():
            for root, _dirs, files in os.walk(base):
                for name in sorted(files):
                    if name.lower().endswith(".ttf"):
                        yield Path(root) / name


@functools.cache
def find_fonts() -> FontSet:
    """Find the first installed family of :data:`FONT_CANDIDATES` (Carlito, Liberation, DejaVu).

    Raises:
        AssemblyError: none of the families is installed.
    """
    # Fast path: the Debian folders (fonts-crosextra-carlito, fonts-liberation2, fonts-dejavu);
    # every font folder is walked only when the preferred family is not there.
    found: dict[str, Path] = {}
    for base in FONT_DIRS:
        for sub in _DEBIAN_SUBDIRS:
            folder = base / "truetype" / sub
            if folder.is_dir():
                for path in sorted(folder.glob("*.ttf")):
                    found.setdefault(path.name, path)
    walked = False
    for name, regular, bold, italic in FONT_CANDIDATES:
        if not (regular in found and bold in found) and not walked:
            for path in _font_files():
                found.setdefault(path.name, path)
            walked = True
        if regular in found and bold in found:
            return FontSet(name, found[regular], found[bold], found.get(italic, found[regular]))
    raise AssemblyError(
        "Geen bruikbaar lettertype gevonden voor de inhoudsopgave en de paginanummers. "
        "Installeer Carlito (fonts-crosextra-carlito), Liberation Sans (fonts-liberation2) "
        "of DejaVu Sans (fonts-dejavu-core)."
    )


def new_fpdf(fonts: FontSet, meta: DossierMeta, *, bold: bool = True) -> FPDF:
    """An fpdf2 document in points with the family registered as "dossier" and fixed dates.

    Only the styles a document uses are registered: fpdf2 parses each TrueType file in full
    (≈50 ms per face), which dominated assembly time.
    """
    pdf = FPDF(unit="pt", format="A4")
    pdf.set_auto_page_break(False)
    pdf.set_margins(0, 0, 0)
    pdf.set_creation_date(meta.created)
    pdf.set_creator("dossier")
    pdf.set_lang("nl-NL")
    add_font(pdf, "dossier", "", fonts.regular)
    if bold:
        add_font(pdf, "dossier", "B", fonts.bold)
    return pdf


@functools.lru_cache(maxsize=8)
def _parsed_font(path: str, style: str) -> tuple[TTFFont, bytes]:
    """The font parsed once per process (cmap, widths, glyph ids: ≈ 50 ms per face), with the
    file's bytes. Never used for output itself: see :func:`add_font`."""
    scratch = FPDF(unit="pt")
    scratch.add_font("dossier", style, path)
    return scratch.fonts[f"dossier{style}"], _without_layout(Path(path).read_bytes())


#: OpenType layout tables: fpdf2 drops them from every subset it embeds (it does not shape text
#: without HarfBuzz), but fontTools still reads them for every subset and save.
_LAYOUT_TABLES = ("GSUB", "GPOS", "GDEF")


def _without_layout(raw: bytes) -> bytes:
    font = ttLib.TTFont(BytesIO(raw), recalcTimestamp=False, lazy=True)
    present = [t for t in _LAYOUT_TABLES if t in font]
    if not present:
        return raw
    for t in present:
        del font[t]
    out = BytesIO()
    font.save(out)
    return out.getvalue()


def add_font(pdf: FPDF, family: str, style: str, path: Path) -> None:
    """``pdf.add_font(family, style, path)`` without parsing the font file again.

    fpdf2 keeps per document what it mutates: the used-glyph map (``subset``), the missing
    glyphs, the largest size, the font's number in the document, and the fontTools ``ttfont``,
    which output subsets in place and closes. Those get fresh values; the read-only rest (cmap,
    widths, glyph ids, descriptor) is shared with the parsed original.
    """
    template, raw = _parsed_font(str(path), style)
    font = copy.copy(template)
    font.i = len(pdf.fonts) + 1
    font.fontkey = f"{family.lower()}{style}"
    font.ttfont = ttLib.TTFont(BytesIO(raw), recalcTimestamp=False, lazy=True)
    font.missing_glyphs = []
    font.biggest_size_pt = 0
    font.subset = SubsetMap(font)
    pdf.fonts[font.fontkey] = font


# --- layout ---------------------------------------------------------------------------------


@dataclass
class _Block:
    """A measured row: its lines and height, ready to be placed on a page."""

    row: IndexRow
    title_lines: list[str]
    author_lines: list[str]
    height: float
    space_before: float


def _wrap(pdf: FPDF, text: str, width: float) -> list[str]:
    """Greedy word wrap with the current font; words wider than the column are split; a newline
    in ``text`` starts a new line."""
    if "\n" in text:
        return [line for para in text.split("\n") for line in _wrap(pdf, para, width)]
    lines: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}" if current else word
        if pdf.get_string_width(candidate) <= width:
            current = candidate
            continue
        if current:
            lines.append(current)
        while pdf.get_string_width(word) > width:
            cut = len(word)
            while cut > 1 and pdf.get_string_width(word[:cut]) > width:
                cut -= 1
            lines.append(word[:cut])
            word = word[cut:]
        current = word
    if current or not lines:
        lines.append(current)
    return lines


@dataclass(frozen=True)
class _Columns:
    number_right: float
    doc_x: float
    doc_right: float  # titles wrap before this
    date_x: float
    page_right: float
    page_x: float


def _columns(pdf: FPDF) -> _Columns:
    pdf.set_font("dossier", "", ROW_SIZE)
    page_w = pdf.get_string_width(WIDEST_PAGES)
    date_w = pdf.get_string_width(WIDEST_DATE)
    page_right = PAGE_W - MARGIN_R
    page_x = page_right - page_w
    date_x = page_x - COL_GAP - date_w
    return _Columns(
        number_right=MARGIN_L + NUMBER_W - 8,
        doc_x=MARGIN_L + NUMBER_W,
        doc_right=date_x - COL_GAP - 4 * LEADER_GAP,
        date_x=date_x,
        page_right=page_right,
        page_x=page_x,
    )


def _measure(pdf: FPDF, rows: Sequence[IndexRow], cols: _Columns) -> list[_Block]:
    blocks = []
    width = cols.doc_right - cols.doc_x
    for i, row in enumerate(rows):
        if row.kind == "group":
            pdf.set_font("dossier", "B", GROUP_SIZE)
            lines = _wrap(pdf, row.title, cols.page_right - MARGIN_L)
            height = len(lines) * GROUP_SIZE * ROW_LEADING + ROW_PAD
            blocks.append(_Block(row, lines, [], height, GROUP_SPACE if i else 0.0))
            continue
        pdf.set_font("dossier", "", ROW_SIZE)
        title_lines = _wrap(pdf, row.title, width)
        pdf.set_font("dossier", "", AUTHOR_SIZE)
        author_lines = _wrap(pdf, row.auteurs, width) if row.auteurs else []
        height = (
            2 * ROW_PAD
            + len(title_lines) * ROW_SIZE * ROW_LEADING
            + len(author_lines) * AUTHOR_SIZE * ROW_LEADING
        )
        space = GROUP_SPACE if row.starts_group and i else 0.0
        blocks.append(_Block(row, title_lines, author_lines, height, space))
    return blocks


def _header_height(pdf: FPDF, meta: DossierMeta, first: bool) -> float:
    if not first:
        return CONT_TITLE_SIZE * 1.6 + _column_head_height()
    height = TITLE_SIZE * 1.25
    if meta.subject:
        height += SUBJECT_SIZE * 1.5
    if meta.index_intro:
        pdf.set_font("dossier", "", INTRO_SIZE)
        lines = _wrap(pdf, meta.index_intro, PAGE_W - MARGIN_L - MARGIN_R)
        height += len(lines) * INTRO_SIZE * 1.35 + 2
    return height + 10 + _column_head_height()


def _column_head_height() -> float:
    return HEAD_SIZE * 1.6 + 6


def _paginate(pdf: FPDF, blocks: list[_Block], meta: DossierMeta) -> list[list[_Block]]:
    """Distribute blocks over pages.

    A group heading never ends a page on its own, and a group that continues on the next page
    gets its heading repeated there with "(vervolg)".
    """
    pages: list[list[_Block]] = [[]]
    y = MARGIN_T + _header_height(pdf, meta, first=True)
    bottom = PAGE_H - MARGIN_B
    heading: _Block | None = None  # heading of the group being listed
    i = 0
    while i < len(blocks):
        chunk = [blocks[i]]
        if blocks[i].row.kind == "group" and i + 1 < len(blocks):
            chunk.append(blocks[i + 1])  # keep the heading with its first row
        consumed = len(chunk)
        need = sum(b.height for b in chunk) + (chunk[0].space_before if pages[-1] else 0.0)
        if pages[-1] and y + need > bottom:
            pages.append([])
            y = MARGIN_T + _header_height(pdf, meta, first=False)
            need -= chunk[0].space_before
            if heading is not None and chunk[0].row.kind == "part" and not chunk[0].row.starts_group:
                repeat = _continued(heading)
                chunk.insert(0, repeat)
                need += repeat.height
        for block in chunk:
            if block.row.kind == "group":
                heading = block
            elif block.row.starts_group:
                heading = None
        pages[-1].extend(chunk)
        y += need
        i += consumed
    return pages


def _continued(heading: _Block) -> _Block:
    """A copy of a group heading for the top of the next page: "Periode 2 (vervolg)"."""
    lines = [*heading.title_lines[:-1], f"{heading.title_lines[-1]} {CONTINUED}"]
    row = replace(heading.row, title=f"{heading.row.title} {CONTINUED}")
    return _Block(row, lines, [], heading.height, 0.0)


# --- drawing --------------------------------------------------------------------------------


def _draw_header(pdf: FPDF, meta: DossierMeta, first: bool, cols: _Columns) -> float:
    """Draw the page heading and column headings; return the y where rows start."""
    y = MARGIN_T
    if first:
        pdf.set_font("dossier", "B", TITLE_SIZE)
        pdf.set_text_color(*ACCENT)
        pdf.text(MARGIN_L, y + TITLE_SIZE * 0.8, meta.index_title)
        y += TITLE_SIZE * 1.25
        if meta.subject:
            pdf.set_font("dossier", "", SUBJECT_SIZE)
            pdf.set_text_color(*GREY)
            pdf.text(MARGIN_L, y + SUBJECT_SIZE * 1.05, meta.subject)
            y += SUBJECT_SIZE * 1.5
        if meta.index_intro:
            pdf.set_font("dossier", "", INTRO_SIZE)
            pdf.set_text_color(*GREY)
            for line in _wrap(pdf, meta.index_intro, PAGE_W - MARGIN_L - MARGIN_R):
                pdf.text(MARGIN_L, y + INTRO_SIZE * 1.15, line)
                y += INTRO_SIZE * 1.35
            y += 2
        y += 10
    else:
        pdf.set_font("dossier", "B", CONT_TITLE_SIZE)
        pdf.set_text_color(*ACCENT)
        pdf.text(MARGIN_L, y + CONT_TITLE_SIZE * 0.8, f"{meta.index_title} {CONTINUED}")
        y += CONT_TITLE_SIZE * 1.6

    # Column headings with a rule underneath.
    base = y + HEAD_SIZE
    pdf.set_font("dossier", "B", HEAD_SIZE)
    pdf.set_text_color(*GREY)
    pdf.set_char_spacing(0.6)
    label = "NR."
    pdf.text(cols.number_right - pdf.get_string_width(label), base, label)
    pdf.text(cols.doc_x, base, "DOCUMENT")
    pdf.text(cols.date_x, base, "DATUM")
    label = "PAGINA"
    pdf.text(cols.page_right - pdf.get_string_width(label), base, label)
    pdf.set_char_spacing(0)
    rule_y = y + HEAD_SIZE * 1.6
    pdf.set_draw_color(*RULE)
    pdf.set_line_width(0.6)
    pdf.line(MARGIN_L, rule_y, cols.page_right, rule_y)
    return y + _column_head_height()


def _draw_leaders(pdf: FPDF, x0: float, x1: float, baseline: float) -> None:
    """Dot leaders from x0 to x1, the dots on a fixed grid so they line up across rows."""
    start = MARGIN_L + math.ceil((x0 - MARGIN_L) / LEADER_GAP) * LEADER_GAP
    end = MARGIN_L + math.floor((x1 - MARGIN_L) / LEADER_GAP) * LEADER_GAP
    if end - start < 2 * LEADER_GAP:
        return
    with pdf.local_context(stroke_cap_style=StrokeCapStyle.ROUND, line_width=0.85):
        pdf.set_draw_color(*RULE)
        pdf.set_dash_pattern(dash=0.001, gap=LEADER_GAP - 0.001)
        pdf.line(start, baseline - 0.4, end + 0.001, baseline - 0.4)
        pdf.set_dash_pattern()


def _draw_part(pdf: FPDF, block: _Block, y: float, cols: _Columns) -> float:
    """Draw one part row starting at y; return its bottom."""
    row = block.row
    line_h = ROW_SIZE * ROW_LEADING
    top = y + ROW_PAD
    first_base = top + ROW_SIZE * 0.95

    pdf.set_font("dossier", "", ROW_SIZE)
    pdf.set_text_color(*GREY)
    number = f"{row.number}" if row.number is not None else ""
    pdf.text(cols.number_right - pdf.get_string_width(number), first_base, number)

    pdf.set_text_color(*BLACK)
    base = first_base
    for line in block.title_lines:
        pdf.text(cols.doc_x, base, line)
        base += line_h
    last_base = base - line_h
    title_end = cols.doc_x + pdf.get_string_width(block.title_lines[-1])

    pdf.set_text_color(*TEXT)
    if row.datum:
        pdf.text(cols.date_x, last_base, row.datum)
    pdf.text(cols.page_right - pdf.get_string_width(row.pages), last_base, row.pages)
    leader_end = cols.date_x if row.datum else cols.page_right - pdf.get_string_width(row.pages)
    _draw_leaders(pdf, title_end + 4, leader_end - 5, last_base)

    if block.author_lines:
        pdf.set_font("dossier", "", AUTHOR_SIZE)
        pdf.set_text_color(*GREY)
        base = last_base + AUTHOR_SIZE * ROW_LEADING + 0.5
        for line in block.author_lines:
            pdf.text(cols.doc_x, base, line)
            base += AUTHOR_SIZE * ROW_LEADING
    return y + block.height


def _draw_group(pdf: FPDF, block: _Block, y: float) -> float:
    pdf.set_font("dossier", "B", GROUP_SIZE)
    pdf.set_text_color(*ACCENT)
    base = y + GROUP_SIZE * 0.95 + ROW_PAD
    for line in block.title_lines:
        pdf.text(MARGIN_L, base, line)
        base += GROUP_SIZE * ROW_LEADING
    return y + block.height


def render_index(
    rows: Sequence[IndexRow], meta: DossierMeta, fonts: FontSet | None = None
) -> RenderedIndex:
    """Draw the index pages.

    Args:
        rows: group headings and part rows, from :func:`dossier.pdf.plan.index_rows`.
        meta: title, subject and intro line; ``created`` fixes the PDF dates.
        fonts: font family to use; found with :func:`find_fonts` when None.

    Returns:
        The PDF bytes, its page count and the link rectangle of every row.

    Raises:
        AssemblyError: no usable font is installed.
    """
    with quiet_libraries():  # fontTools comments on the fonts' header dates
        return _render_index(rows, meta, fonts or find_fonts())


def index_page_count(rows: Sequence[IndexRow], meta: DossierMeta, fonts: FontSet | None = None) -> int:
    """How many pages :func:`render_index` would draw for ``rows``: measured and paginated only,
    without drawing or writing a PDF (which subsets the fonts, the expensive part)."""
    with quiet_libraries():
        pdf = new_fpdf(fonts or find_fonts(), meta)
        cols = _columns(pdf)
        return len(_paginate(pdf, _measure(pdf, rows, cols), meta))


def _render_index(rows: Sequence[IndexRow], meta: DossierMeta, fonts: FontSet) -> RenderedIndex:
    pdf = new_fpdf(fonts, meta)
    pdf.set_title(meta.index_title)
    cols = _columns(pdf)
    blocks = _measure(pdf, rows, cols)
    pages = _paginate(pdf, blocks, meta)

    links: list[IndexLink] = []
    for page_no, page_blocks in enumerate(pages):
        pdf.add_page()
        y = _draw_header(pdf, meta, page_no == 0, cols)
        for i, block in enumerate(page_blocks):
            if i and block.space_before:
                y += block.space_before
            top = y
            is_group = block.row.kind == "group"
            y = _draw_group(pdf, block, y) if is_group else _draw_part(pdf, block, y, cols)
            rect = (MARGIN_L - 2, PAGE_H - y, cols.page_right + 2, PAGE_H - top)
            box = (round(rect[0], 2), round(rect[1], 2), round(rect[2], 2), round(rect[3], 2))
            links.append(IndexLink(page_no, box, block.row.target_page, block.row.title))
    return RenderedIndex(pdf=bytes(pdf.output()), page_count=len(pages), links=tuple(links))

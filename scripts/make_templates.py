"""Build the built-in DOCX templates in ``templates_nl/`` reproducibly with python-docx.

Run ``.venv/bin/python scripts/make_templates.py`` after changing this file; the output is
committed. Every Jinja tag is written as ONE run with straight quotes, so Word and docxtpl see
it intact. The variables used are documented in ``dossier/render/context.py`` (and
``docs/templates.md``, whose variable table this script regenerates).

House style: A4, Calibri (Carlito in LibreOffice), dark-blue headings, light-grey table rules.
Page geometry leaves room for the stamp the PDF dossier puts ~6 mm above the bottom edge:
bottom margin 27 mm, footer 13 mm from the bottom edge.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from docx import Document
from docx.enum.section import WD_SECTION
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from dossier.render.docx import normalize_docx  # noqa: E402

OUT_DIR = ROOT / "templates_nl"
DOCS = ROOT / "docs" / "templates.md"

FONT = "Calibri"
BODY_PT = 10.5
SMALL_PT = 9
TEXT = RGBColor(0x22, 0x22, 0x22)
ACCENT = RGBColor(0x1F, 0x38, 0x64)
MUTED = RGBColor(0x59, 0x59, 0x59)
RULE = "A6A6A6"
HEAD_FILL = "E4EAF2"
LABEL_FILL = "F2F4F7"

PAGE_W, PAGE_H = Mm(210), Mm(297)
MARGIN_LR = Mm(25)
MARGIN_TOP = Mm(30)
MARGIN_BOTTOM = Mm(27)
HEADER_DIST = Mm(12)
FOOTER_DIST = Mm(13)
TEXT_W_MM = 160

#: Fixed document-property dates, so the built templates are reproducible.
FIXED_DATE = datetime(2025, 1, 1, tzinfo=UTC)

Part = str | tuple[str, str]  # text, or (text, "b"/"i"/"bi"/"muted"/"small")


# --- low-level XML helpers -------------------------------------------------------------------


def _fonts(rfonts: Any) -> None:
    """Our font for every script, and no theme font that would override it."""
    for k in ("ascii", "hAnsi", "cs", "eastAsia"):
        rfonts.set(qn(f"w:{k}"), FONT)
    for k in ("asciiTheme", "hAnsiTheme", "cstheme", "eastAsiaTheme"):
        rfonts.attrib.pop(qn(f"w:{k}"), None)


def _set(el: Any, tag: str, **attrs: str) -> Any:
    """Get or create child ``tag`` of ``el`` and set its w: attributes."""
    child = el.find(qn(tag))
    if child is None:
        child = OxmlElement(tag)
        el.append(child)
    for k, v in attrs.items():
        child.set(qn(f"w:{k}"), v)
    return child


def _drop(el: Any, path: str) -> None:
    """Remove the descendants of ``el`` at a simple ``w:a/w:b`` path."""
    parts = path.split("/")
    nodes = [el]
    for part in parts:
        nodes = [c for n in nodes for c in n.findall(qn(part))]
    for n in nodes:
        n.getparent().remove(n)


def _border_el(parent: Any, side: str, color: str = RULE, size: int = 4, space: int = 1) -> None:
    b = OxmlElement(f"w:{side}")
    b.set(qn("w:val"), "single")
    b.set(qn("w:sz"), str(size))
    b.set(qn("w:space"), str(space))
    b.set(qn("w:color"), color)
    parent.append(b)


def paragraph_border(p: Any, side: str = "bottom", color: str = RULE, size: int = 4) -> None:
    """A rule above or below a paragraph."""
    ppr = p._p.get_or_add_pPr()
    bdr = OxmlElement("w:pBdr")
    _border_el(bdr, side, color, size, 4)
    # pBdr must come before spacing/ind/jc etc. in pPr; inserting first is schema-safe enough
    # for Word and LibreOffice when pStyle is kept first.
    pstyle = ppr.find(qn("w:pStyle"))
    if pstyle is not None:
        pstyle.addnext(bdr)
    else:
        ppr.insert(0, bdr)


def shade(cell: Any, fill: str) -> None:
    tcpr = cell._tc.get_or_add_tcPr()
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), fill)
    tcpr.append(shd)


def cell_border(cell: Any, side: str, color: str = RULE, size: int = 4) -> None:
    """A border on one side of one table cell."""
    tcpr = cell._tc.get_or_add_tcPr()
    borders = OxmlElement("w:tcBorders")
    _border_el(borders, side, color, size, 0)
    tcpr.append(borders)


def table_borders(table: Any, inside_v: bool = True, color: str = RULE, outer: bool = True) -> None:
    tblpr = table._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        if (side == "insideV" and not inside_v) or (side in ("left", "right") and not outer):
            b = OxmlElement(f"w:{side}")
            b.set(qn("w:val"), "nil")
            borders.append(b)
        else:
            _border_el(borders, side, color, 4, 0)
    tblpr.append(borders)


def no_borders(table: Any) -> None:
    tblpr = table._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        b = OxmlElement(f"w:{side}")
        b.set(qn("w:val"), "nil")
        borders.append(b)
    tblpr.append(borders)


def cell_margins(table: Any, top: int = 45, bottom: int = 45, left: int = 90, right: int = 90) -> None:
    tblpr = table._tbl.tblPr
    mar = OxmlElement("w:tblCellMar")
    for side, val in (("top", top), ("left", left), ("bottom", bottom), ("right", right)):
        el = OxmlElement(f"w:{side}")
        el.set(qn("w:w"), str(val))
        el.set(qn("w:type"), "dxa")
        mar.append(el)
    tblpr.append(mar)


def fixed_layout(table: Any, widths_mm: Sequence[float]) -> None:
    table.autofit = False
    tblpr = table._tbl.tblPr
    _set(tblpr, "w:tblLayout", type="fixed")
    _set(tblpr, "w:tblW", w=str(int(sum(widths_mm) * 56.7)), type="dxa")
    for i, w in enumerate(widths_mm):
        table.columns[i].width = Mm(w)
        for cell in table.columns[i].cells:
            cell.width = Mm(w)


def row_props(row: Any, *, header: bool = False, cant_split: bool = True,
              height_mm: float | None = None) -> None:
    trpr = row._tr.get_or_add_trPr()
    if cant_split:
        trpr.append(OxmlElement("w:cantSplit"))
    if height_mm is not None:
        h = OxmlElement("w:trHeight")
        h.set(qn("w:val"), str(int(height_mm * 56.7)))
        h.set(qn("w:hRule"), "atLeast")
        trpr.append(h)
    if header:
        trpr.append(OxmlElement("w:tblHeader"))


def add_field(paragraph: Any, instr: str, placeholder: str = "1", size: float | None = None) -> None:
    """A Word field (PAGE, NUMPAGES) as begin/instr/separate/result/end runs."""

    def run_with(el: Any) -> Any:
        r = paragraph.add_run()
        if size:
            r.font.size = Pt(size)
        r._r.append(el)
        return r

    begin = OxmlElement("w:fldChar")
    begin.set(qn("w:fldCharType"), "begin")
    run_with(begin)
    it = OxmlElement("w:instrText")
    it.set(qn("xml:space"), "preserve")
    it.text = f" {instr} "
    run_with(it)
    sep = OxmlElement("w:fldChar")
    sep.set(qn("w:fldCharType"), "separate")
    run_with(sep)
    r = paragraph.add_run(placeholder)
    if size:
        r.font.size = Pt(size)
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    run_with(end)


# Child order of property elements in the WordprocessingML schema (ECMA-376 part 1). Word
# rejects a document ("unreadable content") when they are out of order; LibreOffice does not
# care, so this is easy to get wrong unnoticed.
_ORDER = {
    "pPr": "pStyle keepNext keepLines pageBreakBefore framePr widowControl numPr "
           "suppressLineNumbers pBdr shd tabs suppressAutoHyphens kinsoku wordWrap overflowPunct "
           "topLinePunct autoSpaceDE autoSpaceDN bidi adjustRightInd snapToGrid spacing ind "
           "contextualSpacing mirrorIndents suppressOverlap jc textDirection textAlignment "
           "textboxTightWrap outlineLvl divId cnfStyle rPr sectPr pPrChange",
    "rPr": "rStyle rFonts b bCs i iCs caps smallCaps strike dstrike outline shadow emboss imprint "
           "noProof snapToGrid vanish webHidden color spacing w kern position sz szCs highlight u "
           "effect bdr shd fitText vertAlign rtl cs em lang eastAsianLayout specVanish oMath",
    "tblPr": "tblStyle tblpPr tblOverlap bidiVisual tblStyleRowBandSize tblStyleColBandSize tblW "
             "jc tblCellSpacing tblInd tblBorders shd tblLayout tblCellMar tblLook tblCaption "
             "tblDescription",
    "tcPr": "cnfStyle tcW gridSpan hMerge vMerge tcBorders shd noWrap tcMar textDirection "
            "tcFitText vAlign hideMark headers cellIns cellDel cellMerge tcPrChange",
    "pBdr": "top left bottom right between bar",
    "tblBorders": "top left bottom right insideH insideV",
    "tcBorders": "top left bottom right insideH insideV tl2br tr2bl",
    "tblCellMar": "top left bottom right",
}
_RANK = {qn(f"w:{parent}"): {qn(f"w:{c}"): i for i, c in enumerate(order.split())}
         for parent, order in _ORDER.items()}


def schema_order(root: Any) -> None:
    """Put the children of every property element in schema order (stable for unknown tags)."""
    for el in root.iter(*_RANK):
        rank = _RANK[el.tag]
        children = list(el)
        ordered = sorted(children, key=lambda c: rank.get(c.tag, len(rank)))
        if ordered != children:
            for c in children:
                el.remove(c)
            el.extend(ordered)


# --- the document builder --------------------------------------------------------------------


class Builder:
    """A python-docx document with the house style and helpers for template content."""

    def __init__(self, titel: str, kort: str, *, datum_tag: str | None, header: bool = True) -> None:
        self.doc = Document()
        self.titel = titel
        self._styles()
        self._page()
        self._properties(titel)
        self._strip_package_extras()
        # The default document body is empty; reuse a leftover paragraph if a version has one.
        self._first = self.doc.paragraphs[0] if self.doc.paragraphs else None
        if header:
            self._header_footer(kort, datum_tag)

    # styles and page
    def _styles(self) -> None:
        st = self.doc.styles
        normal = st["Normal"]
        normal.font.name = FONT
        normal.font.size = Pt(BODY_PT)
        normal.font.color.rgb = TEXT
        rpr = normal.element.get_or_add_rPr()
        _fonts(_set(rpr, "w:rFonts"))
        _set(rpr, "w:lang", val="nl-NL", eastAsia="nl-NL", bidi="ar-SA")
        pf = normal.paragraph_format
        pf.space_before = Pt(0)
        pf.space_after = Pt(5)
        pf.line_spacing = 1.12
        # docDefaults too, so tables and headers without a style get the same font.
        defaults = self.doc.styles.element.find(qn("w:docDefaults"))
        if defaults is not None:
            drpr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
            _fonts(_set(drpr, "w:rFonts"))
            _set(drpr, "w:lang", val="nl-NL", eastAsia="nl-NL", bidi="ar-SA")

        def heading(name: str, size: float, before: float, after: float, color=ACCENT) -> None:
            s = st[name]
            s.font.name = FONT
            s.font.size = Pt(size)
            s.font.bold = True
            s.font.italic = False
            s.font.color.rgb = color
            r = s.element.get_or_add_rPr()
            _fonts(_set(r, "w:rFonts"))
            s.paragraph_format.space_before = Pt(before)
            s.paragraph_format.space_after = Pt(after)
            s.paragraph_format.keep_with_next = True
            s.paragraph_format.line_spacing = 1.0

        heading("Heading 1", 13, 14, 5)
        heading("Heading 2", 11, 9, 3)
        heading("Heading 3", 10.5, 7, 2, color=TEXT)

        title = st["Title"]
        title.font.name = FONT
        title.font.size = Pt(22)
        title.font.bold = False
        title.font.color.rgb = ACCENT
        tr = title.element.get_or_add_rPr()
        _fonts(_set(tr, "w:rFonts"))
        # The default Title style has a bottom border and a large spacing; replace its pPr.
        ppr = title.element.find(qn("w:pPr"))
        if ppr is not None:
            title.element.remove(ppr)
        title.paragraph_format.space_before = Pt(0)
        title.paragraph_format.space_after = Pt(2)
        title.paragraph_format.keep_with_next = True
        tr_sp = tr.find(qn("w:spacing"))
        if tr_sp is not None:
            tr_sp.getparent().remove(tr_sp)

        sub = st["Subtitle"]
        _drop(sub.element, "w:pPr/w:numPr")
        _drop(sub.element, "w:rPr/w:spacing")
        sub.font.name = FONT
        sub.font.size = Pt(11)
        sub.font.italic = False
        sub.font.color.rgb = MUTED
        sr = sub.element.get_or_add_rPr()
        _fonts(_set(sr, "w:rFonts"))
        sub.paragraph_format.space_before = Pt(0)
        sub.paragraph_format.space_after = Pt(10)

        table_text = st.add_style("Tabeltekst", WD_STYLE_TYPE.PARAGRAPH)
        table_text.base_style = normal
        table_text.font.size = Pt(9.5)
        table_text.paragraph_format.space_after = Pt(0)
        table_text.paragraph_format.line_spacing = 1.05

        note = st.add_style("Toelichting", WD_STYLE_TYPE.PARAGRAPH)
        note.base_style = normal
        note.font.size = Pt(SMALL_PT)
        note.font.color.rgb = MUTED
        note.paragraph_format.space_after = Pt(4)

        label = st.add_style("Veldnaam", WD_STYLE_TYPE.PARAGRAPH)
        label.base_style = normal
        label.font.bold = True
        label.paragraph_format.space_before = Pt(4)
        label.paragraph_format.space_after = Pt(1)
        label.paragraph_format.keep_with_next = True

        for name in ("Header", "Footer"):
            s = st[name]
            # The default styles carry centre/right tab stops for Letter paper; our own right
            # tab stop sits on the A4 text edge.
            _drop(s.element, "w:pPr/w:tabs")
            s.font.size = Pt(8.5)
            s.font.color.rgb = MUTED
            s.paragraph_format.space_after = Pt(0)
            s.paragraph_format.line_spacing = 1.0

        bullet = st["List Bullet"]
        bullet.font.name = FONT
        bullet.paragraph_format.space_after = Pt(2)

    def _page(self) -> None:
        s = self.doc.sections[0]
        s.page_width, s.page_height = PAGE_W, PAGE_H
        s.left_margin = s.right_margin = MARGIN_LR
        s.top_margin, s.bottom_margin = MARGIN_TOP, MARGIN_BOTTOM
        s.header_distance, s.footer_distance = HEADER_DIST, FOOTER_DIST
        s.start_type = WD_SECTION.NEW_PAGE

    def _properties(self, titel: str) -> None:
        cp = self.doc.core_properties
        cp.title = f"{titel} – {{{{ werknemer.naam }}}}"
        cp.subject = "Re-integratiedossier {{ dossiernummer }}"
        cp.author = "{{ werkgever.naam }}"
        cp.keywords = "Wet verbetering poortwachter"
        cp.comments = ""
        cp.category = "Re-integratie"
        cp.language = "nl-NL"
        cp.last_modified_by = "dossier"
        cp.revision = 1
        cp.created = cp.modified = FIXED_DATE
        cp.last_printed = FIXED_DATE

    def _strip_package_extras(self) -> None:
        """Drop python-docx's sample thumbnail (it would show a foreign preview in Explorer)."""
        pkg = self.doc.part.package
        for rid, rel in list(pkg.rels.items()):
            if rel.reltype.endswith("/thumbnail"):
                del pkg.rels[rid]

    def _header_footer(self, kort: str, datum_tag: str | None) -> None:
        s = self.doc.sections[0]
        s.different_first_page_header_footer = False
        hp = s.header.paragraphs[0]
        hp.style = self.doc.styles["Header"]
        hp.paragraph_format.tab_stops.add_tab_stop(Mm(TEXT_W_MM), WD_TAB_ALIGNMENT.RIGHT)
        r = hp.add_run("{{ werkgever.naam }}")
        r.bold = True
        hp.add_run("\t")
        hp.add_run("Dossiernummer ")
        hp.add_run("{{ dossiernummer }}")
        hp2 = s.header.add_paragraph(style="Header")
        hp2.paragraph_format.tab_stops.add_tab_stop(Mm(TEXT_W_MM), WD_TAB_ALIGNMENT.RIGHT)
        hp2.add_run("Werknemer: ")
        hp2.add_run("{{ werknemer.naam }}")
        hp2.add_run("\t")
        hp2.add_run("BSN ")
        hp2.add_run("{{ werknemer.bsn|invul(tekens=12) }}")
        hp2.paragraph_format.space_after = Pt(0)
        paragraph_border(hp2, "bottom", RULE, 4)

        fp = s.footer.paragraphs[0]
        fp.style = self.doc.styles["Footer"]
        fp.paragraph_format.tab_stops.add_tab_stop(Mm(TEXT_W_MM), WD_TAB_ALIGNMENT.RIGHT)
        paragraph_border(fp, "top", RULE, 4)
        fp.add_run(kort)
        if datum_tag:
            fp.add_run("{% if " + datum_tag + " %}")
            fp.add_run(" van ")
            fp.add_run("{{ " + datum_tag + "|datum }}")
            fp.add_run("{% endif %}")
        fp.add_run(" · ")
        fp.add_run("{{ werknemer.naam }}")
        fp.add_run("\t")
        fp.add_run("Pagina ")
        add_field(fp, "PAGE")
        fp.add_run(" van ")
        add_field(fp, "NUMPAGES")

    # content helpers
    def _new_paragraph(self, style: str | None = None) -> Any:
        if self._first is not None:
            p, self._first = self._first, None
            if style:
                p.style = self.doc.styles[style]
            return p
        return self.doc.add_paragraph(style=style)

    def runs(self, p: Any, parts: Iterable[Part]) -> None:
        for part in parts:
            text, fmt = (part, "") if isinstance(part, str) else part
            r = p.add_run(text)
            if "b" in fmt:
                r.bold = True
            if "i" in fmt:
                r.italic = True
            if "muted" in fmt:
                r.font.color.rgb = MUTED
            if "small" in fmt:
                r.font.size = Pt(SMALL_PT)

    def p(self, *parts: Part, style: str | None = None, after: float | None = None,
          keep: bool = False, align: Any = None) -> Any:
        par = self._new_paragraph(style)
        self.runs(par, parts)
        if after is not None:
            par.paragraph_format.space_after = Pt(after)
        if keep:
            par.paragraph_format.keep_with_next = True
        if align is not None:
            par.alignment = align
        return par

    def tag(self, tag: str) -> Any:
        """A paragraph holding only a ``{%p … %}`` tag (docxtpl removes the paragraph)."""
        return self.p(tag)

    def title(self, text: str | Sequence[Part], subtitle: Sequence[Part] | str) -> None:
        self.p(*([text] if isinstance(text, str) else text), style="Title")
        self.p(*([subtitle] if isinstance(subtitle, str) else subtitle), style="Subtitle")

    def h1(self, text: str) -> None:
        self.p(text, style="Heading 1")

    def h2(self, text: str) -> None:
        self.p(text, style="Heading 2")

    def h3(self, *parts: Part) -> None:
        self.p(*parts, style="Heading 3")

    def field(self, label: str, value_tag: str, regels: int = 3, note: str | None = None) -> None:
        """A bold label with a (multi-line) text value, or fill-in lines when it is empty."""
        self.p(label, style="Veldnaam")
        if note:
            self.p(note, style="Toelichting", after=2, keep=True)
        self.p("{{ " + value_tag + f"|invul({regels}) }}}}")

    def optional_field(self, label: str, value_tag: str) -> None:
        """Label and text only when the value exists (no stray label otherwise)."""
        self.tag("{%p if " + value_tag + " %}")
        self.p(label, style="Veldnaam")
        self.p("{{ " + value_tag + " }}")
        self.tag("{%p endif %}")

    def note(self, *parts: Part) -> None:
        self.p(*parts, style="Toelichting")

    def spacer(self, pt: float = 4) -> None:
        par = self.p("")
        par.paragraph_format.space_after = Pt(0)
        par.paragraph_format.line_spacing = Pt(pt)

    # tables
    def _cell_text(self, cell: Any, parts: Sequence[Part] | str, style: str = "Tabeltekst",
                   align: Any = None) -> None:
        par = cell.paragraphs[0]
        par.style = self.doc.styles[style]
        if align is not None:
            par.alignment = align
        self.runs(par, [parts] if isinstance(parts, str) else parts)

    def _cell_lines(self, cell: Any, lines: Sequence[Sequence[Part] | str]) -> None:
        """Several paragraphs in one cell; a str starting with ``{%p`` is a tag paragraph."""
        first = True
        for line in lines:
            par = cell.paragraphs[0] if first else cell.add_paragraph()
            first = False
            par.style = self.doc.styles["Tabeltekst"]
            self.runs(par, [line] if isinstance(line, str) else line)

    def _table(self, rows: int, widths: Sequence[float]) -> Any:
        if self._first is not None:
            # Keep document order: the held paragraph must come before the table.
            self.spacer()
        t = self.doc.add_table(rows=rows, cols=len(widths))
        t.alignment = WD_TABLE_ALIGNMENT.LEFT
        fixed_layout(t, widths)
        cell_margins(t)
        return t

    def gegevens(self, rows: Sequence[Sequence[Sequence[Part] | str]],
                 widths: Sequence[float] = (30, 50, 34, 46)) -> None:
        """The data block under the title: label | value (| label | value) rows.

        A row may be ``("tr", tag)`` for a ``{%tr … %}`` control row.
        """
        t = self._table(len(rows), widths)
        table_borders(t, inside_v=False, outer=False)
        for row, cells in zip(t.rows, rows, strict=True):
            if cells and cells[0] == "tr":
                self._cell_text(row.cells[0], str(cells[1]))
                continue
            row_props(row)
            for i, content in enumerate(cells):
                cell = row.cells[i]
                if i % 2 == 0:
                    shade(cell, LABEL_FILL)
                    self._cell_text(cell, [(content, "b")] if isinstance(content, str) else content)
                elif isinstance(content, list):
                    self._cell_lines(cell, content)
                else:
                    self._cell_text(cell, content)
        self.spacer(6)

    def data_table(self, headers: Sequence[str], cells: Sequence[Sequence[Part] | str], *, loop: str,
                   empty_if: str | None, widths: Sequence[float], empty_rows: int = 3,
                   empty_text: str | None = None, align_last_right: bool = False) -> None:
        """A header row, then one row per item (``{%tr for %}``), then fill-in rows when empty.

        Args:
            headers: column titles.
            cells: the content of each column for one item (runs; use :func:`e` for a tag).
            loop: the ``for`` clause, e.g. ``a in plan_van_aanpak.activiteiten``.
            empty_if: condition for printing empty rows (None: never).
            widths: column widths in mm.
            empty_rows: number of blank rows for writing in by hand.
            empty_text: instead of blank rows, one merged row with this text.
            align_last_right: right-align the last column (amounts).
        """
        extra = 0 if empty_if is None else (2 + (1 if empty_text else empty_rows))
        t = self._table(1 + 3 + extra, widths)
        table_borders(t)
        hdr = t.rows[0]
        row_props(hdr, header=True)
        for i, h in enumerate(headers):
            shade(hdr.cells[i], HEAD_FILL)
            self._cell_text(hdr.cells[i], [(h, "b")])
        self._cell_text(t.rows[1].cells[0], "{%tr for " + loop + " %}")
        body = t.rows[2]
        row_props(body)
        for i, content in enumerate(cells):
            right = align_last_right and i == len(cells) - 1
            if isinstance(content, list) and content and isinstance(content[0], list):
                self._cell_lines(body.cells[i], content)  # several paragraphs
            else:
                self._cell_text(body.cells[i], content,
                                align=WD_ALIGN_PARAGRAPH.RIGHT if right else None)
        self._cell_text(t.rows[3].cells[0], "{%tr endfor %}")
        if empty_if is not None:
            self._cell_text(t.rows[4].cells[0], "{%tr if " + empty_if + " %}")
            if empty_text:
                row = t.rows[5]
                merged = row.cells[0].merge(row.cells[len(widths) - 1])
                self._cell_text(merged, [(empty_text, "i")])
                row_props(row)
            else:
                for k in range(empty_rows):
                    row_props(t.rows[5 + k], height_mm=8)
            self._cell_text(t.rows[-1].cells[0], "{%tr endif %}")
        self.spacer(6)

    def signatures(self, parties: Sequence[tuple[str, Sequence[Sequence[Part] | str], str]]) -> None:
        """Signature blocks side by side: title, name/function lines, date and a signing line.

        Each party is (title, lines, date tag): the date prints when the party signed (from
        ``ondertekening``), a fill-in line when not.

        Three rows (details, signing space with a rule, caption) keep the signing lines of all
        parties level even when a long function wraps in one column.
        """
        n = len(parties)
        gap = 8
        w = (TEXT_W_MM - gap * (n - 1)) / n
        widths: list[float] = []
        for i in range(n):
            widths.append(w)
            if i < n - 1:
                widths.append(gap)
        t = self._table(3, widths)
        no_borders(t)
        details, space, caption = t.rows
        for row in t.rows:
            row_props(row)
        row_props(space, cant_split=False, height_mm=16)
        for i, (titel, lines, datum_tag) in enumerate(parties):
            col = i * 2
            self._cell_lines(details.cells[col], [[(titel, "b")], *lines,
                                                  ["Datum: ", f"{{{{ {datum_tag}|datum|invul(tekens=14) }}}}"]])
            cell_border(space.cells[col], "bottom", "595959")
            self._cell_text(caption.cells[col], [("handtekening", "muted small")])
        for row in t.rows[:2]:
            for cell in row.cells:
                for par in cell.paragraphs:
                    par.paragraph_format.keep_with_next = True
                    par.paragraph_format.space_after = Pt(2)
        self.spacer(2)

    def save(self, path: Path) -> None:
        import io

        roots = [self.doc.element, self.doc.styles.element]
        for section in self.doc.sections:
            roots += [section.header._element, section.footer._element]
        for root in roots:
            schema_order(root)
        buf = io.BytesIO()
        self.doc.save(buf)
        path.write_bytes(normalize_docx(buf.getvalue()))


# --- shared blocks ---------------------------------------------------------------------------

def e(expr: str) -> str:
    """``{{ expr }}`` as one run."""
    return "{{ " + expr + " }}"


def datum_week(tag: str) -> list[Sequence[Part] | str]:
    """Date on one line, "ziekteweek n" below it (for the narrow data block)."""
    return [["{{ " + tag + "|datum|invul(tekens=14) }}"],
            "{%p if " + tag + " %}",
            [("{{ " + tag + "|verzuimweek }}", "muted")],
            "{%p endif %}"]


def persoon_regels(tag: str) -> list[Sequence[Part] | str]:
    """Name and function on one line; phone and e-mail only when known (no stray labels)."""
    return [["{{ " + tag + "|naam_functie|invul(tekens=14) }}"],
            "{%p if " + tag + ".organisatie %}",
            [("{{ " + tag + ".organisatie }}", "muted")],
            "{%p endif %}"]


def adres_regels(tag: str) -> list[Sequence[Part] | str]:
    return [["{{ " + tag + ".adres|invul(tekens=14) }}"],
            "{%p if " + tag + ".postcode or " + tag + ".plaats %}",
            ["{{ " + tag + ".postcode }}", " ", "{{ " + tag + ".plaats }}"],
            "{%p endif %}"]


def basis_gegevens(b: Builder, datum_label: str, datum_tag: str,
                   extra: Sequence[Sequence[Sequence[Part] | str]] = ()) -> None:
    """The dated title block shared by all documents: who, which employer, which dates."""
    rows: list[Sequence[Sequence[Part] | str]] = [
        ["Werknemer", "{{ werknemer.naam }}", "Werkgever", "{{ werkgever.naam }}"],
        ["BSN", "{{ werknemer.bsn|invul(tekens=14) }}", "Loonheffingen­nummer",
         "{{ werkgever.loonheffingennummer|invul(tekens=14) }}"],
        ["Geboortedatum", "{{ werknemer.geboortedatum|datum|invul(tekens=14) }}",
         "Dossiernummer", "{{ dossiernummer }}"],
        ["Functie", "{{ werknemer.functie|invul(tekens=14) }}",
         "Eerste ziektedag", "{{ eerste_ziektedag|datum }}"],
        [datum_label, datum_week(datum_tag), "Casemanager", persoon_regels("casemanager")],
        *extra,
    ]
    b.gegevens(rows)


def visies(b: Builder, obj: str, nummer: int) -> int:
    """Both parties' views, headed as the Regeling procesgang words them (no legal note in the output:
    that the views are required since 1 July 2023 is for ``dossier check`` and docs/templates.md)."""
    b.h1(f"{nummer}. Visie van de werkgever op de re-integratie")
    b.p("{{ " + obj + ".visie_werkgever|invul(4) }}")
    b.h1(f"{nummer + 1}. Visie van de werknemer op de re-integratie")
    b.p("{{ " + obj + ".visie_werknemer|invul(4) }}")
    return nummer + 2


def ondertekening(b: Builder, nummer: int, tekst: str, derde: tuple[str, str] | None = None) -> None:
    b.h1(f"{nummer}. Ondertekening")
    b.p(tekst, keep=True)
    # Fill-in lines must fit the column: two columns of 76 mm or three of 48 mm.
    naam, functie = (13, 12) if derde else (22, 21)
    parties: list[tuple[str, Sequence[Sequence[Part] | str], str]] = [
        ("Namens de werkgever", [
            ["Naam: ", f"{{{{ werkgever.contactpersoon.naam|invul(tekens={naam}) }}}}"],
            ["Functie: ", f"{{{{ werkgever.contactpersoon.functie|invul(tekens={functie}) }}}}"],
        ], "ondertekening.werkgever"),
        ("Werknemer", [
            ["Naam: ", "{{ werknemer.naam }}"],
            ["Functie: ", f"{{{{ werknemer.functie|invul(tekens={functie}) }}}}"],
        ], "ondertekening.werknemer"),
    ]
    if derde:
        titel, tag = derde
        parties.append((titel, [
            ["Naam: ", f"{{{{ {tag}.naam|invul(tekens={naam}) }}}}"],
            ["Functie: ", f"{{{{ {tag}.functie|invul(tekens={functie}) }}}}"],
        ], "ondertekening.reintegratiebedrijf"))
    b.signatures(parties)


def activiteiten_tabel(b: Builder, lijst: str) -> None:
    b.data_table(["Wie", "Wat", "Termijn"], [e("a.wie"), e("a.wat"), e("a.termijn|datum_kort")],
                 loop=f"a in {lijst}", empty_if=f"not {lijst}", widths=(34, 91, 35))


# --- the documents ---------------------------------------------------------------------------


def plan_van_aanpak() -> Builder:
    b = Builder("Plan van aanpak", "Plan van aanpak", datum_tag="plan_van_aanpak.datum")
    b.title("Plan van aanpak", "Re-integratie bij ziekte volgens de Wet verbetering poortwachter")
    basis_gegevens(b, "Datum plan", "plan_van_aanpak.datum", extra=[
        ["Adres werknemer", adres_regels("werknemer"), "Bedrijfsarts", persoon_regels("bedrijfsarts")],
    ])

    b.h1("1. Probleemanalyse")
    b.p("Dit plan van aanpak is gebaseerd op de probleemanalyse van ",
        "{{ probleemanalyse.datum|datum|invul(tekens=14) }}", " door ",
        "{{ probleemanalyse.opgesteld_door|naam_functie(true)|invul }}", ".")
    b.tag("{%p if probleemanalyse.bijstellingen %}")
    b.p("De probleemanalyse is bijgesteld op ",
        "{{ probleemanalyse.bijstellingen|map(attribute='datum')|map('datum')|opsomming }}", ".")
    b.tag("{%p endif %}")
    b.optional_field("Mogelijkheden en beperkingen (belastbaarheid)", "probleemanalyse.belastbaarheid")
    b.optional_field("Prognose", "probleemanalyse.prognose")
    b.optional_field("Advies van de bedrijfsarts", "probleemanalyse.advies")
    b.note("Dit plan bevat geen medische gegevens: het gaat over wat de werknemer wel en niet kan "
           "en over de afspraken om weer aan het werk te gaan.")

    b.h1("2. Re-integratiedoel")
    b.field("Doel op korte termijn", "plan_van_aanpak.doel_kort", 2)
    b.field("Doel op lange termijn (einddoel)", "plan_van_aanpak.doel_lang", 2)
    b.tag("{%p if plan_van_aanpak.spoor %}")
    b.p(("{{ plan_van_aanpak.spoor|hoofdletter }}", "b"))
    b.tag("{%p endif %}")

    b.h1("3. Activiteiten en afspraken")
    b.p("Werkgever en werknemer spreken de volgende activiteiten af: wie doet wat, en wanneer.",
        keep=True)
    activiteiten_tabel(b, "plan_van_aanpak.activiteiten")
    b.optional_field("Overige afspraken", "plan_van_aanpak.afspraken")

    b.h1("4. Casemanager")
    b.p("De casemanager begeleidt de re-integratie namens de werkgever en is het aanspreekpunt "
        "voor de werknemer.")
    b.p(("Casemanager: ", "b"), "{{ casemanager|naam_functie(true)|invul(tekens=30) }}", after=1)
    b.tag("{%p if casemanager.telefoon %}")
    b.p(("Telefoon: ", "b"), "{{ casemanager.telefoon }}", after=1)
    b.tag("{%p endif %}")
    b.tag("{%p if casemanager.email %}")
    b.p(("E-mail: ", "b"), "{{ casemanager.email }}", after=1)
    b.tag("{%p endif %}")

    b.h1("5. Contact en evaluatie")
    b.field("Afspraken over het contact", "plan_van_aanpak.contactfrequentie", 2)
    b.p("Werkgever en werknemer evalueren dit plan minstens eens per zes weken en stellen het bij "
        "als dat nodig is. De eerstejaarsevaluatie vindt uiterlijk plaats op ",
        "{{ termijnen.eerstejaarsevaluatie.uiterlijk|datum }}", " (einde van ziekteweek 52).")
    b.p("Geplande evaluatiemomenten", style="Veldnaam")
    b.tag("{%p for d in plan_van_aanpak.evaluatiemomenten %}")
    b.p("{{ d|datum }}", "{% if d|week %}", " (", "{{ d|verzuimweek }}", ")", "{% endif %}",
        style="List Bullet")
    b.tag("{%p endfor %}")
    b.tag("{%p if not plan_van_aanpak.evaluatiemomenten %}")
    b.p("{{ None|invul(3, 40) }}")
    b.tag("{%p endif %}")

    n = visies(b, "plan_van_aanpak", 6)
    ondertekening(b, n, "Werkgever en werknemer hebben dit plan van aanpak samen opgesteld en "
                        "ondertekenen het voor akkoord.")
    return b


def bijstelling_plan_van_aanpak() -> Builder:
    b = Builder("Bijstelling plan van aanpak", "Bijstelling plan van aanpak",
                datum_tag="bijstelling.datum")
    b.title("Bijstelling plan van aanpak",
            ["{% if bijstelling.nummer %}", "Bijstelling ", "{{ bijstelling.nummer }}", " · ",
             "{% endif %}", "Re-integratie bij ziekte volgens de Wet verbetering poortwachter"])
    basis_gegevens(b, "Datum bijstelling", "bijstelling.datum", extra=[
        ["Bijstelling van", [["{% if bijstelling.nummer and bijstelling.nummer > 1 %}", "bijstelling van ",
                        "{% else %}", "plan van aanpak van ", "{% endif %}",
                        "{{ bijstelling.vorige_datum|datum|invul(tekens=14) }}"]],
         "Bedrijfsarts", persoon_regels("bedrijfsarts")],
    ])

    b.h1("1. Aanleiding en reden")
    b.field("Waarom wordt het plan van aanpak bijgesteld?", "bijstelling.reden", 3)
    b.tag("{%p if bijstelling.probleemanalyse %}")
    b.p(("Bijgestelde probleemanalyse", "b"), style="Veldnaam")
    b.p("De bedrijfsarts heeft de probleemanalyse bijgesteld op ",
        "{{ bijstelling.probleemanalyse.datum|datum }}", " (",
        "{{ bijstelling.probleemanalyse.opgesteld_door|naam_functie }}", ").")
    b.tag("{%p endif %}")
    b.tag("{%p if bijstelling.probleemanalyse.toelichting %}")
    b.p("{{ bijstelling.probleemanalyse.toelichting }}")
    b.tag("{%p endif %}")

    b.h1("2. Wat verandert er")
    b.field("Wijzigingen in het plan van aanpak", "bijstelling.wijzigingen", 3)
    b.optional_field("Verslag van het gesprek", "bijstelling.verslag")

    b.h1("3. Nieuwe of gewijzigde activiteiten")
    activiteiten_tabel(b, "bijstelling.activiteiten")
    b.p("De overige afspraken uit het plan van aanpak blijven van kracht.", style="Toelichting")

    b.h1("4. Evaluatie")
    b.p("De volgende evaluatie vindt uiterlijk plaats op ",
        "{{ bijstelling.volgende_evaluatie|datum|invul(tekens=14) }}",
        "{% if bijstelling.volgende_evaluatie|week %}", " (",
        "{{ bijstelling.volgende_evaluatie|verzuimweek }}", ")", "{% endif %}",
        ". Werkgever en werknemer evalueren het plan minstens eens per zes weken.")

    n = visies(b, "bijstelling", 5)
    ondertekening(b, n, "Werkgever en werknemer hebben deze bijstelling samen opgesteld en "
                        "ondertekenen deze bijstelling voor akkoord.")
    return b


def evaluatieverslag() -> Builder:
    b = Builder("Evaluatieverslag", "Evaluatieverslag", datum_tag="evaluatieverslag.datum")
    b.title("Evaluatieverslag",
            ["{% if evaluatieverslag.nummer %}", "Evaluatie ", "{{ evaluatieverslag.nummer }}", " · ",
             "{% endif %}", "Evaluatie van het plan van aanpak"])
    basis_gegevens(b, "Datum evaluatie", "evaluatieverslag.datum", extra=[
        ["Plan van aanpak", "{{ plan_van_aanpak.datum|datum|invul(tekens=14) }}",
         "Bedrijfsarts", persoon_regels("bedrijfsarts")],
    ])

    b.h1("1. Aanwezig")
    b.field("Wie waren bij het gesprek?", "evaluatieverslag.aanwezig", 2)

    b.h1("2. Verloop sinds de vorige evaluatie")
    b.field("Wat is besproken en hoe gaat het?", "evaluatieverslag.verslag", 4)

    b.h1("3. Voortgang per afgesproken activiteit")
    b.tag("{%p if evaluatieverslag.afgesproken_activiteiten or not evaluatieverslag %}")
    b.data_table(["Afgesproken in", "Wie", "Wat", "Termijn", "Voortgang"],
                 [[[e("a.bron")], [(e("a.datum|datum_kort"), "muted")]],
                  e("a.wie"), e("a.wat"), e("a.termijn|datum_kort"), e("a.stand|invul(tekens=10)")],
                 loop="a in evaluatieverslag.afgesproken_activiteiten",
                 empty_if="not evaluatieverslag",
                 widths=(29, 24, 56, 21, 30))
    b.tag("{%p else %}")
    b.p(("Er lopen geen afgesproken activiteiten meer: eerdere verslagen melden ze als afgerond.", "i"),
        style="Toelichting")
    b.tag("{%p endif %}")

    b.h1("4. Belastbaarheid")
    b.tag("{%p if evaluatieverslag.belastbaarheid %}")
    b.p("{{ evaluatieverslag.belastbaarheid }}")
    b.tag("{%p elif evaluatieverslag.probleemanalyse_datum %}")
    b.p("Ongewijzigd: zoals de bedrijfsarts die gaf op ",
        "{{ evaluatieverslag.probleemanalyse_datum|datum }}", ".")
    b.tag("{%p else %}")
    b.p("{{ None|invul(2) }}")
    b.tag("{%p endif %}")

    b.h1("5. Afspraken")
    b.field("Wat is in dit gesprek afgesproken?", "evaluatieverslag.afspraken", 3)

    n = visies(b, "evaluatieverslag", 6)
    b.h1(f"{n}. Volgende evaluatie")
    b.p("De volgende evaluatie is op ",
        "{{ evaluatieverslag.volgende_evaluatie|datum|invul(tekens=14) }}",
        "{% if evaluatieverslag.volgende_evaluatie|week %}", " (",
        "{{ evaluatieverslag.volgende_evaluatie|verzuimweek }}", ")", "{% endif %}", ".")
    ondertekening(b, n + 1, "Werkgever en werknemer hebben het plan van aanpak samen geëvalueerd en "
                            "ondertekenen dit verslag voor gezien.")
    return b


def oordeel_werknemer() -> Builder:
    b = Builder("Oordeel werknemer", "Oordeel werknemer", datum_tag="oordeel_werknemer.datum")
    b.title("Oordeel van de werknemer", "Over de re-integratie en het re-integratieverslag")
    basis_gegevens(b, "Datum", "oordeel_werknemer.datum", extra=[
        ["Eindevaluatie", "{{ eindevaluatie.datum|datum|invul(tekens=14) }}",
         "Adres werknemer", adres_regels("werknemer")],
    ])

    b.h1("1. Oordeel over de re-integratie")
    b.field("Wat vindt de werknemer van de re-integratie-inspanningen van werkgever en werknemer?",
            "oordeel_werknemer.oordeel", 6)

    b.h1("2. Het re-integratieverslag")
    b.p(("De werknemer is het eens met de inhoud van het re-integratieverslag: ", "b"),
        "{{ oordeel_werknemer.eens_met_riv|ja_nee(onbekend='ja / nee') }}")
    b.field("Toelichting", "oordeel_werknemer.toelichting", 4)

    b.h1("3. Ondertekening")
    b.p("De werknemer heeft dit oordeel zelf gegeven.", keep=True)
    b.signatures([
        ("Werknemer", [
            ["Naam: ", "{{ werknemer.naam }}"],
            ["Functie: ", "{{ werknemer.functie|invul(tekens=21) }}"],
        ], "ondertekening.werknemer"),
    ])
    return b


def trajectplan_tweede_spoor() -> Builder:
    b = Builder("Trajectplan tweede spoor", "Trajectplan tweede spoor",
                datum_tag="tweede_spoor.trajectplan_datum")
    b.title("Trajectplan tweede spoor", "Re-integratie bij een andere werkgever")
    basis_gegevens(b, "Datum trajectplan", "tweede_spoor.trajectplan_datum", extra=[
        # one row: a second one for the consultant alone would leave two empty cells
        ["Start tweede spoor", "{{ tweede_spoor.start|datum|invul(tekens=14) }}",
         "Re-integratie­bedrijf", [["{{ tweede_spoor.bureau|invul(tekens=14) }}"],
                                   "{%p if tweede_spoor.consulent.naam %}",
                                   [("consulent ", "muted"), ("{{ tweede_spoor.consulent|naam_functie }}", "muted")],
                                   "{%p endif %}"]],
    ])

    b.h1("1. Aanleiding")
    b.p("Terugkeer in het eigen werk of in ander passend werk bij de eigen werkgever (spoor 1) is "
        "niet of niet volledig mogelijk. Daarom zoeken werkgever en werknemer ook naar passend werk "
        "bij een andere werkgever (spoor 2).")
    b.tag("{%p if eerstejaarsevaluatie.datum %}")
    b.p("Dit is besloten bij de eerstejaarsevaluatie van ",
        "{{ eerstejaarsevaluatie.datum|datum }}", ".")
    b.tag("{%p endif %}")
    b.tag("{%p if arbeidsdeskundig_onderzoek.datum %}")
    b.p("Het arbeidsdeskundig onderzoek van ", "{{ arbeidsdeskundig_onderzoek.datum|datum }}",
        "{% if arbeidsdeskundig_onderzoek.arbeidsdeskundige.naam %}", " door ",
        "{{ arbeidsdeskundig_onderzoek.arbeidsdeskundige|naam_functie }}", "{% endif %}",
        " is gebruikt voor het zoekprofiel.")
    b.tag("{%p endif %}")

    b.h1("2. Re-integratiedoel")
    b.field("Doel van het traject", "tweede_spoor.doel", 2)

    b.h1("3. Huidige situatie")
    b.field("Situatie bij de start van het traject", "tweede_spoor.huidige_situatie", 3)

    b.h1("4. Persoonsprofiel en zoekprofiel")
    b.field("Persoonsprofiel (ervaring, opleiding, vaardigheden, wensen, beperkingen)",
            "tweede_spoor.persoonsprofiel", 3)
    b.field("Zoekprofiel (realistische functies op de arbeidsmarkt)", "tweede_spoor.zoekprofiel", 3)

    b.h1("5. Soorten activiteiten")
    b.p("Het traject kan de volgende soorten activiteiten omvatten. In de inspanningsrapportages "
        "staat per onderdeel wat er is gedaan.", keep=True)
    b.data_table(["Soort activiteit", "Wat houdt het in"], [e("g.label"), e("g.omschrijving|hoofdletter")],
                 loop="g in tweede_spoor.activiteiten_per_soort", empty_if=None, widths=(62, 98))

    b.h1("6. Stappen en verwachte duur")
    b.tag("{%p for stap in tweede_spoor.stappen %}")
    stap = b.p("{{ loop.index }}", ".\t", "{{ stap }}", after=2)
    stap.paragraph_format.left_indent = Mm(7)
    stap.paragraph_format.first_line_indent = Mm(-7)
    stap.paragraph_format.tab_stops.add_tab_stop(Mm(7))
    b.tag("{%p endfor %}")
    b.tag("{%p if not tweede_spoor.stappen %}")
    b.p("{{ None|invul(4) }}")
    b.tag("{%p endif %}")
    b.p(("Verwachte duur: ", "b"), "{{ tweede_spoor.verwachte_duur|invul(tekens=30) }}")

    b.h1("7. Budget")
    b.p(("Kosten van het traject: ", "b"), "{{ tweede_spoor.budget|bedrag|invul(tekens=16) }}")
    b.p("De consulent rapporteert periodiek over de voortgang in een inspanningsrapportage aan "
        "werkgever en werknemer; de rapportages gaan mee in het re-integratieverslag voor UWV.")

    ondertekening(b, 8, "Werkgever, werknemer en re-integratiebedrijf gaan akkoord met dit "
                        "trajectplan.", derde=("Re-integratiebedrijf", "tweede_spoor.consulent"))
    return b


def inspanningsrapportage() -> Builder:
    b = Builder("Inspanningsrapportage tweede spoor", "Inspanningsrapportage",
                datum_tag="periode.rapportage.datum")
    b.title("Inspanningsrapportage tweede spoor",
            ["Rapportage ", "{{ periode.nummer|invul(tekens=3) }}", " over de periode ",
             "{{ periode.van|datum|invul(tekens=10) }}", " t/m ",
             "{{ periode.tot|datum|invul(tekens=10) }}"])
    b.p(("Voor: ", "b"), "{{ werkgever.naam }}", " (werkgever), ", "{{ werknemer.naam }}",
        " (werknemer) en UWV (als onderdeel van het re-integratieverslag)", after=8)
    basis_gegevens(b, "Datum rapportage", "periode.rapportage.datum", extra=[
        ["Periode", [["{{ periode.van|datum_kort|invul(tekens=6) }}", " t/m ",
                      "{{ periode.tot|datum_kort|invul(tekens=6) }}"],
                     "{%p if periode.van|week and periode.tot|week %}",
                     [("ziekteweek ", "muted"), ("{{ periode.van|week }}", "muted"), (" t/m ", "muted"),
                      ("{{ periode.tot|week }}", "muted")],
                     "{%p endif %}"],
         "Start tweede spoor", "{{ tweede_spoor.start|datum|invul(tekens=14) }}"],
        ["Re-integratie­bedrijf", "{{ tweede_spoor.bureau|invul(tekens=14) }}",
         "Consulent", persoon_regels("tweede_spoor.consulent")],
    ])

    b.h1("1. Re-integratiedoel")
    b.field("Doel van het traject", "tweede_spoor.doel", 2)
    b.optional_field("Zoekprofiel", "tweede_spoor.zoekprofiel")

    b.h1("2. Activiteiten in deze periode")
    b.tag("{%p for g in periode.activiteiten_per_soort %}")
    b.h3("{{ g.label }}")
    b.tag("{%p if g.activiteiten %}")
    b.data_table(["Datum", "Activiteit", "Resultaat"],
                 [e("a.datum|datum_kort"), e("a.omschrijving"), e("a.resultaat")],
                 loop="a in g.activiteiten", empty_if=None, widths=(24, 80, 56))
    b.tag("{%p else %}")
    b.p(("Geen activiteiten op dit onderdeel in deze periode.", "i"), style="Toelichting")
    b.tag("{%p endif %}")
    b.tag("{%p endfor %}")

    b.h1("3. Contacten")
    b.field("Contacten met werknemer, werkgever en andere werkgevers", "periode.rapportage.contacten", 3)

    b.h1("4. Sollicitaties")
    b.data_table(["Datum", "Werkgever", "Functie", "Resultaat"],
                 [e("s.datum|datum_kort"), e("s.werkgever"), e("s.functie"), e("s.resultaat")],
                 loop="s in periode.sollicitaties", empty_if="not periode.sollicitaties",
                 widths=(24, 50, 46, 40), empty_text="Geen sollicitaties in deze periode.")

    b.h1("5. Werkervaringsplaatsen en proefplaatsingen")
    b.data_table(["Werkgever", "Functie", "Periode", "Uren", "Resultaat"],
                 [e("w.werkgever"), e("w.functie"),
                  [e("w.begin|datum_kort"), " – ", e("w.einde|datum_kort|invul(tekens=4)")],
                  e("w.uren_per_week|getal"), e("w.resultaat")],
                 loop="w in periode.werkervaringsplaatsen",
                 empty_if="not periode.werkervaringsplaatsen", widths=(38, 32, 38, 14, 38),
                 empty_text="Geen werkervaringsplaats of proefplaatsing in deze periode.")

    b.h1("6. Resultaten afgezet tegen het doel")
    b.field("Wat heeft de periode opgeleverd, gemeten aan het re-integratiedoel?",
            "periode.rapportage.resultaten", 3)
    b.h1("7. Belemmeringen")
    b.field("Wat staat het vinden van werk in de weg?", "periode.rapportage.belemmeringen", 3)
    b.h1("8. Vervolgstappen")
    b.field("Wat gebeurt er in de volgende periode?", "periode.rapportage.vervolgstappen", 3)
    b.h1("9. Visie van de werknemer op het traject")
    b.field("Hoe kijkt de werknemer tegen het traject in deze periode aan?",
            "periode.rapportage.visie_werknemer", 3)

    b.h1("10. Ondertekening")
    b.p("Opgesteld door de consulent van het re-integratiebedrijf en besproken met werkgever en "
        "werknemer.", keep=True)
    b.signatures([
        ("Re-integratiebedrijf", [
            ["Naam: ", "{{ tweede_spoor.consulent.naam|invul(tekens=14) }}"],
            ["Functie: ", "{{ tweede_spoor.consulent.functie|invul(tekens=13) }}"],
        ], "ondertekening.reintegratiebedrijf"),
        ("Namens de werkgever", [
            ["Naam: ", "{{ werkgever.contactpersoon.naam|invul(tekens=14) }}"],
            ["Functie: ", "{{ werkgever.contactpersoon.functie|invul(tekens=13) }}"],
        ], "ondertekening.werkgever"),
        ("Werknemer", [
            ["Naam: ", "{{ werknemer.naam }}"],
            ["Functie: ", "{{ werknemer.functie|invul(tekens=13) }}"],
        ], "ondertekening.werknemer"),
    ])
    return b


def eerstejaarsevaluatie() -> Builder:
    b = Builder("Eerstejaarsevaluatie", "Eerstejaarsevaluatie", datum_tag="eerstejaarsevaluatie.datum")
    b.title("Eerstejaarsevaluatie", "Evaluatie van het eerste ziektejaar volgens de Wet verbetering "
                                    "poortwachter")
    basis_gegevens(b, "Datum evaluatie", "eerstejaarsevaluatie.datum", extra=[
        ["Periode eerstejaars­evaluatie", [["{{ termijnen.eerstejaarsevaluatie.vanaf|datum_kort }}", " t/m ",
                      "{{ termijnen.eerstejaarsevaluatie.uiterlijk|datum_kort }}"],
                     [("ziekteweek 46 t/m 52", "muted")]],
         "Bedrijfsarts", persoon_regels("bedrijfsarts")],
    ])

    b.h1("1. Terugblik op het eerste ziektejaar")
    b.field("Verloop van de re-integratie en de activiteiten in het eerste jaar",
            "eerstejaarsevaluatie.terugblik", 4)
    b.p("Afgesproken activiteiten", style="Veldnaam")
    b.data_table(["Afgesproken in", "Wie", "Wat", "Termijn", "Status"],
                 [[[e("a.bron")], [(e("a.datum|datum_kort"), "muted")]],
                  e("a.wie"), e("a.wat"), e("a.termijn|datum_kort"), e("a.status")],
                 loop="a in eerstejaarsevaluatie.activiteiten_jaar1",
                 empty_if="not eerstejaarsevaluatie.activiteiten_jaar1",
                 widths=(29, 25, 63, 21, 22))
    b.p("Evaluaties van het plan van aanpak", style="Veldnaam")
    b.tag("{%p for e in eerstejaarsevaluatie.evaluaties_jaar1 %}")
    b.p("{{ e.datum|datum }}", " — ", "{% if e.soort == 'bijstelling' %}",
        "bijstelling van het plan van aanpak", "{% else %}", "evaluatie", "{% endif %}",
        style="List Bullet")
    b.tag("{%p endfor %}")
    b.tag("{%p if not eerstejaarsevaluatie.evaluaties_jaar1 %}")
    b.p(("Er zijn geen evaluaties vastgelegd.", "i"), style="Toelichting")
    b.tag("{%p endif %}")
    b.field("Zijn de afspraken nagekomen?", "eerstejaarsevaluatie.afspraken_nagekomen", 2)
    b.field("Zijn de doelen gehaald? Zo niet, waarom niet?", "eerstejaarsevaluatie.doelen_behaald", 2)

    b.h1("2. Besluit over spoor 1 en spoor 2")
    b.field("Spoor 1: terugkeer in eigen of ander werk bij de eigen werkgever",
            "eerstejaarsevaluatie.spoor1", 2)
    b.p(("Spoor 2 (werk bij een andere werkgever) wordt ingezet: ", "b"),
        "{{ eerstejaarsevaluatie.spoor2_nodig|ja_nee(onbekend='ja / nee') }}")
    b.field("Motivering", "eerstejaarsevaluatie.motivering", 3)
    b.tag("{%p if arbeidsdeskundig_onderzoek %}")
    b.p(("Arbeidsdeskundig onderzoek", "b"), style="Veldnaam")
    b.p("Arbeidsdeskundig onderzoek van ", "{{ arbeidsdeskundig_onderzoek.datum|datum|invul(tekens=14) }}",
        "{% if arbeidsdeskundig_onderzoek.arbeidsdeskundige.naam %}", " door ",
        "{{ arbeidsdeskundig_onderzoek.arbeidsdeskundige|naam_functie }}", "{% endif %}", ".")
    b.tag("{%p endif %}")
    b.tag("{%p if arbeidsdeskundig_onderzoek.conclusie %}")
    b.p("{{ arbeidsdeskundig_onderzoek.conclusie }}")
    b.tag("{%p endif %}")

    b.h1("3. Re-integratiedoel voor het tweede jaar")
    b.field("Doel voor het tweede ziektejaar", "eerstejaarsevaluatie.doel_jaar2", 2)
    b.p("Activiteiten voor het tweede jaar", style="Veldnaam")
    activiteiten_tabel(b, "eerstejaarsevaluatie.activiteiten")

    n = visies(b, "eerstejaarsevaluatie", 4)
    ondertekening(b, n, "Werkgever en werknemer hebben het eerste ziektejaar samen geëvalueerd en "
                        "ondertekenen deze evaluatie voor akkoord.")
    return b


def eindevaluatie() -> Builder:
    b = Builder("Eindevaluatie", "Eindevaluatie", datum_tag="eindevaluatie.datum")
    b.title("Eindevaluatie", "Stand van de re-integratie bij de aanvraag van een WIA-uitkering")
    basis_gegevens(b, "Datum evaluatie", "eindevaluatie.datum", extra=[
        ["Einde wachttijd", "{{ einde_wachttijd|datum }}", "WIA-aanvraag uiterlijk",
         "{{ termijnen.wia_aanvraag.uiterlijk|datum }}"],
    ])

    b.h1("1. Actueel oordeel van de bedrijfsarts")
    b.p("Deze eindevaluatie is gebaseerd op het actueel oordeel van ",
        "{{ actueel_oordeel.datum|datum|invul(tekens=14) }}", " door ",
        "{{ actueel_oordeel.opgesteld_door|naam_functie(true)|invul }}", ".")
    b.optional_field("Huidige mogelijkheden en verloop", "actueel_oordeel.samenvatting")
    b.optional_field("Prognose", "actueel_oordeel.prognose")

    b.h1("2. Verloop van de re-integratie")
    b.p("De belangrijkste stappen in de re-integratie:", keep=True)
    stappen = [
        ("Probleemanalyse", "probleemanalyse.datum"),
        ("Plan van aanpak", "plan_van_aanpak.datum"),
        ("Ziekmelding bij UWV (42e week)", "ziekmelding_uwv.datum"),
        ("Eerstejaarsevaluatie", "eerstejaarsevaluatie.datum"),
        ("Arbeidsdeskundig onderzoek", "arbeidsdeskundig_onderzoek.datum"),
        ("Start tweede spoor", "tweede_spoor.start"),
        ("Actueel oordeel bedrijfsarts", "actueel_oordeel.datum"),
    ]
    t = b._table(1 + len(stappen) + 3, (80, 45, 35))
    table_borders(t)
    hdr = t.rows[0]
    row_props(hdr, header=True)
    for i, h in enumerate(("Stap", "Datum", "Ziekteweek")):
        shade(hdr.cells[i], HEAD_FILL)
        b._cell_text(hdr.cells[i], [(h, "b")])
    for k, (label, tag) in enumerate(stappen, start=1):
        row = t.rows[k]
        row_props(row)
        b._cell_text(row.cells[0], label)
        b._cell_text(row.cells[1], "{{ " + tag + "|datum|invul(tekens=12) }}")
        b._cell_text(row.cells[2], "{{ " + tag + "|week }}")
    k = len(stappen) + 1
    b._cell_text(t.rows[k].cells[0], "{%tr if evaluaties %}")
    row = t.rows[k + 1]
    row_props(row)
    b._cell_text(row.cells[0], "Evaluaties en bijstellingen plan van aanpak")
    b._cell_text(row.cells[1], ["{{ evaluaties|length }}", " keer"])
    b._cell_text(row.cells[2], ["{{ (evaluaties|first).datum|week }}", " t/m ",
                                "{{ (evaluaties|last).datum|week }}"])
    b._cell_text(t.rows[k + 2].cells[0], "{%tr endif %}")
    b.spacer(6)
    b.optional_field("Terugblik", "eindevaluatie.terugblik")
    b.p("Afgesproken activiteiten en hun status", style="Veldnaam")
    b.data_table(["Afgesproken in", "Wie", "Wat", "Termijn", "Status"],
                 [[[e("a.bron")], [(e("a.datum|datum_kort"), "muted")]],
                  e("a.wie"), e("a.wat"), e("a.termijn|datum_kort"), e("a.status|invul(tekens=10)")],
                 loop="a in activiteiten_overzicht", empty_if="not activiteiten_overzicht",
                 widths=(29, 25, 63, 21, 22))

    b.h1("3. Stand van zaken")
    b.field("Stand van de re-integratie op het moment van de WIA-aanvraag",
            "eindevaluatie.stand_van_zaken", 4)

    b.h1("4. Bereikt resultaat")
    b.field("Resultaat in spoor 1 en spoor 2", "eindevaluatie.resultaat", 3)

    b.h1("5. Uren en loon: is het resultaat bevredigend?")
    b.p("Het resultaat is bevredigend als het loon voor het werk dat de werknemer nu doet minstens "
        "65 % is van het loon volgens contract.", keep=True)
    t = b._table(3, (52, 38, 38, 32))
    table_borders(t)
    rows = [("", "Volgens contract", "Nu", "Nu als deel van contract"),
            ("Uren per week", "{{ werknemer.uren_per_week|getal|invul(tekens=6) }}",
             "{{ eindevaluatie.uren_per_week_nu|getal|invul(tekens=6) }}", "uren_percentage"),
            ("Bruto maandloon", "{{ werknemer.bruto_maandloon|bedrag|invul(tekens=10) }}",
             "{{ eindevaluatie.bruto_maandloon_nu|bedrag|invul(tekens=10) }}", "loon_percentage")]
    for k, (row, cells) in enumerate(zip(t.rows, rows, strict=True)):
        row_props(row, header=k == 0)
        for i, text in enumerate(cells):
            if k == 0 or i == 0:
                shade(row.cells[i], HEAD_FILL if k == 0 else LABEL_FILL)
                b._cell_text(row.cells[i], [(text, "b")])
            elif i == 3:
                b._cell_text(row.cells[i], ["{% if eindevaluatie." + text + " is not none %}",
                                            "{{ eindevaluatie." + text + " }}", " %", "{% else %}",
                                            "{{ None|invul(tekens=6) }}", "{% endif %}"])
            else:
                b._cell_text(row.cells[i], text)
    b.spacer(6)
    b.tag("{%p if eindevaluatie.loon_percentage is not none %}")
    b.p(("Uitkomst: ", "b"), "de werknemer verdient nu ", "{{ eindevaluatie.loon_percentage }}",
        " % van het loon volgens contract. ", "{% if eindevaluatie.bevredigend_resultaat %}",
        "Dat is minstens 65 %: een bevredigend resultaat.", "{% else %}",
        "Dat is minder dan 65 %: geen bevredigend resultaat.", "{% endif %}")
    b.tag("{%p else %}")
    b.p(("Uitkomst: ", "b"), "{{ None|invul(tekens=40) }}")
    b.tag("{%p endif %}")

    b.h1("6. Kopie voor de werknemer")
    b.p("De werknemer heeft een kopie van het re-integratieverslag ontvangen op ",
        "{{ eindevaluatie.kopie_riv_werknemer|datum|invul(tekens=14) }}",
        "{% if eindevaluatie.kopie_riv_werknemer|week %}", " (",
        "{{ eindevaluatie.kopie_riv_werknemer|verzuimweek }}", ")", "{% endif %}", ".")

    n = visies(b, "eindevaluatie", 7)
    ondertekening(b, n, "Werkgever en werknemer hebben de re-integratie samen geëvalueerd.")
    return b


def voorblad() -> Builder:
    b = Builder("Re-integratiedossier", "Re-integratiedossier", datum_tag=None, header=False)
    b.spacer(24)
    b.p(("WET VERBETERING POORTWACHTER", "muted small"), after=6)
    b.p("{{ voorblad.titel }}", style="Title").runs[0].font.size = Pt(28)
    b.p("{{ voorblad.ondertitel }}", style="Subtitle")
    b.spacer(12)

    def blok(kop: str, rows: list[tuple[str, str]]) -> None:
        b.p(kop, style="Heading 2")
        t = b._table(len(rows), (55, 105))
        table_borders(t, inside_v=False, outer=False)
        for row, (label, value) in zip(t.rows, rows, strict=True):
            row_props(row)
            shade(row.cells[0], LABEL_FILL)
            b._cell_text(row.cells[0], [(label, "b")], style="Normal")
            b._cell_text(row.cells[1], value, style="Normal")
            for c in row.cells:
                c.paragraphs[0].paragraph_format.space_after = Pt(0)
        b.spacer(5)

    # The basic data UWV looks for in a re-integratieverslag (aard van het bedrijf, functie,
    # contracturen, NAW), so no third-party report is needed to find them.
    blok("Werknemer", [
        ("Naam", "{{ werknemer.naam }}"),
        ("Adres", "{{ werknemer|adres|invul(tekens=14) }}"),
        ("BSN", "{{ werknemer.bsn|invul(tekens=14) }}"),
        ("Geboortedatum", "{{ werknemer.geboortedatum|datum|invul(tekens=14) }}"),
        ("Functie", "{{ werknemer.functie|invul(tekens=14) }}"),
        ("Contracturen per week", "{{ werknemer.uren_per_week|getal|invul(tekens=6) }}"),
        ("Datum in dienst", "{{ werknemer.datum_in_dienst|datum|invul(tekens=14) }}"),
    ])
    blok("Werkgever", [
        ("Naam", "{{ werkgever.naam }}"),
        ("Adres", "{{ werkgever|adres|invul(tekens=14) }}"),
        ("Aard van het bedrijf", "{{ werkgever.sector|invul(tekens=14) }}"),
        ("Loonheffingennummer", "{{ werkgever.loonheffingennummer|invul(tekens=14) }}"),
    ])
    blok("Dossier", [
        ("Dossiernummer", "{{ dossiernummer }}"),
        ("Eerste ziektedag", "{{ eerste_ziektedag|datum }}"),
        ("Einde wachttijd", "{{ einde_wachttijd|datum }} (laatste dag loondoorbetaling)"),
        ("Casemanager", "{{ casemanager|naam_functie|invul(tekens=14) }}"),
        ("Bedrijfsarts", "{{ bedrijfsarts|naam_functie(true)|invul(tekens=14) }}"),
        ("Opgemaakt op", "{{ vandaag|datum }}"),
    ])
    b.spacer(12)
    b.note("Dit dossier bevat geen medische gegevens. Het formulier ‘Medische informatie’ gaat "
           "rechtstreeks van de werknemer of de bedrijfsarts naar UWV, nooit via de werkgever.")
    return b


TEMPLATES = {
    "plan_van_aanpak": plan_van_aanpak,
    "bijstelling_plan_van_aanpak": bijstelling_plan_van_aanpak,
    "trajectplan_tweede_spoor": trajectplan_tweede_spoor,
    "inspanningsrapportage": inspanningsrapportage,
    "evaluatieverslag": evaluatieverslag,
    "eerstejaarsevaluatie": eerstejaarsevaluatie,
    "eindevaluatie": eindevaluatie,
    "oordeel_werknemer": oordeel_werknemer,
    "voorblad": voorblad,
}


# --- docs ------------------------------------------------------------------------------------

DOCS_START = "<!-- BEGIN VARIABELEN (gegenereerd door scripts/make_templates.py) -->"
DOCS_END = "<!-- EINDE VARIABELEN -->"
FILTERS_START = "<!-- BEGIN FILTERS (gegenereerd door scripts/make_templates.py) -->"
FILTERS_END = "<!-- EINDE FILTERS -->"


def filters_markdown() -> str:
    from dossier.render.filters import iter_filter_docs

    lines = ["| Filter | Voorbeeld | Uitkomst | Omschrijving |", "| --- | --- | --- | --- |"]
    for name, info in iter_filter_docs():
        voorbeeld = info.voorbeeld.replace("|", "\\|")
        lines.append(f"| `{name}` | `{voorbeeld}` | {info.uitkomst} | {info.uitleg} |")
    return "\n".join(lines) + "\n"


def _replace_between(text: str, start: str, end: str, body: str) -> str:
    if start not in text or end not in text:
        raise SystemExit(f"{DOCS}: markers {start!r} / {end!r} not found")
    head, rest = text.split(start, 1)
    _, tail = rest.split(end, 1)
    return f"{head}{start}\n{body}{end}{tail}"


def update_docs() -> None:
    from dossier.render.context import contract_markdown

    text = DOCS.read_text(encoding="utf-8")
    text = _replace_between(text, DOCS_START, DOCS_END, contract_markdown())
    text = _replace_between(text, FILTERS_START, FILTERS_END, filters_markdown())
    DOCS.write_text(text, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=OUT_DIR, help="output folder (templates_nl/)")
    ap.add_argument("--no-docs", action="store_true", help="do not regenerate docs/templates.md")
    args = ap.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    for name, build in TEMPLATES.items():
        path = args.out / f"{name}.docx"
        build().save(path)
        print(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)
    if not args.no_docs and DOCS.exists():
        update_docs()
        print(DOCS.relative_to(ROOT))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

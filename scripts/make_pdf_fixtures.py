"""Generate the PDF fixtures in tests/data/pdf_fixtures/ — PDFs made by OTHER tools.

The point of these fixtures is robustness against real-world input, so each one is produced by
the tool that produces such files in practice, not by dossier itself. The generated files are
shipped with the repository: the tests do not need TeX, LibreOffice or qpdf to *make* them.

Needs (only to regenerate): pdflatex with hyperref (Debian: texlive-latex-base,
texlive-latex-recommended), LibreOffice (soffice), qpdf, and the Python packages Pillow and
pypdf. Run from the repository root::

    .venv/bin/python scripts/make_pdf_fixtures.py

How each fixture is made:

======================================  =====================================================
pdftex_outline.pdf                      pdfTeX + hyperref, 3 pages, nested outline (sections and
                                        subsections), an internal \\ref link to a named
                                        destination (``section.3``-style names every LaTeX
                                        document shares).
formulier_ingevuld.pdf                  LibreOffice Writer form (flat ODT) exported to PDF: a
                                        filled text field "Sandra Kuipers" and a ticked check
                                        box, both with appearance streams (/AcroForm).
formulier_zonder_weergave.pdf           The same form after a filler that sets /V but writes
                                        no appearance (pypdf edit: /AP removed, value
                                        "Werkhervatting 50% per 1 maart", /NeedAppearances).
gedraaid_liggend.pdf                    LibreOffice, 6 pages (4 portrait, 2 landscape), then
                                        qpdf --rotate: p2 /Rotate 90, p3 180, p4 270, p5
                                        landscape unrotated, p6 landscape with /Rotate 90.
pdfa.pdf                                LibreOffice export with SelectPdfVersion=2 (PDF/A-2b).
scan_zonder_tekst.pdf                   Pillow: a 2-page "scanned letter" (grey JPEG images at
                                        100 dpi) saved as PDF — no text layer at all.
versleuteld_leeg_wachtwoord.pdf         qpdf --encrypt, RC4 128-bit, EMPTY user password
                                        (owner password "eigenaar"): opens without asking.
versleuteld_wachtwoord.pdf              qpdf --encrypt, AES-256, user password "geheim".
beschadigd.pdf                          A LibreOffice PDF cut off after its first 30% of bytes
                                        (qpdf cannot rebuild it either: no trailer is left).
xref_vernield.pdf                       The same LibreOffice PDF with its xref table, trailer and
                                        startxref overwritten by '%' bytes: pypdf refuses it,
                                        qpdf (pikepdf) reconstructs it from the objects.
formulier_kort.pdf                      LibreOffice form whose only page text is two short labels
                                        ("Naam:", "Datum:"), fields filled — a form, not a scan.
arabisch.pdf                            LibreOffice, one short right-to-left line in Arabic (DejaVu
                                        Sans, 16 letters) — text, not a scan.
leeg.pdf                                Zero bytes.
geen_pdf.pdf                            An HTML error page saved with a .pdf name (happens with
                                        downloads from expired portal sessions).
mediabox_offset.pdf                     Hand-written PDF syntax: p1 MediaBox [100 200 695 1042]
                                        (origin not at 0,0), p2 Letter with CropBox inset by 1
                                        inch, p3 MediaBox [-300 -420 300 420] + CropBox + /Rotate
                                        90.
gedeelde_objecten.pdf                   Hand-written PDF syntax: the page tree lists one page
                                        object twice, two pages share one content stream, and
                                        /MediaBox, /Resources and /Rotate 90 are inherited from
                                        the /Pages node (the last page overrides /Rotate 0).
======================================  =====================================================
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "tests" / "data" / "pdf_fixtures"

# pdfTeX honours these: fixed dates and /ID, so regenerating gives the same file.
TEX_ENV = {"SOURCE_DATE_EPOCH": "1735689600", "FORCE_SOURCE_DATE": "1"}


def run(args: list[str], cwd: Path, env: dict[str, str] | None = None) -> None:
    """Run a tool; fail loudly with its output."""
    proc = subprocess.run(
        args, cwd=cwd, capture_output=True, text=True, env={**os.environ, **(env or {})}, check=False
    )
    if proc.returncode not in (0, 3):  # qpdf: 3 = success with warnings
        sys.exit(f"{args[0]} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")


# --- pdfTeX ---------------------------------------------------------------------------------

LATEX = r"""
\documentclass[a4paper,11pt]{article}
\usepackage{hyperref}
\hypersetup{pdftitle={Arbeidsdeskundig onderzoek (LaTeX)},pdfauthor={A. Bos},
  pdfcreator={pdfTeX},bookmarksopen=true}
\begin{document}
\section{Aanleiding}\label{sec:aanleiding}
Dit is een testdocument gemaakt met pdf\TeX{} en hyperref. De conclusie staat in
paragraaf~\ref{sec:conclusie} op pagina~\pageref{sec:conclusie}.
\subsection{Vraagstelling}
Kan de werknemer het eigen werk hervatten, eventueel met aanpassingen?
\newpage
\section{Onderzoek}
\subsection{Eigen werk}
Belasting en belastbaarheid zijn vergeleken.
\subsection{Passend werk}
Er is gezocht naar passend werk binnen de eigen organisatie.
\newpage
\section{Conclusie}\label{sec:conclusie}
Terug naar paragraaf~\ref{sec:aanleiding}.
\end{document}
"""


def make_pdftex(work: Path) -> Path:
    """pdfTeX with a nested outline and named destinations."""
    tex = work / "pdftex_outline.tex"
    tex.write_text(LATEX, encoding="utf-8")
    for _ in range(2):  # second run resolves \ref and \pageref
        run(["pdflatex", "-interaction=nonstopmode", tex.name], work, TEX_ENV)
    return work / "pdftex_outline.pdf"


# --- LibreOffice ----------------------------------------------------------------------------

FODT_HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<office:document xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"
 xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0"
 xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"
 xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0"
 xmlns:form="urn:oasis:names:tc:opendocument:xmlns:form:1.0"
 xmlns:svg="urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0"
 xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0"
 xmlns:ooo="http://openoffice.org/2004/office"
 office:version="1.3" office:mimetype="application/vnd.oasis.opendocument.text">
"""

FORM_FODT = FODT_HEAD + """
 <office:automatic-styles>
  <style:style style:name="gr1" style:family="graphic">
   <style:graphic-properties style:vertical-pos="top" style:vertical-rel="baseline"/>
  </style:style>
 </office:automatic-styles>
 <office:body><office:text>
  <office:forms form:automatic-focus="false" form:apply-design-mode="false">
   <form:form form:name="Standard"
     form:control-implementation="ooo:com.sun.star.form.component.Form">
    <form:text form:name="werknemer" xml:id="control1" form:id="control1"
      form:control-implementation="ooo:com.sun.star.form.component.TextField"
      form:value="Sandra Kuipers" form:current-value="Sandra Kuipers"/>
    <form:text form:name="afspraak" xml:id="control2" form:id="control2"
      form:control-implementation="ooo:com.sun.star.form.component.TextField"
      form:value="" form:current-value=""/>
    <form:checkbox form:name="akkoord" xml:id="control3" form:id="control3"
      form:control-implementation="ooo:com.sun.star.form.component.CheckBox"
      form:current-state="checked" form:state="checked" form:label="Akkoord"/>
   </form:form>
  </office:forms>
  <text:p>Formulier akkoordverklaring plan van aanpak (LibreOffice-formulier)</text:p>
  <text:p>Naam werknemer: <draw:control text:anchor-type="as-char" draw:z-index="0"
    draw:style-name="gr1" svg:width="8cm" svg:height="0.8cm" draw:control="control1"/></text:p>
  <text:p>Afspraak: <draw:control text:anchor-type="as-char" draw:z-index="1"
    draw:style-name="gr1" svg:width="10cm" svg:height="0.8cm" draw:control="control2"/></text:p>
  <text:p>Akkoord: <draw:control text:anchor-type="as-char" draw:z-index="2"
    draw:style-name="gr1" svg:width="4cm" svg:height="0.8cm" draw:control="control3"/></text:p>
 </office:text></office:body>
</office:document>
"""

PAGES_FODT = FODT_HEAD + """
 <office:automatic-styles>
  <style:page-layout style:name="pmStaand">
   <style:page-layout-properties fo:page-width="21cm" fo:page-height="29.7cm"
     style:print-orientation="portrait" fo:margin="2cm"/>
  </style:page-layout>
  <style:page-layout style:name="pmLiggend">
   <style:page-layout-properties fo:page-width="29.7cm" fo:page-height="21cm"
     style:print-orientation="landscape" fo:margin="2cm"/>
  </style:page-layout>
  <style:style style:name="Staand" style:family="paragraph" style:master-page-name="Standard">
   <style:paragraph-properties fo:break-before="page"/>
   <style:text-properties fo:font-size="16pt"/>
  </style:style>
  <style:style style:name="Liggend" style:family="paragraph" style:master-page-name="Liggend">
   <style:paragraph-properties fo:break-before="page"/>
   <style:text-properties fo:font-size="16pt"/>
  </style:style>
 </office:automatic-styles>
 <office:master-styles>
  <style:master-page style:name="Standard" style:page-layout-name="pmStaand"/>
  <style:master-page style:name="Liggend" style:page-layout-name="pmLiggend"/>
 </office:master-styles>
 <office:body><office:text>
  {paragraphs}
 </office:text></office:body>
</office:document>
"""

SIMPLE_FODT = FODT_HEAD + """
 <office:body><office:text>
  {paragraphs}
 </office:text></office:body>
</office:document>
"""


def soffice(work: Path, fodt: str, name: str, filter_spec: str = "pdf") -> Path:
    """Convert a flat ODT with LibreOffice (private profile) and return the PDF."""
    src = work / f"{name}.fodt"
    src.write_text(fodt, encoding="utf-8")
    profile = (work / "lo-profile").as_uri()
    run(
        ["soffice", f"-env:UserInstallation={profile}", "--headless", "--convert-to", filter_spec,
         "--outdir", str(work), str(src)],
        work,
    )
    return work / f"{name}.pdf"


def paragraphs(texts: list[str], style: str = "") -> str:
    attr = f' text:style-name="{style}"' if style else ""
    return "\n".join(f"<text:p{attr}>{t}</text:p>" for t in texts)


def make_form(work: Path) -> tuple[Path, Path]:
    """A LibreOffice form with appearances, and a copy whose value has no appearance."""
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import BooleanObject, NameObject, TextStringObject

    with_ap = soffice(work, FORM_FODT, "formulier_ingevuld")
    writer = PdfWriter(clone_from=PdfReader(with_ap))
    for annot in writer.pages[0]["/Annots"]:
        annot = annot.get_object()
        if annot.get("/T") == "afspraak":
            annot[NameObject("/V")] = TextStringObject("Werkhervatting 50% per 1 maart")
            del annot["/AP"]
    writer._root_object["/AcroForm"][NameObject("/NeedAppearances")] = BooleanObject(True)
    without_ap = work / "formulier_zonder_weergave.pdf"
    writer.write(without_ap)
    return with_ap, without_ap


def make_rotated(work: Path) -> Path:
    """Portrait and landscape pages from LibreOffice, rotated afterwards with qpdf."""
    texts = [
        ("Staand", "Pagina 1: staand, geen /Rotate. BOVENKANT VAN DE INHOUD."),
        ("Staand", "Pagina 2: staand met /Rotate 90."),
        ("Staand", "Pagina 3: staand met /Rotate 180."),
        ("Staand", "Pagina 4: staand met /Rotate 270."),
        ("Liggend", "Pagina 5: liggend formaat (MediaBox breder dan hoog), geen /Rotate."),
        ("Liggend", "Pagina 6: liggend formaat met /Rotate 90 (een gescande liggende brief)."),
    ]
    body = "\n".join(f'<text:p text:style-name="{s}">{t}</text:p>' for s, t in texts)
    # The first paragraph must not break before itself; LibreOffice ignores that anyway.
    plain = soffice(work, PAGES_FODT.format(paragraphs=body), "pages")
    out = work / "gedraaid_liggend.pdf"
    run(
        ["qpdf", str(plain), "--rotate=+90:2", "--rotate=+180:3", "--rotate=+270:4",
         "--rotate=+90:6", str(out)],
        work,
    )
    return out


def make_pdfa(work: Path) -> Path:
    body = paragraphs(
        ["Probleemanalyse (PDF/A-2b, gemaakt met LibreOffice).",
         "Dit document is gearchiveerd als PDF/A; het dossier neemt het op als gewone pagina."]
    )
    spec = 'pdf:writer_pdf_Export:{"SelectPdfVersion":{"type":"long","value":"2"}}'
    return soffice(work, SIMPLE_FODT.format(paragraphs=body), "pdfa", spec)


SHORT_FORM_FODT = FODT_HEAD + """
 <office:automatic-styles>
  <style:style style:name="gr1" style:family="graphic">
   <style:graphic-properties style:vertical-pos="top" style:vertical-rel="baseline"/>
  </style:style>
 </office:automatic-styles>
 <office:body><office:text>
  <office:forms form:automatic-focus="false" form:apply-design-mode="false">
   <form:form form:name="Standard"
     form:control-implementation="ooo:com.sun.star.form.component.Form">
    <form:text form:name="naam" xml:id="control1" form:id="control1"
      form:control-implementation="ooo:com.sun.star.form.component.TextField"
      form:value="S. Kuipers" form:current-value="S. Kuipers"/>
    <form:text form:name="datum" xml:id="control2" form:id="control2"
      form:control-implementation="ooo:com.sun.star.form.component.TextField"
      form:value="3-2-2025" form:current-value="3-2-2025"/>
   </form:form>
  </office:forms>
  <text:p>Naam: <draw:control text:anchor-type="as-char" draw:z-index="0"
    draw:style-name="gr1" svg:width="8cm" svg:height="0.8cm" draw:control="control1"/></text:p>
  <text:p>Datum: <draw:control text:anchor-type="as-char" draw:z-index="1"
    draw:style-name="gr1" svg:width="4cm" svg:height="0.8cm" draw:control="control2"/></text:p>
 </office:text></office:body>
</office:document>
"""

ARABIC_FODT = FODT_HEAD + """
 <office:font-face-decls>
  <style:font-face style:name="DejaVu Sans" svg:font-family="'DejaVu Sans'"/>
 </office:font-face-decls>
 <office:automatic-styles>
  <style:style style:name="P1" style:family="paragraph">
   <style:paragraph-properties fo:text-align="end" style:writing-mode="rl-tb"/>
   <style:text-properties style:font-name-complex="DejaVu Sans" style:font-size-complex="14pt"
     style:language-complex="ar" style:country-complex="SA"/>
  </style:style>
 </office:automatic-styles>
 <office:body><office:text>
  <text:p text:style-name="P1">{text}</text:p>
 </office:text></office:body>
</office:document>
"""

#: "Agreed with the work plan": a short note under a plan, as employees write them (16 letters).
ARABIC_TEXT = "موافق على خطة العمل"


def make_short_form(work: Path) -> Path:
    """A form with little page text: the old character count called it a scan."""
    return soffice(work, SHORT_FORM_FODT, "formulier_kort")


def make_arabic(work: Path) -> Path:
    """Right-to-left text in a CID font: the old character count called it a scan."""
    return soffice(work, ARABIC_FODT.format(text=ARABIC_TEXT), "arabisch")


def destroy_xref(data: bytes) -> bytes:
    """Overwrite everything from the last ``xref`` keyword to ``%%EOF`` (table, trailer,
    startxref) with '%' bytes; the objects stay where they are."""
    start, end = data.rfind(b"xref"), data.rfind(b"%%EOF")
    return data[:start] + b"%" * (end - start) + data[end:]


def make_plain(work: Path) -> Path:
    body = paragraphs(
        ["Vertrouwelijk verslag van het gesprek over de re-integratie.",
         "Dit bestand wordt versleuteld of beschadigd voor de tests."] * 8
    )
    return soffice(work, SIMPLE_FODT.format(paragraphs=body), "plain")


# --- Pillow scan ----------------------------------------------------------------------------


def make_scan(work: Path) -> Path:
    """A two-page 'scan': grey JPEG images, no text layer (what a copier's scan-to-PDF makes)."""
    from PIL import Image, ImageDraw, ImageFilter, ImageFont

    font_path = next(
        (p for p in (
            Path("/usr/share/fonts/truetype/crosextra/Carlito-Regular.ttf"),
            Path("/usr/share/fonts/truetype/liberation2/LiberationSans-Regular.ttf"),
            Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
        ) if p.exists()),
        None,
    )
    pages = []
    for number in (1, 2):
        img = Image.new("L", (827, 1169), 246)  # A4 at 100 dpi, slightly grey paper
        draw = ImageDraw.Draw(img)
        font = ImageFont.truetype(str(font_path), 15) if font_path else ImageFont.load_default()
        big = ImageFont.truetype(str(font_path), 24) if font_path else font
        draw.text((80, 80), "Arbodienst Midden B.V.", fill=40, font=big)
        draw.text((80, 150), f"Gescande brief, pagina {number}", fill=50, font=font)
        for line in range(28):
            y = 220 + line * 30
            draw.text((80, y), "Deze regel is alleen beeld: er is geen tekstlaag.", fill=60,
                      font=font)
        img = img.rotate(0.4, fillcolor=246).filter(ImageFilter.GaussianBlur(0.6))
        pages.append(img)
    out = work / "scan_zonder_tekst.pdf"
    pages[0].save(out, "PDF", resolution=100.0, save_all=True, append_images=pages[1:], quality=45)
    return out


# --- hand-written PDF syntax ----------------------------------------------------------------


def raw_pdf(objects: list[str]) -> bytes:
    """Serialise numbered objects (1..n; object 1 is the catalog) with a correct xref table."""
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n{body}\nendobj\n".encode("latin-1")
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode()
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def stream(content: str) -> str:
    data = textwrap.dedent(content).strip() + "\n"
    return f"<< /Length {len(data.encode('latin-1'))} >>\nstream\n{data}endstream"


def make_mediabox_offset(work: Path) -> Path:
    objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R 5 0 R 7 0 R] /Count 3 >>",
        # p1: MediaBox origin at (100, 200)
        "<< /Type /Page /Parent 2 0 R /MediaBox [100 200 695.28 1041.89] /Contents 4 0 R"
        " /Resources << /Font << /F1 9 0 R >> >> >>",
        stream("""
            BT /F1 14 Tf 140 1000 Td (Pagina 1: MediaBox begint op 100 200. Linksboven.) Tj ET
            BT /F1 14 Tf 140 230 Td (Linksonder op pagina 1.) Tj ET
            0.5 w 102 202 591.28 837.89 re S
        """),
        # p2: Letter with a CropBox 1 inch inside
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /CropBox [72 72 540 720]"
        " /Contents 6 0 R /Resources << /Font << /F1 9 0 R >> >> >>",
        stream("""
            BT /F1 14 Tf 90 690 Td (Pagina 2: CropBox 72 72 540 720 binnen Letter.) Tj ET
            BT /F1 10 Tf 10 10 Td (Buiten de CropBox: onzichtbaar.) Tj ET
            0.5 w 72 72 468 648 re S
        """),
        # p3: negative origin, CropBox, rotated 90
        "<< /Type /Page /Parent 2 0 R /MediaBox [-300 -420 300 420] /CropBox [-280 -400 280 400]"
        " /Rotate 90 /Contents 8 0 R /Resources << /Font << /F1 9 0 R >> >> >>",
        stream("""
            BT /F1 14 Tf -260 370 Td (Pagina 3: MediaBox -300 -420 300 420, /Rotate 90.) Tj ET
            0.5 w -280 -400 560 800 re S
        """),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ]
    out = work / "mediabox_offset.pdf"
    out.write_bytes(raw_pdf(objects))
    return out


def make_shared(work: Path) -> Path:
    objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        # Inherited MediaBox, Resources and Rotate; page 3 0 R appears twice.
        "<< /Type /Pages /Kids [3 0 R 3 0 R 4 0 R] /Count 3 /MediaBox [0 0 595.28 841.89]"
        " /Rotate 90 /Resources << /Font << /F1 6 0 R >> >> >>",
        "<< /Type /Page /Parent 2 0 R /Contents 5 0 R >>",
        "<< /Type /Page /Parent 2 0 R /Contents 5 0 R /Rotate 0 >>",
        stream("""
            BT /F1 18 Tf 60 780 Td (Gedeelde pagina en gedeelde inhoud.) Tj ET
            BT /F1 12 Tf 60 750 Td (Deze inhoudsstroom hoort bij drie paginas.) Tj ET
        """),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ]
    out = work / "gedeelde_objecten.pdf"
    out.write_bytes(raw_pdf(objects))
    return out


# --- main -----------------------------------------------------------------------------------


def main() -> None:
    """Regenerate every fixture into tests/data/pdf_fixtures/."""
    for tool in ("pdflatex", "soffice", "qpdf"):
        if shutil.which(tool) is None:
            sys.exit(f"{tool} is required to regenerate the fixtures")
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        made: dict[str, Path] = {}
        made["pdftex_outline.pdf"] = make_pdftex(work)
        made["formulier_ingevuld.pdf"], made["formulier_zonder_weergave.pdf"] = make_form(work)
        made["gedraaid_liggend.pdf"] = make_rotated(work)
        made["pdfa.pdf"] = make_pdfa(work)
        made["scan_zonder_tekst.pdf"] = make_scan(work)
        made["mediabox_offset.pdf"] = make_mediabox_offset(work)
        made["gedeelde_objecten.pdf"] = make_shared(work)

        plain = make_plain(work)
        empty_pw = work / "versleuteld_leeg_wachtwoord.pdf"
        run(["qpdf", "--allow-weak-crypto", "--encrypt", "", "eigenaar", "128", "--use-aes=n",
             "--", str(plain), str(empty_pw)], work)
        made[empty_pw.name] = empty_pw
        real_pw = work / "versleuteld_wachtwoord.pdf"
        run(["qpdf", "--encrypt", "geheim", "eigenaar", "256", "--", str(plain), str(real_pw)], work)
        made[real_pw.name] = real_pw

        data = plain.read_bytes()
        damaged = work / "beschadigd.pdf"
        damaged.write_bytes(data[: int(len(data) * 0.3)])
        made[damaged.name] = damaged
        destroyed = work / "xref_vernield.pdf"
        destroyed.write_bytes(destroy_xref(data))
        made[destroyed.name] = destroyed
        made["formulier_kort.pdf"] = make_short_form(work)
        made["arabisch.pdf"] = make_arabic(work)

        (work / "leeg.pdf").write_bytes(b"")
        made["leeg.pdf"] = work / "leeg.pdf"
        html = (
            "<!DOCTYPE html>\n<html lang=\"nl\"><head><title>Sessie verlopen</title></head>\n"
            "<body><h1>Uw sessie is verlopen</h1><p>Log opnieuw in om het document te "
            "downloaden.</p></body></html>\n"
        )
        (work / "geen_pdf.pdf").write_text(html, encoding="utf-8")
        made["geen_pdf.pdf"] = work / "geen_pdf.pdf"

        total = 0
        for name, path in sorted(made.items()):
            shutil.copyfile(path, OUT / name)
            size = (OUT / name).stat().st_size
            total += size
            print(f"{name:40s} {size:>8,d} bytes")
        print(f"{'total':40s} {total:>8,d} bytes")


if __name__ == "__main__":
    main()

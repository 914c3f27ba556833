"""Rendering the DOCX templates: content, escaping, sandbox, errors, determinism, speed."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import time
import zipfile
from datetime import date
from pathlib import Path

import pytest
from docx import Document

from dossier.errors import TemplateRenderError
from dossier.model import Case
from dossier.render import build_context, make_environment, render_docx
from dossier.render.context import rapportageperiodes
from dossier.render.templates import BUILTIN_DIR, TEMPLATE_NAMES
from dossier.timeline import compute_timeline

ROOT = Path(__file__).resolve().parents[1]
KUIPERS = ROOT / "samples" / "casus_kuipers.json"
TODAY = date(2026, 10, 20)
NBSP = "\xa0"


def load(path: Path) -> Case:
    return Case.model_validate(json.loads(path.read_text(encoding="utf-8")))


def minimal_case(**extra) -> Case:
    data = {"dossiernummer": "T-001", "werkgever": {"naam": "Werkgever B.V."},
            "werknemer": {"naam": "Jan Jansen"},
            "ziekteperiodes": [{"eerste_ziektedag": "2025-01-06"}]}
    data.update(extra)
    return Case.model_validate(data)


def docx_text(path: Path) -> str:
    """All visible text: body paragraphs, table cells (nested), headers and footers."""
    doc = Document(str(path))

    def blocks(container) -> list[str]:
        out = [p.text for p in container.paragraphs]
        for table in container.tables:
            for row in table.rows:
                for cell in row.cells:
                    out += blocks(cell)
        return out

    parts = blocks(doc)
    for section in doc.sections:
        for hf in (section.header, section.footer):
            parts += blocks(hf)
    return "\n".join(parts).replace(NBSP, " ")


@pytest.fixture(scope="module")
def env():
    return make_environment()


@pytest.fixture(scope="module")
def kuipers() -> Case:
    return load(KUIPERS)


def context(case: Case, today: date = TODAY, **kw):
    return build_context(case, compute_timeline(case, today=today), today=today, **kw)


def render(name: str, ctx, tmp_path: Path, env) -> str:
    out = render_docx(BUILTIN_DIR / f"{name}.docx", ctx, tmp_path / f"{name}.docx", env)
    return docx_text(out)


# --- every template from the full sample -------------------------------------------------

COMMON = ["Sandra Kuipers", "111222333", "VZ-2025-0142", "Bakkerij Van Dijk & Zonen B.V.",
          "815720596L01", "6 januari 2025", "Pagina"]

EXPECTED = {
    "plan_van_aanpak": [
        "Plan van aanpak", "20 februari 2025", "ziekteweek 7",
        "probleemanalyse van 10 februari 2025 door drs. P. Hendriks, bedrijfsarts",
        "Doel op korte termijn", "Gedeeltelijke werkhervatting", "Doel op lange termijn",
        "Takenpakket voor aangepast werk", "24-02-2025", "Casemanager", "Marieke de Vries",
        "minstens eens per zes weken", "1 april 2025 (ziekteweek 13)",
        "Visie van de werkgever", "Wij willen mevrouw Kuipers graag behouden",
        "Visie van de werknemer", "Ik wil graag zo snel mogelijk", "Ondertekening",
        "Namens de werkgever", "Functie: HR-manager", "Datum: ", "handtekening",
        "12 april 1979", "Zonnebloemstraat 7", "3817 TK Amersfoort",
        "De probleemanalyse is bijgesteld op 2 juni 2025.",
    ],
    "bijstelling_plan_van_aanpak": [
        "Bijstelling plan van aanpak", "10 juni 2025", "ziekteweek 23",
        "plan van aanpak van 20 februari 2025", "geen terugkeer meer in het volledige eigen werk",
        "bijgesteld op 2 juni 2025", "Het doel verschuift", "Inwerken op de orderafdeling",
        "22 juli 2025", "Wij zien mevrouw Kuipers graag terug", "Ik vind het jammer",
    ],
    "trajectplan_tweede_spoor": [
        "Trajectplan tweede spoor", "Datum trajectplan", "19 december 2025", "Start tweede spoor",
        "15 december 2025", "Werkpad Re-integratie B.V.",
        "Yvonne Smit, loopbaancoach", "Passend betaald werk bij een andere werkgever",
        "Persoonsprofiel", "Betrouwbaar, nauwkeurig", "Zoekprofiel", "Baliemedewerker",
        "Ontwikkeling en scholing", "Persoonlijke begeleiding en coaching",
        "Bemiddeling naar werk", "Werkervaringsplaatsen en proefplaatsingen",
        "Sollicitatietraining en opstellen cv", "Twaalf maanden", "€ 3.950,00",
        "eerstejaarsevaluatie van 9 december 2025", "Re-integratiebedrijf",
    ],
    "inspanningsrapportage": [
        "Inspanningsrapportage tweede spoor", "Rapportage 2", "15 februari 2026 t/m 14 april 2026",
        "(werknemer) en UWV", "ziekteweek 58 t/m 67",
        "Voorgesteld bij Bibliotheek Eemland", "18-02-2026", "Geen activiteiten op dit onderdeel",
        "Vier gesprekken met de loopbaancoach", "02-04-2026", "Van der Linden Logistiek",
        "Medewerker orderadministratie (24 uur)", "Afgewezen na gesprek",
        "Geen werkervaringsplaats of proefplaatsing in deze periode.",
        "Vier sollicitaties verstuurd", "Weinig parttime vacatures",
        "Start werkervaringsplaats op 20 april 2026", "Afwijzingen zijn lastig",
    ],
    "eerstejaarsevaluatie": [
        "Eerstejaarsevaluatie", "9 december 2025", "ziekteweek 49",
        "ziekteweek 46 t/m 52", "In het eerste ziektejaar is gestart",
        "Plan van aanpak\n20-02-2025", "Bijstelling 1\n10-06-2025", "24-02-2025",
        "10 juni 2025 — bijstelling van het plan van aanpak", "Grotendeels. De werkplek is aangepast",
        "Gedeeltelijk.", "wordt ingezet: ja", "Het arbeidsdeskundig onderzoek adviseert",
        "Arbeidsdeskundig onderzoek van 18 november 2025 door mr. A. Bos",
        "Structureel 20 uur per week als medewerker bestellingen", "Tweede-spoortraject inkopen", "doorlopend",
        "Ik had gehoopt terug te keren",
    ],
    "eindevaluatie": [
        "Eindevaluatie", "29 september 2026", "ziekteweek 91", "3 januari 2027",
        "actueel oordeel van 15 september 2026 door drs. P. Hendriks, bedrijfsarts",
        "Mevrouw Kuipers is belastbaar voor zittend werk", "Probleemanalyse", "10 februari 2025",
        "Start tweede spoor", "Stand van de re-integratie",
        "20 uur per week als medewerker bestellingen en administratie", "€ 1.580,56", "56 %",
        "geen bevredigend resultaat", "ontvangen op 29 september 2026",
        "Werkhervatting van 20 uur per week in passend werk", "Wij hebben in beide sporen",
        "Ik ben tevreden over de begeleiding",
    ],
    "evaluatieverslag": [
        "Evaluatieverslag", "Evaluatie 1", "1 april 2025", "Aanwezig", "Marieke de Vries (HR-manager, "
        "casemanager)", "De opbouw verloopt volgens plan", "Voortgang per afgesproken activiteit",
        "gedaan: gestart op 24 februari 2025", "Belastbaarheid", "op te bouwen naar 3 uur per dag",
        "Afspraken", "3 uur per dag op vijf dagen", "Positief over inzet", "Het gaat beter dan verwacht",
        "De volgende evaluatie is op 13 mei 2025",
    ],
    "oordeel_werknemer": [
        "Oordeel van de werknemer", "6 oktober 2026", "Mijn werkgever heeft mij in beide sporen",
        "eens met de inhoud van het re-integratieverslag: ja", "Ondertekening", "handtekening",
    ],
    "voorblad": [
        "Re-integratieverslag", "Bijlage bij de WIA-aanvraag", "Sandra Kuipers", "111222333", "12 april 1979",
        "Productiemedewerker bakkerij", "815720596L01", "VZ-2025-0142", "6 januari 2025",
        "3 januari 2027", "Marieke de Vries", "20 oktober 2026",
    ],
}


@pytest.mark.parametrize("name", TEMPLATE_NAMES)
def test_every_template_renders_from_the_full_sample(name, kuipers, env, tmp_path):
    periode = rapportageperiodes(kuipers, compute_timeline(kuipers, today=TODAY), today=TODAY)[1]
    text = render(name, context(kuipers, periode=periode, evaluatie=1, bijstelling=1), tmp_path, env)
    common = COMMON if name != "voorblad" else COMMON[:-1]
    for needle in [*common, *EXPECTED[name]]:
        assert needle in text, f"{name}: {needle!r} ontbreekt"
    for bad in ("None", "[]", "{{", "{%", "2025-01-06", "2026-", "Undefined", "&amp;"):
        assert bad not in text, f"{name}: {bad!r} in de tekst"


def test_plan_van_aanpak_amount_and_header(kuipers, env, tmp_path):
    out = render_docx(BUILTIN_DIR / "plan_van_aanpak.docx", context(kuipers),
                      tmp_path / "pva.docx", env)
    doc = Document(str(out))
    header = "\n".join(p.text for p in doc.sections[0].header.paragraphs)
    assert "Bakkerij Van Dijk & Zonen B.V." in header and "BSN 111222333" in header
    assert "Dossiernummer VZ-2025-0142" in header
    footer_xml = doc.sections[0].footer._element.xml
    assert "PAGE" in footer_xml and "NUMPAGES" in footer_xml
    # Page geometry leaves room for the dossier stamp ~6 mm above the bottom edge.
    s = doc.sections[0]
    assert s.bottom_margin.mm >= 25 and s.footer_distance.mm >= 12
    assert round(s.page_width.mm) == 210 and round(s.page_height.mm) == 297
    # Document properties are plain text: no double escaping of "&".
    assert doc.core_properties.title == "Plan van aanpak – Sandra Kuipers"
    assert doc.core_properties.author == "Bakkerij Van Dijk & Zonen B.V."


def test_monthly_wage_and_decimal_in_template(kuipers, env, tmp_path):
    doc = Document()
    doc.add_paragraph("Loon: {{ werknemer.bruto_maandloon|bedrag }}; uren {{ werknemer.uren_per_week|getal }}")
    tpl = tmp_path / "t.docx"
    doc.save(tpl)
    text = docx_text(render_docx(tpl, context(kuipers), tmp_path / "o.docx", env))
    assert "Loon: € 2.845,00; uren 36" in text


# --- escaping and injection --------------------------------------------------------------

NASTY = {
    "dossiernummer": "T-002",
    "werkgever": {"naam": "Bakkerij Van Dijk & Zonen <B.V.>",
                  "contactpersoon": {"naam": "\"Jan\" 'de' Baas", "functie": "DGA & eigenaar"}},
    "werknemer": {"naam": "Özdemir-‘t Hooft", "bsn": "111222333", "functie": "Bakker <senior>"},
    "ziekteperiodes": [{"eerste_ziektedag": "2025-01-06"}],
    "casemanager": {"naam": "R. Çelik & co"},
    "plan_van_aanpak": {
        "datum": "2025-02-20",
        "doel_kort": "{{ 7*7 }} en {% if %} blijven tekst",
        "visie_werknemer": "Regel één\nRegel twee & <drie>",
        "activiteiten": [{"wie": "A & B", "wat": "<script>alert(1)</script>", "termijn": "per direct"}],
    },
}


@pytest.fixture
def nasty_case() -> Case:
    return Case.model_validate(NASTY)


@pytest.mark.parametrize("name", TEMPLATE_NAMES)
def test_special_characters_render_literally_and_docx_stays_valid(name, nasty_case, env, tmp_path):
    text = render(name, context(nasty_case), tmp_path, env)  # python-docx reparses every part
    assert "Bakkerij Van Dijk & Zonen <B.V.>" in text
    assert "Özdemir-‘t Hooft" in text
    assert "&amp;" not in text and "&lt;" not in text


def test_template_syntax_in_data_is_not_evaluated(nasty_case, env, tmp_path):
    text = render("plan_van_aanpak", context(nasty_case), tmp_path, env)
    assert "{{ 7*7 }} en {% if %} blijven tekst" in text
    assert "49" not in text
    assert "<script>alert(1)</script>" in text and "A & B" in text and "per direct" in text
    assert "\"Jan\" 'de' Baas" in text and "DGA & eigenaar" in text
    # A newline in the data becomes a line break, not a lost line.
    assert "Regel één\nRegel twee & <drie>" in text


@pytest.mark.libreoffice
def test_special_characters_survive_libreoffice(nasty_case, env, tmp_path):
    soffice = shutil.which("soffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice) is niet geïnstalleerd")
    out = render_docx(BUILTIN_DIR / "plan_van_aanpak.docx", context(nasty_case),
                      tmp_path / "pva.docx", env)
    subprocess.run([soffice, f"-env:UserInstallation=file://{tmp_path}/lo-profile", "--headless",
                    "--convert-to", "pdf", "--outdir", str(tmp_path), str(out)],
                   check=True, capture_output=True, timeout=180)
    pdf = tmp_path / "pva.pdf"
    assert pdf.is_file() and pdf.stat().st_size > 1000
    from pypdf import PdfReader

    reader = PdfReader(str(pdf))
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "Bakkerij Van Dijk & Zonen <B.V.>" in text
    assert "Özdemir-‘t Hooft" in text
    assert "{{ 7*7 }}" in text
    assert f"Pagina 1 van {len(reader.pages)}" in text.replace(NBSP, " ")


# --- minimal data: fill-in lines, never "None" -------------------------------------------


@pytest.mark.parametrize("name", TEMPLATE_NAMES)
def test_minimal_case_renders_fill_in_lines(name, env, tmp_path):
    text = render(name, context(minimal_case()), tmp_path, env)
    assert "Jan Jansen" in text and "Werkgever B.V." in text
    for bad in ("None", "[]", "{{", "{%", "Undefined"):
        assert bad not in text, f"{name}: {bad!r}"
    if name != "voorblad":
        assert "……" in text


def test_minimal_plan_van_aanpak_is_a_prefilled_form(env, tmp_path):
    text = render("plan_van_aanpak", context(minimal_case()), tmp_path, env)
    for required in ("Doel op korte termijn", "Visie van de werknemer", "Visie van de werkgever",
                     "Casemanager: ……", "Datum: ……", "BSN ……", "Geplande evaluatiemomenten"):
        assert required in text, required
    # Optional details that are absent leave no stray labels.
    for label in ("Telefoon:", "E-mail:", "Overige afspraken", "Prognose", "Spoor:"):
        assert label not in text, label
    doc = Document(str(tmp_path / "plan_van_aanpak.docx"))
    activities = next(t for t in doc.tables if t.rows[0].cells[0].text == "Wie")
    assert len(activities.rows) == 4  # header + three empty rows to write in
    assert all(c.text == "" for row in activities.rows[1:] for c in row.cells)


# --- sandbox and errors -------------------------------------------------------------------


def make_template(tmp_path: Path, body: str, header: str | None = None,
                  name: str = "firma.docx") -> Path:
    doc = Document()
    doc.add_paragraph("Eerste alinea")
    doc.add_paragraph(body)
    doc.add_paragraph("Laatste alinea")
    if header is not None:
        doc.sections[0].header.paragraphs[0].text = header
    path = tmp_path / name
    doc.save(path)
    return path


@pytest.mark.parametrize(("body", "header"), [
    ("{{ ''.__class__.__mro__ }}", None),
    ("{{ cycler.__init__.__globals__ }}", None),
    ("tekst", "{{ ''.__class__.__mro__ }}"),
    ("tekst", "{{ werknemer.__class__ }}"),
    ("{{ werknemer.naam.__class__.__base__.__subclasses__() }}", None),
])
def test_sandbox_blocks_python_internals_in_body_and_header(body, header, kuipers, env, tmp_path):
    tpl = make_template(tmp_path, body, header)
    out = tmp_path / "out.docx"
    with pytest.raises(TemplateRenderError) as e:
        render_docx(tpl, context(kuipers), out, env)
    assert "firma.docx" in e.value.message
    assert not out.exists()


def test_unknown_variable_error_names_template_variable_and_suggestion(kuipers, env, tmp_path):
    tpl = make_template(tmp_path, "Naam: {{ werknemer.nam }}", name="plan_van_aanpak.docx")
    with pytest.raises(TemplateRenderError) as e:
        render_docx(tpl, context(kuipers), tmp_path / "o.docx", env)
    msg = e.value.message
    assert msg.startswith("plan_van_aanpak.docx: onbekende variabele 'werknemer.nam'")
    assert "bedoelt u 'werknemer.naam'?" in msg
    assert "Naam: {{ werknemer.nam }}" in msg and e.value.template == "plan_van_aanpak.docx"


def test_unknown_variable_in_loop_and_header(kuipers, env, tmp_path):
    tpl = make_template(tmp_path, "{% for a in plan_van_aanpak.activiteiten %}{{ a.wst }}{% endfor %}")
    with pytest.raises(TemplateRenderError, match=r"activiteiten\[\]\.wst'.*bedoelt u"):
        render_docx(tpl, context(kuipers), tmp_path / "o.docx", env)
    tpl = make_template(tmp_path, "x", header="{{ dossiernumer }}")
    with pytest.raises(TemplateRenderError, match=r"'dossiernumer'.*'dossiernummer'.*koptekst"):
        render_docx(tpl, context(kuipers), tmp_path / "o.docx", env)


def test_syntax_error_quotes_the_paragraph(kuipers, env, tmp_path):
    tpl = make_template(tmp_path, "{% if werknemer.naam %}zonder einde")
    with pytest.raises(TemplateRenderError) as e:
        render_docx(tpl, context(kuipers), tmp_path / "o.docx", env)
    assert "'{% if %}' wordt nergens afgesloten met '{% endif %}'" in e.value.message
    assert "{% if werknemer.naam %}zonder einde" in e.value.detail


def test_missing_or_broken_template_file(kuipers, env, tmp_path):
    with pytest.raises(TemplateRenderError, match="niet gevonden"):
        render_docx(tmp_path / "weg.docx", context(kuipers), tmp_path / "o.docx", env)
    bad = tmp_path / "kapot.docx"
    bad.write_bytes(b"geen zip")
    with pytest.raises(TemplateRenderError, match="geen geldig Word-bestand"):
        render_docx(bad, context(kuipers), tmp_path / "o.docx", env)


def test_failed_render_leaves_existing_output_untouched(kuipers, env, tmp_path):
    out = tmp_path / "o.docx"
    out.write_bytes(b"vorige versie")
    tpl = make_template(tmp_path, "{{ bestaat_niet }}")
    with pytest.raises(TemplateRenderError):
        render_docx(tpl, context(kuipers), out, env)
    assert out.read_bytes() == b"vorige versie"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_footnotes_render_once_even_with_several_sections(kuipers, env, tmp_path):
    # docxtpl renders the footnotes part once per section; a second pass would evaluate
    # "{{ 7*7 }}" typed in case data. Our renderer renders each part exactly once.
    from dossier.render.docx import _DossierDocxTemplate

    calls = []

    class Spy(_DossierDocxTemplate):
        def render_xml_part(self, src_xml, part, context, jinja_env=None):
            calls.append(str(part.partname))
            return super().render_xml_part(src_xml, part, context, jinja_env)

    doc = Document()
    doc.add_paragraph("{{ werknemer.naam }}")
    doc.add_section()
    doc.add_paragraph("tweede sectie")
    tpl = tmp_path / "twee.docx"
    doc.save(tpl)
    spy = Spy(str(tpl))
    spy.render(context(kuipers), jinja_env=env, autoescape=True)
    assert len(calls) == len(set(calls))


# --- determinism and speed ----------------------------------------------------------------


def test_rendering_is_byte_for_byte_reproducible(kuipers, env, tmp_path):
    ctx = context(kuipers)
    a = render_docx(BUILTIN_DIR / "plan_van_aanpak.docx", ctx, tmp_path / "a.docx", env)
    time.sleep(1.1)  # zip timestamps have 2-second resolution; make a clock leak visible
    b = render_docx(BUILTIN_DIR / "plan_van_aanpak.docx", ctx, tmp_path / "b.docx", env)
    assert a.read_bytes() == b.read_bytes()
    with zipfile.ZipFile(a) as z:
        assert {i.date_time for i in z.infolist()} == {(1980, 1, 1, 0, 0, 0)}


def test_built_templates_are_reproducible(tmp_path):
    import sys

    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        import make_templates
    finally:
        sys.path.pop(0)
    make_templates.main(["--out", str(tmp_path), "--no-docs"])
    for name in TEMPLATE_NAMES:
        assert (tmp_path / f"{name}.docx").read_bytes() == \
            (BUILTIN_DIR / f"{name}.docx").read_bytes(), \
            f"{name}.docx verschilt van scripts/make_templates.py: draai het script opnieuw"


def test_rendering_one_document_is_fast(kuipers, env, tmp_path):
    ctx = context(kuipers)
    render_docx(BUILTIN_DIR / "plan_van_aanpak.docx", ctx, tmp_path / "warm.docx", env)
    timings = []
    for i in range(5):
        t0 = time.perf_counter()
        render_docx(BUILTIN_DIR / "plan_van_aanpak.docx", ctx, tmp_path / f"{i}.docx", env)
        timings.append(time.perf_counter() - t0)
    best = min(timings)
    print(f"plan van aanpak: {best * 1000:.1f} ms (beste van 5)")
    assert best < 0.5


def test_templates_and_output_follow_schema_order(kuipers, env, tmp_path):
    """Word refuses property elements out of schema order (LibreOffice does not notice)."""
    import sys

    from lxml import etree

    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        from make_templates import _RANK
    finally:
        sys.path.pop(0)

    def check(data: bytes, where: str) -> None:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            for name in z.namelist():
                if not name.startswith("word/") or not name.endswith(".xml"):
                    continue
                root = etree.fromstring(z.read(name))
                for el in root.iter(*_RANK):
                    ranks = [_RANK[el.tag].get(c.tag, 999) for c in el]
                    assert ranks == sorted(ranks), f"{where} {name}: {el.tag} niet in volgorde"

    for name in TEMPLATE_NAMES:
        check((BUILTIN_DIR / f"{name}.docx").read_bytes(), name)
    out = render_docx(BUILTIN_DIR / "plan_van_aanpak.docx", context(kuipers), tmp_path / "p.docx", env)
    check(out.read_bytes(), "gerenderd plan van aanpak")


@pytest.mark.libreoffice
def test_all_documents_convert_and_cover_fits_one_page(kuipers, env, tmp_path):
    soffice = shutil.which("soffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice) is niet geïnstalleerd")
    from pypdf import PdfReader

    periode = rapportageperiodes(kuipers, compute_timeline(kuipers, today=TODAY), today=TODAY)[0]
    ctx = context(kuipers, periode=periode)
    docs = [render_docx(BUILTIN_DIR / f"{n}.docx", ctx, tmp_path / f"{n}.docx", env)
            for n in TEMPLATE_NAMES]
    subprocess.run([soffice, f"-env:UserInstallation=file://{tmp_path}/lo-profile", "--headless",
                    "--convert-to", "pdf", "--outdir", str(tmp_path), *map(str, docs)],
                   check=True, capture_output=True, timeout=300)
    for name in TEMPLATE_NAMES:
        reader = PdfReader(str(tmp_path / f"{name}.pdf"))
        text = "\n".join(p.extract_text() for p in reader.pages).replace(NBSP, " ")
        assert "None" not in text and "{{" not in text, name
        if name == "voorblad":
            assert len(reader.pages) == 1
        else:
            n = len(reader.pages)
            assert f"Pagina 1 van {n}" in text and f"Pagina {n} van {n}" in text, name
            assert reader.metadata.title.startswith(("Plan", "Bijstelling", "Trajectplan",
                                                     "Inspanningsrapportage", "Eerstejaars",
                                                     "Eindevaluatie", "Evaluatieverslag", "Oordeel"))


# A 1×1 PNG, the smallest logo there is.
PNG_1X1 = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360f8cf000000030101001826dd8a0000000049454e44ae426082")


def test_firm_logo_in_header_survives_rendering(kuipers, env, tmp_path):
    logo = tmp_path / "logo.png"
    logo.write_bytes(PNG_1X1)
    doc = Document(str(BUILTIN_DIR / "plan_van_aanpak.docx"))
    doc.sections[0].header.paragraphs[0].add_run().add_picture(str(logo))
    tpl = tmp_path / "plan_van_aanpak.docx"
    doc.save(tpl)
    out = render_docx(tpl, context(kuipers), tmp_path / "uit.docx", env)
    with zipfile.ZipFile(out) as z:
        media = [n for n in z.namelist() if n.startswith("word/media/")]
        assert media and z.read(media[0]) == PNG_1X1
        header = next(n for n in z.namelist() if n.startswith("word/header"))
        assert b"<a:blip" in z.read(header)
    rendered = Document(str(out))
    assert "Sandra Kuipers" in "\n".join(p.text for p in rendered.sections[0].header.paragraphs)


def test_document_properties_are_sandboxed_too(kuipers, env, tmp_path):
    doc = Document()
    doc.add_paragraph("tekst")
    doc.core_properties.title = "{{ ''.__class__.__mro__ }}"
    tpl = tmp_path / "eigenschap.docx"
    doc.save(tpl)
    with pytest.raises(TemplateRenderError, match=r"onveilige expressie.*documenteigenschap 'title'"):
        render_docx(tpl, context(kuipers), tmp_path / "o.docx", env)


def test_built_templates_have_well_formed_core_properties():
    """Each core property appears once, in its own namespace (Word refuses duplicates).

    Regression: with docxcompose importable, python-docx wrote keywords/lastModifiedBy/revision a
    second time in the custom-properties namespace.
    """
    from lxml import etree

    custom_ns = "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"
    for name in TEMPLATE_NAMES:
        with zipfile.ZipFile(BUILTIN_DIR / f"{name}.docx") as z:
            root = etree.fromstring(z.read("docProps/core.xml"))
        tags = [etree.QName(child) for child in root]
        assert len({t.localname for t in tags}) == len(tags), (name, [t.localname for t in tags])
        assert all(t.namespace != custom_ns for t in tags), name


# --- messages in Dutch (python-docx, Python and the sandbox speak English) ---------------------------

def _without(tmp_path: Path, member: str) -> Path:
    src = io.BytesIO()
    Document().save(src)
    path = tmp_path / "plan_van_aanpak.docx"
    with zipfile.ZipFile(io.BytesIO(src.getvalue())) as zin, zipfile.ZipFile(path, "w") as zout:
        for n in zin.namelist():
            if n != member:
                zout.writestr(n, zin.read(n))
    return path


def test_a_broken_or_wrong_office_file_is_explained_in_dutch(kuipers, env, tmp_path):
    from openpyxl import Workbook

    cases = {_without(tmp_path, "word/document.xml"): "het onderdeel word/document.xml ontbreekt"}
    xlsx = tmp_path / "eindevaluatie.docx"
    Workbook().save(xlsx)
    cases[xlsx] = "het is een Excel-bestand"
    for path, why in cases.items():
        with pytest.raises(TemplateRenderError) as e:
            render_docx(path, context(kuipers), tmp_path / "o.docx", env)
        assert e.value.message == f"{path.name}: geen geldig Word-bestand (.docx): {why}" + (
            " (is het een Word-document?)" if "ontbreekt" in why else "")


@pytest.mark.parametrize(("body", "dutch"), [
    ("{{ ''.__class__ }}", "Python-onderdelen gebruiken (het onderdeel '__class__' van een str-waarde)"),
    ("{{ werknemer.naam + 1 }}", "kan niet worden ingevuld (hoofdtekst): een bewerking of filter past niet bij het "
                                 "soort waarde ("),
    ("{{ 1 // 0 }}", "kan niet worden ingevuld (hoofdtekst): deling door nul ("),
    ("{% include 'brief.docx' %}", "include, import en extends zijn niet mogelijk: een sjabloon is één Word-bestand"),
])
def test_runtime_and_sandbox_errors_are_explained_in_dutch(body, dutch, kuipers, env, tmp_path):
    with pytest.raises(TemplateRenderError) as e:
        render_docx(make_template(tmp_path, body), context(kuipers), tmp_path / "o.docx", env)
    assert dutch in e.value.message
    assert "access to attribute" not in e.value.message


@pytest.mark.parametrize(("source", "dutch"), [
    ("{{ }}", "verwacht een waarde of naam maar vond '}}'"),
    ("{% %}", "na '{%' ontbreekt de naam van de tag (if, for, set, …)"),
    ("{{ a", "het sjabloon houdt op waar '}}' verwacht werd"),
    ("{{ a.|x }}", "na de punt ontbreekt een veldnaam"),
    ("{{ a|}}", "verwacht een naam maar vond '}}'"),
    ("{# x", "een opmerking '{#' wordt niet afgesloten met '#}'"),
    ("{{ 1 if }}", "onverwacht '}}'"),
])
def test_syntax_errors_are_in_dutch(source, dutch, env):
    from jinja2 import TemplateSyntaxError

    from dossier.render.docx import dutch_syntax_message

    with pytest.raises(TemplateSyntaxError) as e:
        env.compile(source)
    assert dutch_syntax_message(e.value) == dutch

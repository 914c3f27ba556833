"""Template customisation: list, resolve, export and check (Dutch messages a firm can act on)."""

from __future__ import annotations

from pathlib import Path

import pytest
from docx import Document
from docx.oxml import OxmlElement

from dossier.errors import Severity, TemplateRenderError, UsageError
from dossier.render import check_templates, export_templates, list_templates, resolve_template
from dossier.render.templates import BUILTIN_DIR, TEMPLATE_NAMES, check_template


def test_builtin_templates_are_clean():
    assert check_templates() == []
    assert sorted(p.stem for p in BUILTIN_DIR.glob("*.docx")) == sorted(TEMPLATE_NAMES)


def test_list_and_resolve_with_override(tmp_path):
    Document().save(tmp_path / "plan_van_aanpak.docx")
    Document().save(tmp_path / "extra_brief.docx")
    Document().save(tmp_path / "~$an_van_aanpak.docx")  # Word lock file: ignored
    infos = {i.name: i for i in list_templates(tmp_path)}
    assert infos["plan_van_aanpak"].source == "eigen"
    assert infos["plan_van_aanpak"].path == tmp_path / "plan_van_aanpak.docx"
    assert infos["eindevaluatie"].source == "ingebouwd"
    assert infos["eindevaluatie"].path == BUILTIN_DIR / "eindevaluatie.docx"
    assert infos["extra_brief"].source == "eigen"
    assert not any(n.startswith("~$") for n in infos)
    assert [i.name for i in list_templates(None)] == list(TEMPLATE_NAMES)

    assert resolve_template("plan_van_aanpak", tmp_path) == tmp_path / "plan_van_aanpak.docx"
    assert resolve_template("plan_van_aanpak.docx", tmp_path) == tmp_path / "plan_van_aanpak.docx"
    assert resolve_template("eindevaluatie", tmp_path) == BUILTIN_DIR / "eindevaluatie.docx"
    assert resolve_template("eindevaluatie", None) == BUILTIN_DIR / "eindevaluatie.docx"
    with pytest.raises(TemplateRenderError, match="bedoelt u 'eindevaluatie'"):
        resolve_template("eindevaluatei", tmp_path)


def test_export_refuses_to_overwrite_unless_forced(tmp_path):
    dest = tmp_path / "sjablonen"
    written = export_templates(dest)
    assert sorted(p.name for p in written) == sorted(f"{n}.docx" for n in TEMPLATE_NAMES)
    assert (dest / "voorblad.docx").read_bytes() == (BUILTIN_DIR / "voorblad.docx").read_bytes()
    (dest / "plan_van_aanpak.docx").write_bytes(b"eigen werk")
    with pytest.raises(UsageError, match="bestaat al"):
        export_templates(dest)
    assert (dest / "plan_van_aanpak.docx").read_bytes() == b"eigen werk"
    export_templates(dest, force=True)
    assert (dest / "plan_van_aanpak.docx").read_bytes() != b"eigen werk"
    assert check_templates(dest) == []


def _save(doc, tmp_path: Path, name: str = "plan_van_aanpak.docx") -> Path:
    path = tmp_path / name
    doc.save(path)
    return path


def messages(issues) -> str:
    return "\n".join(str(i) for i in issues)


def test_typo_in_variable_is_reported_with_suggestion(tmp_path):
    doc = Document()
    doc.add_paragraph("Naam: {{ werknemer.nam }}")
    doc.add_paragraph("{{ plan_van_aanpak.datum|datun }}")
    doc.add_paragraph("{% for a in plan_van_aanpak.activiteiten %}{{ a.wst }}{% endfor %}")
    doc.add_paragraph("{{ werkgever.loonheffingsnummer }}")
    doc.sections[0].header.paragraphs[0].text = "{{ dossiernumer }}"
    issues = check_templates(_save(doc, tmp_path).parent)
    text = messages(issues)
    assert all(i.severity == Severity.fout and i.source == "plan_van_aanpak.docx" for i in issues)
    assert "onbekende variabele 'werknemer.nam' — bedoelt u 'werknemer.naam'?" in text
    assert "alinea 'Naam: {{ werknemer.nam }}'" in text
    assert "onbekend filter 'datun' — bedoelt u 'datum'?" in text
    assert "onbekende variabele 'a.wst' — bedoelt u 'a.wat'?" in text
    assert "bedoelt u 'werkgever.loonheffingennummer'?" in text
    assert "koptekst" in text and "bedoelt u 'dossiernummer'?" in text
    assert len(issues) == 5


def test_valid_constructs_are_not_flagged(tmp_path):
    doc = Document()
    for line in (
        "{% set pa = probleemanalyse %}{{ pa.opgesteld_door|naam_functie }}",
        "{{ (plan_van_aanpak.activiteiten|first).wat }} {{ plan_van_aanpak.activiteiten[0].wie }}",
        "{{ tijdlijn|selectattr('status', 'equalto', 'open')|list|length }}",
        "{% for g in periode.activiteiten_per_soort %}{% for a in g.activiteiten %}"
        "{{ a.omschrijving }}{{ loop.index }}{% endfor %}{% endfor %}",
        "{{ werknemer.naam|upper }} {{ werknemer.naam.split(' ')[0] }}",
        "{% for k, v in werknemer.items() %}{{ k }}{% endfor %}",
        "{{ termijnen.wia_aanvraag.uiterlijk|datum }} {{ bijstelling.probleemanalyse.datum }}",
        "{% if eindevaluatie is defined and eindevaluatie %}x{% endif %}",
    ):
        doc.add_paragraph(line)
    assert check_templates(_save(doc, tmp_path).parent) == []


def test_attribute_on_a_list_is_explained(tmp_path):
    doc = Document()
    doc.add_paragraph("{{ plan_van_aanpak.activiteiten.wat }}")
    (issue,) = check_templates(_save(doc, tmp_path).parent)
    assert "'plan_van_aanpak.activiteiten' is een lijst" in issue.message
    assert "{%tr for x in plan_van_aanpak.activiteiten %}" in issue.message


def test_split_runs_with_formatting_are_detected(tmp_path):
    doc = Document()
    p = doc.add_paragraph("Werkgever: ")
    r1 = p.add_run("{{ werk")
    r1.bold = True
    p.add_run("gever.naam }}")
    # Same formatting split (e.g. spell-check) is harmless and not reported.
    q = doc.add_paragraph()
    q.add_run("{{ werknemer.")
    q.add_run("naam }}")
    issues = check_template(_save(doc, tmp_path))
    assert len(issues) == 1
    (issue,) = issues
    assert issue.severity == Severity.waarschuwing
    assert "opgesplitst in stukken met verschillende opmaak" in issue.message
    assert "'{{ werkgever.naam }}'" in issue.message
    assert "Werkgever: {{ werkgever.naam }}" in issue.location


def test_tag_interrupted_by_tab_is_an_error(tmp_path):
    doc = Document()
    p = doc.add_paragraph()
    p.add_run("{{ werknemer.")
    tab = p.add_run()
    tab._r.append(OxmlElement("w:tab"))
    p.add_run("naam }}")
    issues = check_template(_save(doc, tmp_path))
    assert any(i.severity == Severity.fout and "onderbroken door een tab" in i.message
               for i in issues), messages(issues)


def test_tag_across_hyperlink_boundary_is_an_error(tmp_path):
    doc = Document()
    p = doc.add_paragraph()
    p.add_run("{{ werknemer.")
    link = OxmlElement("w:hyperlink")
    run = OxmlElement("w:r")
    t = OxmlElement("w:t")
    t.text = "naam }}"
    run.append(t)
    link.append(run)
    p._p.append(link)
    issues = check_template(_save(doc, tmp_path))
    assert any("hyperlink" in i.message for i in issues), messages(issues)


def test_curly_quotes_are_detected(tmp_path):
    doc = Document()
    doc.add_paragraph("{{ werknemer.telefoon|default(“onbekend”) }}")
    doc.add_paragraph("{{ werknemer.email|default(„onbekend”) }}")
    issues = check_template(_save(doc, tmp_path))
    text = messages(issues)
    curly = [i for i in issues if "“" in i.message]
    assert curly and curly[0].severity == Severity.waarschuwing
    assert "rechte aanhalingstekens" in curly[0].message
    low = [i for i in issues if "typografische aanhalingstekens „" in i.message]
    assert low and low[0].severity == Severity.fout, text
    # The low quote also breaks Jinja: reported as a syntax error with the paragraph.
    assert "onverwacht teken '„'" in text


def test_unbalanced_tags_are_detected(tmp_path):
    doc = Document()
    doc.add_paragraph("Naam: {{ werknemer.naam }")
    doc.add_paragraph("Losse }} hier")
    doc.add_paragraph("{ { werknemer.naam }}")
    issues = check_template(_save(doc, tmp_path))
    text = messages(issues)
    assert "'{{ werknemer.naam }' is niet afgesloten met '}}'" in text
    assert "losse '}}'" in text
    assert "'{ {' of '{ %' met een spatie ertussen" in text


def test_unclosed_block_points_at_the_opening_tag(tmp_path):
    doc = Document()
    doc.add_paragraph("Begin")
    doc.add_paragraph("{%p if plan_van_aanpak.spoor %}")
    doc.add_paragraph("Spoor: {{ plan_van_aanpak.spoor }}")
    doc.add_paragraph("Einde")
    issues = check_template(_save(doc, tmp_path))
    (issue,) = issues
    assert "'{% if %}' wordt nergens afgesloten met '{% endif %}'" in issue.message
    assert "Begin ¶ {% if plan_van_aanpak.spoor %}" in issue.location


def test_special_tags_misplaced(tmp_path):
    doc = Document()
    doc.add_paragraph("{%tr for a in plan_van_aanpak.activiteiten %}")
    issues = check_template(_save(doc, tmp_path))
    assert any("{%tr …%} mag alleen in een tabelrij staan" in i.message for i in issues)


def test_not_a_docx(tmp_path):
    (tmp_path / "kapot.docx").write_bytes(b"geen zip")
    (issue,) = check_templates(tmp_path)
    assert issue.source == "kapot.docx" and "geen geldig Word-bestand" in issue.message


def test_include_is_rejected(tmp_path):
    doc = Document()
    doc.add_paragraph("{% include 'x.docx' %}")
    (issue,) = check_template(_save(doc, tmp_path))
    assert "include" in issue.message


@pytest.mark.libreoffice
def test_templates_survive_a_libreoffice_round_trip(tmp_path):
    """A firm that opens and saves the templates in LibreOffice keeps working templates."""
    import shutil
    import subprocess

    soffice = shutil.which("soffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice) is niet geïnstalleerd")
    out = tmp_path / "firma"
    subprocess.run([soffice, f"-env:UserInstallation=file://{tmp_path}/lo-profile", "--headless",
                    "--convert-to", "docx:MS Word 2007 XML", "--outdir", str(out),
                    *[str(BUILTIN_DIR / f"{n}.docx") for n in TEMPLATE_NAMES]],
                   check=True, capture_output=True, timeout=300)
    assert check_templates(out) == []
    # And they still render (with the firm's copies, not the built-ins).
    from datetime import date

    from dossier.model import Case
    from dossier.render import plan_documents, render_jobs
    from dossier.settings import Settings
    from dossier.timeline import compute_timeline

    sample = Path(__file__).resolve().parents[1] / "samples" / "casus_kuipers.json"
    case = Case.model_validate_json(sample.read_text(encoding="utf-8"))
    today = date(2026, 10, 20)
    settings = Settings(templates_dir=out)
    jobs = plan_documents(case, compute_timeline(case, today=today), soort="alle",
                          settings=settings, today=today)
    assert all(j.template.parent == out for j in jobs)
    paths = render_jobs(jobs, tmp_path / "uit", settings=settings)
    text = "\n".join(p.text for p in Document(str(paths[0])).paragraphs)
    assert "Wij willen mevrouw Kuipers graag behouden" in text


def test_external_links_and_include_fields_are_errors(tmp_path):
    from docx.opc.constants import RELATIONSHIP_TYPE
    from docx.oxml import parse_xml

    w = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    doc = Document()
    doc.add_paragraph("Beste {{ werknemer.naam }},")
    doc.part.relate_to("http://127.0.0.1:9/logo.png", RELATIONSHIP_TYPE.IMAGE, is_external=True)
    field = doc.add_paragraph()._p
    for xml in (f'<w:r {w}><w:fldChar w:fldCharType="begin"/></w:r>',
                f'<w:r {w}><w:instrText> INCLUDETEXT "C:\\\\brieven\\\\kop.docx" </w:instrText></w:r>',
                f'<w:r {w}><w:fldChar w:fldCharType="end"/></w:r>'):
        field.append(parse_xml(xml))
    path = _save(doc, tmp_path)

    issues = check_template(path)

    assert [i.severity for i in issues] == [Severity.fout, Severity.fout]
    assert all(i.source == "plan_van_aanpak.docx" and "'plan_van_aanpak.docx' bevat" in i.message for i in issues)
    assert "gekoppelde afbeelding naar 'http://127.0.0.1:9/logo.png'" in issues[0].message
    assert "INCLUDETEXT" in issues[1].message

"""The library API for the CLI: plan_documents, render_jobs, plan_voorblad."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from docx import Document

from dossier.errors import UsageError
from dossier.model import Case
from dossier.render import SOORTEN, plan_documents, plan_voorblad, render_jobs
from dossier.render.templates import BUILTIN_DIR
from dossier.settings import Settings
from dossier.timeline import compute_timeline

ROOT = Path(__file__).resolve().parents[1]
KUIPERS = ROOT / "samples" / "casus_kuipers.json"
TODAY = date(2026, 10, 20)


@pytest.fixture(scope="module")
def kuipers() -> Case:
    return Case.model_validate(json.loads(KUIPERS.read_text(encoding="utf-8")))


def minimal() -> Case:
    return Case.model_validate({
        "dossiernummer": "T 001", "werkgever": {"naam": "W"},
        "werknemer": {"naam": "N", "bsn": "111222333"},
        "ziekteperiodes": [{"eerste_ziektedag": "2025-01-06"}]})


def plan(case: Case, soort: str, today: date = TODAY, settings: Settings | None = None, **kw):
    return plan_documents(case, compute_timeline(case, today=today), soort=soort,
                          settings=settings or Settings(), today=today, **kw)


def test_soorten_order():
    # One order for every list of kinds: the order of the re-integratieverslag (the registry's).
    assert SOORTEN == ("plan_van_aanpak", "bijstelling_plan_van_aanpak", "evaluatieverslag",
                       "eerstejaarsevaluatie", "trajectplan_tweede_spoor", "inspanningsrapportage",
                       "eindevaluatie", "oordeel_werknemer")


def test_alle_in_poortwachter_order_with_one_job_per_bijstelling_and_period(kuipers):
    jobs = plan(kuipers, "alle")
    assert [j.filename for j in jobs] == [
        "plan_van_aanpak-VZ-2025-0142.docx",
        "bijstelling_plan_van_aanpak-1-VZ-2025-0142.docx",
        "bijstelling_plan_van_aanpak-2-VZ-2025-0142.docx",
        *(f"evaluatieverslag-{n}-VZ-2025-0142.docx" for n in range(1, 13)),
        "eerstejaarsevaluatie-VZ-2025-0142.docx",
        "trajectplan_tweede_spoor-VZ-2025-0142.docx",
        "inspanningsrapportage-1-VZ-2025-0142.docx",
        "inspanningsrapportage-2-VZ-2025-0142.docx",
        "inspanningsrapportage-3-VZ-2025-0142.docx",
        "inspanningsrapportage-4-VZ-2025-0142.docx",
        "inspanningsrapportage-5-VZ-2025-0142.docx",
        "eindevaluatie-VZ-2025-0142.docx",
        "oordeel_werknemer-VZ-2025-0142.docx",
    ]
    assert jobs[0].datum == date(2025, 2, 20) and jobs[0].titel == "Plan van aanpak"
    assert jobs[3].titel == "Evaluatieverslag 1" and jobs[3].datum == date(2025, 4, 1)
    assert jobs[3].context["evaluatieverslag"]["nummer"] == 1
    assert jobs[17].titel == ("Inspanningsrapportage tweede spoor 1 "
                              "(15 december 2025 t/m 14 februari 2026)")
    assert jobs[17].datum == date(2026, 2, 17)
    assert jobs[17].context["periode"]["nummer"] == 1
    assert all(j.template.parent == BUILTIN_DIR for j in jobs)


def test_file_names_never_contain_the_bsn(kuipers):
    for soort in (*SOORTEN, "alle"):
        for job in plan(kuipers, soort):
            assert "111222333" not in job.filename
    assert "111222333" not in plan_voorblad(
        kuipers, compute_timeline(kuipers, today=TODAY), settings=Settings(), today=TODAY).filename


def test_alle_skips_documents_without_data():
    assert plan(minimal(), "alle") == []


def test_named_soort_without_data_gives_a_prefilled_form():
    for soort in SOORTEN:
        jobs = plan(minimal(), soort)
        assert len(jobs) == 1, soort
        assert "T_001" in jobs[0].filename  # spaces in the dossiernummer become "_"


def test_bijstelling_latest_by_default_and_chosen_by_number():
    case = Case.model_validate({
        "dossiernummer": "T-1", "werkgever": {"naam": "W"}, "werknemer": {"naam": "N"},
        "ziekteperiodes": [{"eerste_ziektedag": "2025-01-06"}],
        "evaluaties": [{"datum": "2025-04-01", "soort": "bijstelling", "reden": "een"},
                       {"datum": "2025-06-01", "soort": "bijstelling", "reden": "twee"}]})
    (latest,) = plan(case, "bijstelling_plan_van_aanpak")
    assert latest.filename == "bijstelling_plan_van_aanpak-2-T-1.docx"
    assert latest.context["bijstelling"]["reden"] == "twee"
    (first,) = plan(case, "bijstelling_plan_van_aanpak", nummer=1)
    assert first.context["bijstelling"]["reden"] == "een" and first.datum == date(2025, 4, 1)
    assert len(plan(case, "alle")) == 2
    with pytest.raises(UsageError, match="bijstelling 3 bestaat niet"):
        plan(case, "bijstelling_plan_van_aanpak", nummer=3)


def test_inspanningsrapportage_one_per_period_and_by_number(kuipers):
    jobs = plan(kuipers, "inspanningsrapportage")
    assert [j.context["periode"]["nummer"] for j in jobs] == [1, 2, 3, 4, 5]
    (third,) = plan(kuipers, "inspanningsrapportage", nummer=3)
    assert third.context["periode"]["van"] == date(2026, 4, 15)
    with pytest.raises(UsageError, match="inspanningsrapportage 9 bestaat niet"):
        plan(kuipers, "inspanningsrapportage", nummer=9)


def test_interval_from_settings():
    case = Case.model_validate({
        "dossiernummer": "T-1", "werkgever": {"naam": "W"}, "werknemer": {"naam": "N"},
        "ziekteperiodes": [{"eerste_ziektedag": "2025-01-06"}],
        "tweede_spoor": {"start": "2026-01-12"}})
    jobs = plan(case, "inspanningsrapportage", today=date(2026, 5, 1),
                settings=Settings(rapportage_interval_maanden=1))
    assert [j.context["periode"]["tot"] for j in jobs] == [
        date(2026, 2, 11), date(2026, 3, 11), date(2026, 4, 11)]


def test_bad_arguments(kuipers):
    with pytest.raises(UsageError, match="bedoelt u 'plan_van_aanpak'"):
        plan(kuipers, "plan_van_aanpk")
    with pytest.raises(UsageError):
        plan(kuipers, "plan_van_aanpak", nummer=1)
    with pytest.raises(UsageError):
        plan(kuipers, "alle", nummer=1)


def test_firm_template_overrides_builtin(kuipers, tmp_path):
    firm = tmp_path / "sjablonen"
    firm.mkdir()
    doc = Document()
    doc.add_paragraph("Huisstijl van {{ werkgever.naam }}: plan voor {{ werknemer.naam }}")
    doc.save(firm / "plan_van_aanpak.docx")
    settings = Settings(templates_dir=firm)
    jobs = plan(kuipers, "alle", settings=settings)
    assert jobs[0].template == firm / "plan_van_aanpak.docx"
    assert all(j.template.parent == BUILTIN_DIR for j in jobs[1:])
    paths = render_jobs(jobs[:2], tmp_path / "uit", settings=settings)
    assert [p.name for p in paths] == [jobs[0].filename, jobs[1].filename]
    first = Document(str(paths[0])).paragraphs[0].text
    assert first == "Huisstijl van Bakkerij Van Dijk & Zonen B.V.: plan voor Sandra Kuipers"
    assert "Bijstelling plan van aanpak" in "\n".join(
        p.text for p in Document(str(paths[1])).paragraphs)


def test_voorblad_job(kuipers, tmp_path):
    job = plan_voorblad(kuipers, compute_timeline(kuipers, today=TODAY), settings=Settings(),
                        today=TODAY)
    assert job.soort == "voorblad" and job.datum == TODAY
    (path,) = render_jobs([job], tmp_path, settings=Settings())
    assert path.name == "voorblad-VZ-2025-0142.docx"


def test_missing_templates_dir_warns_and_falls_back(kuipers, tmp_path, caplog):
    settings = Settings(templates_dir=tmp_path / "bestaat-niet")
    with caplog.at_level("WARNING", logger="dossier.render"):
        (job,) = plan(kuipers, "plan_van_aanpak", settings=settings)
    assert job.template.parent == BUILTIN_DIR
    assert "bestaat niet" in caplog.text


def test_alle_leaves_out_periods_with_nothing_to_report(kuipers):
    # On 20 October 2027 the grid has seven periods; 6 and 7 have no narrative and no event, so
    # "alle" stops at 5. A named soort still gives all.
    later = date(2027, 10, 20)
    alle = [j for j in plan(kuipers, "alle", today=later) if j.soort == "inspanningsrapportage"]
    assert [j.context["periode"]["nummer"] for j in alle] == [1, 2, 3, 4, 5]
    named = plan(kuipers, "inspanningsrapportage", today=later)
    assert [j.context["periode"]["nummer"] for j in named] == [1, 2, 3, 4, 5, 6, 7]
    assert named[-1].context["periode"]["tot"] == date(2027, 1, 3)  # end of the waiting period


@pytest.mark.parametrize("sample", sorted((ROOT / "samples").glob("casus_*.json")),
                         ids=lambda p: p.stem)
def test_every_sample_renders_every_document(sample, tmp_path):
    case = Case.model_validate(json.loads(sample.read_text(encoding="utf-8")))
    tl = compute_timeline(case, today=TODAY)
    jobs = [j for s in SOORTEN for j in plan(case, s)]
    jobs.append(plan_voorblad(case, tl, settings=Settings(), today=TODAY))
    paths = render_jobs(jobs, tmp_path, settings=Settings())
    assert len(paths) == len(jobs) >= 7
    for p in paths:
        text = "\n".join(par.text for par in Document(str(p)).paragraphs)
        assert "None" not in text and "{{" not in text, p.name


def test_readme_lists_the_riv_parts_in_registry_order() -> None:
    import re
    from pathlib import Path

    from dossier.kinds import KINDS, document_kinds

    readme = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
    table = readme.split("Wat UWV in een re-integratieverslag zoekt", 1)[1].split("\nElk document", 1)[0]
    groups = list(dict.fromkeys(k.group for k in KINDS.values() if k.in_dossier and k.group))
    places = [table.find(f"groep {g}") for g in groups]
    assert -1 not in places, dict(zip(groups, places, strict=True))
    assert places == sorted(places)  # UWV's order, as the dossier prints it
    render = readme.split("**`dossier render SOORT CASUS", 1)[1].split("of `alle`", 1)[0]
    assert tuple(re.findall(r"`(\w+)`", render)) == document_kinds()

"""The generated section forms, the werkvoorraad filters and the werkgever settings over HTTP (a real
``dossier serve``), and hostile text in every field shown escaped on every page."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("fastapi", reason="de web-extra is niet geïnstalleerd (pip install 'dossier[web]')")

from test_web_forms import posted

from dossier import api as engine
from dossier.web import modelforms as mf

TODAY = engine.parse_today("2026-11-23")


def _login(web_server) -> Any:
    c = web_server.client(auth=False)
    assert c.get("/login", params={"token": web_server.token}).status_code == 303
    return c


def _csrf(html: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', html).group(1)


def _sample(samples_dir: Path, nr: str, name: str = "casus_kuipers.json") -> dict[str, Any]:
    data = json.loads((samples_dir / name).read_text(encoding="utf-8"))
    data["dossiernummer"] = nr
    return data


def _minimal(nr: str, **extra: Any) -> dict[str, Any]:
    return {"dossiernummer": nr, "werknemer": {"naam": "Jan Test"}, "werkgever": {"naam": "Testbedrijf B.V."},
            "ziekteperiodes": [{"eerste_ziektedag": "2026-06-01"}], **extra}


def test_every_section_posted_back_as_shown_gives_the_same_case_one_version_per_save(web_server,
                                                                                       samples_dir) -> None:
    api = web_server.client()
    data = _sample(samples_dir, "RT-1")
    assert api.post("/api/v1/cases", json=data).status_code == 201
    c = _login(web_server)
    for sec in mf.sections():
        page = c.get(f"/casussen/RT-1/formulier/{sec.slug}")
        assert page.status_code == 200, sec.slug
        r = c.post(f"/casussen/RT-1/formulier/{sec.slug}", data=posted(page.text))
        assert r.status_code == 303, (sec.slug, r.text[:2000])
        assert c.get(r.headers["location"]).text.count("Opgeslagen als versie") == 1
    back = api.get("/api/v1/cases/RT-1").json()
    assert engine.validate_case_data(back, today=TODAY)[0] == engine.validate_case_data(data, today=TODAY)[0]
    assert len(api.get("/api/v1/cases/RT-1/versions").json()) == 1 + len(mf.sections())


def test_errors_are_refused_next_to_their_field_and_findings_are_shown_after_a_save(web_server) -> None:
    api = web_server.client()
    api.post("/api/v1/cases", json=_minimal("VAL-1"))
    c = _login(web_server)
    page = c.get("/casussen/VAL-1/formulier/basis")
    form = posted(page.text)
    # Findings of `dossier check` (missing is not refused) sit next to their field.
    bsn = re.search(r'<input id="werknemer\.bsn"[^>]*>', page.text).group(0)
    described = re.search(r'aria-describedby="([^"]+)"', bsn).group(1).split()
    assert any(re.search(rf'id="{re.escape(i)}"><span class="niveau[^>]*>[^<]*</span> BSN van de werknemer '
                         r"ontbreekt", page.text) for i in described)
    # A wrong BSN is an error: not saved, the message is the model's, next to the input, typed values stay.
    r = c.post("/casussen/VAL-1/formulier/basis", data={**form, "werknemer.bsn": "123456789",
                                                       "werknemer.functie": "Planner"})
    assert r.status_code == 422
    bsn = re.search(r'<input id="werknemer\.bsn"[^>]*>', r.text).group(0)
    assert 'aria-invalid="true"' in bsn and 'value="Planner"' in r.text
    ids = re.search(r'aria-describedby="([^"]+)"', bsn).group(1).split()
    assert any(re.search(rf'id="{re.escape(i)}">[^<]*elfproef', r.text) for i in ids)
    # The minimum of a case file: no werknemer name is refused too.
    assert c.post("/casussen/VAL-1/formulier/basis", data={**form, "werknemer.naam": ""}).status_code == 422
    # An activity without "wat" is an error at that row's input.
    pva = posted(c.get("/casussen/VAL-1/formulier/plan-van-aanpak").text)
    r = c.post("/casussen/VAL-1/formulier/plan-van-aanpak",
               data={**pva, "plan_van_aanpak.activiteiten.0.wie": "werknemer"})
    assert r.status_code == 422 and 'id="plan_van_aanpak.activiteiten.0.wat-fout-1"' in r.text
    assert len(api.get("/api/v1/cases/VAL-1/versions").json()) == 1
    # The case page's findings lead to the form that holds their field.
    case_page = c.get("/casussen/VAL-1").text
    assert re.search(r'BSN van de werknemer ontbreekt[^<]*<a href="/casussen/VAL-1/formulier/basis">', case_page)
    # Everything else missing is saved, then reported as a finding.
    r = c.post("/casussen/VAL-1/formulier/plan-van-aanpak", data={**pva, "plan_van_aanpak.doel_kort": "Halve dagen"})
    assert r.status_code == 303
    assert api.get("/api/v1/cases/VAL-1").json()["plan_van_aanpak"] == {"doel_kort": "Halve dagen"}


def test_a_stale_form_conflicts_and_a_forged_csrf_token_changes_nothing(web_server) -> None:
    api = web_server.client()
    api.post("/api/v1/cases", json=_minimal("CON-1"))
    c = _login(web_server)
    form = posted(c.get("/casussen/CON-1/formulier/opmerkingen").text)
    assert form["versie"] == "1"
    assert c.post("/casussen/CON-1/formulier/opmerkingen", data={**form, "opmerkingen": "x", "csrf": "vervalst"}
                  ).status_code == 403
    other = _minimal("CON-1", opmerkingen="uit een ander tabblad")
    assert api.put("/api/v1/cases/CON-1", json=other).status_code == 200
    r = c.post("/casussen/CON-1/formulier/opmerkingen", data={**form, "opmerkingen": "mijn tekst"})
    assert r.status_code == 409 and "intussen opgeslagen als versie 2" in r.text
    assert "mijn tekst" in r.text  # what was typed is still there to copy
    assert api.get("/api/v1/cases/CON-1").json()["opmerkingen"] == "uit een ander tabblad"
    assert len(api.get("/api/v1/cases/CON-1/versions").json()) == 2


def test_the_add_a_row_partial_and_its_next_button(web_server) -> None:
    c = _login(web_server)
    r = c.get("/formulieren/rij", params={"pad": "evaluaties.1.voortgang", "i": 2})
    assert r.status_code == 200
    assert 'name="evaluaties.1.voortgang.2.wat"' in r.text and "Voortgang 3" in r.text
    assert re.search(r'id="evaluaties-1-voortgang-erbij"[^>]*i=3"[^>]*hx-swap-oob="true"', r.text.replace("\n", " "))
    r = c.get("/formulieren/rij", params={"pad": "plan_van_aanpak.evaluatiemomenten", "i": 0})
    assert 'name="plan_van_aanpak.evaluatiemomenten.0" type="date"' in r.text
    assert c.get("/formulieren/rij", params={"pad": "werknemer.naam"}).status_code == 404
    assert c.get("/formulieren/rij", params={"pad": "../etc"}).status_code == 404
    assert web_server.client(auth=False).get("/formulieren/rij", params={"pad": "evaluaties"}).status_code == 303


EVIL = ['<script>alert(1)</script>', '"><img src=x onerror=alert(2)>']


def test_html_in_every_text_field_is_escaped_on_every_page(web_server, samples_dir) -> None:
    data = _sample(samples_dir, "XSS-1")
    data["werknemer"]["naam"] = "Els " + EVIL[0]
    data["werkgever"]["naam"] = "Firma " + EVIL[1]
    data["casemanager"]["naam"] = EVIL[0] + EVIL[1]
    data["plan_van_aanpak"]["doel_kort"] = EVIL[1]
    data["plan_van_aanpak"]["activiteiten"][0]["wat"] = EVIL[0]
    data["evaluaties"][0]["verslag"] = EVIL[1]
    data["opmerkingen"] = EVIL[0]
    api = web_server.client()
    assert api.post("/api/v1/cases", json=data).status_code == 201
    c = _login(web_server)
    csrf = _csrf(c.get("/").text)
    # Also through a form post: the text is stored as typed.
    form = posted(c.get("/casussen/XSS-1/formulier/tweede-spoor").text)
    assert c.post("/casussen/XSS-1/formulier/tweede-spoor", data={**form, "csrf": csrf,
                                                                 "tweede_spoor.doel": EVIL[0]}).status_code == 303
    assert api.get("/api/v1/cases/XSS-1").json()["tweede_spoor"]["doel"] == EVIL[0]
    pages = ["/", "/?archief=1&werkgever=" + data["werkgever"]["naam"], "/casussen/XSS-1", "/casussen/XSS-1/versies",
             "/casussen/XSS-1/bewerken", "/werkgevers", *(f"/casussen/XSS-1/formulier/{s.slug}" for s in mf.sections())]
    for path in pages:
        r = c.get(path)
        assert r.status_code == 200, path
        for evil in EVIL:
            assert evil not in r.text, path
            assert "<img src=x" not in r.text and "<script>alert" not in r.text, path
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in c.get("/casussen/XSS-1").text


def test_werkvoorraad_filters_by_casemanager_werkgever_and_status_and_archives_closed_cases(web_server) -> None:
    api = web_server.client()
    cm = {"naam": "Casemanager Filter"}
    cases = [_minimal("FLT-1", casemanager=cm), _minimal("FLT-2", casemanager=cm),
             _minimal("FLT-3", casemanager={"naam": "Iemand Anders"}),
             _minimal("FLT-4", casemanager=cm, ziekteperiodes=[{"eerste_ziektedag": "2026-03-02",
                                                                "hersteldatum": "2026-04-01"}])]
    cases[1]["werkgever"] = {"naam": "Filterfirma B.V."}
    cases[1]["ziekteperiodes"] = [{"eerste_ziektedag": "2026-01-05"}]
    for case in cases:
        assert api.post("/api/v1/cases", json=case).status_code == 201
    c = _login(web_server)

    def shown(**q: str) -> list[str]:
        return re.findall(r'href="/casussen/(FLT-\d)"', c.get("/", params=q).text)

    assert shown(casemanager="Casemanager Filter") == ["FLT-2", "FLT-1"]  # soonest due date first; FLT-4 archived
    assert shown(casemanager="Casemanager Filter", sorteer="dossier") == ["FLT-1", "FLT-2"]
    assert shown(casemanager="Casemanager Filter", archief="1", sorteer="dossier") == ["FLT-1", "FLT-2", "FLT-4"]
    assert shown(status="hersteld") == ["FLT-4"]
    assert shown(werkgever="Filterfirma B.V.") == ["FLT-2"]
    assert shown(werkgever="Filterfirma B.V.", zoek="FLT-1") == []
    page = c.get("/", params={"casemanager": "Casemanager Filter", "archief": "1"}).text
    assert '<option value="Casemanager Filter" selected>' in page and "hersteld" in page
    # htmx asks for the list alone; unknown values are ignored, not an error.
    part = c.get("/", params={"status": "weg", "sorteer": "x", "casemanager": "Iemand Anders"},
                 headers={"HX-Request": "true"})
    assert part.status_code == 200 and part.text.startswith('<section id="lijst"')
    assert re.findall(r'href="/casussen/(FLT-\d)"', part.text) == ["FLT-3"]


def test_paging_keeps_the_filters(web_server) -> None:
    api = web_server.client()
    for i in range(27):
        api.post("/api/v1/cases", json=_minimal(f"PAG-{i:02d}", werkgever={"naam": "Pagina B.V."}))
    c = _login(web_server)
    page = c.get("/", params={"werkgever": "Pagina B.V.", "sorteer": "dossier"}).text
    assert "Pagina 1 van 2" in page
    nxt = re.search(r'href="(/\?[^"]*pagina=2[^"]*)"', page).group(1).replace("&amp;", "&")
    second = c.get(nxt).text
    assert re.findall(r'href="/casussen/(PAG-\d+)"', second) == ["PAG-25", "PAG-26"]


def test_werkgever_settings_move_the_wia_week_of_its_cases(web_server) -> None:
    api = web_server.client()
    api.post("/api/v1/cases", json=_minimal("WG-1", werkgever={"naam": "Week 91 B.V."}))

    def wia_due() -> str:
        tl = api.get("/api/v1/cases/WG-1/timeline", params={"today": "2026-11-23"}).json()
        return next(m["uiterlijk"] for m in tl["mijlpalen"] if m["code"] == "wia_aanvraag")

    before = wia_due()
    c = _login(web_server)
    page = c.get("/werkgevers")
    assert "Week 91 B.V." in page.text
    csrf = _csrf(page.text)
    bad = c.post("/werkgevers", data={"csrf": csrf, "werkgever": "Week 91 B.V.", "wia_aanvraag_week": "120"})
    assert bad.status_code == 422 and "ziekteweek van 87 tot en met 93" in bad.text
    assert c.post("/werkgevers", data={"csrf": "vervalst", "werkgever": "Week 91 B.V.",
                                       "wia_aanvraag_week": "91"}).status_code == 403
    assert wia_due() == before
    r = c.post("/werkgevers", data={"csrf": csrf, "werkgever": "Week 91 B.V.", "wia_aanvraag_week": "91",
                                    "sjablonenset": ""})
    assert r.status_code == 303
    after = wia_due()
    assert engine.parse_today(before) - engine.parse_today(after) == __import__("datetime").timedelta(weeks=2)
    assert '<option value="91" selected>' in c.get("/werkgevers").text


def test_a_case_whose_data_is_copied_is_unchanged_by_a_section_it_does_not_show(samples_dir) -> None:
    data = _sample(samples_dir, "X")
    before = copy.deepcopy(data)
    mf.apply_section(data, mf.section("ondertekening"), {})
    assert data == before  # apply_section never changes its input

"""The pages of ``dossier serve`` over HTTP: login, CSRF, the werkvoorraad, a case, a form, versions."""

from __future__ import annotations

import copy
import re
from typing import Any

import pytest

pytest.importorskip("fastapi", reason="de web-extra is niet geïnstalleerd (pip install 'dossier[web]')")


def _login(web_server) -> Any:
    c = web_server.client(auth=False)
    r = c.get("/login", params={"token": web_server.token})
    assert r.status_code == 303 and r.headers["location"] == "/"
    return c


def _csrf(html: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', html).group(1)


def test_pages_need_a_login_and_a_wrong_token_is_refused(web_server) -> None:
    anon = web_server.client(auth=False)
    for path in ("/", "/casussen/nieuw", "/casussen/X"):
        r = anon.get(path)
        assert r.status_code == 303 and r.headers["location"] == "/login"
    page = anon.get("/login")
    assert page.status_code == 200 and 'lang="nl"' in page.text
    r = anon.post("/login", data={"token": "fout", "csrf": _csrf(page.text)})
    assert r.status_code == 401 and "klopt niet" in r.text
    assert "dossier_sessie" not in r.cookies
    assert anon.get("/login", params={"token": "fout"}).status_code == 401


def test_login_by_form_then_a_forged_csrf_token_changes_nothing(web_server) -> None:
    c = web_server.client(auth=False)
    page = c.get("/login")
    r = c.post("/login", data={"token": web_server.token, "csrf": _csrf(page.text)})
    assert r.status_code == 303
    form = c.get("/casussen/nieuw")
    assert form.status_code == 200
    fields = {"dossiernummer": "CSRF-1", "werknemer.naam": "Piet", "werkgever.naam": "Bedrijf",
              "ziekteperiodes.0.eerste_ziektedag": "2026-02-02"}
    assert c.post("/casussen/nieuw", data={**fields, "csrf": "vervalst"}).status_code == 403
    assert c.post("/casussen/nieuw", data=fields).status_code == 403
    assert web_server.client().get("/api/v1/cases/CSRF-1").status_code == 404
    r = c.post("/casussen/nieuw", data={**fields, "csrf": _csrf(form.text)})
    assert r.status_code == 303 and r.headers["location"] == "/casussen/CSRF-1"


def test_form_errors_land_next_to_their_field_and_nothing_is_saved(web_server) -> None:
    c = _login(web_server)
    csrf = _csrf(c.get("/casussen/nieuw").text)
    r = c.post("/casussen/nieuw", data={
        "csrf": csrf, "dossiernummer": "FORM-1", "werknemer.naam": "Els", "werknemer.bsn": "123456789",
        "werkgever.naam": "Bedrijf", "ziekteperiodes.0.eerste_ziektedag": "2026-02-02",
        "ziekteperiodes.1.eerste_ziektedag": "2026-01-01", "ziekteperiodes.1.hersteldatum": ""})
    assert r.status_code == 422
    assert re.search(r'id="werknemer.bsn-fout">[^<]*elfproef', r.text)
    assert 'id="ziekteperiodes.0.hersteldatum-fout"' in r.text  # only the last period may run
    assert 'value="Els"' in r.text  # what was typed stays in the form
    assert web_server.client().get("/api/v1/cases/FORM-1").status_code == 404


def test_edit_keeps_other_fields_makes_a_version_and_a_stale_form_conflicts(web_server, case_data) -> None:
    api = web_server.client()
    data = copy.deepcopy(case_data)
    data.update(dossiernummer="EDIT-1", opmerkingen="blijft staan")
    data["werknemer"]["functie"] = "Monteur"
    api.post("/api/v1/cases", json=data)
    c = _login(web_server)
    page = c.get("/casussen/EDIT-1/bewerken")
    assert 'value="Monteur"' in page.text and 'value="2026-01-05"' in page.text
    form = {"csrf": _csrf(page.text), "versie": "1", "werknemer.naam": "Jan Test", "werknemer.functie": "Planner",
            "werkgever.naam": "Testbedrijf B.V.", "ziekteperiodes.0.eerste_ziektedag": "2026-01-05",
            "ziekteperiodes.0.hersteldatum": "2026-03-01"}
    assert c.post("/casussen/EDIT-1/bewerken", data=form).status_code == 303
    saved = api.get("/api/v1/cases/EDIT-1").json()
    assert saved["werknemer"]["functie"] == "Planner" and saved["opmerkingen"] == "blijft staan"
    assert saved["ziekteperiodes"] == [{"eerste_ziektedag": "2026-01-05", "hersteldatum": "2026-03-01"}]
    again = c.post("/casussen/EDIT-1/bewerken", data=form)  # the same form, based on version 1
    assert again.status_code == 409 and "intussen opgeslagen als versie 2" in again.text

    versions = c.get("/casussen/EDIT-1/versies")
    assert "Versie 1 terugzetten" in versions.text
    assert "<code>werknemer.functie</code> gewijzigd: Monteur → Planner" in versions.text
    assert "<code>ziekteperiodes[1].hersteldatum</code> toegevoegd: 2026-03-01" in versions.text
    r = c.post("/casussen/EDIT-1/versies/1/herstel", data={"csrf": _csrf(versions.text), "huidig": "2"})
    assert r.status_code == 303
    assert api.get("/api/v1/cases/EDIT-1").json()["werknemer"]["functie"] == "Monteur"
    assert [v["versie"] for v in api.get("/api/v1/cases/EDIT-1/versions").json()] == [3, 2, 1]


def test_case_page_draws_the_timeline_and_escapes_text(web_server, samples_dir) -> None:
    import json

    api = web_server.client()
    data = json.loads((samples_dir / "casus_kuipers.json").read_text(encoding="utf-8"))
    data["dossiernummer"] = "SVG-1"
    data["werknemer"]["naam"] = "<script>alert(1)</script> Kuipers"
    api.post("/api/v1/cases", json=data)
    c = _login(web_server)
    page = c.get("/casussen/SVG-1").text
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page
    svg = page[page.index("<svg"):page.index("</svg>")]
    assert 'class="vandaag"' in svg and 'class="periode"' in svg
    assert svg.count("<circle") >= 10
    assert re.search(r'class="mijlpaal st-gedaan"><title>[^<]*gedaan', svg)
    assert data["werknemer"]["bsn"] not in page  # the case page never shows the BSN
    home = c.get("/", params={"zoek": "SVG-1"}).text
    assert "SVG-1" in home and "Volgende mijlpaal" in home


def test_delete_needs_the_dossiernummer_typed_and_keeps_the_versions(web_server, case_data) -> None:
    api = web_server.client()
    data = copy.deepcopy(case_data)
    data["dossiernummer"] = "DEL-1"
    api.post("/api/v1/cases", json=data)
    c = _login(web_server)
    page = c.get("/casussen/DEL-1/verwijderen")
    csrf = _csrf(page.text)
    assert c.post("/casussen/DEL-1/verwijderen", data={"csrf": csrf, "bevestig": "DEL"}).status_code == 422
    assert api.get("/api/v1/cases/DEL-1").status_code == 200
    r = c.post("/casussen/DEL-1/verwijderen", data={"csrf": csrf, "bevestig": "DEL-1"})
    assert r.status_code == 303
    assert api.get("/api/v1/cases/DEL-1").status_code == 404
    assert c.get("/casussen/DEL-1").status_code == 404


def test_the_case_page_offers_the_documents(web_server, samples_dir) -> None:
    import json

    data = json.loads((samples_dir / "casus_kuipers.json").read_text(encoding="utf-8"))
    data["dossiernummer"] = "DOC-1"
    web_server.client().post("/api/v1/cases", json=data)
    c = _login(web_server)
    assert 'href="/casussen/DOC-1/documenten/plan_van_aanpak.docx"' in c.get("/casussen/DOC-1").text
    r = c.get("/casussen/DOC-1/documenten/plan_van_aanpak.docx")
    assert r.status_code == 200 and r.content[:2] == b"PK"


def test_werkvoorraad_filters_late_and_this_week(web_server, case_data) -> None:
    api = web_server.client()
    # Reference date 2026-11-23. Sick since 2026-10-05 with a probleemanalyse: the plan van aanpak
    # (week 8) is due on 2026-11-30, within the week; the untouched case is late.
    soon = copy.deepcopy(case_data)
    soon.update(dossiernummer="TERM-SOON")
    soon["ziekteperiodes"] = [{"eerste_ziektedag": "2026-10-05"}]
    soon["probleemanalyse"] = {"datum": "2026-11-10"}
    late = copy.deepcopy(case_data)
    late.update(dossiernummer="TERM-LATE")
    for body in (soon, late):
        assert api.post("/api/v1/cases", json=body).status_code == 201
    listed = {c["dossiernummer"]: c for c in api.get("/api/v1/cases", params={"zoek": "TERM-"}).json()["casussen"]}
    assert listed["TERM-LATE"]["volgende_mijlpaal"]["uiterlijk"] < "2026-11-23"
    assert "2026-11-23" <= listed["TERM-SOON"]["volgende_mijlpaal"]["uiterlijk"] <= "2026-11-30"
    c = _login(web_server)
    te_laat = c.get("/", params={"zoek": "TERM-", "termijn": "te_laat"}, headers={"HX-Request": "true"}).text
    assert "TERM-LATE" in te_laat and "TERM-SOON" not in te_laat and "<html" not in te_laat
    week = c.get("/", params={"zoek": "TERM-", "termijn": "deze_week"}).text
    assert "TERM-SOON" in week and "TERM-LATE" not in week

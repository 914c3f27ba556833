"""The HTTP API of ``dossier serve`` against a real uvicorn and a real SQLite database (issue 14)."""

from __future__ import annotations

import copy
import json
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("fastapi", reason="de web-extra is niet geïnstalleerd (pip install 'dossier[web]')")

TODAY = "2026-11-23"


def _case(nr: str, case_data: dict[str, Any]) -> dict[str, Any]:
    data = copy.deepcopy(case_data)
    data["dossiernummer"] = nr
    return data


def test_healthz_is_open_and_every_api_route_needs_the_token(web_server) -> None:
    anon = web_server.client(auth=False)
    assert anon.get("/healthz").json() == {"status": "ok"}
    wrong = {"Authorization": "Bearer fout-token"}
    for method, path in [("GET", "/api/v1/cases"), ("POST", "/api/v1/cases"), ("GET", "/api/v1/cases/X"),
                         ("PUT", "/api/v1/cases/X"), ("DELETE", "/api/v1/cases/X"),
                         ("GET", "/api/v1/cases/X/versions"), ("GET", "/api/v1/cases/X/timeline"),
                         ("GET", "/api/v1/bestaat-niet"), ("GET", "/api/docs"), ("GET", "/api/openapi.json")]:
        for headers in ({}, wrong):
            r = anon.request(method, path, headers=headers)
            assert r.status_code == 401, (method, path, r.status_code)
            assert set(r.json()) == {"melding"} and r.json()["melding"]


def test_create_read_update_delete_with_versions(web_server, case_data: dict[str, Any]) -> None:
    api = web_server.client()
    data = _case("API-1", case_data)
    r = api.post("/api/v1/cases", json=data)
    assert r.status_code == 201 and r.json() == {"dossiernummer": "API-1", "versie": 1}
    assert api.post("/api/v1/cases", json=data).status_code == 409

    r = api.get("/api/v1/cases/API-1")
    assert r.status_code == 200 and r.headers["etag"] == '"1"'
    assert r.json() == data  # the case exactly as a case file

    data["werknemer"]["functie"] = "Heftruckchauffeur"
    r = api.put("/api/v1/cases/API-1", json=data, headers={"If-Match": '"1"'})
    assert r.status_code == 200 and r.json() == {"dossiernummer": "API-1", "versie": 2}
    stale = api.put("/api/v1/cases/API-1", json=data, headers={"If-Match": "1"})
    assert stale.status_code == 409 and "versie 2" in stale.json()["melding"]
    assert api.put("/api/v1/cases/API-1", json=data).json()["versie"] == 3  # no If-Match: last write wins

    versions = api.get("/api/v1/cases/API-1/versions").json()
    assert [v["versie"] for v in versions] == [3, 2, 1]
    assert set(versions[0]) == {"versie", "opgeslagen_op", "door"} and versions[0]["door"] == "Test Gebruiker"
    assert api.get("/api/v1/cases/API-1").json()["werknemer"]["functie"] == "Heftruckchauffeur"

    assert api.delete("/api/v1/cases/API-1").status_code == 204
    for path in ("/api/v1/cases/API-1", "/api/v1/cases/API-1/versions", "/api/v1/cases/API-1/timeline"):
        r = api.get(path)
        assert r.status_code == 404 and set(r.json()) == {"melding"}
    assert api.delete("/api/v1/cases/API-1").status_code == 404
    assert "API-1" not in {c["dossiernummer"] for c in api.get("/api/v1/cases?per_pagina=500").json()["casussen"]}


def test_invalid_cases_get_the_problems_of_check(web_server, case_data: dict[str, Any]) -> None:
    api = web_server.client()
    bad = _case("API-2", case_data)
    bad["werknemer"]["bsn"] = "123456789"
    bad["ziekteperiodes"][0]["eerste_ziektedag"] = "31-02-2026"
    del bad["werkgever"]["naam"]
    r = api.post("/api/v1/cases", json=bad)
    assert r.status_code == 422
    problems = r.json()["problemen"]
    assert all(set(p) == {"ernst", "veld", "melding"} and p["ernst"] == "fout" for p in problems)
    by_field = {p["veld"]: p["melding"] for p in problems}
    assert set(by_field) == {"werknemer.bsn", "ziekteperiodes[1].eerste_ziektedag", "werkgever.naam"}
    assert "elfproef" in by_field["werknemer.bsn"] and "123456789" not in json.dumps(problems)
    for body in (b"{niet json", b"[1, 2]"):
        r = api.post("/api/v1/cases", content=body, headers={"Content-Type": "application/json"})
        assert r.status_code == 422 and r.json()["problemen"][0]["ernst"] == "fout"
    assert api.get("/api/v1/cases/API-2").status_code == 404  # nothing stored

    ok = _case("API-3", case_data)
    assert api.post("/api/v1/cases", json=ok).status_code == 201
    other = _case("API-4", case_data)
    r = api.put("/api/v1/cases/API-3", json=other)
    assert r.status_code == 422 and r.json()["problemen"][0]["veld"] == "dossiernummer"
    assert api.put("/api/v1/cases/BESTAAT-NIET", json=_case("BESTAAT-NIET", case_data)).status_code == 404


def test_the_list_searches_pages_and_shows_the_next_milestone(web_server, case_data: dict[str, Any]) -> None:
    api = web_server.client()
    for i, naam in enumerate(["Anna Zoekmij", "Bert Zoekmij", "Carla Anders"]):
        data = _case(f"LST-{i}", case_data)
        data["werknemer"]["naam"] = naam
        data["ziekteperiodes"][0]["eerste_ziektedag"] = f"2026-0{i + 1}-05"
        assert api.post("/api/v1/cases", json=data).status_code == 201
    r = api.get("/api/v1/cases", params={"zoek": "zoekmij", "pagina": 1, "per_pagina": 1}).json()
    assert r["totaal"] == 2 and len(r["casussen"]) == 1
    first = r["casussen"][0]
    assert set(first) == {"dossiernummer", "werknemer", "werkgever", "ziekteweek", "volgende_mijlpaal", "niveau"}
    assert first["dossiernummer"] == "LST-0" and first["werkgever"] == "Testbedrijf B.V."
    assert first["ziekteweek"] == 47  # 5 January 2026 to 23 November 2026
    assert set(first["volgende_mijlpaal"]) == {"code", "uiterlijk"}
    assert first["niveau"] in ("loonsanctie-risico", "boete", "aandachtspunt")
    page2 = api.get("/api/v1/cases", params={"zoek": "zoekmij", "pagina": 2, "per_pagina": 1}).json()
    assert [c["dossiernummer"] for c in page2["casussen"]] == ["LST-1"]
    assert api.get("/api/v1/cases", params={"zoek": "LST-2"}).json()["casussen"][0]["werknemer"] == "Carla Anders"
    assert api.get("/api/v1/cases", params={"pagina": 0}).status_code == 422


def test_the_timeline_is_exactly_the_cli_json(web_server, samples_dir: Path) -> None:
    api = web_server.client()
    data = json.loads((samples_dir / "casus_yilmaz.json").read_text(encoding="utf-8"))
    assert api.post("/api/v1/cases", json=data).status_code == 201
    nr = data["dossiernummer"]
    r = api.get(f"/api/v1/cases/{nr}/timeline", params={"today": "2026-03-02"})
    cli = subprocess.run([sys.executable, "-m", "dossier", "timeline", str(samples_dir / "casus_yilmaz.json"),
                          "--format", "json", "--today", "2026-03-02"], capture_output=True, text=True, check=True)
    assert r.status_code == 200 and r.text == cli.stdout
    assert api.get(f"/api/v1/cases/{nr}/timeline", params={"today": "31-02-2026"}).status_code == 422


def _migration_head() -> str:
    """The newest revision of the migrations shipped (the server migrates to it on start)."""
    from alembic.script import ScriptDirectory

    from dossier.web.storage import MIGRATIONS

    return ScriptDirectory(str(MIGRATIONS)).get_current_head()


def test_the_database_is_sqlite_in_wal_with_append_only_versions(web_server, case_data: dict[str, Any]) -> None:
    api = web_server.client()
    data = _case("DB-1", case_data)
    api.post("/api/v1/cases", json=data)
    data["opmerkingen"] = "tweede versie"
    api.put("/api/v1/cases/DB-1", json=data)
    db = sqlite3.connect(web_server.data_dir / "dossier.sqlite3")
    try:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        rows = db.execute("SELECT v.versie, v.sha256, v.saved_by, c.versie, c.current_version_id = v.id "
                          "FROM case_version v JOIN \"case\" c ON c.id = v.case_id "
                          "WHERE c.dossiernummer = 'DB-1' ORDER BY v.versie").fetchall()
        assert db.execute("SELECT version_num FROM alembic_version").fetchone()[0] == _migration_head()
    finally:
        db.close()
    assert [r[0] for r in rows] == [1, 2] and rows[0][1] != rows[1][1]
    assert [r[4] for r in rows] == [0, 1] and rows[1][3] == 2 and rows[0][2] == "Test Gebruiker"


def test_security_headers_on_every_response(web_server) -> None:
    r = web_server.client().get("/api/v1/cases")
    assert "script-src 'self'" in r.headers["content-security-policy"]
    assert "'unsafe-inline'" not in r.headers["content-security-policy"]
    assert r.headers["x-content-type-options"] == "nosniff"


def test_concurrent_saves_of_one_version_one_wins_the_rest_conflict(web_server, case_data: dict[str, Any]) -> None:
    from concurrent.futures import ThreadPoolExecutor

    api = web_server.client()
    data = _case("RACE-1", case_data)
    assert api.post("/api/v1/cases", json=data).status_code == 201

    def save(i: int) -> int:
        body = copy.deepcopy(data)
        body["opmerkingen"] = f"tab {i}"
        with web_server.client() as c:
            return c.put("/api/v1/cases/RACE-1", json=body, headers={"If-Match": "1"}).status_code

    with ThreadPoolExecutor(8) as pool:
        codes = sorted(pool.map(save, range(8)))
    assert codes == [200] + [409] * 7
    assert [v["versie"] for v in api.get("/api/v1/cases/RACE-1/versions").json()] == [2, 1]


def test_import_stores_each_case_once(tmp_path: Path, samples_dir: Path) -> None:
    from dossier.web import WebConfig, import_cases

    config = WebConfig(data_dir=tmp_path / "data", token="t", gebruiker="import")
    files = [samples_dir / "casus_kuipers.json", samples_dir / "verzuim_export.csv"]
    done, skipped = import_cases(config, files)
    assert done >= 2 and skipped == 0
    assert import_cases(config, files) == (0, done)


def test_a_document_as_docx_in_the_request(web_server, samples_dir: Path) -> None:
    import io
    import zipfile

    api = web_server.client()
    data = json.loads((samples_dir / "casus_de_boer.json").read_text(encoding="utf-8"))
    api.post("/api/v1/cases", json=data)
    nr = data["dossiernummer"]
    r = api.get(f"/api/v1/cases/{nr}/documents/plan_van_aanpak.docx", params={"today": TODAY})
    assert r.status_code == 200 and r.content[:2] == b"PK"
    assert r.headers["content-disposition"] == f'attachment; filename="plan_van_aanpak-{nr}.docx"'
    xml = zipfile.ZipFile(io.BytesIO(r.content)).read("word/document.xml").decode()
    assert data["werknemer"]["naam"] in xml
    missing = api.get(f"/api/v1/cases/{nr}/documents/bestaat_niet.docx")
    assert missing.status_code == 404 and "plan_van_aanpak" in missing.json()["melding"]
    assert api.get(f"/api/v1/cases/{nr}/documents/bijstelling_plan_van_aanpak.docx",
                   params={"nummer": 9}).status_code == 422


def test_an_oversized_or_non_json_body_is_refused(web_server, case_data: dict[str, Any]) -> None:
    api = web_server.client()
    data = _case("BIG-1", case_data)
    data["opmerkingen"] = "x" * (3 * 1024 * 1024)
    r = api.post("/api/v1/cases", json=data)
    assert r.status_code == 413 and "MB" in r.json()["melding"]
    assert api.get("/api/v1/cases/BIG-1").status_code == 404
    small = json.dumps(_case("TYPE-1", case_data))
    r = api.post("/api/v1/cases", content=small, headers={"Content-Type": "text/html"})
    assert r.status_code == 415 and "application/json" in r.json()["melding"]
    assert api.get("/api/v1/cases/TYPE-1").status_code == 404


def test_the_precomputed_columns_are_refreshed_when_the_date_moves_on(tmp_path: Path, case_data) -> None:
    from datetime import date

    from dossier.web.storage import Store

    store = Store(tmp_path / "db.sqlite3")
    try:
        store.create(case_data, door="t", today=date(2026, 1, 12))
        _, rows = store.list(today=date(2026, 3, 2))
        assert rows[0].ziekteweek == 2  # as computed on save: a list runs no timeline
        assert store.refresh(date(2026, 3, 2)) == 1 and store.refresh(date(2026, 3, 2)) == 0
        _, rows = store.list(today=date(2026, 3, 2))
        assert rows[0].ziekteweek == 9 and rows[0].niveau == "loonsanctie-risico"
    finally:
        store.close()


def test_check_is_exactly_the_cli_json(web_server, samples_dir: Path, tmp_path: Path) -> None:
    api = web_server.client()
    data = json.loads((samples_dir / "casus_rommelig.json").read_text(encoding="utf-8"))
    data["dossiernummer"] = "CHK-1"
    data.pop("bijlagen", None)  # the attachment files are not stored with the case yet
    assert api.post("/api/v1/cases", json=data).status_code == 201
    r = api.get("/api/v1/cases/CHK-1/check", params={"today": TODAY})
    case_file = tmp_path / "CHK-1.json"
    case_file.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    cli = subprocess.run([sys.executable, "-m", "dossier", "check", str(case_file), "--format", "json",
                          "--today", TODAY], capture_output=True, text=True)
    assert r.status_code == 200 and r.text == cli.stdout
    found = r.json()["casussen"][0]["bevindingen"]
    assert found and {"code", "niveau", "melding", "uiterlijk", "grondslag"} <= set(found[0])

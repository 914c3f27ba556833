"""Import/export, AVG (inzage, bewaartermijn), the agenda feed and template sets of ``dossier serve``,
against a real uvicorn and SQLite (issue 14 items 2, 6, 7)."""

from __future__ import annotations

import copy
import io
import json
import re
import sqlite3
import zipfile
from datetime import date
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("fastapi", reason="de web-extra is niet geïnstalleerd (pip install 'dossier[web]')")

import dossier.api as dapi

TODAY = date(2026, 11, 23)
ROOT = Path(__file__).resolve().parent.parent


def _login(web_server) -> Any:
    c = web_server.client(auth=False)
    r = c.get("/login", params={"token": web_server.token})
    assert r.status_code == 303
    return c


def _csrf(c: Any, path: str = "/beheer") -> str:
    return re.search(r'name="csrf" value="([^"]+)"', c.get(path).text).group(1)


def _case(nr: str, base: dict[str, Any], **werknemer: Any) -> dict[str, Any]:
    data = copy.deepcopy(base)
    data["dossiernummer"] = nr
    data["werknemer"].update(werknemer)
    return data


def _upload(c: Any, path: str, name: str, content: bytes, ctype: str, csrf: str, **fields: str) -> Any:
    return c.post(path, data={"csrf": csrf, **fields}, files={"bestand": (name, content, ctype)})


# --- import ----------------------------------------------------------------------------------


CSV = ("dossiernummer;werkgever.naam;werknemer.naam;werknemer.functie;Eerste ziektedag;hersteldatum\n"
       "IMP-1;Testbedrijf B.V.;Jan Test;Heftruckchauffeur;05-01-2026;\n"
       "IMP-2;Nieuwbouw B.V.;Nina Nieuw;Monteur;02-03-2026;\n"
       "IMP-3;Foutbedrijf;Fred Fout;;31-02-2026;\n"
       ";Zonder nummer;Piet;;01-01-2026;\n")


def test_import_previews_then_applies_and_never_blanks(web_server, case_data) -> None:
    api = web_server.client()
    old = _case("IMP-1", case_data, functie="Magazijnmedewerker")
    old["opmerkingen"] = "blijft staan"
    assert api.post("/api/v1/cases", json=old).status_code == 201
    c = _login(web_server)
    csrf = _csrf(c, "/beheer/import")
    r = _upload(c, "/beheer/import", "export.csv", CSV.encode("utf-8"), "text/csv", csrf)
    assert r.status_code == 200, r.text
    page = r.text
    assert "1 nieuw, 1 gewijzigd, 0 ongewijzigd, 2 met fouten" in page
    assert "werknemer.functie</code> gewijzigd: Magazijnmedewerker → Heftruckchauffeur" in page
    assert "regel 4" in page and "kolom “Eerste ziektedag”" in page  # the error names row and column
    assert "geen dossiernummer" in page
    assert api.get("/api/v1/cases/IMP-2").status_code == 404  # a preview stores nothing

    ident = re.search(r"/beheer/import/([0-9a-f]{32})/toepassen", page).group(1)
    assert c.post(f"/beheer/import/{ident}/toepassen", data={"csrf": "vervalst"}).status_code == 403
    assert api.get("/api/v1/cases/IMP-2").status_code == 404
    r = c.post(f"/beheer/import/{ident}/toepassen", data={"csrf": csrf})
    assert r.status_code == 200 and "bijgewerkt" in r.text and "aangemaakt" in r.text
    stored = api.get("/api/v1/cases/IMP-1").json()
    assert stored["werknemer"]["functie"] == "Heftruckchauffeur"
    assert stored["opmerkingen"] == "blijft staan"  # no such column: not blanked
    assert stored["ziekteperiodes"] == [{"eerste_ziektedag": "2026-01-05"}]  # empty hersteldatum cell: kept as is
    assert [v["versie"] for v in api.get("/api/v1/cases/IMP-1/versions").json()] == [2, 1]
    new = api.get("/api/v1/cases/IMP-2")
    assert new.headers["etag"] == '"1"' and new.json()["ziekteperiodes"][0]["eerste_ziektedag"] == "2026-03-02"
    assert api.get("/api/v1/cases/IMP-3").status_code == 404
    assert c.post(f"/beheer/import/{ident}/toepassen", data={"csrf": csrf}).status_code == 404  # used up

    # The same file again: nothing changes; a case saved after the preview is not overwritten.
    r = _upload(c, "/beheer/import", "export.csv", CSV.replace("Heftruckchauffeur", "Chauffeur").encode(),
                "text/csv", csrf)
    assert "0 nieuw, 1 gewijzigd" in r.text
    ident = re.search(r"/beheer/import/([0-9a-f]{32})/toepassen", r.text).group(1)
    stored["opmerkingen"] = "tussendoor bewerkt"
    assert api.put("/api/v1/cases/IMP-1", json=stored).json()["versie"] == 3
    r = c.post(f"/beheer/import/{ident}/toepassen", data={"csrf": csrf})
    assert "niet toegepast" in r.text and "intussen opgeslagen" in r.text
    assert api.get("/api/v1/cases/IMP-1").json()["werknemer"]["functie"] == "Heftruckchauffeur"


def test_import_reads_the_xlsx_sample_and_refuses_hostile_uploads(web_server, samples_dir: Path) -> None:
    c = _login(web_server)
    csrf = _csrf(c, "/beheer/import")
    xlsx = (samples_dir / "verzuim_export.xlsx").read_bytes()
    r = _upload(c, "/beheer/import", "verzuim_export.xlsx", xlsx,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", csrf)
    assert r.status_code == 200 and re.search(r"[1-9]\d* nieuw", r.text), r.text[:2000]
    assert "111222333" not in r.text

    cases = [
        (("../../etc/x.csv", b"a;b\n", "text/csv"), 422, "pad"),
        (("export.csv", b"a;b\n", "image/png"), 415, "zegt"),
        (("export.exe", b"MZ", "application/octet-stream"), 415, "niet aangenomen"),
        (("export.xlsx", b"geen zip", "application/octet-stream"), 415, "geen XLSX"),
        (("export.csv", b"x" * (21 * 1024 * 1024), "text/csv"), 413, "groter dan 20 MB"),
    ]
    for (name, content, ctype), status, text in cases:
        r = _upload(c, "/beheer/import", name, content, ctype, csrf)
        assert r.status_code == status and text in r.text, (name, r.status_code)
    assert _upload(c, "/beheer/import", "e.csv", CSV.encode(), "text/csv", "vervalst").status_code == 403
    hostile = CSV.replace("Nina Nieuw", "<script>alert(1)</script>").encode()
    r = _upload(c, "/beheer/import", "e.csv", hostile, "text/csv", csrf)
    assert r.status_code == 200 and "&lt;script&gt;alert(1)&lt;/script&gt;" in r.text and "<script>alert" not in r.text
    assert c.post("/beheer/import", data={"csrf": csrf}).status_code == 415  # not multipart
    chunked = c.post("/beheer/import", content=iter([b"--x\r\n"] * 3),
                     headers={"Content-Type": "multipart/form-data; boundary=x"})
    assert chunked.status_code == 411  # no declared length: refused before anything is read
    assert not [p for p in (web_server.data_dir / "import").iterdir() if p.is_dir()] or all(
        (p / "voorbeeld.json").is_file() for p in (web_server.data_dir / "import").iterdir())


# --- export ----------------------------------------------------------------------------------


def test_export_zip_is_read_by_the_cli_as_the_same_case(web_server, samples_dir: Path, tmp_path: Path) -> None:
    api = web_server.client()
    data = json.loads((samples_dir / "casus_kuipers.json").read_text(encoding="utf-8"))
    data["dossiernummer"] = "EXP-1"
    assert api.post("/api/v1/cases", json=data).status_code == 201
    # The file store (written by the uploads) holds the attachments at the paths the case names.
    for b in data["bijlagen"]:
        target = web_server.data_dir / "bestanden" / b["bestand"]
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes((samples_dir / b["bestand"]).read_bytes())
    c = _login(web_server)
    r = c.get("/beheer/casussen/EXP-1/export.zip")
    assert r.status_code == 200 and r.headers["content-type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(r.content)) as z:
        names = set(z.namelist())
        assert {"EXP-1/EXP-1.json", *(f"EXP-1/{b['bestand']}" for b in data["bijlagen"])} == names
        z.extractall(tmp_path)
    settings = dapi.Settings()
    loaded = dapi.load_one_case(tmp_path / "EXP-1" / "EXP-1.json", settings=settings, today=TODAY)
    original, _ = dapi.validate_case_data(data, today=TODAY)
    assert loaded.case == original
    result = dapi.check_json([tmp_path / "EXP-1" / "EXP-1.json"], settings=settings, today=TODAY)
    assert result["casussen"][0]["geldig"] and not [p for p in result["casussen"][0]["problemen"]
                                                    if p["ernst"] == "fout"]
    # And back: the exported JSON imported again changes nothing.
    r = _upload(c, "/beheer/import", "EXP-1.json", (tmp_path / "EXP-1" / "EXP-1.json").read_bytes(),
                "application/json", _csrf(c, "/beheer/import"))
    assert r.status_code == 200 and "0 nieuw, 0 gewijzigd, 1 ongewijzigd, 0 met fouten" in r.text
    everything = c.get("/beheer/export.zip")
    with zipfile.ZipFile(io.BytesIO(everything.content)) as z:
        assert "EXP-1/EXP-1.json" in z.namelist()
    assert c.get("/beheer/casussen/BESTAAT-NIET/export.zip").status_code == 404


# --- AVG ---------------------------------------------------------------------------------------


def test_inzage_holds_every_version_file_and_audit_row_of_the_employee(web_server, case_data) -> None:
    api = web_server.client()
    a = _case("INZ-1", case_data, naam="Ina Inzage", bsn="111222333")
    b = _case("INZ-2", case_data, naam="Ina Inzage", bsn="111222333")
    other = _case("INZ-3", case_data, naam="Otto Ander", bsn="123456782")
    for d in (a, b, other):
        assert api.post("/api/v1/cases", json=d).status_code == 201
    a["opmerkingen"] = "tweede versie"
    api.put("/api/v1/cases/INZ-1", json=a)
    db = sqlite3.connect(web_server.data_dir / "dossier.sqlite3")
    with db:  # a row another part of the application keeps about the case (an upload's metadata)
        db.execute("CREATE TABLE IF NOT EXISTS proef_inzage (id INTEGER PRIMARY KEY, case_id INTEGER, naam TEXT)")
        db.execute("INSERT INTO proef_inzage (case_id, naam) SELECT id, 'scan.pdf' FROM \"case\" "
                   "WHERE dossiernummer = 'INZ-1'")
    db.close()
    assert api.delete("/api/v1/cases/INZ-2").status_code == 204  # deleted cases are still held
    c = _login(web_server)
    page = c.get("/beheer/casussen/INZ-1/inzage")
    assert "INZ-2" in page.text and "INZ-3" not in page.text
    assert c.post("/beheer/casussen/INZ-1/inzage.zip", data={"csrf": "vervalst"}).status_code == 403
    r = c.post("/beheer/casussen/INZ-1/inzage.zip", data={"csrf": _csrf(c)})
    assert r.status_code == 200
    with zipfile.ZipFile(io.BytesIO(r.content)) as z:
        names = set(z.namelist())
        assert {"INZ-1/versies/versie-1.json", "INZ-1/versies/versie-2.json", "INZ-2/versies/versie-1.json",
                "INZ-1/INZ-1.json", "audit.json", "LEESMIJ.txt"} <= names
        assert not any(n.startswith("INZ-3") for n in names)
        v1 = json.loads(z.read("INZ-1/versies/versie-1.json"))
        assert v1["door"] == "Test Gebruiker" and "opmerkingen" not in v1["data"]
        assert json.loads(z.read("INZ-1/gegevens/proef_inzage.json"))[0]["naam"] == "scan.pdf"
        meta = json.loads(z.read("INZ-2/versies.json"))
        assert meta["verwijderd_op"] is not None
    # The download itself is audited, for both cases.
    audit = c.get("/beheer").text
    assert audit.count("inzage-export") >= 2


def _recovered(nr: str, base: dict[str, Any], naam: str, first: str, fit: str) -> dict[str, Any]:
    data = _case(nr, base, naam=naam)
    data["ziekteperiodes"] = [{"eerste_ziektedag": first, "hersteldatum": fit}]
    return data


def test_bewaartermijn_lists_ended_cases_and_erases_them_for_good(web_server, case_data) -> None:
    api = web_server.client()
    files = web_server.data_dir / "bestanden"
    own, shared = files / "aa" / ("a" * 64 + ".pdf"), files / "bb" / ("b" * 64 + ".pdf")
    for f in (own, shared):
        f.parent.mkdir(parents=True, exist_ok=True)
        f.write_bytes(b"%PDF-1.4 brief")
    old = _recovered("BWT-OUD", case_data, "Wisbaar Persoonsnaam", "2022-01-10", "2022-03-01")
    assert api.post("/api/v1/cases", json=old).status_code == 201
    old["bijlagen"] = [{"titel": "Brief", "bestand": own.relative_to(files).as_posix()},
                       {"titel": "Gedeeld", "bestand": shared.relative_to(files).as_posix()}]
    assert api.put("/api/v1/cases/BWT-OUD", json=old).status_code == 200
    keeper = _case("BWT-ANDER", case_data)
    keeper["bijlagen"] = [{"titel": "Zelfde inhoud", "bestand": shared.relative_to(files).as_posix()}]
    assert api.post("/api/v1/cases", json=keeper).status_code == 201
    keeper.pop("bijlagen")
    assert api.put("/api/v1/cases/BWT-ANDER", json=keeper).status_code == 200  # named by an old version only
    assert api.post("/api/v1/cases", json=_recovered("BWT-RECENT", case_data, "Recent Hersteld",
                                                     "2025-09-01", "2025-10-01")).status_code == 201
    c = _login(web_server)
    page = c.get("/beheer/bewaartermijn").text
    assert "BWT-OUD" in page and "BWT-RECENT" not in page and "01-03-2022 (hersteld)" in page
    csrf = _csrf(c, "/beheer/bewaartermijn")
    # A longer period: not yet expired.
    assert c.post("/beheer/bewaartermijn", data={"csrf": csrf, "maanden": "60"}).status_code == 303
    assert "BWT-OUD" not in c.get("/beheer/bewaartermijn").text
    assert c.post("/beheer/bewaartermijn/BWT-OUD/wissen", data={"csrf": csrf, "bevestig": "BWT-OUD"}).status_code == 409
    assert c.post("/beheer/bewaartermijn", data={"csrf": csrf, "maanden": "24"}).status_code == 303
    # Confirmation needed, CSRF needed; a case still in its period is never erased.
    r = c.post("/beheer/bewaartermijn/BWT-OUD/wissen", data={"csrf": csrf, "bevestig": "verkeerd"})
    assert r.status_code == 422 and "precies over" in r.text
    assert c.post("/beheer/bewaartermijn/BWT-OUD/wissen", data={"csrf": "x", "bevestig": "BWT-OUD"}).status_code == 403
    assert api.get("/api/v1/cases/BWT-OUD").status_code == 200
    # Another part of the application keeps rows about the case (uploads, jobs): they go too.
    db_path = web_server.data_dir / "dossier.sqlite3"
    db = sqlite3.connect(db_path)
    with db:
        db.execute("CREATE TABLE IF NOT EXISTS proef_upload (id INTEGER PRIMARY KEY, case_id INTEGER, naam TEXT)")
        db.execute("INSERT INTO proef_upload (case_id, naam) SELECT id, 'brief Wisbaar.pdf' FROM \"case\" "
                   "WHERE dossiernummer = 'BWT-OUD'")
    db.close()
    r = c.post("/beheer/bewaartermijn/BWT-OUD/wissen", data={"csrf": csrf, "bevestig": "BWT-OUD"})
    assert r.status_code == 303
    assert api.get("/api/v1/cases/BWT-OUD").status_code == 404
    assert not own.exists() and shared.exists()  # a file another case's version names stays
    assert api.post("/api/v1/cases", json=_recovered("BWT-RECENT", case_data, "x", "2025-09-01",
                                                     "2025-10-01")).status_code == 409  # others untouched
    db = sqlite3.connect(db_path)
    try:
        assert db.execute("SELECT count(*) FROM \"case\" WHERE dossiernummer = 'BWT-OUD'").fetchone()[0] == 0
        assert db.execute("SELECT count(*) FROM proef_upload").fetchone()[0] == 0
        rows = db.execute("SELECT actie, dossiernummer, omschrijving FROM audit WHERE actie = 'gewist'").fetchall()
        assert len(rows) == 1 and rows[0][1] is None
        assert not db.execute("SELECT count(*) FROM audit WHERE dossiernummer = 'BWT-OUD' "
                              "OR omschrijving LIKE '%BWT-OUD%' OR omschrijving LIKE '%Wisbaar%'").fetchone()[0]
    finally:
        db.close()
    # Not in the database file nor its log either (secure_delete, checkpoint).
    raw = b"".join(p.read_bytes() for p in web_server.data_dir.glob("dossier.sqlite3*"))
    assert b"Wisbaar Persoonsnaam" not in raw and b"brief Wisbaar" not in raw


# --- the agenda feed ---------------------------------------------------------------------------


def test_agenda_feed_parses_has_open_milestones_only_and_its_token_can_be_renewed(web_server, case_data) -> None:
    icalendar = pytest.importorskip("icalendar")
    api = web_server.client()
    assert api.post("/api/v1/cases", json=_case("AG-1", case_data, naam="Karin Kuipers, jr.",
                                                bsn="111222333")).status_code == 201
    assert api.post("/api/v1/cases", json=_recovered("AG-2", case_data, "Hersteld Hendrik",
                                                     "2026-01-05", "2026-02-01")).status_code == 201
    anon = web_server.client(auth=False)
    assert anon.get("/agenda/geen-token.ics").status_code == 404
    c = _login(web_server)
    assert c.post("/agenda/nieuw-token", data={"csrf": "vervalst"}).status_code == 403
    page = c.post("/agenda/nieuw-token", data={"csrf": _csrf(c, "/agenda")}).text
    url = re.search(r'<code id="agenda-url">[^<]*(/agenda/[^<]+\.ics)</code>', page).group(1)
    r = anon.get(url)  # no cookie, no bearer: the token in the path is the key
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/calendar")
    text = r.text
    assert "\r\n" in text and all(len(line.encode()) <= 75 for line in text.split("\r\n"))
    assert "111222333" not in text and "Hersteld Hendrik" not in text
    cal = icalendar.Calendar.from_ical(text)
    events = [e for e in cal.walk("VEVENT")]
    mine = [e for e in events if "Karin Kuipers, jr." in str(e["SUMMARY"])]
    assert mine, [str(e["SUMMARY"]) for e in events][:5]
    for e in mine:
        assert isinstance(e.decoded("DTSTART"), date) and not hasattr(e.decoded("DTSTART"), "hour")
        assert e.get("DTSTAMP") is not None and str(e["UID"]).startswith("AG-1-")
    assert {str(e["UID"]) for e in events} == {str(e["UID"]) for e in
                                              icalendar.Calendar.from_ical(anon.get(url).text).walk("VEVENT")}
    # Every event is still to do: the timeline agrees.
    case, _ = dapi.validate_case_data(_case("AG-1", case_data, naam="Karin Kuipers, jr."), today=TODAY)
    tl = dapi.case_timeline(case, settings=dapi.Settings(), today=TODAY)
    open_codes = {m.code for m in tl.mijlpalen if not m.informatief and m.gedaan_op is None
                  and str(m.status) in ("open", "verlopen")}
    assert {str(e["UID"]).split("-")[2] for e in mine} <= open_codes and len(mine) >= 1
    # A new token: the old link stops working.
    c.post("/agenda/nieuw-token", data={"csrf": _csrf(c, "/agenda")})
    assert anon.get(url).status_code == 404


# --- template sets -----------------------------------------------------------------------------


def _docx_with(text: str, source: Path) -> bytes:
    """A copy of a template with ``text`` put at the start of its first text run."""
    out = io.BytesIO()
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == "word/document.xml":
                xml = data.decode("utf-8")
                xml = re.sub(r"(<w:t(?: [^>]*)?>)", lambda m: m.group(1) + text, xml, count=1)
                data = xml.encode("utf-8")
            zout.writestr(info, data)
    return out.getvalue()


def _zip(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for name, data in members.items():
            z.writestr(name, data)
    return out.getvalue()


def _document_xml(docx: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(docx)) as z:
        return z.read("word/document.xml").decode("utf-8")


def test_template_sets_check_preview_switch_and_refuse_zip_slip(web_server, case_data) -> None:
    api = web_server.client()
    assert api.post("/api/v1/cases", json=_case("TPL-1", case_data, naam="Tanja Template")).status_code == 201
    builtin = ROOT / "templates_nl"
    c = _login(web_server)
    csrf = _csrf(c, "/beheer/sjablonen")
    good = _zip({"huisstijl/plan_van_aanpak.docx": _docx_with("HUISSTIJL-XYZ ", builtin / "plan_van_aanpak.docx"),
                 "huisstijl/eindevaluatie.docx": _docx_with("{{ onbekend_veld_xyz }}", builtin / "eindevaluatie.docx"),
                 "__MACOSX/._plan_van_aanpak.docx": b"rommel"})
    r = _upload(c, "/beheer/sjablonen", "set.zip", good, "application/zip", csrf, naam="firma")
    assert r.status_code == 303 and r.headers["location"] == "/beheer/sjablonen/firma"
    page = c.get("/beheer/sjablonen/firma").text
    assert "plan_van_aanpak.docx" in page and "eindevaluatie.docx" in page and "onbekend_veld_xyz" in page
    assert _upload(c, "/beheer/sjablonen", "set.zip", good, "application/zip", csrf, naam="firma").status_code == 409

    preview = c.get("/beheer/sjablonen/firma/voorbeeld.docx", params={"soort": "plan_van_aanpak", "nr": "TPL-1"})
    assert preview.status_code == 200 and "HUISSTIJL-XYZ" in _document_xml(preview.content)
    assert "Tanja Template" in _document_xml(preview.content)

    doc = "/api/v1/cases/TPL-1/documents/plan_van_aanpak.docx"
    assert "HUISSTIJL-XYZ" not in _document_xml(api.get(doc).content)
    assert c.post("/beheer/sjablonen/actief", data={"csrf": csrf, "set": "firma"}).status_code == 303
    assert "HUISSTIJL-XYZ" in _document_xml(api.get(doc).content)  # the active set makes the documents
    assert c.post("/beheer/sjablonen/actief", data={"csrf": csrf, "set": ""}).status_code == 303
    assert "HUISSTIJL-XYZ" not in _document_xml(api.get(doc).content)
    assert c.post("/beheer/sjablonen/actief", data={"csrf": "x", "set": "firma"}).status_code == 403

    sets = web_server.data_dir / "sjablonen"
    before = sorted(p.name for p in sets.iterdir())
    slip = _zip({"../../ontsnapt.docx": b"x", "plan_van_aanpak.docx": b"y"})
    r = _upload(c, "/beheer/sjablonen", "set.zip", slip, "application/zip", csrf, naam="kwaad")
    assert r.status_code == 422 and "zip slip" in r.text
    assert sorted(p.name for p in sets.iterdir()) == before
    assert not any((d / "ontsnapt.docx").exists() for d in (web_server.data_dir, web_server.data_dir.parent))
    r = _upload(c, "/beheer/sjablonen", "set.zip", slip, "application/zip", csrf, naam="../kwaad")
    assert r.status_code == 422
    r = _upload(c, "/beheer/sjablonen", "set.zip", _zip({"plan_van_aanpak.docx": b"geen word"}), "application/zip",
                csrf, naam="nep")
    assert r.status_code == 422 and "geen Word-bestand" in r.text and not (sets / "nep").exists()
    assert _upload(c, "/beheer/sjablonen", "set.txt", b"x", "text/plain", csrf, naam="t").status_code == 415
    assert c.get("/beheer/sjablonen/..%2F..%2Fetc").status_code == 404


def _taak(text: str) -> str:
    return re.search(r'id="taak-([0-9a-f]+)"', text).group(1)


def test_template_pdf_preview_is_a_job_that_never_converts_in_the_request(web_server, case_data) -> None:
    api = web_server.client()
    assert api.post("/api/v1/cases", json=_case("VB-1", case_data, naam="Vera Voorbeeld")).status_code == 201
    c = _login(web_server)
    csrf = _csrf(c, "/beheer/sjablonen")
    zipped = _zip({"plan_van_aanpak.docx": (ROOT / "templates_nl" / "plan_van_aanpak.docx").read_bytes()})
    assert _upload(c, "/beheer/sjablonen", "s.zip", zipped, "application/zip", csrf, naam="vbset").status_code == 303
    page = c.get("/beheer/sjablonen/vbset").text
    assert 'hx-post="/beheer/sjablonen/vbset/voorbeeld.pdf"' in page and "Voorbeeld als PDF" in page
    # The DOCX button posts (the CSRF token stays out of URLs) and is rendered in the request.
    r = c.post("/beheer/sjablonen/vbset/voorbeeld.docx", data={"csrf": csrf, "soort": "plan_van_aanpak", "nr": "VB-1"})
    assert r.status_code == 200 and "Vera Voorbeeld" in _document_xml(r.content)

    jobs_before = _job_count(web_server)
    r = c.get("/beheer/sjablonen/vbset/voorbeeld.pdf", params={"soort": "plan_van_aanpak", "nr": "VB-1"})
    assert r.status_code == 405 and "achtergrond" in r.text  # the old synchronous path converts nothing
    form = {"csrf": csrf, "soort": "plan_van_aanpak", "nr": "VB-1"}
    assert c.post("/beheer/sjablonen/vbset/voorbeeld.pdf", data={**form, "csrf": "vervalst"}).status_code == 403
    assert c.post("/beheer/sjablonen/vbset/voorbeeld.pdf", data={**form, "soort": "roman"}).status_code == 404
    assert c.post("/beheer/sjablonen/vbset/voorbeeld.pdf", data={**form, "nr": "BESTAAT-NIET"}).status_code == 404
    assert c.post("/beheer/sjablonen/geenset/voorbeeld.pdf", data=form).status_code == 404
    assert _job_count(web_server) == jobs_before

    # Without htmx: the job's own page (with the layout), which polls the job.
    r = c.post("/beheer/sjablonen/vbset/voorbeeld.pdf", data=form)
    assert r.status_code == 303 and r.headers["location"].startswith("/taken/")
    job = r.headers["location"].removeprefix("/taken/")
    shown = c.get(r.headers["location"])
    assert shown.status_code == 200 and "<html" in shown.text and _taak(shown.text) == job
    assert 'href="/beheer/sjablonen/vbset"' in shown.text
    with sqlite3.connect(web_server.data_dir / "dossier.sqlite3") as db:
        soort, params = db.execute("SELECT soort, parameters FROM job WHERE id = ?", (job,)).fetchone()
    assert soort == "voorbeeld" and json.loads(params)["sjablonen"] == "vbset"
    assert json.loads(params)["document"] == "plan_van_aanpak" and json.loads(params)["nr"] == "VB-1"
    assert api.get(f"/api/v1/jobs/{job}").status_code == 200
    # With htmx: the job's progress fragment, polled every second.
    r = c.post("/beheer/sjablonen/vbset/voorbeeld.pdf", data=form, headers={"HX-Request": "true"})
    assert r.status_code == 200 and "<html" not in r.text and f'hx-get="/taken/{_taak(r.text)}"' in r.text
    # Starting a preview does not switch the active set.
    assert 'value="vbset" selected' not in c.get("/beheer/sjablonen").text
    with sqlite3.connect(web_server.data_dir / "dossier.sqlite3") as db:
        assert db.execute("SELECT waarde FROM instelling WHERE sleutel = 'sjablonenset'").fetchall() == []


def _job_count(web_server) -> int:
    with sqlite3.connect(web_server.data_dir / "dossier.sqlite3") as db:
        return db.execute("SELECT COUNT(*) FROM job").fetchone()[0]


def test_a_preview_job_renders_with_its_set_and_leaves_the_active_set_alone(tmp_path: Path, case_data) -> None:
    from dossier.web.jobs import Jobs
    from dossier.web.storage import Store

    class Capture:
        def __init__(self) -> None:
            self.specs: list[Any] = []

        def submit(self, spec: Any, done: Any) -> None:
            self.specs.append(spec)

        def warm(self) -> None: ...

        def close(self) -> None: ...

    data = tmp_path / "data"
    data.mkdir()
    store = Store(data / "dossier.sqlite3", settings=dapi.Settings(converter="fake"))
    try:
        store.create(_case("VB-2", case_data), door="T", today=TODAY)
        runner = Capture()
        jobs = Jobs(store, data, runner=runner)
        jobs.submit("VB-2", "voorbeeld", today=TODAY, door="T", document="plan_van_aanpak", sjablonen="firma")
        jobs.submit("VB-2", "document", today=TODAY, door="T", document="plan_van_aanpak")
        preview, document = runner.specs
        assert preview.soort == "voorbeeld" and preview.sjablonen == "firma"
        assert preview.settings.templates_dir == data / "sjablonen" / "firma"
        assert document.settings.templates_dir is None and store.settings.templates_dir is None
        assert preview.settings.converter == "fake"  # the rest of the settings are the case's own
    finally:
        store.close()


@pytest.mark.libreoffice
def test_template_pdf_preview_job_shows_the_set_rendered_pdf_inline(web_server, case_data, tmp_path: Path) -> None:
    import subprocess
    import time

    from conftest import have_soffice

    if not have_soffice():
        pytest.skip("LibreOffice (soffice) is niet geïnstalleerd")
    api = web_server.client()
    assert api.post("/api/v1/cases", json=_case("PDF-1", case_data, naam="Petra Pdf")).status_code == 201
    c = _login(web_server)
    csrf = _csrf(c, "/beheer/sjablonen")
    zipped = _zip({"plan_van_aanpak.docx": _docx_with("HUISSTIJLPDF ", ROOT / "templates_nl" / "plan_van_aanpak.docx")})
    assert _upload(c, "/beheer/sjablonen", "s.zip", zipped, "application/zip", csrf, naam="pdfset").status_code == 303
    r = c.post("/beheer/sjablonen/pdfset/voorbeeld.pdf", data={"csrf": csrf, "soort": "plan_van_aanpak", "nr": "PDF-1"},
               headers={"HX-Request": "true"})
    assert r.status_code == 200
    job = _taak(r.text)
    deadline = time.monotonic() + 180
    while 'hx-trigger="every 1s"' in r.text:  # polled as the page does
        assert time.monotonic() < deadline, r.text
        time.sleep(0.5)
        r = c.get(f"/taken/{job}", headers={"HX-Request": "true"})
    assert "Bekijk het voorbeeld" in r.text, r.text
    link = re.search(r'href="(/taken/[0-9a-f]+/voorbeeld\.pdf)"', r.text).group(1)
    pdf = c.get(link)
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF") and pdf.headers["content-disposition"].startswith("inline")
    target = tmp_path / "voorbeeld.pdf"
    target.write_bytes(pdf.content)
    text = subprocess.run(["pdftotext", str(target), "-"], capture_output=True, text=True, check=True).stdout
    assert "HUISSTIJLPDF" in text and "Petra Pdf" in text  # the set's template, filled with the case
    # The active set is still the built-in one: the case's own document has no trace of the set.
    own = api.get("/api/v1/cases/PDF-1/documents/plan_van_aanpak.docx")
    assert "HUISSTIJLPDF" not in _document_xml(own.content)


def test_every_beheer_page_needs_a_login_and_the_feed_only_its_token(web_server) -> None:
    anon = web_server.client(auth=False)
    for method, path in [("GET", "/beheer"), ("GET", "/beheer/import"), ("POST", "/beheer/import"),
                         ("POST", f"/beheer/import/{'0' * 32}/toepassen"), ("GET", "/beheer/export.zip"),
                         ("GET", "/beheer/casussen/X/export.zip"), ("GET", "/beheer/casussen/X/inzage"),
                         ("POST", "/beheer/casussen/X/inzage.zip"), ("GET", "/beheer/bewaartermijn"),
                         ("POST", "/beheer/bewaartermijn"), ("POST", "/beheer/bewaartermijn/X/wissen"),
                         ("GET", "/agenda"), ("POST", "/agenda/nieuw-token"), ("POST", "/agenda/intrekken"),
                         ("GET", "/beheer/sjablonen"), ("POST", "/beheer/sjablonen"), ("GET", "/beheer/sjablonen/x"),
                         ("POST", "/beheer/sjablonen/actief"), ("GET", "/beheer/sjablonen/x/voorbeeld.docx"),
                         ("POST", "/beheer/sjablonen/x/voorbeeld.docx"), ("POST", "/beheer/sjablonen/x/voorbeeld.pdf"),
                         ("GET", "/taken/x/voorbeeld.pdf")]:
        r = anon.request(method, path)
        assert r.status_code == 303 and r.headers["location"] == "/login", (method, path, r.status_code)
    # The bearer token of the API is no key to the feed, and a feed token is no key to anything else.
    for headers in ({}, {"Authorization": f"Bearer {web_server.token}"}):
        assert anon.get(f"/agenda/{web_server.token}.ics", headers=headers).status_code == 404


def test_merge_overwrites_only_what_the_export_holds() -> None:
    from dossier.web.importeren import merge, normalized

    old = {"werknemer": {"naam": "A", "functie": "B"}, "ziekteperiodes": [{"eerste_ziektedag": "2026-01-05"},
                                                                          {"eerste_ziektedag": "2026-05-01"}],
           "opmerkingen": "x"}
    new = {"werknemer": {"functie": "C", "email": None}, "ziekteperiodes": [{"hersteldatum": "2026-02-01"}]}
    assert merge(old, new) == {"werknemer": {"naam": "A", "functie": "C"},
                               "ziekteperiodes": [{"eerste_ziektedag": "2026-01-05", "hersteldatum": "2026-02-01"},
                                                  {"eerste_ziektedag": "2026-05-01"}], "opmerkingen": "x"}
    assert old["werknemer"]["functie"] == "B"  # the stored data is not changed in place
    raw = {"werknemer": {"uren_per_week": "28,5"}, "ziekteperiodes": [{"eerste_ziektedag": "15-07-2026"}]}
    canonical = {"werknemer": {"uren_per_week": 28.5, "naam": "A"},
                 "ziekteperiodes": [{"eerste_ziektedag": "2026-07-15"}]}
    assert normalized(raw, canonical) == {"werknemer": {"uren_per_week": 28.5},
                                          "ziekteperiodes": [{"eerste_ziektedag": "2026-07-15"}]}

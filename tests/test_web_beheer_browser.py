"""The import preview in a real browser (Playwright driving Debian's chromium, never `playwright install`)."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("fastapi", reason="de web-extra is niet geïnstalleerd (pip install 'dossier[web]')")
playwright = pytest.importorskip("playwright.sync_api", reason="playwright is niet geïnstalleerd")

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="/usr/bin/chromium ontbreekt (apt-get install chromium; "
                                                      "make test installeert het)"),
]
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]


def test_import_a_csv_see_the_preview_and_apply_it(web_server, tmp_path: Path) -> None:
    csv = tmp_path / "verzuim.csv"
    csv.write_text("dossiernummer;werkgever.naam;werknemer.naam;Eerste ziektedag\n"
                   "BRW-1;Bakkerij Brood;Bram Browser;02-03-2026\n"
                   "BRW-2;Bakkerij Brood;Bea Fout;31-02-2026\n", encoding="utf-8")
    expect = playwright.expect
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=ARGS)
        page = browser.new_page(locale="nl-NL")
        errors: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        try:
            page.goto(f"{web_server.url}/login?token={web_server.token}")
            page.get_by_role("link", name="Beheer").click()
            page.get_by_role("link", name="Importeren").click()
            page.get_by_label("Verzuimexport").set_input_files(str(csv))
            page.get_by_role("button", name="Voorbeeld bekijken").click()
            table = page.locator("#importvoorbeeld")
            expect(table.get_by_role("row", name="BRW-1")).to_contain_text("Nieuw dossier")
            expect(table.get_by_role("row", name="BRW-2")).to_contain_text("Eerste ziektedag")
            page.get_by_role("button", name="1 dossier(s) opslaan").click()
            expect(page.get_by_role("cell", name="aangemaakt")).to_be_visible()
            page.get_by_role("link", name="BRW-1").click()
            expect(page.get_by_role("heading", name="Dossier BRW-1 — Bram Browser")).to_be_visible()
        finally:
            browser.close()
    assert not errors, errors


@pytest.mark.libreoffice
def test_template_pdf_preview_button_shows_progress_then_opens_the_pdf(web_server, case_data) -> None:
    import io
    import re
    import shutil
    import zipfile

    if shutil.which("soffice") is None:
        pytest.skip("LibreOffice ontbreekt")
    root = Path(__file__).resolve().parent.parent
    case = {**case_data, "dossiernummer": "BRW-VB-1"}
    assert web_server.client().post("/api/v1/cases", json=case).status_code == 201
    c = web_server.client(auth=False)
    assert c.get("/login", params={"token": web_server.token}).status_code == 303
    csrf = re.search(r'name="csrf" value="([^"]+)"', c.get("/beheer/sjablonen").text).group(1)
    zipped = io.BytesIO()
    with zipfile.ZipFile(zipped, "w") as z:
        z.writestr("plan_van_aanpak.docx", (root / "templates_nl" / "plan_van_aanpak.docx").read_bytes())
    r = c.post("/beheer/sjablonen", data={"csrf": csrf, "naam": "browserset"},
               files={"bestand": ("set.zip", zipped.getvalue(), "application/zip")})
    assert r.status_code == 303, r.text
    expect = playwright.expect
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=ARGS)
        page = browser.new_page(locale="nl-NL")
        errors: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        try:
            page.goto(f"{web_server.url}/login?token={web_server.token}")
            page.goto(f"{web_server.url}/beheer/sjablonen/browserset")
            row = page.get_by_role("row", name=re.compile("plan_van_aanpak.docx"))
            row.get_by_label("Met dossier").select_option("BRW-VB-1")
            row.get_by_role("button", name="Voorbeeld als PDF").click()
            expect(row.locator(".taak")).to_be_visible()  # the job's progress, in place (no page change)
            assert page.url.endswith("/beheer/sjablonen/browserset")
            link = row.get_by_role("link", name="Bekijk het voorbeeld (PDF) in de browser")
            expect(link).to_be_visible(timeout=180_000)
            assert link.get_attribute("target") == "_blank"
            pdf = page.request.get(f"{web_server.url}{link.get_attribute('href')}")
            assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf"
            assert pdf.headers["content-disposition"].startswith("inline") and pdf.body().startswith(b"%PDF")
        finally:
            browser.close()
    assert not errors, errors

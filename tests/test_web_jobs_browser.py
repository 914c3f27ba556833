"""The case page's uploads and the dossier build in a real browser (Playwright with Debian's chromium)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

pytest.importorskip("fastapi", reason="de web-extra is niet geïnstalleerd (pip install 'dossier[web]')")
playwright = pytest.importorskip("playwright.sync_api", reason="playwright is niet geïnstalleerd")

CHROMIUM = Path("/usr/bin/chromium")
FIXTURES = Path(__file__).parent / "data" / "pdf_fixtures"
pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.libreoffice,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="/usr/bin/chromium ontbreekt (apt-get install chromium)"),
    pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice ontbreekt"),
]
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]


def test_upload_attachments_then_build_and_download_the_dossier(web_server, samples_dir: Path,
                                                                tmp_path: Path) -> None:
    expect = playwright.expect
    data = json.loads((samples_dir / "casus_kuipers.json").read_text(encoding="utf-8"))
    data.pop("bijlagen")
    data.pop("ondertekeningen", None)  # its signed scans are files of the sample folder, not of the store
    data["dossiernummer"] = "WEB-BOUW-1"
    assert web_server.client().post("/api/v1/cases", json=data).status_code == 201

    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=ARGS)
        context = browser.new_context(locale="nl-NL", viewport={"width": 1280, "height": 860}, accept_downloads=True)
        page = context.new_page()
        errors: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        try:
            page.goto(f"{web_server.url}/login?token={web_server.token}")
            page.goto(f"{web_server.url}/casussen/WEB-BOUW-1")
            form = page.locator("#bijlage-formulier")

            # A file of a type the engine does not take: 415, and htmx still shows the section with the
            # reason next to the file field (base.html lets htmx swap 413/415 answers).
            program = tmp_path / "brief.pdf"
            program.write_bytes(b"MZ\x90\x00 geen pdf")
            form.get_by_label("Bestand (PDF, Word, ODT, JPG of PNG)").set_input_files(str(program))
            form.get_by_label("Titel").fill("Brief")
            with page.expect_response(lambda r: r.url.endswith("/bijlagen")) as refused:
                form.get_by_role("button", name="Bijlage toevoegen").click()
            assert refused.value.status == 415
            expect(page.locator("#bijlage-bestand-fout")).to_contain_text("bestandstype")
            expect(page.locator("#bijlage-bestand")).to_have_attribute("aria-describedby", "bijlage-bestand-fout")
            errors.clear()  # the browser logs the 415 itself as a console error
            form = page.locator("#bijlage-formulier")

            # An encrypted PDF without its password: refused at once, the reason next to the file field.
            form.get_by_label("Bestand (PDF, Word, ODT, JPG of PNG)").set_input_files(
                str(FIXTURES / "versleuteld_wachtwoord.pdf"))
            form.get_by_label("Titel").fill("Verslag arbeidsdeskundige")
            form.get_by_role("button", name="Bijlage toevoegen").click()
            error = page.locator("#bijlage-bestand-fout")
            expect(error).to_contain_text("versleuteld")
            expect(page.locator("#bijlage-bestand")).to_have_attribute("aria-invalid", "true")
            expect(page.get_by_text("Nog geen bijlagen.")).to_be_visible()

            # With the password it is accepted and listed (by its own name, never a path of ours).
            form = page.locator("#bijlage-formulier")
            form.get_by_label("Bestand (PDF, Word, ODT, JPG of PNG)").set_input_files(
                str(FIXTURES / "versleuteld_wachtwoord.pdf"))
            form.get_by_label("Titel").fill("Verslag arbeidsdeskundige")
            form.get_by_label("Soort").select_option("arbeidsdeskundig_rapport")
            form.get_by_label("Wachtwoord (alleen bij een beveiligde PDF)").fill("geheim")
            form.get_by_role("button", name="Bijlage toevoegen").click()
            expect(page.get_by_text("Bijlage opgeslagen als nieuwe versie van de casus.")).to_be_visible()
            expect(page.locator("#bijlagen tbody tr")).to_have_count(1)
            expect(page.locator("#bijlagen tbody tr").first).to_contain_text("versleuteld_wachtwoord.pdf")

            # Build: progress by polling, then the links to preview and download.
            page.get_by_role("button", name="Bouw dossier").click()
            expect(page.locator("#bouw-taak .taak")).to_be_visible()
            page.reload()  # the job lives in the database: after a reload the page polls it again
            download_link = page.get_by_role("link", name="Download het dossier (PDF)")
            expect(download_link).to_be_visible(timeout=240_000)
            preview = page.get_by_role("link", name="Bekijk het dossier in de browser")
            assert preview.get_attribute("target") == "_blank"
            with page.expect_download() as info:
                download_link.click()
            target = tmp_path / "dossier.pdf"
            info.value.save_as(target)
            subprocess.run(["qpdf", "--check", str(target)], check=True, capture_output=True)
            # The preview is the same PDF, served inline.
            inline = context.request.get(f"{web_server.url}/casussen/WEB-BOUW-1/dossier.pdf")
            assert inline.ok and inline.headers["content-disposition"].startswith("inline")
            assert inline.body() == target.read_bytes()
            assert not errors, errors
        finally:
            context.close()
            browser.close()

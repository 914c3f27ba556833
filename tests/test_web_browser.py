"""The web application in a real browser: Playwright driving Debian's chromium (never `playwright install`)."""

from __future__ import annotations

import os
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
# The network is closed and we run as root: no sandbox, no background traffic (see the stack notes).
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]
#: Set DOSSIER_SCREENSHOTS=docs/img to refresh the README pictures.
SHOTS = os.environ.get("DOSSIER_SCREENSHOTS")


@pytest.fixture(scope="module")
def page(web_server):
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=ARGS)
        context = browser.new_context(locale="nl-NL", viewport={"width": 1280, "height": 860})
        pg = context.new_page()
        errors: list[str] = []
        # Script errors and CSP violations; a 422 of a refused form is a "failed resource" and expected.
        pg.on("console", lambda m: errors.append(m.text)
              if m.type == "error" and not m.text.startswith("Failed to load resource") else None)
        pg.on("pageerror", lambda e: errors.append(str(e)))
        pg.errors = errors  # type: ignore[attr-defined]
        try:
            yield pg
        finally:
            context.close()
            browser.close()


def test_login_create_a_case_fix_a_wrong_bsn_and_find_it_in_the_werkvoorraad(web_server, page) -> None:
    expect = playwright.expect
    page.goto(f"{web_server.url}/")
    expect(page).to_have_url(f"{web_server.url}/login")
    page.get_by_label("Token").fill(web_server.token)
    page.get_by_role("button", name="Aanmelden").click()
    expect(page.get_by_role("heading", name="Werkvoorraad")).to_be_visible()

    page.get_by_role("link", name="Nieuwe casus", exact=True).click()
    page.get_by_label("Dossiernummer").fill("WEB-2026-001")
    werknemer = page.get_by_role("group", name="Werknemer")
    werknemer.get_by_label("Naam").fill("Fatima El Amrani")
    werknemer.get_by_label("BSN").fill("123456789")
    page.get_by_role("group", name="Werkgever").get_by_label("Naam").fill("Drukkerij Het Anker")
    page.get_by_label("Eerste ziektedag").fill("2026-03-02")
    # A second period row comes in with htmx, without a page reload.
    page.get_by_role("button", name="Ziekteperiode toevoegen").click()
    expect(page.get_by_role("group", name="Ziekteperiode 2")).to_be_visible()
    page.get_by_role("button", name="Opslaan").click()

    error = page.locator("#werknemer\\.bsn-fout")
    expect(error).to_contain_text("elfproef")
    expect(page.get_by_label("BSN")).to_have_attribute("aria-invalid", "true")
    # The message sits inside the BSN field's own block, right under its input.
    assert page.locator(".veld", has=page.locator("#werknemer\\.bsn")).locator(".veldfout").count() == 1
    if SHOTS:
        page.screenshot(path=str(Path(SHOTS) / "web-formulier.png"), full_page=False)

    page.get_by_label("BSN").fill("111222333")
    page.get_by_role("button", name="Opslaan").click()
    expect(page.get_by_role("heading", name="Dossier WEB-2026-001 — Fatima El Amrani")).to_be_visible()
    expect(page.locator("svg.tijdlijn-svg line.vandaag")).to_have_count(1)

    page.get_by_role("link", name="Werkvoorraad", exact=True).click()
    page.get_by_label("Zoek op naam, werkgever of dossiernummer").fill("amrani")
    rows = page.locator("#lijst tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("WEB-2026-001")
    expect(rows.first).to_contain_text("Drukkerij Het Anker")
    assert "111222333" not in page.content()
    assert not page.errors, page.errors  # no CSP violation, no script error  # type: ignore[attr-defined]


def test_the_werkvoorraad_with_the_samples(web_server, page, samples_dir: Path) -> None:
    import json

    api = web_server.client()
    for name in ("casus_kuipers.json", "casus_yilmaz.json", "casus_de_boer.json"):
        api.post("/api/v1/cases", json=json.loads((samples_dir / name).read_text(encoding="utf-8")))
    page.goto(f"{web_server.url}/")
    expect = playwright.expect
    expect(page.get_by_role("cell", name="Sandra Kuipers")).to_be_visible()
    expect(page.locator("#lijst .niveau").first).to_be_visible()
    if SHOTS:
        page.screenshot(path=str(Path(SHOTS) / "web-werkvoorraad.png"), full_page=True)
    page.get_by_role("link", name="VZ-2025-0142").click()
    expect(page.get_by_role("table", name="Mijlpalen")).to_be_visible()
    if SHOTS:
        page.screenshot(path=str(Path(SHOTS) / "web-kuipers.png"), full_page=False)
    assert not page.errors, page.errors  # type: ignore[attr-defined]

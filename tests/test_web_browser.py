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


def _shot(page, name: str, *, full_page: bool = False) -> None:
    """A README picture at laptop size, reduced to a 256-colour palette (a third of the bytes)."""
    path = Path(SHOTS) / name
    page.screenshot(path=str(path), full_page=full_page)
    try:
        from PIL import Image
    except ImportError:
        return
    with Image.open(path) as img:
        small = img.convert("RGB").quantize(colors=256)
    small.save(path, optimize=True)


@pytest.fixture(scope="module")
def page(web_server):
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=ARGS)
        context = browser.new_context(locale="nl-NL", viewport={"width": 1366, "height": 768})
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
        _shot(page, "web-werkvoorraad.png", full_page=True)
    page.get_by_role("link", name="VZ-2025-0142").click()
    expect(page.get_by_role("table", name="Mijlpalen")).to_be_visible()
    if SHOTS:
        _shot(page, "web-kuipers.png")
    assert not page.errors, page.errors  # type: ignore[attr-defined]


def test_a_section_form_adds_and_removes_rows_without_a_reload_and_saves_a_version(web_server, page,
                                                                                  samples_dir: Path) -> None:
    import json

    data = json.loads((samples_dir / "casus_kuipers.json").read_text(encoding="utf-8"))
    data["dossiernummer"] = "BRW-PVA"
    api = web_server.client()
    assert api.post("/api/v1/cases", json=data).status_code == 201
    n = len(data["plan_van_aanpak"]["activiteiten"])
    expect = playwright.expect
    page.goto(f"{web_server.url}/casussen/BRW-PVA")
    page.get_by_role("link", name="Alle onderdelen invullen").click()
    page.get_by_role("link", name="Plan van aanpak", exact=True).click()
    expect(page.get_by_role("heading", name="Dossier BRW-PVA: Plan van aanpak")).to_be_visible()
    page.evaluate("window.geenHerlaad = true")
    page.get_by_role("button", name="Activiteit toevoegen").click()
    new = page.get_by_role("group", name=f"Activiteit {n + 1}", exact=True)
    expect(new).to_be_visible()
    expect(new.get_by_label("Wie")).to_be_focused()  # the keyboard goes on in the new row
    new.get_by_label("Wat").fill("Gesprek over uitbreiding naar 28 uur")
    new.get_by_label("Termijn").fill("per direct")
    # The button came back with the next row number (out-of-band swap): a second row, then removed again.
    page.get_by_role("button", name="Activiteit toevoegen").click()
    expect(page.get_by_role("group", name=f"Activiteit {n + 2}", exact=True)).to_be_visible()
    page.get_by_role("button", name=f"Activiteit {n + 2} verwijderen").click()
    expect(page.get_by_role("group", name=f"Activiteit {n + 2}", exact=True)).to_have_count(0)
    assert page.evaluate("window.geenHerlaad === true")  # all of it without loading the page again
    page.get_by_role("button", name="Opslaan als nieuwe versie").click()
    expect(page.get_by_role("status")).to_have_text("Opgeslagen als versie 2.")
    acts = api.get("/api/v1/cases/BRW-PVA").json()["plan_van_aanpak"]["activiteiten"]
    assert len(acts) == n + 1 and acts[-1] == {"wat": "Gesprek over uitbreiding naar 28 uur", "termijn": "per direct"}

    # A wrong BSN in the basic-data section: refused, the message next to the field and tied to it.
    page.get_by_role("link", name="Werknemer en werkgever").click()
    bsn = page.get_by_label("BSN")
    bsn.fill("123456789")
    page.get_by_role("button", name="Opslaan als nieuwe versie").click()
    expect(bsn).to_have_attribute("aria-invalid", "true")
    described = bsn.get_attribute("aria-describedby").split()
    assert any("elfproef" in page.locator(f"[id='{i}']").inner_text() for i in described)
    if SHOTS:
        page.evaluate("window.scrollTo(0, 0)")
        _shot(page, "web-formulier.png")
    assert len(api.get("/api/v1/cases/BRW-PVA/versions").json()) == 2
    assert not page.errors, page.errors  # type: ignore[attr-defined]


def test_the_werkvoorraad_filter_and_archive_and_no_script_from_case_data_runs(web_server, page) -> None:
    api = web_server.client()
    evil = '<script>alert(1)</script>"><img src=x onerror=alert(2)>'
    base = {"werknemer": {"naam": "Filter " + evil}, "casemanager": {"naam": "Cm " + evil},
            "ziekteperiodes": [{"eerste_ziektedag": "2026-05-04"}]}
    api.post("/api/v1/cases", json={**base, "dossiernummer": "BRW-F1", "werkgever": {"naam": "Firma Een " + evil}})
    api.post("/api/v1/cases", json={**base, "dossiernummer": "BRW-F2", "werkgever": {"naam": "Firma Twee"}})
    api.post("/api/v1/cases", json={**base, "dossiernummer": "BRW-F3", "werkgever": {"naam": "Firma Twee"},
                                    "ziekteperiodes": [{"eerste_ziektedag": "2026-05-04",
                                                        "hersteldatum": "2026-06-01"}]})
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    expect = playwright.expect
    page.goto(f"{web_server.url}/")
    page.evaluate("window.geenHerlaad = true")
    rows = page.locator("#lijst tbody tr")
    page.get_by_label("Werkgever", exact=True).select_option("Firma Twee")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("BRW-F2")
    page.get_by_label("toon archief").check()
    expect(rows).to_have_count(2)
    expect(page.locator("#lijst")).to_contain_text("hersteld")
    assert "werkgever=Firma%20Twee" in page.url and page.evaluate("window.geenHerlaad === true")
    page.get_by_label("Werkgever", exact=True).select_option(label="Firma Een " + evil)
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(evil)  # shown as text
    page.goto(web_server.url + "/casussen/BRW-F1")
    expect(page.locator("main h1")).to_contain_text(evil)
    page.goto(web_server.url + "/casussen/BRW-F1/formulier/basis")
    expect(page.locator("input[name='werkgever.naam']")).to_have_value("Firma Een " + evil)
    page.goto(web_server.url + "/casussen/BRW-F1/formulier/betrokkenen")
    expect(page.locator("input[name='casemanager.naam']")).to_have_value("Cm " + evil)
    assert dialogs == [] and page.locator("main script, main img").count() == 0
    assert not page.errors, page.errors  # type: ignore[attr-defined]

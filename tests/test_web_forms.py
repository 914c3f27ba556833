"""The forms generated from the case model: field types to inputs, the form back to case data (round
trip of the Kuipers sample through every section), messages next to their field, hostile input."""

from __future__ import annotations

import copy
import json
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("fastapi", reason="de web-extra is niet geïnstalleerd (pip install 'dossier[web]')")

from dossier import api
from dossier.web import formroutes  # noqa: F401  (registers the template globals)
from dossier.web import modelforms as mf
from dossier.web.pages import templates

TODAY = api.parse_today("2026-11-23")


class _Inputs(HTMLParser):
    """What a browser would post for a page: inputs, text areas and the selected option of each select."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.values: dict[str, str] = {}
        self._textarea: str | None = None
        self._select: str | None = None
        self._first: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "input" and "name" in a and a.get("type") != "checkbox":
            self.values[a["name"]] = a.get("value", "")
        elif tag == "textarea":
            self._textarea = a["name"]
            self.values[a["name"]] = ""
        elif tag == "select":
            self._select, self._first = a["name"], None
        elif tag == "option" and self._select:
            if self._first is None:
                self._first = a.get("value", "")
                self.values.setdefault(self._select, self._first)
            if "selected" in a:
                self.values[self._select] = a.get("value", "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self.values[self._textarea] += data.removeprefix("\n") if not self.values[self._textarea] else data


def posted(html: str) -> dict[str, str]:
    p = _Inputs()
    p.feed(html)
    return p.values


def render(sec: mf.Section, data: dict[str, Any], msgs: dict[str, Any] | None = None) -> str:
    module = templates.env.get_template("_velden.html").make_module({})
    return "".join(str(module.knoop(n, p, data, msgs or {})) for p, n in zip(sec.paths, sec.nodes, strict=True))


@pytest.fixture
def kuipers(samples_dir: Path) -> dict[str, Any]:
    return json.loads((samples_dir / "casus_kuipers.json").read_text(encoding="utf-8"))


def _node(path: str) -> mf.Node:
    """The form node of a model path (row numbers left out), looked up in the section that shows it."""
    pairs = [(p, n) for sec in mf.sections() for p, n in zip(sec.paths, sec.nodes, strict=True)]
    for p, n in sorted(pairs, key=lambda pn: -len(pn[0])):
        if path == p:
            return n
        if path.startswith(p + "."):
            node: Any = n
            for name in path[len(p) + 1:].split("."):
                node = node.item if isinstance(node, mf.Repeat) else node
                node = next(c for c in node.fields if c.name == name)
            return node
    raise KeyError(path)


def test_every_field_of_the_case_model_is_in_a_section() -> None:
    shown = {p.split(".")[0] for s in mf.sections() for p in s.paths}
    assert shown | set(mf.NOT_IN_FORMS) == set(api.Case.model_fields)
    # A part that has a section of its own is left out of its parent's form.
    pva = next(n for n in mf.section("probleemanalyse").nodes)
    assert "bijstellingen" not in {c.name for c in pva.fields}
    assert isinstance(_node("probleemanalyse.bijstellingen"), mf.Repeat)


def test_field_types_pick_the_input() -> None:
    assert _node("werknemer.geboortedatum").kind == "date"
    assert _node("werknemer.uren_per_week").kind == "number"
    assert _node("werknemer.naam").required and _node("werknemer.naam").kind == "text"
    assert _node("plan_van_aanpak.doel_kort").kind == "textarea"
    assert _node("eerstejaarsevaluatie.spoor2_nodig").kind == "janee"
    assert _node("evaluaties.soort").choices == ("evaluatie", "bijstelling")
    assert _node("evaluaties.soort").default == "evaluatie" and _node("ziekteperiodes.vangnet").default == ""
    assert _node("ziekteperiodes.vangnet").choices[0] == "zwangerschap"
    assert _node("plan_van_aanpak.activiteiten.termijn").kind == "termijn"
    assert _node("loonsanctie.weken").kind == "int"
    assert "plan_van_aanpak" in _node("ondertekeningen.document").choices
    assert _node("ondertekeningen.scan").kind == "hidden"
    acts = _node("plan_van_aanpak.activiteiten")
    assert isinstance(acts, mf.Repeat) and acts.row_label == "Activiteit" and isinstance(acts.item, mf.Group)
    moments = _node("plan_van_aanpak.evaluatiemomenten")
    assert isinstance(moments, mf.Repeat) and moments.item.kind == "date"
    # Dutch labels: from the table, else the name spelled out; hints from the model's docstrings.
    assert _node("werknemer.bsn").label == "BSN"
    assert _node("ondertekeningen.werkgever").label == "Getekend door de werkgever op"
    assert _node("werknemer.datum_uit_dienst").hint.startswith("Laatste dag van het dienstverband")


def test_the_kuipers_sample_rendered_into_every_form_and_posted_back_is_the_same_case(kuipers) -> None:
    data: dict[str, Any] = {"dossiernummer": kuipers["dossiernummer"], "bijlagen": kuipers["bijlagen"]}
    for sec in mf.sections():
        data = mf.apply_section(data, sec, posted(render(sec, kuipers)))
    original, _ = api.validate_case_data(kuipers, today=TODAY)
    back, issues = api.validate_case_data(data, today=TODAY)
    assert back is not None, issues
    assert back == original
    # Also as a file: what differs is only how a value is written ("36" → 36, "ja" → true).
    differences = list(_diffs(kuipers, data))
    assert all(_same_value(a, b) for _, a, b in differences), differences
    assert len(differences) < 10


def _diffs(a: Any, b: Any, path: str = "") -> Any:
    if isinstance(a, dict) and isinstance(b, dict):
        for key in sorted(set(a) | set(b)):
            yield from _diffs(a.get(key), b.get(key), f"{path}.{key}")
    elif isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            yield from _diffs(x, y, f"{path}.{i}")
    elif a != b:
        yield path, a, b


def _same_value(a: Any, b: Any) -> bool:
    return {"ja": True, "nee": False}.get(a, a) == b or (isinstance(b, int) and str(a) == str(b))


def test_posting_a_section_keeps_the_rest_and_drops_removed_and_empty_rows(kuipers) -> None:
    data = copy.deepcopy(kuipers)
    data["plan_van_aanpak"]["eigen_veld"] = "onbekend maar bewaard"
    sec = mf.section("plan-van-aanpak")
    form = {"plan_van_aanpak.datum": "2025-03-10", "plan_van_aanpak.doel_kort": "  halve dagen  ",
            "plan_van_aanpak.activiteiten.0.wat": "Gesprek", "plan_van_aanpak.activiteiten.0.termijn": "per direct",
            # row 1 was removed in the browser; row 3 is an added row left empty
            "plan_van_aanpak.activiteiten.2.wat": "Werkplekonderzoek", "plan_van_aanpak.activiteiten.2.wie": "",
            "plan_van_aanpak.activiteiten.3.wat": "", "plan_van_aanpak.evaluatiemomenten.0": "2025-04-21",
            "probleemanalyse.datum": "2099-01-01"}  # not this section's: ignored
    out = mf.apply_section(data, sec, form)
    pva = out["plan_van_aanpak"]
    assert pva["doel_kort"] == "halve dagen" and "doel_lang" not in pva
    assert pva["activiteiten"] == [{"wat": "Gesprek", "termijn": "per direct"}, {"wat": "Werkplekonderzoek"}]
    assert pva["evaluatiemomenten"] == ["2025-04-21"] and pva["eigen_veld"] == "onbekend maar bewaard"
    assert out["probleemanalyse"] == kuipers["probleemanalyse"]
    assert {k: v for k, v in out.items() if k != "plan_van_aanpak"} == \
        {k: v for k, v in kuipers.items() if k != "plan_van_aanpak"}
    # The bijstellingen section changes only the bijstellingen inside the probleemanalyse.
    out = mf.apply_section(kuipers, mf.section("bijstellingen"), {})
    assert "bijstellingen" not in out["probleemanalyse"]
    assert out["probleemanalyse"]["datum"] == kuipers["probleemanalyse"]["datum"]
    # An object emptied completely is gone (no step done), ja/nee becomes true/false.
    out = mf.apply_section(kuipers, mf.section("actueel-oordeel"), {"actueel_oordeel.datum": ""})
    assert "actueel_oordeel" not in out
    out = mf.apply_section({}, mf.section("eerstejaarsevaluatie"), {"eerstejaarsevaluatie.spoor2_nodig": "nee"})
    assert out == {"eerstejaarsevaluatie": {"spoor2_nodig": False}}


def test_messages_sit_next_to_their_field_and_are_described_by() -> None:
    issue = api.Issue(api.Severity.fout, "invoer", "", "ziekteperiodes[1].hersteldatum",
                      "ligt voor de eerste ziektedag")
    msgs = mf.messages([issue], [])
    html = render(mf.section("ziekteperiodes"), {"ziekteperiodes": [{"eerste_ziektedag": "2026-01-05"}]}, msgs)
    field = re.search(r'<input id="ziekteperiodes\.0\.hersteldatum"[^>]*>', html).group(0)
    ids = re.search(r'aria-describedby="([^"]+)"', field).group(1).split()
    assert 'aria-invalid="true"' in field
    assert any(re.search(rf'id="{re.escape(i)}">ligt voor de eerste ziektedag', html) for i in ids)


def test_hostile_text_is_escaped_in_the_form() -> None:
    evil = '"><img src=x onerror=alert(1)><script>alert(1)</script>'
    html = render(mf.section("plan-van-aanpak"), {"plan_van_aanpak": {"doel_kort": evil, "spoor": evil,
                                                                       "activiteiten": [{"wat": evil}]}})
    assert "<script>" not in html and "<img" not in html
    assert posted(html)["plan_van_aanpak.activiteiten.0.wat"] == evil  # shown as text, posted back unchanged


def test_migration_0002_upgrades_a_database_with_cases_and_downgrades_again(tmp_path, case_data) -> None:
    import sqlalchemy as sa
    from alembic import command
    from alembic.config import Config

    from dossier.web.storage import MIGRATIONS, Store
    from dossier.web.werkvoorraad import Filters

    db = tmp_path / "dossier.sqlite3"
    store = Store(db)
    store.create({**case_data, "dossiernummer": "MIG-1", "casemanager": {"naam": "Cm Migratie"}},
                 door="test", today=TODAY)
    store.close()
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    engine = sa.create_engine(f"sqlite:///{db}")
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0001")
    with engine.connect() as conn:
        columns = {c["name"] for c in sa.inspect(conn).get_columns("case")}
        assert "status" not in columns and "casemanager" not in columns
        assert conn.execute(sa.text('SELECT dossiernummer FROM "case"')).scalar_one() == "MIG-1"
    engine.dispose()
    store = Store(db)  # upgrades again on open; the refresh fills the new columns
    try:
        assert store.refresh(TODAY) == 1
        total, rows = store.list(today=TODAY, filters=Filters(casemanager="Cm Migratie"))
        assert total == 1 and rows[0].casemanager == "Cm Migratie" and rows[0].status == "open"
    finally:
        store.close()


def test_werkgever_settings_lay_the_template_set_and_wia_week_over_the_servers(tmp_path) -> None:
    from dossier.web import werkgevers
    from dossier.web.storage import Store

    store = Store(tmp_path / "dossier.sqlite3")
    try:
        assert werkgevers.settings_for(store, "Firma") is store.settings
        werkgevers.save(store, "Firma", sjablonenset="Huisstijl", wia_aanvraag_week=91, door="test")
        s = werkgevers.settings_for(store, "Firma")
        assert s.wia_aanvraag_week == 91 and s.templates_dir == store.settings.templates_dir  # no such folder
        (tmp_path / "sjablonen" / "Huisstijl").mkdir(parents=True)
        assert werkgevers.settings_for(store, "Firma").templates_dir == tmp_path / "sjablonen" / "Huisstijl"
        assert werkgevers.settings_for(store, "Andere firma") is store.settings
        werkgevers.save(store, "Firma", sjablonenset=None, wia_aanvraag_week=None, door="test")
        assert werkgevers.settings_for(store, "Firma") is store.settings
    finally:
        store.close()
    assert werkgevers.problems("../x", "") and werkgevers.problems("", "94") and not werkgevers.problems("A b.1", "91")


def test_a_finding_names_the_section_whose_form_holds_its_field() -> None:
    assert mf.section_for("werknemer.bsn").slug == "basis"
    assert mf.section_for("probleemanalyse.bijstellingen[2].datum").slug == "bijstellingen"
    assert mf.section_for("probleemanalyse").slug == "probleemanalyse"
    assert mf.section_for("inspanningsrapportages[5]").slug == "tweede-spoor"
    assert mf.section_for("tweede_spoor.sollicitaties[1].functie").slug == "sollicitaties"
    assert mf.section_for("evaluatie").slug == "evaluaties"  # a late milestone
    assert mf.section_for("bijlagen") is None and mf.section_for("einde_wachttijd") is None


def test_case_overview_status_and_casemanager_for_the_werkvoorraad(make_case) -> None:
    settings = api.default_settings()

    def overview(**kw: Any) -> api.CaseOverview:
        return api.case_overview(make_case(**kw), settings=settings, today=TODAY)

    o = overview(casemanager={"naam": "Anja"})
    assert (o.status, o.casemanager) == ("open", "Anja")
    assert overview(ziekteperiodes=[{"eerste_ziektedag": "2026-01-05", "hersteldatum": "2026-03-01"}]).status \
        == "hersteld"
    assert overview(ziekteperiodes=[{"eerste_ziektedag": "2026-01-05", "hersteldatum": "2026-12-01"}]).status \
        == "open"  # recovery still to come
    assert overview(werknemer__datum_uit_dienst="2026-06-30").status == "beeindigd"
    assert overview(ziekteperiodes=[{"eerste_ziektedag": "2024-01-08"}]).status == "beeindigd"  # 104 weeks over
    assert overview().casemanager is None and set(api.CASE_STATUSES) == {"open", "hersteld", "beeindigd"}

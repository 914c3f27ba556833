"""The RIV-toets checks and the finding levels: each check with a case that trips it and one that does not."""

from __future__ import annotations

import copy
import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from dossier import api
from dossier.findings import Finding
from dossier.model import Case
from dossier.timeline import Niveau

ROOT = Path(__file__).resolve().parent.parent
TODAY = date(2026, 11, 23)
SETTINGS = api.default_settings()

BASE: dict[str, Any] = {
    "dossiernummer": "R-1",
    "werkgever": {"naam": "Testbedrijf B.V."},
    "werknemer": {"naam": "Jan Test", "uren_per_week": "36", "bruto_maandloon": "3000"},
    "ziekteperiodes": [{"eerste_ziektedag": "2025-01-06"}],
}


def case(**parts: Any) -> Case:
    data = copy.deepcopy(BASE)
    data.update(copy.deepcopy(parts))
    return Case.model_validate(data)


def found(c: Case, code: str | None = None, *, today: date = TODAY) -> list[Finding]:
    out = api.findings(c, settings=SETTINGS, today=today)
    return [f for f in out if code is None or f.code == code]


# --- hours and capacity --------------------------------------------------------------------


def test_unused_capacity_longer_than_one_evaluation_period():
    c = case(belastbare_uren=[{"datum": "2025-03-01", "uren_per_week": "20", "door": "bedrijfsarts"}],
             gewerkte_uren=[{"van": "2025-03-01", "tot": "2025-05-31", "eigen_werk": "12", "werkervaringsplaats": "4"}])
    [f] = found(c, "onbenutte_mogelijkheden")
    assert f.niveau is Niveau.loonsanctie_risico
    assert "1 maart 2025 tot en met 31 mei 2025" in f.melding and "belastbaar 20 uur" in f.melding
    assert "gewerkt 16 uur" in f.melding  # unpaid work-experience hours use capacity too
    assert f.uiterlijk == date(2025, 4, 12)
    assert [g.document for g in f.grondslag] == ["belastbare_uren", "gewerkte_uren"]
    assert f.grondslag[0].datum == date(2025, 3, 1)


def test_unused_capacity_within_six_weeks_or_hours_used_is_no_finding():
    short = case(belastbare_uren=[{"datum": "2025-03-01", "uren_per_week": "20", "door": "bedrijfsarts"}],
                 gewerkte_uren=[{"van": "2025-03-01", "tot": "2025-04-11", "eigen_werk": "12"},  # 42 days
                                {"van": "2025-04-12", "tot": "2025-06-30", "eigen_werk": "20"}])
    assert not found(short, "onbenutte_mogelijkheden")
    raised = case(belastbare_uren=[{"datum": "2025-03-01", "uren_per_week": "20", "door": "bedrijfsarts"},
                                   {"datum": "2025-03-20", "uren_per_week": "12", "door": "bedrijfsarts"}],
                  gewerkte_uren=[{"van": "2025-03-01", "tot": "2025-06-30", "eigen_werk": "12"}])
    assert not found(raised, "onbenutte_mogelijkheden")  # capacity lowered after 19 days


def test_unused_capacity_runs_over_consecutive_worked_periods():
    c = case(belastbare_uren=[{"datum": "2025-03-01", "uren_per_week": "10", "door": "bedrijfsarts"}],
             gewerkte_uren=[{"van": "2025-03-01", "tot": "2025-03-31", "eigen_werk": "4"},
                            {"van": "2025-04-01", "tot": "2025-04-30", "eigen_werk": "8"}])
    [f] = found(c, "onbenutte_mogelijkheden")
    assert "gewerkt 4 en daarna 8 uur" in f.melding and "(61 dagen" in f.melding


# --- the 65 % test -------------------------------------------------------------------------


@pytest.mark.parametrize(("loon_nu", "code", "pct"), [
    ("1950", "bevredigend_resultaat", "65,0 %"),
    ("1949,99", "geen_bevredigend_resultaat", "65,0 %"),  # just below: rounding does not decide
    ("1000", "geen_bevredigend_resultaat", "33,3 %"),
])
def test_wage_test(loon_nu, code, pct):
    c = case(eindevaluatie={"datum": "2026-09-29", "bruto_maandloon_nu": loon_nu, "uren_per_week_nu": "20"})
    [f] = [f for f in found(c) if f.code.endswith("bevredigend_resultaat")]
    assert f.code == code and f.niveau is Niveau.aandachtspunt
    assert pct in f.melding and "€ 3.000,00" in f.melding and "20 van 36 contracturen" in f.melding
    assert f.grondslag[0].document == "eindevaluatie" and f.grondslag[0].datum == date(2026, 9, 29)


def test_wage_test_needs_the_wage_now():
    c = case(eindevaluatie={"datum": "2026-09-29"})
    assert [f.code for f in found(c) if "resultaat" in f.code or "loon" in f.code] == ["loon_nu_ontbreekt"]
    assert not [f for f in found(case()) if "resultaat" in f.code or "loon_nu" in f.code]


# --- spoor 2 and the arbeidsdeskundige --------------------------------------------------


def test_spoor2_late_after_conclusion():
    c = case(spoor1_niet_haalbaar={"datum": "2025-06-02", "door": "bedrijfsarts"},
             tweede_spoor={"start": "2026-01-12"})
    [f] = found(c, "spoor2_na_conclusie_te_laat")
    assert f.niveau is Niveau.loonsanctie_risico and f.uiterlijk == date(2025, 7, 14)
    assert "startte pas op 12 januari 2026" in f.melding
    assert [g.document for g in f.grondslag] == ["spoor1_niet_haalbaar", "trajectplan_tweede_spoor"]


def test_spoor2_in_time_not_yet_due_or_missing():
    ok = case(spoor1_niet_haalbaar={"datum": "2025-06-02", "door": "bedrijfsarts"},
              tweede_spoor={"start": "2025-07-14"})
    assert not found(ok, "spoor2_na_conclusie_te_laat")
    pending = case(spoor1_niet_haalbaar={"datum": "2026-11-01", "door": "arbeidsdeskundige"})
    assert not found(pending, "spoor2_na_conclusie_te_laat")
    missing = case(spoor1_niet_haalbaar={"datum": "2025-06-02", "door": "bedrijfsarts"})
    assert "is niet gestart" in found(missing, "spoor2_na_conclusie_te_laat")[0].melding


def test_spoor2_check_skips_a_recovered_case():
    c = case(ziekteperiodes=[{"eerste_ziektedag": "2025-01-06", "hersteldatum": "2025-07-01"}],
             spoor1_niet_haalbaar={"datum": "2025-06-02", "door": "bedrijfsarts"})
    assert not found(c, "spoor2_na_conclusie_te_laat")


def test_ad_requested_late():
    c = case(spoor1_niet_haalbaar={"datum": "2025-06-02", "door": "bedrijfsarts"},
             arbeidsdeskundig_onderzoek={"datum": "2025-11-18", "aangevraagd": "2025-10-28"})
    [f] = found(c, "ad_te_laat_aangevraagd")
    assert f.niveau is Niveau.loonsanctie_risico and f.uiterlijk == date(2025, 6, 30)
    assert "28 oktober 2025" in f.melding
    assert {g.document for g in f.grondslag} == {"spoor1_niet_haalbaar", "arbeidsdeskundig_rapport"}


def test_ad_in_time_by_request_or_report_and_not_for_an_ad_conclusion():
    for ad in ({"datum": "2025-08-01", "aangevraagd": "2025-06-20"}, {"datum": "2025-06-25"}):
        c = case(spoor1_niet_haalbaar={"datum": "2025-06-02", "door": "bedrijfsarts"}, arbeidsdeskundig_onderzoek=ad)
        assert not found(c, "ad_te_laat_aangevraagd"), ad
    by_ad = case(spoor1_niet_haalbaar={"datum": "2025-06-02", "door": "arbeidsdeskundige"})
    assert not found(by_ad, "ad_te_laat_aangevraagd")
    unknown = case(spoor1_niet_haalbaar={"datum": "2025-06-02", "door": "bedrijfsarts"},
                   arbeidsdeskundig_onderzoek={"datum": "2025-11-18"})
    assert "geen aanvraagdatum" in found(unknown, "ad_te_laat_aangevraagd")[0].melding


# --- bijstelling, trajectplan, sollicitaties ----------------------------------------------


PA = {"datum": "2025-02-10", "bijstellingen": [{"datum": "2025-06-02"}]}


def test_bijstelling_missing_after_changed_probleemanalyse():
    c = case(probleemanalyse=PA, evaluaties=[{"datum": "2025-08-01", "soort": "bijstelling"}])
    [f] = found(c, "bijstelling_ontbreekt")
    assert f.niveau is Niveau.loonsanctie_risico and f.uiterlijk == date(2025, 7, 14)
    assert "pas van 1 augustus 2025" in f.melding
    assert [(g.document, g.nummer) for g in f.grondslag] == [("bijstelling_probleemanalyse", 1),
                                                            ("bijstelling_plan_van_aanpak", 1)]


def test_bijstelling_in_time_or_a_plain_evaluation():
    ok = case(probleemanalyse=PA, evaluaties=[{"datum": "2025-06-10", "soort": "bijstelling"}])
    assert not found(ok, "bijstelling_ontbreekt")
    plain = case(probleemanalyse=PA, evaluaties=[{"datum": "2025-06-10"}])  # an evaluation is no bijstelling
    assert "geen bijstelling" in found(plain, "bijstelling_ontbreekt")[0].melding


def test_bijstelling_asked_by_the_ad_report():
    ad = {"datum": "2025-11-18", "bijstelling_nodig": "ja"}
    c = case(arbeidsdeskundig_onderzoek=ad, evaluaties=[{"datum": "2025-06-10", "soort": "bijstelling"}])
    [f] = found(c, "bijstelling_ontbreekt")
    assert f.grondslag[0].document == "arbeidsdeskundig_rapport"
    assert not found(case(arbeidsdeskundig_onderzoek={**ad, "bijstelling_nodig": "nee"}), "bijstelling_ontbreekt")


def test_trajectplan_goal_against_ad_advice():
    c = case(arbeidsdeskundig_onderzoek={"datum": "2025-11-18", "advies_uren_spoor2": "12"},
             tweede_spoor={"start": "2026-01-12", "doel_uren_per_week": "20"})
    [f] = found(c, "trajectplan_wijkt_af_van_ad")
    assert "20 uur" in f.melding and "12 uur" in f.melding and f.niveau is Niveau.loonsanctie_risico
    same = case(arbeidsdeskundig_onderzoek={"datum": "2025-11-18", "advies_uren_spoor2": "12"},
                tweede_spoor={"start": "2026-01-12", "doel_uren_per_week": "12,0"})
    assert not found(same, "trajectplan_wijkt_af_van_ad")
    assert not found(case(tweede_spoor={"start": "2026-01-12", "doel_uren_per_week": "20"}),
                     "trajectplan_wijkt_af_van_ad")  # nothing to compare with


def _spoor2(sollicitaties: list[str], **extra: Any) -> dict[str, Any]:
    return {"start": "2026-01-12", "sollicitaties_per_maand": "2",
            "sollicitaties": [{"datum": d, "werkgever": "W", "functie": "F"} for d in sollicitaties], **extra}


def test_sollicitatie_norm_per_period():
    # periods of two months from 12 January 2026: 3 in period 1, 4 in period 2, none later
    dates = ["2026-01-20", "2026-02-10", "2026-03-01", "2026-03-20", "2026-04-01", "2026-04-20", "2026-05-01"]
    c = case(tweede_spoor=_spoor2(dates))
    bad = found(c, "sollicitatienorm_niet_gehaald", today=date(2026, 5, 20))
    assert [f.grondslag[1].nummer for f in bad] == [1]
    assert "3 sollicitatie(s)" in bad[0].melding and "(4 in deze periode)" in bad[0].melding
    assert bad[0].niveau is Niveau.loonsanctie_risico


def test_sollicitatie_norm_explained_in_the_report():
    c = case(tweede_spoor=_spoor2([]), inspanningsrapportages=[
        {"periode_van": "2026-01-12", "periode_tot": "2026-03-11", "toelichting_sollicitaties": "Eerst training."}])
    bad = found(c, "sollicitatienorm_niet_gehaald", today=date(2026, 5, 20))
    assert [f.grondslag[1].nummer for f in bad] == [2]  # period 1 explained, period 2 not


# --- statements against the case data ------------------------------------------------------


def _eje_case(status: str | None, nagekomen: str = "Ja, alle afspraken zijn nagekomen.") -> Case:
    act: dict[str, Any] = {"wat": "AD aanvragen", "termijn": "2025-06-20"}
    if status is not None:
        act["status"] = status
    return case(plan_van_aanpak={"datum": "2025-02-20", "activiteiten": [
                    {"wat": "Werkplek", "termijn": "2025-02-24", "status": "gedaan"}, act,
                    {"wat": "Later", "termijn": "2026-02-01", "status": "loopt"}]},
                eerstejaarsevaluatie={"datum": "2025-12-09", "afspraken_nagekomen": nagekomen})


def test_all_agreements_kept_while_one_is_late():
    [f] = found(_eje_case("loopt"), "afspraken_niet_nagekomen")
    assert f.niveau is Niveau.loonsanctie_risico and "'AD aanvragen' (termijn 20 juni 2025" in f.melding
    assert {g.document for g in f.grondslag} == {"eerstejaarsevaluatie", "plan_van_aanpak"}


def test_agreements_done_denied_or_unknown():
    assert not found(_eje_case("gedaan"), "afspraken_niet_nagekomen")
    assert not found(_eje_case("loopt", "Nee, niet alle afspraken zijn nagekomen."), "afspraken_niet_nagekomen")
    [f] = found(_eje_case(None), "afspraken_status_onbekend")
    assert f.niveau is Niveau.aandachtspunt
    assert not found(_eje_case(None), "afspraken_niet_nagekomen")


# --- levels of the other findings -----------------------------------------------------------


def test_levels_of_late_steps_attachments_and_elements():
    c = case(probleemanalyse={"datum": "2025-03-01"}, ziekmelding_uwv={"datum": "2025-11-10"},
             plan_van_aanpak={"datum": "2025-03-10", "doel_kort": "x"})
    by_code = {f.code: f for f in found(c, today=date(2025, 12, 1))}
    assert by_code["probleemanalyse"].niveau is Niveau.loonsanctie_risico
    assert by_code["ziekmelding_uwv"].niveau is Niveau.boete
    assert "boete van UWV" in by_code["ziekmelding_uwv"].melding
    assert by_code["evaluatie"].niveau is Niveau.aandachtspunt
    assert "Risico: loonsanctie" not in by_code["evaluatie"].melding
    assert by_code["bijlage_probleemanalyse"].niveau is Niveau.loonsanctie_risico
    elements = {f.veld: f for f in found(c, today=date(2025, 12, 1)) if f.code == "onderdeel_ontbreekt"}
    assert elements["plan_van_aanpak.visie_werknemer"].niveau is Niveau.loonsanctie_risico
    assert elements["plan_van_aanpak.doel_lang"].niveau is Niveau.aandachtspunt
    assert "Risico" not in elements["plan_van_aanpak.doel_lang"].melding
    assert elements["plan_van_aanpak.doel_lang"].grondslag[0].document == "plan_van_aanpak"


def test_eerstejaarsevaluatie_too_early_is_a_finding():
    c = case(eerstejaarsevaluatie={"datum": "2025-09-15"})
    [open_] = found(c, "eerstejaarsevaluatie_te_vroeg", today=date(2025, 11, 20))
    assert open_.niveau is Niveau.aandachtspunt and "te vroeg" in open_.melding
    [late] = found(c, "eerstejaarsevaluatie_te_vroeg", today=date(2026, 2, 1))
    assert late.niveau is Niveau.loonsanctie_risico
    assert not found(c, "eerstejaarsevaluatie", today=date(2026, 2, 1))  # reported once, as "te vroeg"


# --- the messy sample ------------------------------------------------------------------------


def test_rommelig_sample_shows_each_planted_problem_with_its_level():
    loaded = api.load_one_case(ROOT / "samples" / "casus_rommelig.json", settings=SETTINGS, today=TODAY)
    got = [(f.code, f.niveau) for f in found(loaded.case)]
    L, A = Niveau.loonsanctie_risico, Niveau.aandachtspunt
    planted = [
        ("onbenutte_mogelijkheden", L),  # PvA starts at 40 % of the advised hours; AD's 20 h; AO's 24 h
        ("geen_bevredigend_resultaat", A),  # 12 paid hours of 36: 33 %
        ("spoor2_na_conclusie_te_laat", L),  # bedrijfsarts 02-06-2025, spoor 2 12-01-2026
        ("ad_te_laat_aangevraagd", L),  # requested 28-10-2025
        ("bijstelling_ontbreekt", L),  # AD: "Leg beide afspraken vast in een bijstelling"
        ("trajectplan_wijkt_af_van_ad", L),  # 20 h elsewhere against 12 h
        ("sollicitatienorm_niet_gehaald", L),  # periods 3 and 4 unexplained
        ("afspraken_niet_nagekomen", L),  # EJE "Ja" while the AD request was late
        ("evaluatie", A),  # after the RIV was handed in
    ]
    for item in planted:
        assert item in got, item
    assert got.count(("onbenutte_mogelijkheden", L)) == 3
    periods = [f.grondslag[1].nummer for f in found(loaded.case, "sollicitatienorm_niet_gehaald")]
    assert 3 in periods and 4 in periods and 1 not in periods


def test_kuipers_sample_has_no_loonsanctie_risico():
    # The sample as it is, on the demo date: every document signed (three of them as signed scans).
    loaded = api.load_one_case(ROOT / "samples" / "casus_kuipers.json", settings=SETTINGS, today=TODAY)
    got = found(loaded.case)
    assert [f.code for f in got if f.niveau is not Niveau.aandachtspunt] == []
    assert not [f for f in got if f.code == "niet_ondertekend"]
    assert [s.scan for s in loaded.case.ondertekeningen if s.scan] == [
        "ondertekend/plan_van_aanpak-2025-02-20.pdf", "ondertekend/bijstelling_plan_van_aanpak-1-2025-06-10.pdf",
        "ondertekend/evaluatieverslag-1-2025-04-01.pdf"]
    for s in loaded.case.ondertekeningen:  # signed after writing, before the demo date
        when = [d for d in (s.werkgever, s.werknemer, s.reintegratiebedrijf) if d is not None]
        assert s.werknemer is not None and s.datum <= min(when) and max(when) <= TODAY, s


def test_kuipers_unsigned_copy_lists_every_document_as_loonsanctie_risico():
    data = json.loads((ROOT / "samples" / "casus_kuipers.json").read_text(encoding="utf-8"))
    data.pop("ondertekeningen")
    unsigned = [f for f in found(Case.model_validate(data)) if f.code == "niet_ondertekend"]
    planned = {(s["document"], s["nummer"])
               for s in json.loads((ROOT / "samples" / "casus_kuipers.json").read_text("utf-8"))["ondertekeningen"]}
    assert {(f.grondslag[0].document, f.grondslag[0].nummer or 1) for f in unsigned} == planned
    # after the eindevaluatie's due date (4 October 2026) the RIV must be complete
    assert {f.niveau for f in unsigned} == {Niveau.loonsanctie_risico}
    traject = next(f for f in unsigned if f.grondslag[0].document == "trajectplan_tweede_spoor")
    assert "de werkgever, de werknemer en het re-integratiebedrijf" in traject.melding
    assert traject.grondslag[0].datum == date(2025, 12, 19)  # the trajectplan's own date, not the start
    oordeel = next(f for f in unsigned if f.grondslag[0].document == "oordeel_werknemer")
    assert "nog niet ondertekend door de werknemer (" in oordeel.melding  # the employee's own judgement


def test_kuipers_spoor2_within_four_weeks_of_the_ad_report():
    # The AD report of 18 November 2025 says "start binnen vier weken"; the sample keeps to it, and
    # the timeline's evaluation due after the WIA application stays open, not verlopen.
    case = api.load_one_case(ROOT / "samples" / "casus_kuipers.json", settings=SETTINGS, today=TODAY).case
    assert case.arbeidsdeskundig_onderzoek.datum == date(2025, 11, 18)
    assert "binnen vier weken" in case.arbeidsdeskundig_onderzoek.spoor2_mogelijkheden
    assert (case.tweede_spoor.start - case.arbeidsdeskundig_onderzoek.datum).days <= 28
    tl = api.case_timeline(case, settings=SETTINGS, today=TODAY)
    last = [m for m in tl.mijlpalen if m.code == "evaluatie"][-1]
    assert last.uiterlijk < TODAY and last.gedaan_op is None and str(last.status) == "open"
    (f,) = found(case, "evaluatie")
    assert f.niveau is Niveau.aandachtspunt and "UWV toetst dit niet meer" in f.melding


# --- strictness and the JSON contract ------------------------------------------------------


def _file(tmp_path: Path, data: Any, name: str = "c.json") -> Path:
    p = tmp_path / name
    p.write_text(json.dumps(data), encoding="utf-8")
    return p


def _run(paths: list[Path], **flags: bool) -> api.CheckRun:
    run = api.check(paths, settings=SETTINGS.merge(**flags), today=TODAY)
    list(run)
    return run


def test_strict_fails_on_loonsanctie_risico_not_on_aandachtspunt(tmp_path):
    # recovered after the evaluation was due: only an aandachtspunt (evaluatie) and empty elements
    calm = {**BASE, "ziekteperiodes": [{"eerste_ziektedag": "2026-06-01"}],
            "probleemanalyse": {"datum": "2026-07-01"}, "plan_van_aanpak": {"datum": "2026-07-10"},
            "bijlagen": [], "werkgever": {"naam": "W", "loonheffingennummer": "815720596L01"}}
    path = _file(tmp_path, calm)
    levels = {f.niveau for f in found(Case.model_validate(calm))}
    assert Niveau.aandachtspunt in levels and Niveau.loonsanctie_risico in levels  # visies, probleemanalyse
    assert _run([path], strict=True).failed
    assert not _run([path]).failed
    only_attention = {**calm, "plan_van_aanpak": {"datum": "2026-07-10", "visie_werkgever": "a",
                                                  "visie_werknemer": "b"},
                      "bijlagen": [{"titel": "PA", "bestand": "pa.pdf", "soort": "probleemanalyse"}]}
    path2 = _file(tmp_path, only_attention, "d.json")
    (tmp_path / "pa.pdf").write_bytes(b"%PDF-1.4\n%%EOF\n")
    assert {f.niveau for f in found(Case.model_validate(only_attention))} == {Niveau.aandachtspunt}
    run = _run([path2], strict=True)
    assert not run.failed and run.warnings
    assert _run([path2], strict_alle=True).failed


def test_check_json_contract(tmp_path):
    bad = {**BASE, "dossiernummer": "R-2", "werknemer": {"naam": "X", "bsn": "123456789"}}
    path = _file(tmp_path, [BASE, bad, {"dossiernummer": "R-3"}], "lijst.json")
    (tmp_path / "kapot.csv").write_text("", encoding="utf-8")
    data = api.check_json([path, tmp_path / "kapot.csv"], settings=SETTINGS, today=TODAY)
    assert set(data) == {"bestanden", "casussen"}
    files = {f["bron"]: f["problemen"] for f in data["bestanden"]}
    assert files["lijst.json"] == [] and files["kapot.csv"][0]["ernst"] == "fout"
    assert [c["bron"] for c in data["casussen"]] == ["lijst.json, casus 1", "lijst.json, casus 2",
                                                   "lijst.json, casus 3"]
    first, second, third = data["casussen"]
    assert set(first) == {"dossiernummer", "bron", "geldig", "problemen", "bevindingen"}
    assert first["geldig"] and first["dossiernummer"] == "R-1" and not first["problemen"]
    assert not third["geldig"] and third["dossiernummer"] == "R-3" and third["bevindingen"] == []
    assert {p["ernst"] for p in third["problemen"]} == {"fout"}
    for f in first["bevindingen"]:
        assert set(f) == {"code", "niveau", "melding", "uiterlijk", "grondslag"}
        assert f["niveau"] in api.NIVEAUS
        for g in f["grondslag"]:
            assert set(g) == {"document", "nummer", "datum"}
    assert any(p["veld"] == "werknemer.bsn" for p in second["problemen"])
    assert "123456789" not in json.dumps(data)


def test_every_finding_code_is_documented():
    text = (ROOT / "docs" / "bevindingen.md").read_text(encoding="utf-8")
    loaded = api.load_one_case(ROOT / "samples" / "casus_rommelig.json", settings=SETTINGS, today=TODAY)
    codes = {f.code for f in found(loaded.case)}
    from dossier.timeline import RULES

    codes |= {c for c, r in RULES.items() if not r.informatief}
    codes |= {"eerstejaarsevaluatie_te_vroeg", "bijlage_probleemanalyse", "bijlage_actueel_oordeel",
                           "onderdeel_ontbreekt", "bevredigend_resultaat", "loon_nu_ontbreekt",
                           "afspraken_status_onbekend"}
    for code in codes:
        assert f"`{code}`" in text, code


def test_build_strict_levels(tmp_path, signed_sample):
    kuipers = signed_sample("casus_kuipers.json", TODAY)
    fake = api.Settings(converter="fake")
    # --strict: Kuipers has only aandachtspunten (and no warnings of its attachments), so it builds
    result = api.build(kuipers, output=tmp_path / "a.pdf", settings=fake.merge(strict=True), today=TODAY)
    assert result.pdf.is_file()
    assert {i.niveau for i in result.warnings if i.niveau} == {"aandachtspunt"}
    with pytest.raises(api.CaseDataError, match="--strict-alle"):
        api.build(kuipers, output=tmp_path / "b.pdf", settings=fake.merge(strict_alle=True), today=TODAY)
    assert not (tmp_path / "b.pdf").exists()
    with pytest.raises(api.CaseDataError, match="--strict"):
        api.build(ROOT / "samples" / "casus_rommelig.json", output=tmp_path / "c.pdf",
                  settings=fake.merge(strict=True), today=TODAY)

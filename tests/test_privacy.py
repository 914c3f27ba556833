"""Privacy: medical terms in free text are flagged (and legitimate text is not); BSN masking."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from dossier.cli import main
from dossier.errors import ExitCode, Severity
from dossier.loaders.records import Record
from dossier.model import Case
from dossier.privacy import (
    NOT_PROSE_FIELDS,
    _build_matcher,
    _parse_sections,
    mask_bsn,
    scan_case,
    scan_medical,
    scrub,
)
from dossier.validate import build_case


def _terms(text: str) -> list[str]:
    return [h.term for h in scan_medical(text)]


# --- what is flagged -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Werknemer heeft een hernia.", ["hernia"]),
        ("Sinds de burn-out werkt zij halve dagen.", ["burn-out"]),
        ("Door haar burnout is zij uitgevallen.", ["burnout"]),
        ("Hij heeft rugklachten en nekpijn.", ["rugklachten", "nekpijn"]),
        ("Na de knieoperatie volgt revalidatie.", ["knieoperatie", "revalidatie"]),
        ("Zij is in behandeling bij een psycholoog.", ["psycholoog"]),
        ("De behandeling duurt nog zes weken.", ["behandeling"]),
        ("Hij slikt antidepressiva en pijnstillers.", ["antidepressiva", "pijnstillers"]),
        ("Zij heeft psychische klachten.", ["psychische"]),
        ("Er zijn lichamelijke klachten.", ["lichamelijke klachten"]),
        ("Werknemer is zwanger.", ["zwanger"]),
        ("Zwangerschapsklachten zijn de reden van het verzuim.", ["Zwangerschapsklachten"]),
        ("Sportblessure opgelopen bij het voetballen.", ["Sportblessure"]),
        ("Last van hoofdpijn, duizeligheid en misselijkheid.", ["hoofdpijn", "duizeligheid", "misselijkheid"]),
        ("Zij heeft long covid.", ["long covid"]),
        ("Diagnose: MS, vastgesteld door de neuroloog.", ["Diagnose", "MS", "neuroloog"]),
        ("Een MS-patiënt in het team.", ["MS-patiënt"]),
        ("Opgenomen in het ziekenhuis na een hartinfarct.", ["ziekenhuis", "hartinfarct"]),
        ("Fysiotherapie twee keer per week.", ["Fysiotherapie"]),
        ("Hij heeft PTSS en ADHD.", ["PTSS", "ADHD"]),
        ("Chemotherapie en bestraling zijn afgerond.", ["Chemotherapie", "bestraling"]),
        ("Beperkingen door vermoeidheidsklachten.", ["vermoeidheidsklachten"]),
        ("Kreeg een hersenscan.", ["hersenscan"]),
        ("RUGKLACHTEN", ["RUGKLACHTEN"]),
        ("Gehoorverlies aan één oor.", ["Gehoorverlies"]),
    ],
)
def test_medical_terms_are_flagged(text: str, expected: list[str]) -> None:
    assert _terms(text) == expected


# --- what is not flagged: how casemanagers legitimately write -----------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Belastbaar voor zittend werk, 4 × 2 uur per week, op te bouwen.",
        "Niet tillen boven 5 kg; niet langer dan 30 minuten achtereen staan.",
        "De werkplek is aangepast met een verstelbare stoel en werktafel.",
        "Geen werk in ploegendienst of nachtdienst; zwaar fysiek werk is niet mogelijk.",
        "Hartelijk dank voor het gesprek; na ruggespraak met de teamleider volgt een voorstel.",
        "Zij neemt haar rugzak mee; geen knieval van de werkgever.",
        "Zij krijgt het nieuwe werk snel onder de knie en zet de schouders eronder.",
        "Met het oog op de WIA-aanvraag is het dossier compleet gemaakt.",
        "Zij heeft hart voor de zaak; het hoofd personeelszaken is op de hoogte.",
        "Dat is het hoofdprobleem: er is geen formatieruimte. Een pijnlijke situatie.",
        "De aanvraag is nog in behandeling bij UWV.",
        "Wet gelijke behandeling; geen ongelijke behandeling van parttimers.",
        "Na het zwangerschaps- en bevallingsverlof start de opbouw.",
        "Het zwangerschapsverlof liep tot 21 juni.",
        "Gesprek via MS Teams; de notulen staan in MS Word.",
        "De bedrijfsarts en de verzekeringsarts zijn het eens; het arbeidsdeskundig onderzoek volgt.",
        "Arbeidstherapeutisch werken op de orderafdeling; ook arbeidstherapie is besproken.",
        "Aan het eind van de werkdag is zij vermoeid; het werk vergt veel concentratie.",
        "Mijn lichaam laat het nog niet toe, maar ik wil graag meer uren maken.",
        "Reistijd naar Pijnacker is te lang; Pepijn van de afdeling helpt bij het inwerken.",
        "Sollicitatie bij Tandartsenpraktijk Leusden als baliemedewerker.",
        "Klachtenregeling en klantklachten horen bij de functie; het probleem is de formatie.",
        "Zij werkt met een handscanner in het magazijn; desinfectie van de werkplek.",
        "Het herstel verloopt trager dan verwacht; de beperkingen blijven voorlopig bestaan.",
        "De prognose is gunstig: volledige werkhervatting binnen drie maanden.",
        "Koortsachtig wordt gezocht naar een passende functie.",
    ],
)
def test_legitimate_text_is_not_flagged(text: str) -> None:
    assert _terms(text) == []


def test_abbreviations_are_case_sensitive() -> None:
    assert _terms("Zij heeft MS.") == ["MS"]
    assert _terms("Reactietijd 20 ms.") == []


def test_hit_offsets_and_excerpt() -> None:
    text = "In het gesprek van vandaag bleek dat werknemer nog steeds rugklachten heeft en daarom niet tilt."
    (hit,) = scan_medical(text)
    assert text[hit.start:hit.end] == hit.term == "rugklachten"
    assert "»rugklachten«" in hit.excerpt
    assert hit.excerpt.startswith("…") and hit.excerpt.endswith("…")
    assert len(hit.excerpt) <= len(hit.term) + 2 + 2 * 20 + 2
    assert "\n" not in scan_medical("eerste regel\nhernia\ntweede regel")[0].excerpt


def test_short_text_excerpt_has_no_ellipsis() -> None:
    (hit,) = scan_medical("hernia")
    assert hit.excerpt == "»hernia«"


def test_decomposed_unicode_is_normalised() -> None:
    decomposed = "Een hartpatie\u0308nt in het team."  # "ë" as e + combining diaeresis
    assert _terms(decomposed) == ["hartpatiënt"]


# --- walking a case ---------------------------------------------------------------------------


def _case(**extra: Any) -> Case:
    data: dict[str, Any] = {
        "dossiernummer": "P-1", "werkgever": {"naam": "Ziekenhuis Rivierenland"},
        "werknemer": {"naam": "A. Jansen", "functie": "Fysiotherapeut",
                      "functieomschrijving": "Behandeling van patiënten met rugklachten"},
        "ziekteperiodes": [{"eerste_ziektedag": "2026-01-05", "hersteldatum": "2026-02-02",
                            "zwangerschapsverlof": None},
                           {"eerste_ziektedag": "2026-02-10"}],
    }
    data.update(extra)
    return Case.model_validate(data)


def test_scan_case_names_the_dotted_field_with_list_indexes() -> None:
    case = _case(
        evaluaties=[{"datum": "2026-03-01", "verslag": "Goed gesprek."},
                    {"datum": "2026-04-01", "verslag": "Opbouw loopt."},
                    {"datum": "2026-05-01", "verslag": "Geen bijzonderheden."},
                    {"datum": "2026-06-01", "verslag": "Afspraak bij de fysiotherapeut verzet."}],
        tweede_spoor={"stappen": ["Intake", "Revalidatietraject afronden"]},
        probleemanalyse={"belastbaarheid": "Geen tillen in verband met de hernia."},
        plan_van_aanpak={"activiteiten": [{"wat": "Werkplek aanpassen", "termijn": "na de operatie"}]},
        opmerkingen="Migraine-aanvallen gemeld.",
    )
    found = [(path, hit.term) for path, hit in scan_case(case)]
    assert found == [
        ("probleemanalyse.belastbaarheid", "hernia"),
        ("plan_van_aanpak.activiteiten.0.termijn", "operatie"),
        ("evaluaties.3.verslag", "fysiotherapeut"),
        ("tweede_spoor.stappen.1", "Revalidatietraject"),
        ("opmerkingen", "Migraine"),
    ]


def test_names_job_data_and_field_names_are_not_scanned() -> None:
    # employer "Ziekenhuis …", job "Fysiotherapeut" and its description are about the work, and
    # the field name "zwangerschapsverlof" is never scanned: only prose values are.
    case = _case(ziekteperiodes=[
        {"eerste_ziektedag": "2026-01-05", "hersteldatum": "2026-03-02"},
        {"eerste_ziektedag": "2026-07-02", "zwangerschapsverlof": {"begin": "2026-03-02", "einde": "2026-06-21"}},
    ], bedrijfsarts={"naam": "drs. P. Hendriks", "functie": "bedrijfsarts", "organisatie": "Arbodienst Midden"})
    assert scan_case(case) == []
    assert {"naam", "functie", "functieomschrijving", "bsn", "bestand"} <= NOT_PROSE_FIELDS


@pytest.mark.parametrize("sample", ["casus_kuipers.json", "casus_de_boer.json", "casus_yilmaz.json",
                                    "casus_minimaal.json"])
def test_samples_are_clean(samples_dir: Path, sample: str) -> None:
    case = Case.model_validate(json.loads((samples_dir / sample).read_text(encoding="utf-8")))
    assert scan_case(case) == []


def test_kuipers_is_actually_scanned(samples_dir: Path) -> None:
    """Guard against a walk that silently skips everything: a term planted deep inside is found."""
    data = json.loads((samples_dir / "casus_kuipers.json").read_text(encoding="utf-8"))
    data["inspanningsrapportages"][2]["belemmeringen"] += " Daarnaast speelt de hernia op."
    found = scan_case(Case.model_validate(data))
    assert [(p, h.term) for p, h in found] == [("inspanningsrapportages.2.belemmeringen", "hernia")]


# --- validation and the command line ---------------------------------------------------------


def _case_file(tmp_path: Path, verslag: str) -> Path:
    p = tmp_path / "casus.json"
    p.write_text(json.dumps({
        "dossiernummer": "M-1", "werkgever": {"naam": "W", "loonheffingennummer": "815720596L01"},
        "werknemer": {"naam": "N", "bsn": "111222333", "functie": "Monteur", "geboortedatum": "1980-01-01"},
        "ziekteperiodes": [{"eerste_ziektedag": "2026-01-05"}],
        "evaluaties": [{"datum": "2026-02-01", "verslag": "Eerste gesprek."},
                       {"datum": "2026-02-20", "verslag": verslag}],
    }), encoding="utf-8")
    return p


def test_build_case_turns_each_hit_into_a_warning(tmp_path: Path) -> None:
    record = Record(tmp_path / "casus.json", "", {
        "dossiernummer": "M-1", "werkgever": {"naam": "W"}, "werknemer": {"naam": "N"},
        "ziekteperiodes": [{"eerste_ziektedag": "2026-01-05"}],
        "opmerkingen": "BSN 111222333 genoemd; werknemer heeft een hernia",
    })
    case, issues = build_case(record)
    assert case is not None  # a warning, not an error
    (issue,) = [i for i in issues if "medisch" in i.message]
    assert issue.severity is Severity.waarschuwing
    assert issue.field == "opmerkingen"
    assert issue.message.startswith("mogelijk medisch gegeven 'hernia' in: ")
    assert "»hernia«" in issue.message
    assert issue.message.endswith("medische informatie hoort niet in het dossier van de werkgever")
    assert "111222333" not in issue.message


def test_cli_check_warns_and_exits_0(tmp_path: Path) -> None:
    p = _case_file(tmp_path, "Werknemer heeft rugklachten en gaat naar de fysiotherapeut.")
    result = CliRunner().invoke(main, ["check", str(p), "--today", "2026-03-01"])
    assert result.exit_code == 0, result.output
    assert ("waarschuwing: casus.json, dossier M-1, evaluaties[2].verslag: mogelijk medisch gegeven "
            "'rugklachten' in: Werknemer heeft »rugklachten« en gaat naar de…") in result.stdout
    assert "'fysiotherapeut'" in result.stdout


def test_cli_check_strict_fails_on_a_medical_term(tmp_path: Path) -> None:
    p = _case_file(tmp_path, "Werknemer heeft rugklachten.")
    result = CliRunner().invoke(main, ["check", str(p), "--today", "2026-03-01", "--strict"])
    assert result.exit_code == ExitCode.invalid_data
    assert "evaluaties[2].verslag" in result.stdout
    assert "»rugklachten«" in result.stdout
    assert "111222333" not in result.stdout + result.stderr
    clean = _case_file(tmp_path, "Opbouw verloopt volgens plan.")
    result = CliRunner().invoke(main, ["check", str(clean), "--today", "2026-03-01", "--strict"])
    assert "medisch" not in result.stdout


# --- the word list itself --------------------------------------------------------------------


def test_an_allow_list_entry_that_is_not_needed_is_rejected() -> None:
    sections = _parse_sections("[los]\nhernia\n[toegestaan]\nrugzak\n")
    with pytest.raises(ValueError, match="rugzak"):
        _build_matcher(sections)


def test_unknown_section_is_rejected() -> None:
    with pytest.raises(ValueError, match="onbekende sectie"):
        _parse_sections("[diagnosen]\nhernia\n")


def test_stem_needs_a_medical_head() -> None:
    matcher = _build_matcher(_parse_sections("[stam]\nrug\n[kop]\nklachten\n"))
    assert [m.group() for m in matcher.pattern.finditer("rug rugzak rugklachten rugklachtenregeling")] == [
        "rugklachten"]


# --- BSN masking (existing behaviour) ------------------------------------------------------


def test_mask_and_scrub_bsn() -> None:
    assert mask_bsn("111222333") == "*****2333"
    assert scrub("BSN 1112.22.333 en 111222333") == "BSN *****2333 en *****2333"


# --- control characters never reach the terminal raw --------------------------------------------------

def test_scrub_escapes_control_characters_and_keeps_tab_and_newline() -> None:
    from dossier.privacy import escape_controls, scrub

    assert scrub("Jan\x1b[2J\x1b]0;titel\x07 111222333\r\x7f\x9b\x08") == (
        "Jan\\x1b[2J\\x1b]0;titel\\x07 *****2333\\x0d\\x7f\\x9b\\x08")
    assert escape_controls("regel 1\n\tregel 2 — Zoë") == "regel 1\n\tregel 2 — Zoë"
    assert escape_controls(escape_controls("\x1b")) == "\\x1b"  # escaping twice changes nothing more


def test_check_and_timeline_never_echo_control_characters_from_case_data(tmp_path: Path) -> None:
    import subprocess
    import sys

    hostile = {"dossiernummer": "V-1", "werkgever": {"naam": "Bakker\x1b[2J\x1b[31m"},
               "werknemer": {"naam": "Jan\x1b]0;gehackt\x07", "geboortedatum": "geen\x1b[5mdatum"},
               "ziekteperiodes": [{"eerste_ziektedag": "2026-01-05"}]}
    bad = tmp_path / "casus\x1b[1m.json"
    bad.write_text(json.dumps({**hostile, "dossiernummer": "X\x1b[31m"}), encoding="utf-8")
    good = tmp_path / "goed.json"
    good.write_text(json.dumps({**hostile, "werknemer": {"naam": "Jan\x1b]0;gehackt\x07"}}), encoding="utf-8")
    runs = [subprocess.run([sys.executable, "-m", "dossier", *args, "--today", "2026-11-23"],
                           capture_output=True, text=True)
            for args in (["check", str(bad)], ["timeline", str(good)], ["check", "-v", str(tmp_path)])]
    assert [r.returncode for r in runs] == [2, 0, 2]
    for r in runs:
        assert "\x1b" not in r.stdout + r.stderr and "\x07" not in r.stdout + r.stderr
    shown = runs[0].stdout + runs[0].stderr
    assert "X\\x1b[31m" in shown and "casus\\x1b[1m.json" in shown and "geen\\x1b[5mdatum" in shown
    assert "Jan\\x1b]0;gehackt\\x07 (Bakker\\x1b[2J\\x1b[31m)" in runs[1].stdout

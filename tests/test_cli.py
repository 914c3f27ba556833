"""The command line: exit codes, Dutch messages on stderr, the JSON contract, iCalendar output."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from dossier.cli import main
from dossier.errors import ExitCode


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_check_valid_samples_exit_0(samples_dir: Path) -> None:
    code, out, err = run("check", str(samples_dir / "casus_kuipers.json"), "--today", "2026-10-16")
    assert code == 0, out + err
    assert "1 van 1 casus(sen) geldig; 0 fout(en)" in err


def test_check_reports_all_problems_and_exits_2(tmp_path: Path) -> None:
    p = tmp_path / "export.csv"
    p.write_text("dossiernummer;werkgever.naam;werknemer.naam;werknemer.bsn;eerste_ziektedag\n"
                 "A-1;W;N;123456789;01-02-2026\n"
                 "A-2;;M;;31-02-2026\n", encoding="utf-8")
    code, out, _err = run("check", str(p), "--today", "2026-03-01")
    assert code == ExitCode.invalid_data
    assert "export.csv, regel 2, dossier A-1, werknemer.bsn: BSN is ongeldig" in out
    assert "export.csv, regel 3, dossier A-2, werkgever.naam: ontbreekt" in out
    assert "export.csv, regel 3, dossier A-2, eerste_ziektedag: '31-02-2026' bestaat niet" in out
    assert "123456789" not in out


def test_check_strict_turns_warnings_into_failure(tmp_path: Path, case_data) -> None:
    case_data["werknemer"]["kleur"] = "blauw"
    p = tmp_path / "c.json"
    p.write_text(json.dumps(case_data), encoding="utf-8")
    assert run("check", str(p), "--today", "2026-01-10")[0] == 0
    assert run("check", str(p), "--today", "2026-01-10", "--strict")[0] == ExitCode.invalid_data


def test_check_names_late_steps_and_their_risk(tmp_path: Path, case_data) -> None:
    case_data["werknemer"]["bruto_maandloon"] = "3.000,00"
    p = tmp_path / "c.json"
    p.write_text(json.dumps(case_data), encoding="utf-8")
    code, out, _ = run("check", str(p), "--today", "2026-11-01")
    assert code == 0
    assert "Probleemanalyse bedrijfsarts: uiterlijk 15 februari 2026 (ziekteweek 6), niet gedaan" in out
    assert "loonsanctie" in out and "€ 27.216,00" in out
    assert "Ziekmelding bij UWV" in out and "boete" in out and "€ 455,00" in out


def test_timeline_json_contract(tmp_path: Path) -> None:
    p = tmp_path / "c.json"
    p.write_text(json.dumps({
        "dossiernummer": "K-1", "werkgever": {"naam": "W"}, "werknemer": {"naam": "N"},
        "ziekteperiodes": [{"eerste_ziektedag": "2026-01-05", "hersteldatum": "2026-01-20"},
                           {"eerste_ziektedag": "2026-02-02"}],
        "probleemanalyse": {"datum": "2026-02-20"}, "plan_van_aanpak": {"datum": "2026-03-20"}}), encoding="utf-8")
    code, out, err = run("timeline", str(p), "--format", "json", "--today", "2026-11-22")
    assert code == 0, err
    data = json.loads(out)
    assert data["eerste_ziektedag"] == "2026-01-05"  # of the current case after samentelling
    codes = [m["code"] for m in data["mijlpalen"]]
    assert {"probleemanalyse", "plan_van_aanpak", "evaluatie", "ziekmelding_uwv", "eerstejaarsevaluatie",
            "tweede_spoor", "wia_brief", "eindevaluatie", "wia_aanvraag", "einde_wachttijd"} <= set(codes)
    by_code = {m["code"]: m for m in data["mijlpalen"]}
    assert by_code["probleemanalyse"]["uiterlijk"] == "2026-02-28"  # 13 gap days skipped
    assert by_code["probleemanalyse"]["status"] == "gedaan"
    assert by_code["plan_van_aanpak"]["uiterlijk"] == "2026-03-06"
    assert by_code["plan_van_aanpak"]["status"] == "te laat"
    assert by_code["eerstejaarsevaluatie"]["vanaf"] < by_code["eerstejaarsevaluatie"]["uiterlijk"]
    assert "vanaf" not in by_code["probleemanalyse"]
    assert {m["status"] for m in data["mijlpalen"]} <= {"gedaan", "te laat", "verlopen", "open"}


def test_timeline_text_is_dutch(samples_dir: Path) -> None:
    code, out, _ = run("timeline", str(samples_dir / "casus_kuipers.json"), "--today", "2026-10-16")
    assert code == 0
    assert "Eerste ziektedag: maandag 6 januari 2025" in out
    assert "ziekteweek 93" in out
    assert "Probleemanalyse bedrijfsarts" in out and "16 februari 2025" in out


def test_timeline_ics_is_importable(samples_dir: Path, tmp_path: Path) -> None:
    out_file = tmp_path / "kuipers.ics"
    code, _, err = run("timeline", str(samples_dir / "casus_kuipers.json"), "--format", "ics",
                       "--today", "2026-10-16", "-o", str(out_file))
    assert code == 0, err
    raw = out_file.read_bytes()
    text = raw.decode("utf-8")
    assert text.startswith("BEGIN:VCALENDAR\r\n") and text.endswith("END:VCALENDAR\r\n")
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))
    unfolded = text.replace("\r\n ", "")
    assert unfolded.count("BEGIN:VEVENT") == unfolded.count("END:VEVENT") > 10
    assert "DTSTART;VALUE=DATE:20250216" in unfolded or "DTEND;VALUE=DATE:20250217" in unfolded
    assert "SUMMARY:Probleemanalyse bedrijfsarts – Sandra Kuipers (VZ-2025-0142)" in unfolded
    assert "111222333" not in unfolded
    assert (out_file.stat().st_mode & 0o077) == 0  # only the owner can read it


def test_timeline_multi_case_file_needs_dossier_for_one(samples_dir: Path) -> None:
    csv = str(samples_dir / "verzuim_export.csv")
    code, out, _ = run("timeline", csv, "--format", "json", "--today", "2026-11-23")
    assert code == 0 and isinstance(json.loads(out), list)
    code, out, _ = run("timeline", csv, "--format", "json", "--today", "2026-11-23", "--dossier", "VZ-2026-1000")
    assert code == 0 and json.loads(out)["dossiernummer"] == "VZ-2026-1000"
    code, _, err = run("timeline", csv, "--dossier", "BESTAAT-NIET")
    assert code == ExitCode.bad_args and "niet gevonden" in err


@pytest.mark.parametrize("content", [b"{kapot", b"", b"\xff\xfe\x00\x00"])
def test_bad_input_never_shows_a_traceback(tmp_path: Path, content: bytes) -> None:
    p = tmp_path / "casus.json"
    p.write_bytes(content)
    proc = subprocess.run([sys.executable, "-m", "dossier", "timeline", str(p)], capture_output=True, text=True)
    assert proc.returncode == ExitCode.invalid_data
    assert "Traceback" not in proc.stderr
    assert "casus.json" in proc.stderr
    assert proc.stdout == ""


def test_bad_arguments_exit_1(samples_dir: Path) -> None:
    proc = subprocess.run([sys.executable, "-m", "dossier", "timeline", str(samples_dir / "casus_minimaal.json"),
                           "--today", "gisteren"], capture_output=True, text=True)
    assert proc.returncode == ExitCode.bad_args
    assert "DD-MM-JJJJ" in proc.stderr
    proc = subprocess.run([sys.executable, "-m", "dossier", "bestaat-niet"], capture_output=True, text=True)
    assert proc.returncode == ExitCode.bad_args
    proc = subprocess.run([sys.executable, "-m", "dossier", "--help"], capture_output=True, text=True)
    assert proc.returncode == 0 and "poortwachter" in proc.stdout


def test_schema_is_json_schema() -> None:
    code, out, _ = run("schema")
    assert code == 0
    schema = json.loads(out)
    assert schema["type"] == "object"
    assert {"dossiernummer", "werkgever", "werknemer", "ziekteperiodes"} <= set(schema["required"])
    werknemer = schema["$defs"]["Werknemer"]["properties"]
    assert "bsn" in werknemer and "functie" in werknemer
    assert not {"diagnose", "klachten", "behandeling"} & set(werknemer)


def test_check_shows_levels_and_strict_alle(tmp_path: Path, samples_dir: Path) -> None:
    kuipers = str(samples_dir / "casus_kuipers.json")  # the sample itself: signed, on the demo date
    code, out, err = run("check", kuipers, "--today", "2026-11-23", "--strict")
    assert code == 0, out + err  # only aandachtspunten: --strict passes
    assert "waarschuwing [aandachtspunt]: casus_kuipers.json, dossier VZ-2025-0142, evaluatie:" in out
    assert "loonsanctie-risico" not in out + err and "Risico: loonsanctie" not in out
    assert "niet ondertekend" not in out
    n = out.count("waarschuwing [aandachtspunt]:")
    assert n >= 1 and f"Bevindingen: {n} aandachtspunt." in err  # the summary counts what was printed
    assert run("check", kuipers, "--today", "2026-11-23", "--strict-alle")[0] == ExitCode.invalid_data
    rommelig = str(samples_dir / "casus_rommelig.json")
    code, out, _ = run("check", rommelig, "--today", "2026-11-23")
    assert code == 0 and "waarschuwing [loonsanctie-risico]:" in out
    assert run("check", rommelig, "--today", "2026-11-23", "--strict")[0] == ExitCode.invalid_data


def test_check_format_json(tmp_path: Path, samples_dir: Path) -> None:
    code, out, err = run("check", str(samples_dir / "casus_rommelig.json"), str(samples_dir / "verzuim_export.csv"),
                         "--today", "2026-11-23", "--format", "json")
    assert code == 0, err
    data = json.loads(out)
    assert [f["bron"] for f in data["bestanden"]] == ["casus_rommelig.json", "verzuim_export.csv"]
    first = data["casussen"][0]
    assert first["bron"] == "casus_rommelig.json" and first["dossiernummer"] == "VZ-2025-0142-R"
    assert data["casussen"][1]["bron"] == "verzuim_export.csv, regel 2"
    spoor2 = next(f for f in first["bevindingen"] if f["code"] == "spoor2_na_conclusie_te_laat")
    assert spoor2["niveau"] == "loonsanctie-risico" and spoor2["uiterlijk"] == "2025-07-14"
    assert spoor2["grondslag"][0] == {"document": "bijstelling_probleemanalyse", "nummer": 1, "datum": "2025-06-02"}
    assert "111222333" not in out  # the sample's BSN
    assert "geldig" in err  # the summary stays on stderr
    bad = tmp_path / "bad.csv"
    bad.write_text("dossiernummer;werkgever.naam;werknemer.naam;eerste_ziektedag\nA-1;;N;01-02-2026\n", "utf-8")
    code, out, _ = run("check", str(bad), "--today", "2026-03-01", "--format", "json")
    assert code == ExitCode.invalid_data
    [c] = json.loads(out)["casussen"]
    assert not c["geldig"] and c["problemen"][0] == {"ernst": "fout", "veld": "werkgever.naam",
                                                      "melding": "ontbreekt; dit veld is verplicht"}

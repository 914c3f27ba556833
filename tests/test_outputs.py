"""Outputs never overwrite inputs, the UWV set is replaced whole, write errors are exit 6, attachments
stay inside their folders, a BSN typed into free text goes nowhere it does not belong, `check -q`."""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import subprocess
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pikepdf
import pytest
from click.testing import CliRunner

from dossier import api
from dossier.cli import main
from dossier.errors import AssemblyError, CaseDataError, ExitCode, UsageError
from dossier.inputs import UWV_MARKER
from dossier.loaders.nl_values import bsn_elfproef
from dossier.settings import Settings

TODAY = date(2026, 11, 23)
FAKE = Settings(converter="fake")
BSN = "111222333"  # the employee's own (passes the elfproef)
OTHER_BSN = "123456782"  # typed into a title by mistake (passes the elfproef)
LHN = "815720596L01"  # a loonheffingennummer: not a BSN


def _case(tmp_path: Path, samples_dir: Path, *, nummer: str = "U-1", **bijlage: Any) -> Path:
    folder = tmp_path / "casus"
    (folder / "bijlagen").mkdir(parents=True, exist_ok=True)
    shutil.copyfile(samples_dir / "bijlagen" / "probleemanalyse.pdf", folder / "bijlagen" / "pa.pdf")
    data = {"dossiernummer": nummer, "werkgever": {"naam": "Testbedrijf B.V."},
            "werknemer": {"naam": "Jan Test", "bsn": BSN},
            "ziekteperiodes": [{"eerste_ziektedag": "2025-01-06"}],
            "bijlagen": [{"titel": "Probleemanalyse", "bestand": "bijlagen/pa.pdf", "soort": "probleemanalyse",
                          "datum": "2025-02-10", **bijlage}]}
    path = folder / f"{nummer}.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def cli(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


# --- outputs never overwrite inputs ---------------------------------------------------------


def test_build_onto_its_own_case_file_is_refused_before_any_work(tmp_path: Path, samples_dir: Path) -> None:
    case = _case(tmp_path, samples_dir)
    before = case.read_bytes()
    code, _out, err = cli("build", str(case), "-o", str(case), "--today", "2026-11-23")
    assert code == ExitCode.bad_args, err
    assert "is een invoerbestand" in err and case.name in err
    assert case.read_bytes() == before


@pytest.mark.parametrize("how", ["attachment", "symlink", "hardlink"])
def test_build_onto_an_attachment_or_a_link_to_an_input_is_refused(tmp_path: Path, samples_dir: Path,
                                                                   how: str) -> None:
    case = _case(tmp_path, samples_dir)
    attachment = case.parent / "bijlagen" / "pa.pdf"
    before = attachment.read_bytes()
    out = attachment
    if how == "symlink":
        out = tmp_path / "link.pdf"
        out.symlink_to(attachment)
    elif how == "hardlink":
        out = tmp_path / "hard.pdf"
        os.link(attachment, out)
    with pytest.raises(UsageError, match="is een invoerbestand") as exc:
        api.build(case, output=out, settings=FAKE, today=TODAY)
    assert str(out) in exc.value.message and "pa.pdf" in exc.value.message
    assert attachment.read_bytes() == before


def test_a_template_in_use_is_an_input(tmp_path: Path, samples_dir: Path) -> None:
    case = _case(tmp_path, samples_dir)
    firm = tmp_path / "sjablonen"
    firm.mkdir()
    tpl = firm / "plan_van_aanpak.docx"
    tpl.write_bytes(b"not really a template")
    with pytest.raises(UsageError, match="is een invoerbestand"):
        api.render_documents("plan_van_aanpak", case, output=tpl, settings=FAKE.merge(templates_dir=firm),
                             today=TODAY)
    assert tpl.read_bytes() == b"not really a template"


def test_timeline_onto_its_input_is_refused(tmp_path: Path) -> None:
    inp = tmp_path / "in.csv"
    inp.write_text("dossiernummer;werkgever.naam;werknemer.naam;eerste_ziektedag\nA-1;W;N;01-02-2026\n",
                   encoding="utf-8")
    before = inp.read_bytes()
    code, _out, err = cli("timeline", str(inp), "--format", "ics", "-o", str(inp), "--today", "2026-03-01")
    assert code == ExitCode.bad_args, err
    assert inp.read_bytes() == before


def test_render_into_a_folder_checks_every_name_before_writing(tmp_path: Path, samples_dir: Path) -> None:
    case = _case(tmp_path, samples_dir)
    made = api.render_documents("plan_van_aanpak", case, output=tmp_path / "uit", settings=FAKE, today=TODAY)
    assert made and all(p.parent == tmp_path / "uit" for p in made)
    # The same folder now holds the case file under one of those names: the second render refuses.
    victim = made[0]
    victim.unlink()
    os.link(case, victim)
    with pytest.raises(UsageError, match="is een invoerbestand"):
        api.render_documents("plan_van_aanpak", case, output=tmp_path / "uit", settings=FAKE, today=TODAY)
    assert json.loads(case.read_text(encoding="utf-8"))["dossiernummer"] == "U-1"


def test_batch_never_replaces_a_report_or_a_case_folder_holding_an_input(tmp_path: Path, samples_dir: Path) -> None:
    case = _case(tmp_path, samples_dir)
    out = tmp_path / "uit"
    out.mkdir()
    report = out / "batch-rapport.json"
    shutil.copyfile(case, report)
    with pytest.raises(UsageError, match="is een invoerbestand"):
        api.run_batch([report], out, settings=FAKE, today=TODAY, jobs=1)
    assert json.loads(report.read_text(encoding="utf-8"))["dossiernummer"] == "U-1"
    # The case's own folder in the output holds its attachment: that case fails, the file stays.
    report.unlink()
    inside = out / "U-1"
    shutil.copytree(case.parent, inside)
    result = api.run_batch([inside / case.name], out, settings=FAKE, today=TODAY, jobs=1)
    assert [r.status for r in result.results] == ["fout"]
    assert "uitvoermap" in result.results[0].problemen[0]
    assert (inside / "bijlagen" / "pa.pdf").is_file() and (inside / case.name).is_file()


# --- the UWV set ----------------------------------------------------------------------------


def test_uwv_set_replaces_its_own_previous_set_whole_and_refuses_anything_else(tmp_path: Path,
                                                                               samples_dir: Path) -> None:
    case = _case(tmp_path, samples_dir)
    uwv = tmp_path / "uwv"
    first = api.build(case, output=tmp_path / "d.pdf", uwv_dir=uwv, settings=FAKE, today=TODAY)
    assert (uwv / UWV_MARKER).read_text(encoding="utf-8").strip() == "U-1"
    (uwv / "99 oud bestand.pdf").write_bytes(b"stale")  # a file the previous run did not write
    second = api.build(case, output=tmp_path / "d.pdf", uwv_dir=uwv, settings=FAKE, today=TODAY)
    names = sorted(p.name for p in uwv.iterdir())
    assert names == sorted([*(p.name for p in second.uwv_files), UWV_MARKER])
    assert [p.name for p in first.uwv_files] == [p.name for p in second.uwv_files]
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".uwv.")], "no staging folder left"

    other = _case(tmp_path / "ander", samples_dir, nummer="U-2")
    with pytest.raises(UsageError, match="uploadset van dossier U-1"):
        api.build(other, output=tmp_path / "e.pdf", uwv_dir=uwv, settings=FAKE, today=TODAY)
    foreign = tmp_path / "vol"
    foreign.mkdir()
    (foreign / "iets.pdf").write_bytes(b"x")
    code, _out, err = cli("build", str(other), "-o", str(tmp_path / "e.pdf"), "--uwv", str(foreign),
                          "--today", "2026-11-23")
    assert code == ExitCode.bad_args and "niet leeg" in err
    assert not (tmp_path / "e.pdf").exists(), "refused before any work"
    with pytest.raises(UsageError, match="bevat invoerbestand"):  # the case's own folder as the UWV folder
        api.build(case, output=tmp_path / "f.pdf", uwv_dir=case.parent, settings=FAKE, today=TODAY)


# --- a read-only or full disk ---------------------------------------------------------------


@contextlib.contextmanager
def _tmpfs(path: Path, options: str) -> Iterator[bool]:
    """Mount a small tmpfs at ``path`` (root only); yields False when that is not possible."""
    path.mkdir()
    if os.geteuid() != 0 or shutil.which("mount") is None:
        yield False
        return
    mount = ["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(path)]
    ok = subprocess.run(mount, capture_output=True).returncode == 0
    try:
        yield ok
    finally:
        if ok:
            subprocess.run(["umount", str(path)], check=True)


def test_a_read_only_output_folder_is_exit_6_naming_the_path(tmp_path: Path, samples_dir: Path) -> None:
    case = _case(tmp_path, samples_dir)
    ro = tmp_path / "ro"
    with _tmpfs(ro, "ro,size=1m") as mounted:
        if not mounted:  # not root: permissions stop us (root ignores them, hence the mount above)
            ro.chmod(0o500)
            if os.access(ro, os.W_OK):
                pytest.skip("cannot make a read-only folder here")
        with pytest.raises(AssemblyError) as exc:
            api.build(case, output=ro / "d.pdf", settings=FAKE, today=TODAY)
        assert exc.value.exit_code == ExitCode.output_error
        assert str(ro) in exc.value.message and ("alleen-lezen" in exc.value.message
                                                 or "schrijfrechten" in exc.value.message)
        assert list(ro.iterdir()) == []
        if not mounted:
            ro.chmod(0o700)


def test_a_full_disk_is_exit_6_and_leaves_no_partial_uwv_set(tmp_path: Path, samples_dir: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    case = _case(tmp_path, samples_dir)
    data = json.loads(case.read_text(encoding="utf-8"))
    data["bijlagen"] = [{**data["bijlagen"][0], "titel": f"Deel {n}"} for n in range(3)]  # ~37 kB each
    case.write_text(json.dumps(data), encoding="utf-8")
    small = tmp_path / "klein"
    with _tmpfs(small, "size=64k") as mounted:  # room for the first part of the set, not the second
        if not mounted:  # simulate ENOSPC in the writer instead
            import errno

            from dossier.pdf import single

            def full(*_a: object, **_k: object) -> None:
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(small / "uwv" / "x.pdf"))

            monkeypatch.setattr(single, "stamp_single", full)
        with pytest.raises(AssemblyError) as exc:  # the dossier fits; the UWV set does not
            api.build(case, output=tmp_path / "d.pdf", uwv_dir=small / "uwv", settings=FAKE, today=TODAY)
        assert exc.value.exit_code == ExitCode.output_error
        assert "de schijf is vol" in exc.value.message and str(small) in exc.value.message
        assert list(small.iterdir()) == [], "no partial UWV set, no staging folder"


# --- attachments stay inside their folders -------------------------------------------------


@pytest.mark.parametrize("how", ["absolute", "dotdot", "symlink"])
def test_an_attachment_outside_the_case_folder_is_a_validation_error(tmp_path: Path, samples_dir: Path,
                                                                      how: str) -> None:
    secret = tmp_path / "elders" / "geheim.pdf"
    secret.parent.mkdir()
    shutil.copyfile(samples_dir / "bijlagen" / "probleemanalyse.pdf", secret)
    names = {"absolute": str(secret), "dotdot": "../elders/geheim.pdf", "symlink": "bijlagen/link.pdf"}
    case = _case(tmp_path, samples_dir, bestand=names[how])
    if how == "symlink":
        (case.parent / "bijlagen" / "link.pdf").symlink_to(secret)
    with pytest.raises(CaseDataError) as exc:
        api.build(case, output=tmp_path / "d.pdf", settings=FAKE, today=TODAY)
    msgs = [str(i) for i in exc.value.issues if "bijlagen" in i.field]
    assert msgs and "ligt buiten de map van het casusbestand" in msgs[0] and names[how] in msgs[0]
    assert not (tmp_path / "d.pdf").exists()
    # The same file is fine once its folder is named as the attachment store.
    result = api.build(case, output=tmp_path / "d.pdf", settings=FAKE.merge(bijlagen_map=secret.parent),
                       today=TODAY)
    assert result.pdf.is_file()


def test_bijlagen_map_on_the_command_line(tmp_path: Path, samples_dir: Path) -> None:
    store = tmp_path / "opslag"
    store.mkdir()
    shutil.copyfile(samples_dir / "bijlagen" / "probleemanalyse.pdf", store / "x.pdf")
    case = _case(tmp_path, samples_dir, bestand=str(store / "x.pdf"))
    code, out, _err = cli("check", str(case), "--today", "2026-11-23")
    assert code == ExitCode.invalid_data and "ligt buiten" in out
    code, _out, err = cli("render", "plan_van_aanpak", str(case), "-o", str(tmp_path / "r"),
                          "--bijlagen-map", str(store), "--today", "2026-11-23")
    assert code == 0, err


# --- the BSN goes only where UWV wants it ---------------------------------------------------


def _nine_digit_bsns(text: str) -> list[str]:
    return [m for m in re.findall(r"(?<!\d)\d{9}(?!\d)", text) if bsn_elfproef(m)]


def test_a_bsn_typed_in_a_title_is_masked_everywhere_but_the_stamp(tmp_path: Path, samples_dir: Path) -> None:
    case = _case(tmp_path, samples_dir, titel=f"Probleemanalyse {OTHER_BSN} ({LHN})")
    data = json.loads(case.read_text(encoding="utf-8"))
    data["werknemer"]["naam"] = f"Jan Test {BSN}"
    case.write_text(json.dumps(data), encoding="utf-8")
    uwv = tmp_path / "uwv"
    result = api.build(case, output=tmp_path / "d.pdf", uwv_dir=uwv, settings=FAKE, today=TODAY)
    warned = {i.field for i in result.warnings if "BSN" in i.message}
    assert {"bijlagen[1].titel", "werknemer.naam"} <= warned, result.warnings

    for f in uwv.iterdir():
        assert not _nine_digit_bsns(f.name), f.name
    overzicht = (uwv / "overzicht.txt").read_text(encoding="utf-8")
    index = result.index_json.read_text(encoding="utf-8")
    assert not _nine_digit_bsns(overzicht) and not _nine_digit_bsns(index)
    assert LHN in index, "a loonheffingennummer is not a BSN"
    for pdf in [result.pdf, *(p for p in uwv.iterdir() if p.suffix == ".pdf")]:
        with pikepdf.open(pdf) as doc:
            meta = " ".join(str(doc.docinfo.get(k, "")) for k in ("/Title", "/Subject", "/Author", "/Keywords"))
            with doc.open_metadata() as xmp:
                meta += " " + " ".join(str(v) for v in xmp.values())
            assert not _nine_digit_bsns(meta), (pdf.name, meta)
    stamped = subprocess.run(["pdftotext", "-f", "1", "-l", "2", str(result.pdf), "-"], capture_output=True,
                             text=True, check=True).stdout
    assert BSN in stamped, "the BSN stays on the stamp and the cover, where UWV wants it"
    assert OTHER_BSN not in stamped


def test_scrub_leaves_a_loonheffingennummer_alone() -> None:
    assert api.scrub(f"lh {LHN}, bsn {BSN}") == f"lh {LHN}, bsn *****2333"


# --- check -q -------------------------------------------------------------------------------


def test_check_quiet_prints_only_errors(tmp_path: Path) -> None:
    p = tmp_path / "export.csv"
    p.write_text("dossiernummer;werkgever.naam;werknemer.naam;eerste_ziektedag;kleur\n"
                 "A-1;W;N;01-02-2026;blauw\n"
                 "A-2;;M;01-02-2026;rood\n", encoding="utf-8")
    code, out, err = cli("check", str(p), "--today", "2026-03-01")
    assert code == ExitCode.invalid_data and "waarschuwing" in out
    code, out, err = cli("check", "-q", str(p), "--today", "2026-03-01")
    assert code == ExitCode.invalid_data
    assert "fout:" in out and "waarschuwing" not in out + err, out + err


# --- SIGTERM and SIGHUP are Ctrl-C ------------------------------------------------------------


def test_stop_on_signals_raises_once_with_the_exit_code_and_restores_the_handlers() -> None:
    import signal

    before = signal.getsignal(signal.SIGHUP)
    with pytest.raises(api.Stopped) as exc, api.stop_on_signals():
        os.kill(os.getpid(), signal.SIGHUP)
        time.sleep(1)  # the signal is delivered here
    assert exc.value.exit_code == ExitCode.hangup and isinstance(exc.value, KeyboardInterrupt)
    with api.stop_on_signals():
        with contextlib.suppress(api.Stopped):
            os.kill(os.getpid(), signal.SIGTERM)
            time.sleep(1)
        os.kill(os.getpid(), signal.SIGTERM)  # a second signal during the clean-up is ignored
        time.sleep(0.2)
    assert signal.getsignal(signal.SIGHUP) is before


def test_sighup_exits_129_from_the_command(tmp_path: Path) -> None:
    import signal
    import sys

    p = tmp_path / "groot.csv"
    rows = [f"A-{i};W;N;01-02-2026" for i in range(20000)]  # ~10 s of checking
    p.write_text("dossiernummer;werkgever.naam;werknemer.naam;eerste_ziektedag\n" + "\n".join(rows),
                 encoding="utf-8")
    proc = subprocess.Popen([sys.executable, "-m", "dossier", "check", str(p), "--today", "2026-03-01"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    time.sleep(2.5)  # past start-up, into the check
    proc.send_signal(signal.SIGHUP)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == ExitCode.hangup == 129, err
    assert "Afgebroken" in err

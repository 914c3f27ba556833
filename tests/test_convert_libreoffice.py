"""SofficeConverter against a real LibreOffice, plus fault tests with a fake ``soffice``.

Tests marked ``libreoffice`` need soffice (and, for uno mode, a Python with ``uno``) and are
skipped cleanly without them. The fault tests use a shell script named ``soffice`` on PATH and
run anywhere with a POSIX shell.
"""

from __future__ import annotations

import ast
import contextlib
import gc
import json
import logging
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from docx import Document
from pypdf import PdfReader

from dossier.convert import Converter
from dossier.convert import libreoffice as lo
from dossier.convert.libreoffice import SofficeConverter, process, uno_mode
from dossier.errors import ConversionError, ExitCode, MissingDependencyError

HAVE_SOFFICE = shutil.which("soffice") is not None
HAVE_UNO = HAVE_SOFFICE and lo.find_uno_python() is not None

needs_soffice = pytest.mark.skipif(not HAVE_SOFFICE, reason="LibreOffice (soffice) ontbreekt")
needs_uno = pytest.mark.skipif(not HAVE_UNO, reason="LibreOffice of een Python met 'uno' ontbreekt")

#: Text written into every test document; checked in the PDF with pdftotext.
DUTCH_TEXT = ("Loonkosten € 1.234,56", "Werknemer Ayşe Öztürk")


# --------------------------------------------------------------------------------------------
# helpers and fixtures
# --------------------------------------------------------------------------------------------


def make_docx(path: Path, title: str) -> Path:
    """Write a small DOCX with a heading, Dutch text and a table."""
    doc = Document()
    doc.add_heading(title, level=1)
    for line in DUTCH_TEXT:
        doc.add_paragraph(line)
    table = doc.add_table(rows=2, cols=2)
    table.rows[0].cells[0].text = "Datum"
    table.rows[0].cells[1].text = "Actie"
    table.rows[1].cells[0].text = "3-2-2025"
    table.rows[1].cells[1].text = "Probleemanalyse"
    path.parent.mkdir(parents=True, exist_ok=True)
    doc.save(str(path))
    return path


def make_docs(folder: Path, count: int, prefix: str = "document") -> list[Path]:
    """``count`` DOCX files named ``<prefix>_<n>.docx`` in ``folder``."""
    return [make_docx(folder / f"{prefix}_{n}.docx", f"Titel {prefix} {n}") for n in range(count)]


def pdf_text(pdf: Path) -> str:
    """Text of a PDF (pdftotext when installed, else pypdf)."""
    if shutil.which("pdftotext"):
        result = subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, check=True)
        return result.stdout.decode("utf-8")
    return "\n".join(page.extract_text() for page in PdfReader(pdf).pages)


def assert_valid_pdf(pdf: Path, title: str) -> None:
    """The PDF opens with pypdf and contains the title and the Dutch text."""
    assert pdf.read_bytes().startswith(b"%PDF")
    assert len(PdfReader(pdf).pages) >= 1
    text = pdf_text(pdf)
    assert title in text
    for line in DUTCH_TEXT:
        assert line in text


def process_alive(pid: int) -> bool:
    """True when ``pid`` runs (zombies count as gone)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        return not Path("/proc").is_dir()
    return stat.rsplit(")", 1)[-1].split()[0] != "Z"


def wait_gone(pid: int, timeout: float = 5.0) -> bool:
    """Wait until ``pid`` has exited (init may take a moment to reap)."""
    deadline = time.monotonic() + timeout
    while process_alive(pid):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def processes_mentioning(text: str) -> list[str]:
    """Command lines of running processes that contain ``text`` (``pgrep -af``, else /proc)."""
    if shutil.which("pgrep"):
        result = subprocess.run(["pgrep", "-af", text], capture_output=True, text=True, check=False)
        return [line for line in result.stdout.splitlines() if "pgrep" not in line]
    found = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        with contextlib.suppress(OSError):
            args = cmdline.read_bytes().replace(b"\0", b" ").decode(errors="replace")
            if text in args and process_alive(int(cmdline.parent.name)):
                found.append(args)
    return found


def assert_no_processes_left(instance_dir: Path) -> None:
    """No soffice/worker process of the instance owning ``instance_dir`` is still running."""
    deadline = time.monotonic() + 5.0
    while (left := processes_mentioning(str(instance_dir))) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert left == []


@pytest.fixture
def converters(tmp_path: Path) -> Iterator[Callable[..., SofficeConverter]]:
    """Factory for converters with a private work dir; closes them and checks for orphans."""
    created: list[SofficeConverter] = []

    def factory(**kwargs: object) -> SofficeConverter:
        kwargs.setdefault("work_dir", tmp_path / "work")
        conv = SofficeConverter(**kwargs)  # type: ignore[arg-type]
        created.append(conv)
        return conv

    yield factory
    dirs = [c.instance_dir for c in created if c.instance_dir is not None]
    for conv in created:
        conv.close()
    for instance_dir in dirs:
        assert not instance_dir.exists()
        assert_no_processes_left(instance_dir)


@pytest.fixture
def fake_soffice(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A ``soffice`` on PATH that logs each call to ``calls.txt`` and then hangs."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    calls = tmp_path / "calls.txt"
    script = bin_dir / "soffice"
    script.write_text(f'#!/bin/sh\necho "$*" >> "{calls}"\n/bin/sleep 30\n')
    script.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}")
    return calls


# --------------------------------------------------------------------------------------------
# real LibreOffice
# --------------------------------------------------------------------------------------------


@pytest.mark.libreoffice
@needs_soffice
@pytest.mark.parametrize("mode", ["uno", "cli"])
def test_converts_three_documents_in_one_call(
    mode: str, converters: Callable[..., SofficeConverter], tmp_path: Path
) -> None:
    if mode == "uno" and not HAVE_UNO:
        pytest.skip("geen Python met de 'uno'-module")
    sources = make_docs(tmp_path / "src", 3)
    out = tmp_path / "out"
    conv = converters(mode=mode)

    pdfs = conv.to_pdf(sources, out)

    assert conv.effective_mode == mode
    assert pdfs == [out / f"{s.stem}.pdf" for s in sources]
    for n, pdf in enumerate(pdfs):
        assert_valid_pdf(pdf, f"Titel document {n}")
    assert conv.starts == 1
    assert sorted(p.name for p in out.iterdir()) == sorted(p.name for p in pdfs)


@pytest.mark.libreoffice
@needs_uno
def test_one_process_is_reused_for_all_documents(converters: Callable[..., SofficeConverter], tmp_path: Path) -> None:
    sources = make_docs(tmp_path / "src", 5)
    conv = converters(mode="uno")
    conv.start()  # background start, as the pipeline does before rendering

    conv.to_pdf(sources[:2], tmp_path / "out")
    first_pid = conv.pid
    conv.to_pdf(sources[2:], tmp_path / "out")

    assert conv.starts == 1
    assert first_pid is not None and conv.pid == first_pid
    assert len(list((tmp_path / "out").glob("*.pdf"))) == 5


@pytest.mark.libreoffice
@needs_uno
def test_process_is_recycled_after_restart_after_conversions(
    converters: Callable[..., SofficeConverter], tmp_path: Path
) -> None:
    sources = make_docs(tmp_path / "src", 3)
    conv = converters(mode="uno", restart_after=2)

    conv.to_pdf(sources, tmp_path / "out")

    assert conv.starts == 2
    assert len(list((tmp_path / "out").glob("*.pdf"))) == 3


@pytest.mark.libreoffice
@needs_uno
def test_successor_starts_before_recycling_and_takes_over(
    converters: Callable[..., SofficeConverter], tmp_path: Path
) -> None:
    # restart_after=8: the successor starts in its own profile 2 conversions early, so recycling
    # does not make the conversions wait for a LibreOffice start.
    sources = make_docs(tmp_path / "src", 12)
    conv = converters(mode="uno", restart_after=8)

    conv.to_pdf(sources[:7], tmp_path / "out")
    first = conv.pid
    spare = conv._state.spare
    assert spare is not None and spare.profile_dir != conv._state.worker.profile_dir
    assert conv.starts == 2

    pdfs = conv.to_pdf(sources[7:], tmp_path / "out")

    assert conv._state.spare is None
    assert conv.pid != first and conv._state.worker is spare
    assert conv.starts == 2
    assert first is not None and wait_gone(first)
    for n, pdf in enumerate(pdfs, start=7):
        assert_valid_pdf(pdf, f"Titel document {n}")


@pytest.mark.libreoffice
@needs_uno
def test_office_killed_mid_run_is_restarted_and_document_retried(
    converters: Callable[..., SofficeConverter], tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    sources = make_docs(tmp_path / "src", 6)
    conv = converters(mode="uno")
    conv.to_pdf(sources[:1], tmp_path / "out")  # warm up
    victim = conv.pid
    assert victim is not None

    class KillAfterSecondDocument(logging.Handler):
        """Kills soffice.bin as soon as the worker reports the 2nd document of the batch."""

        def emit(self, record: logging.LogRecord) -> None:
            message = record.getMessage()
            if "converted" in message and sources[2].name in message:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(victim, signal.SIGKILL)

    killer = KillAfterSecondDocument(level=logging.DEBUG)
    logger = logging.getLogger("dossier.convert.libreoffice")
    logger.addHandler(killer)
    old_level = logger.level
    logger.setLevel(logging.DEBUG)
    try:
        with caplog.at_level(logging.WARNING, logger="dossier.convert"):
            pdfs = conv.to_pdf(sources[1:], tmp_path / "out")
    finally:
        logger.removeHandler(killer)
        logger.setLevel(old_level)

    assert conv.starts == 2
    assert conv.pid != victim
    assert wait_gone(victim)
    for n, pdf in enumerate(pdfs, start=1):
        assert_valid_pdf(pdf, f"Titel document {n}")
    assert "nieuwe poging" in caplog.text


@pytest.mark.libreoffice
@needs_uno
def test_hanging_office_times_out_is_killed_and_document_retried(
    converters: Callable[..., SofficeConverter], tmp_path: Path
) -> None:
    sources = make_docs(tmp_path / "src", 2)
    conv = converters(mode="uno", timeout=3)
    conv.to_pdf(sources[:1], tmp_path / "out")
    frozen = conv.pid
    assert frozen is not None
    os.kill(frozen, signal.SIGSTOP)  # a hang: the process exists but never answers

    started = time.monotonic()
    (pdf,) = conv.to_pdf(sources[1:], tmp_path / "out")

    assert time.monotonic() - started >= 3
    assert conv.starts == 2
    assert wait_gone(frozen)
    assert_valid_pdf(pdf, "Titel document 1")


@pytest.mark.libreoffice
@needs_uno
def test_two_instances_in_parallel_threads_use_separate_profiles(
    converters: Callable[..., SofficeConverter], tmp_path: Path
) -> None:
    convs = [converters(mode="uno"), converters(mode="uno")]
    results: dict[int, list[Path]] = {}
    errors: list[BaseException] = []

    def run(index: int) -> None:
        try:
            sources = make_docs(tmp_path / f"src{index}", 3, prefix=f"t{index}")
            results[index] = convs[index].to_pdf(sources, tmp_path / f"out{index}")
        except BaseException as exc:  # reported in the main thread
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert errors == []
    assert convs[0].instance_dir != convs[1].instance_dir
    for index in range(2):
        assert len(results[index]) == 3
        for n, pdf in enumerate(results[index]):
            assert_valid_pdf(pdf, f"Titel t{index} {n}")


@pytest.mark.libreoffice
@needs_uno
def test_close_leaves_no_soffice_process(tmp_path: Path) -> None:
    sources = make_docs(tmp_path / "src", 1)
    with SofficeConverter(mode="uno", work_dir=tmp_path / "work") as conv:
        conv.to_pdf(sources, tmp_path / "out")
        office_pid, worker_pid = conv.pid, conv.worker_pid
        instance_dir = conv.instance_dir
        assert office_pid is not None and worker_pid is not None and instance_dir is not None
        assert processes_mentioning(str(instance_dir))

    assert wait_gone(office_pid)
    assert wait_gone(worker_pid)
    assert_no_processes_left(instance_dir)
    assert not instance_dir.exists()


@pytest.mark.libreoffice
@needs_uno
def test_garbage_collected_converter_stops_its_processes(tmp_path: Path) -> None:
    def convert_and_forget() -> tuple[Path, int]:
        conv = SofficeConverter(mode="uno", work_dir=tmp_path / "work")
        conv.to_pdf(make_docs(tmp_path / "src", 1), tmp_path / "out")
        assert conv.instance_dir is not None and conv.pid is not None
        return conv.instance_dir, conv.pid

    instance_dir, office_pid = convert_and_forget()
    gc.collect()

    assert wait_gone(office_pid)
    assert_no_processes_left(instance_dir)
    assert not instance_dir.exists()


@pytest.mark.libreoffice
@needs_uno
def test_worker_stdout_carries_only_protocol_lines(tmp_path: Path) -> None:
    python = lo.find_uno_python()
    assert python is not None
    src = make_docx(tmp_path / "brief.docx", "Brief")
    requests = [
        {"src": str(src), "out": str(tmp_path / "brief.pdf")},
        {"src": str(tmp_path / "ontbreekt.docx"), "out": str(tmp_path / "x.pdf")},
    ]
    argv = uno_mode.worker_command(python, "soffice", tmp_path / "profile", f"test_{os.getpid()}_{time.monotonic_ns()}")

    result = subprocess.run(
        argv,
        input="".join(json.dumps(r) + "\n" for r in requests),
        capture_output=True,
        text=True,
        timeout=60,
        start_new_session=True,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    hello, ok, failed = (json.loads(line) for line in result.stdout.splitlines())
    assert hello["ready"] is True and hello["version"].startswith("LibreOffice")
    assert ok == {"ok": True}
    assert failed["ok"] is False and failed["kind"] == "load" and failed["fatal"] is False
    assert (tmp_path / "brief.pdf").read_bytes().startswith(b"%PDF")
    assert wait_gone(hello["office_pid"])


def test_worker_script_is_self_contained() -> None:
    """The worker runs under the system Python: only stdlib and pyuno imports allowed."""
    tree = ast.parse(lo.WORKER_SCRIPT.read_text(encoding="utf-8"))
    modules = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            modules.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            modules.add(node.module.split(".")[0])
    allowed = set(sys.stdlib_module_names) | {"uno", "com", "__future__"}
    assert modules - allowed == set()


@pytest.mark.libreoffice
@needs_uno
def test_unreadable_document_fails_with_its_name_and_leaves_no_pdf(
    converters: Callable[..., SofficeConverter], tmp_path: Path
) -> None:
    broken = tmp_path / "src" / "plan_van_aanpak.docx"
    broken.parent.mkdir()
    broken.write_bytes(b"PK\x03\x04 dit is geen zip")
    out = tmp_path / "out"
    out.mkdir()
    (out / "plan_van_aanpak.pdf").write_bytes(b"%PDF- stale output of an earlier run")
    conv = converters(mode="uno")

    with pytest.raises(ConversionError) as info:
        conv.to_pdf([broken], out)

    assert "LibreOffice kon 'plan_van_aanpak.docx' niet omzetten naar PDF" in str(info.value)
    assert info.value.exit_code == ExitCode.conversion_failed
    assert list(out.iterdir()) == []
    # A document error is not a crash: the process survives and stays in use.
    assert conv.starts == 1
    (pdf,) = conv.to_pdf(make_docs(tmp_path / "src2", 1), out)
    assert_valid_pdf(pdf, "Titel document 0")
    assert conv.starts == 1


@pytest.mark.libreoffice
@needs_uno
def test_broken_document_between_queued_requests_keeps_requests_and_answers_in_step(
    converters: Callable[..., SofficeConverter], tmp_path: Path
) -> None:
    # Requests are queued ahead in the worker's pipe; a failure in the middle must neither shift
    # the answers onto the wrong documents nor leave PDFs of the queued ones half-made.
    good = make_docs(tmp_path / "src", 4)
    broken = tmp_path / "src" / "kapot.docx"
    broken.write_bytes(b"PK\x03\x04 dit is geen zip")
    out = tmp_path / "out"
    conv = converters(mode="uno")

    with pytest.raises(ConversionError, match=r"'kapot\.docx'"):
        conv.to_pdf([good[0], broken, good[1]], out)
    assert not (out / "kapot.pdf").exists()

    pdfs = conv.to_pdf([good[3], good[2], good[1]], tmp_path / "out2")
    for pdf, n in zip(pdfs, (3, 2, 1), strict=True):
        assert_valid_pdf(pdf, f"Titel document {n}")


@pytest.mark.libreoffice
@needs_soffice
def test_version_and_availability() -> None:
    conv = SofficeConverter()
    try:
        assert isinstance(conv, Converter)
        assert conv.available()
        assert conv.version().startswith("LibreOffice")
    finally:
        conv.close()


# --------------------------------------------------------------------------------------------
# fault tests without a real LibreOffice
# --------------------------------------------------------------------------------------------


def test_hanging_soffice_in_cli_mode_times_out_after_one_retry(fake_soffice: Path, tmp_path: Path) -> None:
    # A plain file suffices: the fake soffice never reads it.
    src = tmp_path / "src" / "plan_van_aanpak.docx"
    src.parent.mkdir()
    src.write_bytes(b"x")
    out = tmp_path / "out"
    out.mkdir()
    (out / "plan_van_aanpak.pdf").write_bytes(b"%PDF- stale")
    conv = SofficeConverter(mode="cli", timeout=2, work_dir=tmp_path / "work")

    started = time.monotonic()
    try:
        with pytest.raises(ConversionError) as info:
            conv.to_pdf([src], out)
    finally:
        instance_dir = conv.instance_dir
        conv.close()

    assert 4 <= time.monotonic() - started < 20
    message = str(info.value)
    assert "LibreOffice kon 'plan_van_aanpak.docx' niet omzetten naar PDF" in message
    assert "time-out" in message
    assert len(fake_soffice.read_text().splitlines()) == 2  # first try + one retry
    assert conv.starts == 2
    assert list(out.iterdir()) == []
    assert instance_dir is not None
    assert_no_processes_left(instance_dir)
    assert processes_mentioning(str(tmp_path / "bin")) == []


def test_missing_soffice_raises_install_hint(tmp_path: Path) -> None:
    src = make_docx(tmp_path / "brief.docx", "Brief")
    conv = SofficeConverter(soffice=str(tmp_path / "geen" / "soffice"))

    assert conv.available() is False
    with pytest.raises(MissingDependencyError) as info:
        conv.to_pdf([src], tmp_path / "out")
    assert "LibreOffice (soffice) is niet gevonden" in str(info.value)
    assert "sudo apt-get install libreoffice-writer-nogui" in str(info.value)
    assert "make demo" in str(info.value)
    assert info.value.exit_code == ExitCode.missing_dependency
    with pytest.raises(MissingDependencyError):
        conv.version()
    conv.close()


def test_missing_soffice_on_path(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    assert SofficeConverter().available() is False


def test_auto_mode_falls_back_to_cli_without_uno(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(process.UNO_PYTHON_ENV, raising=False)
    monkeypatch.setattr(process, "UNO_PYTHON_CANDIDATES", ("/nonexistent/python3",))

    assert SofficeConverter(mode="auto").effective_mode == "cli"
    with pytest.raises(MissingDependencyError, match="python3-uno"):
        _ = SofficeConverter(mode="uno").effective_mode


def test_uno_python_env_variable_is_probed_first(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    pretend = tmp_path / "python-with-uno"
    pretend.write_text("#!/bin/sh\nexit 0\n")  # answers `-c "import uno"` with success
    pretend.chmod(0o755)
    monkeypatch.setenv(process.UNO_PYTHON_ENV, str(pretend))
    assert lo.find_uno_python() == str(pretend)

    # An unusable override is skipped and the standard candidates are tried.
    monkeypatch.setenv(process.UNO_PYTHON_ENV, str(tmp_path / "nonexistent"))
    assert lo.find_uno_python() == process.probe_uno_python(process.UNO_PYTHON_CANDIDATES)


def test_missing_source_and_duplicate_stems_fail_before_starting(fake_soffice: Path, tmp_path: Path) -> None:
    conv = SofficeConverter(mode="cli", work_dir=tmp_path / "work")
    with pytest.raises(ConversionError, match=r"ontbreekt\.docx"):
        conv.to_pdf([tmp_path / "ontbreekt.docx"], tmp_path / "out")

    a = make_docx(tmp_path / "a" / "brief.docx", "A")
    b = make_docx(tmp_path / "b" / "brief.docx", "B")
    with pytest.raises(ConversionError, match=r"brief\.pdf"):
        conv.to_pdf([a, b], tmp_path / "out")

    assert conv.to_pdf([], tmp_path / "out") == []
    assert conv.starts == 0
    assert not fake_soffice.exists()
    conv.close()


@pytest.mark.parametrize("kwargs", [{"mode": "fast"}, {"timeout": 0}, {"restart_after": 0}], ids=str)
def test_invalid_arguments(kwargs: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        SofficeConverter(**kwargs)  # type: ignore[arg-type]

"""Uploads, background jobs and their results in ``dossier serve`` (issue 14 items 3, 8, 9).

Against a real uvicorn with a real SQLite database; the dossier job with the real LibreOffice. The
job runner's crash handling is tested on the runner itself with converters that fail or kill their
worker (the same code path a crashing LibreOffice takes, without waiting for one to crash).
"""

from __future__ import annotations

import copy
import hashlib
import io
import itertools
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("fastapi", reason="de web-extra is niet geïnstalleerd (pip install 'dossier[web]')")

from conftest import WebServer, _free_port

FIXTURES = Path(__file__).parent / "data" / "pdf_fixtures"
SAMPLES = Path(__file__).resolve().parent.parent / "samples"
TOKEN = "test-token-jobs"
TODAY = "2026-11-23"


def _start(data: Path, **env: str) -> WebServer:
    import httpx

    port = _free_port()
    log = (data.parent / f"server-{port}.log").open("wb")
    proc = subprocess.Popen([sys.executable, "-m", "dossier", "serve", "--data", str(data), "--port", str(port),
                             "--gebruiker", "Test Gebruiker", "--today", TODAY],
                            stdout=log, stderr=subprocess.STDOUT,
                            # Its own conversion cache: a warm shared one would leave LibreOffice unused.
                            env={**os.environ, "DOSSIER_TOKEN": TOKEN,
                                 "DOSSIER_CACHE": str(data.parent / f"cache-{port}"), **env})
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                return WebServer(url, TOKEN, data, proc)
        except httpx.TransportError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError("dossier serve start niet: " + Path(log.name).read_text())
        time.sleep(0.1)


def _stop(server: WebServer) -> None:
    server.process.terminate()
    try:
        server.process.wait(30)
    except subprocess.TimeoutExpired:
        server.process.kill()
        server.process.wait()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebServer]:
    """``dossier serve`` with an upload limit of 1 MB (so the 413 test sends little)."""
    data = tmp_path_factory.mktemp("jobs") / "data"
    s = _start(data, DOSSIER_MAX_UPLOAD_MB="1")
    try:
        yield s
    finally:
        _stop(s)


def _kuipers(nr: str) -> dict[str, Any]:
    data = json.loads((SAMPLES / "casus_kuipers.json").read_text(encoding="utf-8"))
    # The sample's files (attachments, signed scans) are not in the store; the tests upload their own.
    data.pop("bijlagen", None)
    data.pop("ondertekeningen", None)
    data["dossiernummer"] = nr
    return data


def _create(client: Any, data: dict[str, Any]) -> str:
    r = client.post("/api/v1/cases", json=data)
    assert r.status_code == 201, r.text
    return data["dossiernummer"]


def _upload(client: Any, nr: str, fixture: str, *, name: str | None = None, **fields: str) -> Any:
    content = (FIXTURES / fixture).read_bytes()
    return client.post(f"/api/v1/cases/{nr}/attachments", files={"file": (name or fixture, content, "application/pdf")},
                       data={"titel": "Rapport", "soort": "overig", "datum": "2026-01-10", **fields})


_numbers = itertools.count(1)


def _store_files(data: Path) -> set[Path]:
    return {p for p in (data / "bestanden").rglob("*") if p.is_file()}


# --- auth and the contract of every new route -------------------------------------------------------


def test_every_new_route_needs_the_token(server: WebServer) -> None:
    anon = server.client(auth=False)
    for method, path in [("POST", "/api/v1/cases/X/attachments"), ("POST", "/api/v1/cases/X/scans"),
                         ("POST", "/api/v1/cases/X/dossier"), ("GET", "/api/v1/jobs/abc"),
                         ("GET", "/api/v1/jobs/abc/document.pdf"), ("GET", "/api/v1/cases/X/dossier.pdf"),
                         ("GET", "/api/v1/cases/X/dossier-uwv.zip"),
                         ("POST", "/api/v1/cases/X/documents/plan_van_aanpak/pdf")]:
        for headers in ({}, {"Authorization": "Bearer fout"}):
            r = anon.request(method, path, headers=headers)
            assert r.status_code == 401 and set(r.json()) == {"melding"}, (method, path)
    # The pages need a session: without one they send the browser to the login page.
    assert anon.post("/casussen/X/bijlagen").status_code == 303
    assert anon.get("/casussen/X/dossier.pdf").headers["location"] == "/login"


def test_an_attachment_is_stored_by_content_and_added_to_the_case(server: WebServer) -> None:
    api = server.client()
    nr = _create(api, _kuipers("UP-1"))
    content = (FIXTURES / "versleuteld_wachtwoord.pdf").read_bytes()
    r = _upload(api, nr, "versleuteld_wachtwoord.pdf", name="../../etc/passwd.pdf", wachtwoord="geheim")
    assert r.status_code == 201, r.text
    assert set(r.json()) == {"bijlage", "waarschuwingen"} and r.json()["waarschuwingen"] == []

    # The case data holds the entry the case model expects, pointing into the store by sha256.
    case = api.get(f"/api/v1/cases/{nr}")
    assert case.headers["etag"] == '"2"'  # a new version; version 1 stays as it was
    entry = case.json()["bijlagen"][-1]
    digest = hashlib.sha256(content).hexdigest()
    assert entry == {"titel": "Rapport", "bestand": f"{digest[:2]}/{digest}.pdf", "soort": "overig",
                     "datum": "2026-01-10", "wachtwoord": "geheim"}
    stored = server.data_dir / "bestanden" / entry["bestand"]
    assert stored.read_bytes() == content
    assert stored.stat().st_mode & 0o777 == 0o600 and stored.parent.stat().st_mode & 0o777 == 0o700
    assert "passwd" not in " ".join(str(p) for p in _store_files(server.data_dir))  # the name is never a path
    with sqlite3.connect(server.data_dir / "dossier.sqlite3") as db:
        naam, sha = db.execute("SELECT naam, sha256 FROM upload WHERE id = ?", (r.json()["bijlage"],)).fetchone()
    assert (naam, sha) == ("passwd.pdf", digest)  # sanitised, for display only

    # The same content again: the same file, not written again.
    inode = stored.stat().st_ino
    again = _upload(api, nr, "versleuteld_wachtwoord.pdf", wachtwoord="geheim", titel="Nog eens")
    assert again.status_code == 201 and again.json()["bijlage"] != r.json()["bijlage"]
    assert stored.stat().st_ino == inode
    assert len(api.get(f"/api/v1/cases/{nr}").json()["bijlagen"]) == 2


def test_accepted_with_a_warning(server: WebServer) -> None:
    api = server.client()
    nr = _create(api, _kuipers("UP-2"))
    r = _upload(api, nr, "scan_zonder_tekst.pdf")
    assert r.status_code == 201
    [w] = r.json()["waarschuwingen"]
    assert w["ernst"] == "waarschuwing" and "zonder tekstlaag" in w["melding"]
    repaired = _upload(api, nr, "xref_vernield.pdf")
    assert repaired.status_code == 201 and "hersteld" in repaired.json()["waarschuwingen"][0]["melding"]


@pytest.mark.parametrize(("fixture", "fields", "veld", "words"), [
    ("versleuteld_wachtwoord.pdf", {}, "bestand", "versleuteld"),
    ("versleuteld_wachtwoord.pdf", {"wachtwoord": "fout"}, "bestand", "wachtwoord"),
    ("pdfa.pdf", {"soort": "medisch"}, "soort", "medisch document"),
    ("beschadigd.pdf", {}, "bestand", "niet worden hersteld"),
    ("pdfa.pdf", {"soort": "vakantiefoto"}, "soort", "onbekende soort"),
    ("pdfa.pdf", {"titel": " "}, "titel", "titel"),
    ("pdfa.pdf", {"datum": "31-02-2026"}, "datum", "2026"),
])
def test_a_refused_attachment_stores_nothing(server: WebServer, fixture: str, fields: dict[str, str], veld: str,
                                             words: str) -> None:
    api = server.client()
    nr = _create(api, _kuipers(f"UP-R-{next(_numbers)}"))
    before = _store_files(server.data_dir)
    r = _upload(api, nr, fixture, **fields)
    assert r.status_code == 422, r.text
    problems = r.json()["problemen"]
    assert problems and all(set(p) == {"ernst", "veld", "melding"} for p in problems)
    assert problems[0]["veld"] == veld and words in problems[0]["melding"] and problems[0]["ernst"] == "fout"
    assert _store_files(server.data_dir) == before
    assert api.get(f"/api/v1/cases/{nr}").headers["etag"] == '"1"'


def test_wrong_type_too_large_and_unknown_case(server: WebServer) -> None:
    api = server.client()
    nr = _create(api, _kuipers("UP-3"))
    before = _store_files(server.data_dir)
    r = api.post(f"/api/v1/cases/{nr}/attachments", files={"file": ("brief.pdf", b"MZ\x90\x00 not a pdf")},
                 data={"titel": "Brief"})
    assert r.status_code == 415 and "bestandstype" in r.json()["melding"]
    r = api.post(f"/api/v1/cases/{nr}/attachments", json={"titel": "Brief"})
    assert r.status_code == 415 and "multipart/form-data" in r.json()["melding"]
    big = b"%PDF-1.4\n" + b"0" * (1024 * 1024 + 10)
    r = api.post(f"/api/v1/cases/{nr}/attachments", files={"file": ("groot.pdf", big)}, data={"titel": "Groot"})
    assert r.status_code == 413 and "1 MB" in r.json()["melding"]
    pdf = (FIXTURES / "pdfa.pdf").read_bytes()
    r = api.post("/api/v1/cases/BESTAAT-NIET/attachments", files={"file": ("a.pdf", pdf)}, data={"titel": "A"})
    assert r.status_code == 404 and set(r.json()) == {"melding"}
    r = api.post(f"/api/v1/cases/{nr}/attachments", data={"titel": "Zonder bestand"}, files={"x": ("x", b"x")})
    assert r.status_code == 422 and r.json()["problemen"][0]["veld"] == "file"
    assert _store_files(server.data_dir) == before
    assert api.get(f"/api/v1/cases/{nr}").headers["etag"] == '"1"'


def test_a_signed_scan_becomes_the_ondertekeningen_record(server: WebServer) -> None:
    api = server.client()
    nr = _create(api, _kuipers("SC-1"))
    pdf = (FIXTURES / "pdfa.pdf").read_bytes()
    r = api.post(f"/api/v1/cases/{nr}/scans", files={"file": ("pva getekend.pdf", pdf)},
                 data={"document": "plan_van_aanpak", "werkgever": "2025-02-24", "werknemer": "25-02-2025"})
    assert r.status_code == 201, r.text
    digest = hashlib.sha256(pdf).hexdigest()
    [record] = api.get(f"/api/v1/cases/{nr}").json()["ondertekeningen"]
    assert record == {"document": "plan_van_aanpak", "nummer": 1, "werkgever": "2025-02-24",
                      "werknemer": "2025-02-25", "scan": f"{digest[:2]}/{digest}.pdf"}
    # A second scan of the same document replaces the scan in the same record; dates not given are kept.
    scan = (FIXTURES / "scan_zonder_tekst.pdf").read_bytes()
    r = api.post(f"/api/v1/cases/{nr}/scans", files={"file": ("scan.pdf", scan)},
                 data={"document": "plan_van_aanpak", "nummer": "1", "werknemer": "2025-02-26"})
    assert r.status_code == 201 and "tekstlaag" in r.json()["waarschuwingen"][0]["melding"]
    [record] = api.get(f"/api/v1/cases/{nr}").json()["ondertekeningen"]
    digest = hashlib.sha256(scan).hexdigest()
    assert record["scan"] == f"{digest[:2]}/{digest}.pdf"
    assert (record["werkgever"], record["werknemer"]) == ("2025-02-24", "2025-02-26")
    # A PNG header alone is no readable image: refused by the preflight, nothing stored.
    bad = api.post(f"/api/v1/cases/{nr}/scans", files={"file": ("scan.png", b"\x89PNG\r\n\x1a\nrommel")},
                   data={"document": "plan_van_aanpak"})
    assert bad.status_code == 422 and bad.json()["problemen"][0]["ernst"] == "fout"
    # A document the case does not have, an unknown kind, a type a scan cannot be.
    r = api.post(f"/api/v1/cases/{nr}/scans", files={"file": ("s.pdf", pdf)},
                 data={"document": "bijstelling_plan_van_aanpak", "nummer": "9"})
    assert r.status_code == 422 and "ondertekeningen" in r.json()["problemen"][0]["veld"]
    r = api.post(f"/api/v1/cases/{nr}/scans", files={"file": ("s.pdf", pdf)}, data={"document": "roman"})
    assert r.status_code == 422 and r.json()["problemen"][0]["veld"] == "document"
    docx = io.BytesIO()
    with zipfile.ZipFile(docx, "w") as z:
        z.writestr("word/document.xml", "<w:document/>")
    r = api.post(f"/api/v1/cases/{nr}/scans", files={"file": ("s.docx", docx.getvalue())},
                 data={"document": "plan_van_aanpak"})
    assert r.status_code == 415
    assert api.get(f"/api/v1/cases/{nr}").headers["etag"] == '"3"'


def test_jobs_and_builds_that_do_not_exist(server: WebServer) -> None:
    api = server.client()
    nr = _create(api, _kuipers("JB-0"))
    for path in (f"/api/v1/cases/{nr}/dossier.pdf", f"/api/v1/cases/{nr}/dossier-uwv.zip", "/api/v1/jobs/onbekend",
                 "/api/v1/jobs/onbekend/document.pdf"):
        r = api.get(path)
        assert r.status_code == 404 and set(r.json()) == {"melding"}, path
    assert api.post("/api/v1/cases/BESTAAT-NIET/dossier").status_code == 404
    assert api.post(f"/api/v1/cases/{nr}/documents/roman/pdf").status_code == 404
    assert api.post(f"/api/v1/cases/{nr}/dossier?today=morgen").status_code == 422


# --- the job end to end, with the real LibreOffice ------------------------------------------------------


def _wait(api: Any, job: str, timeout: float = 240) -> list[dict[str, Any]]:
    seen: list[dict[str, Any]] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        state = api.get(f"/api/v1/jobs/{job}").json()
        if not seen or state != seen[-1]:
            seen.append(state)
        if state["status"] in ("klaar", "fout"):
            return seen
        time.sleep(0.2)
    raise AssertionError(f"taak niet klaar: {seen[-1]}")


def _kill_soffice_below(root: int) -> list[int]:
    """SIGKILL every soffice.bin process descending from ``root``; returns their pids."""
    import signal

    out = subprocess.run(["ps", "-eo", "pid=,ppid=,comm="], capture_output=True, text=True, check=True).stdout
    rows = [line.split(None, 2) for line in out.splitlines() if line.strip()]
    children: dict[int, list[int]] = {}
    names = {}
    for pid, ppid, comm in rows:
        children.setdefault(int(ppid), []).append(int(pid))
        names[int(pid)] = comm
    todo, below = [root], []
    while todo:
        for child in children.get(todo.pop(), []):
            below.append(child)
            todo.append(child)
    killed = [p for p in below if names.get(p, "").startswith("soffice")]
    for p in killed:
        os.kill(p, signal.SIGKILL)
    return killed


@pytest.mark.libreoffice
@pytest.mark.slow
@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice ontbreekt")
def test_the_dossier_job_end_to_end(server: WebServer, tmp_path: Path) -> None:
    api = server.client()
    nr = _create(api, _kuipers("JB-1"))
    assert _upload(api, nr, "versleuteld_wachtwoord.pdf", name="rapport AD.pdf", titel="Verslag arbeidsdeskundige",
                   wachtwoord="geheim", soort="arbeidsdeskundig_rapport").status_code == 201
    r = api.post(f"/api/v1/cases/{nr}/dossier?today={TODAY}")
    assert r.status_code == 202 and set(r.json()) == {"job"}
    states = _wait(api, r.json()["job"])
    assert all(set(s) == {"status", "voortgang", "melding", "resultaat"} for s in states)
    statuses = [s["status"] for s in states]
    assert statuses[-1] == "klaar", states[-1]
    assert "bezig" in statuses and statuses.index("bezig") < statuses.index("klaar")
    progress = [s["voortgang"] for s in states]
    assert progress == sorted(progress) and progress[-1] == 1.0 and all(0 <= p <= 1 for p in progress)
    assert all(s["resultaat"] is None for s in states[:-1])
    assert states[-1]["resultaat"] == f"/api/v1/cases/{nr}/dossier.pdf"

    pdf = api.get(states[-1]["resultaat"])
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    target = tmp_path / "dossier.pdf"
    target.write_bytes(pdf.content)
    subprocess.run(["qpdf", "--check", str(target)], check=True, capture_output=True)
    text = subprocess.run(["pdftotext", str(target), "-"], capture_output=True, text=True, check=True).stdout
    assert "Verslag arbeidsdeskundige" in text  # the uploaded attachment is in the index
    z = api.get(f"/api/v1/cases/{nr}/dossier-uwv.zip")
    assert z.status_code == 200
    with zipfile.ZipFile(io.BytesIO(z.content)) as archive:
        names = archive.namelist()
    assert any(n.endswith(".pdf") for n in names) and len(names) > 3
    assert not list((server.data_dir / "uitvoer").glob(".bezig-*"))  # nothing half-written left

    # The worker's LibreOffice dies between jobs (killed, out of memory): the next job still works.
    killed = _kill_soffice_below(server.process.pid)
    assert killed, "geen LibreOffice-proces van de werker gevonden"

    # One document's PDF is a job too; its result is the download URL.
    r = api.post(f"/api/v1/cases/{nr}/documents/plan_van_aanpak/pdf")
    assert r.status_code == 202
    final = _wait(api, r.json()["job"])[-1]
    assert final["status"] == "klaar" and final["resultaat"] == f"/api/v1/jobs/{r.json()['job']}/document.pdf"
    doc = api.get(final["resultaat"])
    assert doc.status_code == 200 and doc.content.startswith(b"%PDF-")

    # A build that fails (the password no longer works) says why, naming the file as it was uploaded;
    # the latest finished build stays available.
    data = api.get(f"/api/v1/cases/{nr}").json()
    stored_name = Path(data["bijlagen"][-1]["bestand"]).name
    data["bijlagen"][-1]["wachtwoord"] = "verkeerd"
    assert api.put(f"/api/v1/cases/{nr}", json=data).status_code == 200
    failed = _wait(api, api.post(f"/api/v1/cases/{nr}/dossier").json()["job"])[-1]
    assert failed["status"] == "fout" and failed["resultaat"] is None
    assert "rapport AD.pdf" in failed["melding"] and stored_name not in failed["melding"]
    assert api.get(f"/api/v1/cases/{nr}/dossier.pdf").content == pdf.content


@pytest.mark.libreoffice
@pytest.mark.slow
@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice ontbreekt")
def test_a_libreoffice_that_keeps_crashing_fails_one_job_and_the_next_works(server: WebServer) -> None:
    api = server.client()
    nr = _create(api, _kuipers("JB-2"))
    # A warm LibreOffice could convert one document between two kills: it dies first, so that every
    # attempt of this job has to start a new one (seconds), and each is killed while it starts.
    _kill_soffice_below(server.process.pid)
    job = api.post(f"/api/v1/cases/{nr}/documents/plan_van_aanpak/pdf").json()["job"]
    deadline = time.monotonic() + 240
    while (state := api.get(f"/api/v1/jobs/{job}").json())["status"] not in ("klaar", "fout"):
        _kill_soffice_below(server.process.pid)  # every LibreOffice the worker starts dies at once
        assert time.monotonic() < deadline
        time.sleep(0.1)
    assert state["status"] == "fout" and "LibreOffice" in state["melding"] and state["resultaat"] is None
    final = _wait(api, api.post(f"/api/v1/cases/{nr}/documents/plan_van_aanpak/pdf").json()["job"])[-1]
    assert final["status"] == "klaar", final
    assert api.get(final["resultaat"]).content.startswith(b"%PDF-")


# --- restart ---------------------------------------------------------------------------------------------


def test_a_restart_marks_running_jobs_failed_and_leaves_nothing_half_written(tmp_path: Path) -> None:
    data = tmp_path / "data"
    first = _start(data)
    try:
        nr = _create(first.client(), _kuipers("RS-1"))
    finally:
        _stop(first)
    # What a server killed in the middle of a build leaves: a job row "bezig" and a half-built folder.
    half = data / "uitvoer" / ".bezig-onderbroken"
    half.mkdir(parents=True)
    (half / "dossier.pdf").write_bytes(b"%PDF-1.7 half")
    with sqlite3.connect(data / "dossier.sqlite3") as db:
        case_id = db.execute("SELECT id FROM \"case\" WHERE dossiernummer = ?", (nr,)).fetchone()[0]
        db.execute("INSERT INTO job (id, case_id, soort, parameters, status, voortgang, melding, door, aangemaakt_op) "
                   "VALUES ('onderbroken', ?, 'dossier', ?, 'bezig', 0.3, 'omzetten', 'T', '2026-11-23 10:00:00')",
                   (case_id, json.dumps({"nr": nr, "versie": 1, "today": TODAY})))
    second = _start(data)
    try:
        api = second.client()
        state = api.get("/api/v1/jobs/onderbroken").json()
        assert state["status"] == "fout" and "onderbroken door herstart" in state["melding"]
        assert state["resultaat"] is None
        assert not half.exists()
        assert api.get(f"/api/v1/cases/{nr}/dossier.pdf").status_code == 404
    finally:
        _stop(second)


# --- the runner: a crash fails one job, the next one works ----------------------------------------------


class FailingOnceConverter:
    """A fake converter that fails its first conversion the way LibreOffice does after a crash."""

    def __init__(self, settings: Any) -> None:
        from dossier.convert.fake import FakeConverter

        self.inner, self.calls = FakeConverter(), 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    def to_pdf(self, sources: list[Path], out_dir: Path) -> list[Path]:
        from dossier.errors import ConversionError

        self.calls += 1
        if self.calls == 1:
            raise ConversionError("LibreOffice is gecrasht bij het omzetten van 'plan_van_aanpak.docx'")
        return self.inner.to_pdf(sources, out_dir)


class KillsItsWorkerConverter(FailingOnceConverter):
    """A converter whose first conversion takes its worker process down (a hard crash)."""

    def to_pdf(self, sources: list[Path], out_dir: Path) -> list[Path]:
        marker = Path(os.environ["DOSSIER_TEST_CRASH_MARKER"])
        if not marker.exists():
            marker.write_text("gecrasht")
            os._exit(70)
        return self.inner.to_pdf(sources, out_dir)


def _jobs(tmp_path: Path, factory: Any) -> Any:
    from dossier import api
    from dossier.web.jobs import Jobs, LocalPoolRunner
    from dossier.web.storage import Store

    data = tmp_path / "data"
    data.mkdir()
    store = Store(data / "dossier.sqlite3", settings=api.Settings(converter="fake"))
    case = copy.deepcopy(_kuipers("CR-1"))
    store.create(case, door="T", today=api.parse_today(TODAY))
    jobs = Jobs(store, data, runner=None)
    jobs.runner = LocalPoolRunner(jobs.settings, converter_factory=factory)
    return jobs


def _finish(jobs: Any, job_id: str) -> Any:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        info = jobs.get(job_id)
        if info.status in ("klaar", "fout"):
            return info
        time.sleep(0.1)
    raise AssertionError(jobs.get(job_id))


@pytest.mark.parametrize(("factory", "words"), [(FailingOnceConverter, "LibreOffice is gecrasht"),
                                                 (KillsItsWorkerConverter, "onverwacht gestopt")])
def test_a_crash_fails_one_job_and_the_next_one_works(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                      factory: Any, words: str) -> None:
    from datetime import date

    monkeypatch.setenv("DOSSIER_TEST_CRASH_MARKER", str(tmp_path / "crash.marker"))
    jobs = _jobs(tmp_path, factory)
    try:
        today = date.fromisoformat(TODAY)
        first = jobs.submit("CR-1", "dossier", today=today, door="T")
        second = jobs.submit("CR-1", "dossier", today=today, door="T")  # queued behind the crashing one
        one, two = _finish(jobs, first), _finish(jobs, second)
        assert one.status == "fout" and words in one.melding and one.resultaat is None
        assert two.status == "klaar", two.melding
        assert jobs.latest_build("CR-1", "dossier.pdf").read_bytes().startswith(b"%PDF-")
        third = _finish(jobs, jobs.submit("CR-1", "document", today=today, door="T", document="plan_van_aanpak"))
        assert third.status == "klaar" and jobs.result_file(third.id, "document.pdf").is_file()
        assert not list(jobs.root.glob(".bezig-*"))
    finally:
        jobs.close()
        jobs.store.close()


# --- the case page's forms --------------------------------------------------------------------------------


def test_page_uploads_need_the_csrf_token_and_escape_what_they_show(server: WebServer) -> None:
    import re

    nr = _create(server.client(), _kuipers("PG-1"))
    browser = server.client(auth=False)
    assert browser.get(f"/login?token={TOKEN}").status_code == 303
    page = browser.get(f"/casussen/{nr}")
    assert page.status_code == 200
    for section in ('id="documenten"', 'id="bijlagen"', 'id="bouw"', "Bouw dossier", "Ondertekende scan uploaden"):
        assert section in page.text
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
    # Each planned document is linked as Word, numbered ones by their number.
    assert f'href="/casussen/{nr}/documenten/bijstelling_plan_van_aanpak/1.docx"' in page.text
    docx = browser.get(f"/casussen/{nr}/documenten/bijstelling_plan_van_aanpak/1.docx")
    assert docx.status_code == 200 and docx.content.startswith(b"PK")
    pdf = (FIXTURES / "pdfa.pdf").read_bytes()
    before = _store_files(server.data_dir)
    forged = browser.post(f"/casussen/{nr}/bijlagen", data={"csrf": "vervalst", "titel": "X"},
                          files={"file": ("a.pdf", pdf)}, headers={"HX-Request": "true"})
    assert forged.status_code == 403 and _store_files(server.data_dir) == before
    assert browser.post(f"/casussen/{nr}/dossier", data={"csrf": "vervalst"}).status_code == 403

    hostile = '<script>alert("x")</script>'
    r = browser.post(f"/casussen/{nr}/bijlagen", data={"csrf": csrf, "titel": hostile, "soort": "overig"},
                     files={"file": (f"{hostile}.pdf", pdf)}, headers={"HX-Request": "true"})
    assert r.status_code == 200 and "Bijlage opgeslagen" in r.text
    assert "<script>alert" not in r.text and "&lt;script&gt;" in r.text
    # Without htmx the form posts and comes back to the case page.
    r = browser.post(f"/casussen/{nr}/bijlagen", data={"csrf": csrf, "titel": "Zonder htmx"},
                     files={"file": ("b.pdf", (FIXTURES / "scan_zonder_tekst.pdf").read_bytes())})
    assert r.status_code == 303 and r.headers["location"].endswith("#bijlagen")
    assert len(server.client().get(f"/api/v1/cases/{nr}").json()["bijlagen"]) == 2


def test_an_imported_case_file_brings_its_attachments_into_the_store(tmp_path: Path) -> None:
    from datetime import date

    from dossier import api
    from dossier.web import WebConfig, import_cases
    from dossier.web.jobs import Jobs, LocalPoolRunner
    from dossier.web.storage import Store

    config = WebConfig(data_dir=tmp_path / "data", token="t", gebruiker="T", today=date.fromisoformat(TODAY))
    assert import_cases(config, [SAMPLES / "casus_kuipers.json"]) == (1, 0)
    files = _store_files(config.data_dir)
    sample = json.loads((SAMPLES / "casus_kuipers.json").read_text())
    named = {b["bestand"] for b in sample["bijlagen"]} | {o["scan"] for o in sample["ondertekeningen"] if o.get("scan")}
    assert len(files) == len({hashlib.sha256((SAMPLES / n).read_bytes()).digest() for n in named}) >= 7
    assert import_cases(config, [SAMPLES / "casus_kuipers.json"]) == (0, 1)
    assert _store_files(config.data_dir) == files
    store = Store(config.db_path, settings=api.Settings(converter="fake"))
    jobs = Jobs(store, config.data_dir, runner=None)
    jobs.runner = LocalPoolRunner(jobs.settings)
    try:
        data = store.get("VZ-2025-0142").data
        for b, original in zip(data["bijlagen"], sample["bijlagen"], strict=True):
            content = (SAMPLES / original["bestand"]).read_bytes()
            digest = hashlib.sha256(content).hexdigest()
            assert b["bestand"] == f"{digest[:2]}/{digest}.pdf" and b["titel"] == original["titel"]
        # The web can build it: the attachments are found in the store.
        info = _finish(jobs, jobs.submit("VZ-2025-0142", "dossier", today=date.fromisoformat(TODAY), door="T"))
        assert info.status == "klaar", info.melding
        index = json.loads(jobs.result_file(info.id, "dossier.index.json").read_text())
        titles = {d["title"] for d in index["delen"] if d["bron"] == "bijlage"}
        assert titles == {b["titel"] for b in data["bijlagen"]}
        assert sum(d["bron"] == "scan" for d in index["delen"]) == 3  # the signed scans, in their documents' place

        # Erasing the case for good (bewaartermijn) removes its builds, its files and its rows too.
        from dossier.web import create_app
        from dossier.web.beheer_store import erase

        create_app(config)  # registers the erase hook of the jobs
        built = jobs.root / info.id
        assert built.is_dir()
        erase(store, "VZ-2025-0142", data_dir=config.data_dir)
        assert not built.exists() and _store_files(config.data_dir) == set()
        with sqlite3.connect(config.db_path) as db:
            assert db.execute("SELECT count(*) FROM upload").fetchone()[0] == 0
            assert db.execute("SELECT count(*) FROM job").fetchone()[0] == 0
    finally:
        jobs.close()
        store.close()


def test_page_upload_refusals_are_shown_next_to_the_file_field_with_their_status(server: WebServer) -> None:
    import re

    nr = _create(server.client(), _kuipers("PG-2"))
    browser = server.client(auth=False)
    assert browser.get(f"/login?token={TOKEN}").status_code == 303
    csrf = re.search(r'name="csrf" value="([^"]+)"', browser.get(f"/casussen/{nr}").text).group(1)
    htmx = {"HX-Request": "true"}
    before = _store_files(server.data_dir)
    big = b"%PDF-1.4\n" + b"0" * (1024 * 1024 + 10)  # the server's limit is 1 MB

    r = browser.post(f"/casussen/{nr}/bijlagen", data={"csrf": csrf, "titel": "Groot"},
                     files={"file": ("groot.pdf", big)}, headers=htmx)
    assert r.status_code == 413 and r.text.startswith('<section id="bijlagen"') and "<html" not in r.text
    field = re.search(r'<input id="bijlage-bestand"[^>]*>', r.text).group(0)
    assert 'aria-describedby="bijlage-bestand-fout"' in field and 'aria-invalid="true"' in field
    message = re.search(r'<p class="veldfout" id="bijlage-bestand-fout"[^>]*>([^<]*)</p>', r.text).group(1)
    assert "te groot" in message and "1 MB" in message

    r = browser.post(f"/casussen/{nr}/bijlagen", data={"csrf": csrf, "titel": "Programma"},
                     files={"file": ("brief.pdf", b"MZ\x90\x00 geen pdf")}, headers=htmx)
    assert r.status_code == 415 and r.text.startswith('<section id="bijlagen"')
    assert re.search(r'id="bijlage-bestand-fout"[^>]*>[^<]*bestandstype', r.text)
    assert 'value="Programma"' in r.text  # what was typed is kept

    r = browser.post(f"/casussen/{nr}/scans", data={"csrf": csrf, "keuze": "plan_van_aanpak:1"},
                     files={"file": ("scan.pdf", big)}, headers=htmx)
    assert r.status_code == 413 and r.text.startswith('<section id="documenten"')
    assert 'aria-describedby="scan-bestand-fout"' in r.text
    assert re.search(r'id="scan-bestand-fout"[^>]*>[^<]*te groot', r.text)
    r = browser.post(f"/casussen/{nr}/scans", data={"csrf": csrf, "keuze": "plan_van_aanpak:1"},
                     files={"file": ("s.pdf", b"MZ\x90\x00 geen pdf")}, headers=htmx)
    assert r.status_code == 415 and re.search(r'id="scan-bestand-fout"[^>]*>[^<]*PDF, JPG of PNG', r.text)

    # Without htmx: the whole case page, the message in the same place, the same status.
    r = browser.post(f"/casussen/{nr}/bijlagen", data={"csrf": csrf, "titel": "Groot"},
                     files={"file": ("groot.pdf", big)})
    assert r.status_code == 413 and "<html" in r.text and 'id="tijdlijn-kop"' in r.text
    assert re.search(r'id="bijlage-bestand-fout"[^>]*>[^<]*te groot', r.text)
    r = browser.post(f"/casussen/{nr}/bijlagen", content=b'{"titel": "x"}', headers={
        **htmx, "Content-Type": "application/json", "X-CSRF-Token": csrf})
    assert r.status_code == 415 and re.search(r'id="bijlage-bestand-fout"[^>]*>[^<]*multipart/form-data', r.text)

    assert _store_files(server.data_dir) == before  # nothing stored
    assert server.client().get(f"/api/v1/cases/{nr}").headers["etag"] == '"1"'


def test_a_newer_result_removes_the_older_ones_of_the_same_kind_only(tmp_path: Path) -> None:
    from datetime import date

    from dossier.web.storage import NotFound

    jobs = _jobs(tmp_path, None)  # the settings say converter="fake"
    try:
        today = date.fromisoformat(TODAY)

        def run(soort: str, **kw: Any) -> Any:
            info = _finish(jobs, jobs.submit("CR-1", soort, today=today, door="T", **kw))
            assert info.status == "klaar", info.melding
            return info

        first = run("dossier")
        pva1 = run("document", document="plan_van_aanpak")
        bij1 = run("document", document="bijstelling_plan_van_aanpak", nummer=1)
        bij2 = run("document", document="bijstelling_plan_van_aanpak", nummer=2)
        assert {p.name for p in jobs.root.iterdir()} == {first.id, pva1.id, bij1.id, bij2.id}

        second = run("dossier")
        # The older build is gone; the latest one (what …/dossier.pdf serves) stays; documents untouched.
        assert {p.name for p in jobs.root.iterdir()} == {second.id, pva1.id, bij1.id, bij2.id}
        assert jobs.latest_build("CR-1", "dossier.pdf") == jobs.root / second.id / "dossier.pdf"
        assert jobs.get(first.id).resultaat == jobs.get(second.id).resultaat == "/api/v1/cases/CR-1/dossier.pdf"

        pva2 = run("document", document="plan_van_aanpak")
        assert {p.name for p in jobs.root.iterdir()} == {second.id, pva2.id, bij1.id, bij2.id}
        assert jobs.get(pva1.id).resultaat is None  # no URL that would only give 404
        assert jobs.get(pva2.id).resultaat == f"/api/v1/jobs/{pva2.id}/document.pdf"
        assert jobs.result_file(pva2.id, "document.pdf").is_file()
        with pytest.raises(NotFound, match="opgeruimd"):
            jobs.result_file(pva1.id, "document.pdf")
        # Another number of the same document is another document: both stay.
        assert jobs.result_file(bij1.id, "document.pdf").is_file() and jobs.result_file(bij2.id, "document.pdf")

    finally:
        jobs.close()
        jobs.store.close()

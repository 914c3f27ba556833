"""Shared fixtures: sample and data folders, a case factory, and a LibreOffice skip marker."""

from __future__ import annotations

import copy
import shutil
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
DATA = Path(__file__).resolve().parent / "data"

MINIMAL_CASE: dict[str, Any] = {
    "dossiernummer": "T-001",
    "werkgever": {"naam": "Testbedrijf B.V."},
    "werknemer": {"naam": "Jan Test"},
    "ziekteperiodes": [{"eerste_ziektedag": "2026-01-05"}],
}


def pytest_configure(config: pytest.Config) -> None:
    """Module- and session-scoped fixtures start before the per-test cache below is set: point the
    whole run at a cache of its own, so that no test ever reads or writes the user's cache."""
    import os
    import tempfile

    os.environ["DOSSIER_CACHE"] = tempfile.mkdtemp(prefix="dossier-test-cache-")
    os.environ["XDG_CACHE_HOME"] = os.path.join(os.environ["DOSSIER_CACHE"], "xdg")


def pytest_unconfigure(config: pytest.Config) -> None:
    import os

    folder = os.environ.get("DOSSIER_CACHE", "")
    if "dossier-test-cache-" in folder:
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(autouse=True)
def _own_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets an empty cache of its own (never the user's ~/.cache/dossier): a result
    cached by one test must not hide a conversion another test expects to happen."""
    folder = tmp_path_factory.mktemp("cache")
    monkeypatch.setenv("DOSSIER_CACHE", str(folder))
    monkeypatch.setenv("XDG_CACHE_HOME", str(folder / "xdg"))
    return folder


@pytest.fixture(scope="session")
def samples_dir() -> Path:
    return SAMPLES


@pytest.fixture(scope="session")
def data_dir() -> Path:
    return DATA


@pytest.fixture
def case_data() -> dict[str, Any]:
    """A fresh copy of the minimal valid case (the contract's four fields)."""
    return copy.deepcopy(MINIMAL_CASE)


@pytest.fixture
def make_case():
    """Factory: a validated Case from the minimal case with overrides (dotted keys allowed)."""
    from dossier.loaders.paths import unflatten
    from dossier.model import Case

    def factory(**overrides: Any) -> Case:
        data = copy.deepcopy(MINIMAL_CASE)
        for key, value in overrides.items():
            if "__" in key:
                nested = unflatten({key.replace("__", "."): value})
                _deep_merge(data, nested)
            else:
                data[key] = value
        return Case.model_validate(data)

    return factory


def _deep_merge(into: dict[str, Any], new: dict[str, Any]) -> None:
    for k, v in new.items():
        if isinstance(v, dict) and isinstance(into.get(k), dict):
            _deep_merge(into[k], v)
        else:
            into[k] = v


def have_soffice() -> bool:
    return shutil.which("soffice") is not None


requires_soffice = pytest.mark.skipif(not have_soffice(), reason="LibreOffice (soffice) is niet geïnstalleerd")


# --- the web application: a real `dossier serve` on 127.0.0.1 ------------------------------


class WebServer:
    """A running ``dossier serve`` (its own process, its own data folder)."""

    def __init__(self, url: str, token: str, data_dir: Path, process: Any) -> None:
        self.url, self.token, self.data_dir, self.process = url, token, data_dir, process

    def client(self, *, auth: bool = True) -> Any:
        import httpx

        headers = {"Authorization": f"Bearer {self.token}"} if auth else {}
        return httpx.Client(base_url=self.url, headers=headers, timeout=30, follow_redirects=False)


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def web_server(tmp_path_factory: pytest.TempPathFactory):
    """Start ``dossier serve`` on a free port with a fresh SQLite data folder; stopped afterwards, also
    when a test fails. The reference date is fixed (2026-11-23) so that statuses do not drift."""
    pytest.importorskip("fastapi", reason="de web-extra is niet geïnstalleerd (pip install 'dossier[web]')")
    import os
    import subprocess
    import sys
    import time

    import httpx

    data = tmp_path_factory.mktemp("web") / "data"
    port, token = _free_port(), "test-token-7f3a"
    log = (data.parent / "server.log").open("wb")
    # A cache of its own: module fixtures start before the per-test cache folder is set, and the
    # server must neither read a warm cache of the machine (then LibreOffice never starts) nor write it.
    env = {**os.environ, "DOSSIER_TOKEN": token, "DOSSIER_CACHE": str(data.parent / "cache")}
    proc = subprocess.Popen([sys.executable, "-m", "dossier", "serve", "--data", str(data), "--port", str(port),
                             "--gebruiker", "Test Gebruiker", "--today", "2026-11-23"],
                            stdout=log, stderr=subprocess.STDOUT, env=env)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("dossier serve start niet: " + (data.parent / "server.log").read_text())
            time.sleep(0.1)
        yield WebServer(url, token, data, proc)
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


@pytest.fixture
def signed_sample(tmp_path: Path):
    """Factory: a copy of a sample (with its attachments) in which every generated document is signed by
    all parties a week after its date, as planned on ``today``. For tests that need a case with nothing
    left to do; a sample that already carries ``ondertekeningen`` is copied as it is."""
    import json
    from datetime import date, timedelta

    def factory(name: str, today: date) -> Path:
        import dossier
        from dossier.findings import planned_documents
        from dossier.model import Case

        data = json.loads((SAMPLES / name).read_text(encoding="utf-8"))
        if not data.get("ondertekeningen"):
            settings = dossier.Settings()
            case = Case.model_validate(data)
            tl = dossier.case_timeline(case, settings=settings, today=today)
            data["ondertekeningen"] = [
                {"document": j.soort, "nummer": j.nummer or 1, "datum": j.datum.isoformat(),
                 **{p: (j.datum + timedelta(days=7)).isoformat()
                    for p in ("werkgever", "werknemer", "reintegratiebedrijf")}}
                for j in planned_documents(case, tl, settings=settings) if j.datum is not None]
        for folder in ("bijlagen", "ondertekend"):  # attachments and signed scans
            shutil.copytree(SAMPLES / folder, tmp_path / folder, dirs_exist_ok=True)
        out = tmp_path / name
        out.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        return out

    return factory

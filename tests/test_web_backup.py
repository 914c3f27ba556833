"""``dossier backup`` while the server writes, ``dossier restore`` into an empty folder (issue 14 item 6)."""

from __future__ import annotations

import copy
import io
import sqlite3
import subprocess
import sys
import tarfile
import threading
import time
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("fastapi", reason="de web-extra is niet geïnstalleerd (pip install 'dossier[web]')")


def _dossier(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "dossier", *args], capture_output=True, text=True, timeout=120)


def _consistent(db: Path) -> dict[str, int]:
    """Every case of the database with its version; asserts each case has all its versions."""
    con = sqlite3.connect(db)
    try:
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        rows = con.execute('SELECT c.dossiernummer, c.versie, count(v.id), max(v.versie), '
                           'sum(v.id = c.current_version_id) FROM "case" c JOIN case_version v ON v.case_id = c.id '
                           "GROUP BY c.id").fetchall()
    finally:
        con.close()
    for nr, versie, n, top, current in rows:
        assert versie == n == top and current == 1, nr
    return {nr: versie for nr, versie, *_ in rows}


def test_backup_while_the_server_writes_then_restore_into_an_empty_folder(web_server, case_data: dict[str, Any],
                                                                         tmp_path: Path) -> None:
    store_file = web_server.data_dir / "bestanden" / "ab" / "abcdef.pdf"
    store_file.parent.mkdir(parents=True)
    store_file.write_bytes(b"%PDF-1.4 opgeslagen bijlage")
    api = web_server.client()
    stop, written, errors = threading.Event(), [], []

    def writer() -> None:
        client = web_server.client()
        i = 0
        while not stop.is_set():
            data = copy.deepcopy(case_data)
            data["dossiernummer"] = f"BAK-{i}"
            r = client.post("/api/v1/cases", json=data)
            data["opmerkingen"] = "tweede versie"
            r2 = client.put(f"/api/v1/cases/BAK-{i}", json=data)
            if r.status_code != 201 or r2.status_code != 200:
                errors.append((r.status_code, r2.status_code))
            written.append(f"BAK-{i}")
            i += 1

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        while len(written) < 10:
            time.sleep(0.05)
        before = len(written)
        archive = tmp_path / "reserve.tar.gz"
        done = _dossier("backup", str(archive), "--data", str(web_server.data_dir))
        during = len(written)
        time.sleep(0.3)  # and the server goes on writing after the snapshot
    finally:
        stop.set()
        thread.join(30)
    assert done.returncode == 0, done.stderr
    assert "Reservekopie gemaakt" in done.stderr and not errors
    assert during > before  # the writes really went on while the backup ran

    target = tmp_path / "hersteld"
    r = _dossier("restore", str(archive), "--data", str(target))
    assert r.returncode == 0, r.stderr
    restored = _consistent(target / "dossier.sqlite3")
    names = {n for n in restored if n.startswith("BAK-")}
    assert {f"BAK-{i}" for i in range(before)} <= names and len(names) <= len(written)
    assert (target / "bestanden" / "ab" / "abcdef.pdf").read_bytes() == store_file.read_bytes()
    live = api.get("/api/v1/cases/BAK-0").json()

    # The restored folder serves: a Store opens it (migrations run) and has the same case.
    from dossier.web.storage import Store

    store = Store(target / "dossier.sqlite3")
    try:
        assert store.get("BAK-0").data == live and [v.versie for v in store.versions("BAK-0")] == [2, 1]
    finally:
        store.close()

    # A non-empty folder is refused, unless --force (then the old contents are set aside, not erased).
    again = _dossier("restore", str(archive), "--data", str(target))
    assert again.returncode != 0 and "niet leeg" in again.stderr and "--force" in again.stderr
    forced = _dossier("restore", str(archive), "--data", str(target), "--force")
    assert forced.returncode == 0, forced.stderr
    aside = [p for p in tmp_path.iterdir() if p.name.startswith("hersteld.voor-herstel-")]
    assert len(aside) == 1 and (aside[0] / "dossier.sqlite3").is_file()


def test_restore_refuses_a_hostile_archive_and_backup_needs_a_database(tmp_path: Path) -> None:
    evil = tmp_path / "kwaad.tar.gz"
    with tarfile.open(evil, "w:gz") as tar:
        for name, data in (("dossier-backup.json", b"{}"), ("dossier.sqlite3", b""), ("../ontsnapt.txt", b"x")):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    r = _dossier("restore", str(evil), "--data", str(tmp_path / "doel"))
    assert r.returncode != 0 and "buiten de gegevensmap" in r.stderr
    assert not (tmp_path / "ontsnapt.txt").exists() and not (tmp_path / "doel").exists()
    assert not [p for p in tmp_path.iterdir() if ".herstel-" in p.name]
    (tmp_path / "leeg").mkdir()
    r = _dossier("backup", str(tmp_path / "x.tar.gz"), "--data", str(tmp_path / "leeg"))
    assert r.returncode != 0 and "geen database" in r.stderr

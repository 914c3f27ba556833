"""``dossier backup`` / ``dossier restore``: the database and the file store of a data folder in one archive.

The database is copied with SQLite's online backup API (:meth:`sqlite3.Connection.backup`), which
gives a consistent snapshot while the server goes on writing. The files follow after the snapshot:
the file store only ever adds files (content-addressed) before the row naming them is committed, so
every file the snapshot names is in the archive. Only the standard library is used here.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import tarfile
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from dossier import api

DB_NAME = "dossier.sqlite3"
MANIFEST = "dossier-backup.json"
FORMAT = 1
#: The database's own files: never copied as files (the snapshot stands for them).
DB_FILES = {DB_NAME, f"{DB_NAME}-wal", f"{DB_NAME}-shm", f"{DB_NAME}-journal"}


def safe_member(name: str) -> bool:
    """A relative archive member name that stays inside its folder (no zip slip)."""
    if not name or "\\" in name or name.startswith("/") or "\x00" in name or ":" in name.split("/")[0]:
        return False
    return all(part not in ("", ".", "..") for part in name.rstrip("/").split("/"))


def _counts(db: Path) -> tuple[int, int]:
    con = sqlite3.connect(db)
    try:
        names = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if not {"case", "case_version"} <= names:
            return 0, 0
        cases = con.execute('SELECT count(*) FROM "case"').fetchone()[0]
        versions = con.execute("SELECT count(*) FROM case_version").fetchone()[0]
        return cases, versions
    finally:
        con.close()


def _snapshot(db: Path, target: Path) -> None:
    src = sqlite3.connect(db, timeout=30)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)
        dst.execute("PRAGMA journal_mode=DELETE")  # one self-contained file in the archive
    finally:
        dst.close()
        src.close()


def _data_files(data_dir: Path, skip: Path) -> list[Path]:
    out = []
    for path in sorted(data_dir.rglob("*")):
        rel = path.relative_to(data_dir)
        # Names starting with a dot are temporaries (a file being written into the store).
        if path.is_symlink() or not path.is_file() or path == skip or str(rel) in DB_FILES or path.name.startswith("."):
            continue
        out.append(path)
    return out


def backup(archive: Path, data_dir: Path) -> api.BackupResult:
    db = data_dir / DB_NAME
    if not db.is_file():
        raise api.UsageError(f"in '{data_dir}' staat geen database ({DB_NAME}); geef de gegevensmap op met --data")
    if archive.resolve().is_relative_to(data_dir.resolve()):
        raise api.UsageError(f"de reservekopie '{archive}' mag niet in de gegevensmap '{data_dir}' staan")
    part = archive.with_name(f".{archive.name}.deel")
    try:
        with tempfile.TemporaryDirectory(prefix="dossier-backup-") as tmp:
            snap = Path(tmp) / DB_NAME
            _snapshot(db, snap)
            cases, versions = _counts(snap)
            files = _data_files(data_dir, archive.resolve())
            added = 0
            with tarfile.open(part, "w:gz") as tar:
                manifest = {"formaat": FORMAT, "gemaakt_op": datetime.now(UTC).isoformat(timespec="seconds"),
                            "casussen": cases, "versies": versions}
                (Path(tmp) / MANIFEST).write_text(json.dumps(manifest, indent=2), encoding="utf-8")
                tar.add(Path(tmp) / MANIFEST, arcname=MANIFEST)
                tar.add(snap, arcname=DB_NAME)
                for path in files:
                    try:
                        tar.add(path, arcname=path.relative_to(data_dir).as_posix(), recursive=False)
                        added += 1
                    except FileNotFoundError:  # removed while we were copying (a temporary file)
                        continue
        os.replace(part, archive)
    except sqlite3.Error as e:
        part.unlink(missing_ok=True)
        raise api.AssemblyError(f"de database in '{data_dir}' kon niet worden gekopieerd: {e}") from None
    except OSError as e:
        part.unlink(missing_ok=True)
        raise api.AssemblyError(f"de reservekopie '{archive}' kon niet worden geschreven: {e.strerror or e}") from None
    return api.BackupResult(archive, data_dir, cases, versions, added)


def _checked_members(tar: tarfile.TarFile, archive: Path) -> list[tarfile.TarInfo]:
    members = tar.getmembers()
    names = {m.name for m in members}
    if MANIFEST not in names or DB_NAME not in names:
        raise api.UsageError(f"'{archive}' is geen reservekopie van dossier (geen {MANIFEST} of {DB_NAME})")
    for m in members:
        if not safe_member(m.name) or not (m.isfile() or m.isdir()):
            raise api.UsageError(f"'{archive}' bevat '{m.name[:80]}': een pad buiten de gegevensmap of geen gewoon "
                                 "bestand; er is niets teruggezet")
    return members


def restore(archive: Path, data_dir: Path, *, force: bool = False) -> api.BackupResult:
    if not archive.is_file():
        raise api.UsageError(f"reservekopie '{archive}' niet gevonden")
    if data_dir.exists() and not data_dir.is_dir():
        raise api.UsageError(f"'{data_dir}' is geen map")
    if data_dir.is_dir() and any(data_dir.iterdir()) and not force:
        raise api.UsageError(f"de gegevensmap '{data_dir}' is niet leeg; terugzetten overschrijft niets. Kies een "
                             "lege map, of gebruik --force: dan wordt de huidige inhoud eerst opzij gezet "
                             f"(naar '{data_dir.name}.voor-herstel-…' ernaast)")
    try:
        tar = tarfile.open(archive, "r:*")  # noqa: SIM115 - closed by the with below
    except (tarfile.TarError, OSError) as e:
        raise api.UsageError(f"'{archive}' is geen leesbare reservekopie: {e}") from None
    data_dir.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{data_dir.name}.herstel-", dir=data_dir.parent))
    try:
        with tar:
            files = 0
            for m in _checked_members(tar, archive):
                target = work / m.name
                if m.isdir():
                    target.mkdir(parents=True, exist_ok=True)
                    continue
                target.parent.mkdir(parents=True, exist_ok=True)
                src = tar.extractfile(m)
                assert src is not None
                with src, target.open("wb") as out:
                    shutil.copyfileobj(src, out)
                files += m.name not in (MANIFEST, DB_NAME)
        (work / MANIFEST).unlink()
        con = sqlite3.connect(work / DB_NAME)
        try:
            ok = con.execute("PRAGMA integrity_check").fetchone()[0]
        finally:
            con.close()
        if ok != "ok":
            raise api.UsageError(f"de database in '{archive}' is beschadigd ({ok}); er is niets teruggezet")
        cases, versions = _counts(work / DB_NAME)
        if data_dir.is_dir() and any(data_dir.iterdir()):
            stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
            data_dir.rename(data_dir.with_name(f"{data_dir.name}.voor-herstel-{stamp}"))
        elif data_dir.is_dir():
            data_dir.rmdir()
        work.rename(data_dir)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return api.BackupResult(archive, data_dir, cases, versions, files)

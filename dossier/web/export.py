"""Export cases as the CLI reads them (zip: ``NR/NR.json`` with its files beside it) and the AVG
*inzage*: everything held about one werknemer (all versions, files and audit rows).
"""

from __future__ import annotations

import json
import re
import tempfile
import zipfile
from pathlib import Path
from typing import IO, Any

from dossier.web import beheer_store as bs
from dossier.web.storage import Store


def safe_name(nr: str) -> str:
    """A dossiernummer as a file or folder name (never a BSN: a dossiernummer is not one)."""
    return re.sub(r"[^A-Za-z0-9._-]", "_", nr).strip(".") or "dossier"


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2, default=str) + "\n"


def _spool() -> IO[bytes]:
    return tempfile.SpooledTemporaryFile(max_size=16 * 1024 * 1024)  # returned open to the caller


def export_zip(store: Store, data_dir: Path, records: list[bs.CaseRecord]) -> IO[bytes]:
    """A zip with, per case, ``NR/NR.json`` (the current version, as ``dossier check`` and ``build`` read
    it) and the files it names at the paths it names them. Rewound, ready to stream."""
    out = _spool()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for rec in records:
            folder = safe_name(rec.dossiernummer)
            z.writestr(f"{folder}/{folder}.json", _json(rec.data))
            for rel, path in bs.case_files(data_dir, rec.data):
                z.write(path, f"{folder}/{rel}")
    out.seek(0)
    return out


LEESMIJ = """Inzage in persoonsgegevens (AVG artikel 15)

Dit archief bevat alles wat dossier over deze werknemer bewaart:
- per dossier een map met het huidige casusbestand (NR.json, leesbaar met 'dossier check'),
- versies/: elke opgeslagen versie (wie, wanneer, de volledige inhoud),
- de opgeslagen bestanden (bijlagen en ondertekende scans),
- gegevens/: wat de applicatie verder bij een dossier bijhoudt (uploads, taken),
- audit.json: de logregels over deze dossiers (import, export, inzage).
"""


def inzage_zip(store: Store, data_dir: Path, nr: str) -> tuple[IO[bytes], list[str]]:
    """Everything held about the werknemer of dossier ``nr``: every case of the same werknemer (same BSN,
    or same name and date of birth), deleted ones too. Returns the zip and the dossiernummers in it."""
    this = bs.find_case(store, nr)
    mine = [r for r in bs.all_cases(store) if r.id == this.id or bs.same_employee(r.data, this.data)]
    nrs = [r.dossiernummer for r in mine]
    out = _spool()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("LEESMIJ.txt", LEESMIJ)
        for rec in mine:
            folder = safe_name(rec.dossiernummer)
            z.writestr(f"{folder}/{folder}.json", _json(rec.data))
            versions = bs.all_versions(store, rec.id)
            names: dict[str, Path] = {}
            for v in versions:
                z.writestr(f"{folder}/versies/versie-{v['versie']}.json", _json(v))
                names.update(bs.case_files(data_dir, v["data"]))
            z.writestr(f"{folder}/versies.json", _json({
                "dossiernummer": rec.dossiernummer, "verwijderd_op": rec.deleted_at.isoformat() if rec.deleted_at
                else None, "versies": [{k: v[k] for k in ("versie", "opgeslagen_op", "door", "sha256")}
                                       for v in versions]}))
            for rel, path in names.items():
                z.write(path, f"{folder}/{rel}")
            for table, rows in bs.other_rows(store, rec.id).items():
                z.writestr(f"{folder}/gegevens/{table}.json", _json(rows))
        z.writestr("audit.json", _json([{"op": a.op.isoformat(), "door": a.door, "actie": a.actie,
                                         "dossiernummer": a.dossiernummer, "omschrijving": a.omschrijving}
                                        for a in bs.audit_rows(store, nrs, limit=100_000)]))
    out.seek(0)
    return out, nrs

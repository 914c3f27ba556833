"""The UWV upload set: each part of the re-integratieverslag as its own stamped PDF, plus ``overzicht.txt``."""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import textwrap
from pathlib import Path

from dossier.errors import UsageError
from dossier.fileio import atomic_write_bytes, ensure_dir
from dossier.inputs import UWV_MARKER
from dossier.kinds import KINDS, UWV_TYPE_BRON
from dossier.model import Case
from dossier.nl_format import datum
from dossier.pdf.plan import DossierMeta, Part
from dossier.pdf.preflight import MAX_DOCUMENT_BYTES
from dossier.timeline import Tijdlijn

#: The document type for a part whose kind the registry does not know.
DEFAULT_TYPE = "Overige documenten"


def _safe_name(text: str) -> str:
    return re.sub(r"[^\w\- .()]+", "", text, flags=re.UNICODE).strip()


def uwv_type(kind: str) -> str:
    """The document type to pick in UWV's werkgeversportaal for a part of this kind."""
    found = KINDS.get(kind)
    return found.uwv_type if found is not None and found.uwv_type else DEFAULT_TYPE


def check_uwv_dir(uwv_dir: Path, dossiernummer: str) -> None:
    """Refuse a folder the UWV set may not replace: a file, or a non-empty folder that is not this
    dossier's previous set (recognised by its marker file).

    Raises:
        UsageError: saying what the folder holds.
    """
    uwv_dir = Path(uwv_dir)
    if not uwv_dir.exists():
        return
    if not uwv_dir.is_dir():
        raise UsageError(f"--uwv '{uwv_dir}' is een bestand, geen map")
    marker = uwv_dir / UWV_MARKER
    if marker.is_file():
        owner = marker.read_text(encoding="utf-8", errors="replace").strip()
        if owner != dossiernummer:
            raise UsageError(f"map '{uwv_dir}' bevat de uploadset van dossier {owner}, niet van {dossiernummer}; "
                             "kies een lege of nieuwe map")
        return
    if any(uwv_dir.iterdir()):
        raise UsageError(f"map '{uwv_dir}' is niet leeg en is geen eerdere uploadset van dossier {dossiernummer}; "
                         "kies een lege of nieuwe map (bestanden van een ander dossier mogen niet in de set komen)")


def _reminder(tl: Tijdlijn | None) -> list[str]:
    """When the RIV goes to UWV and the employee's copy is due (dates from the timeline when known)."""
    eind = tl.get("eindevaluatie") if tl is not None else None
    wia = tl.get("wia_aanvraag") if tl is not None else None
    send = f" (aanvragen uiterlijk {datum(wia.uiterlijk)})" if wia is not None else ""
    copy = f" (uiterlijk {datum(eind.uiterlijk)})" if eind is not None else ""
    text = (f"Het re-integratieverslag gaat naar UWV samen met de WIA-aanvraag van de werknemer{send}: upload "
            "het binnen 1 dag nadat de werknemer de WIA-uitkering heeft aangevraagd. De werknemer krijgt "
            f"uiterlijk in week 91 van de ziekte een kopie van alle documenten{copy}. Vul in het portaal bij elk "
            "document de datum in waarop het is ondertekend.")
    return [*textwrap.wrap(text, 100), ""]


def write_uwv_set(case: Case, ordered: list[Part], uwv_dir: Path, *, meta: DossierMeta,
                  tijdlijn: Tijdlijn | None = None, ondertekend: dict[str, str] | None = None) -> list[Path]:
    """Each RIV part as its own PDF named by UWV document type and date, BSN on every page.

    File names never contain the BSN. ``overzicht.txt`` says what to upload under which type, the signing
    state of each generated document (``ondertekend``: part key → "ondertekend op …", "ondertekende scan"
    or "" for not yet; attachments are not in it), and when the RIV and the employee's copy are due
    (``tijdlijn``). The set
    is written whole into a hidden sibling folder and then put in place of ``uwv_dir`` by rename, so
    a previous set is replaced entirely (no stale file of another run stays) and a failure leaves the
    old set as it was.
    """
    uwv_dir = Path(uwv_dir)
    check_uwv_dir(uwv_dir, case.dossiernummer)
    ensure_dir(uwv_dir.parent)
    staging = Path(tempfile.mkdtemp(prefix=f".{uwv_dir.name}.nieuw-", dir=uwv_dir.parent))
    try:
        names = _write_set(case, ordered, staging, meta=meta, tijdlijn=tijdlijn, ondertekend=ondertekend)
        atomic_write_bytes(staging / UWV_MARKER, f"{case.dossiernummer}\n".encode())
        _swap_in(staging, uwv_dir)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return [uwv_dir / n for n in names]


def _swap_in(staging: Path, uwv_dir: Path) -> None:
    """Put ``staging`` where ``uwv_dir`` is: two renames; the old set is removed only afterwards."""
    if not uwv_dir.exists():
        os.replace(staging, uwv_dir)
        return
    old = Path(tempfile.mkdtemp(prefix=f".{uwv_dir.name}.oud-", dir=uwv_dir.parent))
    os.replace(uwv_dir, old / "set")
    try:
        os.replace(staging, uwv_dir)
    except BaseException:
        os.replace(old / "set", uwv_dir)
        raise
    finally:
        shutil.rmtree(old, ignore_errors=True)


def _write_set(case: Case, ordered: list[Part], uwv_dir: Path, *, meta: DossierMeta, tijdlijn: Tijdlijn | None,
               ondertekend: dict[str, str] | None) -> list[str]:
    from dossier.pdf.single import stamp_single

    written: list[str] = []
    lines = [f"Uploadset re-integratieverslag — dossier {case.dossiernummer}, {case.werknemer.naam}",
             "Upload elk bestand in het werkgeversportaal van UWV (Uploaden > Re-integratieverslag (RIV)) en kies",
             "het documenttype dat hieronder staat. Onderteken elk document. Het BSN staat op elke pagina.",
             "Medische informatie hoort niet in deze set: die stuurt de werknemer of de bedrijfsarts zelf.", "",
             *_reminder(tijdlijn), *textwrap.wrap(UWV_TYPE_BRON, 100), ""]
    bsn = f"BSN {case.werknemer.bsn}" if case.werknemer.bsn else "BSN: (ontbreekt in de casus)"
    for n, p in enumerate(ordered, start=1):
        when = p.datum.isoformat() if p.datum else "zonder-datum"
        short = re.sub(r"\s*\(.*?\)", "", p.title)  # "Inspanningsrapportage 1 (12 januari …)" → short
        name = f"{n:02d} {_safe_name(short)} {when}.pdf"
        target = uwv_dir / name
        stamp_single(p.pdf, target, meta=meta, left=f"{case.werknemer.naam} · {bsn} · {p.title}",
                     title=f"{p.title} — {case.werknemer.naam}", password=p.password)
        size = target.stat().st_size
        note = "  LET OP: groter dan 10 MB" if size > MAX_DOCUMENT_BYTES else ""
        state = (ondertekend or {}).get(p.key)
        signed = "" if state is None else f"; {state or 'nog niet ondertekend'}"
        lines.append(f"{name}\n    documenttype: {uwv_type(p.kind)}; "
                     f"datum {datum(p.datum) or 'onbekend'}{signed}; {size / 1024:.0f} kB{note}")
        written.append(name)
    atomic_write_bytes(uwv_dir / "overzicht.txt", ("\n".join(lines) + "\n").encode("utf-8"))
    return [*written, "overzicht.txt"]

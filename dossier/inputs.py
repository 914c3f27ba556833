"""Where inputs are and what outputs may not touch.

Attachments are looked up only inside the case file's folder (or a folder the caller names, such as
a web application's file store): an absolute name, ``../`` or a symlink that leads elsewhere is
refused, so case data cannot make dossier read (and send to UWV) any file on the machine. And an
output is never written over an input: the case file, an attachment or a template in use is
compared with every output path — after symlinks, and by inode for hard links — before any work.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from dossier.errors import UsageError

#: The file in a UWV upload set that says which dossier the set belongs to.
UWV_MARKER = ".dossier-uwv"


@dataclass(frozen=True)
class Located:
    """Where an attachment's file name leads.

    Attributes:
        path: the resolved file (None when not found or refused).
        outside: the name leads out of the allowed folders (``path`` is then None).
    """

    path: Path | None
    outside: bool = False


def _roots(base: Path, extra: Path | None) -> list[Path]:
    roots = [Path(base).resolve()]
    if extra is not None:
        roots.append(Path(extra).resolve())
    return roots


def _inside(path: Path, roots: list[Path]) -> bool:
    return any(path == r or path.is_relative_to(r) for r in roots)


def locate_attachment(bestand: str, base: Path, extra: Path | None = None) -> Located:
    """Resolve an attachment's file name against the case folder ``base`` (then ``extra``).

    The name must lead, after ``..`` and symlinks, to a file inside ``base`` or ``extra``; anything
    else is ``outside`` (even when the file does not exist, so the answer does not depend on what
    happens to be on the disk).
    """
    roots = _roots(base, extra)
    outside = False
    for root in roots:
        candidate = root / bestand  # an absolute name replaces the root
        if not _inside(Path(os.path.normpath(candidate)), roots):
            outside = True
            continue
        try:
            resolved = candidate.resolve()
            found = resolved.is_file()
        except (OSError, ValueError, RuntimeError):  # too long for the file system, a symlink loop
            continue
        if not found:
            continue
        if _inside(resolved, roots):
            return Located(resolved)
        outside = True  # a symlink out
    return Located(None, outside=outside)


def same_file(a: Path, b: Path) -> bool:
    """The same file after symlinks, or the same inode (a hard link)."""
    try:
        if Path(a).resolve() == Path(b).resolve():
            return True
        return os.path.samefile(a, b)
    except (OSError, ValueError):
        return False


def refuse_overwrite(inputs: Iterable[Path], *, files: Iterable[Path] = (), folders: Iterable[Path] = ()) -> None:
    """Refuse (before any work) to write a file that is an input, or replace a folder holding one.

    Raises:
        UsageError: naming the output and the input.
    """
    inputs = [Path(p) for p in inputs]
    for out in map(Path, files):
        for inp in inputs:
            if same_file(out, inp):
                raise UsageError(f"uitvoer '{out}' is een invoerbestand ('{inp}'); dat zou worden overschreven. "
                                 "Kies een ander uitvoerpad.")
    for folder in map(Path, folders):
        root = folder.resolve()
        for inp in inputs:
            try:
                resolved = inp.resolve()
            except (OSError, RuntimeError):
                continue
            if resolved.is_relative_to(root):
                raise UsageError(f"uitvoermap '{folder}' bevat invoerbestand '{inp}'; die map wordt in zijn geheel "
                                 "vervangen. Kies een andere map.")


def template_inputs(templates_dir: Path | None) -> list[Path]:
    """The firm templates that may be in use (every file in the templates folder)."""
    if templates_dir is None or not Path(templates_dir).is_dir():
        return []
    return [p for p in Path(templates_dir).iterdir() if p.is_file()]


def case_inputs(source: Path, bestanden: Iterable[str], *, bijlagen_map: Path | None,
                templates_dir: Path | None) -> list[Path]:
    """Every input of one case: its file, its attachments that resolve, the firm templates."""
    base = Path(source).parent
    found = [loc.path for b in bestanden if (loc := locate_attachment(b, base, bijlagen_map)).path is not None]
    return [Path(source), *found, *template_inputs(templates_dir)]

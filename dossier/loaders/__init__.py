"""Read case files (CSV, XLSX, JSON) into records; ``load_cases`` also validates them."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from dossier.errors import CaseDataError, Issue, Severity
from dossier.loaders.json_file import read_json
from dossier.loaders.records import Record
from dossier.loaders.tabular import iter_csv, iter_xlsx

READERS: dict[str, Callable[[Path], Iterable[Record]]] = {
    ".csv": iter_csv, ".txt": iter_csv, ".xlsx": iter_xlsx, ".json": read_json}
SUPPORTED = ", ".join(sorted(READERS))


def read_records(path: Path) -> list[Record]:
    """Pick a reader by the file's suffix and read all raw cases from it."""
    return list(iter_records(path))


def iter_records(path: Path) -> Iterator[Record]:
    """Stream the raw cases of a file (CSV and XLSX row by row, a JSON list case by case).

    Raises:
        CaseDataError: unknown type, missing file, or a file that cannot be read (possibly only
            once iteration reaches the broken part).
    """
    path = Path(path)
    reader = READERS.get(path.suffix.lower())
    if reader is None:
        why = f"onbekend bestandstype '{path.suffix}'; verwacht een van: {SUPPORTED}"
        raise CaseDataError(f"{path.name}: {why}", [Issue(Severity.fout, path.name, "", "", why)])
    if not path.is_file():
        why = "bestand niet gevonden" if not path.exists() else "dit is geen bestand"
        raise CaseDataError(f"{path}: {why}", [Issue(Severity.fout, str(path), "", "", why)])
    yield from reader(path)


def expand_inputs(paths: list[Path]) -> list[Path]:
    """Files as given; a folder becomes the case files in it (sorted)."""
    out: list[Path] = []
    for p in paths:
        if p.is_dir():
            out.extend(sorted(f for f in p.iterdir() if f.suffix.lower() in READERS and f.is_file()))
        else:
            out.append(p)
    return out


__all__ = ["Record", "expand_inputs", "iter_records", "read_records"]

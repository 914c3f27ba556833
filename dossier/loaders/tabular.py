"""CSV and XLSX readers: one case per row, dotted-path column headers.

CSV as Dutch Excel writes it: ``;`` or ``,`` (sniffed), UTF-8 with or without BOM, cp1252 as the
fallback for the legacy "CSV (puntkomma)" export, CRLF line ends. Readers only decode and split;
turning text into dates and numbers is the model's job, so each concern is tested once.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from dossier.errors import CaseDataError, Issue, Severity
from dossier.loaders.paths import canonical_path, unflatten
from dossier.loaders.records import Record


def _decode(raw: bytes, path: Path) -> str:
    if b"\x00" in raw[:4096]:
        raise _unreadable(path, "dit is geen tekstbestand (binaire inhoud); verwacht CSV")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")


def _unreadable(path: Path, why: str) -> CaseDataError:
    issue = Issue(Severity.fout, path.name, "", "", why)
    return CaseDataError(f"{path.name}: {why}", [issue])


def _sniff_delimiter(text: str) -> str:
    first = text.split("\n", 1)[0]
    try:
        return csv.Sniffer().sniff(first, delimiters=";,\t").delimiter
    except csv.Error:
        return ";" if first.count(";") >= first.count(",") else ","


def read_csv(path: Path) -> list[Record]:
    """Read a CSV export; raise :class:`CaseDataError` when the file cannot be read at all."""
    try:
        raw = path.read_bytes()
    except OSError as e:
        raise _unreadable(path, f"kan het bestand niet lezen ({e.strerror})") from None
    text = _decode(raw, path)
    if not text.strip():
        raise _unreadable(path, "het bestand is leeg; verwacht een kopregel met kolomnamen")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_sniff_delimiter(text))
    rows: Iterator[list[str]] = iter(reader)
    try:
        header = next(rows)
    except csv.Error as e:
        raise _unreadable(path, f"ongeldige CSV ({e})") from None
    return list(_records(path, header, ((reader.line_num, row) for row in _guard(rows, path))))


def _guard(rows: Iterator[list[str]], path: Path) -> Iterator[list[str]]:
    try:
        yield from rows
    except csv.Error as e:
        raise _unreadable(path, f"ongeldige CSV ({e})") from None


def read_xlsx(path: Path) -> list[Record]:
    """Read the first sheet of an .xlsx workbook (first row = headers; date cells stay dates)."""
    from openpyxl import load_workbook

    # A damaged workbook can make zipfile, zlib, lxml or openpyxl raise almost anything (BadZipFile,
    # zlib.error, XMLSyntaxError, KeyError, TypeError, ...), while opening it and, in read-only mode,
    # while the sheet XML is parsed during iteration: all of it means "not a valid .xlsx".
    why = "geen geldig Excel-bestand (.xlsx); is het beschadigd of een ander bestandstype?"
    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except Exception as e:
        raise _unreadable(path, why) from e
    try:
        rows = [list(r) for r in wb.worksheets[0].iter_rows(values_only=True)]
    except Exception as e:
        raise _unreadable(path, why) from e
    finally:
        wb.close()
    if not rows:
        raise _unreadable(path, "het eerste werkblad is leeg")
    header = [("" if h is None else str(h)) for h in rows[0]]
    return list(_records(path, header, enumerate(rows[1:], start=2)))


def _records(
    path: Path, header: list[str], rows: Iterable[tuple[int, list[Any]]]
) -> Iterator[Record]:
    paths = [canonical_path(h) if h and h.strip() else "" for h in header]
    seen: dict[str, str] = {}
    duplicate_cols: list[str] = []
    for h, p in zip(header, paths, strict=True):
        if p and p in seen:
            duplicate_cols.append(h)
        elif p:
            seen[p] = h.strip()
    unknown_paths = {p for p in seen if _not_in_model(p)}
    header_unknown = tuple(seen[p] for p in seen if p in unknown_paths)
    known = [p if p and p not in unknown_paths else "" for p in paths]
    origin = {p: h for p, h in seen.items() if p not in unknown_paths}
    for line, row in rows:
        if all(_blank(v) for v in row):
            continue
        flat: dict[str, Any] = {}
        extra_cells = len(row) > len(header) and any(not _blank(v) for v in row[len(header):])
        for p, value in zip(known, row, strict=False):
            if p and not _blank(value) and p not in flat:
                flat[p] = value.strip() if isinstance(value, str) else value
        unknown = header_unknown + tuple(f"{c} (dubbele kolom)" for c in duplicate_cols)
        if extra_cells:
            unknown += ("(meer cellen dan kolomnamen)",)
        yield Record(path, f"regel {line}", unflatten(flat), origin, unknown)


def _not_in_model(path: str) -> bool:
    """True for a column the case model has no field for (medical columns included)."""
    from dossier.loaders.paths import MEDICAL_KEYS, is_index, list_index, unknown_keys
    from dossier.model import Case

    parts = path.split(".")
    if any(part in MEDICAL_KEYS for part in parts):
        return True
    if any(is_index(part) and list_index(part) is None for part in parts):
        return True  # a list index beyond MAX_LIST_INDEX: never read
    return bool(unknown_keys(Case, unflatten({path: ""})))


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())

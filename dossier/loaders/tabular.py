"""CSV and XLSX readers: one case per row, dotted-path column headers.

CSV as Dutch Excel writes it: ``;`` or ``,`` (sniffed), UTF-8 with or without BOM, cp1252 as the
fallback for the legacy "CSV (puntkomma)" export, CRLF line ends. Readers only decode and split;
turning text into dates and numbers is the model's job, so each concern is tested once.
"""

from __future__ import annotations

import codecs
import csv
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from dossier.errors import CaseDataError, Issue, Severity
from dossier.loaders.paths import canonical_path, unflatten
from dossier.loaders.records import Record


def _unreadable(path: Path, why: str) -> CaseDataError:
    issue = Issue(Severity.fout, path.name, "", "", why)
    return CaseDataError(f"{path.name}: {why}", [issue])


def _encoding(path: Path) -> str:
    """``utf-8-sig`` when the whole file is valid UTF-8, else ``cp1252`` (the legacy Excel export).

    Checked chunk by chunk with an incremental decoder, so memory stays flat for any file size.
    """
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        with path.open("rb") as f:
            head = f.read(4096)
            if b"\x00" in head:
                raise _unreadable(path, "dit is geen tekstbestand (binaire inhoud); verwacht CSV")
            try:
                decoder.decode(head)
                while chunk := f.read(1 << 20):
                    decoder.decode(chunk)
                decoder.decode(b"", final=True)
            except UnicodeDecodeError:
                return "cp1252"
    except OSError as e:
        raise _unreadable(path, f"kan het bestand niet lezen ({e.strerror})") from None
    return "utf-8-sig"


def _sniff_delimiter(first_line: str) -> str:
    try:
        return csv.Sniffer().sniff(first_line, delimiters=";,\t").delimiter
    except csv.Error:
        return ";" if first_line.count(";") >= first_line.count(",") else ","


def iter_csv(path: Path) -> Iterator[Record]:
    """Stream the records of a CSV export, one row at a time (bounded memory for any size).

    Raises:
        CaseDataError: the file cannot be read at all (also while iterating: a broken quote).
    """
    encoding = _encoding(path)
    with path.open("r", encoding=encoding, errors="replace", newline="") as f:
        first = f.readline()
        if not first.strip() and not f.read(1 << 16).strip():
            raise _unreadable(path, "het bestand is leeg; verwacht een kopregel met kolomnamen")
        f.seek(0)
        reader = csv.reader(f, delimiter=_sniff_delimiter(first))
        try:
            header = next(reader)
        except (csv.Error, StopIteration) as e:
            raise _unreadable(path, f"ongeldige CSV ({e})") from None
        yield from _records(path, header, ((reader.line_num, row) for row in _guard(reader, path)))


def read_csv(path: Path) -> list[Record]:
    """Read a whole CSV export (see :func:`iter_csv`)."""
    return list(iter_csv(path))


def _guard(rows: Iterator[list[str]], path: Path) -> Iterator[list[str]]:
    try:
        yield from rows
    except csv.Error as e:
        raise _unreadable(path, f"ongeldige CSV ({e})") from None


def iter_xlsx(path: Path) -> Iterator[Record]:
    """Stream the first sheet of an .xlsx workbook (first row = headers; date cells stay dates)."""
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
        rows = _guarded_rows(wb.worksheets[0].iter_rows(values_only=True), path, why)
        try:
            first = next(rows)
        except StopIteration:
            raise _unreadable(path, "het eerste werkblad is leeg") from None
        header = [("" if h is None else str(h)) for h in first]
        yield from _records(path, header, enumerate(rows, start=2))
    except CaseDataError:
        raise
    except Exception as e:
        raise _unreadable(path, why) from e
    finally:
        wb.close()


def _guarded_rows(rows: Iterator[tuple[Any, ...]], path: Path, why: str) -> Iterator[list[Any]]:
    try:
        for row in rows:
            yield list(row)
    except Exception as e:
        raise _unreadable(path, why) from e


def read_xlsx(path: Path) -> list[Record]:
    """Read a whole workbook's first sheet (see :func:`iter_xlsx`)."""
    return list(iter_xlsx(path))


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

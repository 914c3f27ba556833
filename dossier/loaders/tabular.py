"""CSV and XLSX readers: one case per row, dotted-path column headers.

CSV as Dutch Excel writes it: ``;`` or ``,`` (sniffed), UTF-8 with or without BOM, cp1252 as the
fallback for the legacy "CSV (puntkomma)" export, CRLF line ends. Readers only decode and split;
turning text into dates and numbers is the model's job, so each concern is tested once.
"""

from __future__ import annotations

import contextlib
import csv
import itertools
import logging
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dossier.errors import CaseDataError, Issue, Severity
from dossier.loaders.paths import canonical_path, unflatten
from dossier.loaders.records import Record

log = logging.getLogger(__name__)

#: Empty rows in a row after which the rest of a worksheet is not read. Excel keeps formatted empty
#: rows (up to row 1,048,576), and a sheet's stored dimension can claim them too; reading on would
#: take minutes for nothing.
MAX_EMPTY_ROWS = 1_000


def _unreadable(path: Path, why: str) -> CaseDataError:
    issue = Issue(Severity.fout, path.name, "", "", why)
    return CaseDataError(f"{path.name}: {why}", [issue])


#: Line numbers kept per encoding for the mixed-encoding warning.
_SHOW_LINES = 10


@dataclass
class _Encoding:
    """How a CSV file is encoded: one codec for the whole file, or (mixed) one per line."""

    codec: str  # "utf-8-sig", "cp1252" or "gemengd"
    utf8: list[int] = field(default_factory=list)  # line numbers with non-ASCII UTF-8 (first few)
    cp1252: list[int] = field(default_factory=list)  # line numbers that are not valid UTF-8
    n_utf8: int = 0
    n_cp1252: int = 0


def _encoding(path: Path) -> _Encoding:
    """``utf-8-sig`` when every line is valid UTF-8, ``cp1252`` (the legacy Excel export) when no line
    has non-ASCII UTF-8, else ``gemengd``: lines from both (pasted together from two exports).

    Read line by line, so memory stays flat for any file size.
    """
    enc = _Encoding("utf-8-sig")
    try:
        with path.open("rb") as f:
            if b"\x00" in f.read(4096):
                raise _unreadable(path, "dit is geen tekstbestand (binaire inhoud); verwacht CSV")
            f.seek(0)
            for number, raw in enumerate(f, start=1):
                if raw.isascii():
                    continue
                try:
                    raw.decode("utf-8")
                except UnicodeDecodeError:
                    enc.n_cp1252 += 1
                    if len(enc.cp1252) < _SHOW_LINES:
                        enc.cp1252.append(number)
                else:
                    enc.n_utf8 += 1
                    if len(enc.utf8) < _SHOW_LINES:
                        enc.utf8.append(number)
    except OSError as e:
        raise _unreadable(path, f"kan het bestand niet lezen ({e.strerror})") from None
    if enc.n_cp1252:
        enc.codec = "gemengd" if enc.n_utf8 else "cp1252"
    return enc


def _regels(numbers: list[int], total: int) -> str:
    shown = ", ".join(str(n) for n in numbers)
    return f"{shown} en nog {total - len(numbers)}" if total > len(numbers) else shown


@contextlib.contextmanager
def _text_lines(path: Path, enc: _Encoding) -> Iterator[Iterator[str]]:
    """The lines of the file as text; a mixed file decodes each line with its own codec."""
    if enc.codec != "gemengd":
        with path.open("r", encoding=enc.codec, errors="replace", newline="") as f:
            yield iter(f)
        return
    # Each line that is valid UTF-8 is UTF-8: Windows-1252 text with accents almost never is.
    minority, total, other = ((enc.utf8, enc.n_utf8, "UTF-8") if enc.n_utf8 <= enc.n_cp1252
                              else (enc.cp1252, enc.n_cp1252, "Windows-1252 (ANSI)"))
    log.warning("%s: het bestand mengt twee tekenbanken: regel %s in %s, de andere regels met accenten in "
                "%s; elke regel is apart gelezen. Controleer namen met accenten en sla het bestand liefst "
                "opnieuw op als CSV UTF-8", path.name, _regels(minority, total), other,
                "Windows-1252 (ANSI)" if other == "UTF-8" else "UTF-8")

    def lines(f: Any) -> Iterator[str]:
        for number, raw in enumerate(f, start=1):
            try:
                text = raw.decode("utf-8-sig" if number == 1 else "utf-8")
            except UnicodeDecodeError:
                text = raw.decode("cp1252", errors="replace")
            yield text

    with path.open("rb") as f:
        yield lines(f)


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
    with _text_lines(path, _encoding(path)) as lines:
        first = next(lines, "")
        peeked = [first]
        while not "".join(peeked).strip():
            more = next(lines, None)
            if more is None or sum(map(len, peeked)) > 1 << 16:
                raise _unreadable(path, "het bestand is leeg; verwacht een kopregel met kolomnamen")
            peeked.append(more)
        reader = csv.reader(itertools.chain(peeked, lines), delimiter=_sniff_delimiter(first))
        try:
            header = next(reader)
        except csv.Error as e:
            raise _unreadable(path, f"ongeldige CSV ({_csv_why(e)})") from None
        except StopIteration:
            raise _unreadable(path, "het bestand is leeg; verwacht een kopregel met kolomnamen") from None
        yield from _records(path, header, ((reader.line_num, row) for row in _guard(reader, path)))


def read_csv(path: Path) -> list[Record]:
    """Read a whole CSV export (see :func:`iter_csv`)."""
    return list(iter_csv(path))


def _guard(rows: Iterator[list[str]], path: Path) -> Iterator[list[str]]:
    try:
        yield from rows
    except csv.Error as e:
        raise _unreadable(path, f"ongeldige CSV ({_csv_why(e)})") from None


def _csv_why(exc: csv.Error) -> str:
    """The csv module's (English) message in Dutch, for what Excel exports can contain."""
    text = str(exc)
    if m := re.search(r"field larger than field limit \((\d+)\)", text):
        return f"een cel is langer dan {int(m.group(1)):,} tekens".replace(",", ".")
    if "NUL" in text:
        return "het bestand bevat nul-tekens (binaire inhoud?)"
    if "new-line character seen in unquoted field" in text:
        return "een regeleinde midden in een cel zonder aanhalingstekens"
    return text


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
        sheet = wb.worksheets[0]
        # Read the rows the sheet has, not the dimension it declares: "A1:XFD1048576" would make
        # openpyxl pad every row to 16,384 cells and invent rows up to 1,048,576.
        sheet.reset_dimensions()
        rows = _guarded_rows(sheet.iter_rows(values_only=True), path, why)
        try:
            first = next(rows)
        except StopIteration:
            raise _unreadable(path, "het eerste werkblad is leeg") from None
        header = [("" if h is None else str(h)) for h in first]
        yield from _records(path, header, _until_empty_run(enumerate(rows, start=2), path))
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


def _until_empty_run(rows: Iterator[tuple[int, list[Any]]], path: Path) -> Iterator[tuple[int, list[Any]]]:
    """The rows up to the first run of :data:`MAX_EMPTY_ROWS` empty ones (with a warning if more follow)."""
    empty = 0
    for line, row in rows:
        if _blank_row(row):
            empty += 1
            if empty >= MAX_EMPTY_ROWS:
                if next(rows, None) is not None:
                    log.warning("%s: na regel %d staan %s lege regels achter elkaar; de rest van het "
                                "werkblad is niet gelezen (staan daarna nog casussen, verwijder dan de lege "
                                "regels)", path.name, line - empty, f"{MAX_EMPTY_ROWS:,}".replace(",", "."))
                return
            continue
        empty = 0
        yield line, row


def _blank_row(row: list[Any]) -> bool:
    # count() runs in C: a formatted empty row can be 16,384 cells wide.
    return row.count(None) == len(row) or all(_blank(v) for v in row)


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
        if _blank_row(row):
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

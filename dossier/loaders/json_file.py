"""JSON case files: one case object, or a list of case objects.

A list is read element by element from a bounded text buffer, so a batch over a JSON export of
thousands of cases never holds the whole file (or all parsed cases) in memory, like the CSV and
XLSX readers. A syntax error is reported with the line and column in the file, once reading
reaches it; the cases before it have been handed on by then, as with a broken CSV row.
"""

from __future__ import annotations

import codecs
import json
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from dossier.errors import CaseDataError, Issue, Severity
from dossier.loaders.records import Record

#: Bytes read at a time; an element larger than the buffer doubles the next read.
CHUNK = 1 << 20
_WS = " \t\n\r"
_CUT_OFF = "ongeldige JSON: het bestand houdt op midden in de lijst van casussen"


def _fail(path: Path, why: str) -> CaseDataError:
    return CaseDataError(f"{path.name}: {why}", [Issue(Severity.fout, path.name, "", "", why)])


class _Text:
    """Decoded text of a file, read in chunks; consumed text is dropped as reading goes on."""

    def __init__(self, f: IO[bytes], path: Path) -> None:
        self._f, self._path = f, path
        self._decoder = codecs.getincrementaldecoder("utf-8-sig")()
        self.text = ""
        self.pos = 0
        self.eof = False
        self._line = 1  # line and column (1-based) of text[0] in the file
        self._col = 1

    def more(self, at_least: int = CHUNK) -> bool:
        """Append the next chunk; False at the end of the file."""
        if self.eof:
            return False
        chunk = self._f.read(max(CHUNK, at_least))
        try:
            new = self._decoder.decode(chunk, final=not chunk)
        except UnicodeDecodeError:
            raise self.fail("het bestand is geen UTF-8-tekst; sla het op als UTF-8") from None
        self._line, self._col = self.where(self.pos)
        self.text, self.pos = self.text[self.pos:] + new, 0
        self.eof = not chunk
        return True

    def where(self, pos: int) -> tuple[int, int]:
        """Line and column in the file of ``text[pos]``."""
        done = self.text[:pos]
        newlines = done.count("\n")
        if not newlines:
            return self._line, self._col + pos
        return self._line + newlines, pos - done.rfind("\n")

    def fail(self, why: str) -> CaseDataError:
        return _fail(self._path, why)

    def fail_at(self, pos: int, why: str) -> CaseDataError:
        """A syntax error at ``text[pos]``, named by line and column in the file."""
        line, col = self.where(pos)
        return self.fail(f"ongeldige JSON op regel {line}, kolom {col}: {why}")

    def skip_ws(self) -> str | None:
        """Move to the next non-blank character and return it (None at the end of the file)."""
        while True:
            while self.pos < len(self.text) and self.text[self.pos] in _WS:
                self.pos += 1
            if self.pos < len(self.text):
                return self.text[self.pos]
            if not self.more():
                return None

    def rest(self) -> str:
        while self.more():
            pass
        return self.text[self.pos:]


def _value(text: _Text, decoder: json.JSONDecoder) -> Any:
    """Decode the JSON value at the current position, reading more until it is complete."""
    while True:
        try:
            value, end = decoder.raw_decode(text.text, text.pos)
        except json.JSONDecodeError as e:
            # At the end of the buffer the value may just be cut off by the chunk boundary.
            truncated = e.msg.startswith("Unterminated string") or e.pos >= len(text.text) - 6
            if truncated and text.more(len(text.text)):
                continue
            raise
        if end == len(text.text) and text.more():  # a number may go on in the next chunk
            continue
        text.pos = end
        return value


def _end(text: _Text) -> None:
    """Past the closing ']': only blanks may follow."""
    text.pos += 1
    if text.skip_ws() is not None:
        raise text.fail_at(text.pos, "tekst na het einde van de lijst")


def _parse_list(text: _Text, path: Path) -> Iterator[Record]:
    decoder = json.JSONDecoder()
    text.pos += 1  # the '['
    if text.skip_ws() == "]":
        _end(text)
        return
    i = 0
    while True:
        i += 1
        if text.skip_ws() is None:
            raise text.fail(_CUT_OFF)
        try:
            item = _value(text, decoder)
        except json.JSONDecodeError as e:
            raise text.fail_at(e.pos, e.msg) from None
        if not isinstance(item, dict):
            raise text.fail(f"casus {i} is geen JSON-object")
        yield Record(path, f"casus {i}", item)
        c = text.skip_ws()
        if c == "]":
            _end(text)
            return
        if c is None:
            raise text.fail(_CUT_OFF)
        if c != ",":
            raise text.fail_at(text.pos, f"verwacht ',' of ']' na casus {i}")
        text.pos += 1


def read_json(path: Path) -> Iterator[Record]:
    """Stream one case or a list of cases; raise :class:`CaseDataError` when it is not valid JSON."""
    try:
        f = path.open("rb")
    except OSError as e:
        raise _fail(path, f"kan het bestand niet lezen ({e.strerror})") from None
    with f:
        text = _Text(f, path)
        try:
            first = text.skip_ws()
            if first is None:
                raise text.fail("het bestand is leeg; verwacht een JSON-object met een casus")
            if first == "[":
                yield from _parse_list(text, path)
                return
            try:
                data = json.loads(text.rest())
            except json.JSONDecodeError as e:
                raise text.fail_at(text.pos + e.pos, e.msg) from None
        except OSError as e:
            raise text.fail(f"kan het bestand niet lezen ({e.strerror})") from None
        except ValueError:  # Python refuses to convert an integer of more than 4300 digits
            raise text.fail("ongeldige JSON: een getal is te lang (meer dan 4300 cijfers)") from None
        except RecursionError:
            raise text.fail("ongeldige JSON: te diep genest") from None
    if isinstance(data, dict):
        yield Record(path, "", data)
        return
    raise _fail(path, "verwacht een JSON-object (één casus) of een lijst van casussen")

"""JSON case files: one case object, or a list of case objects."""

from __future__ import annotations

import json
from pathlib import Path

from dossier.errors import CaseDataError, Issue, Severity
from dossier.loaders.records import Record


def read_json(path: Path) -> list[Record]:
    """Read one case or a list of cases; raise :class:`CaseDataError` when it is not JSON."""

    def fail(why: str) -> CaseDataError:
        return CaseDataError(f"{path.name}: {why}", [Issue(Severity.fout, path.name, "", "", why)])

    try:
        raw = path.read_bytes()
    except OSError as e:
        raise fail(f"kan het bestand niet lezen ({e.strerror})") from None
    if not raw.strip():
        raise fail("het bestand is leeg; verwacht een JSON-object met een casus")
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise fail("het bestand is geen UTF-8-tekst; sla het op als UTF-8") from None
    except json.JSONDecodeError as e:
        raise fail(f"ongeldige JSON op regel {e.lineno}, kolom {e.colno}: {e.msg}") from None
    except ValueError:  # Python refuses to convert an integer of more than 4300 digits
        raise fail("ongeldige JSON: een getal is te lang (meer dan 4300 cijfers)") from None
    except RecursionError:
        raise fail("ongeldige JSON: te diep genest") from None
    if isinstance(data, dict):
        return [Record(path, "", data)]
    if isinstance(data, list):
        records = []
        for i, item in enumerate(data, start=1):
            if not isinstance(item, dict):
                raise fail(f"casus {i} is geen JSON-object")
            records.append(Record(path, f"casus {i}", item))
        return records
    raise fail("verwacht een JSON-object (één casus) of een lijst van casussen")

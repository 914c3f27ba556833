"""Privacy helpers: the BSN never reaches a log line, error message, report or file name, and free
text is scanned for medical details that do not belong in the employer's dossier.

The Autoriteit Persoonsgegevens' Beleidsregels "De zieke werknemer" forbid the employer to record
the diagnosis, symptoms, treatment or cause of an illness, even as free text and even with the
employee's consent. The case model has no field for them; :func:`scan_case` checks the prose
fields (belastbaarheid, verslagen, visies, opmerkingen, …) against a curated Dutch word list in
``dossier/data/medische_termen.txt``. How the list is organised (standalone terms, body-part stems
that only count in a medical compound, an allow-list of known false positives) is documented at the
top of that file.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources
from typing import Any

from pydantic import BaseModel

from dossier.model_walk import walk_values

#: A BSN as people write it and the model accepts it: 123456789, 1234.56.789 or 123 456 789 (dots,
#: spaces or dashes), not glued to other digits. One pass: scrub runs on every message and log line.
_BSN_LIKE = re.compile(r"(?<!\d)\d{3}(?:\d{6}|\d[.\s-]\d{2}[.\s-]\d{3}|[.\s-]\d{3}[.\s-]\d{3})(?!\d)")


def mask_bsn(value: str) -> str:
    """Mask a BSN, keeping the last four digits: ``123456782`` → ``*****6782``."""
    digits = re.sub(r"\D", "", value)
    if len(digits) < 4:
        return "*" * len(digits)
    return "*" * (len(digits) - 4) + digits[-4:]


#: Control characters a terminal would act on (escape sequences, backspace, carriage return, bell,
#: and the C1 range that some terminals read as escapes); tab and newline are text.
_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def escape_controls(text: str) -> str:
    """Control characters as visible escapes (``\\x1b``), so that text from case data or file names
    printed in a message cannot drive the terminal (colours, cursor moves, a cleared screen)."""
    return _CONTROLS.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def scrub(text: str) -> str:
    """Make free text safe to show (log lines, messages, reports): mask every BSN-like number and
    escape control characters (:func:`escape_controls`).

    Nine digits in a row, or grouped as 1234.56.789 or 123 456 789 (dots, spaces or dashes), become
    ``*****6789``: the notations the model itself accepts as a BSN.
    """
    return escape_controls(_BSN_LIKE.sub(lambda m: mask_bsn(m.group()), text))


# --- medical terms in free text ----------------------------------------------------------------

#: Package resource with the word list (see the comment block at its top for the format).
MEDICAL_TERMS_RESOURCE = "data/medische_termen.txt"

#: String fields that are not prose about the employee's sickness, so they are never scanned:
#: names, contact data, identifiers, file names, closed vocabularies, and the description of the
#: job and the employee's qualifications. Job data legitimately uses medical vocabulary in the care
#: sector ("Verzorgende IG", "medicatie uitreiken", employer "Ziekenhuis Rivierenland"); it says
#: nothing about this employee's health. ``vangnet`` is the Ziektewet category (zwangerschap,
#: orgaandonatie, …), which the Autoriteit Persoonsgegevens lets the employer record.
NOT_PROSE_FIELDS = frozenset({
    "naam", "functie", "organisatie", "telefoon", "email", "adres", "postcode", "plaats",
    "loonheffingennummer", "kvk", "sector", "bsn", "personeelsnummer", "dossiernummer",
    "functieomschrijving", "opleiding", "vaardigheden", "werkgever", "bureau", "wie", "soort",
    "status", "bestand", "wachtwoord", "auteur", "vangnet", "door",
})

_EXCERPT_CONTEXT = 20  # characters of context on each side of a hit (≈ 40 in total)
_LETTER = r"[^\W\d_]"
_SECTIONS = ("los", "woord", "stam", "kop", "eind", "afkorting", "toegestaan")
#: What may follow a [kop] head: an inflection, not a further compound ("hersenscans", not "handscanner").
_INFLECTION = "(?:s|e|en|n|t?jes?)?"


@dataclass(frozen=True)
class MedicalHit:
    """One possible medical detail found in free text.

    Attributes:
        term: the flagged word as written (a whole word, e.g. ``Rugklachten``).
        start: offset of the word in the scanned text.
        end: offset just after the word.
        excerpt: about 40 characters around the word on one line, the word marked as ``»word«``.
    """

    term: str
    start: int
    end: int
    excerpt: str


@dataclass(frozen=True)
class _Matcher:
    pattern: re.Pattern[str]
    #: lower-cased flagged word → allow-list phrases containing it, with the word's offset
    allowed: dict[str, tuple[tuple[str, int], ...]]


def scan_medical(text: str) -> list[MedicalHit]:
    """Find words in ``text`` that point at a diagnosis, symptom, treatment or medication.

    Matching is by whole word, Dutch compounds included: a medical term at the start of a word
    ("herniaoperatie"), a body-part stem followed by a medical head ("rugklachten", but not
    "rugzak"), or a medical ending ("sportblessure"). Known false positives ("zwangerschapsverlof",
    "in behandeling", "MS Teams") are exempt.

    Args:
        text: free text. Text that is not in Unicode NFC form is normalised first; offsets then
            refer to the normalised text.

    Returns:
        The hits in text order (empty for clean text).
    """
    if not text:
        return []
    if not text.isascii() and not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    matcher = _matcher()
    hits: list[MedicalHit] = []
    for m in matcher.pattern.finditer(text):
        word = m.group()
        if _is_allowed(text, m.start(), word.lower(), matcher.allowed):
            continue
        hits.append(MedicalHit(word, m.start(), m.end(), _excerpt(text, m.start(), m.end())))
    return hits


def scan_case(case: BaseModel) -> list[tuple[str, MedicalHit]]:
    """Scan every prose string field of a case (nested models and lists included).

    Args:
        case: a validated :class:`~dossier.model.Case` (any pydantic model works).

    Returns:
        ``(dotted field path, hit)`` pairs; list items are numbered from 0, as in
        ``evaluaties.3.verslag`` or ``tweede_spoor.stappen.1``.
    """
    return [(path, hit) for path, text in walk_values(case, str, skip=NOT_PROSE_FIELDS)
            for hit in scan_medical(text)]


def _is_allowed(text: str, start: int, word: str, allowed: dict[str, tuple[tuple[str, int], ...]]) -> bool:
    for phrase, offset in allowed.get(word, ()):
        begin = start - offset
        if begin >= 0 and text[begin:begin + len(phrase)].lower() == phrase:
            return True
    return False


def _excerpt(text: str, start: int, end: int) -> str:
    """About 40 characters around ``text[start:end]`` on one line, cut at word boundaries."""
    lo, hi = max(0, start - _EXCERPT_CONTEXT), min(len(text), end + _EXCERPT_CONTEXT)
    before, after = text[lo:start], text[end:hi]
    if lo > 0:
        # drop the partial word at the cut, unless that would drop everything
        cut = re.search(r"\s", before)
        before = "…" + (before[cut.end():] if cut and cut.end() < len(before) else before).lstrip()
    if hi < len(text):
        last_space = max((m.start() for m in re.finditer(r"\s", after)), default=0)
        after = (after[:last_space] if last_space > 0 else after).rstrip() + "…"
    return re.sub(r"\s+", " ", f"{before}»{text[start:end]}«{after}").strip()


@functools.cache
def _matcher() -> _Matcher:
    """Build the one regular expression from the word list (once per process)."""
    raw = resources.files("dossier").joinpath(MEDICAL_TERMS_RESOURCE).read_text(encoding="utf-8")
    return _build_matcher(_parse_sections(raw))


def _parse_sections(raw: str) -> dict[str, list[str]]:
    sections: dict[str, list[str]] = {name: [] for name in _SECTIONS}
    current: list[str] | None = None
    for number, line in enumerate(raw.splitlines(), start=1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        if line.startswith("[") and line.endswith("]"):
            name = line[1:-1].strip()
            if name not in sections:
                raise ValueError(f"{MEDICAL_TERMS_RESOURCE}:{number}: onbekende sectie [{name}]")
            current = sections[name]
        elif current is None:
            raise ValueError(f"{MEDICAL_TERMS_RESOURCE}:{number}: term vóór de eerste [sectie]")
        else:
            current.append(unicodedata.normalize("NFC", line))
    return sections


def _build_matcher(sections: dict[str, list[str]]) -> _Matcher:
    los, woord, stam, kop, eind = (_trie_regex(sections[k], lower=True)
                                   for k in ("los", "woord", "stam", "kop", "eind"))
    afkorting = _trie_regex(sections["afkorting"], lower=False)
    stem = rf"(?:{stam}(?:s|e|en)?-?)"
    # The stems are tried once per word start (not once per rule); *+ never gives letters back.
    pattern = re.compile(
        rf"(?<!{_LETTER})(?:"
        rf"{stem}+(?:{los}{_LETTER}*+|{woord}|{kop}{_INFLECTION})"  # nekhernia, rugpijn, rugklachten
        rf"|{los}{_LETTER}*+"  # hernia, herniaoperatie (not rugzak: a stem needs a medical head)
        rf"|{woord}"  # pijn (not pijnboom)
        rf"|{_LETTER}+?{eind}"  # sportblessure, gedragstherapie
        rf"|(?-i:{afkorting})(?:-{_LETTER}+)?"  # MS, MS-patiënt (not "ms")
        rf")(?!{_LETTER})",
        re.IGNORECASE,
    )
    allowed: dict[str, list[tuple[str, int]]] = {}
    for phrase in sections["toegestaan"]:
        found = list(pattern.finditer(phrase))
        if not found:
            raise ValueError(f"{MEDICAL_TERMS_RESOURCE}: '{phrase}' staat onder [toegestaan] maar wordt"
                             " ook zonder die uitzondering niet gemeld; haal het weg")
        for m in found:
            allowed.setdefault(m.group().lower(), []).append((phrase.lower(), m.start()))
    return _Matcher(pattern, {k: tuple(v) for k, v in allowed.items()})


def _trie_regex(entries: Iterable[str], *, lower: bool) -> str:
    """One alternation for many words, factored as a trie (shared prefixes are matched once).

    In an entry, "-" also matches a space or nothing, and a space matches any run of spaces and
    hyphens.
    """
    trie: dict[str, Any] = {}
    for entry in entries:
        node = trie
        for ch in (entry.lower() if lower else entry):
            node = node.setdefault(ch, {})
        node[""] = {}  # end of an entry
    return _trie_node(trie) if trie else "(?!)"


def _trie_node(node: dict[str, Any]) -> str:
    ends = "" in node
    branches = [_atom(ch) + _trie_node(child) for ch, child in sorted(node.items()) if ch]
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    if ends:
        return f"(?:{body})?"
    return body


def _atom(ch: str) -> str:
    if ch == "-":
        return r"[-\s]?"
    if ch == " ":
        return r"[-\s]+"
    return re.escape(ch)

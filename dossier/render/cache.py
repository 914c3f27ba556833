"""The render cache: a rendered DOCX keyed by the template's bytes and the canonical context.

Rendering is byte-for-byte reproducible (fixed zip timestamps and attributes, see
:mod:`dossier.render.docx`), so an unchanged document of a rebuilt dossier is read back instead of
rendered again — and its PDF then comes from the conversion cache, whose key is the DOCX's hash.

The key covers everything the output depends on: the template file's bytes, the context as
canonical JSON (every value tagged with its type, so ``"2026-01-05"`` and a date differ, and a
context record's emptiness counts), the locale, the renderer's own source code and the versions of
the libraries that write the DOCX. A context holding a value the encoder does not know is simply not
cached (rendered every time).
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from dossier.cache import key_of, source_fingerprint

KEY_FORMAT = "dossier-docx 1"


class Uncacheable(Exception):
    """The context holds a value without a canonical form: render it, do not cache it."""


def _plain(value: Any) -> Any:
    """``value`` as JSON-ready data whose dump is canonical (see the module docstring)."""
    if value is None or isinstance(value, str | bool | int):
        return value
    if isinstance(value, float):
        return {"$f": repr(value)}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        if not all(isinstance(k, str) and not k.startswith("$") for k in value):
            raise Uncacheable(f"key {next(iter(value), '')!r}")
        data = {k: _plain(v) for k, v in value.items()}
        if type(value) is dict:
            return data
        # A context Record: its truthiness is part of what a template sees.
        return {"$t": type(value).__qualname__, "$b": bool(value), "$v": data}
    if isinstance(value, datetime):
        return {"$dt": value.isoformat()}
    if isinstance(value, date):
        return {"$d": value.isoformat()}
    if isinstance(value, Decimal):
        return {"$n": str(value)}
    if isinstance(value, tuple):
        return {"$l": [_plain(v) for v in value]}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {"$t": type(value).__qualname__,
                "$v": {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}}
    raise Uncacheable(type(value).__qualname__)


def canonical_context(context: Mapping[str, Any]) -> bytes:
    """The context as canonical JSON bytes.

    Raises:
        Uncacheable: a value has no canonical form.
    """
    return json.dumps(_plain(dict(context)), sort_keys=True, ensure_ascii=False,
                      separators=(",", ":")).encode("utf-8")


@functools.lru_cache(maxsize=1)
def _renderer() -> str:
    from importlib.metadata import PackageNotFoundError, version

    libs = []
    for lib in ("docxtpl", "python-docx", "jinja2", "lxml", "babel"):
        try:
            libs.append(f"{lib} {version(lib)}")
        except PackageNotFoundError:
            libs.append(f"{lib} ?")
    return "\n".join([KEY_FORMAT, *libs, source_fingerprint("dossier.render", "dossier.nl_format")])


@functools.lru_cache(maxsize=256)
def _template_hash(path: str, size: int, mtime_ns: int) -> bytes:
    return hashlib.sha256(Path(path).read_bytes()).digest()


def render_key(template: Path, context: Mapping[str, Any], *, locale: str) -> str | None:
    """The cache key of rendering ``template`` with ``context``; None when it cannot be cached."""
    try:
        st = Path(template).stat()
        ctx = canonical_context(context)
    except (OSError, Uncacheable):
        return None
    return key_of(_renderer(), _template_hash(str(template), st.st_size, st.st_mtime_ns), locale, ctx)

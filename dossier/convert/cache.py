"""A converter that remembers: DOCX→PDF results from the cache, only the misses go to the engine.

:class:`CachingConverter` wraps any :class:`~dossier.convert.Converter`. For each source it looks up
the key — sha256 of the document's bytes, the engine's version, a fingerprint of the installed fonts,
the export options and the converter's own code — and passes only the misses on to the inner
converter, in one call (so a converter that joins a case's documents still joins the misses). The
PDFs it makes are stored for next time. Same interface as the inner converter.

A converter whose output changes without a change in its code (a new setting, a new join strategy)
may set ``cache_version`` (a string) to keep its results apart.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import logging
import os
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dossier.cache import Cache, key_of, source_fingerprint
from dossier.convert import Converter, output_paths

if TYPE_CHECKING:
    from dossier.settings import Settings

log = logging.getLogger(__name__)

#: Bump when the meaning of a key changes.
KEY_FORMAT = "dossier-pdf 1"

FONT_DIRS = ("/usr/share/fonts", "/usr/local/share/fonts", "/usr/lib/libreoffice/share/fonts",
             "~/.local/share/fonts", "~/.fonts")


@functools.lru_cache(maxsize=1)
def fonts_fingerprint() -> str:
    """A hash of every installed font file's path, size and mtime (once per process): a font
    installed, removed or updated changes the layout of the PDFs."""
    h = hashlib.sha256()
    dirs = [Path(os.path.expanduser(d)) for d in FONT_DIRS]
    xdg = os.environ.get("XDG_DATA_HOME")
    if xdg:
        dirs.append(Path(xdg) / "fonts")
    for d in dirs:
        if not d.is_dir():
            continue
        for root, subdirs, files in os.walk(d):
            subdirs.sort()
            for name in sorted(files):
                p = os.path.join(root, name)
                try:
                    st = os.stat(p)
                except OSError:
                    continue
                h.update(f"{p}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
    return h.hexdigest()


@functools.lru_cache(maxsize=1)
def _own_code() -> str:
    return source_fingerprint("dossier.convert")


class CachingConverter:
    """``inner`` behind the cache (see the module docstring).

    Attributes:
        inner: the converter that does the work on a miss.
        cache: the store.
        options: export options that change the PDF (e.g. ``{"pdfa": True}``), part of every key.
        converted: how many documents went to ``inner`` (misses), for tests and ``-v``.
        served: how many came from the cache.
    """

    def __init__(self, inner: Converter, cache: Cache, *, options: Mapping[str, Any] | None = None) -> None:
        self.inner = inner
        self.cache = cache
        self.options = dict(options or {})
        self.name = inner.name
        self.converted = 0
        self.served = 0
        self._engine: str | None = None
        self._started = self._inner_started = False

    # -- the Converter protocol, passed on ------------------------------------------------------

    def available(self) -> bool:
        return self.inner.available()

    def version(self) -> str:
        return self.inner.version()

    def start(self) -> None:
        """Start the engine early, unless the cache already holds PDFs: then it starts at the first
        miss, and a rebuild of unchanged documents never starts it at all."""
        self._started = True
        if not self.cache.has_entries("pdf"):
            self.inner.start()

    def close(self) -> None:
        try:
            self.inner.close()
        finally:
            self.cache.prune()
            if self.served or self.converted:
                log.info("Conversiecache %s: %d uit de cache, %d omgezet", self.cache.root, self.served,
                         self.converted)

    def __enter__(self) -> CachingConverter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- keys ---------------------------------------------------------------------------------

    def engine(self) -> str:
        """Everything besides the document that decides the PDF, as one string (computed once)."""
        if self._engine is None:
            inner = self.inner
            kind = f"{type(inner).__module__}.{type(inner).__qualname__}"
            opts = ",".join(f"{k}={self.options[k]!r}" for k in sorted(self.options))
            self._engine = "\n".join([KEY_FORMAT, kind, str(getattr(inner, "cache_version", "")),
                                      self._engine_version(), fonts_fingerprint(), opts, _own_code()])
        return self._engine

    def _engine_version(self) -> str:
        """``inner.version()``; for LibreOffice remembered in the cache per installed binary (asking
        ``soffice --version`` takes most of a second)."""
        soffice = getattr(self.inner, "soffice", None)
        if not isinstance(soffice, str):
            return self.inner.version()
        from dossier.convert.libreoffice import find_soffice

        exe = find_soffice(soffice)
        if exe is None:
            return self.inner.version()
        stamp = []
        real = Path(os.path.realpath(exe))
        for f in (real, real.parent / "soffice.bin", real.parent / "versionrc"):
            with contextlib.suppress(OSError):
                st = f.stat()
                stamp.append(f"{f}\0{st.st_size}\0{st.st_mtime_ns}")
        return self.cache.remember(f"engine-{key_of(*stamp)}", self.inner.version)

    def key(self, data: bytes) -> str:
        """The cache key of a document with these bytes."""
        return key_of(self.engine(), hashlib.sha256(data).digest())

    # -- converting ---------------------------------------------------------------------------

    def to_pdf(self, sources: list[Path], out_dir: Path, *, dossier: str | None = None) -> list[Path]:
        """Like the inner converter's ``to_pdf``; hits are written from the cache, the misses go to
        the inner converter in one call and are stored (tagged with ``dossier`` when given)."""
        srcs = [Path(s) for s in sources]
        targets = output_paths(srcs, Path(out_dir))
        misses: list[tuple[int, str]] = []
        for i, (src, target) in enumerate(zip(srcs, targets, strict=True)):
            key = self.key(src.read_bytes())
            pdf = self.cache.get("pdf", key)
            if pdf is None:
                misses.append((i, key))
                continue
            target.write_bytes(pdf)
            if dossier:
                self.cache.tag("pdf", key, dossier)
            self.served += 1
        if misses:
            if self._started and not self._inner_started:
                self.inner.start()
            self._inner_started = True
            made = self.inner.to_pdf([srcs[i] for i, _ in misses], Path(out_dir))
            for (i, key), pdf_path in zip(misses, made, strict=True):
                targets[i] = Path(pdf_path)
                self.cache.put("pdf", key, targets[i].read_bytes(), dossier=dossier)
            self.converted += len(misses)
        return targets


def convert_case(converter: Converter, sources: list[Path], out_dir: Path, *, dossier: str) -> list[Path]:
    """``converter.to_pdf`` for the documents of one case; a caching converter tags them with it."""
    if isinstance(converter, CachingConverter):
        return converter.to_pdf(sources, out_dir, dossier=dossier)
    return converter.to_pdf(sources, out_dir)


def with_cache(converter: Converter, settings: Settings) -> Converter:
    """``converter`` behind the cache the settings ask for (as it is with ``settings.cache`` off)."""
    from dossier.cache import open_cache

    cache = open_cache(settings)
    if cache is None or isinstance(converter, CachingConverter):
        return converter
    # A joined conversion gives the same pages with other font subsets: its PDFs are kept apart.
    return CachingConverter(converter, cache, options={"pdfa": settings.pdfa, "samenvoegen": settings.samenvoegen})

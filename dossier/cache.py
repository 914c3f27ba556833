"""A content-addressed file cache for rendered DOCX and converted PDF results.

Entries hold personal data (a document of an employee), so the cache is owner-only (folders 0700,
files 0600), bounded in size (least recently used entries go first) and in age (an entry older than
``max_age_days`` is never served and removed at the next prune).

Layout under the cache folder::

    v1/<kind>/<aa>/<key>          one entry: header line, JSON line, payload (see below)
    v1/tags/<h(dossiernummer)>/<kind>-<key>   empty markers: which entries belong to a dossier

Each entry file is ``MAGIC`` + one JSON line (payload's sha256 and size, kind, dossiernummer) + the
payload. It is written to a temporary file in the same folder and renamed into place, so a reader
sees a whole entry or none; several processes (on several machines sharing the folder) may read and
write at once. A reader checks the payload against its recorded hash (and a PDF against its header
and trailer); a damaged entry is removed and reported as a miss, never served.

The entry file's mtime is when it was written (the age limit counts from there); its atime is set
on every hit and is the "last used" moment of the LRU eviction.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from dossier.settings import Settings

log = logging.getLogger(__name__)

#: Environment variable that moves the cache (the CLI's ``--cache`` reads it too).
CACHE_ENV = "DOSSIER_CACHE"
DEFAULT_MAX_MB = 2048
DEFAULT_MAX_AGE_DAYS = 30.0

MAGIC = b"dossier-cache 1\n"
VERSION_DIR = "v1"
KINDS = ("pdf", "docx")
DIR_MODE = 0o700
FILE_MODE = 0o600
#: A temporary file this old was left by a writer that died; prune removes it.
STALE_TMP_S = 3600.0
#: After this share of the bound has been written by this process, the next put prunes.
PRUNE_SHARE = 0.05


def default_cache_dir() -> Path:
    """``$DOSSIER_CACHE``, else ``$XDG_CACHE_HOME/dossier``, else ``~/.cache/dossier``."""
    env = os.environ.get(CACHE_ENV)
    if env:
        return Path(env).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg).expanduser() if xdg and Path(xdg).is_absolute() else Path.home() / ".cache"
    return base / "dossier"


def _tag(dossiernummer: str) -> str:
    """The tag folder of a dossier: a hash, so the folder names do not list the dossiers."""
    return hashlib.sha256(dossiernummer.encode("utf-8")).hexdigest()[:32]


def _valid_payload(kind: str, data: bytes) -> bool:
    if kind == "pdf":
        return data.startswith(b"%PDF-") and b"%%EOF" in data[-1024:]
    if kind == "docx":
        return data.startswith(b"PK\x03\x04")
    return True


@dataclass(frozen=True)
class CacheInfo:
    """What ``dossier cache info`` shows."""

    location: Path
    entries: int
    bytes: int
    oldest: float | None
    newest: float | None
    max_bytes: int
    max_age_days: float
    by_kind: dict[str, int]


class Cache:
    """The cache folder (see the module docstring). Cheap to create; nothing is read until used.

    Every method treats an unusable folder (no permission, disk full) as an empty cache and logs a
    warning once: a build never fails because of its cache.
    """

    def __init__(self, root: Path, *, max_bytes: int = DEFAULT_MAX_MB * 1024 * 1024,
                 max_age_days: float = DEFAULT_MAX_AGE_DAYS) -> None:
        self.root = Path(root)
        self.max_bytes = max_bytes
        self.max_age_days = max_age_days
        self._written = 0
        self._warned = False
        self.hits = self.misses = self.damaged = 0

    # -- paths ------------------------------------------------------------------------------

    @property
    def base(self) -> Path:
        return self.root / VERSION_DIR

    def _entry(self, kind: str, key: str) -> Path:
        return self.base / kind / key[:2] / key

    def _mkdir(self, path: Path) -> Path:
        """Create ``path`` and every missing parent up to the cache root with mode 0700."""
        if not self.root.exists():  # the folders above the cache (~/.cache) are the user's own
            self.root.parent.mkdir(parents=True, exist_ok=True)
        missing = []
        p = path
        while not p.exists():
            missing.append(p)
            if p == self.root:
                break
            p = p.parent
        for d in reversed(missing):
            with contextlib.suppress(FileExistsError):
                d.mkdir(mode=DIR_MODE)
            os.chmod(d, DIR_MODE)  # the umask may have taken bits away or a parent been made by others
        return path

    def _warn(self, what: str, e: OSError) -> None:
        if not self._warned:
            log.warning("Cache %s niet bruikbaar (%s: %s); er wordt zonder cache verder gewerkt.",
                        self.root, what, e.strerror or e)
            self._warned = True

    @property
    def _max_age_s(self) -> float:
        return self.max_age_days * 86400.0

    # -- entries ----------------------------------------------------------------------------

    def get(self, kind: str, key: str) -> bytes | None:
        """The payload of entry ``key``, or None (missing, expired or damaged: then removed)."""
        path = self._entry(kind, key)
        try:
            with path.open("rb") as f:
                st = os.fstat(f.fileno())
                data = f.read()
        except FileNotFoundError:
            self.misses += 1
            return None
        except OSError as e:
            self._warn("lezen", e)
            self.misses += 1
            return None
        if time.time() - st.st_mtime > self._max_age_s:
            self._remove(path)
            self.misses += 1
            return None
        payload = self._payload(kind, data)
        if payload is None:
            log.warning("Beschadigd cache-item %s verwijderd; het wordt opnieuw gemaakt.", path.name[:12])
            self.damaged += 1
            self.misses += 1
            self._remove(path)
            return None
        with contextlib.suppress(OSError):  # last use, for the LRU order; mtime stays the creation time
            os.utime(path, (time.time(), st.st_mtime))
        self.hits += 1
        return payload

    @staticmethod
    def _payload(kind: str, data: bytes) -> bytes | None:
        """The payload of an entry file after checking it whole; None when anything is off."""
        if not data.startswith(MAGIC):
            return None
        end = data.find(b"\n", len(MAGIC))
        if end < 0:
            return None
        try:
            head = json.loads(data[len(MAGIC):end])
            payload = data[end + 1:]
            ok = (head.get("kind") == kind and head.get("size") == len(payload)
                  and head.get("sha256") == hashlib.sha256(payload).hexdigest())
        except (ValueError, AttributeError):
            return None
        return payload if ok and _valid_payload(kind, payload) else None

    def put(self, kind: str, key: str, payload: bytes, *, dossier: str | None = None) -> bool:
        """Store ``payload`` as entry ``key`` (atomically); tag it with ``dossier``. True when stored."""
        if kind not in KINDS or not _valid_payload(kind, payload):
            return False
        path = self._entry(kind, key)
        head = {"kind": kind, "size": len(payload), "sha256": hashlib.sha256(payload).hexdigest(),
                "created": int(time.time())}
        try:
            self._mkdir(path.parent)
            fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=path.parent)
            try:
                with os.fdopen(fd, "wb") as f:
                    f.write(MAGIC + json.dumps(head, sort_keys=True).encode("ascii") + b"\n" + payload)
                os.chmod(tmp, FILE_MODE)
                os.replace(tmp, path)
            except BaseException:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)
                raise
            if dossier:
                self._mark(dossier, kind, key)
        except OSError as e:
            self._warn("schrijven", e)
            return False
        self._written += len(payload)
        if self._written > self.max_bytes * PRUNE_SHARE:
            self.prune()
        return True

    def tag(self, kind: str, key: str, dossier: str) -> None:
        """Record that entry ``key`` (also) belongs to ``dossier`` (for ``cache clear --dossier``)."""
        try:
            self._mark(dossier, kind, key)
        except OSError as e:
            self._warn("schrijven", e)

    def _mark(self, dossier: str, kind: str, key: str) -> None:
        folder = self.base / "tags" / _tag(dossier)
        marker = folder / f"{kind}-{key}"
        for attempt in (1, 2):  # a prune elsewhere may remove the (then empty) folder in between
            if marker.exists():
                return
            self._mkdir(folder)
            try:
                os.close(os.open(marker, os.O_CREAT | os.O_WRONLY, FILE_MODE))
                return
            except FileNotFoundError:
                if attempt == 2:
                    raise

    @staticmethod
    def _remove(path: Path) -> int:
        try:
            size = path.stat().st_size
            path.unlink()
            return size
        except OSError:
            return 0

    def has_entries(self, kind: str) -> bool:
        """Whether any entry of ``kind`` may be there (one folder listing, no scan)."""
        try:
            return any(True for _ in (self.base / kind).iterdir())
        except OSError:
            return False

    def remember(self, name: str, compute: Callable[[], str]) -> str:
        """A small text value kept in the cache folder under ``name`` (computed once, by ``compute``)."""
        path = self.base / "notes" / name
        with contextlib.suppress(OSError, UnicodeDecodeError):
            text = path.read_text(encoding="utf-8").strip()
            if text:
                return text
        value = compute()
        try:
            self._mkdir(path.parent)
            fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=path.parent)
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                f.write(value)
            os.replace(tmp, path)
        except OSError as e:
            self._warn("schrijven", e)
        return value

    # -- maintenance ------------------------------------------------------------------------

    def _scan(self) -> list[tuple[Path, os.stat_result]]:
        """Every entry file (not the temporary ones) with its stat; stale temporary files removed."""
        out = []
        now = time.time()
        for kind in KINDS:
            top = self.base / kind
            if not top.is_dir():
                continue
            for sub in top.iterdir():
                if not sub.is_dir():
                    continue
                for path in sub.iterdir():
                    try:
                        st = path.stat()
                    except OSError:
                        continue
                    if path.name.startswith(".tmp-"):
                        if now - st.st_mtime > STALE_TMP_S:
                            self._remove(path)
                        continue
                    out.append((path, st))
        return out

    def prune(self) -> int:
        """Remove expired entries, then least recently used ones until the cache is within its
        bound (to 90 % of it, so not every put prunes again); returns the number removed."""
        self._written = 0
        try:
            entries = self._scan()
        except OSError as e:
            self._warn("opruimen", e)
            return 0
        now, removed = time.time(), 0
        live = []
        for path, st in entries:
            if now - st.st_mtime > self._max_age_s:
                removed += bool(self._remove(path))
            else:
                live.append((path, st))
        total = sum(st.st_size for _, st in live)
        if total > self.max_bytes:
            low = int(self.max_bytes * 0.9)
            for path, _st in sorted(live, key=lambda e: max(e[1].st_atime, e[1].st_mtime)):
                if total <= low:
                    break
                total -= self._remove(path)
                removed += 1
        if removed:
            self._drop_dangling_tags()
        return removed

    def _drop_dangling_tags(self) -> None:
        tags = self.base / "tags"
        if not tags.is_dir():
            return
        for folder in tags.iterdir():
            with contextlib.suppress(OSError):
                for marker in folder.iterdir():
                    kind, _, key = marker.name.partition("-")
                    if not self._entry(kind, key).exists():
                        marker.unlink(missing_ok=True)
                folder.rmdir()  # only when empty

    def info(self) -> CacheInfo:
        """Location, number and size of the entries, oldest and newest creation time."""
        entries = self._scan() if self.base.is_dir() else []
        by_kind: dict[str, int] = {}
        for path, _ in entries:
            kind = path.parent.parent.name
            by_kind[kind] = by_kind.get(kind, 0) + 1
        times = [st.st_mtime for _, st in entries]
        return CacheInfo(self.root, len(entries), sum(st.st_size for _, st in entries),
                         min(times, default=None), max(times, default=None), self.max_bytes,
                         self.max_age_days, by_kind)

    def clear(self, dossier: str | None = None) -> int:
        """Remove every entry, or only those of ``dossier``; returns the number removed."""
        removed = 0
        if dossier is None:
            for path, _ in self._scan() if self.base.is_dir() else []:
                removed += bool(self._remove(path))
            tags = self.base / "tags"
            if tags.is_dir():
                for folder in tags.iterdir():
                    for marker in folder.iterdir():
                        marker.unlink(missing_ok=True)
                    with contextlib.suppress(OSError):
                        folder.rmdir()
            return removed
        folder = self.base / "tags" / _tag(dossier)
        if not folder.is_dir():
            return 0
        for marker in folder.iterdir():
            kind, _, key = marker.name.partition("-")
            if kind in KINDS:
                removed += bool(self._remove(self._entry(kind, key)))
            marker.unlink(missing_ok=True)
        with contextlib.suppress(OSError):
            folder.rmdir()
        return removed


def key_of(*parts: str | bytes) -> str:
    """A sha256 key over the parts (each length-prefixed, so no two part lists share a key)."""
    h = hashlib.sha256()
    for p in parts:
        b = p.encode("utf-8") if isinstance(p, str) else p
        h.update(len(b).to_bytes(8, "big"))
        h.update(b)
    return h.hexdigest()


def source_fingerprint(*modules: str) -> str:
    """A hash of the Python source of the given packages/modules: the cache's notion of "the code's
    own version" (a change to the converter or the renderer invalidates what they made)."""
    import importlib.util

    h = hashlib.sha256()
    for name in modules:
        spec = importlib.util.find_spec(name)
        if spec is None or spec.origin is None:
            h.update(name.encode())
            continue
        origin = Path(spec.origin)
        files = sorted(origin.parent.rglob("*.py")) if origin.name == "__init__.py" else [origin]
        for f in files:
            h.update(str(f.relative_to(origin.parent)).encode())
            h.update(f.read_bytes())
    return h.hexdigest()


def open_cache(settings: Settings) -> Cache | None:
    """The cache the settings ask for (None with ``cache=False``); the folder is made on first write."""
    if not settings.cache:
        return None
    root = settings.cache_dir or default_cache_dir()
    return Cache(Path(root), max_bytes=int(settings.cache_max_mb * 1024 * 1024),
                 max_age_days=float(settings.cache_max_age_days))

"""Resource limits for rendering a template: time, steps, text and number sizes, zip sizes.

A firm's template is a small program. The sandbox (:mod:`dossier.render.environment`) keeps it
away from Python internals; the limits here keep it from exhausting the machine. Rendering one
document must end within seconds and in bounded memory, also for a template written to do harm
(``{{ 'x' * 10**10 }}``, ``{{ 10**(10**8) }}``, loops inside loops, a macro that calls itself).

The limits are checked in the render process itself, at the few places where a template can make
something big or run long:

* operators ``*``, ``**``, ``+`` and ``%`` (the sandbox's intercepted binary operators), ``~``,
  list/tuple/dict literals, slices, filter results and method calls on text check the size of what
  they would make *before* making it (:func:`binop`, :func:`filter_check`, :func:`check_call`);
* every ``{% for %}`` loop and every call counts steps against :data:`MAX_STEPS` and looks at the
  clock (:class:`Budget`); so do the operators above, for the body of a loop over a list (which is
  charged in one go);
* the output of a document part is joined by :func:`join_output`, and a macro's or ``{% set %}``
  block's output collects in an :class:`OutputBuffer`: both cap the length as the text grows.

Containers made by a template are limited in the number of items and characters they hold
*counting shared references*, so that ``[a, a]`` nested 40 times cannot become a structure whose
text (or comparison) is exponentially large. Known residue: a single Python-level operation on a
value within these limits (``urlize`` on 10 million characters, a few seconds) cannot be
interrupted; the clock is checked again right after it.

A DOCX template is a zip file: :func:`check_docx_zip` checks the sizes its members declare before
anything inflates them (Python's zipfile never inflates more than the declared size).
"""

from __future__ import annotations

import contextlib
import contextvars
import itertools
import math
import re
import string
import time
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sized
from pathlib import Path
from typing import Any

from jinja2.exceptions import TemplateRuntimeError
from jinja2.utils import Namespace

#: Processor time (of the rendering thread) for rendering one document, all its parts. A built-in
#: template takes ~20 ms. Processor time, not wall-clock time, so that a loaded machine (a batch with
#: LibreOffice beside it) or a suspended laptop does not fail a good template.
RENDER_SECONDS = 3.0
#: Loop iterations plus calls (macros, methods) in one document. A macro call costs ~5 µs, so this
#: many calls take ~2.5 s.
MAX_STEPS = 500_000
#: Characters in one text a template makes: a rendered part, a macro's output, a ``*`` result.
#: A rendered document.xml of a built-in template is ~30,000 characters.
MAX_TEXT = 10_000_000
#: Characters of all texts a template makes while rendering one document.
MAX_TEXT_TOTAL = 100_000_000
#: Items (counting shared references) in one list, tuple or dict a template makes.
MAX_ITEMS = 100_000
#: Items in a ``range``; the same as Jinja's own sandbox limit.
MAX_RANGE = 100_000
#: Bits of an integer result (2**1024 is about 10**308: far beyond any amount or date).
MAX_INT_BITS = 1024
#: Nested calls (macros calling macros); Python's own limit would give a RecursionError.
MAX_CALL_DEPTH = 64
#: Decimals the ``getal`` filter may print.
MAX_DECIMALEN = 100
#: Output chunks joined between two size checks of a document part.
JOIN_BATCH = 16
#: Look at the clock every this many steps (``time.thread_time`` costs well under a microsecond).
CLOCK_EVERY = 256

#: DOCX zip members, and the sizes they declare (inflated), checked before python-docx reads them.
MAX_ZIP_MEMBERS = 5_000
MAX_ZIP_TOTAL = 200 * 1024 * 1024
MAX_ZIP_XML = 50 * 1024 * 1024


class TemplateLimitError(TemplateRuntimeError):
    """Raised when a template exceeds a resource limit; the message is Dutch and says which."""


def _n(value: int) -> str:
    """A number the Dutch way: 10.000.000."""
    return f"{value:,}".replace(",", ".")


class Budget:
    """What one document's rendering may still spend: steps, time, characters, call depth."""

    __slots__ = ("_next_clock", "_touches", "deadline", "depth", "seconds", "steps", "total")

    def __init__(self, seconds: float | None = None) -> None:
        self.seconds = RENDER_SECONDS if seconds is None else seconds
        self.deadline = time.thread_time() + self.seconds
        self.steps = 0
        self.total = 0
        self.depth = 0
        self._next_clock = CLOCK_EVERY
        self._touches = 0

    def step(self, n: int = 1) -> None:
        """Count ``n`` loop iterations or calls; look at the clock now and then."""
        self.steps += n
        if self.steps > MAX_STEPS:
            raise TemplateLimitError(
                f"meer dan {_n(MAX_STEPS)} herhalingen in lussen en aanroepen (een lus in een lus, "
                "of een lus die niet stopt?)")
        if self.steps >= self._next_clock:
            self._next_clock = self.steps + CLOCK_EVERY
            self.clock()

    def touch(self) -> None:
        """Look at the clock now and then from work that is not a step (operators, literals): the
        body of a loop over a list is charged in one go, not per iteration."""
        self._touches += 1
        if self._touches >= CLOCK_EVERY:
            self._touches = 0
            self.clock()

    def clock(self) -> None:
        if time.thread_time() > self.deadline:
            raise TemplateLimitError(
                f"het invullen duurt langer dan {self.seconds:g} seconden (een lus of macro die "
                "niet stopt?)")

    def text(self, n: int) -> None:
        """Count a new text of ``n`` characters."""
        check_text(n)
        self.total += n
        if self.total > MAX_TEXT_TOTAL:
            raise TemplateLimitError(
                f"het sjabloon maakt samen meer dan {_n(MAX_TEXT_TOTAL)} tekens tekst (een tekst die "
                "in een lus steeds langer wordt?)")


_CURRENT: contextvars.ContextVar[Budget | None] = contextvars.ContextVar("dossier_render_budget",
                                                                        default=None)


def current() -> Budget:
    """The budget of the document being rendered (a fresh one outside any render)."""
    return _CURRENT.get() or Budget()


@contextlib.contextmanager
def budget(seconds: float | None = None) -> Iterator[Budget]:
    """Render everything inside this block as one document with one budget (nested: the outer one)."""
    active = _CURRENT.get()
    if active is not None:
        yield active
        return
    b = Budget(seconds)
    token = _CURRENT.set(b)
    try:
        yield b
    finally:
        _CURRENT.reset(token)


# --- sizes -----------------------------------------------------------------------------------

def check_text(n: int) -> None:
    if n > MAX_TEXT:
        raise TemplateLimitError(f"een tekst van {_n(n)} tekens (maximaal {_n(MAX_TEXT)})")


def check_items(n: int) -> None:
    if n > MAX_ITEMS:
        raise TemplateLimitError(f"een lijst met {_n(n)} elementen (maximaal {_n(MAX_ITEMS)})")


_LEAF_TEXT = (str, bytes)
_SEQUENCES = (list, tuple, set, frozenset)


def measure(obj: Any) -> tuple[int, int]:
    """(items, characters) of a value, counting every reference to a shared value again.

    Raises TemplateLimitError as soon as either passes its maximum, so the walk itself is bounded.
    """
    if isinstance(obj, _LEAF_TEXT):
        return 1, len(obj)
    if not isinstance(obj, (*_SEQUENCES, dict, Namespace)):
        return 1, 0
    items = -1  # the container itself does not count: range(100000)|list is allowed
    chars = 0
    stack = [obj]
    while stack:
        o = stack.pop()
        items += 1
        if isinstance(o, _LEAF_TEXT):
            chars += len(o)
            check_text(chars)
        elif isinstance(o, dict):
            check_items(items + 2 * len(o))
            stack.extend(o.keys())
            stack.extend(o.values())
        elif isinstance(o, _SEQUENCES):
            check_items(items + len(o))
            stack.extend(o)
        elif isinstance(o, Namespace):
            stack.append(o._Namespace__attrs)  # type: ignore[attr-defined]
    check_items(items)
    return items, chars


def check_container(value: Any) -> Any:
    """A list, tuple or dict the template makes: within :data:`MAX_ITEMS` and :data:`MAX_TEXT`."""
    current().touch()
    measure(value)
    return value


def check_result(value: Any, b: Budget | None = None) -> Any:
    """Count a text a filter or method made; check a container it made."""
    if isinstance(value, _LEAF_TEXT):
        (b or current()).text(len(value))
    elif isinstance(value, (*_SEQUENCES, dict, Namespace)):
        measure(value)
    return value


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _check_count(value: Any) -> None:
    """An integer argument that sets a width, a count or a length."""
    if _is_int(value) and value > MAX_TEXT:
        raise TemplateLimitError(f"het getal {_n(value)} is te groot als breedte of aantal "
                                 f"(maximaal {_n(MAX_TEXT)})")


def check_int(value: int) -> None:
    if value.bit_length() > MAX_INT_BITS:
        raise TemplateLimitError(f"een getal van meer dan {_n(MAX_INT_BITS)} bits")


# --- operators -------------------------------------------------------------------------------

def _check_repeat(seq: Any, times: int) -> None:
    if times <= 0:
        return
    if isinstance(seq, _LEAF_TEXT):
        if len(seq) * times > MAX_TEXT:
            raise TemplateLimitError(f"'*' herhaalt een tekst tot {_n(len(seq) * times)} tekens "
                                     f"(maximaal {_n(MAX_TEXT)})")
        return
    items, chars = measure(seq)  # the items under seq: the result holds them ``times`` over
    check_items(items * times)
    check_text(chars * times)


def _check_power(base: Any, exp: Any) -> None:
    if _is_int(base) and _is_int(exp) and exp > 0 and abs(base) > 1:
        bits = (abs(base).bit_length() - 1) * exp
        if bits > MAX_INT_BITS:
            raise TemplateLimitError(f"'**' levert een getal van meer dan {_n(MAX_INT_BITS)} bits "
                                     f"(ongeveer {_n(int(exp * math.log10(abs(base))))} cijfers)")


#: printf-style conversions: width and precision are what can make a huge text.
_PRINTF = re.compile(r"%(?:\([^)]*\))?[#0\- +]*(\*|\d+)?(?:\.(\*|\d+))?[hlL]?[a-zA-Z%]")


def check_printf(fmt: Any, args: Any) -> None:
    """``fmt % args`` (the ``%`` operator and the ``format`` filter): widths within limits."""
    if not isinstance(fmt, _LEAF_TEXT):
        return
    text = fmt if isinstance(fmt, str) else fmt.decode("latin-1")
    star = False
    for m in _PRINTF.finditer(text):
        for part in m.groups():
            if part == "*":
                star = True
            elif part:
                _check_count(int(part))
    if star:
        for a in args if isinstance(args, tuple) else (args,):
            _check_count(a)
    measure(args)


def check_format(fmt: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    """``str.format``: numbers in the format specs, and arguments used as a nested width."""
    nested = False
    try:
        fields = list(string.Formatter().parse(fmt))
    except ValueError:
        return  # the call itself reports the broken format string
    for _text, _name, spec, _conv in fields:
        if not spec:
            continue
        nested = nested or "{" in spec
        for digits in re.findall(r"\d+", spec):
            _check_count(int(digits))
    if nested:
        for a in (*args, *kwargs.values()):
            _check_count(a)


def binop(op: str, left: Any, right: Any) -> None:
    """Check ``left op right`` before it is computed (``*``, ``**``, ``+``, ``%``)."""
    current().touch()
    if op == "*":
        if _is_int(right) and not _is_int(left):
            _check_repeat(left, right)
        elif _is_int(left) and not _is_int(right):
            _check_repeat(right, left)
        elif _is_int(left) and _is_int(right) and left.bit_length() + right.bit_length() > MAX_INT_BITS:
            raise TemplateLimitError(f"'*' levert een getal van meer dan {_n(MAX_INT_BITS)} bits")
    elif op == "**":
        _check_power(left, right)
    elif op == "+":
        if isinstance(left, _LEAF_TEXT) and isinstance(right, _LEAF_TEXT):
            check_text(len(left) + len(right))
        elif isinstance(left, (list, tuple)) and isinstance(right, (list, tuple)):
            (i1, c1), (i2, c2) = measure(left), measure(right)
            check_items(i1 + i2)
            check_text(c1 + c2)
        elif _is_int(left) and _is_int(right):
            check_int(max(abs(left), abs(right)))
    elif op == "%":
        check_printf(left, right)


def check_concat(args: tuple[Any, ...]) -> None:
    """``a ~ b ~ …``: the joined text stays within :data:`MAX_TEXT`."""
    current().touch()
    chars = 0
    for a in args:
        if isinstance(a, str):
            chars += len(a)
        else:
            items, c = measure(a)
            chars += c + 8 * items  # an item's repr adds quotes, commas and brackets
    check_text(chars)


# --- filters and methods ---------------------------------------------------------------------

def _materialize(value: Any) -> Any:
    """A one-shot iterator as a list (counted), so that its size can be checked and it still works."""
    if isinstance(value, Sized):
        return value
    out = []
    for item in value:
        out.append(item)
        check_items(len(out))
    return out


def _lines(value: Any) -> int:
    return str(value).count("\n") + 1


def _indent(args: list[Any], kw: dict[str, Any]) -> None:
    s = args[0] if args else kw.get("s", "")
    width = args[1] if len(args) > 1 else kw.get("width", 4)
    unit = width if _is_int(width) else len(str(width))
    check_text(len(str(s)) + _lines(s) * max(unit, 0))


def _joined(args: list[Any], kw: dict[str, Any], sep_key: str, sep_default: str) -> None:
    if args:
        args[0] = _materialize(args[0])
        value = args[0]
    else:
        kw["value"] = value = _materialize(kw.get("value", ()))
    sep = args[1] if len(args) > 1 else kw.get(sep_key, sep_default)
    items, chars = measure(value)
    check_text(chars + 8 * items + len(str(sep)) * items)


def _replace(args: list[Any], kw: dict[str, Any]) -> None:
    s = str(args[0] if args else kw.get("s", ""))
    old = str(args[1] if len(args) > 1 else kw.get("old", ""))
    new = str(args[2] if len(args) > 2 else kw.get("new", ""))
    count = args[3] if len(args) > 3 else kw.get("count")
    _check_str_replace(s, old, new, count if _is_int(count) else -1)


def _check_str_replace(s: Any, old: Any, new: Any, count: Any = -1) -> None:
    if not (isinstance(s, _LEAF_TEXT) and isinstance(old, type(s)) and isinstance(new, type(s))):
        return
    hits = s.count(old) if old else len(s) + 1
    if _is_int(count) and count >= 0:
        hits = min(hits, count)
    check_text(len(s) + hits * (len(new) - len(old)))


def _wordwrap(args: list[Any], kw: dict[str, Any]) -> None:
    s = str(args[0] if args else kw.get("s", ""))
    wrap = args[3] if len(args) > 3 else kw.get("wrapstring")
    check_text(len(s) + (len(s) + 1) * len(str(wrap or "\n")))


def _filled(args: list[Any], kw: dict[str, Any], count_key: str) -> None:
    """batch/slice: the count, times the fill value when one is given."""
    count = args[1] if len(args) > 1 else kw.get(count_key, 0)
    fill = args[2] if len(args) > 2 else kw.get("fill_with")
    if _is_int(count):
        if count > MAX_RANGE:
            raise TemplateLimitError(f"{count_key} {_n(count)} is te groot (maximaal {_n(MAX_RANGE)})")
        if fill is not None:
            items, chars = measure(fill)
            check_items((items + isinstance(fill, (*_SEQUENCES, dict, Namespace))) * count)
            check_text(chars * count)


def _invul(args: list[Any], kw: dict[str, Any]) -> None:
    regels = args[1] if len(args) > 1 else kw.get("regels", 1)
    tekens = args[2] if len(args) > 2 else kw.get("tekens")
    if _is_int(regels):
        check_items(regels)
        check_text(regels * (tekens if _is_int(tekens) else 60))


def _getal(args: list[Any], kw: dict[str, Any]) -> None:
    dec = args[1] if len(args) > 1 else kw.get("decimalen")
    if _is_int(dec) and dec > MAX_DECIMALEN:
        raise TemplateLimitError(f"getal({_n(dec)}): hoogstens {MAX_DECIMALEN} decimalen")


def _format(args: list[Any], kw: dict[str, Any]) -> None:
    check_printf(args[0] if args else "", tuple(args[1:]) or dict(kw))


def _urlize(args: list[Any], kw: dict[str, Any]) -> None:
    s = str(args[0] if args else kw.get("value", ""))
    target = args[3] if len(args) > 3 else kw.get("target")
    rel = args[4] if len(args) > 4 else kw.get("rel")
    extra = len(str(target or "")) + len(str(rel or "")) + 40
    check_text(3 * len(s) + (len(s) // 4 + 1) * extra)


def _sum(args: list[Any], kw: dict[str, Any]) -> None:
    if args:
        args[0] = _materialize(args[0])
        measure(args[0])


def _center(args: list[Any], kw: dict[str, Any]) -> None:
    width = args[1] if len(args) > 1 else kw.get("width", 80)
    if _is_int(width):
        check_text(width)


#: Checks before a filter runs, for filters whose result can be much bigger than their input.
#: Each gets the arguments after the context/environment one (a list it may change) and kwargs.
_FILTER_CHECKS = {
    "center": _center,
    "indent": _indent,
    "format": _format,
    "join": lambda a, k: _joined(a, k, "d", ""),
    "opsomming": lambda a, k: _joined(a, k, "scheiding", ", "),
    "sum": _sum,
    "replace": _replace,
    "wordwrap": _wordwrap,
    "batch": lambda a, k: _filled(a, k, "linecount"),
    "slice": lambda a, k: _filled(a, k, "slices"),
    "urlize": _urlize,
    "invul": _invul,
    "getal": _getal,
}


def filter_check(name: str) -> Callable[[list[Any], dict[str, Any]], None] | None:
    """The check to run before filter ``name`` (on its arguments, value first, as a list it may
    change), for filters whose result can be much bigger than their input; None for the others."""
    return _FILTER_CHECKS.get(name)


def _str_method(name: str, s: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[Any, ...]:
    if name in ("center", "ljust", "rjust", "zfill"):
        width = args[0] if args else kwargs.get("width", 0)
        if _is_int(width):
            check_text(width)
    elif name == "expandtabs":
        size = args[0] if args else kwargs.get("tabsize", 8)
        if _is_int(size):
            check_text(len(s) + s.count("\t" if isinstance(s, str) else b"\t") * max(size, 0))
    elif name == "replace":
        _check_str_replace(s, *args[:3], **kwargs)
    elif name == "join" and args:
        items = _materialize(args[0])
        n, chars = measure(items)
        check_text(chars + len(s) * n)
        args = (items, *args[1:])
    elif name in ("format", "format_map") and isinstance(s, str):  # Jinja before 3.1.5
        if name == "format_map":
            check_format(s, (), args[0] if args and isinstance(args[0], dict) else {})
        else:
            check_format(s, args, kwargs)
    elif name == "translate" and args and isinstance(args[0], dict):
        longest = max((len(v) for v in args[0].values() if isinstance(v, _LEAF_TEXT)), default=1)
        check_text(len(s) * longest)
    return args


def check_call(obj: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[Any, ...]:
    """Before a method call from a template: refuse a text beyond the limits; returns the args."""
    owner = getattr(obj, "__self__", None)
    name = getattr(obj, "__name__", "")
    if isinstance(owner, _LEAF_TEXT):
        return _str_method(name, owner, args, kwargs)
    if _is_int(owner) and name == "to_bytes":
        _check_count(args[0] if args else kwargs.get("length", 1))
        return args
    wrapped = getattr(obj, "__wrapped__", None)  # the sandbox's wrapper of str.format / format_map
    if isinstance(getattr(wrapped, "__self__", None), str) and name in ("format", "format_map"):
        if name == "format_map" and args and isinstance(args[0], dict):
            check_format(wrapped.__self__, (), args[0])
        else:
            check_format(wrapped.__self__, args, kwargs)
    return args


def safe_range(*args: int) -> range:
    """``range`` for templates: at most :data:`MAX_RANGE` numbers."""
    rng = range(*args)
    if len(rng) > MAX_RANGE:
        raise TemplateLimitError(f"range met {_n(len(rng))} getallen (maximaal {_n(MAX_RANGE)})")
    return rng


def counted(iterable: Any) -> Iterable[Any]:
    """The iterable of a ``{% for %}`` loop, counted against the step budget."""
    b = current()
    if isinstance(iterable, Sized):
        b.step(len(iterable))
        return iterable
    return _counting(iterable, b)


def _counting(iterable: Iterable[Any], b: Budget) -> Iterator[Any]:
    for item in iterable:
        b.step()
        yield item


class OutputBuffer(list):  # type: ignore[type-arg]
    """The output buffer of a macro, ``{% set %}`` or ``{% call %}`` block: Jinja fills it with
    ``append``/``extend`` and joins it at the end; this one counts as it fills, so a loop cannot
    collect gigabytes before the join."""

    __slots__ = ("_budget", "_chars")

    def __init__(self) -> None:
        super().__init__()
        self._budget = current()
        self._chars = 0

    def append(self, chunk: str) -> None:
        self._add(len(chunk))
        super().append(chunk)

    def extend(self, chunks: Iterable[str]) -> None:
        chunks = tuple(chunks)
        self._add(sum(map(len, chunks)))
        super().extend(chunks)

    def _add(self, n: int) -> None:
        self._chars += n
        self._budget.text(n)
        check_text(self._chars)
        self._budget.touch()


def join_output(chunks: Iterable[str]) -> str:
    """Join rendered output (a document part, a macro, a ``{% set %}`` block) within the limits."""
    b = _CURRENT.get()
    if b is None:
        with budget() as b:
            return _join(chunks, b)
    return _join(chunks, b)


def _join(chunks: Iterable[str], b: Budget) -> str:
    if isinstance(chunks, OutputBuffer):
        return "".join(chunks)  # counted while it was filled
    if isinstance(chunks, list):
        total = sum(map(len, chunks))
        b.text(total)
        return "".join(chunks)
    buf: list[str] = []
    total = 0
    it = iter(chunks)
    # A few chunks at a time (islice runs in C): the check costs little per chunk, and at most
    # JOIN_BATCH chunks (each within MAX_TEXT) exist before it.
    while batch := list(itertools.islice(it, JOIN_BATCH)):
        total += sum(map(len, batch))
        check_text(total)
        buf += batch
        b.touch()
    b.text(total)
    return "".join(buf)


# --- the DOCX zip ----------------------------------------------------------------------------

class ZipLimitError(ValueError):
    """Raised when a DOCX (zip) declares more members or bytes than a template may have."""


def _mb(n: int) -> str:
    return f"{n / (1024 * 1024):,.0f} MB".replace(",", ".")


def check_docx_zip(path: Path) -> None:
    """Refuse a DOCX whose members would inflate beyond the limits, before anything inflates them.

    Python's zipfile stops at the size a member declares (and then fails its CRC check), so the
    declared sizes in the central directory bound what reading the file can cost.

    Raises:
        ZipLimitError: too many members, or too many bytes (all members, or the XML parts).
        zipfile.BadZipFile, OSError: not a zip file / cannot be read.
    """
    with zipfile.ZipFile(path) as zf:
        infos = zf.infolist()
    if len(infos) > MAX_ZIP_MEMBERS:
        raise ZipLimitError(f"het bestand bevat {_n(len(infos))} onderdelen (maximaal {_n(MAX_ZIP_MEMBERS)})")
    total = sum(i.file_size for i in infos)
    xml = sum(i.file_size for i in infos if i.filename.lower().endswith((".xml", ".rels")))
    if xml > MAX_ZIP_XML:
        big = max(infos, key=lambda i: i.file_size)
        raise ZipLimitError(f"de XML-onderdelen zijn uitgepakt {_mb(xml)} (maximaal {_mb(MAX_ZIP_XML)}; "
                            f"grootste: {big.filename}, {_mb(big.file_size)}): een zip-bom?")
    if total > MAX_ZIP_TOTAL:
        raise ZipLimitError(f"het bestand is uitgepakt {_mb(total)} (maximaal {_mb(MAX_ZIP_TOTAL)}): "
                            "een zip-bom?")

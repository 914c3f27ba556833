"""Render one DOCX template with docxtpl, safely and reproducibly.

docxtpl creates its own plain (unsandboxed, non-escaping) ``jinja2.Environment`` for any part
it is not given an environment for, so :func:`render_docx` always passes the sandboxed one from
:func:`dossier.render.environment.make_environment`. :class:`_DossierDocxTemplate` closes the
remaining gaps in docxtpl 0.20:

* document properties (title, subject, …) are plain text, not XML, so they are rendered with an
  autoescape-free overlay of the same sandboxed environment (otherwise ``&`` would end up as
  ``&amp;`` in the title);
* the footnotes part is rendered once, not once per section (a second pass would evaluate
  ``{{ … }}`` typed in case data);
* the rendered body XML is parsed strictly before docxtpl's forgiving ``recover=True`` parser
  can silently drop content.

Every Jinja error becomes a :class:`~dossier.errors.TemplateRenderError` with a Dutch message
that names the template, the variable and the text of the paragraph around the problem.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import hashlib
import io
import re
import zipfile
import zlib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from docx.opc.constants import CONTENT_TYPE as RELATED_CT
from docx.opc.part import Part, PartFactory
from docx.opc.pkgwriter import PackageWriter
from docxtpl import DocxTemplate
from jinja2 import Environment, TemplateError, TemplateSyntaxError, UndefinedError
from jinja2.sandbox import SecurityError
from lxml import etree

from dossier.errors import TemplateRenderError
from dossier.fileio import atomic_write_bytes
from dossier.render import limits

#: Zip entry timestamp for reproducible output (the earliest a zip file can store).
ZIP_DATE_TIME = (1980, 1, 1, 0, 0, 0)
#: Deflate level of the rewritten DOCX: level 1 is several times faster than the default and Word,
#: LibreOffice and python-docx read it the same; the file is a little larger.
ZIP_LEVEL = 1

_TAG = re.compile(r"<[^>]+>")


def paragraph_text(xml_line: str) -> str:
    """Visible text of one line of docxtpl's template source (one paragraph per line).

    A ``{%p …%}`` paragraph is removed by docxtpl and its tag lands after the previous
    paragraph; a ¶ marks that boundary ("Begin ¶ {% if … %}").
    """
    text = _TAG.sub("", xml_line.replace("</w:p>", " ¶ ")).strip().removesuffix("¶").strip()
    for ent, ch in (("&lt;", "<"), ("&gt;", ">"), ("&quot;", '"'), ("&apos;", "'"), ("&amp;", "&")):
        text = text.replace(ent, ch)
    return text.strip()


def omgeving(source: str, lineno: int | None, breedte: int = 1) -> str:
    """The paragraph text at ``lineno`` (1-based) and its neighbours, for error messages."""
    if not lineno:
        return ""
    lines = source.splitlines()
    keep = []
    for i in range(max(0, lineno - 1 - breedte), min(len(lines), lineno + breedte)):
        text = paragraph_text(lines[i])
        if text:
            keep.append(("» " if i == lineno - 1 else "  ") + text)
    return "\n".join(keep)


_BLOCKS = frozenset({"if", "for", "macro", "call", "filter", "with", "raw", "autoescape"})


def open_block(source: str, env: Any) -> tuple[str, int] | None:
    """The innermost block tag that is never closed, as (name, line), or None."""
    stack: list[tuple[str, int]] = []
    try:
        tokens = list(env.lex(source))
    except TemplateSyntaxError:
        return None
    expect_name = False
    for lineno, kind, value in tokens:
        if kind == "whitespace":
            continue
        if kind == "block_begin":
            expect_name = True
            continue
        if expect_name and kind == "name":
            expect_name = False
            if value in _BLOCKS:
                stack.append((value, lineno))
            elif value.startswith("end") and stack and stack[-1][0] == value[3:]:
                stack.pop()
            continue
        expect_name = False
    return stack[-1] if stack else None


#: Jinja's names for tokens in its (English) syntax messages.
_TOKENS = {"end of print statement": "'}}'", "end of statement block": "'%}'", "name": "een naam",
           "end of template": "het einde van het sjabloon", "integer": "een getal", "string": "een tekst"}


def _token(name: str) -> str:
    return _TOKENS.get(name, f"'{name}'")


def dutch_syntax_message(exc: TemplateSyntaxError) -> str:
    """Jinja's syntax error message in Dutch for the common cases (the original otherwise)."""
    msg = exc.message or str(exc)
    if m := re.match(r"unexpected char (.+?) at \d+", msg):
        return f"onverwacht teken {m.group(1)}"
    if m := re.search(r"innermost block that needs to be closed is '(\w+)'", msg):
        return (f"het blok '{{% {m.group(1)} %}}' wordt nergens afgesloten met "
                f"'{{% end{m.group(1)} %}}'")
    if m := re.match(r"Encountered unknown tag '(\w+)'", msg):
        tag = m.group(1)
        if tag.startswith(("end", "else", "elif")):
            return f"'{{% {tag} %}}' zonder bijbehorende begintag"
        return f"onbekende tag '{{% {tag} %}}'"
    if m := re.match(r"unexpected end of template, expected '(.+?)'", msg):
        return f"het sjabloon houdt op waar {_token(m.group(1))} verwacht werd"
    if m := re.match(r"expected token '(.+?)', got '(.+?)'", msg):
        return f"verwacht {_token(m.group(1))} maar vond {_token(m.group(2))}"
    if m := re.match(r"Expected an expression, got '(.+?)'", msg):
        return f"verwacht een waarde of naam maar vond {_token(m.group(1))}"
    if m := re.match(r"unexpected '(.+?)'", msg):
        return f"onverwacht {_token(m.group(1))}"
    if m := re.match(r"block '(.+?)' defined twice", msg):
        return f"het blok '{m.group(1)}' komt twee keer voor"
    fixed = {"tag name expected": "na '{%' ontbreekt de naam van de tag (if, for, set, …)",
             "expected name or number": "na de punt ontbreekt een veldnaam",
             "Missing end of comment tag": "een opmerking '{#' wordt niet afgesloten met '#}'"}
    return fixed.get(msg, msg)


class _DossierDocxTemplate(DocxTemplate):
    """docxtpl's DocxTemplate with the safety fixes described in the module docstring."""

    def render_init(self) -> None:
        super().render_init()
        self.dossier_source = ""
        self.dossier_part = ""
        self.dossier_env: Any = None

    def patch_xml(self, src_xml: str) -> str:
        # docxtpl's regex clean-up depends only on the XML text: do it once per template part.
        return _patched_xml(src_xml)

    def render_xml_part(self, src_xml: str, part: Any, context: Any, jinja_env: Any = None) -> str:
        # Keep the source docxtpl hands to Jinja, so errors can quote the paragraph.
        self.dossier_source = re.sub(r"<w:p([ >])", r"\n<w:p\1", src_xml)
        self.dossier_env = jinja_env
        self.dossier_part = _part_naam(part)
        return super().render_xml_part(src_xml, part, context, jinja_env)

    def fix_tables(self, xml: str) -> Any:
        try:
            etree.fromstring(xml.encode("utf-8") if isinstance(xml, str) else xml)
        except etree.XMLSyntaxError as e:
            raise TemplateRenderError(
                f"het sjabloon levert ongeldige Word-XML op ({e}); controleer of elke "
                "{%p …%}, {%tr …%} en {%tc …%} een eigen alinea, rij of cel heeft",
            ) from e
        return super().fix_tables(xml)

    def render_properties(self, context: dict[str, Any], jinja_env: Environment | None = None) -> None:
        if jinja_env is None:  # never happens via render_docx; refuse rather than fall back
            raise TemplateRenderError("interne fout: geen sjabloonomgeving meegegeven")
        plain = jinja_env.overlay(autoescape=False)
        props = self.docx.core_properties
        for prop in ("author", "comments", "identifier", "language", "subject", "title"):
            initial = getattr(props, prop)
            if initial and ("{" in initial):
                self.dossier_part = f"documenteigenschap '{prop}'"
                self.dossier_source = initial
                setattr(props, prop, plain.from_string(initial).render(context))

    def save_reproducible(self) -> bytes:
        """The rendered document as DOCX bytes in a reproducible zip, compressed once.

        ``save`` would write python-docx's default-level zip that :func:`normalize_docx` then
        unpacks and compresses again; writing the package straight into the normalized zip does the
        same in one pass (about a fifth of the render time). docxtpl's picture and media
        replacement post-process a saved file, so documents using them take the long way.
        """
        if self.pics_to_replace or self.crc_to_new_media or self.crc_to_new_embedded or self.zipname_to_replace:
            buf = io.BytesIO()
            self.save(buf)
            return normalize_docx(buf.getvalue())
        package = self.docx.part.package
        parts = package.parts
        for part in parts:
            part.before_marshal()
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=ZIP_LEVEL) as zf:
            writer = _ReproducibleZip(zf)
            PackageWriter._write_content_types_stream(writer, parts)
            PackageWriter._write_pkg_rels(writer, package.rels)
            PackageWriter._write_parts(writer, parts)
        self.is_saved = True
        return buf.getvalue()

    def render_footnotes(self, context: dict[str, Any], jinja_env: Environment | None = None) -> None:
        if jinja_env is None:
            raise TemplateRenderError("interne fout: geen sjabloonomgeving meegegeven")
        seen: set[int] = set()
        for part in self.docx.part.package.iter_parts():
            if id(part) in seen or not part.content_type.endswith(".footnotes+xml"):
                continue
            seen.add(id(part))
            blob = part.blob.decode("utf-8") if isinstance(part.blob, bytes) else part.blob
            xml = self.render_xml_part(self.patch_xml(blob), part, context, jinja_env)
            part._blob = xml.encode("utf-8")


@functools.lru_cache(maxsize=64)
def _patched_xml(src_xml: str) -> str:
    return DocxTemplate.patch_xml(_PATCHER, src_xml)


_PATCHER = DocxTemplate.__new__(DocxTemplate)  # patch_xml uses no instance state


def _part_naam(part: Any) -> str:
    name = str(getattr(part, "partname", ""))
    if "header" in name:
        return "koptekst"
    if "footer" in name:
        return "voettekst"
    if "footnotes" in name:
        return "voetnoten"
    return "hoofdtekst"


def _template_lineno(exc: BaseException) -> int | None:
    """Line in the template source where a runtime error happened (from Jinja's traceback)."""
    lineno = getattr(exc, "lineno", None)
    tb = exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == "<template>":
            lineno = tb.tb_lineno
        tb = tb.tb_next
    return lineno


def _message(name: str, exc: BaseException, tpl: _DossierDocxTemplate) -> tuple[str, str]:
    """Dutch (message, detail) for a Jinja error while rendering template ``name``."""
    waar = tpl.dossier_part or "hoofdtekst"
    lineno = _template_lineno(exc)
    if isinstance(exc, limits.TemplateLimitError):
        detail = omgeving(tpl.dossier_source, lineno)
        msg = f"{name}: sjabloon afgebroken ({waar}): {exc}"
    elif isinstance(exc, RecursionError):
        detail = omgeving(tpl.dossier_source, lineno)
        msg = (f"{name}: sjabloon afgebroken ({waar}): te diep genest (een macro die zichzelf "
               "steeds opnieuw aanroept, of te veel haakjes in elkaar?)")
    elif isinstance(exc, MemoryError):
        detail = omgeving(tpl.dossier_source, lineno)
        msg = f"{name}: sjabloon afgebroken ({waar}): het invullen vraagt te veel geheugen"
    elif isinstance(exc, TemplateSyntaxError):
        context = getattr(exc, "docx_context", None)
        detail = "\n".join(t.strip() for t in context if t.strip()) if context else ""
        lineno = exc.lineno
        opener = open_block(tpl.dossier_source, tpl.dossier_env) if tpl.dossier_env else None
        if opener is not None and "innermost block" in (exc.message or ""):
            lineno = opener[1]
        detail = omgeving(tpl.dossier_source, lineno) or detail
        msg = f"{name}: fout in de sjabloontaal ({waar}): {dutch_syntax_message(exc)}"
    elif isinstance(exc, SecurityError):
        detail = omgeving(tpl.dossier_source, lineno)
        msg = (f"{name}: onveilige expressie geweigerd ({waar}): een sjabloon mag geen interne "
               f"Python-onderdelen gebruiken{_security_what(exc)}")
    elif isinstance(exc, UndefinedError):
        detail = omgeving(tpl.dossier_source, lineno)
        msg = f"{name}: {exc.message} ({waar})"
    else:
        detail = omgeving(tpl.dossier_source, lineno)
        msg = f"{name}: sjabloon kan niet worden ingevuld ({waar}): {_runtime_why(exc)} ({exc})"
    if detail:
        msg += "\nIn de alinea:\n" + detail
    return msg, detail


def _runtime_why(exc: BaseException) -> str:
    """A Dutch explanation to go before Python's (English) message of a runtime error."""
    if isinstance(exc, ZeroDivisionError):
        return "deling door nul"
    if isinstance(exc, OverflowError):
        return "een getal is te groot"
    if "no loader for this environment" in str(exc):
        return "include, import en extends zijn niet mogelijk: een sjabloon is één Word-bestand"
    if isinstance(exc, TypeError):
        return "een bewerking of filter past niet bij het soort waarde"
    if isinstance(exc, (ValueError, ArithmeticError)):
        return "een ongeldige waarde"
    return "fout tijdens het invullen"


def _security_what(exc: BaseException) -> str:
    text = str(exc)
    if m := re.search(r"access to attribute '([^']+)' of '([^']+)' object is unsafe", text):
        return f" (het onderdeel '{m.group(1)}' van een {m.group(2)}-waarde)"
    if m := re.search(r"(.+) is not safely callable", text):
        return f" ({m.group(1)} mag niet worden aangeroepen)"
    return ""


def _entry(name: str) -> zipfile.ZipInfo:
    """A zip entry with fixed timestamp and attributes, so equal input gives equal bytes."""
    info = zipfile.ZipInfo(name, date_time=ZIP_DATE_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    info.create_system = 3
    return info


class _ReproducibleZip:
    """python-docx's physical package writer interface (``write``), on reproducible entries.

    A member that is the same as in an earlier document (the styles, theme and settings of a
    template: most of a DOCX's bytes) is not compressed again: its deflated bytes are kept per
    process and written as they are.
    """

    def __init__(self, zf: zipfile.ZipFile) -> None:
        self._zf = zf

    def write(self, pack_uri: Any, blob: bytes) -> None:
        name = pack_uri.membername
        if len(blob) < _REUSE_MIN:
            self._zf.writestr(_entry(name), blob)
            return
        packed = _deflated(name, hashlib.sha1(blob).digest(), blob)
        info = _entry(name)
        info.CRC, info.file_size, info.compress_size = packed[0], len(blob), len(packed[1])
        _write_raw(self._zf, info, packed[1])


#: Members at least this large are deflated once per process (see :class:`_ReproducibleZip`).
_REUSE_MIN = 16 * 1024


@functools.lru_cache(maxsize=128)
def _deflated(name: str, digest: bytes, blob: bytes) -> tuple[int, bytes]:
    """(CRC-32, raw deflate at ``ZIP_LEVEL``) of a member: the bytes ``zipfile`` itself would write."""
    del name, digest  # part of the cache key only (the blob is compared on a hash hit anyway)
    c = zlib.compressobj(ZIP_LEVEL, zlib.DEFLATED, -15)
    return zlib.crc32(blob), c.compress(blob) + c.flush()


def _write_raw(zf: zipfile.ZipFile, info: zipfile.ZipInfo, data: bytes) -> None:
    """Append an already deflated member to a zip being written (what ``writestr`` does after
    compressing: local header, data, and the central directory entry kept for ``close``)."""
    with zf._lock:  # type: ignore[attr-defined]
        fp = zf.fp
        assert fp is not None
        info.header_offset = fp.tell()
        info.flag_bits = 0x800 if not info.filename.isascii() else 0
        info.compress_type = zipfile.ZIP_DEFLATED
        info._compresslevel = ZIP_LEVEL  # type: ignore[attr-defined]
        fp.write(info.FileHeader(zip64=False))
        fp.write(data)
        zf.filelist.append(info)
        zf.NameToInfo[info.filename] = info
        zf.start_dir = fp.tell()  # type: ignore[attr-defined]
        zf._didModify = True  # type: ignore[attr-defined]


def normalize_docx(data: bytes) -> bytes:
    """Rewrite a DOCX zip with fixed timestamps and attributes, so equal input gives equal bytes."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as zin, \
            zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=ZIP_LEVEL) as zout:
        for item in zin.infolist():
            zout.writestr(_entry(item.filename), zin.read(item.filename))
    return out.getvalue()


_RAW_PARTS: contextvars.ContextVar[bool] = contextvars.ContextVar("dossier_raw_parts", default=False)
#: Parts a template render never changes, which python-docx would parse on load and serialize on
#: save (styles.xml alone is some 350 KB of XML): kept as the template's bytes instead.
_UNTOUCHED = frozenset({RELATED_CT.WML_STYLES, RELATED_CT.WML_SETTINGS, RELATED_CT.WML_NUMBERING})


def _select_part(content_type: str, reltype: str) -> Any:
    if _RAW_PARTS.get() and content_type in _UNTOUCHED:
        return Part
    return _PYTHON_DOCX_SELECTOR(content_type, reltype) if _PYTHON_DOCX_SELECTOR is not None else None


_PYTHON_DOCX_SELECTOR = PartFactory.part_class_selector
PartFactory.part_class_selector = _select_part


@contextlib.contextmanager
def _unparsed_styles() -> Any:
    token = _RAW_PARTS.set(True)
    try:
        yield
    finally:
        _RAW_PARTS.reset(token)


def render_bytes(template: Path, context: Mapping[str, Any], env: Environment) -> bytes:
    """Render a DOCX template to bytes (see :func:`render_docx`)."""
    template = Path(template)
    name = template.name
    if not template.is_file():
        raise TemplateRenderError(f"{name}: sjabloon niet gevonden ({template})", template=name)
    check_template_zip(template)
    try:
        tpl = _DossierDocxTemplate(str(template))
        with _unparsed_styles():
            tpl.init_docx()
    except Exception as e:  # python-docx raises several types for a bad file
        raise TemplateRenderError(f"{name}: geen geldig Word-bestand (.docx): {not_a_docx(e)}",
                                  template=name) from e
    tpl.render_init()
    try:
        # One budget (time, steps, text) for all parts of the document.
        with limits.budget():
            # autoescape=True keeps env.autoescape on (docxtpl sets it on the env it is given).
            tpl.render(dict(context), jinja_env=env, autoescape=True)
        data = tpl.save_reproducible()
    except TemplateRenderError as e:
        raise TemplateRenderError(f"{name}: {e.message}", template=name, detail=e.detail) from e
    except TemplateError as e:
        msg, detail = _message(name, e, tpl)
        raise TemplateRenderError(msg, template=name, detail=detail) from e
    except etree.XMLSyntaxError as e:
        raise TemplateRenderError(
            f"{name}: de {tpl.dossier_part or 'tekst'} levert ongeldige Word-XML op ({e})",
            template=name) from e
    except (ValueError, TypeError, ArithmeticError, RecursionError, MemoryError) as e:
        msg, detail = _message(name, e, tpl)
        raise TemplateRenderError(msg, template=name, detail=detail) from e
    return data


def not_a_docx(exc: BaseException) -> str:
    """Why python-docx could not open a file, in Dutch (its own messages are English)."""
    text = str(exc)
    if isinstance(exc, KeyError) and (m := re.search(r"no item named '([^']+)'", text)):
        return f"het onderdeel {m.group(1)} ontbreekt (is het een Word-document?)"
    if isinstance(exc, ValueError) and "is not a Word file" in text:
        kind = "een Excel-bestand" if "spreadsheetml" in text else (
            "een PowerPoint-bestand" if "presentationml" in text else "geen Word-document")
        return f"het is {kind}"
    if isinstance(exc, etree.XMLSyntaxError):
        return f"de XML erin is beschadigd (regel {exc.lineno})"
    if isinstance(exc, zipfile.BadZipFile):
        return "het is geen zip-bestand"
    return f"het bestand is beschadigd ({type(exc).__name__})"


def check_template_zip(template: Path) -> None:
    """Refuse a template whose zip members would inflate beyond :mod:`dossier.render.limits`.

    Raises:
        TemplateRenderError: a zip bomb, or a file that is not a zip at all.
    """
    name = Path(template).name
    try:
        limits.check_docx_zip(Path(template))
    except limits.ZipLimitError as e:
        raise TemplateRenderError(f"{name}: geweigerd: {e}", template=name) from e
    except zipfile.BadZipFile as e:
        raise TemplateRenderError(f"{name}: geen geldig Word-bestand (.docx): het is geen zip-bestand",
                                  template=name) from e
    except OSError as e:
        raise TemplateRenderError(f"{name}: sjabloon kan niet worden gelezen: {e.strerror or e}",
                                  template=name) from e


def render_docx(template: Path, context: Mapping[str, Any], out: Path, env: Environment) -> Path:
    """Render ``template`` with ``context`` into ``out`` (atomically; byte-for-byte reproducible).

    Args:
        template: the .docx template.
        context: from :func:`dossier.render.context.build_context`.
        out: the .docx file to write; its folder is created.
        env: from :func:`dossier.render.environment.make_environment` (always used for every
            part of the document).

    Returns:
        ``out``.

    Raises:
        TemplateRenderError: syntax error, unknown variable, unsafe expression, or a template
            that produces invalid Word XML; the message names the template and the paragraph.
    """
    data = render_bytes(template, context, env)
    return atomic_write_bytes(Path(out), data)

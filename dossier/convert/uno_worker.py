"""Persistent LibreOffice conversion worker (runs under the system Python that has ``uno``).

This script is started by :class:`dossier.convert.libreoffice.SofficeConverter` as a separate
process, because ``import uno`` only works in the interpreter LibreOffice's Python bridge was
built for (Debian: ``/usr/bin/python3`` with the ``python3-uno`` package), not in our venv.
It must therefore stay self-contained: standard library and ``uno`` only, never ``dossier``.

Lifecycle:

1. Start ONE soffice with the command line the parent passes after ``--`` (binary, private
   user profile, flags) plus ``--accept=pipe,name=<pipe>;urp;StarOffice.ComponentContext``, and
   connect to it over UNO (named pipe, no TCP port). The parent also passes the time-outs, so
   this script holds no copy of the parent's settings.
2. Write one handshake line on stdout::

       {"ready": true, "pid": <soffice pid>, "office_pid": <soffice.bin pid>, "version": "..."}

   or ``{"ready": false, "error": "..."}`` and exit with status 2.
3. Read JSON-lines requests on stdin, ``{"src": "/abs/in.docx", "out": "/abs/out.pdf"}``, and
   answer each with one line: ``{"ok": true}`` or
   ``{"ok": false, "kind": "load|join|export|request|internal", "error": "...", "fatal": <bool>}``.
   A request with ``"join": {"bookmarks": [...], "markers": [...]}`` is a joined document
   (:mod:`dossier.convert.join`); its answer adds ``"pages": [...]``, the pages of each part,
   and, when the joined layout breaks a keep-with-next paragraph from the next one inside a
   part, ``"kept_apart": [[part, page], ...]`` (then nothing was exported).
   ``kind`` says which step failed (the parent words the message). ``fatal`` means the office
   process or the
   UNO bridge is gone; the worker exits right after such an answer.
4. On stdin EOF (or SIGTERM/SIGINT/SIGHUP) terminate soffice cleanly and exit.

Stdout carries the protocol only. Everything else (our diagnostics and soffice's own output)
goes to stderr, which the parent logs at DEBUG level.
"""

from __future__ import annotations

import argparse
import importlib.util
import io
import json
import os
import signal
import subprocess
import sys
import time

#: Seconds between connection attempts while soffice is starting.
CONNECT_POLL_S = 0.02

#: PDF export filter per document service; Writer is what dossier uses, the others make the
#: worker usable for spreadsheets/presentations attached to a case without extra code.
PDF_FILTERS = (
    ("com.sun.star.text.TextDocument", "writer_pdf_Export"),
    ("com.sun.star.sheet.SpreadsheetDocument", "calc_pdf_Export"),
    ("com.sun.star.presentation.PresentationDocument", "impress_pdf_Export"),
    ("com.sun.star.drawing.DrawingDocument", "draw_pdf_Export"),
)

#: PDF export options. These are LibreOffice's own defaults made explicit, so that the UNO path
#: and ``soffice --convert-to pdf`` produce the same PDFs.
PDF_FILTER_DATA = (
    ("ExportBookmarks", True),  # headings become PDF outline entries
    ("ExportNotes", False),  # never leak review comments into a dossier
    ("ReduceImageResolution", False),
    ("Quality", 90),  # JPEG quality for images that are re-encoded
    ("UseTaggedPDF", False),
)

#: Added to the export options for PDF/A-2b (``--pdfa``).
PDFA_FILTER_DATA = (("SelectPdfVersion", 2),)

#: com.sun.star.document.UpdateDocMode.NO_UPDATE: do not refresh links to external files/URLs.
UPDATE_DOC_MODE_NO_UPDATE = 0
#: com.sun.star.document.MacroExecMode.NEVER_EXECUTE: documents come from outside; no macros.
MACRO_EXEC_MODE_NEVER = 0


def log(message: str) -> None:
    """Write one diagnostic line to stderr (the parent logs it at DEBUG)."""
    sys.stderr.write(f"uno_worker[{os.getpid()}]: {message}\n")
    sys.stderr.flush()


class Protocol:
    """JSON-lines channel on the original stdout file descriptor."""

    def __init__(self, fd: int) -> None:
        self._out = os.fdopen(fd, "w", encoding="utf-8", buffering=1)

    def send(self, message: dict) -> None:
        """Write one message as one line and flush it."""
        self._out.write(json.dumps(message, ensure_ascii=False) + "\n")
        self._out.flush()


class ConvertFailed(Exception):
    """A conversion step failed; ``fatal`` tells whether the office process is still usable."""

    def __init__(self, message: str, *, kind: str = "internal", fatal: bool = False) -> None:
        super().__init__(message)
        self.kind = kind
        self.fatal = fatal


def child_pids(pid: int) -> list[int]:
    """Direct children of ``pid`` (Linux /proc scan; empty elsewhere)."""
    children = []
    try:
        entries = os.listdir("/proc")
    except OSError:
        return children
    for entry in entries:
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as fh:
                stat = fh.read()
        except OSError:
            continue
        # Format: "pid (comm) state ppid ..."; comm may contain spaces, so split after ')'.
        fields = stat.rsplit(")", 1)[-1].split()
        if len(fields) > 1 and fields[1] == str(pid):
            children.append(int(entry))
    return children


def office_pid(launcher_pid: int) -> int:
    """The pid of the real office process (soffice.bin), which oosplash starts as its child."""
    # /usr/bin/soffice is a shell script that execs oosplash, which forks soffice.bin (and,
    # briefly, javaldx). Without /proc, or when soffice.bin was started directly, the launcher
    # itself is the office.
    kids = child_pids(launcher_pid)
    for kid in kids:
        try:
            with open(f"/proc/{kid}/comm", encoding="ascii", errors="replace") as fh:
                if fh.read().strip().startswith("soffice"):
                    return kid
        except OSError:
            continue
    return kids[0] if kids else launcher_pid


class Office:
    """One running soffice with a UNO connection to its Desktop."""

    #: Export options; ``main`` adds :data:`PDFA_FILTER_DATA` for ``--pdfa``.
    filter_data = PDF_FILTER_DATA

    def __init__(self, soffice_argv: list[str], pipe: str, start_timeout: float, shutdown_grace: float) -> None:
        self.shutdown_grace = shutdown_grace
        argv = [*soffice_argv, f"--accept=pipe,name={pipe};urp;StarOffice.ComponentContext"]
        log("starting " + " ".join(argv))
        # soffice's stdout must never reach our protocol channel: send it to stderr (fd 2).
        # No new session: the parent kills our whole process group, soffice included.
        self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=2, stderr=2)

        try:
            self._connect(pipe, start_timeout)
        except BaseException:
            self.proc.kill()
            self.proc.wait()
            raise
        self.office_pid = office_pid(self.proc.pid)

    def _connect(self, pipe: str, start_timeout: float) -> None:
        # Importing pyuno takes ~0.1 s; do it while soffice boots (~0.8 s), not before.
        import uno
        from com.sun.star.connection import NoConnectException

        self._uno = uno
        local = uno.getComponentContext()
        resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
        url = f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext"
        deadline = time.monotonic() + start_timeout
        while True:
            try:
                self.ctx = resolver.resolve(url)
                break
            except NoConnectException:
                if self.proc.poll() is not None:
                    raise ConvertFailed(
                        f"soffice exited with status {self.proc.returncode} during start-up",
                        fatal=True,
                    ) from None
                if time.monotonic() > deadline:
                    raise ConvertFailed(
                        f"soffice did not accept a UNO connection within {start_timeout:.0f} s",
                        fatal=True,
                    ) from None
                time.sleep(CONNECT_POLL_S)
        self.desktop = self.ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", self.ctx)

    def version(self) -> str:
        """Product name and version as reported by the office configuration."""
        try:
            provider = self.ctx.ServiceManager.createInstanceWithContext(
                "com.sun.star.configuration.ConfigurationProvider", self.ctx
            )
            node = provider.createInstanceWithArguments(
                "com.sun.star.configuration.ConfigurationAccess",
                (_prop(self._uno, "nodepath", "/org.openoffice.Setup/Product"),),
            )
            return f"{node.getByName('ooName')} {node.getByName('ooSetupVersionAboutBox')}"
        except Exception as exc:  # version is informative only
            log(f"version lookup failed: {exc!r}")
            return ""

    def alive(self) -> bool:
        """True when soffice runs and answers over the bridge."""
        if self.proc.poll() is not None:
            return False
        try:
            self.desktop.getFrames().getCount()
        except Exception:
            return False
        return True

    def convert(self, src: str, out: str, join: dict | None = None) -> dict | None:
        """Load ``src`` hidden, export it as PDF to ``out``, close it.

        For a joined document (``join``: ``{"bookmarks": [...], "markers": [...]}``, one of each
        per joined document) the page count of every document is read from the layout (the page
        of its start bookmark), each document's page-count marker in the headers and footers is
        replaced by that count, and ``{"pages": counts}`` is returned. When the joined layout
        breaks a keep-with-next paragraph from its next one (:func:`_kept_apart`) nothing is
        exported and the answer also names those places, ``"kept_apart": [[document, page], ...]``.
        """
        uno = self._uno
        load_props = (
            _prop(uno, "Hidden", True),
            # A joined document is our own file and is edited (page counts) before the export.
            _prop(uno, "ReadOnly", join is None),
            _prop(uno, "UpdateDocMode", UPDATE_DOC_MODE_NO_UPDATE),
            _prop(uno, "MacroExecutionMode", MACRO_EXEC_MODE_NEVER),
        )
        in_url = uno.systemPathToFileUrl(os.path.abspath(src))
        out_url = uno.systemPathToFileUrl(os.path.abspath(out))
        try:
            doc = self.desktop.loadComponentFromURL(in_url, "_blank", 0, load_props)
        except Exception as exc:
            raise self._failure("load", exc) from exc
        if doc is None:
            # No exception but no document: LibreOffice has no import filter for it.
            raise ConvertFailed("", kind="load", fatal=not self.alive())
        pages = None
        try:
            if join is not None:
                spans, kept_apart = _settled_layout(doc, join["bookmarks"])
                pages = [end - start + 1 for start, end in spans]
                if kept_apart:
                    # The layout differs from the documents' own: no export, the parent converts
                    # these documents one by one.
                    _close_document(doc)
                    return {"pages": pages, "kept_apart": kept_apart}
                _fill_markers(doc, dict(zip(join["markers"], pages, strict=True)))
        except Exception as exc:
            _close_document(doc)
            raise self._failure("join", exc) from exc
        try:
            filter_name = _pdf_filter(doc)
            filter_data = uno.Any(
                "[]com.sun.star.beans.PropertyValue",
                tuple(_prop(uno, k, v) for k, v in self.filter_data),
            )
            store_props = (
                _prop(uno, "FilterName", filter_name),
                _prop(uno, "FilterData", filter_data),
                _prop(uno, "Overwrite", True),
            )
            # uno.invoke is needed because FilterData is wrapped in uno.Any.
            uno.invoke(doc, "storeToURL", (out_url, store_props))
        except ConvertFailed:
            raise
        except Exception as exc:
            raise self._failure("export", exc) from exc
        finally:
            _close_document(doc)
        return None if pages is None else {"pages": pages}

    def _failure(self, kind: str, exc: BaseException) -> ConvertFailed:
        detail = getattr(exc, "Message", "") or str(exc)
        return ConvertFailed(f"{type(exc).__name__}: {detail}".strip(), kind=kind, fatal=not self.alive())

    def shutdown(self) -> None:
        """Ask soffice to quit; kill it if it does not exit in time."""
        if self.proc.poll() is None:
            try:
                self.desktop.terminate()
            except Exception as exc:  # the bridge usually drops while terminating
                log(f"terminate: {type(exc).__name__}")
            try:
                self.proc.wait(self.shutdown_grace)
            except subprocess.TimeoutExpired:
                log("soffice did not exit; killing it")
                self.proc.kill()
                self.proc.wait()
        log(f"soffice exited with status {self.proc.returncode}")


def _prop(uno_module, name: str, value: object) -> object:
    prop = uno_module.createUnoStruct("com.sun.star.beans.PropertyValue")
    prop.Name = name
    prop.Value = value
    return prop


#: Header and footer texts of a page style (shared ones are the same object; filling twice is harmless).
HEADER_FOOTER_TEXTS = (
    ("HeaderIsOn", ("HeaderText", "HeaderTextLeft", "HeaderTextFirst")),
    ("FooterIsOn", ("FooterText", "FooterTextLeft", "FooterTextFirst")),
)


def _settled_layout(doc, bookmarks: list[str]) -> tuple[list[tuple[int, int]], list[list[int]]]:
    """First and last physical page of each joined document (start bookmark to its end), and
    where the layout separates a keep-with-next paragraph from the next one (:func:`_kept_apart`).

    The view cursor counts physical pages, and LibreOffice lays out a blank page before a
    document whose page numbering restarts at 1 on what would be a left page (it neither prints
    nor exports it): a document's last page is therefore the page of the character just before
    the next document's start, not the page before the next start. The layout of a hidden
    document may still change while it is measured (under load a page end was seen to move
    between two looks), so both are measured until two rounds agree.
    """
    cursor = doc.getCurrentController().getViewCursor()
    marks = doc.getBookmarks()
    previous = None
    checks = []
    for _round in range(4):
        cursor.jumpToLastPage()  # formats the document up to its end
        spans = _measure(cursor, marks, bookmarks)
        checked = time.monotonic()
        state = (spans, _kept_apart(cursor, spans))
        checks.append(time.monotonic() - checked)
        if state == previous:
            log(f"keep-with-next check: {sum(checks) * 1000:.1f} ms in {len(checks)} rounds, {len(spans)} parts")
            return state
        previous = state
    raise ValueError(f"the layout did not settle: {previous}")


def _measure(cursor, marks, bookmarks: list[str]) -> list[tuple[int, int]]:
    cursor.jumpToLastPage()
    last = cursor.getPage()
    counts = []
    for k, name in enumerate(bookmarks):
        cursor.gotoRange(marks.getByName(name).getAnchor().getStart(), False)
        start = cursor.getPage()
        if k + 1 < len(bookmarks):
            cursor.gotoRange(marks.getByName(bookmarks[k + 1]).getAnchor().getStart(), False)
            cursor.goLeft(1, False)
            end = cursor.getPage()
        else:
            end = last
        if end < start:
            raise ValueError(f"document {k} ends on page {end} before its start page {start}")
        counts.append((start, end))
    return counts


#: Break types that start a new page (or column) before a paragraph or table on purpose.
BREAKS_BEFORE = frozenset(["PAGE_BEFORE", "PAGE_BOTH", "COLUMN_BEFORE", "COLUMN_BOTH"])


def _kept_apart(cursor, spans: list[tuple[int, int]]) -> list[list[int]]:
    """Where the layout ends a page with a keep-with-next paragraph inside a joined document.

    ``ParaKeepTogether`` is Writer's "keep with next paragraph" (Word's ``w:keepNext``, headings).
    Such a paragraph may only end a page when the next one starts a page on purpose (a page
    break, another page style: a section or the next joined document) or when LibreOffice
    cannot keep them together at all. In large joined documents LibreOffice's layout sometimes
    leaves a heading alone at the foot of a page where the document on its own does not: then
    that document's pages differ. One look per page, at the paragraph the page ends with,
    costs far less than one per keep-with-next paragraph (about half of all paragraphs).
    Returns ``[document index, page within that document]`` for every such place.
    """
    found = []
    for k, (start, end) in enumerate(spans):
        # The last page of a document is followed by the next document's own first page.
        for page in range(start, end):
            if _ends_kept_apart(cursor, page):
                found.append([k, page - start + 1])
    return found


def _ends_kept_apart(cursor, page: int) -> bool:
    cursor.jumpToPage(page)
    cursor.jumpToEndOfPage()
    if cursor.getPage() != page:
        return False  # a page without body text (a blank page LibreOffice inserts, not exported)
    text = cursor.getText()
    tc = text.createTextCursorByRange(cursor.getStart())
    if tc.getPropertyValue("TextTable") is not None:
        return False  # inside a table: rows follow the table's own rules
    if not tc.getPropertyValue("ParaKeepTogether") or not tc.isEndOfParagraph():
        return False
    if not tc.gotoNextParagraph(False):
        return False
    table = tc.getPropertyValue("TextTable")  # the next block may be a table: its break counts
    block = table if table is not None else tc
    return block.getPropertyValue("BreakType").value not in BREAKS_BEFORE and not block.getPropertyValue(
        "PageDescName"
    )


def _fill_markers(doc, counts: dict[str, int]) -> None:
    """Replace every page-count marker in the headers and footers by its document's page count."""
    styles = doc.getStyleFamilies().getByName("PageStyles")
    for name in styles.getElementNames():
        style = styles.getByName(name)
        for switch, props in HEADER_FOOTER_TEXTS:
            if not style.getPropertyValue(switch):
                continue
            for prop in props:
                try:
                    text = style.getPropertyValue(prop)
                except Exception:
                    continue
                if text is not None and "[[NP" in text.getString():
                    _replace_in_text(text, counts)


def _replace_in_text(text, counts: dict[str, int]) -> None:
    paragraphs = text.createEnumeration()
    while paragraphs.hasMoreElements():
        para = paragraphs.nextElement()
        if para.supportsService("com.sun.star.text.TextTable"):
            for cell_name in para.getCellNames():
                _replace_in_text(para.getCellByName(cell_name), counts)
            continue
        portions = para.createEnumeration()
        found = []
        while portions.hasMoreElements():
            portion = portions.nextElement()
            if portion.TextPortionType == "Text" and "[[NP" in portion.getString():
                found.append(portion)
        for portion in found:
            value = portion.getString()
            for mark, count in counts.items():
                value = value.replace(mark, str(count))
            portion.setString(value)


def _pdf_filter(doc) -> str:
    for service, filter_name in PDF_FILTERS:
        if doc.supportsService(service):
            return filter_name
    return "writer_pdf_Export"


def _close_document(doc) -> None:
    try:
        doc.close(True)
    except Exception:
        try:
            doc.dispose()
        except Exception as exc:
            log(f"could not close document: {type(exc).__name__}")


def serve(office: Office, proto: Protocol, stdin) -> None:
    """Answer conversion requests until stdin closes or the office dies.

    At the end it logs how long it converted and how long it waited for the next request (at
    ``-vv``: a driver that keeps LibreOffice waiting shows here).
    """
    busy = waited = 0.0
    count = 0
    try:
        idle_since = time.monotonic()
        for raw in stdin:
            started = time.monotonic()
            waited += started - idle_since
            go_on = _answer(office, proto, raw.strip())
            idle_since = time.monotonic()
            busy += idle_since - started
            count += 1
            if not go_on:
                return
    finally:
        log(f"{count} requests: converting {busy:.1f} s, waiting for requests {waited:.1f} s")


def _answer(office: Office, proto: Protocol, line: str) -> bool:
    """Answer one request line; False when the office died (the worker ends)."""
    if not line:
        return True
    try:
        request = json.loads(line)
        src, out = str(request["src"]), str(request["out"])
        join = request.get("join")
    except (ValueError, KeyError, TypeError) as exc:
        proto.send({"ok": False, "kind": "request", "error": str(exc), "fatal": False})
        return True
    started = time.monotonic()
    try:
        answer = office.convert(src, out, join)
    except ConvertFailed as exc:
        log(f"{src}: {exc.kind} failed {exc}".rstrip())
        proto.send({"ok": False, "kind": exc.kind, "error": str(exc), "fatal": exc.fatal})
        return not exc.fatal
    except Exception as exc:  # unexpected: report it, keep the protocol in step
        fatal = not office.alive()
        proto.send({"ok": False, "kind": "internal", "error": f"{type(exc).__name__}: {exc}", "fatal": fatal})
        return not fatal
    log(f"converted {src} in {time.monotonic() - started:.2f} s")
    proto.send({"ok": True, **(answer or {})})
    return True


def main(argv: list[str] | None = None) -> int:
    """Run the worker; returns the process exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pipe", required=True, help="unique UNO pipe name")
    parser.add_argument("--start-timeout", type=float, required=True, help="seconds soffice may take to start")
    parser.add_argument(
        "--shutdown-grace", type=float, required=True, help="seconds soffice may take to exit before it is killed"
    )
    parser.add_argument("--pdfa", action="store_true", help="export PDF/A-2b")
    parser.add_argument("soffice_argv", nargs="+", help="after --: the soffice command line (binary, profile, flags)")
    args = parser.parse_args(argv)

    # Keep the protocol on a private copy of stdout and point fd 1 at stderr, so nothing that
    # prints (pyuno, LibreOffice, this script) can corrupt the JSON-lines channel.
    proto = Protocol(os.dup(1))
    os.dup2(2, 1)
    sys.stdout = sys.stderr

    office: Office | None = None

    def _on_signal(signum: int, _frame: object) -> None:
        log(f"signal {signum}; shutting down")
        if office is not None:
            office.shutdown()
        os._exit(128 + signum)

    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, _on_signal)

    # Fail early, before starting soffice, when this interpreter has no pyuno. find_spec does
    # not import it; the (slower) import overlaps with soffice's start-up in Office().
    if importlib.util.find_spec("uno") is None:
        proto.send({"ready": False, "error": "Python module 'uno' not available"})
        return 2

    try:
        office = Office(args.soffice_argv, args.pipe, args.start_timeout, args.shutdown_grace)
        if args.pdfa:
            office.filter_data = PDF_FILTER_DATA + PDFA_FILTER_DATA
    except ConvertFailed as exc:
        proto.send({"ready": False, "error": str(exc)})
        return 2
    except Exception as exc:
        proto.send({"ready": False, "error": f"{type(exc).__name__}: {exc}"})
        return 2

    proto.send(
        {
            "ready": True,
            "pid": office.proc.pid,
            "office_pid": office.office_pid,
            "version": office.version(),
        }
    )
    try:
        serve(office, proto, io.TextIOWrapper(sys.stdin.buffer, encoding="utf-8"))
    finally:
        office.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""A template written to exhaust the machine ends within seconds, in bounded memory, as a template error.

Each bomb is refused by the limits of :mod:`dossier.render.limits` (exit 4, a Dutch message naming the
template); ordinary templates that use the same constructs modestly still render.
"""

from __future__ import annotations

import io
import json
import struct
import subprocess
import sys
import time
import zipfile
from datetime import date
from pathlib import Path

import pytest
from docx import Document

from dossier.errors import Severity, TemplateRenderError
from dossier.model import Case
from dossier.render import build_context, render_docx
from dossier.render.environment import make_environment
from dossier.render.limits import MAX_TEXT, MAX_ZIP_XML, check_docx_zip
from dossier.render.templates import check_template
from dossier.settings import Settings
from dossier.timeline import compute_timeline

ROOT = Path(__file__).resolve().parent.parent
TODAY = date(2026, 11, 23)

#: The bombs of the hostile-input report, as template text.
BOMBS = {
    "herhaling": "{{ 'x' * 10**10 }}",
    "macht": "{{ 10**(10**8) }}",
    "lussen": "{% for a in range(100000) %}{% for b in range(100000) %}{% endfor %}{% endfor %}",
    "lussen_met_uitvoer": "{% for a in range(100000) %}{% for b in range(100000) %}x{% endfor %}{% endfor %}",
    "recursieve_macro": "{% macro m(n) %}{{ m(n + 1) }}{% endmacro %}{{ m(0) }}",
    "tilde_in_lus": ("{% set ns = namespace(s='x') %}{% for i in range(64) %}{% set ns.s = ns.s ~ ns.s %}"
                     "{% endfor %}{{ ns.s|length }}"),
}

#: More ways to make something huge or run long, each refused before it is made.
MORE_BOMBS = [
    "{{ [1] * 10**9 }}",
    "{{ ('x' * 1000) * 100000 }}",
    "{{ 2 ** 100000 }}",
    "{% set ns = namespace(n=7) %}{% for i in range(40) %}{% set ns.n = ns.n * ns.n %}{% endfor %}{{ ns.n }}",
    "{% set ns = namespace(s='xx') %}{% for i in range(64) %}{% set ns.s = ns.s + ns.s %}{% endfor %}",
    "{% set ns = namespace(l=[1]) %}{% for i in range(64) %}{% set ns.l = [ns.l, ns.l] %}{% endfor %}{{ ns.l }}",
    "{% set ns = namespace(a=namespace()) %}{% for i in range(64) %}"
    "{% set ns.a = namespace(x=ns.a, y=ns.a) %}{% endfor %}{{ ns.a }}",
    "{{ 'x'|center(10**10) }}",
    "{{ 'x'|indent(10**10) }}",
    "{{ ('a\\n' * 1000000)|indent(100) }}",
    "{{ '%10000000000s'|format('x') }}",
    "{{ '%10000000000s' % 'x' }}",
    "{{ '%.900000000f' % 1.5 }}",
    "{{ ('x' * 10000)|replace('', 'y' * 10000) }}",
    "{{ ('x' * 5000000)|wordwrap(1, wrapstring='yyyy') }}",
    "{{ [1]|batch(10**9, 'x')|list }}",
    "{{ [1]|slice(10**9)|list }}",
    "{{ range(100000)|map(attribute='nope', default='x' * 1000000)|join }}",
    "{{ 'x'.ljust(10**10) }}",
    "{{ 'x'.zfill(10**10) }}",
    "{{ '{:>10000000000}'.format('x') }}",
    "{{ '{:>{w}}'.format('x', w=10**10) }}",
    "{{ ('\\t' * 1000000).expandtabs(1000) }}",
    "{{ (1).to_bytes(10**10, 'big') }}",
    "{{ ('x' * 1000000).translate({120: 'y' * 1000}) }}",
    "{{ ''.join(['x' * 1000000] * 1000) }}",
    "{{ plan_van_aanpak.visie_werknemer|invul(10**6, tekens=10**6) }}",
    "{{ 3|getal(10**9) }}",
    "{{ range(10**10)|list }}",
    "{% macro m() %}{% for i in range(100000) %}{{ caller() }}{% endfor %}{% endmacro %}"
    "{% call m() %}{{ 'x' * 1000000 }}{% endcall %}",
    "{% set big %}{% for i in range(100000) %}{{ 'x' * 100000 }}{% endfor %}{% endset %}{{ big|length }}",
    "{% macro m(n) %}{% if n < 60 %}{{ m(n + 1) }}{{ m(n + 1) }}{% endif %}{% endmacro %}{{ m(0) }}",
    "{% for a in range(100000) %}{{ werknemer.naam.upper() }}{% endfor %}"
    "{% for a in range(100000) %}{% for b in range(100) %}{{ b }}{% endfor %}{% endfor %}",
    "{% for x in ([1] * 100000)|map('string') %}{% for y in ([1] * 100000)|map('string') %}{% endfor %}"
    "{% endfor %}",
    "{{ " + "(" * 5000 + "1" + ")" * 5000 + " }}",
    "{% set big = 'x' * 5000000 %}{% macro m() %}{% for i in range(100000) %}{{ big }}{% endfor %}{% endmacro %}"
    "{{ m()|length }}",
    "{% set big = 'x' * 5000000 %}{% macro m(n) %}{% set s = big[::-1] %}{% if n < 60 %}{{ m(n + 1) }}{% endif %}"
    "{% endmacro %}{{ m(0)|length }}",
    "{% set ns = namespace(l=[0]) %}{% for i in range(64) %}{% set ns.l = ns.l + ns.l %}{% endfor %}",
    "{% set ns = namespace(s='x' * 1000) %}{% for i in range(100000) %}{% set ns.s = (ns.s ~ 'x')[-1000:] %}"
    "{% set t = ns.s * 9000 %}{% endfor %}",
]

#: Modest uses of the same constructs: these must keep working.
ORDINARY = [
    ("{{ '-' * 20 }}", "-" * 20),
    ("{{ 2 ** 10 }} {{ 7 * 6 }} {{ 1 + 2 }} {{ 'a' + 'b' }} {{ 7 % 3 }} {{ '%05.1f' % 3.14159 }}",
     "1024 42 3 ab 1 003.1"),
    ("{% for i in range(3) %}{{ loop.index }}{% if not loop.last %},{% endif %}{% endfor %}", "1,2,3"),
    ("{% macro regel(t) %}[{{ t }}]{% endmacro %}{% for a in ['x', 'y'] %}{{ regel(a ~ '!') }}{% endfor %}",
     "[x!][y!]"),
    ("{{ ['a', 'b']|join(', ') }} {{ 'x'|center(5) }}|{{ '{:>4}'.format(7) }} {{ (1, 2)|list|length }}",
     "a, b   x  |   7 2"),
    ("{% set ns = namespace(t='') %}{% for i in range(3) %}{% set ns.t = ns.t ~ i %}{% endfor %}{{ ns.t }}",
     "012"),
    ("{% for a, b in [(1, 2), (3, 4)] %}{{ a + b }} {% endfor %}{{ {'k': 1}['k'] }}", "3 7 1"),
]


def _case() -> Case:
    return Case.model_validate(json.loads((ROOT / "samples" / "casus_kuipers.json").read_text(encoding="utf-8")))


@pytest.fixture(scope="module")
def ctx() -> dict:
    case = _case()
    return build_context(case, compute_timeline(case, today=TODAY), today=TODAY, settings=Settings())


@pytest.fixture(scope="module")
def env():
    return make_environment()


def _template(folder: Path, body: str, name: str = "plan_van_aanpak.docx") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    doc = Document()
    doc.add_paragraph("Eerste alinea")
    doc.add_paragraph(body)
    path = folder / name
    doc.save(path)
    return path


def _docx_text(path: Path) -> str:
    return "\n".join(p.text for p in Document(str(path)).paragraphs)


@pytest.mark.parametrize("body", [*BOMBS.values(), *MORE_BOMBS])
def test_each_bomb_is_a_template_error_within_seconds(body, ctx, env, tmp_path):
    tpl = _template(tmp_path, body)
    start = time.monotonic()
    with pytest.raises(TemplateRenderError) as e:
        render_docx(tpl, ctx, tmp_path / "uit.docx", env)
    assert time.monotonic() - start < 8
    assert e.value.message.startswith("plan_van_aanpak.docx: sjabloon afgebroken (hoofdtekst): ")
    assert e.value.exit_code == 4
    assert not (tmp_path / "uit.docx").exists()


@pytest.mark.parametrize(("body", "expected"), ORDINARY)
def test_ordinary_templates_are_not_limited(body, expected, ctx, env, tmp_path):
    tpl = _template(tmp_path, body)
    out = render_docx(tpl, ctx, tmp_path / "uit.docx", env)
    assert _docx_text(out).splitlines()[1] == expected


def test_messages_say_what_was_too_big(ctx, env, tmp_path):
    cases = {
        BOMBS["herhaling"]: "'*' herhaalt een tekst tot 10.000.000.000 tekens (maximaal 10.000.000)",
        BOMBS["macht"]: "'**' levert een getal van meer dan 1.024 bits",
        BOMBS["lussen"]: "meer dan 500.000 herhalingen in lussen en aanroepen",
        BOMBS["recursieve_macro"]: "meer dan 64 aanroepen in elkaar (een macro die zichzelf",
        BOMBS["tilde_in_lus"]: "een tekst van 16.777.216 tekens (maximaal 10.000.000)",
    }
    for body, text in cases.items():
        tpl = _template(tmp_path, body)
        with pytest.raises(TemplateRenderError) as e:
            render_docx(tpl, ctx, tmp_path / "uit.docx", env)
        assert text in e.value.message, e.value.message
        assert body.split("%}")[0][:20] in e.value.detail  # the paragraph is quoted


@pytest.mark.parametrize("body", [
    "{% set s = 'x' * 1000000 %}{% for a in range(100000) %}{{ s.count('y') }}{% endfor %}",
    # A loop over a list is charged in one go; its body looks at the clock through its operators.
    "{% set ns = namespace(l=[]) %}{% for x in range(100000) %}{% set ns.l = ns.l + [x] %}{% endfor %}",
])
def test_a_template_running_past_the_deadline_is_stopped(body, ctx, env, tmp_path, monkeypatch):
    """Slow steps that stay under every size and step limit still end at the deadline."""
    import dossier.render.limits as limits

    monkeypatch.setattr(limits, "RENDER_SECONDS", 0.3)
    tpl = _template(tmp_path, body)
    start = time.monotonic()
    with pytest.raises(TemplateRenderError, match=r"duurt langer dan 0\.3 seconden"):
        render_docx(tpl, ctx, tmp_path / "uit.docx", env)
    assert time.monotonic() - start < 3


def test_every_document_gets_its_own_budget(ctx, env, tmp_path):
    """A batch renders thousands of documents in one process: the budget is per document."""
    body = "{% for a in range(45000) %}{% for b in range(9) %}{% endfor %}{% endfor %}"  # 0.45 M steps
    tpl = _template(tmp_path, body)
    for i in range(3):
        render_docx(tpl, ctx, tmp_path / f"uit{i}.docx", env)


# --- zip bombs --------------------------------------------------------------------------------------

def _zip_bomb(folder: Path, inflated: int, name: str = "plan_van_aanpak.docx") -> Path:
    """A real DOCX whose document.xml inflates to ``inflated`` bytes of whitespace (a few hundred KB)."""
    folder.mkdir(parents=True, exist_ok=True)
    plain = io.BytesIO()
    Document().save(plain)
    path = folder / name
    with zipfile.ZipFile(io.BytesIO(plain.getvalue())) as src, \
            zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as out:
        for item in src.infolist():
            data = src.read(item)
            if item.filename != "word/document.xml":
                out.writestr(item.filename, data)
                continue
            head, tail = data.split(b"<w:body>", 1)
            with out.open("word/document.xml", "w", force_zip64=True) as f:
                f.write(head + b"<w:body>")
                chunk = b" " * (1024 * 1024)
                for _ in range(inflated // len(chunk)):
                    f.write(chunk)
                f.write(tail)
    return path


@pytest.fixture(scope="module")
def zip_bomb(tmp_path_factory) -> Path:
    return _zip_bomb(tmp_path_factory.mktemp("bom"), 400 * 1024 * 1024)


def test_a_zip_bomb_template_is_refused_before_it_is_inflated(zip_bomb, ctx, env, tmp_path):
    assert zip_bomb.stat().st_size < 2 * 1024 * 1024
    start = time.monotonic()
    with pytest.raises(TemplateRenderError) as e:
        render_docx(zip_bomb, ctx, tmp_path / "uit.docx", env)
    assert time.monotonic() - start < 1
    assert e.value.exit_code == 4
    assert e.value.message.startswith("plan_van_aanpak.docx: geweigerd: de XML-onderdelen zijn uitgepakt 401 MB")
    assert "word/document.xml" in e.value.message and "zip-bom" in e.value.message
    [issue] = check_template(zip_bomb)
    assert issue.severity is Severity.fout and issue.source == "plan_van_aanpak.docx"
    assert "zip-bom" in issue.message


def test_a_zip_member_that_inflates_past_its_declared_size_is_not_read(tmp_path, ctx, env):
    """The check trusts the declared sizes because zipfile never inflates more than a member declares."""
    path = _zip_bomb(tmp_path, 8 * 1024 * 1024)
    data = bytearray(path.read_bytes())
    # Shrink document.xml's declared size in the central directory (the one zipfile reads).
    pos = 0
    while True:
        pos = data.index(b"PK\x01\x02", pos + 1)
        name_len = struct.unpack_from("<H", data, pos + 28)[0]
        if data[pos + 46:pos + 46 + name_len] == b"word/document.xml":
            break
    struct.pack_into("<I", data, pos + 24, 1000)
    path.write_bytes(bytes(data))
    check_docx_zip(path)  # declares 1000 bytes: passes the size check
    with pytest.raises(TemplateRenderError, match="geen geldig Word-bestand"):
        render_docx(path, ctx, tmp_path / "uit.docx", env)


def test_a_template_just_under_the_limits_still_renders(tmp_path, ctx, env):
    body = f"{{{{ 'x' * {MAX_TEXT // 2} }}}}"
    out = render_docx(_template(tmp_path, body), ctx, tmp_path / "uit.docx", env)
    assert len(_docx_text(out)) > MAX_TEXT // 2
    assert MAX_ZIP_XML > 20 * 1024 * 1024  # room for a big firm template


# --- templates check --------------------------------------------------------------------------------

@pytest.mark.parametrize("name", sorted(BOMBS))
def test_templates_check_reports_each_bomb_as_an_error(name, tmp_path):
    tpl = _template(tmp_path, BOMBS[name], name="eindevaluatie.docx")
    start = time.monotonic()
    issues = check_template(tpl)
    assert time.monotonic() - start < 8
    assert [i.severity for i in issues] == [Severity.fout]
    assert issues[0].source == "eindevaluatie.docx"
    assert issues[0].message.startswith("bij het invullen met een voorbeeldcasus: sjabloon afgebroken")


def test_templates_check_warns_when_the_example_case_fails_otherwise(tmp_path):
    tpl = _template(tmp_path, "{{ werknemer.naam.split(1, 2, 3) }}")
    [issue] = check_template(tpl)
    assert issue.severity is Severity.waarschuwing
    assert issue.message.startswith("het invullen met een voorbeeldcasus mislukt: ")


# --- the CLI, with time and memory measured ----------------------------------------------------------

#: Runs each command as a child, then prints per command its exit code and wall time, and the peak
#: RSS (KB) of the largest child.
_PROBE = r"""
import json, resource, subprocess, sys, time
out = []
for argv in json.loads(sys.argv[1]):
    t = time.monotonic()
    p = subprocess.run([sys.executable, *argv], capture_output=True, text=True)
    out.append([p.returncode, time.monotonic() - t, p.stderr + p.stdout])
print(json.dumps([out, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss]))
"""

#: ``dossier`` with the fake converter (placeholder PDFs), for ``build`` without LibreOffice.
_FAKE_CLI = ("import sys; import dossier.pipeline as p; from dossier.convert.fake import FakeConverter; "
             "p.make_converter = lambda settings: FakeConverter(); from dossier.cli import run; run(sys.argv[1:])")


def _run_commands(commands: list[list[str]]) -> tuple[list[tuple[int, float, str]], float]:
    res = subprocess.run([sys.executable, "-c", _PROBE, json.dumps(commands)], capture_output=True, text=True,
                         check=True, cwd=ROOT, timeout=300)
    results, peak_kb = json.loads(res.stdout)
    return [tuple(r) for r in results], peak_kb / 1024


@pytest.fixture(scope="module")
def case_file(tmp_path_factory) -> Path:
    data = json.loads((ROOT / "samples" / "casus_kuipers.json").read_text(encoding="utf-8"))
    data.pop("bijlagen")
    for record in data.get("ondertekeningen", []):
        record.pop("scan", None)  # files next to the sample, not copied here
    path = tmp_path_factory.mktemp("casus") / "casus.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def _cli_commands(folder: Path, case_file: Path, out: Path) -> list[list[str]]:
    return [
        ["-m", "dossier", "render", "plan_van_aanpak", str(case_file), "--templates", str(folder),
         "--today", "2026-11-23", "-o", str(out / "docs")],
        ["-c", _FAKE_CLI, "build", str(case_file), "--templates", str(folder), "--today", "2026-11-23",
         "-o", str(out / "dossier.pdf")],
        ["-m", "dossier", "templates", "check", str(folder)],
    ]


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(BOMBS))
def test_render_build_and_check_stop_each_bomb_in_seconds_and_bounded_memory(name, case_file, tmp_path):
    folder = tmp_path / "sjablonen"
    _template(folder, BOMBS[name])
    results, peak_mb = _run_commands(_cli_commands(folder, case_file, tmp_path))
    for code, seconds, output in results:
        assert code == 4, output
        assert "plan_van_aanpak.docx" in output and "afgebroken" in output, output
        assert "Traceback" not in output and "Interne fout" not in output
        assert seconds < 10, (seconds, output)
    assert peak_mb < 2048, peak_mb


@pytest.mark.slow
def test_render_build_and_check_refuse_a_zip_bomb_in_bounded_memory(zip_bomb, case_file, tmp_path):
    folder = tmp_path / "sjablonen"
    folder.mkdir()
    (folder / "plan_van_aanpak.docx").write_bytes(zip_bomb.read_bytes())
    results, peak_mb = _run_commands(_cli_commands(folder, case_file, tmp_path))
    for code, seconds, output in results:
        assert code == 4, output
        assert "plan_van_aanpak.docx" in output and "zip-bom" in output, output
        assert seconds < 10, (seconds, output)
    assert peak_mb < 500, peak_mb


def test_a_batch_reports_each_case_of_a_bomb_template_and_goes_on(tmp_path, case_file):
    from dossier.batch import run_batch

    folder = tmp_path / "sjablonen"
    _template(folder, BOMBS["recursieve_macro"])
    base = json.loads(case_file.read_text(encoding="utf-8"))
    cases = [{**base, "dossiernummer": f"B-{i}"} for i in range(3)]
    inp = tmp_path / "casussen.json"
    inp.write_text(json.dumps(cases, ensure_ascii=False), encoding="utf-8")
    start = time.monotonic()
    report = run_batch([inp], tmp_path / "uit", soort="plan_van_aanpak", jobs=1,
                       settings=Settings(converter="fake", templates_dir=folder), today=TODAY)
    assert time.monotonic() - start < 20
    assert [r.status for r in report.results] == ["fout"] * 3
    assert all("plan_van_aanpak.docx: sjabloon afgebroken" in r.problemen[0] for r in report.results)

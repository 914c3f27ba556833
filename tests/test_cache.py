"""The cache of rendered documents and converted PDFs: keys, hits, bounds, safety, CLI."""

from __future__ import annotations

import json
import multiprocessing
import os
import shutil
import stat
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from dossier import api
from dossier.cache import Cache, default_cache_dir
from dossier.cli import main
from dossier.convert.cache import CachingConverter, with_cache
from dossier.convert.fake import FakeConverter
from dossier.settings import Settings, default_settings

TODAY = date(2026, 11, 23)
ROOT = Path(__file__).resolve().parent.parent


def _pdf(tag: str, size: int = 0) -> bytes:
    return b"%PDF-1.4\n" + tag.encode() + b"x" * size + b"\n%%EOF\n"


def _docx(folder: Path, name: str, content: bytes) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(b"PK\x03\x04" + content)
    return path


class _Versioned(FakeConverter):
    def __init__(self, engine: str = "FakeConverter 1.0") -> None:
        super().__init__()
        self.engine_version = engine

    def version(self) -> str:
        return self.engine_version


# --- the converter wrapper -------------------------------------------------------------------


def test_hit_and_miss_only_misses_go_to_the_inner_converter_in_one_call(tmp_path: Path) -> None:
    calls: list[list[str]] = []

    class Recording(FakeConverter):
        def to_pdf(self, sources: list[Path], out_dir: Path) -> list[Path]:
            calls.append([Path(s).name for s in sources])
            return super().to_pdf(sources, out_dir)

    conv = CachingConverter(Recording(), Cache(tmp_path / "c"))
    a = _docx(tmp_path / "in", "a.docx", b"een")
    b = _docx(tmp_path / "in", "b.docx", b"twee")
    first = conv.to_pdf([a, b], tmp_path / "out1")
    c = _docx(tmp_path / "in", "c.docx", b"drie")
    second = conv.to_pdf([a, c, b], tmp_path / "out2")
    assert calls == [["a.docx", "b.docx"], ["c.docx"]]  # the hits a and b never reach the engine
    assert [p.name for p in second] == ["a.pdf", "c.pdf", "b.pdf"]
    assert second[0].read_bytes() == first[0].read_bytes()
    assert second[2].read_bytes() == first[1].read_bytes()
    assert (conv.served, conv.converted) == (2, 3)


def test_key_changes_with_document_engine_version_and_options(tmp_path: Path) -> None:
    cache = Cache(tmp_path / "c")
    base = CachingConverter(_Versioned(), cache)
    key = base.key(b"docx")
    assert base.key(b"docx") == key
    assert base.key(b"docx!") != key
    assert CachingConverter(_Versioned("LibreOffice 7.5"), cache).key(b"docx") != key
    assert CachingConverter(_Versioned(), cache, options={"pdfa": True}).key(b"docx") != key
    versioned = _Versioned()
    versioned.cache_version = "join 2"  # type: ignore[attr-defined]
    assert CachingConverter(versioned, cache).key(b"docx") != key


def test_other_engine_version_is_a_miss(tmp_path: Path) -> None:
    cache = Cache(tmp_path / "c")
    src = _docx(tmp_path / "in", "a.docx", b"een")
    CachingConverter(_Versioned("LO 7.4"), cache).to_pdf([src], tmp_path / "o1")
    newer = CachingConverter(_Versioned("LO 7.5"), cache)
    newer.to_pdf([src], tmp_path / "o2")
    assert newer.converted == 1 and newer.served == 0


def test_no_cache_setting_leaves_the_converter_as_it_is(tmp_path: Path) -> None:
    fake = FakeConverter()
    assert with_cache(fake, Settings(cache=False)) is fake
    wrapped = with_cache(fake, Settings(cache_dir=tmp_path / "c"))
    assert isinstance(wrapped, CachingConverter) and wrapped.cache.root == tmp_path / "c"
    joined = with_cache(FakeConverter(), Settings(cache_dir=tmp_path / "c", samenvoegen=True))
    pdfa = with_cache(FakeConverter(), Settings(cache_dir=tmp_path / "c", pdfa=True))
    assert len({wrapped.key(b"docx"), joined.key(b"docx"), pdfa.key(b"docx")}) == 3  # type: ignore[attr-defined]


# --- the store ------------------------------------------------------------------------------


def test_damaged_entry_is_removed_and_rebuilt_never_served(tmp_path: Path) -> None:
    cache = Cache(tmp_path / "c")
    conv = CachingConverter(FakeConverter(), cache)
    src = _docx(tmp_path / "in", "a.docx", b"een")
    good = conv.to_pdf([src], tmp_path / "o1")[0].read_bytes()
    entry = cache._entry("pdf", conv.key(src.read_bytes()))
    raw = bytearray(entry.read_bytes())
    raw[-20] ^= 0xFF  # one flipped byte inside the PDF
    entry.write_bytes(bytes(raw))
    again = CachingConverter(FakeConverter(), cache)
    out = again.to_pdf([src], tmp_path / "o2")[0]
    assert again.converted == 1 and cache.damaged == 1
    assert out.read_bytes()[:5] == b"%PDF-" and out.read_bytes() != bytes(raw)
    assert good[:5] == b"%PDF-"
    entry.write_bytes(entry.read_bytes()[:100])  # truncated: also refused
    assert cache.get("pdf", conv.key(src.read_bytes())) is None
    assert not entry.exists()


def test_expired_entry_is_not_served_and_pruned(tmp_path: Path) -> None:
    cache = Cache(tmp_path / "c", max_age_days=30)
    assert cache.put("pdf", "a" * 64, _pdf("oud"))
    assert cache.put("pdf", "b" * 64, _pdf("nieuw"))
    old = time.time() - 31 * 86400
    os.utime(cache._entry("pdf", "a" * 64), (old, old))
    assert cache.get("pdf", "a" * 64) is None
    assert cache.get("pdf", "b" * 64) == _pdf("nieuw")
    os.utime(cache._entry("pdf", "b" * 64), (old, old))
    assert cache.prune() == 1
    assert cache.info().entries == 0


def test_size_bound_evicts_least_recently_used(tmp_path: Path) -> None:
    cache = Cache(tmp_path / "c", max_bytes=10_000_000)
    keys = [f"{i:064x}" for i in range(5)]
    for n, key in enumerate(keys):
        assert cache.put("pdf", key, _pdf(key, 3000))
        t = time.time() - 1000 + n  # written (and last used) in this order
        os.utime(cache._entry("pdf", key), (t, t))
    assert cache.get("pdf", keys[0]) is not None  # used just now: the most recent
    cache.max_bytes = 3 * 3100
    cache.prune()
    left = {k for k in keys if cache._entry("pdf", k).exists()}
    assert keys[0] in left and keys[1] not in left and keys[2] not in left
    assert cache.info().bytes <= cache.max_bytes


def test_size_bound_holds_while_writing(tmp_path: Path) -> None:
    cache = Cache(tmp_path / "c", max_bytes=200_000)
    for i in range(200):
        cache.put("pdf", f"{i:064x}", _pdf(str(i), 5000))
    assert cache.info().bytes <= 200_000 * 1.06  # pruned whenever 5 % of the bound was written


def test_owner_only_permissions(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        cache = Cache(tmp_path / "c")
        cache.put("pdf", "a" * 64, _pdf("x"), dossier="VZ-1")
    finally:
        os.umask(old)
    for path in [cache.root, *cache.root.rglob("*")]:
        mode = stat.S_IMODE(path.stat().st_mode)
        assert mode == (0o700 if path.is_dir() else 0o600), path


def _writer(root: str, key: str, tag: str, rounds: int) -> None:
    cache = Cache(Path(root))
    for i in range(rounds):
        cache.put("pdf", key, _pdf(f"{tag}-{i}", 20_000 + 997 * i))


def _reader(root: str, key: str, rounds: int, queue: multiprocessing.Queue) -> None:
    cache = Cache(Path(root))
    seen = bad = 0
    deadline = time.monotonic() + 60
    while seen < rounds and time.monotonic() < deadline:  # until it has read many versions
        entry = cache._entry("pdf", key)
        try:
            raw = entry.read_bytes()
        except FileNotFoundError:
            continue
        seen += 1
        bad += Cache._payload("pdf", raw) is None  # a whole entry, checksum and all, or none
    queue.put((seen, bad))


def test_concurrent_writers_never_leave_a_torn_entry(tmp_path: Path) -> None:
    ctx = multiprocessing.get_context("spawn")
    root, key = str(tmp_path / "c"), "f" * 64
    queue = ctx.Queue()
    writers = [ctx.Process(target=_writer, args=(root, key, f"w{n}", 150)) for n in range(3)]
    reader = ctx.Process(target=_reader, args=(root, key, 300, queue))
    for p in [*writers, reader]:
        p.start()
    for p in [*writers, reader]:
        p.join(120)
        assert p.exitcode == 0
    seen, bad = queue.get(timeout=10)
    assert seen > 0 and bad == 0
    assert Cache(Path(root)).get("pdf", key) is not None
    assert not [p for p in (tmp_path / "c").rglob(".tmp-*")]


def test_unusable_folder_is_no_cache_and_no_failure(tmp_path: Path) -> None:
    blocker = tmp_path / "bestand"
    blocker.write_text("geen map")
    conv = CachingConverter(FakeConverter(), Cache(blocker / "c"))
    src = _docx(tmp_path / "in", "a.docx", b"een")
    assert conv.to_pdf([src], tmp_path / "o")[0].read_bytes()[:5] == b"%PDF-"


def test_default_location_and_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("DOSSIER_CACHE")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert default_cache_dir() == tmp_path / "xdg" / "dossier"
    monkeypatch.setenv("DOSSIER_CACHE", str(tmp_path / "elders"))
    monkeypatch.setenv("DOSSIER_CACHE_MAX_MB", "50")
    monkeypatch.setenv("DOSSIER_CACHE_MAX_DAGEN", "7")
    s = default_settings()
    assert (s.cache_dir, s.cache_max_mb, s.cache_max_age_days) == (tmp_path / "elders", 50, 7)


# --- the render cache -----------------------------------------------------------------------


def test_render_cache_key_follows_template_and_context(tmp_path: Path) -> None:
    from dossier.render.cache import canonical_context, render_key
    from dossier.render.context import Record

    tpl = tmp_path / "t.docx"
    tpl.write_bytes(b"PK\x03\x04 sjabloon")
    ctx = {"naam": "Jan", "datum": date(2026, 1, 5), "lijst": [1, 2]}
    key = render_key(tpl, ctx, locale="nl_NL")
    assert key == render_key(tpl, dict(reversed(list(ctx.items()))), locale="nl_NL")
    assert render_key(tpl, {**ctx, "datum": "2026-01-05"}, locale="nl_NL") != key  # a date is not a text
    assert render_key(tpl, {**ctx, "naam": "Piet"}, locale="nl_NL") != key
    assert render_key(tpl, ctx, locale="en_GB") != key
    # an empty Record is false in {% if %}: its emptiness is part of the key
    assert canonical_context({"r": Record({"a": None}, "r", True)}) != canonical_context(
        {"r": Record({"a": None}, "r", False)})
    assert render_key(tpl, {"x": object()}, locale="nl_NL") is None  # unknown value: not cached
    time.sleep(0.01)
    tpl.write_bytes(b"PK\x03\x04 ander sjabloon")
    assert render_key(tpl, ctx, locale="nl_NL") != key


_RENDER = """
import hashlib, sys
from datetime import date
from pathlib import Path
from dossier.api import load_one_case
from dossier.settings import Settings
from dossier.render import plan_documents, render_jobs
from dossier.timeline import compute_timeline
s = Settings(cache=False)
lc = load_one_case(Path(sys.argv[1]), settings=s, today=date(2026, 11, 23))
tl = compute_timeline(lc.case, today=date(2026, 11, 23))
jobs = plan_documents(lc.case, tl, soort="alle", settings=s, today=date(2026, 11, 23))
for p in render_jobs(jobs, Path(sys.argv[2]), settings=s):
    print(p.name, hashlib.sha256(p.read_bytes()).hexdigest())
"""


def test_rendering_is_byte_identical_across_processes(tmp_path: Path, samples_dir: Path) -> None:
    """The render cache is only sound when equal input gives equal bytes, whatever the process."""
    outs = []
    for n, seed in enumerate(("1", "2")):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        proc = subprocess.run([sys.executable, "-c", _RENDER, str(samples_dir / "casus_kuipers.json"),
                               str(tmp_path / f"r{n}")], capture_output=True, text=True, env=env, cwd=ROOT,
                              check=True, timeout=300)
        outs.append(proc.stdout)
    assert outs[0] == outs[1] and outs[0].count("\n") >= 10


def test_render_cache_hit_gives_the_same_docx(tmp_path: Path, samples_dir: Path) -> None:
    from dossier.render import plan_documents, render_jobs

    settings = Settings(cache_dir=tmp_path / "c")
    lc = api.load_one_case(samples_dir / "casus_kuipers.json", settings=settings, today=TODAY)
    jobs = plan_documents(lc.case, api.case_timeline(lc.case, settings=settings, today=TODAY), soort="alle",
                          settings=settings, today=TODAY)[:3]
    cold = [p.read_bytes() for p in render_jobs(jobs, tmp_path / "a", settings=settings, dossier="VZ-2025-0142")]
    cache = Cache(tmp_path / "c")
    assert cache.info().by_kind == {"docx": 3}
    warm = [p.read_bytes() for p in render_jobs(jobs, tmp_path / "b", settings=settings)]
    plain = [p.read_bytes() for p in render_jobs(jobs, tmp_path / "n", settings=Settings(cache=False))]
    assert cold == warm == plain


# --- whole builds, the API and the CLI --------------------------------------------------------


def _fake_build(samples_dir: Path, out: Path, **settings: object) -> api.BuildResult:
    s = Settings(converter="fake", **settings)  # type: ignore[arg-type]
    return api.build(samples_dir / "casus_kuipers.json", output=out, settings=s, today=TODAY)


def test_no_cache_build_writes_no_cache_and_is_byte_identical(tmp_path: Path, samples_dir: Path,
                                                              _own_cache: Path) -> None:
    a = _fake_build(samples_dir, tmp_path / "a.pdf", cache=False)
    b = _fake_build(samples_dir, tmp_path / "b.pdf", cache=False)
    assert a.pdf.read_bytes() == b.pdf.read_bytes()
    assert not (_own_cache / "v1").exists()


def test_warm_build_uses_the_cache_and_matches_the_cold_one(tmp_path: Path, samples_dir: Path) -> None:
    cache = tmp_path / "c"
    cold = _fake_build(samples_dir, tmp_path / "cold.pdf", cache_dir=cache)
    info = Cache(cache).info()
    assert info.by_kind["pdf"] >= 10 and info.by_kind["docx"] >= 10
    warm = _fake_build(samples_dir, tmp_path / "warm.pdf", cache_dir=cache)
    # The fake converter stamps its creation time in each PDF: only cache hits can make them equal.
    assert warm.pdf.read_bytes() == cold.pdf.read_bytes()
    assert Cache(cache).info().entries == info.entries


def test_cli_cache_info_and_clear_per_dossier(tmp_path: Path, samples_dir: Path) -> None:
    cache = tmp_path / "c"
    _fake_build(samples_dir, tmp_path / "k.pdf", cache_dir=cache)
    other = json.loads((samples_dir / "casus_de_boer.json").read_text(encoding="utf-8"))
    case = tmp_path / "ander.json"
    case.write_text(json.dumps(other), encoding="utf-8")
    api.build(case, output=tmp_path / "m.pdf", settings=Settings(converter="fake", cache_dir=cache), today=TODAY)
    total = Cache(cache).info().entries

    result = CliRunner().invoke(main, ["cache", "info", "--cache", str(cache)])
    assert result.exit_code == 0, result.output
    assert f"Items:    {total}" in result.stdout and str(cache) in result.stdout and "Oudste:" in result.stdout

    result = CliRunner().invoke(main, ["cache", "clear", "--cache", str(cache), "--dossier", other["dossiernummer"]])
    assert result.exit_code == 0, result.output
    left = Cache(cache).info().entries
    assert 0 < left < total
    assert "uit de cache verwijderd" in result.stderr
    api.build(samples_dir / "casus_kuipers.json", output=tmp_path / "k2.pdf",
              settings=Settings(converter="fake", cache_dir=cache), today=TODAY)
    assert Cache(cache).info().entries == left  # Kuipers' entries were all still there

    result = CliRunner().invoke(main, ["cache", "clear", "--cache", str(cache)])
    assert result.exit_code == 0 and Cache(cache).info().entries == 0


def test_cli_options_are_on_build_render_and_batch() -> None:
    for cmd in ("build", "render", "batch"):
        result = CliRunner().invoke(main, [cmd, "--help"])
        assert "--cache MAP" in result.stdout and "--no-cache" in result.stdout and "DOSSIER_CACHE" in result.stdout


_FAKE_CLI = ("import sys; import dossier.pipeline as p; from dossier.convert.fake import FakeConverter; "
             "p.make_converter = lambda settings: FakeConverter(); from dossier.cli import run; run(sys.argv[1:])")


def test_cli_build_with_cache_option_and_no_cache(tmp_path: Path, samples_dir: Path) -> None:
    case = str(samples_dir / "casus_kuipers.json")
    env = {k: v for k, v in os.environ.items() if k != "DOSSIER_CACHE"}
    env["XDG_CACHE_HOME"] = str(tmp_path / "xdg")
    cmd = [sys.executable, "-c", _FAKE_CLI, "build", case, "--today", "2026-11-23"]
    p = subprocess.run([*cmd, "-o", str(tmp_path / "a.pdf"), "--cache", str(tmp_path / "c")], env=env,
                       capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert p.returncode == 0, p.stderr
    assert Cache(tmp_path / "c").info().entries > 0
    p = subprocess.run([*cmd, "-o", str(tmp_path / "b.pdf"), "--no-cache"], env=env, capture_output=True, text=True,
                       cwd=ROOT, timeout=300)
    assert p.returncode == 0, p.stderr
    assert not (tmp_path / "xdg" / "dossier").exists()
    p = subprocess.run([*cmd, "-o", str(tmp_path / "d.pdf")], env=env, capture_output=True, text=True, cwd=ROOT,
                       timeout=300)
    assert p.returncode == 0, p.stderr
    assert Cache(tmp_path / "xdg" / "dossier").info().entries > 0  # the default location


def test_batch_rebuild_comes_from_the_cache(tmp_path: Path, samples_dir: Path) -> None:
    cache = tmp_path / "c"
    settings = Settings(converter="fake", cache_dir=cache)
    src = samples_dir / "verzuim_export.csv"
    first = api.run_batch([src], tmp_path / "o1", settings=settings, today=TODAY, jobs=1)
    n = Cache(cache).info().entries
    second = api.run_batch([src], tmp_path / "o2", settings=settings, today=TODAY, jobs=1)
    assert first.count("ok") == second.count("ok") > 0
    assert Cache(cache).info().entries == n
    for r in second.results:
        if r.status == "ok":
            pdf = f"{r.dossiernummer}/{r.dossiernummer}.pdf"
            assert (tmp_path / "o1" / pdf).read_bytes() == (tmp_path / "o2" / pdf).read_bytes()


# --- LibreOffice: cold and warm pages are pixel-identical --------------------------------------


def _pages(pdf: Path, out: Path) -> list[bytes]:
    out.mkdir()
    subprocess.run(["pdftoppm", "-r", "100", "-gray", str(pdf), str(out / "p")], check=True, timeout=300)
    return [p.read_bytes() for p in sorted(out.glob("p-*.pgm"))]


@pytest.mark.libreoffice
@pytest.mark.slow
def test_cold_and_warm_cache_give_pixel_identical_pages(tmp_path: Path, samples_dir: Path) -> None:
    if shutil.which("soffice") is None or shutil.which("pdftoppm") is None:
        pytest.skip("LibreOffice of pdftoppm ontbreekt")
    case = samples_dir / "casus_kuipers.json"
    plain = api.build(case, output=tmp_path / "plain.pdf", settings=Settings(cache=False), today=TODAY)
    with_cache_settings = Settings(cache_dir=tmp_path / "c")
    cold = api.build(case, output=tmp_path / "cold.pdf", settings=with_cache_settings, today=TODAY)
    start = time.perf_counter()
    warm = api.build(case, output=tmp_path / "warm.pdf", settings=with_cache_settings, today=TODAY)
    assert warm.seconds["convert"] < cold.seconds["convert"] / 3, (time.perf_counter() - start, warm.seconds)
    ref = _pages(plain.pdf, tmp_path / "p0")
    assert len(ref) == plain.pages
    assert _pages(cold.pdf, tmp_path / "p1") == ref
    assert _pages(warm.pdf, tmp_path / "p2") == ref

"""Benchmark: `dossier batch` against one raw `soffice --convert-to pdf` call over the same documents.

Everything is measured in ONE run on ONE machine:

(a) raw LibreOffice: the DOCX files are rendered once with the library, then ONE
    ``soffice --headless -env:UserInstallation=<fresh profile> --convert-to pdf --outdir X <files>``
    converts them all; (i) the inspanningsrapportages, (ii) every DOCX of the full dossiers (voorblad
    included);
(b) ``dossier batch --soort inspanningsrapportage`` with --jobs 1 and --jobs 2;
(c) ``dossier batch --soort dossier`` with --jobs 1 and --jobs 2;
(d) ratios against (a) and the speed-up of --jobs 2;
(e) peak RSS per process (driver, Python pool workers, UNO bridge, soffice.bin), sampled every 0.2 s,
    and its flatness: the inspanningsrapportage runs (--jobs 1 and 2) at N and at 5×N cases;
(f) rebuilds: the full dossiers again with the cache a first run filled, unchanged and with one new
    evaluation per case (every (b)/(c) run above has its own empty cache: cold);
plus a stage profile (preflight / render / convert / assemble) of in-process ``build_dossier`` calls
and the UNO converter alone over the (a)(i) files, to show where the time goes.

Usage: .venv/bin/python bench/run.py [--cases 200] [--quick] [--out bench/work]
Writes bench/RESULTS.md (with --quick: <out>/RESULTS-quick.md unless --results is given).
"""

from __future__ import annotations

import argparse
import contextlib
import copy
import json
import os
import platform
import random
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BASE_CASE = ROOT / "samples" / "casus_kuipers.json"
BASE_ATTACHMENTS = ROOT / "samples" / "bijlagen"
DOSSIER_BIN = Path(sys.executable).parent / "dossier"
DEFAULT_TODAY = date(2026, 11, 23)
SEED = 2026

# The invented names come from the sample generator, so both make the same kind of people.
sys.path.insert(0, str(ROOT / "scripts"))
from make_samples import ACHTERNAMEN, VOORNAMEN  # noqa: E402

#: The targets from the issue.
TARGET_RATIO = 1.10  # batch --jobs 1 per document ≤ 1.10 × raw one-call soffice per document
TARGET_SPEEDUP = 1.8  # --jobs 2 throughput ≥ 1.8 × --jobs 1
TARGET_STRETCH = 0.70  # full dossiers per document ≤ 0.7 × raw one-call soffice per document
TARGET_REBUILD = 0.25  # rebuild of the same dossiers, nothing changed ≤ 0.25 × raw one-call soffice
TARGET_REBUILD_NEW = 0.35  # rebuild after one new evaluation per case ≤ 0.35 × raw one-call soffice
FLAT_TOLERANCE = 1.10  # "flat": peak at 5×N within 10 % of the peak at N (allocator noise)

WERKGEVERS = ["Bakkerij Van Dijk & Zonen B.V.", "Zorggroep Eemland", "Bouwbedrijf Heijmans & Zn.",
              "Gemeente Zeewolde", "Supermarkt De Korf B.V.", "Installatietechniek Noord",
              "Schoonmaakbedrijf Glans", "Logistiek Centrum Tilburg"]
DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def log(message: str) -> None:
    print(f"[{datetime.now():%H:%M:%S}] {message}", file=sys.stderr, flush=True)


# --- 1. synthetic cases ---------------------------------------------------------------------


def _shift(obj: Any, days: int) -> Any:
    """Every ISO date string in a JSON tree moved by ``days``."""
    if isinstance(obj, dict):
        return {k: _shift(v, days) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_shift(v, days) for v in obj]
    if isinstance(obj, str) and DATE_RE.match(obj):
        return (date.fromisoformat(obj) + timedelta(days=days)).isoformat()
    return obj


def _bsn(rng: random.Random) -> str:
    from dossier.loaders.nl_values import bsn_elfproef

    n = rng.randint(100_000_000, 999_999_999)
    while not bsn_elfproef(str(n)):
        n += 1
    return str(n)


def _place_track2(case: dict[str, Any], periods: int, today: date, rng: random.Random, interval: int) -> None:
    """Move the track-2 block so that exactly ``periods`` report periods have ended on ``today``.

    Activities, applications and work placements keep their offsets from the track-2 start (those
    after ``today`` are dropped); one narrative per period, texts taken from the base case in turn.
    """
    from dossier.render.context import plus_maanden

    ts = case["tweede_spoor"]
    old_start = date.fromisoformat(ts["start"])
    # The last ended period ends 3..50 days before today; the next one ends after today.
    start = plus_maanden(today, -interval * periods) - timedelta(days=rng.randint(3, 50))

    def move(iso: str) -> date:
        return start + (date.fromisoformat(iso) - old_start)

    ts["start"] = start.isoformat()
    ts["activiteiten"] = [dict(a, datum=move(a["datum"]).isoformat()) for a in ts["activiteiten"]
                          if move(a["datum"]) <= today]
    ts["sollicitaties"] = [dict(s, datum=move(s["datum"]).isoformat()) for s in ts["sollicitaties"]
                           if move(s["datum"]) <= today]
    ts["werkervaringsplaatsen"] = [dict(w, begin=move(w["begin"]).isoformat(), einde=move(w["einde"]).isoformat())
                                   for w in ts["werkervaringsplaatsen"] if move(w["begin"]) <= today]
    texts = case["inspanningsrapportages"]
    reports = []
    for i in range(periods):
        van = plus_maanden(start, interval * i)
        tot = plus_maanden(start, interval * (i + 1)) - timedelta(days=1)
        reports.append(dict(texts[i % len(texts)], periode_van=van.isoformat(), periode_tot=tot.isoformat(),
                            datum=(tot + timedelta(days=2)).isoformat()))
    case["inspanningsrapportages"] = reports


def make_case(base: dict[str, Any], i: int, today: date, seed: int, interval: int) -> dict[str, Any]:
    """Case ``i``: the base case shifted by −30..+30 days, other names and numbers, 1–4 track-2 periods.

    Seeded per case, so case ``i`` is the same whatever the total number of cases.
    """
    rng = random.Random(f"{seed}-{i}")
    case = _shift(copy.deepcopy(base), rng.randint(-30, 30))
    first = date.fromisoformat(case["ziekteperiodes"][0]["eerste_ziektedag"])
    # 8 (or 10) digits: never read as a BSN (9 digits passing the elfproef), which validation refuses.
    case["dossiernummer"] = f"BM-{first.year}-{i + 1:04d}" if i < 9999 else f"BM-{first.year}-{i + 1:06d}"
    case["werknemer"]["naam"] = f"{rng.choice(VOORNAMEN)} {rng.choice(ACHTERNAMEN)}"
    case["werknemer"]["bsn"] = _bsn(rng)
    case["werknemer"]["personeelsnummer"] = f"P-{rng.randint(1000, 9999)}"
    case["werkgever"]["naam"] = rng.choice(WERKGEVERS)
    _place_track2(case, 1 + i % 4, today, rng, interval)
    # The sample's signing dates and signed scans belong to its own document dates, which the shift
    # and the new track-2 block no longer match: every document is generated (and converted) here.
    case.pop("ondertekeningen", None)
    return case


@dataclass
class CaseSet:
    path: Path
    count: int


def generate(out: Path, counts: list[int], today: date, seed: int) -> dict[int, CaseSet]:
    """Write ``cases-<n>.json`` for every n (each a prefix of the largest) with ``bijlagen/`` next to them."""
    from dossier.settings import Settings

    interval = Settings().rapportage_interval_maanden
    base = json.loads(BASE_CASE.read_text(encoding="utf-8"))
    cases = [make_case(base, i, today, seed, interval) for i in range(max(counts))]
    ensure = out / "bijlagen"
    shutil.rmtree(ensure, ignore_errors=True)
    shutil.copytree(BASE_ATTACHMENTS, ensure)
    sets = {}
    for n in sorted(set(counts)):
        path = out / f"cases-{n}.json"
        path.write_text(json.dumps(cases[:n], ensure_ascii=False, indent=1), encoding="utf-8")
        sets[n] = CaseSet(path, n)
    return sets


# --- process sampling -----------------------------------------------------------------------


try:  # optional; /proc is read directly otherwise
    import psutil  # type: ignore[import-not-found]
except ImportError:  # pragma: no cover - depends on the environment
    psutil = None


@dataclass
class Proc:
    pid: int
    ppid: int
    comm: str
    cmdline: str
    rss_kb: int


def _read(path: str) -> str:
    with open(path, "rb") as fh:
        return fh.read().decode("utf-8", errors="replace")


def _proc_snapshot(root: int) -> list[Proc]:
    """``root`` and all its descendants with their current RSS (kB)."""
    if psutil is not None:
        try:
            top = psutil.Process(root)
            procs = [top, *top.children(recursive=True)]
        except psutil.Error:
            return []
        out = []
        for p in procs:
            with contextlib.suppress(psutil.Error):
                out.append(Proc(p.pid, p.ppid(), p.name(), " ".join(p.cmdline()), p.memory_info().rss // 1024))
        return out
    parents: dict[int, int] = {}
    comms: dict[int, str] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = _read(f"/proc/{entry}/stat")
        except OSError:
            continue
        # pid (comm) state ppid ...; comm may contain spaces and parentheses.
        close = stat.rfind(")")
        comms[int(entry)] = stat[stat.find("(") + 1 : close]
        parents[int(entry)] = int(stat[close + 2 :].split()[1])
    children: dict[int, list[int]] = {}
    for pid, ppid in parents.items():
        children.setdefault(ppid, []).append(pid)
    out, todo = [], [root] if root in parents else []
    while todo:
        pid = todo.pop()
        todo.extend(children.get(pid, []))
        try:
            status = _read(f"/proc/{pid}/status")
            cmdline = _read(f"/proc/{pid}/cmdline").replace("\0", " ").strip()
        except OSError:
            continue
        m = re.search(r"^VmRSS:\s+(\d+) kB", status, re.MULTILINE)
        out.append(Proc(pid, parents[pid], comms[pid], cmdline, int(m.group(1)) if m else 0))
    return out


def _role(p: Proc, root: Proc) -> str:
    if p.pid == root.pid:
        return "driver"
    if p.comm == "soffice.bin":
        return "soffice.bin"
    if "uno_worker.py" in p.cmdline:
        return "uno-worker"
    if p.comm in ("oosplash", "soffice", "sh") or p.cmdline.endswith("/soffice"):
        return "launcher"
    if "resource_tracker" in p.cmdline or "forkserver" in p.cmdline:
        return "helper"
    # Pool workers: forked (same command line as the driver) or spawned by multiprocessing. Not the
    # short-lived probes such as `python3 -c "import uno"`.
    if p.ppid == root.pid and (p.cmdline == root.cmdline or "multiprocessing" in p.cmdline):
        return "python-worker"
    return "other"


@dataclass
class MemoryPeaks:
    """Peak RSS (MB) per process, grouped by role."""

    per_pid: dict[int, tuple[str, float]] = field(default_factory=dict)
    peak_total_mb: float = 0.0
    samples: int = 0

    def peak(self, role: str) -> float:
        values = [mb for r, mb in self.per_pid.values() if r == role]
        return max(values) if values else 0.0

    def count(self, role: str) -> int:
        return sum(1 for r, _ in self.per_pid.values() if r == role)

    def worker_peak(self) -> float:
        """Peak of the Python process that renders and assembles: a pool worker, or (--jobs 1) the driver."""
        return self.peak("python-worker") if self.count("python-worker") else self.peak("driver")


class Sampler:
    """Samples the RSS of a process tree every ``interval`` seconds in a thread."""

    def __init__(self, root: int, interval: float, peaks: MemoryPeaks | None = None) -> None:
        self.root = root
        self.interval = interval
        self.peaks = peaks if peaks is not None else MemoryPeaks()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="rss-sampler", daemon=True)

    def _run(self) -> None:
        while True:
            self.sample()
            if self._stop.wait(self.interval):
                return

    def sample(self) -> None:
        procs = _proc_snapshot(self.root)
        if not procs:
            return
        root = next((p for p in procs if p.pid == self.root), None)
        if root is None:
            return
        self.peaks.samples += 1
        total = 0.0
        for p in procs:
            mb = p.rss_kb / 1024
            total += mb
            role = _role(p, root)
            old = self.peaks.per_pid.get(p.pid)
            if old is None or mb > old[1]:
                self.peaks.per_pid[p.pid] = (role, mb)
        self.peaks.peak_total_mb = max(self.peaks.peak_total_mb, total)

    def __enter__(self) -> Sampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


# --- 2a. rendering and the raw soffice call -------------------------------------------------


@dataclass
class Rendered:
    kind: str
    files: list[Path]
    per_case: dict[str, int]
    seconds: float  # rendering only (docxtpl, in this process)

    @property
    def count(self) -> int:
        return len(self.files)


def render_sets(cases_json: Path, out: Path, today: date) -> tuple[Rendered, Rendered, list[Any]]:
    """Render (i) the inspanningsrapportages and (ii) all dossier DOCX (voorblad first) of every case."""
    from dossier.api import load_cases
    from dossier.pipeline import render_documents
    from dossier.render import plan_documents, plan_voorblad, render_jobs
    from dossier.settings import default_settings
    from dossier.timeline import compute_timeline

    settings = default_settings().merge(cache=False)  # rendering measured as it is, every time
    report = load_cases([cases_json], today=today)
    if report.errors or not report.cases:
        raise SystemExit(f"generated cases do not validate: {[str(i) for i in report.errors[:5]]}")
    insp_dir, dossier_dir = out / "insp-docx", out / "dossier-docx"
    for d in (insp_dir, dossier_dir):
        shutil.rmtree(d, ignore_errors=True)
        d.mkdir(parents=True)
    insp: list[Path] = []
    insp_per_case: dict[str, int] = {}
    t0 = time.perf_counter()
    for lc in report.cases:
        files = render_documents(lc, insp_dir, soort="inspanningsrapportage", settings=settings, today=today,
                                 pdf=False)
        insp += files
        insp_per_case[lc.case.dossiernummer] = len(files)
    insp_s = time.perf_counter() - t0
    full: list[Path] = []
    full_per_case: dict[str, int] = {}
    t0 = time.perf_counter()
    for lc in report.cases:
        tl = compute_timeline(lc.case, today=today, wia_aanvraag_week=settings.wia_aanvraag_week)
        jobs = [plan_voorblad(lc.case, tl, settings=settings, today=today),
                *plan_documents(lc.case, tl, soort="alle", settings=settings, today=today)]
        files = render_jobs(jobs, dossier_dir, settings=settings)
        full += files
        full_per_case[lc.case.dossiernummer] = len(files)
    full_s = time.perf_counter() - t0
    return (Rendered("inspanningsrapportage", insp, insp_per_case, insp_s),
            Rendered("dossier", full, full_per_case, full_s), report.cases)


@dataclass
class Timed:
    label: str
    wall: float
    documents: int
    cases: int
    memory: MemoryPeaks
    jobs: int = 1
    note: str = ""
    cpu: float = 0.0  # user + system CPU seconds of the whole process tree
    foreign: float = 0.0  # CPUs used by other processes on the machine during the measurement
    attempts: int = 1

    @property
    def cores(self) -> float:
        """Average number of CPUs busy during the run."""
        return self.cpu / self.wall

    @property
    def per_doc(self) -> float:
        return self.wall / self.documents

    @property
    def per_case(self) -> float:
        return self.wall / self.cases

    @property
    def docs_per_s(self) -> float:
        return self.documents / self.wall


#: The ``soffice`` launcher (oosplash) forwards at most 253 arguments to soffice.bin and SILENTLY drops
#: the rest (exit code 0): with the 6 option arguments one call converts at most 247 files. Measured
#: here on LibreOffice 7.4; also reported in https://github.com/higebu/3gpp-mcp/pull/4.
RAW_CHUNK = 240


def _cpu_children() -> float:
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


def _system_busy() -> float:
    """CPU seconds the whole machine has been busy since boot (all CPUs, from /proc/stat)."""
    values = [int(v) for v in _read("/proc/stat").splitlines()[0].split()[1:9]]
    return (sum(values) - values[3] - values[4]) / os.sysconf("SC_CLK_TCK")  # minus idle and iowait


def _own_cpu() -> float:
    """CPU seconds of this process and its waited-for descendants."""
    me = resource.getrusage(resource.RUSAGE_SELF)
    return _cpu_children() + me.ru_utime + me.ru_stime


class Load:
    """Measures the CPU load of OTHER processes on the machine during a measurement."""

    def __enter__(self) -> Load:
        self.busy0, self.own0, self.t0 = _system_busy(), _own_cpu(), time.perf_counter()
        return self

    def __exit__(self, *exc: object) -> None:
        wall = time.perf_counter() - self.t0
        foreign = (_system_busy() - self.busy0) - (_own_cpu() - self.own0)
        self.foreign = max(0.0, foreign / wall) if wall > 0 else 0.0


def wait_quiet(threshold: float, max_wait: float) -> float:
    """Wait (at most ``max_wait`` s) until the machine is idle: < ``threshold`` CPUs busy over 3 s."""
    start = time.perf_counter()
    said = False
    while True:
        b0 = _system_busy()
        time.sleep(3.0)
        load = (_system_busy() - b0) / 3.0
        if load < threshold or time.perf_counter() - start > max_wait:
            return load
        if not said:
            log(f"machine busy ({load:.2f} CPUs used by other processes); waiting for it to be quiet")
            said = True


def _soffice_call(files: list[Path], profile: Path, outdir: Path, logfile: Path, interval: float,
                  peaks: MemoryPeaks | None = None) -> float:
    """One ``soffice --headless -env:UserInstallation=... --convert-to pdf --outdir X files`` call; wall s."""
    argv = ["soffice", "--headless", f"-env:UserInstallation={profile.resolve().as_uri()}",
            "--convert-to", "pdf", "--outdir", str(outdir), *(str(f) for f in files)]
    with logfile.open("ab") as lf:
        t0 = time.perf_counter()
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=lf, stderr=subprocess.STDOUT)
        with Sampler(proc.pid, interval, peaks) as _:
            rc = proc.wait()
        wall = time.perf_counter() - t0
    if rc != 0:
        raise SystemExit(f"soffice exited with {rc}; see {logfile}")
    return wall


def raw_soffice(files: list[Path], work: Path, label: str, cases: int, interval: float) -> Timed:
    """``soffice --convert-to pdf`` over all files with a fresh profile: one call per ≤ RAW_CHUNK files.

    ``wall`` is the measured total. The start-up cost of a call is measured afterwards (a call with
    one document, warm profile) and the ``one_call`` estimate removes it for every call but the
    first: what ONE call over all files would cost if the launcher passed them all on.
    """
    profile = Path(tempfile.mkdtemp(prefix="lo-profile-", dir=work))
    outdir = work / f"raw-pdf-{label}"
    shutil.rmtree(outdir, ignore_errors=True)
    outdir.mkdir(parents=True)
    logfile = work / f"raw-{label}.log"
    logfile.unlink(missing_ok=True)
    peaks = MemoryPeaks()
    chunks = [files[i : i + RAW_CHUNK] for i in range(0, len(files), RAW_CHUNK)]
    try:
        cpu0 = _cpu_children()
        with Load() as load:
            wall = sum(_soffice_call(chunk, profile, outdir, logfile, interval, peaks) for chunk in chunks)
        cpu = _cpu_children() - cpu0
        made = len(list(outdir.glob("*.pdf")))
        if made != len(files):
            raise SystemExit(f"raw soffice ({label}): {made} of {len(files)} PDFs; see {logfile}")
        # Start-up cost of one call: t1 = S + d (one document), wall = calls·S + docs·d.
        single = work / f"raw-pdf-{label}-single"
        single.mkdir(exist_ok=True)
        t1 = min(_soffice_call(files[:1], profile, single, logfile, interval) for _ in range(3))
    finally:
        shutil.rmtree(profile, ignore_errors=True)
        shutil.rmtree(outdir, ignore_errors=True)
        shutil.rmtree(work / f"raw-pdf-{label}-single", ignore_errors=True)
    calls = len(chunks)
    per_doc = (wall - calls * t1) / (len(files) - calls) if len(files) > calls else wall / len(files)
    startup = max(0.0, t1 - per_doc)
    one_call = wall - (calls - 1) * startup
    return Timed(f"raw soffice --convert-to ({label})", one_call, len(files), cases, peaks, cpu=cpu,
                 foreign=load.foreign,
                 note=f"{calls} call(s) of ≤ {RAW_CHUNK} files: {wall:.1f} s measured; start-up per call "
                      f"{startup:.2f} s; one-call estimate {one_call:.1f} s")


# --- 2b/c. dossier batch --------------------------------------------------------------------


def run_batch(cases: CaseSet, work: Path, soort: str, jobs: int, today: date, interval: float,
              documents: int | None = None, cache: Path | None = None, label: str = "", *,
              join: bool = False) -> Timed:
    """``dossier batch`` as a subprocess (wall time, RSS of its process tree); ``join``: --samenvoegen.

    ``cache``: the cache folder to use as it is (a rebuild); None: a new, empty one (cold cache),
    removed afterwards.
    """
    out = work / f"batch-{soort}-j{jobs}-n{cases.count}{'-samen' if join else ''}"
    shutil.rmtree(out, ignore_errors=True)
    cold = cache is None
    cache_dir = work / f"cache-{out.name}" if cache is None else cache
    if cold:
        shutil.rmtree(cache_dir, ignore_errors=True)
    argv = [str(DOSSIER_BIN), "batch", str(cases.path), "--out", str(out), "--soort", soort,
            "--jobs", str(jobs), "--today", today.isoformat(), "--cache", str(cache_dir),
            *(["--samenvoegen"] if join else ["--apart"])]
    logfile = work / f"{out.name}.log"
    with logfile.open("wb") as lf:
        cpu0 = _cpu_children()
        with Load() as load:
            t0 = time.perf_counter()
            proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=lf, stderr=subprocess.STDOUT)
            with Sampler(proc.pid, interval) as sampler:
                rc = proc.wait()
            wall = time.perf_counter() - t0
        cpu = _cpu_children() - cpu0
    report = json.loads((out / "batch-rapport.json").read_text(encoding="utf-8"))
    if rc != 0 or report["ok"] != cases.count:
        raise SystemExit(f"batch {soort} --jobs {jobs}: exit {rc}, {report['ok']} of {cases.count} ok; see {logfile}")
    if soort == "dossier":
        pdfs = len(list(out.glob("*/*.pdf")))
        if pdfs != cases.count or documents is None:
            raise SystemExit(f"batch dossier --jobs {jobs}: {pdfs} dossiers for {cases.count} cases")
        count = documents
    else:
        count = len(list(out.glob("*/*.docx")))
        pdfs = len(list(out.glob("*/*.pdf")))
        if count == 0 or pdfs != count:
            raise SystemExit(f"batch {soort} --jobs {jobs}: {count} DOCX, {pdfs} PDF")
        if documents is not None and count != documents:
            raise SystemExit(f"batch {soort} --jobs {jobs}: {count} documents, expected {documents}")
    shutil.rmtree(out, ignore_errors=True)
    size = _folder_mb(cache_dir)
    if cold:
        shutil.rmtree(cache_dir, ignore_errors=True)
    name = label or (f"dossier batch --soort {soort} --jobs {jobs}" + (" --samenvoegen" if join else " --apart")
                     + (", cold cache" if cold else ""))
    return Timed(name, wall, count, cases.count, sampler.peaks, jobs,
                 note=f"batch itself: {report['seconden']:.1f} s; cache afterwards {size:.1f} MB", cpu=cpu,
                 foreign=load.foreign)


def _folder_mb(folder: Path) -> float:
    return sum(f.stat().st_size for f in folder.rglob("*") if f.is_file()) / 1024 / 1024 if folder.is_dir() else 0.0


# --- rebuilds: the same dossiers again, with the cache of an earlier run ----------------------


def with_new_evaluation(cases: CaseSet, today: date) -> CaseSet:
    """The same cases, each with one evaluation more (five days before ``today``): what a casemanager
    adds between two builds. Written next to the original (so the attachments are found)."""
    data = json.loads(cases.path.read_text(encoding="utf-8"))
    when = (today - timedelta(days=5)).isoformat()
    for case in data:
        last = dict(case["evaluaties"][-1]) if case.get("evaluaties") else {}
        case.setdefault("evaluaties", []).append(dict(
            last, datum=when, verslag="Voortgang besproken; de sollicitaties lopen, er is nog geen passende "
                                      "vacature. Volgende evaluatie over zes weken."))
    path = cases.path.with_name(f"{cases.path.stem}-nieuwe-evaluatie.json")
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    return CaseSet(path, cases.count)


def dossier_documents(cases: CaseSet, today: date) -> int:
    """How many DOCX the full dossiers of ``cases`` have (voorblad included), from the planner."""
    from dossier.api import load_cases
    from dossier.render import plan_documents
    from dossier.settings import Settings
    from dossier.timeline import compute_timeline

    settings = Settings(cache=False)
    report = load_cases([cases.path], today=today)
    return sum(1 + len(plan_documents(lc.case, compute_timeline(lc.case, today=today), soort="alle",
                                      settings=settings, today=today, contexts=False))
               for lc in report.cases)


@dataclass
class Rebuilds:
    fill: Timed  # the cold run that fills the cache
    unchanged: Timed
    new_evaluation: Timed


def rebuilds(quiet: Quiet, sets: CaseSet, work: Path, today: date, interval: float, documents: int) -> Rebuilds:
    """Full dossiers, --jobs 1: a cold run fills a cache; then (1) the same cases again and (2) the cases
    with one new evaluation each, both from a copy of that filled cache."""
    filled = work / "cache-rebuild"
    shutil.rmtree(filled, ignore_errors=True)
    fill = measured(quiet, lambda: _fresh_fill(sets, work, today, interval, documents, filled))
    newer = with_new_evaluation(sets, today)
    new_docs = dossier_documents(newer, today)

    def from_copy(cases: CaseSet, docs: int, label: str) -> Timed:
        copy_dir = work / "cache-rebuild-copy"
        shutil.rmtree(copy_dir, ignore_errors=True)
        shutil.copytree(filled, copy_dir)
        try:
            return run_batch(cases, work, "dossier", 1, today, interval, docs, cache=copy_dir, label=label)
        finally:
            shutil.rmtree(copy_dir, ignore_errors=True)

    same = measured(quiet, lambda: from_copy(sets, documents, "rebuild, nothing changed (--jobs 1, warm cache)"))
    new = measured(quiet, lambda: from_copy(newer, new_docs,
                                            "rebuild, one new evaluation per case (--jobs 1, warm cache)"))
    shutil.rmtree(filled, ignore_errors=True)
    return Rebuilds(fill, same, new)


def _fresh_fill(sets: CaseSet, work: Path, today: date, interval: float, documents: int, cache: Path) -> Timed:
    shutil.rmtree(cache, ignore_errors=True)
    return run_batch(sets, work, "dossier", 1, today, interval, documents, cache=cache,
                     label="first build, empty cache (--jobs 1; fills the cache)")


@dataclass(frozen=True)
class Quiet:
    """How to deal with other processes loading the machine."""

    threshold: float  # CPUs other processes may use during a measurement
    retries: int  # extra attempts when they used more
    max_wait: float  # seconds to wait for a quiet machine before each attempt


def measured(quiet: Quiet, what: Callable[[], Timed]) -> Timed:
    """Run a measurement on a quiet machine; repeat it (``quiet.retries`` times at most) when other
    processes used more than ``quiet.threshold`` CPUs meanwhile. Keeps the least disturbed attempt."""
    best: Timed | None = None
    for attempt in range(1, quiet.retries + 2):
        wait_quiet(quiet.threshold, quiet.max_wait)
        t = what()
        t.attempts = attempt
        if best is None or t.foreign < best.foreign:
            best = t
        if t.foreign <= quiet.threshold:
            break
        log(f"{t.label}: other processes used {t.foreign:.2f} CPUs meanwhile; measuring again")
    assert best is not None
    best.attempts = attempt
    return best


# --- where the time goes (in process) --------------------------------------------------------


@dataclass
class Profile:
    cases: int
    documents: int
    stages: dict[str, float]
    uno_docs: int = 0
    uno_seconds: float = 0.0
    uno_start: float = 0.0


def profile_stages(loaded: list[Any], rendered_full: Rendered, insp: Rendered, work: Path, today: date,
                   sample: int) -> Profile:
    """What batch --jobs 1 does per case, in process: stage timings of ``build_dossier`` with one warm
    converter; then the UNO converter alone over the (a)(i) DOCX files (incl. its start)."""
    from dossier.convert import make_converter
    from dossier.pipeline import build_dossier
    from dossier.settings import default_settings

    settings = default_settings().merge(cache=False)  # the stages as they are without the cache
    stages: Counter[str] = Counter()
    chosen = loaded[:sample]
    out = work / "profile"
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    with make_converter(settings) as conv:
        conv.start()
        build_dossier(chosen[0], out=out / "warmup.pdf", settings=settings, today=today, converter=conv)
        for lc in chosen:
            result = build_dossier(lc, out=out / f"{lc.case.dossiernummer}.pdf", settings=settings, today=today,
                                   converter=conv)
            stages.update(result.seconds)
    docs = sum(rendered_full.per_case[lc.case.dossiernummer] for lc in chosen)
    with make_converter(settings) as conv:
        t0 = time.perf_counter()
        conv.to_pdf(insp.files[:1], out / "uno-start")
        start = time.perf_counter() - t0
        t0 = time.perf_counter()
        conv.to_pdf(insp.files, out / "uno")
        uno = time.perf_counter() - t0
    shutil.rmtree(out, ignore_errors=True)
    return Profile(len(chosen), docs, dict(stages), len(insp.files), uno, start)


# --- machine ---------------------------------------------------------------------------------


def machine() -> dict[str, str]:
    def meminfo() -> str:
        m = re.search(r"MemTotal:\s+(\d+) kB", _read("/proc/meminfo"))
        return f"{int(m.group(1)) / 1024 / 1024:.1f} GiB" if m else "?"

    def cpu() -> str:
        m = re.search(r"model name\s*:\s*(.+)", _read("/proc/cpuinfo"))
        return m.group(1).strip() if m else platform.processor() or "?"

    with tempfile.TemporaryDirectory(prefix="lo-version-") as tmp:
        try:
            version = subprocess.run(["soffice", f"-env:UserInstallation={Path(tmp).as_uri()}", "--version"],
                                     capture_output=True, text=True, timeout=60,
                                     check=False).stdout.strip().splitlines()[0]
        except (OSError, IndexError, subprocess.TimeoutExpired):
            version = "?"
    try:
        uno_py = subprocess.run(["/usr/bin/python3", "-V"], capture_output=True, text=True,
                                check=False).stdout.strip()
    except OSError:
        uno_py = "?"
    return {"nproc": str(os.cpu_count()), "cpu": cpu(), "ram": meminfo(), "libreoffice": version,
            "python": platform.python_version(), "uno python": uno_py, "os": platform.platform(),
            "commit": code_version(), "rss sampling": "psutil" if psutil is not None else "/proc/<pid>/status VmRSS"}


def code_version() -> str:
    """The commit measured, and whether ``dossier/`` had uncommitted changes (with their fingerprint)."""
    try:
        rev = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True,
                             text=True, check=False).stdout.strip()
        diff = subprocess.run(["git", "-C", str(ROOT), "diff", "HEAD", "--", "dossier"], capture_output=True,
                              check=False).stdout
    except OSError:
        return "?"
    if not diff:
        return rev
    import hashlib

    return f"{rev} + uncommitted changes in dossier/ (diff {hashlib.sha1(diff).hexdigest()[:8]})"


# --- report ----------------------------------------------------------------------------------


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms"


def _yes(ok: bool) -> str:
    return "**yes**" if ok else "**NO**"


@dataclass
class Results:
    n: int
    large: int | None
    today: date
    started: datetime
    minutes: float
    machine: dict[str, str]
    periods: Counter[int]
    insp: Rendered
    full: Rendered
    raw_insp: Timed
    raw_full: Timed
    batch: dict[tuple[str, int], Timed]
    flat: dict[int, Timed]  # jobs → the inspanningsrapportage run at ``large`` cases
    profile: Profile | None
    quiet: Quiet
    code_after: str
    rebuild: Rebuilds | None = None


def report_markdown(r: Results) -> str:
    b = r.batch
    bi1, bi2 = b[("inspanningsrapportage", 1)], b[("inspanningsrapportage", 2)]
    bd1, bd2 = b[("dossier", 1)], b[("dossier", 2)]
    ratio_i, ratio_d = bi1.per_doc / r.raw_insp.per_doc, bd1.per_doc / r.raw_full.per_doc
    speed_i, speed_d = bi1.wall / bi2.wall, bd1.wall / bd2.wall
    stretch1, stretch2 = bd1.per_doc / r.raw_full.per_doc, bd2.per_doc / r.raw_full.per_doc
    m = r.machine
    lines = [
        "# Benchmark: `dossier batch` against one raw `soffice --convert-to pdf` call",
        "",
        f"Generated by `bench/run.py` (`make bench`) on {r.started:%Y-%m-%d %H:%M}; the whole run took "
        f"{r.minutes:.1f} min. All figures come from this one run on this one machine.",
        "",
        "## Machine",
        "",
        "| | |", "|---|---|",
        f"| CPUs (nproc) | {m['nproc']} × {m['cpu']} |",
        f"| RAM | {m['ram']} |",
        f"| LibreOffice | {m['libreoffice']} |",
        f"| Python | {m['python']} (venv); UNO bridge: {m['uno python']} |",
        f"| OS | {m['os']} |",
        f"| dossier | {m['commit']} |",
        *([f"| **code changed during the run** | now {r.code_after}: the figures mix two versions |"]
          if r.code_after != m["commit"] else []),
        f"| RSS sampling | {m['rss sampling']}, every 0.2 s, whole process tree |",
        "",
        "## Input",
        "",
        f"N = {r.n} synthetic cases from `samples/casus_kuipers.json` (fixed seed {SEED}): other dossiernummer, "
        "names, BSN and employer; every date shifted by −30..+30 days; the track-2 block placed so that 1–4 "
        f"report periods have ended on the reference date {r.today.isoformat()} (periods: "
        + ", ".join(f"{k}: {v} cases" for k, v in sorted(r.periods.items()))
        + "). The arbodienst PDFs of `samples/bijlagen/` are copied next to the case file, so full dossiers "
        "include them.",
        "",
        f"* (i) inspanningsrapportages: {r.insp.count} DOCX ({r.insp.count / r.n:.2f} per case)",
        f"* (ii) full dossiers: {r.full.count} DOCX incl. voorblad ({r.full.count / r.n:.2f} per case), "
        "plus 4 PDF attachments per case that need no conversion",
        "",
        "## Results",
        "",
        "| measurement | wall | documents | per document | per case | vs (a) | docs/s | CPUs busy | other load |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]

    def row(t: Timed, raw: Timed | None) -> str:
        vs = f"{t.per_doc / raw.per_doc:.2f} ×" if raw is not None else "1.00 × (ref)"
        tries = f" ({t.attempts} tries)" if t.attempts > 1 else ""
        return (f"| {t.label} | {t.wall:.1f} s | {t.documents} | {_ms(t.per_doc)} | {_ms(t.per_case)} | {vs} | "
                f"{t.docs_per_s:.2f} | {t.cores:.2f} | {t.foreign:.2f}{tries} |")

    lines += [
        row(r.raw_insp, None).replace("| raw", "| (a)(i) raw", 1),
        row(bi1, r.raw_insp).replace("| dossier", "| (b) dossier", 1),
        row(bi2, r.raw_insp).replace("| dossier", "| (b) dossier", 1),
        row(r.raw_full, None).replace("| raw", "| (a)(ii) raw", 1),
        row(bd1, r.raw_full).replace("| dossier", "| (c) dossier", 1),
        row(bd2, r.raw_full).replace("| dossier", "| (c) dossier", 1),
        *([row(b[("inspanningsrapportage samen", 1)], r.raw_insp).replace("| dossier", "| (b') dossier", 1)]
          if ("inspanningsrapportage samen", 1) in b else []),
        *([row(b[("dossier samen", 1)], r.raw_full).replace("| dossier", "| (c') dossier", 1)]
          if ("dossier samen", 1) in b else []),
        "",
        *(["(b')/(c') `--samenvoegen`: the DOCX files of a case that share a template set are joined in "
           "groups of at most 6, converted in one LibreOffice load and split back per document "
           "(`dossier/convert/join.py`). Targets (issue 15): (c') ≤ 0.65 ×, (b') ≤ 0.80 × the raw one-call "
           "time.", ""] if ("dossier samen", 1) in b else []),
        f"(a)(i): {r.raw_insp.note}. (a)(ii): {r.raw_full.note}. The `soffice` launcher (oosplash) "
        "forwards at most 253 arguments to soffice.bin and silently drops the rest with exit code 0, so one "
        f"call converts at most 247 files; the benchmark therefore runs one call per ≤ {RAW_CHUNK} files (same "
        "profile, fresh for the first call), measures the start-up cost of a call (a call with one "
        "document, best of 3) and uses the resulting ONE-call estimate as the reference (a): stricter for "
        "`dossier` than the measured total.",
        "",
        "Per document = wall time / DOCX documents converted (for full dossiers: the generated DOCX incl. "
        "voorblad; the batch additionally checks and merges the attachments, draws the index and stamps "
        "every page). Batch wall time is the whole `dossier batch` subprocess (start-up, loading and "
        "validating all cases, LibreOffice start, report). The raw call includes LibreOffice's start and "
        "creating the fresh profile. CPUs busy = user + system CPU time of the whole process tree / wall "
        f"time (the machine has {m['nproc']}). Other load = CPUs used by processes outside the benchmark "
        "during the measurement (from /proc/stat); each measurement waits for a quiet machine and is "
        f"repeated (at most {r.quiet.retries} times, keeping the least disturbed attempt) when other "
        f"processes used more than {r.quiet.threshold:.2f} CPUs.",
        "",
        "## Ratios and speed-up",
        "",
        "| | inspanningsrapportage | full dossier |",
        "|---|---:|---:|",
        f"| (d) per document, batch --jobs 1 / raw one-call | {ratio_i:.2f} | {ratio_d:.2f} |",
        f"| (d) per document, batch --jobs 2 / raw one-call | {bi2.per_doc / r.raw_insp.per_doc:.2f} | "
        f"{stretch2:.2f} |",
        f"| (d) speed-up --jobs 2 over --jobs 1 (throughput) | {speed_i:.2f} × | {speed_d:.2f} × |",
        "",
        "## Peak memory (RSS, MB, highest single process of each kind)",
        "",
        "| run | driver | Python worker(s) | UNO bridge | soffice.bin | whole tree |",
        "|---|---:|---:|---:|---:|---:|",
    ]

    def mem(t: Timed, label: str) -> str:
        p = t.memory
        workers = f"{p.peak('python-worker'):.0f} ({p.count('python-worker')})" if p.count("python-worker") else \
            "= driver"
        uno = f"{p.peak('uno-worker'):.0f}" if p.count("uno-worker") else "–"
        return (f"| {label} | {p.peak('driver'):.0f} | {workers} | {uno} | {p.peak('soffice.bin'):.0f} "
                f"({p.count('soffice.bin')}) | {p.peak_total_mb:.0f} |")

    lines += [
        mem(r.raw_insp, "(a)(i) raw soffice"),
        mem(r.raw_full, "(a)(ii) raw soffice"),
        mem(bi1, f"(b) inspanningsrapportage --jobs 1, {r.n} cases"),
        mem(bi2, f"(b) inspanningsrapportage --jobs 2, {r.n} cases"),
        mem(bd1, f"(c) dossier --jobs 1, {r.n} cases"),
        mem(bd2, f"(c) dossier --jobs 2, {r.n} cases"),
    ]
    for jobs, fl in sorted(r.flat.items()):
        lines.append(mem(fl, f"(e) inspanningsrapportage --jobs {jobs}, {r.large} cases"))
    lines += [
        "",
        "Driver = the `dossier batch` process (with --jobs 1 it also renders and assembles); Python "
        "worker(s) = ProcessPoolExecutor workers (count in brackets); UNO bridge = the system-Python "
        "`uno_worker.py` that drives LibreOffice; soffice.bin = LibreOffice itself (number of processes "
        "seen in brackets: LibreOffice is recycled every 200 conversions). For the raw call, the driver "
        "column is the `soffice` launcher script.",
        "",
    ]
    flat_ok: dict[int, bool] = {}
    for jobs, fl in sorted(r.flat.items()):
        small = b[("inspanningsrapportage", jobs)]
        w_small, w_large = small.memory.worker_peak(), fl.memory.worker_peak()
        s_small, s_large = small.memory.peak("soffice.bin"), fl.memory.peak("soffice.bin")
        flat_ok[jobs] = w_large <= FLAT_TOLERANCE * w_small and s_large <= FLAT_TOLERANCE * s_small
        who = "driver (= the worker)" if jobs == 1 else "pool worker"
        lines += [
            f"Flatness (e), `--soort inspanningsrapportage --jobs {jobs}` at {r.n} and at {r.large} cases: "
            f"Python {who} peak {w_small:.0f} → {w_large:.0f} MB ({w_large / w_small:.2f} ×), soffice.bin "
            f"peak {s_small:.0f} → {s_large:.0f} MB ({s_large / s_small:.2f} ×)"
            + (f", driver {small.memory.peak('driver'):.0f} → {fl.memory.peak('driver'):.0f} MB" if jobs > 1 else "")
            + f". The {r.large}-case run took {fl.wall:.1f} s ({_ms(fl.per_doc)} per document, {fl.documents} "
            "documents).",
            "",
        ]
    if r.profile is not None:
        pr = r.profile
        total = sum(pr.stages.values())
        conv = pr.stages.get("convert", 0.0)
        python = total - conv
        lines += [
            "## Where the time goes",
            "",
            f"In process, like `batch --jobs 1` (one warm LibreOffice, `build_dossier` per case), first "
            f"{pr.cases} cases, {pr.documents} documents:",
            "",
            "| stage | total | per case | per document | share |",
            "|---|---:|---:|---:|---:|",
        ]
        for stage, sec in pr.stages.items():
            lines.append(f"| {stage} | {sec:.2f} s | {_ms(sec / pr.cases)} | {_ms(sec / pr.documents)} | "
                         f"{sec / total:.0%} |")
        lines += [
            f"| **total** | {total:.2f} s | {_ms(total / pr.cases)} | {_ms(total / pr.documents)} | 100% |",
            "",
            f"* Rendering alone (docxtpl, in process, measured while preparing (a)): "
            f"{_ms(r.insp.seconds / r.insp.count)} per inspanningsrapportage, "
            f"{_ms(r.full.seconds / r.full.count)} per dossier document.",
            f"* Preflight, rendering and assembly are Python, conversion is LibreOffice: per case "
            f"{_ms(python / pr.cases)} Python + {_ms(conv / pr.cases)} LibreOffice, one after the other in "
            "`build_dossier`. Overlapped across cases (render the next case and assemble the previous one "
            "while LibreOffice converts this one, on the second CPU) the bound is the larger of the two: "
            f"{_ms(max(python, conv) / pr.documents)} per document instead of the sum, "
            f"{_ms(total / pr.documents)}.",
            f"* The UNO converter alone (library `SofficeConverter`, one warm LibreOffice) over the "
            f"{pr.uno_docs} (a)(i) DOCX files: {_ms(pr.uno_seconds / pr.uno_docs)} per document "
            f"(start + first document: {pr.uno_start:.2f} s), against {_ms(r.raw_insp.per_doc)} for the raw "
            "one-call `--convert-to`.",
            "",
        ]
    lines += [
        "## Targets",
        "",
        "| target | measured | met |",
        "|---|---|---|",
        f"| per-document cost of `dossier batch --jobs 1` ≤ {TARGET_RATIO:.2f} × raw one-call soffice "
        f"(inspanningsrapportage) | {ratio_i:.2f} × | {_yes(ratio_i <= TARGET_RATIO)} |",
        f"| same, full dossiers | {ratio_d:.2f} × | {_yes(ratio_d <= TARGET_RATIO)} |",
        f"| `--jobs 2` ≥ {TARGET_SPEEDUP} × throughput of `--jobs 1` (inspanningsrapportage) | {speed_i:.2f} × | "
        f"{_yes(speed_i >= TARGET_SPEEDUP)} |",
        f"| same, full dossiers | {speed_d:.2f} × | {_yes(speed_d >= TARGET_SPEEDUP)} |",
    ]
    for jobs, fl in sorted(r.flat.items()):
        small = b[("inspanningsrapportage", jobs)]
        lines.append(
            f"| peak memory per worker flat in the number of cases ({r.large} vs {r.n} cases, within "
            f"{FLAT_TOLERANCE - 1:.0%}), `--jobs {jobs}` | Python {small.memory.worker_peak():.0f} → "
            f"{fl.memory.worker_peak():.0f} MB, soffice.bin {small.memory.peak('soffice.bin'):.0f} → "
            f"{fl.memory.peak('soffice.bin'):.0f} MB | {_yes(flat_ok[jobs])} |")
    lines += [
        f"| stretch: full dossiers ≤ {TARGET_STRETCH} × one-call per-document soffice time, `--jobs 1` | "
        f"{stretch1:.2f} × | {_yes(stretch1 <= TARGET_STRETCH)} |",
        f"| stretch, `--jobs 2` | {stretch2:.2f} × | {_yes(stretch2 <= TARGET_STRETCH)} |",
        "",
    ]
    if r.rebuild is not None:
        lines += _rebuild_markdown(r.rebuild, r.raw_full)
    return "\n".join(lines)


def _rebuild_markdown(rb: Rebuilds, raw: Timed) -> list[str]:
    """The rebuild section: the same dossiers built again with the cache of a first run."""
    def vs(t: Timed) -> float:
        return t.wall / (raw.per_doc * t.documents)  # against raw soffice for the same documents

    def row(t: Timed) -> str:
        return (f"| {t.label} | {t.wall:.1f} s | {t.documents} | {_ms(t.per_doc)} | {vs(t):.2f} × | "
                f"{t.cores:.2f} | {t.cpu / t.documents * 1000:.0f} ms | {t.foreign:.2f} |")

    same, new = vs(rb.unchanged), vs(rb.new_evaluation)
    return [
        "## Rebuilds with the cache",
        "",
        "`dossier batch --soort dossier --jobs 1` over the same cases: a first run with an empty cache fills it; "
        "then, each from a copy of that filled cache, (1) the same cases again and (2) every case with one "
        "evaluation more (dated five days before the reference date, so one more evaluatieverslag and a new "
        "voorblad per case; the other documents are as they were). \"vs (a)\" = wall time / (per-document time "
        "of (a)(ii) raw soffice × the documents of that run).",
        "",
        "| run | wall | documents | per document | vs (a) | CPUs busy | CPU per document | other load |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
        row(rb.fill), row(rb.unchanged), row(rb.new_evaluation),
        "",
        f"Cache size after the first run: {rb.fill.note.rsplit('cache afterwards ', 1)[-1]}.",
        "",
        "| target | measured | met |",
        "|---|---|---|",
        f"| rebuild of the same dossiers, nothing changed ≤ {TARGET_REBUILD} × raw one-call soffice | "
        f"{same:.2f} × | {_yes(same <= TARGET_REBUILD)} |",
        f"| rebuild after one new evaluation per case ≤ {TARGET_REBUILD_NEW} × | {new:.2f} × | "
        f"{_yes(new <= TARGET_REBUILD_NEW)} |",
        "",
    ]


def results_json(r: Results) -> dict[str, Any]:
    """The measurements as plain data (written next to the scratch files, for later comparison)."""
    roles = ("driver", "python-worker", "uno-worker", "soffice.bin")

    def timed(t: Timed) -> dict[str, Any]:
        return {"label": t.label, "wall_s": round(t.wall, 3), "documents": t.documents, "cases": t.cases,
                "per_document_s": round(t.per_doc, 4), "cpu_s": round(t.cpu, 2), "other_load": round(t.foreign, 2),
                "attempts": t.attempts, "note": t.note,
                "peak_rss_mb": {k: round(t.memory.peak(k), 1) for k in roles if t.memory.count(k)},
                "peak_tree_mb": round(t.memory.peak_total_mb, 1)}

    return {"started": r.started.isoformat(timespec="seconds"), "n": r.n, "large": r.large,
            "today": r.today.isoformat(), "machine": r.machine, "periods": dict(r.periods),
            "render_s": {"inspanningsrapportage": round(r.insp.seconds, 2), "dossier": round(r.full.seconds, 2)},
            "raw": {"inspanningsrapportage": timed(r.raw_insp), "dossier": timed(r.raw_full)},
            "batch": {f"{k[0]} --jobs {k[1]}": timed(v) for k, v in r.batch.items()},
            "flat": {f"--jobs {k}": timed(v) for k, v in r.flat.items()},
            "profile": None if r.profile is None else {"cases": r.profile.cases, "documents": r.profile.documents,
                                                        "stages_s": r.profile.stages,
                                                        "uno_per_document_s": r.profile.uno_seconds
                                                        / max(1, r.profile.uno_docs)},
            "rebuild": None if r.rebuild is None else {"fill": timed(r.rebuild.fill),
                                                        "unchanged": timed(r.rebuild.unchanged),
                                                        "new_evaluation": timed(r.rebuild.new_evaluation)}}


def print_table(r: Results) -> None:
    rows = [("(a)(i) raw soffice, inspanningsrapportage", r.raw_insp, r.raw_insp)]
    rows += [(f"(b) batch inspanningsrapportage --jobs {j}", r.batch[("inspanningsrapportage", j)], r.raw_insp)
             for j in (1, 2)]
    rows += [("(a)(ii) raw soffice, full dossiers", r.raw_full, r.raw_full)]
    rows += [(f"(c) batch dossier --jobs {j}", r.batch[("dossier", j)], r.raw_full) for j in (1, 2)]
    rows += [(f"(e) batch inspanningsrapportage --jobs {j}, {r.large} cases", fl, r.raw_insp)
             for j, fl in sorted(r.flat.items())]
    if r.rebuild is not None:
        rows += [(t.label, t, r.raw_full) for t in (r.rebuild.fill, r.rebuild.unchanged, r.rebuild.new_evaluation)]
    print(f"{'measurement':52} {'wall':>8} {'docs':>6} {'/doc':>8} {'/case':>8} {'vs (a)':>7} "
          f"{'CPUs':>5} {'other':>5} {'worker MB':>9} {'soffice MB':>10}")
    for label, t, raw in rows:
        print(f"{label:52} {t.wall:7.1f}s {t.documents:6d} {_ms(t.per_doc):>8} {_ms(t.per_case):>8} "
              f"{t.per_doc / raw.per_doc:6.2f}x {t.cores:5.2f} {t.foreign:5.2f} {t.memory.worker_peak():9.0f} "
              f"{t.memory.peak('soffice.bin'):10.0f}")


# --- main ------------------------------------------------------------------------------------


def _no_orphans(before: set[int]) -> Iterator[int]:
    """soffice.bin processes started during the run whose parent is gone (reparented to pid 1)."""
    for entry in os.listdir("/proc"):
        if entry.isdigit() and int(entry) not in before:
            with contextlib.suppress(OSError, IndexError):
                stat = _read(f"/proc/{entry}/stat")
                close = stat.rfind(")")
                if stat[stat.find("(") + 1 : close] == "soffice.bin" and stat[close + 2 :].split()[1] == "1":
                    yield int(entry)


@contextlib.contextmanager
def exclusive(folder: Path) -> Iterator[None]:
    """Refuse a second benchmark in the same scratch folder (it would delete this one's files)."""
    folder.mkdir(parents=True, exist_ok=True)
    lock = folder / ".bench.lock"
    for _ in range(2):
        try:
            fd = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        except FileExistsError:
            with contextlib.suppress(OSError, ValueError):
                other = int(lock.read_text().strip() or 0)
                if other and Path(f"/proc/{other}").exists():
                    raise SystemExit(f"another benchmark (pid {other}) uses {folder}; wait for it or pass "
                                     "another --out") from None
            lock.unlink(missing_ok=True)  # left behind by a run that died
            continue
        os.write(fd, str(os.getpid()).encode())
        os.close(fd)
        break
    try:
        yield
    finally:
        lock.unlink(missing_ok=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=None, help="number of cases N (default 200; --quick: 8)")
    parser.add_argument("--quick", action="store_true", help="a small run (N=8) to check the script")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "work", help="scratch folder")
    parser.add_argument("--results", type=Path, default=None,
                        help="Markdown report (default bench/RESULTS.md; with --quick <out>/RESULTS-quick.md)")
    parser.add_argument("--today", type=date.fromisoformat, default=DEFAULT_TODAY, help="reference date")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--flat-factor", type=int, default=5, help="flatness run at this many × N cases")
    parser.add_argument("--no-flat", action="store_true", help="skip the flatness runs")
    parser.add_argument("--no-rebuild", action="store_true", help="skip the rebuild runs with a warm cache")
    parser.add_argument("--no-join", action="store_true", help="skip the --samenvoegen (joined conversion) runs")
    parser.add_argument("--flat-jobs", type=lambda v: [int(x) for x in v.split(",")], default=[1, 2],
                        help="--jobs values of the flatness runs (default 1,2)")
    parser.add_argument("--profile-cases", type=int, default=20, help="cases in the in-process stage profile")
    parser.add_argument("--interval", type=float, default=0.2, help="RSS sampling interval (s)")
    parser.add_argument("--keep", action="store_true", help="keep the rendered DOCX files in --out")
    parser.add_argument("--quiet-threshold", type=float, default=0.25,
                        help="CPUs other processes may use during a measurement before it is repeated")
    parser.add_argument("--retries", type=int, default=2, help="repeats of a disturbed measurement")
    parser.add_argument("--max-wait", type=float, default=600.0,
                        help="seconds to wait for a quiet machine before each measurement")
    args = parser.parse_args(argv)
    n = args.cases or (8 if args.quick else 200)
    results_path = args.results or (args.out / "RESULTS-quick.md" if args.quick else ROOT / "bench" / "RESULTS.md")
    large = None if args.no_flat else n * args.flat_factor
    if not set(args.flat_jobs) <= {1, 2}:
        parser.error("--flat-jobs takes 1 and/or 2 (compared with the --jobs 1/2 runs at N)")
    if not DOSSIER_BIN.exists():
        raise SystemExit(f"{DOSSIER_BIN} not found; run 'make install' first")
    if shutil.which("soffice") is None:
        raise SystemExit("soffice not found")
    with exclusive(args.out.resolve()):
        return _measure(args, n, large, results_path)


def _measure(args: argparse.Namespace, n: int, large: int | None, results_path: Path) -> int:
    before = {int(e) for e in os.listdir("/proc") if e.isdigit()}
    started = datetime.now()
    t_start = time.perf_counter()
    out = args.out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    info = machine()
    log(f"machine: {info['nproc']} CPUs, {info['ram']}, {info['libreoffice']}")

    sets = generate(out, [n] + ([large] if large else []), args.today, args.seed)
    log(f"generated {n} cases" + (f" (and {large} for the flatness run)" if large else ""))
    insp, full, loaded = render_sets(sets[n].path, out / "docx", args.today)
    periods = Counter(insp.per_case.values())
    log(f"rendered {insp.count} inspanningsrapportages in {insp.seconds:.1f} s, {full.count} dossier DOCX in "
        f"{full.seconds:.1f} s")

    quiet = Quiet(args.quiet_threshold, args.retries, args.max_wait)
    raw_insp = measured(quiet, lambda: raw_soffice(insp.files, out, "inspanningsrapportage", n, args.interval))
    log(f"(a)(i) raw soffice: {raw_insp.wall:.1f} s for {raw_insp.documents} documents ({raw_insp.note})")
    raw_full = measured(quiet, lambda: raw_soffice(full.files, out, "dossier", n, args.interval))
    log(f"(a)(ii) raw soffice: {raw_full.wall:.1f} s for {raw_full.documents} documents ({raw_full.note})")

    batch: dict[tuple[str, int], Timed] = {}
    for soort, docs in (("inspanningsrapportage", insp.count), ("dossier", full.count)):
        for jobs in (1, 2):
            t = measured(quiet, lambda s=soort, j=jobs, d=docs: run_batch(sets[n], out, s, j, args.today,
                                                                          args.interval, d))
            batch[(soort, jobs)] = t
            log(f"{t.label}: {t.wall:.1f} s, {_ms(t.per_doc)} per document, {t.cores:.2f} CPUs busy")
    for soort, docs in (("inspanningsrapportage", insp.count), ("dossier", full.count)):
        if args.no_join:
            break
        t = measured(quiet, lambda s=soort, d=docs: run_batch(sets[n], out, s, 1, args.today, args.interval, d,
                                                              join=True))
        batch[(soort + " samen", 1)] = t
        log(f"{t.label}: {t.wall:.1f} s, {_ms(t.per_doc)} per document, {t.cores:.2f} CPUs busy")
    rebuild = None
    if not args.no_rebuild:
        rebuild = rebuilds(quiet, sets[n], out, args.today, args.interval, full.count)
        for t in (rebuild.fill, rebuild.unchanged, rebuild.new_evaluation):
            log(f"{t.label}: {t.wall:.1f} s, {_ms(t.per_doc)} per document")
    flat: dict[int, Timed] = {}
    for jobs in (args.flat_jobs if large else []):
        flat[jobs] = measured(quiet, lambda j=jobs: run_batch(sets[large], out, "inspanningsrapportage", j,
                                                              args.today, args.interval))
        log(f"{flat[jobs].label} ({large} cases): {flat[jobs].wall:.1f} s")
    prof = None
    if args.profile_cases > 0:
        prof = profile_stages(loaded, full, insp, out, args.today, min(args.profile_cases, n))
        log("stage profile: " + ", ".join(f"{k} {v:.1f} s" for k, v in prof.stages.items()))
    if not args.keep:
        shutil.rmtree(out / "docx", ignore_errors=True)

    results = Results(n, large, args.today, started, (time.perf_counter() - t_start) / 60, info, periods, insp,
                      full, raw_insp, raw_full, batch, flat, prof, quiet, code_version(), rebuild)
    if results.code_after != info["commit"]:
        log(f"WARNING: the code changed during the run ({info['commit']} → {results.code_after})")
    print_table(results)
    (out / "results.json").write_text(json.dumps(results_json(results), ensure_ascii=False, indent=2),
                                      encoding="utf-8")
    results_path.parent.mkdir(parents=True, exist_ok=True)
    results_path.write_text(report_markdown(results), encoding="utf-8")
    log(f"wrote {results_path}")
    orphans = list(_no_orphans(before))
    if orphans:
        log(f"WARNING: soffice.bin processes still running after the benchmark: {orphans}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

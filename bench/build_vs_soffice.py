"""Time `dossier build` on the sample dossier against plain `soffice --convert-to pdf` of the same DOCX files.

Measured in the same run on the same machine: (a) one plain ``soffice --headless --convert-to pdf`` call
(fresh profile) over exactly the DOCX files the build renders, and (b) ``build_dossier`` with its stage
timings. Reports how much assembly (merge, index, outline, stamps) adds on top of the conversion.

Usage: .venv/bin/python bench/build_vs_soffice.py [--rounds 5] [--case samples/casus_kuipers.json]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import tempfile
import time
from datetime import date
from pathlib import Path

from dossier.api import load_one_case
from dossier.pipeline import build_dossier, render_documents
from dossier.render import plan_voorblad, render_jobs
from dossier.settings import Settings
from dossier.timeline import compute_timeline


def raw_soffice(docx: list[Path], out: Path) -> float:
    """One plain soffice call over all files with a fresh profile; wall seconds."""
    profile = Path(tempfile.mkdtemp(prefix="bench-lo-"))
    start = time.perf_counter()
    subprocess.run(["soffice", f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
                    "--outdir", str(out), *map(str, docx)], check=True, capture_output=True)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--case", type=Path, default=Path("samples/casus_kuipers.json"))
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--today", type=date.fromisoformat, default=date(2026, 11, 23))
    args = parser.parse_args()
    settings = Settings()
    loaded = load_one_case(args.case, settings=settings, today=args.today)
    work = Path(tempfile.mkdtemp(prefix="bench-build-"))
    docx = render_documents(loaded, work / "docx", soort="alle", settings=settings, today=args.today, pdf=False)
    tl = compute_timeline(loaded.case, today=args.today)
    docx += render_jobs([plan_voorblad(loaded.case, tl, settings=settings, today=args.today)], work / "docx",
                        settings=settings)
    raw, total, assemble, convert = [], [], [], []
    for n in range(args.rounds):
        raw.append(raw_soffice(docx, work / f"raw{n}"))
        start = time.perf_counter()
        result = build_dossier(loaded, out=work / f"dossier{n}.pdf", settings=settings, today=args.today)
        total.append(time.perf_counter() - start)
        assemble.append(result.seconds["assemble"] + result.seconds["publish"])
        convert.append(result.seconds["convert"])
    med = statistics.median
    print(f"documents converted per build: {len(docx)} DOCX (+ attachments already PDF)")
    print(f"(a) plain soffice --convert-to pdf, one call: {med(raw):.2f} s  ({med(raw) / len(docx):.3f} s/doc)")
    print(f"(b) dossier build total:                      {med(total):.2f} s")
    print(f"    of which conversion (warm UNO worker):    {med(convert):.2f} s")
    print(f"    of which assembly + publish:              {med(assemble):.3f} s")
    print(f"assembly on top of plain conversion (a):      {100 * med(assemble) / med(raw):.1f} %")
    print(f"assembly on top of dossier's own conversion:  {100 * med(assemble) / med(convert):.1f} %")
    print(f"build total / plain conversion:               {med(total) / med(raw):.2f}")


if __name__ == "__main__":
    main()

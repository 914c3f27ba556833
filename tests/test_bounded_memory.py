"""Huge inputs are handled in bounded memory: `dossier check` streams a 50,000-row CSV."""

from __future__ import annotations

import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _peak_rss_mb(args: list[str]) -> tuple[float, int]:
    """Run `python -m dossier ARGS` as the only child of a fresh interpreter; its peak RSS in MB."""
    probe = (
        "import resource, subprocess, sys\n"
        f"p = subprocess.run([sys.executable, '-m', 'dossier', *{args!r}], stdout=subprocess.DEVNULL,"
        " stderr=subprocess.DEVNULL)\n"
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, p.returncode)\n"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout.split()
    return int(out[0]) / 1024, int(out[1])


@pytest.mark.slow
def test_check_on_a_50000_row_csv_runs_in_flat_memory(tmp_path: Path) -> None:
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        from make_samples import make_rows, write_csv
    finally:
        sys.path.pop(0)
    small, big = tmp_path / "klein.csv", tmp_path / "groot.csv"
    write_csv(make_rows(2_000, date(2026, 11, 23)), small)
    write_csv(make_rows(50_000, date(2026, 11, 23)), big)
    small_mb, code_small = _peak_rss_mb(["check", str(small), "--today", "2026-11-23"])
    big_mb, code_big = _peak_rss_mb(["check", str(big), "--today", "2026-11-23"])
    assert code_small == code_big == 0
    # 25× the rows, (almost) the same memory: nothing grows with the number of cases
    assert big_mb < small_mb + 25, (small_mb, big_mb)
    assert big_mb < 150, big_mb


@pytest.mark.slow
def test_check_on_a_big_json_list_runs_in_flat_memory(tmp_path: Path) -> None:
    """A JSON export is read case by case too, not parsed whole."""
    import json

    base = json.loads((ROOT / "samples" / "casus_kuipers.json").read_text(encoding="utf-8"))
    base.pop("bijlagen", None)  # attachments are files next to the case; check would look for them
    small, big = tmp_path / "klein.json", tmp_path / "groot.json"
    for path, n in ((small, 100), (big, 2_000)):
        with path.open("w", encoding="utf-8") as f:
            f.write("[\n")
            for i in range(n):
                f.write(("," if i else "") + json.dumps({**base, "dossiernummer": f"V-{i:05d}"}, ensure_ascii=False))
            f.write("\n]\n")
    assert big.stat().st_size > 20 * 1024 * 1024 > small.stat().st_size
    small_mb, code_small = _peak_rss_mb(["check", str(small), "--today", "2026-11-23"])
    big_mb, code_big = _peak_rss_mb(["check", str(big), "--today", "2026-11-23"])
    assert code_small == code_big
    # 20× the cases and a file of tens of MB: (almost) the same memory
    assert big_mb < small_mb + 25, (small_mb, big_mb)

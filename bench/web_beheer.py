"""The beheer side of `dossier serve` with many cases (issue 14 items 2 and 6): the agenda feed and the
bewaartermijn list (cold: every case runs its timeline; warm: cached per case version and date, the
way the server keeps them), the export of all cases and a backup.

Usage: .venv/bin/python bench/web_beheer.py [N]   (default 2000 cases; writes bench/RESULTS-beheer.md)

The cases are variants of samples/casus_kuipers.json (other dossiernummer and first sick day; every
tenth recovered long ago), stored with the storage code the server uses. Times are in-process (no HTTP).
"""

from __future__ import annotations

import copy
import json
import os
import platform
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TODAY = date(2026, 11, 23)


def _timed(fn):
    start = time.perf_counter()
    value = fn()
    return time.perf_counter() - start, value


def main() -> None:
    from dossier import api
    from dossier.web import agenda, beheer
    from dossier.web.beheer_store import PerVersion, all_cases
    from dossier.web.export import export_zip
    from dossier.web.storage import Store

    n = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    base = json.loads((ROOT / "samples" / "casus_kuipers.json").read_text(encoding="utf-8"))
    base.pop("bijlagen", None)
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp) / "data"
        data_dir.mkdir()
        store = Store(data_dir / "dossier.sqlite3")
        first = date(2025, 1, 6)
        t_store, _ = _timed(lambda: [store.create(_variant(base, i, first), door="bench", today=TODAY)
                                     for i in range(n)])
        feed_cache, end_cache = PerVersion(), PerVersion()
        cold_feed, text = _timed(lambda: agenda.feed(store, TODAY, feed_cache))
        warm_feed, _ = _timed(lambda: agenda.feed(store, TODAY, feed_cache))
        cold_end, rows = _timed(lambda: beheer.expired(store, TODAY, end_cache))
        warm_end, _ = _timed(lambda: beheer.expired(store, TODAY, end_cache))
        t_export, body = _timed(lambda: export_zip(store, data_dir, all_cases(store, deleted=False)))
        size = body.seek(0, os.SEEK_END)
        t_backup, result = _timed(lambda: api.backup(Path(tmp) / "reserve.tar.gz", data_dir=data_dir))
        store.close()
    lines = [
        "# Beheer with many cases (bench/web_beheer.py)", "",
        f"{n} variants of casus_kuipers.json; {platform.processor() or platform.machine()}, "
        f"{os.cpu_count()} cores, Python {platform.python_version()}; in-process, no HTTP.", "",
        "| what | time |", "| --- | --- |",
        f"| store {n} cases (validation and werkvoorraad columns) | {t_store:.1f} s |",
        f"| agenda feed, cold (every case runs its timeline) | {cold_feed:.2f} s |",
        f"| agenda feed, warm (cached per case version and date) | {warm_feed * 1000:.0f} ms |",
        f"| bewaartermijn list, cold | {cold_end:.2f} s |",
        f"| bewaartermijn list, warm | {warm_end * 1000:.0f} ms |",
        f"| export of all cases as zip ({size / 1e6:.1f} MB) | {t_export:.2f} s |",
        f"| backup (online SQLite backup + tar.gz, {result.versies} versions) | {t_backup:.2f} s |", "",
        f"Feed: {text.count('BEGIN:VEVENT')} events, {len(text.encode()) / 1e6:.1f} MB; "
        f"bewaartermijn verstreken: {len(rows)} cases.", "",
    ]
    out = ROOT / "bench" / "RESULTS-beheer.md"
    out.write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))


def _variant(base: dict, i: int, first: date) -> dict:
    data = copy.deepcopy(base)
    data["dossiernummer"] = f"BENCH-{i:05d}"
    start = first + timedelta(days=i % 300)
    data["ziekteperiodes"] = [{"eerste_ziektedag": start.isoformat()}]
    if i % 10 == 0:  # recovered long ago: past its bewaartermijn
        data["ziekteperiodes"] = [{"eerste_ziektedag": "2022-01-10", "hersteldatum": "2022-04-01"}]
    return data


if __name__ == "__main__":
    main()

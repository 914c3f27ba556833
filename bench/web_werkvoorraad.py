"""Werkvoorraad and case page of `dossier serve` with many cases (issue 14): p50/p95 over 50 warm requests.

Usage: .venv/bin/python bench/web_werkvoorraad.py [N [SECONDS]]
(default 5000 cases and 60 s of 20 concurrent clients; writes bench/RESULTS-web.md)

The cases are variants of samples/casus_kuipers.json (other dossiernummer, name and first sick day),
stored through the same storage code the server uses (so the next milestone is precomputed on save).
The times are measured by an httpx client on the same machine (loopback), so they include HTTP.
"""

from __future__ import annotations

import copy
import json
import os
import platform
import random
import socket
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
TODAY = date(2026, 11, 23)


def _cases(n: int) -> list[dict]:
    base = json.loads((ROOT / "samples" / "casus_kuipers.json").read_text(encoding="utf-8"))
    base.pop("bijlagen", None)
    rnd = random.Random(2026)
    out = []
    for i in range(n):
        c = copy.deepcopy(base)
        c["dossiernummer"] = f"B-{i:05d}"
        c["werknemer"]["naam"] = f"Werknemer {i:05d}"
        c["werknemer"].pop("bsn", None)
        first = TODAY - timedelta(days=rnd.randint(10, 700))
        c["ziekteperiodes"] = [{"eerste_ziektedag": first.isoformat()}]
        # Spread over casemanagers and werkgevers (the filters), one in ten recovered (the archive).
        c["casemanager"]["naam"] = f"Casemanager {i % 5}"
        c["werkgever"]["naam"] = f"Werkgever {i % 20:02d} B.V."
        if i % 10 == 9:
            c["ziekteperiodes"][0]["hersteldatum"] = (first + timedelta(days=5)).isoformat()
        out.append(c)
    return out


def _p(values: list[float], q: float) -> float:
    return sorted(values)[min(len(values) - 1, round(q * (len(values) - 1)))] * 1000


def _time(client: httpx.Client, url: str, n: int = 50, headers: dict[str, str] | None = None) -> list[float]:
    for _ in range(5):
        client.get(url, headers=headers).raise_for_status()
    times = []
    for _ in range(n):
        t = time.perf_counter()
        client.get(url, headers=headers).raise_for_status()
        times.append(time.perf_counter() - t)
    return times


def _client_loop(url: str, worker: int, until: float, base: dict) -> tuple[int, int, list[str]]:
    """One API client: create a case, read it back, save a new version with If-Match, read it back."""
    done = errors = 0
    problems: list[str] = []
    with httpx.Client(base_url=url, headers={"Authorization": "Bearer bench"}, timeout=60) as c:
        i = 0
        while time.monotonic() < until:
            nr = f"C-{worker:02d}-{i:05d}"
            body = dict(base, dossiernummer=nr)
            steps = [c.post("/api/v1/cases", json=body)]
            got = c.get(f"/api/v1/cases/{nr}")
            steps.append(got)
            body["opmerkingen"] = f"versie 2 van {nr}"
            steps.append(c.put(f"/api/v1/cases/{nr}", json=body, headers={"If-Match": got.headers.get("etag", "")}))
            back = c.get(f"/api/v1/cases/{nr}")
            steps.append(back)
            bad = [r.status_code for r in steps if r.status_code >= 400]
            if bad or back.json().get("opmerkingen") != body["opmerkingen"]:
                errors += 1
                problems.append(f"{nr}: {bad or 'lost write'}")
            done += 1
            i += 1
    return done, errors, problems


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 5000
    seconds = float(sys.argv[2]) if len(sys.argv) > 2 else 60.0
    sys.path.insert(0, str(ROOT))
    from dossier.web import WebConfig
    from dossier.web.storage import Store

    data_dir = Path(tempfile.mkdtemp(prefix="dossier-bench-web-"))
    config = WebConfig(data_dir=data_dir, token="bench", gebruiker="bench", today=TODAY)
    data_dir.mkdir(exist_ok=True)
    store = Store(config.db_path)
    t0 = time.perf_counter()
    for c in _cases(n):
        store.create(c, door="bench", today=TODAY)
    save_s = time.perf_counter() - t0
    store.close()

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-m", "dossier", "serve", "--data", str(data_dir), "--port", str(port),
                             "--token", "bench", "--today", TODAY.isoformat()],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                if httpx.get(f"{url}/healthz").status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        api = httpx.Client(base_url=url, headers={"Authorization": "Bearer bench"}, timeout=60)
        web = httpx.Client(base_url=url, timeout=60)
        web.get("/login", params={"token": "bench"})
        rows = {
            f"GET /api/v1/cases?per_pagina=50 ({n} cases)": _time(api, "/api/v1/cases?per_pagina=50"),
            f"GET /api/v1/cases?zoek=werknemer 0123 ({n} cases)": _time(api, "/api/v1/cases?zoek=werknemer%200123"),
            f"GET / werkvoorraad page, 25 rows ({n} cases)": _time(web, "/"),
            f"GET / filtered: casemanager and werkgever ({n} cases)":
                _time(web, "/?casemanager=Casemanager+3&werkgever=Werkgever+08+B.V."),
            f"GET / with the archive, sorted by werknemer ({n} cases)": _time(web, "/?archief=1&sorteer=werknemer"),
            f"GET / htmx list only, status hersteld, page 3 ({n} cases)":
                _time(web, "/?status=hersteld&pagina=3", headers={"HX-Request": "true"}),
            "GET /casussen/B-00042 case page with timeline": _time(web, "/casussen/B-00042"),
            "GET /api/v1/cases/B-00042/timeline": _time(api, "/api/v1/cases/B-00042/timeline"),
            "GET /casussen/B-00042/formulier/evaluaties generated form":
                _time(web, "/casussen/B-00042/formulier/evaluaties"),
        }
        from concurrent.futures import ThreadPoolExecutor

        base = _cases(1)[0]
        until = time.monotonic() + seconds
        with ThreadPoolExecutor(20) as pool:
            results = list(pool.map(lambda w: _client_loop(url, w, until, base), range(20)))
        rounds = sum(r[0] for r in results)
        failed = sum(r[1] for r in results)
        problems = [p for r in results for p in r[2]][:5]
        final = api.get("/api/v1/cases", params={"zoek": "C-", "per_pagina": 1}).json()["totaal"]
    finally:
        proc.terminate()
        proc.wait(10)
    lines = [
        "# Benchmark: the web application (`bench/web_werkvoorraad.py`)", "",
        f"Run on {time.strftime('%Y-%m-%d %H:%M')}; {os.cpu_count()} CPUs, Python {platform.python_version()}, "
        f"SQLite (WAL) in a temporary folder; one uvicorn process. Timed with httpx over loopback "
        "(HTTP included), warm (5 requests first), 50 requests each.", "",
        f"Storing {n} cases (validation, timeline and findings for the precomputed columns): "
        f"{save_s:.1f} s ({save_s / n * 1000:.1f} ms per case).", "",
        "| request | p50 | p95 | max |", "|---|---:|---:|---:|",
        *[f"| {k} | {_p(v, 0.5):.1f} ms | {_p(v, 0.95):.1f} ms | {max(v) * 1000:.1f} ms |" for k, v in rows.items()],
        "",
        f"20 concurrent API clients for {seconds:.0f} s, each round: create, read, save version 2 with If-Match, "
        f"read back: {rounds} rounds ({rounds * 4 / seconds:.0f} requests/s), {failed} with an error or a lost "
        f"write; {final} cases stored (expected {rounds})." + (f" First problems: {problems}" if problems else ""),
        "",
    ]
    (ROOT / "bench" / "RESULTS-web.md").write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()

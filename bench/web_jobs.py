"""A dossier job of `dossier serve` against `dossier build` of the same case (issue 14: ≤ 1.15 ×).

Usage: .venv/bin/python bench/web_jobs.py [ROUNDS]   (default 3; writes its section of bench/RESULTS-web.md)

The case is samples/casus_kuipers.json with its attachments and signed scans. `dossier build` runs it from the
sample folder as a user would (a new process each time, LibreOffice started for the build), with
--uwv because the job writes the UWV set too. The server gets the same case through the API (the
attachments and the signed scans uploaded through their routes), then builds it ROUNDS + 1 times.
The server starts its worker process and LibreOffice at start-up, in the background; the first
job comes right after the uploads (it may still wait for that start), the others find them warm.
Builds and warm jobs alternate, so that a busy moment of the machine hits both alike. A job is
timed from the POST to the first poll (every 50 ms) that sees "klaar", so the time includes HTTP,
the queue and the status updates. Both run in the same script on the same machine.
"""

from __future__ import annotations

import json
import os
import platform
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "samples" / "casus_kuipers.json"
TODAY = "2026-11-23"
TOKEN = "bench-token"
BEGIN, END = "<!-- bench/web_jobs.py -->", "<!-- /bench/web_jobs.py -->"


def _cli_build(out: Path) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "dossier", "build", str(SAMPLE), "-o", str(out / "d.pdf"),
                    "--uwv", str(out / "uwv"), "--today", TODAY], check=True, capture_output=True)
    return time.perf_counter() - start


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _server(data: Path) -> tuple[subprocess.Popen[bytes], httpx.Client]:
    port = _port()
    proc = subprocess.Popen([sys.executable, "-m", "dossier", "serve", "--data", str(data), "--port", str(port),
                             "--today", TODAY], env={**os.environ, "DOSSIER_TOKEN": TOKEN},
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    client = httpx.Client(base_url=f"http://127.0.0.1:{port}", headers={"Authorization": f"Bearer {TOKEN}"},
                          timeout=120)
    for _ in range(300):
        try:
            if client.get("/healthz").status_code == 200:
                return proc, client
        except httpx.TransportError:
            time.sleep(0.1)
    raise RuntimeError("server start niet")


def _load(client: httpx.Client) -> str:
    data = json.loads(SAMPLE.read_text(encoding="utf-8"))
    bijlagen = data.pop("bijlagen")
    signed = data.get("ondertekeningen") or []
    data["ondertekeningen"] = [{k: v for k, v in o.items() if k != "scan"} for o in signed]
    client.post("/api/v1/cases", json=data).raise_for_status()
    nr = data["dossiernummer"]
    for b in bijlagen:
        path = SAMPLE.parent / b["bestand"]
        fields = {k: b[k] for k in ("titel", "soort", "datum", "auteur") if k in b}
        r = client.post(f"/api/v1/cases/{nr}/attachments", files={"file": (path.name, path.read_bytes())}, data=fields)
        r.raise_for_status()
    for o in signed:  # the signed scans through their own route
        if o.get("scan"):
            path = SAMPLE.parent / o["scan"]
            fields = {k: str(o[k]) for k in ("document", "nummer", "datum", "werkgever", "werknemer") if k in o}
            client.post(f"/api/v1/cases/{nr}/scans", files={"file": (path.name, path.read_bytes())},
                        data=fields).raise_for_status()
    return nr


def _job(client: httpx.Client, nr: str) -> float:
    start = time.perf_counter()
    job = client.post(f"/api/v1/cases/{nr}/dossier?today={TODAY}").json()["job"]
    while True:
        state = client.get(f"/api/v1/jobs/{job}").json()
        if state["status"] == "klaar":
            return time.perf_counter() - start
        if state["status"] == "fout":
            raise RuntimeError(state["melding"])
        time.sleep(0.05)


def _pages(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page[^s]", pdf))


def main() -> None:
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    with tempfile.TemporaryDirectory(prefix="dossier-bench-jobs-") as tmp:
        base = Path(tmp)
        builds, warm = [], []
        proc, client = _server(base / "data")
        try:
            nr = _load(client)
            cold = _job(client, nr)
            for i in range(rounds):  # alternating, so that a busy moment of the machine hits both alike
                out = base / f"cli-{i}"
                out.mkdir()
                builds.append(_cli_build(out))
                warm.append(_job(client, nr))
            cli_pages = _pages((base / "cli-0" / "d.pdf").read_bytes())
            job_pages = _pages(client.get(f"/api/v1/cases/{nr}/dossier.pdf").content)
        finally:
            proc.terminate()
            proc.wait(60)
    build = statistics.median(builds)
    lines = [
        BEGIN,
        "## A dossier job against `dossier build` (`bench/web_jobs.py`)",
        "",
        f"Run on {datetime.now():%Y-%m-%d %H:%M}; {os.cpu_count()} CPUs, Python {platform.python_version()}; "
        f"samples/casus_kuipers.json with its attachments and signed scans ({cli_pages} pages from the CLI, "
        f"{job_pages} from the job), today 2026-11-23, UWV set included in both. Wall time, median of "
        f"{rounds}, build and warm job alternating; the job from its POST to the poll that sees \"klaar\" "
        "(polled every 50 ms).",
        "",
        "| run | seconds | × `dossier build` |",
        "|---|---:|---:|",
        f"| `dossier build` (new process, LibreOffice started per build) | {build:.2f} | 1.00 |",
        f"| first dossier job after the server start (worker and LibreOffice started at start-up) | {cold:.2f} | "
        f"{cold / build:.2f} |",
        f"| dossier job (worker and its LibreOffice reused) | {statistics.median(warm):.2f} | "
        f"{statistics.median(warm) / build:.2f} |",
        "",
        f"Single runs: build {', '.join(f'{t:.2f}' for t in builds)} s; warm jobs "
        f"{', '.join(f'{t:.2f}' for t in warm)} s.",
        END,
    ]
    results = ROOT / "bench" / "RESULTS-web.md"
    text = results.read_text(encoding="utf-8") if results.exists() else ""
    if BEGIN in text and END in text:
        text = text[:text.index(BEGIN)] + "\n".join(lines) + text[text.index(END) + len(END):]
    else:
        text = text.rstrip("\n") + "\n\n" + "\n".join(lines) + "\n"
    results.write_text(text, encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()

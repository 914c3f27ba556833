"""The timeline of a case as SVG geometry for the case page template (presentation only)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

WIDTH, LEFT, RIGHT = 960, 20, 20
STATUS_CLASS = {"gedaan": "st-gedaan", "te laat": "st-te-laat", "verlopen": "st-verlopen", "open": "st-open"}


@dataclass(frozen=True)
class Mark:
    x: float
    row: int
    cls: str
    title: str
    code: str


def drawing(case: Any, tl: Any) -> dict[str, Any]:
    """Everything the template draws: week ticks, sickness periods, milestones, today, spoor 2."""
    start: date = tl.eerste_ziektedag
    weeks = max(104, (tl.huidige_ziekteweek or 0) + 4)
    span = weeks * 7
    inner = WIDTH - LEFT - RIGHT

    def x(d: date) -> float:
        return round(LEFT + max(0, min(span, (d - start).days)) / span * inner, 1)

    end = start.fromordinal(start.toordinal() + span)
    periods = []
    for p in case.ziekteperiodes:
        last = p.hersteldatum or max(tl.today, p.eerste_ziektedag)
        if last < start or p.eerste_ziektedag > end:
            continue
        begin = max(p.eerste_ziektedag, start)
        periods.append({"x": x(begin), "w": max(2.0, x(last) - x(begin)),
                        "title": f"ziek van {p.eerste_ziektedag:%d-%m-%Y}"
                                 + (f" tot {p.hersteldatum:%d-%m-%Y}" if p.hersteldatum else " (loopt nog)")})
    marks = []
    for i, m in enumerate(tl.mijlpalen):
        status = str(m.status)
        title = f"{m.label}: uiterlijk {m.uiterlijk:%d-%m-%Y} (week {m.ziekteweek}) — {status}"
        if m.gedaan_op:
            title += f", gedaan op {m.gedaan_op:%d-%m-%Y}"
        marks.append(Mark(x(m.uiterlijk), i % 4, STATUS_CLASS.get(status, "st-open"), title, m.code))
    ticks = [{"x": x(start.fromordinal(start.toordinal() + w * 7)), "label": f"wk {w}"}
             for w in range(0, weeks + 1, 13)]
    spoor2 = None
    ts = getattr(case, "tweede_spoor", None)
    if ts is not None and ts.start is not None and ts.start <= end:
        spoor2 = {"x": x(max(ts.start, start)), "w": max(2.0, x(end) - x(max(ts.start, start)))}
    today = x(tl.today) if start <= tl.today <= end else None
    return {"width": WIDTH, "height": 150, "periods": periods, "marks": marks, "ticks": ticks,
            "today": today, "spoor2": spoor2}

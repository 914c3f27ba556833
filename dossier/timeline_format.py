"""The timeline as a Dutch text table, as JSON (a contract), and as an iCalendar file."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from dossier.findings import risk_text, timeline_findings
from dossier.model import Case
from dossier.nl_format import datum, datum_lang
from dossier.privacy import escape_controls
from dossier.timeline import Mijlpaal, Status, Tijdlijn


def _iso(d: date | None) -> str | None:
    return d.isoformat() if d is not None else None


def timeline_json(case: Case, tl: Tijdlijn) -> dict[str, Any]:
    """The JSON contract of ``dossier timeline --format json`` (keys are fixed; scripts use them).

    It grows by addition only (docs/regels.md): each mijlpaal has a ``niveau``; milestones that are
    not due are left out; ``einde_wachttijd`` and ``ingangsdatum_wia`` are null for an ended case;
    new codes may appear, and consumers ignore codes they do not know.
    """

    def item(m: Mijlpaal) -> dict[str, Any]:
        out: dict[str, Any] = {"code": m.code, "omschrijving": m.label, "uiterlijk": m.uiterlijk.isoformat()}
        if m.vanaf is not None:
            out["vanaf"] = m.vanaf.isoformat()
        out["status"] = str(m.status)
        out["gedaan_op"] = m.gedaan_op.isoformat() if m.gedaan_op else None
        out["ziekteweek"] = m.ziekteweek
        if m.volgnummer is not None:
            out["volgnummer"] = m.volgnummer
        out["gevolg"] = str(m.gevolg) or None
        out["informatief"] = m.informatief
        out["niveau"] = str(m.niveau)
        return out

    return {
        "dossiernummer": case.dossiernummer,
        "eerste_ziektedag": tl.eerste_ziektedag.isoformat(),
        "peildatum": tl.today.isoformat(),
        "huidige_ziekteweek": tl.huidige_ziekteweek,
        "hersteld_op": _iso(tl.hersteld_op),
        "einde_wachttijd": _iso(tl.einde_wachttijd),
        "ingangsdatum_wia": _iso(tl.ingangsdatum_wia),
        "mijlpalen": [item(m) for m in tl.mijlpalen],
    }


_STATUS_MARK = {Status.gedaan: "gedaan", Status.te_laat: "TE LAAT", Status.verlopen: "VERLOPEN",
                Status.open: "open"}


def timeline_text(case: Case, tl: Tijdlijn) -> str:
    """A readable Dutch table for the terminal."""
    lines = [f"Dossier {case.dossiernummer} — {case.werknemer.naam} ({case.werkgever.naam})"]
    lines.append(f"Eerste ziektedag: {datum_lang(tl.eerste_ziektedag)}")
    week = f" (ziekteweek {tl.huidige_ziekteweek})" if tl.huidige_ziekteweek else ""
    lines.append(f"Peildatum: {datum(tl.today)}{week}")
    if tl.hersteld_op:
        lines.append(f"Hersteld op: {datum(tl.hersteld_op)}")
    if tl.uit_dienst_op:
        lines.append(f"Ziek uit dienst op: {datum(tl.uit_dienst_op)} (daarna neemt UWV het over: Ziektewet)")
    if tl.eerdere_casussen:
        lines.append(f"Eerdere ziektegevallen (onderbreking van 4 weken of meer): {len(tl.eerdere_casussen)}")
    if len(tl.calendar.segments) > 1:
        lines.append(f"Samengetelde ziekteperiodes: {len(tl.calendar.segments)}")
    lines.append("")
    rows = [("Mijlpaal", "Ziekteweek", "Uiterlijk", "Status", "Niveau", "Gedaan op")]
    for m in tl.mijlpalen:
        when = datum(m.uiterlijk) if m.vanaf is None else f"{datum(m.vanaf)} – {datum(m.uiterlijk)}"
        status = "informatief" if m.informatief else _STATUS_MARK[m.status]
        done = f"te vroeg ({datum(m.te_vroeg_op)})" if m.te_vroeg_op else datum(m.gedaan_op)
        niveau = "" if m.informatief else str(m.niveau)
        rows.append((m.label, str(m.ziekteweek or ""), when, status, niveau, done))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for n, r in enumerate(rows):
        cells = [c.rjust(w) if i == 1 else c.ljust(w) for i, (c, w) in enumerate(zip(r, widths, strict=True))]
        lines.append("  ".join(cells).rstrip())
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    lines.append("")
    if tl.einde_wachttijd is not None and tl.ingangsdatum_wia is not None:
        lines.append(f"Laatste dag loondoorbetaling: {datum(tl.einde_wachttijd)}; "
                     f"ingangsdatum WIA: {datum(tl.ingangsdatum_wia)}")
    for f in timeline_findings(case, tl):
        lines.append(f"! [{f.niveau}] {f.melding}")
    return escape_controls(  # names from the case data reach the terminal
        "\n".join(lines) + "\n")


def _ics_escape(text: str) -> str:
    return (text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
            .replace("\r\n", "\\n").replace("\n", "\\n"))


def _ics_fold(line: str) -> list[str]:
    """RFC 5545: lines longer than 75 octets continue on the next line after a space."""
    out, current = [], ""
    for ch in line:
        limit = 75 if not out else 74
        if len((current + ch).encode()) > limit:
            out.append(current)
            current = ch
        else:
            current += ch
    out.append(current)
    return [out[0], *(" " + part for part in out[1:])]


def is_open_task(m: Mijlpaal) -> bool:
    """A milestone that still asks for something: a task, not done, open or past its date."""
    return not m.informatief and m.gedaan_op is None and m.status in (Status.open, Status.verlopen)


def timeline_ics(items: list[tuple[Case, Tijdlijn]], *, only_open: bool = False,
                 name: str = "Poortwachter-mijlpalen") -> str:
    """An iCalendar file with one all-day event per milestone (importable in Outlook); ``only_open``
    keeps the milestones that still ask for something (a subscribed agenda feed)."""
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//dossier//Poortwachter tijdlijn//NL",
             "CALSCALE:GREGORIAN", "METHOD:PUBLISH", f"X-WR-CALNAME:{_ics_escape(name)}"]
    for case, tl in items:
        stamp = tl.today.strftime("%Y%m%dT000000Z")
        for m in tl.mijlpalen:
            if only_open and not is_open_task(m):
                continue
            start = m.vanaf or m.uiterlijk
            end = m.uiterlijk + timedelta(days=1)
            uid = f"{case.dossiernummer}-{m.code}-{m.volgnummer or 0}@dossier".replace(" ", "_")
            desc = [f"Dossier {case.dossiernummer}, {case.werknemer.naam}",
                    f"Uiterlijk {datum(m.uiterlijk)}" + (f" (ziekteweek {m.ziekteweek})"
                                                          if m.ziekteweek else ""),
                    f"Status op {datum(tl.today)}: {m.status}"]
            if not m.informatief:
                desc.append(f"Niveau: {m.niveau}")
            if m.bron:
                desc.append(f"Grondslag: {m.bron}")
            risk = risk_text(m, case)
            if risk:
                desc.append(risk)
            event = ["BEGIN:VEVENT", f"UID:{uid}", f"DTSTAMP:{stamp}",
                     f"DTSTART;VALUE=DATE:{start:%Y%m%d}", f"DTEND;VALUE=DATE:{end:%Y%m%d}",
                     f"SUMMARY:{_ics_escape(f'{m.label} – {case.werknemer.naam} ({case.dossiernummer})')}",
                     f"DESCRIPTION:{_ics_escape(chr(10).join(desc))}",
                     "TRANSP:TRANSPARENT", f"CATEGORIES:{_ics_escape('Poortwachter')}"]
            if not m.informatief and m.gedaan_op is None and m.uiterlijk >= tl.today:
                event += ["BEGIN:VALARM", "ACTION:DISPLAY", "TRIGGER;RELATED=START:-P7D",
                          f"DESCRIPTION:{_ics_escape(m.label)}", "END:VALARM"]
            event.append("END:VEVENT")
            lines.extend(event)
    lines.append("END:VCALENDAR")
    return "".join(folded + "\r\n" for line in lines for folded in _ics_fold(line))


def today_default() -> date:
    """The real date; only the CLI edge calls this (the library takes ``today`` as a parameter)."""
    return date.today()

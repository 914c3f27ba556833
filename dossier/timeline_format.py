"""The timeline as a Dutch text table, as JSON (a contract), and as an iCalendar file."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from dossier.model import Case
from dossier.nl_format import bedrag, datum, datum_lang
from dossier.privacy import escape_controls
from dossier.timeline import Gevolg, Mijlpaal, Status, Tijdlijn

#: Maximum UWV fine for a late 42nd-week report (Beleidsregel boete werkgevers ZW, since 2017).
BOETE_ZIEKMELDING = Decimal(455)
#: Wage-sanction estimate: 52 weeks at 70% of the wage, plus 8% holiday pay.
LOONSANCTIE_FACTOR = Decimal("0.70") * Decimal("1.08") * 12


def timeline_json(case: Case, tl: Tijdlijn) -> dict[str, Any]:
    """The JSON contract of ``dossier timeline --format json`` (keys are fixed; scripts use them)."""

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
        return out

    return {
        "dossiernummer": case.dossiernummer,
        "eerste_ziektedag": tl.eerste_ziektedag.isoformat(),
        "peildatum": tl.today.isoformat(),
        "huidige_ziekteweek": tl.huidige_ziekteweek,
        "hersteld_op": tl.hersteld_op.isoformat() if tl.hersteld_op else None,
        "einde_wachttijd": tl.einde_wachttijd.isoformat(),
        "ingangsdatum_wia": tl.ingangsdatum_wia.isoformat(),
        "mijlpalen": [item(m) for m in tl.mijlpalen],
    }


def risk_text(m: Mijlpaal, case: Case) -> str:
    """What a late or missing step risks, in Dutch."""
    if m.gevolg is Gevolg.boete:
        return f"risico: boete van UWV (maximaal {bedrag(BOETE_ZIEKMELDING)})"
    if m.gevolg is Gevolg.loonsanctie:
        text = "risico: loonsanctie (tot 52 weken extra loon doorbetalen)"
        loon = case.werknemer.bruto_maandloon
        if loon:
            text += f", indicatie {bedrag((loon * LOONSANCTIE_FACTOR).quantize(Decimal(1)))}"
        return text
    return ""


def compliance_findings(case: Case, tl: Tijdlijn) -> list[tuple[str, str]]:
    """(code, Dutch message) for every step that is late or overdue on the reference date."""
    out = []
    for m in tl.mijlpalen:
        if m.informatief or m.status not in (Status.verlopen, Status.te_laat):
            continue
        if m.status is Status.verlopen:
            days = (tl.today - m.uiterlijk).days
            what = (f"{m.label}: uiterlijk {datum(m.uiterlijk)} (week {m.ziekteweek}), niet gedaan; "
                    f"{days} dagen over tijd")
        else:
            assert m.gedaan_op is not None
            days = (m.gedaan_op - m.uiterlijk).days
            what = (f"{m.label}: gedaan op {datum(m.gedaan_op)}, {days} dagen na de uiterste datum "
                    f"{datum(m.uiterlijk)}")
        risk = risk_text(m, case)
        out.append((m.code, f"{what}. {risk[0].upper() + risk[1:]}" if risk else what))
    return out


_STATUS_MARK = {Status.gedaan: "gedaan", Status.te_laat: "TE LAAT", Status.verlopen: "VERLOPEN",
                Status.open: "open"}


def timeline_text(case: Case, tl: Tijdlijn) -> str:
    """A readable Dutch table for the terminal."""
    lines = [f"Dossier {case.dossiernummer} — {case.werknemer.naam} ({case.werkgever.naam})"]
    lines.append(f"Eerste ziektedag: {datum_lang(tl.eerste_ziektedag)}")
    week = f" (week {tl.huidige_ziekteweek} van het verzuim)" if tl.huidige_ziekteweek else ""
    lines.append(f"Peildatum: {datum(tl.today)}{week}")
    if tl.hersteld_op:
        lines.append(f"Hersteld op: {datum(tl.hersteld_op)}")
    if tl.eerdere_casussen:
        lines.append(f"Eerdere ziektegevallen (onderbreking van 4 weken of meer): {len(tl.eerdere_casussen)}")
    if len(tl.calendar.segments) > 1:
        lines.append(f"Samengetelde ziekteperiodes: {len(tl.calendar.segments)}")
    lines.append("")
    rows = [("Mijlpaal", "Week", "Uiterlijk", "Status", "Gedaan op")]
    for m in tl.mijlpalen:
        when = datum(m.uiterlijk) if m.vanaf is None else f"{datum(m.vanaf)} – {datum(m.uiterlijk)}"
        status = "informatief" if m.informatief else _STATUS_MARK[m.status]
        rows.append((m.label, str(m.ziekteweek or ""), when, status, datum(m.gedaan_op)))
    widths = [max(len(r[i]) for r in rows) for i in range(5)]
    for n, r in enumerate(rows):
        lines.append("  ".join([r[0].ljust(widths[0]), r[1].rjust(widths[1]), r[2].ljust(widths[2]),
                                r[3].ljust(widths[3]), r[4]]).rstrip())
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    lines.append("")
    lines.append(f"Laatste dag loondoorbetaling: {datum(tl.einde_wachttijd)}; "
                 f"ingangsdatum WIA: {datum(tl.ingangsdatum_wia)}")
    for _code, msg in compliance_findings(case, tl):
        lines.append(f"! {msg}")
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


def timeline_ics(items: list[tuple[Case, Tijdlijn]]) -> str:
    """An iCalendar file with one all-day event per milestone (importable in Outlook)."""
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//dossier//Poortwachter tijdlijn//NL",
             "CALSCALE:GREGORIAN", "METHOD:PUBLISH", "X-WR-CALNAME:Poortwachter-mijlpalen"]
    for case, tl in items:
        stamp = tl.today.strftime("%Y%m%dT000000Z")
        for m in tl.mijlpalen:
            start = m.vanaf or m.uiterlijk
            end = m.uiterlijk + timedelta(days=1)
            uid = f"{case.dossiernummer}-{m.code}-{m.volgnummer or 0}@dossier".replace(" ", "_")
            desc = [f"Dossier {case.dossiernummer}, {case.werknemer.naam}",
                    f"Uiterlijk {datum(m.uiterlijk)} (week {m.ziekteweek} van het verzuim)",
                    f"Status op {datum(tl.today)}: {m.status}"]
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

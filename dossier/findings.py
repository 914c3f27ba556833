"""What a case lacks on a reference date: the one list that ``check``, ``build`` and ``batch`` report.

Three sources, decided once and reported in this order:

1. late or overdue poortwachter steps (from the timeline);
2. parts of the re-integratieverslag that others deliver and that are missing as attachments
   (the bedrijfsarts' probleemanalyse and actueel oordeel);
3. empty elements of the documents the case does have data for (what the templates print as a
   fill-in line).

Whether a document itself was made on time (plan van aanpak, eerstejaarsevaluatie, eindevaluatie)
is a timeline matter: it is reported once, as a late step, not again as a missing part.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from dossier.errors import Issue, Severity
from dossier.model import Case
from dossier.nl_format import bedrag, datum
from dossier.render.context import missing_data
from dossier.settings import Settings
from dossier.timeline import Gevolg, Mijlpaal, Status, Tijdlijn

#: Maximum UWV fine for a late 42nd-week report (Beleidsregel boete werkgevers ZW, since 2017).
BOETE_ZIEKMELDING = Decimal(455)
#: Wage-sanction estimate: 52 weeks at 70% of the wage, plus 8% holiday pay.
LOONSANCTIE_FACTOR = Decimal("0.70") * Decimal("1.08") * 12

#: Attachments the RIV needs from others: (kind, milestone from which it is due, message).
REQUIRED_ATTACHMENTS: tuple[tuple[str, str, str], ...] = (
    ("probleemanalyse", "probleemanalyse",
     "de probleemanalyse van de bedrijfsarts ontbreekt als bijlage (soort 'probleemanalyse'); die is "
     "verplicht in het re-integratieverslag"),
    ("actueel_oordeel", "wia_brief",
     "het actueel oordeel van de bedrijfsarts ontbreekt als bijlage (soort 'actueel_oordeel'); nodig voor "
     "de WIA-aanvraag"),
)


@dataclass(frozen=True)
class Finding:
    """One thing a case lacks or did late.

    Attributes:
        code: the milestone code, or the field the finding is about.
        veld: dotted field path (for a late step: the milestone code).
        melding: Dutch text saying what is wrong and what it risks.
    """

    code: str
    veld: str
    melding: str

    def issue(self, source: str, location: str) -> Issue:
        """As a warning located at the case (how ``check`` and ``build`` print it)."""
        return Issue(Severity.waarschuwing, source, location, self.veld, self.melding)


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


def _dagen(n: int) -> str:
    return "1 dag" if n == 1 else f"{n} dagen"


def timeline_findings(case: Case, tl: Tijdlijn) -> list[Finding]:
    """Every step that is late or overdue on the reference date."""
    out = []
    for m in tl.mijlpalen:
        if m.informatief or m.status not in (Status.verlopen, Status.te_laat):
            continue
        if m.status is Status.verlopen:
            days = (tl.today - m.uiterlijk).days
            week = f" (ziekteweek {m.ziekteweek})" if m.ziekteweek is not None else ""
            what = f"{m.label}: uiterlijk {datum(m.uiterlijk)}{week}, niet gedaan; {_dagen(days)} over tijd"
        else:
            assert m.gedaan_op is not None
            days = (m.gedaan_op - m.uiterlijk).days
            what = (f"{m.label}: gedaan op {datum(m.gedaan_op)}, {_dagen(days)} na de uiterste datum "
                    f"{datum(m.uiterlijk)}")
        risk = risk_text(m, case)
        out.append(Finding(m.code, m.code, f"{what}. {risk[0].upper() + risk[1:]}" if risk else what))
    return out


def attachment_findings(case: Case, tl: Tijdlijn) -> list[Finding]:
    """RIV parts made by others that should be attached by now but are not."""
    kinds = {b.soort for b in case.bijlagen}
    out = []
    for kind, code, message in REQUIRED_ATTACHMENTS:
        m = tl.get(code)
        if m is not None and (m.vanaf or m.uiterlijk) <= tl.today and kind not in kinds:
            out.append(Finding(kind, "bijlagen", message))
    return out


def case_findings(case: Case, tl: Tijdlijn, *, settings: Settings) -> list[Finding]:
    """The whole list, in the order of the module docstring."""
    out = timeline_findings(case, tl) + attachment_findings(case, tl)
    out += [Finding(veld, veld, melding) for veld, melding in
            missing_data(case, tl, today=tl.today, interval_maanden=settings.rapportage_interval_maanden)]
    return out

"""Generate realistic arbodienst-style attachments into samples/bijlagen/.

These stand in for the letters a real case dossier contains (they come from the occupational
health service and the labour expert, not from the employer's own templates):

- ``probleemanalyse.pdf`` (2 pages, 10 februari 2025, bedrijfsarts drs. P. Hendriks)
- ``bijstelling_probleemanalyse.pdf`` (1 page, 2 juni 2025)
- ``arbeidsdeskundig_rapport.pdf`` (3–4 pages, 18 november 2025, mr. A. Bos)
- ``actueel_oordeel.pdf`` (1 page, 15 september 2026)
- ``fml_2025-10-28.pdf`` and ``fml_2026-09-10.pdf`` (1 page each): the Functionele
  Mogelijkhedenlijst the AD report and the actueel oordeel are based on (riv-review row 54: a FML
  that is cited is attached; it describes work capacities, not medical facts)

They describe capacities, prognosis and advice only — no diagnosis or other medical details,
because the employer (who assembles the dossier) may not receive those. Drawn with fpdf2 in
the same fonts dossier uses; the output is deterministic (fixed creation dates, no clock).

Run from the repository root::

    .venv/bin/python scripts/make_sample_attachments.py
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from fpdf import FPDF
from fpdf.fonts import FontFace

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from dossier.pdf.index import find_fonts  # noqa: E402 - needs the repository on sys.path
from dossier.pdf.preflight import quiet_libraries  # noqa: E402

OUT = ROOT / "samples" / "bijlagen"

WERKNEMER = "mevrouw S. (Sandra) Kuipers"
WERKGEVER = "Bakkerij Van Dijk & Zonen B.V."
EERSTE_ZIEKTEDAG = "6 januari 2025"
BSN = "111222333"  # the well-known test BSN (passes the 11-check; belongs to nobody)

ADDRESSEE = [
    WERKGEVER,
    "t.a.v. mevrouw M. de Vries, HR-manager",
    "Industrieweg 12",
    "3821 AB  Amersfoort",
]


@dataclass(frozen=True)
class Sender:
    """Letterhead of the organisation that wrote the document."""

    name: str
    tagline: str
    address: list[str]
    colour: tuple[int, int, int]
    signer: str
    role: str
    registration: str


ARBODIENST = Sender(
    name="Arbodienst Midden B.V.",
    tagline="Bedrijfsgezondheidszorg en verzuimbegeleiding",
    address=[
        "Stationsplein 12",
        "3511 ED  Utrecht",
        "T 030 123 45 67",
        "info@arbodienstmidden.nl",
        "KvK 30123456",
    ],
    colour=(0, 110, 120),
    signer="drs. P. Hendriks",
    role="bedrijfsarts",
    registration="BIG-registratie 19012345601",
)

BOS = Sender(
    name="Bos Arbeidsdeskundig Advies",
    tagline="Arbeidsdeskundig onderzoek en re-integratieadvies",
    address=[
        "Oudegracht 145",
        "3511 AK  Utrecht",
        "T 030 765 43 21",
        "a.bos@bosadvies.nl",
        "KvK 71234567",
    ],
    colour=(120, 60, 20),
    signer="mr. A. Bos",
    role="register-arbeidsdeskundige (SRA)",
    registration="Registernummer SRA 2017-0456",
)


@dataclass
class Letter:
    """One letter: letterhead, addressee, reference table, title and body blocks."""

    sender: Sender
    title: str
    datum: str
    created: datetime
    kenmerk: str
    facts: list[tuple[str, str]]
    blocks: list[tuple[str, object]] = field(default_factory=list)

    def heading(self, text: str) -> None:
        self.blocks.append(("h", text))

    def para(self, text: str) -> None:
        self.blocks.append(("p", text))

    def bullets(self, items: list[str]) -> None:
        self.blocks.append(("ul", items))

    def table(self, rows: list[tuple[str, ...]], widths: tuple[float, ...] = (55, 40, 70)) -> None:
        self.blocks.append(("table", (rows, widths)))


class _Pdf(FPDF):
    """fpdf2 with the sender's running footer."""

    sender: Sender
    kenmerk: str
    running_title: str

    def header(self) -> None:
        if self.page_no() == 1:
            return
        self.set_y(10)
        self.set_font("body", "", 8)
        self.set_text_color(120, 120, 120)
        self.cell(0, 4, self.running_title, align="R")
        self.set_y(22)

    def footer(self) -> None:
        self.set_y(-17)
        self.set_font("body", "", 7.5)
        self.set_text_color(120, 120, 120)
        self.cell(
            0,
            4,
            f"{self.sender.name}  ·  Vertrouwelijk  ·  kenmerk {self.kenmerk}  ·  "
            f"pagina {self.page_no()} van {{nb}}",
            align="C",
        )


def render(letter: Letter, out: Path) -> None:
    """Draw a letter with fpdf2 (A4, mm)."""
    fonts = find_fonts()
    pdf = _Pdf(unit="mm", format="A4")
    pdf.sender = letter.sender
    pdf.kenmerk = letter.kenmerk
    pdf.running_title = f"{letter.title} — S. Kuipers — {letter.datum}"
    pdf.set_creation_date(letter.created)
    pdf.set_creator(f"{letter.sender.name} — documentsysteem")
    pdf.set_author(f"{letter.sender.signer}, {letter.sender.role}")
    pdf.set_title(letter.title)
    pdf.set_lang("nl-NL")
    pdf.add_font("body", "", fonts.regular)
    pdf.add_font("body", "B", fonts.bold)
    pdf.add_font("body", "I", fonts.italic)
    pdf.set_margins(25, 20, 20)
    pdf.set_auto_page_break(True, margin=28)
    pdf.add_page()
    s = letter.sender

    # Letterhead: name and tagline left, address right, a coloured rule.
    pdf.set_text_color(*s.colour)
    pdf.set_font("body", "B", 17)
    pdf.set_xy(25, 18)
    pdf.cell(110, 8, s.name)
    pdf.set_font("body", "", 9)
    pdf.set_text_color(100, 100, 100)
    pdf.set_xy(25, 26)
    pdf.cell(110, 5, s.tagline)
    pdf.set_font("body", "", 8)
    for i, line in enumerate(s.address):
        pdf.set_xy(140, 18 + i * 3.8)
        pdf.cell(50, 3.8, line, align="R")
    pdf.set_draw_color(*s.colour)
    pdf.set_line_width(0.6)
    pdf.line(25, 39, 190, 39)

    # Addressee.
    pdf.set_text_color(30, 30, 30)
    pdf.set_font("body", "", 10.5)
    pdf.set_xy(25, 50)
    for line in ADDRESSEE:
        pdf.cell(0, 5, line, new_x="LMARGIN", new_y="NEXT")

    # Reference table.
    pdf.set_y(80)
    rows = [("Datum", letter.datum), ("Ons kenmerk", letter.kenmerk), *letter.facts]
    for label, value in rows:
        pdf.set_font("body", "", 9)
        pdf.set_text_color(110, 110, 110)
        pdf.cell(38, 5, label)
        pdf.set_font("body", "", 10)
        pdf.set_text_color(30, 30, 30)
        pdf.multi_cell(0, 5, value, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(5)

    pdf.set_font("body", "B", 14)
    pdf.set_text_color(*s.colour)
    pdf.multi_cell(0, 7, letter.title, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)

    for kind, content in letter.blocks:
        pdf.set_text_color(30, 30, 30)
        if kind == "h":
            if pdf.get_y() > 245:
                pdf.add_page()
            pdf.ln(2)
            pdf.set_font("body", "B", 11)
            pdf.set_text_color(*s.colour)
            pdf.multi_cell(0, 6, str(content), new_x="LMARGIN", new_y="NEXT")
        elif kind == "p":
            pdf.set_font("body", "", 10.5)
            pdf.multi_cell(0, 5.2, str(content), align="L", new_x="LMARGIN", new_y="NEXT")
            pdf.ln(2)
        elif kind == "ul":
            pdf.set_font("body", "", 10.5)
            for item in content:  # type: ignore[attr-defined]
                pdf.set_x(29)
                pdf.cell(5, 5.2, "•")
                pdf.multi_cell(0, 5.2, item, align="L", new_x="LMARGIN", new_y="NEXT")
            pdf.ln(2)
        elif kind == "table":
            pdf.set_font("body", "", 9.5)
            pdf.set_draw_color(190, 190, 190)
            pdf.set_line_width(0.2)
            rows, widths = content  # type: ignore[misc]
            with pdf.table(
                col_widths=widths,
                line_height=5,
                text_align="LEFT",
                headings_style=FontFace(emphasis="BOLD", color=s.colour, fill_color=(245, 240, 235)),
                first_row_as_headings=True,
            ) as table:
                for row in rows:
                    cells = table.row()
                    for value in row:
                        cells.cell(value)
            pdf.ln(3)

    # Signature block with a drawn signature.
    if pdf.get_y() > 235:
        pdf.add_page()
    pdf.ln(4)
    pdf.set_font("body", "", 10.5)
    pdf.cell(0, 5, "Met vriendelijke groet,", new_x="LMARGIN", new_y="NEXT")
    y = pdf.get_y() + 2
    pdf.set_draw_color(20, 40, 110)
    pdf.set_line_width(0.45)
    pdf.bezier([(27, y + 9), (33, y - 2), (36, y + 14), (43, y + 5)])
    pdf.bezier([(43, y + 5), (48, y - 1), (50, y + 12), (60, y + 4)])
    pdf.bezier([(58, y + 8), (63, y + 6), (68, y + 9), (74, y + 6)])
    pdf.set_y(y + 15)
    pdf.set_font("body", "B", 10.5)
    pdf.cell(0, 5, s.signer, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("body", "", 10)
    pdf.cell(0, 5, f"{s.role[:1].upper()}{s.role[1:]}, {s.name}", new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(110, 110, 110)
    pdf.set_font("body", "", 9)
    pdf.cell(0, 5, s.registration, new_x="LMARGIN", new_y="NEXT")
    pdf.output(str(out))


# --- the four documents ---------------------------------------------------------------------


def probleemanalyse() -> Letter:
    letter = Letter(
        sender=ARBODIENST,
        title="Probleemanalyse (Wet verbetering poortwachter)",
        datum="10 februari 2025",
        created=datetime(2025, 2, 10, 14, 30),
        kenmerk="AMB/PH/2025-0217",
        facts=[
            ("Werknemer", f"{WERKNEMER}, BSN {BSN}"),
            ("Functie", "Productiemedewerker bakkerij (36 uur per week)"),
            ("Eerste ziektedag", EERSTE_ZIEKTEDAG),
            ("Spreekuur", "5 februari 2025"),
        ],
    )
    letter.heading("1. Aanleiding")
    letter.para(
        f"Mevrouw Kuipers heeft zich op {EERSTE_ZIEKTEDAG} ziek gemeld. Op 5 februari 2025 heb "
        "ik haar op het spreekuur gezien. Deze probleemanalyse is opgesteld in de zesde week "
        "van de arbeidsongeschiktheid, zoals de Wet verbetering poortwachter vraagt. Zij bevat "
        "geen medische gegevens: de werkgever ontvangt alleen de gevolgen voor het werk."
    )
    letter.heading("2. Belastbaarheid: mogelijkheden en beperkingen")
    letter.para("Op dit moment is mevrouw Kuipers beperkt belastbaar. Concreet:")
    letter.bullets(
        [
            "Staan: maximaal ongeveer een uur aaneengesloten, in totaal circa vier uur per dag.",
            "Tillen en dragen: maximaal 5 kilo, niet herhaald; geen bakplaten of meelzakken.",
            "Werktijden: vier uur per dag verdeeld over vijf dagen; geen diensten vóór 7.00 uur.",
            "Geen beperkingen in het omgaan met klanten en collega's, in concentratie of in "
            "het werken met de kassa en het bestelsysteem.",
            "Zittend werk met afwisseling is goed mogelijk.",
        ]
    )
    letter.heading("3. Prognose")
    letter.para(
        "Ik verwacht dat de belastbaarheid de komende drie maanden geleidelijk toeneemt. Een "
        "volledige terugkeer in het eigen werk lijkt binnen zes maanden haalbaar, mits de opbouw "
        "zorgvuldig gebeurt en de beperkingen in staan en tillen in die periode worden "
        "gerespecteerd. Ik beoordeel de situatie opnieuw bij het vervolgconsult."
    )
    letter.heading("4. Advies aan werkgever en werknemer")
    letter.bullets(
        [
            "Start op korte termijn met aangepast eigen werk: twee uur per dag op vijf dagen, "
            "in overleg op te bouwen naar vier uur per dag.",
            "Laat het tillen van bakplaten en het bedienen van de ovens voorlopig aan collega's "
            "over; zet mevrouw Kuipers in bij het afwerken, verpakken en de winkel.",
            "Stel samen het plan van aanpak op, binnen twee weken (uiterlijk 24 februari 2025), en "
            "benoem daarin een casemanager.",
            "Vervolgconsult bij mij over zes weken; eerder als de opbouw stagneert.",
        ]
    )
    letter.heading("5. Ten slotte")
    letter.para(
        "Mevrouw Kuipers heeft de inhoud van deze probleemanalyse met mij besproken en ermee "
        "ingestemd dat zij aan u wordt verstrekt. Werkgever en werknemer kunnen bij UWV een "
        "deskundigenoordeel aanvragen als zij het met dit advies niet eens zijn."
    )
    return letter


def bijstelling() -> Letter:
    letter = Letter(
        sender=ARBODIENST,
        title="Bijstelling probleemanalyse",
        datum="2 juni 2025",
        created=datetime(2025, 6, 2, 10, 15),
        kenmerk="AMB/PH/2025-0688",
        facts=[
            ("Werknemer", f"{WERKNEMER}, BSN {BSN}"),
            ("Eerste ziektedag", EERSTE_ZIEKTEDAG),
            ("Probleemanalyse", "10 februari 2025 (kenmerk AMB/PH/2025-0217)"),
        ],
    )
    letter.heading("Wat is er veranderd")
    letter.para(
        "Sinds de probleemanalyse van 10 februari 2025 is de belastbaarheid minder toegenomen "
        "dan verwacht. Mevrouw Kuipers werkt nu vier uur per dag in aangepast werk. De "
        "beperkingen in langdurig staan en in tillen en dragen zijn naar mijn oordeel blijvend."
    )
    letter.heading("Bijgestelde prognose")
    letter.para(
        "Terugkeer in het volledige eigen werk als productiemedewerker verwacht ik niet meer. "
        "Werk met overwegend zittende taken, afwisseling en tillen tot 5 kilo is duurzaam "
        "mogelijk, naar verwachting tot 24 uur per week binnen drie maanden."
    )
    letter.heading("Advies")
    letter.bullets(
        [
            "Schakel een arbeidsdeskundige in om te onderzoeken of het eigen werk kan worden "
            "aangepast en of er ander passend werk binnen de bakkerij is.",
            "Pas het plan van aanpak binnen twee weken aan op deze bijstelling.",
            "Vervolgconsult over acht weken.",
        ]
    )
    return letter


def arbeidsdeskundig_rapport() -> Letter:
    letter = Letter(
        sender=BOS,
        title="Rapportage arbeidsdeskundig onderzoek",
        datum="18 november 2025",
        created=datetime(2025, 11, 18, 16, 0),
        kenmerk="BAA-2025-112",
        facts=[
            ("Werknemer", f"{WERKNEMER}, BSN {BSN}"),
            ("Werkgever", WERKGEVER),
            ("Functie", "Productiemedewerker bakkerij, 36 uur per week"),
            ("Eerste ziektedag", EERSTE_ZIEKTEDAG),
            ("Onderzoek", "gesprekken op 4 en 11 november 2025, werkplekbezoek 11 november 2025"),
        ],
    )
    letter.heading("1. Vraagstelling")
    letter.para(
        "De werkgever heeft mij op advies van de bedrijfsarts gevraagd te onderzoeken welke "
        "re-integratiemogelijkheden er zijn. Ik beantwoord de vier vragen van het "
        "arbeidsdeskundig onderzoek: is het eigen werk passend, kan het passend worden gemaakt, "
        "is er ander passend werk bij de eigen werkgever, en moet re-integratie bij een andere "
        "werkgever (spoor 2) worden ingezet?"
    )
    letter.heading("2. Gegevens en verloop")
    letter.para(
        f"{WERKGEVER} is een ambachtelijke bakkerij met een productielocatie en zes winkels "
        "in Amersfoort, met ongeveer 85 medewerkers. Mevrouw Kuipers is sinds 2012 in "
        "dienst als productiemedewerker bakkerij voor 36 uur per week, in ploegendienst."
    )
    letter.para("Het verloop van de re-integratie tot nu toe:")
    letter.bullets(
        [
            "6 januari 2025: ziekmelding; 10 februari 2025: probleemanalyse van de bedrijfsarts.",
            "20 februari 2025: plan van aanpak; start aangepast werk op de inpakafdeling, 2 uur per dag.",
            "April tot juli 2025: opbouw naar 4 uur per dag (20 uur per week), later op de orderafdeling.",
            "2 juni 2025: bijstelling probleemanalyse; terugkeer in het eigen werk niet meer "
            "verwacht.",
            "15 juli 2025: aanvraag van dit onderzoek; 28 oktober 2025: Functionele Mogelijkhedenlijst.",
        ]
    )
    letter.para(
        "Ik heb gesproken met mevrouw Kuipers (4 november 2025), met de heer M. van Dijk (directeur) en met "
        "casemanager mevrouw M. de Vries (11 november 2025). Op 11 november 2025 heb ik de "
        "productieruimte, de inpakafdeling en het kantoor bezocht."
    )
    letter.heading("3. Belastbaarheid")
    letter.para(
        "Ik ga uit van de belastbaarheid zoals de bedrijfsarts die op 28 oktober 2025 heeft "
        "vastgelegd in de Functionele Mogelijkhedenlijst (FML; bijgevoegd in het "
        "re-integratieverslag): staan maximaal een uur aaneengesloten "
        "en vier uur per dag, tillen en dragen tot 5 kilo, geen vroege diensten, werktijd tot 24 "
        "uur per week. Op persoonlijk en sociaal functioneren zijn er geen beperkingen."
    )
    letter.heading("4. Analyse van het eigen werk")
    letter.para(
        "Het werk van productiemedewerker bestaat uit deeg bereiden, de ovens bedienen, afwerken "
        "en verpakken. De belangrijkste belasting in vergelijking met de belastbaarheid:"
    )
    letter.table(
        [
            ("Taak", "Belasting", "Vergelijking met belastbaarheid"),
            ("Deeg bereiden en afwegen", "staan, tillen 15–25 kg", "overschrijdt staan en tillen"),
            ("Ovens laden en lossen", "bakplaten van 12 kg", "overschrijdt tillen"),
            ("Afwerken en decoreren", "staan, licht handwerk", "staan deels overschreden"),
            ("Verpakken en etiketteren", "zittend mogelijk", "passend"),
            ("Diensten", "start 5.00 uur", "overschrijdt werktijden"),
        ]
    )
    letter.heading("5. Beantwoording van de vier vragen")
    letter.heading("5.1 Is het eigen werk passend?")
    letter.para(
        "Nee. Het tillen van deeg en bakplaten, het langdurig staan en de vroege diensten "
        "overschrijden de belastbaarheid structureel."
    )
    letter.heading("5.2 Kan het eigen werk met aanpassingen passend worden gemaakt?")
    letter.para(
        "Niet volledig. Een tilhulp voor de bakplaten en een sta-zitstoel bij het afwerken helpen, "
        "maar deeg bereiden en ovenwerk blijven te zwaar en de dienst begint te vroeg. Met "
        "aanpassingen blijft ongeveer een derde van het eigen werk over; dat is geen volwaardige "
        "functie."
    )
    letter.heading("5.3 Is er ander passend werk bij de eigen werkgever (spoor 1)?")
    letter.para(
        "Ja, gedeeltelijk. Ik heb met de directeur en de casemanager alle functies in de bakkerij "
        "en de winkels langsgelopen. Alleen de functie medewerker bestellingen en administratie "
        "(20 uur per week) past; de andere functies passen niet, om deze redenen:"
    )
    letter.table(
        [
            ("Functie", "Belasting", "Oordeel"),
            ("Verkoopmedewerker winkel", "staan 6–8 uur, kratten tot 10 kg, vanaf 6.30 uur",
             "niet passend: staan, tillen, werktijden"),
            ("Medewerker inpak en expeditie", "staan, kratten tot 12 kg, vanaf 5.30 uur",
             "niet passend: tillen, werktijden"),
            ("Chauffeur bezorging", "laden en lossen tot 15 kg, vanaf 5.00 uur", "niet passend"),
            ("Medewerker financiële administratie", "zittend", "niet passend: vraagt mbo-4, geen plaats"),
            ("Medewerker bestellingen en administratie", "zittend, 8.30–12.30 uur",
             "passend, 20 uur per week"),
        ],
        widths=(50, 58, 57),
    )
    letter.para(
        "De functie medewerker bestellingen en administratie (20 uur per week, zittend, werktijden "
        "vanaf 8.30 uur) bestaat uit:"
    )
    letter.table(
        [
            ("Taak", "Belasting", "Vergelijking met belastbaarheid"),
            ("Bestellingen winkels verwerken", "zittend, beeldscherm", "passend"),
            ("Telefonisch contact klanten", "zittend of lopend", "passend"),
            ("Facturen en leveringen controleren", "zittend", "passend"),
            ("Voorraad bijhouden", "kort lopen, tillen tot 3 kg", "passend"),
            ("Werktijden", "8.30–12.30 uur, 5 dagen", "passend"),
        ]
    )
    letter.para(
        "Mevrouw Kuipers heeft een korte scholing in het bestelsysteem nodig. Ik adviseer haar deze "
        "functie per 1 januari 2026 structureel aan te bieden, met een proefplaatsing vanaf 1 "
        "december 2025."
    )
    letter.heading("5.4 Is re-integratie bij een andere werkgever (spoor 2) aan de orde?")
    letter.para(
        "Ja, aanvullend. Binnen de bakkerij is geen passend werk voor meer uren, terwijl de "
        "belastbaarheid tot 24 uur per week reikt. Ik adviseer om binnen vier weken een "
        "spoor-2-traject te starten met een erkend re-integratiebureau, gericht op administratief "
        "of klantgericht werk in de regio: naast de 20 uur, of een functie tot 24 uur die de "
        "belastbaarheid volledig benut."
    )
    letter.heading("6. Zienswijzen")
    letter.para(
        "Mevrouw Kuipers wil graag bij de bakkerij blijven werken en staat open voor de "
        "administratieve functie. Zij heeft aangegeven dat zij het bestelsysteem al van de "
        "winkel kent. Over een traject bij een andere werkgever voor de resterende uren is zij "
        "positief, als het werk goed te combineren is met de vaste ochtenduren in de bakkerij."
    )
    letter.para(
        "De heer Van Dijk wil de functie medewerker bestellingen en administratie voor 20 uur "
        "per week structureel beschikbaar stellen. Uitbreiding van de functie is niet mogelijk: "
        "er is niet meer administratief werk. Hij steunt een spoor-2-traject voor de overige uren."
    )
    letter.heading("7. Advies en vervolg")
    letter.bullets(
        [
            "Bied de functie medewerker bestellingen en administratie aan (20 uur per week).",
            "Start binnen vier weken een spoor-2-traject voor werk tot in totaal 24 uur per week.",
            "Leg beide afspraken vast in een bijstelling van het plan van aanpak.",
            "Evalueer over drie maanden met werknemer, casemanager en bedrijfsarts.",
        ]
    )
    letter.para(
        "Werkgever en werknemer hebben een concept van deze rapportage ontvangen. Mevrouw "
        "Kuipers kan zich vinden in het advies; haar reactie is in het dossier opgenomen."
    )
    return letter


def actueel_oordeel() -> Letter:
    letter = Letter(
        sender=ARBODIENST,
        title="Actueel oordeel bedrijfsarts ten behoeve van de WIA-aanvraag",
        datum="15 september 2026",
        created=datetime(2026, 9, 15, 11, 45),
        kenmerk="AMB/PH/2026-1934",
        facts=[
            ("Werknemer", f"{WERKNEMER}, BSN {BSN}"),
            ("Eerste ziektedag", EERSTE_ZIEKTEDAG),
            ("Spreekuur", "10 september 2026"),
        ],
    )
    letter.heading("Huidige belastbaarheid")
    letter.para(
        "Ik heb mevrouw Kuipers op 10 september 2026 gezien. Haar belastbaarheid is sinds de "
        "bijstelling van de probleemanalyse stabiel: zittend werk met afwisseling tot 24 uur per "
        "week, staan maximaal een uur aaneengesloten, tillen tot 5 kilo, geen vroege diensten. "
        "De Functionele Mogelijkhedenlijst is op 10 september 2026 bijgewerkt en bijgevoegd."
    )
    letter.heading("Prognose")
    letter.para(
        "Ik verwacht geen wezenlijke verandering van de belastbaarheid meer. De beperkingen zijn "
        "duurzaam."
    )
    letter.heading("Oordeel over de re-integratie")
    letter.para(
        "De adviezen uit de probleemanalyse, de bijstelling en het arbeidsdeskundig onderzoek "
        "zijn opgevolgd. Mevrouw Kuipers werkt 20 uur per week als medewerker bestellingen en "
        "administratie en 4 uur op een werkervaringsplaats; het spoor-2-traject loopt. De "
        "re-integratieactiviteiten sluiten aan bij de belastbaarheid."
    )
    return letter


def fml(datum: str, created: datetime, kenmerk: str, spreekuur: str, wijziging: str) -> Letter:
    """The Functionele Mogelijkhedenlijst: work capacities per rubric of UWV's list, nothing medical."""
    letter = Letter(
        sender=ARBODIENST,
        title="Functionele Mogelijkhedenlijst (FML)",
        datum=datum,
        created=created,
        kenmerk=kenmerk,
        facts=[
            ("Werknemer", f"{WERKNEMER}, BSN {BSN}"),
            ("Functie", "Productiemedewerker bakkerij, 36 uur per week"),
            ("Eerste ziektedag", EERSTE_ZIEKTEDAG),
            ("Spreekuur", spreekuur),
        ],
    )
    letter.para(
        "Deze lijst beschrijft wat mevrouw Kuipers in werk kan, per rubriek van de Functionele "
        "Mogelijkhedenlijst. Zij bevat geen medische gegevens. " + wijziging
    )
    letter.table(
        [
            ("Rubriek", "Mogelijkheden en beperkingen"),
            ("I Persoonlijk functioneren", "geen beperkingen"),
            ("II Sociaal functioneren", "geen beperkingen"),
            ("III Fysieke omgevingseisen", "geen werk in hitte bij de ovens"),
            ("IV Dynamische handelingen", "tillen en dragen tot 5 kg, niet herhaald; duwen en trekken licht"),
            ("V Statische houdingen", "staan ongeveer 1 uur aaneengesloten, 4 uur per dag; zitten goed mogelijk"),
            ("VI Werktijden", "overdag, niet vóór 7.00 uur; ongeveer 5 uur per dag, 24 uur per week"),
        ],
        widths=(50, 115),
    )
    letter.para(
        "De beperkingen zijn duurzaam. Zittend werk met afwisseling, in dagdienst, past binnen deze "
        "mogelijkheden."
    )
    return letter


def main() -> None:
    """Write the six sample attachments."""
    OUT.mkdir(parents=True, exist_ok=True)
    documents = {
        "probleemanalyse.pdf": probleemanalyse(),
        "bijstelling_probleemanalyse.pdf": bijstelling(),
        "arbeidsdeskundig_rapport.pdf": arbeidsdeskundig_rapport(),
        "actueel_oordeel.pdf": actueel_oordeel(),
        "fml_2025-10-28.pdf": fml("28 oktober 2025", datetime(2025, 10, 28, 15, 30), "AMB/PH/2025-1711",
                                  "28 oktober 2025", "Opgesteld voor het arbeidsdeskundig onderzoek."),
        "fml_2026-09-10.pdf": fml("10 september 2026", datetime(2026, 9, 10, 14, 15), "AMB/PH/2026-1902",
                                  "10 september 2026", "Bijgewerkt voor het actueel oordeel; ongewijzigd "
                                  "ten opzichte van 28 oktober 2025."),
    }
    for name, letter in documents.items():
        with quiet_libraries():  # fontTools chatters about Carlito's header dates
            render(letter, OUT / name)
        print(f"{name:36s} {(OUT / name).stat().st_size:>8,d} bytes")


if __name__ == "__main__":
    main()

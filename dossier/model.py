"""The case model: one sick employee's re-integration file (re-integratiedossier).

Field names are Dutch because users see them: they are the JSON keys of a case file and the
column headers (dotted paths) of a CSV/XLSX export. Models are frozen and do no I/O.

Privacy by design: there is no field for a diagnosis, symptoms, treatment or cause of illness.
Free-text fields hold what the employer may know: work capacities and limitations
(belastbaarheid), prognosis and advice as the bedrijfsarts wrote them without medical details.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    WithJsonSchema,
)
from pydantic_core import PydanticCustomError

from dossier.kinds import ATTACHMENT_KINDS, document_kinds
from dossier.loaders.nl_values import (
    DATE_EXPECTED,
    bsn_elfproef,
    parse_bool_nl,
    parse_date_nl,
    parse_decimal_nl,
)


def _empty_to_none(value: Any) -> Any:
    if isinstance(value, str) and not value.strip():
        return None
    return value


def _to_date(value: Any) -> Any:
    value = _empty_to_none(value)
    if value is None:
        return None
    try:
        return parse_date_nl(value)
    except ValueError as e:
        raise PydanticCustomError("datum", str(e)) from None


def _to_decimal(value: Any) -> Any:
    value = _empty_to_none(value)
    if value is None:
        return None
    try:
        return parse_decimal_nl(value)
    except ValueError as e:
        raise PydanticCustomError("getal", str(e)) from None


def _to_bool(value: Any) -> Any:
    value = _empty_to_none(value)
    if value is None:
        return None
    try:
        return parse_bool_nl(value)
    except ValueError as e:
        raise PydanticCustomError("ja_nee", str(e)) from None


def _to_text(value: Any) -> Any:
    """Numbers from XLSX cells become text (a BSN or KvK number typed as a number)."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return value


def _keyword(value: Any) -> Any:
    """A closed-vocabulary value as spreadsheets hold it: 'No-risk', ' no risk ' → 'no_risk'."""
    value = _empty_to_none(value)
    if isinstance(value, str):
        return re.sub(r"[\s\-]+", "_", value.strip().lower())
    return value


def _termijn(value: Any) -> Any:
    """A termijn is a date when it parses as one, otherwise free text ("per direct")."""
    value = _empty_to_none(value)
    if value is None or isinstance(value, date):
        return value
    try:
        return parse_date_nl(value)
    except ValueError:
        return str(value)


def _check_bsn(value: str | None) -> str | None:
    if value is None:
        return None
    digits = re.sub(r"[\s.\-]", "", value)
    if re.fullmatch(r"\d{8}", digits):
        digits = "0" + digits  # a leading zero lost in a spreadsheet number cell
    if not re.fullmatch(r"\d{9}", digits):
        raise PydanticCustomError("bsn", "BSN moet uit 9 cijfers bestaan")
    if not bsn_elfproef(digits):
        raise PydanticCustomError("bsn", "BSN is ongeldig (voldoet niet aan de elfproef)")
    return digits


#: Device names Windows reserves: no file or folder can have them, with any extension ("con.txt").
_WINDOWS_RESERVED = re.compile(r"CON|PRN|AUX|NUL|COM[0-9]|LPT[0-9]", re.IGNORECASE)


def _check_dossiernummer(value: str) -> str:
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._\- ]{0,63}", value) or ".." in value:
        raise PydanticCustomError(
            "dossiernummer",
            "dossiernummer mag alleen letters, cijfers, spatie, punt, streepje en liggend streepje"
            " bevatten (max. 64 tekens), omdat het ook als mapnaam dient",
        )
    if value.endswith((".", " ")):
        raise PydanticCustomError(
            "dossiernummer", "dossiernummer mag niet eindigen op een punt of spatie: Windows laat die weg "
            "uit een mapnaam, zodat twee dossiers dezelfde map krijgen")
    if _WINDOWS_RESERVED.fullmatch(value.split(".")[0].rstrip(" ")):
        raise PydanticCustomError(
            "dossiernummer", "dossiernummer '{nummer}' is in Windows een gereserveerde apparaatnaam (CON, PRN, "
            "AUX, NUL, COM1-COM9, LPT1-LPT9, ook met een extensie) en kan geen mapnaam zijn; kies een ander "
            "nummer", {"nummer": value})
    return value


_DATE_SCHEMA = WithJsonSchema(
    {"type": "string", "format": "date", "description": f"Datum; {DATE_EXPECTED}"}
)
_DEC_SCHEMA = WithJsonSchema(
    {"type": ["number", "string"], "description": "Getal; komma of punt als decimaalteken"}
)

Datum = Annotated[date, BeforeValidator(_to_date), _DATE_SCHEMA]
OptDatum = Annotated[date | None, BeforeValidator(_to_date), _DATE_SCHEMA]
OptGetal = Annotated[
    Decimal | None,
    BeforeValidator(_to_decimal),
    _DEC_SCHEMA,
    PlainSerializer(lambda d: None if d is None else str(d), return_type=str | None),
]
OptJaNee = Annotated[bool | None, BeforeValidator(_to_bool)]
Tekst = Annotated[str, BeforeValidator(_to_text)]
OptTekst = Annotated[str | None, BeforeValidator(_to_text), BeforeValidator(_empty_to_none)]
Termijn = Annotated[
    date | str | None,
    BeforeValidator(_termijn),
    WithJsonSchema({"type": "string", "description": "Datum of vrije tekst (bijv. 'per direct')"}),
]
OptBSN = Annotated[
    str | None,
    BeforeValidator(_to_text),
    BeforeValidator(_empty_to_none),
    AfterValidator(_check_bsn),
    WithJsonSchema({"type": "string", "description": "Burgerservicenummer (9 cijfers, elfproef)"}),
]


class Model(BaseModel):
    """Base: frozen, surrounding whitespace stripped, unknown keys ignored here.

    Unknown keys are reported as warnings by :mod:`dossier.validate`, which walks the raw input
    against the model before validating it.
    """

    model_config = ConfigDict(
        frozen=True,
        extra="ignore",
        str_strip_whitespace=True,
        use_attribute_docstrings=True,
    )


# --- parties -------------------------------------------------------------------------------


class Betrokkene(Model):
    """A person involved in the re-integration (casemanager, bedrijfsarts, consulent, …)."""

    naam: Tekst
    """Naam, bijv. 'drs. P. Hendriks'."""
    functie: OptTekst = None
    """Functie, bijv. 'bedrijfsarts' of 'HR-manager'."""
    organisatie: OptTekst = None
    """Organisatie, bijv. de arbodienst of het re-integratiebedrijf."""
    telefoon: OptTekst = None
    email: OptTekst = None


class Werkgever(Model):
    """The employer."""

    naam: Tekst
    adres: OptTekst = None
    """Straat en huisnummer."""
    postcode: OptTekst = None
    plaats: OptTekst = None
    loonheffingennummer: OptTekst = None
    """Loonheffingennummer, bijv. 815720596L01 (UWV vraagt het op formulieren)."""
    kvk: OptTekst = None
    """KvK-nummer (8 cijfers)."""
    sector: OptTekst = None
    """Aard van het bedrijf (hoort bij de basisgegevens van het re-integratieverslag)."""
    contactpersoon: Betrokkene | None = None
    """Wie namens de werkgever tekent (naam en functie)."""


class Werknemer(Model):
    """The sick employee. No medical data: see the module docstring."""

    naam: Tekst
    adres: OptTekst = None
    postcode: OptTekst = None
    plaats: OptTekst = None
    geboortedatum: OptDatum = None
    bsn: OptBSN = None
    """Burgerservicenummer; alleen afgedrukt waar UWV erom vraagt, nooit in bestandsnamen of logs."""
    personeelsnummer: OptTekst = None
    functie: OptTekst = None
    """De eigen (bedongen) functie."""
    functieomschrijving: OptTekst = None
    opleiding: OptTekst = None
    vaardigheden: OptTekst = None
    uren_per_week: OptGetal = None
    """Contracturen per week."""
    datum_in_dienst: OptDatum = None
    bruto_maandloon: OptGetal = None
    """Bruto maandloon in euro; gebruikt om het loonsanctierisico in te schatten."""
    datum_uit_dienst: OptDatum = None
    """Laatste dag van het dienstverband. Eindigt het dienstverband tijdens ziekte (ziek uit dienst),
    dan stopt hier het traject van de werkgever en neemt UWV het over (Ziektewet)."""
    telefoon: OptTekst = None
    email: OptTekst = None


# --- sickness periods ----------------------------------------------------------------------


class Verlof(Model):
    """A period of pregnancy/maternity leave (zwangerschaps- en bevallingsverlof)."""

    begin: Datum
    """Eerste dag van het verlof."""
    einde: Datum
    """Laatste dag van het verlof."""


VangnetSoort = Literal["zwangerschap", "zwangerschap_na_verlof", "orgaandonatie", "no_risk"]
"""The Ziektewet safety-net (vangnet) categories with their own UWV report deadline (docs/regels.md).

Not medical data: the Autoriteit Persoonsgegevens lets the employer record "vangnet ja/nee" without the
reason; the category only says which Ziektewet rule applies. The medical-term scan skips it."""


class Ziekteperiode(Model):
    """One uninterrupted period of sickness."""

    eerste_ziektedag: Datum
    """Eerste dag van ongeschiktheid (ziektedag 0 in de telling)."""
    hersteldatum: OptDatum = None
    """Eerste dag volledig hersteld (gedeeltelijke werkhervatting is géén herstel)."""
    zwangerschapsverlof: Verlof | None = None
    """Zwangerschaps-/bevallingsverlof tussen de vorige periode en deze: telt niet als onderbreking."""
    vangnet: Annotated[VangnetSoort | None, BeforeValidator(_keyword)] = None
    """Vangnetregeling Ziektewet (geen medisch gegeven): zwangerschap (ziek door de zwangerschap, vóór
    het verlof), zwangerschap_na_verlof (ziek door zwangerschap of bevalling, na het verlof),
    orgaandonatie of no_risk (no-riskpolis). Leeg als de werkgever gewoon loon doorbetaalt."""
    vangnet_gemeld: OptDatum = None
    """Datum van de ziekmelding bij UWV voor de Ziektewet-uitkering (alleen bij een vangnet)."""


# --- documents and steps -------------------------------------------------------------------


class Activiteit(Model):
    """One agreed activity of the plan van aanpak: who does what, by when."""

    wie: OptTekst = None
    """Werkgever, werknemer, casemanager, bedrijfsarts, …"""
    wat: Tekst
    termijn: Termijn = None
    """Datum of omschrijving ('per direct', 'wekelijks')."""
    status: OptTekst = None
    """Bijvoorbeeld 'gedaan', 'loopt', 'vervallen'."""


class Bijstelling(Model):
    """An update (bijstelling) of the probleemanalyse."""

    datum: Datum
    opgesteld_door: Betrokkene | None = None
    toelichting: OptTekst = None
    """Wat er veranderd is in de belastbaarheid of het advies (zonder medische details)."""


class Probleemanalyse(Model):
    """The bedrijfsarts's problem analysis (the employer's version, without medical details)."""

    datum: OptDatum = None
    """Datum van de probleemanalyse; aanwezig = stap gedaan."""
    opgesteld_door: Betrokkene | None = None
    """Bedrijfsarts; standaard de bedrijfsarts van de casus."""
    belastbaarheid: OptTekst = None
    """Mogelijkheden en beperkingen voor werk."""
    prognose: OptTekst = None
    advies: OptTekst = None
    """Advies over herstel en werkhervatting."""
    bijstellingen: list[Bijstelling] = Field(default_factory=list)


class PlanVanAanpak(Model):
    """The plan van aanpak drawn up by employer and employee together."""

    datum: OptDatum = None
    """Datum van het plan van aanpak; aanwezig = stap gedaan."""
    doel_kort: OptTekst = None
    """Re-integratiedoel op korte termijn."""
    doel_lang: OptTekst = None
    """Re-integratiedoel op lange termijn (einddoel)."""
    spoor: OptTekst = None
    """Bijvoorbeeld 'spoor 1: terugkeer in eigen functie'."""
    activiteiten: list[Activiteit] = Field(default_factory=list)
    afspraken: OptTekst = None
    """Overige afspraken (bijv. over bereikbaarheid en informatie-uitwisseling)."""
    contactfrequentie: OptTekst = None
    """Bijvoorbeeld 'elke twee weken telefonisch contact met de casemanager'."""
    evaluatiemomenten: list[Datum] = Field(default_factory=list)
    """Geplande evaluaties (minstens eens per 6 weken)."""
    visie_werkgever: OptTekst = None
    visie_werknemer: OptTekst = None


class Voortgang(Model):
    """Progress on one agreed activity, as discussed at an evaluation."""

    wat: Tekst
    """De afgesproken activiteit (zoals in het plan van aanpak of een bijstelling)."""
    stand: OptTekst = None
    """Hoe het ermee staat, bijv. 'gedaan', 'loopt volgens plan', 'vertraagd: …'. Begint de stand met
    'gedaan', 'afgerond' of 'vervallen', dan staat de activiteit niet meer in latere evaluatieverslagen."""


class Evaluatie(Model):
    """A (six-weekly) evaluation of the plan van aanpak, possibly a bijstelling."""

    datum: Datum
    soort: Literal["evaluatie", "bijstelling"] = "evaluatie"
    """'evaluatie', of 'bijstelling' als het plan van aanpak is aangepast."""
    aanwezig: OptTekst = None
    """Wie bij het gesprek aanwezig waren (naam en rol)."""
    verslag: OptTekst = None
    """Wat is besproken en hoe het gaat."""
    voortgang: list[Voortgang] = Field(default_factory=list)
    """Voortgang per afgesproken activiteit."""
    belastbaarheid: OptTekst = None
    """De belastbaarheid zoals de bedrijfsarts die op dat moment gaf (zonder medische details)."""
    afspraken: OptTekst = None
    """Wat in dit gesprek is afgesproken."""
    volgende_evaluatie: OptDatum = None
    """Datum van de volgende evaluatie; leeg: uiterlijk zes weken later."""
    wijzigingen: OptTekst = None
    """Bij een bijstelling: wat verandert er in het plan."""
    reden: OptTekst = None
    """Bij een bijstelling: waarom."""
    activiteiten: list[Activiteit] = Field(default_factory=list)
    """Nieuwe of gewijzigde activiteiten."""
    visie_werkgever: OptTekst = None
    visie_werknemer: OptTekst = None


class Melding(Model):
    """A dated step that only needs its date (e.g. the 42nd-week report to UWV)."""

    datum: OptDatum = None


class Eerstejaarsevaluatie(Model):
    """The first-year evaluation (weeks 46–52)."""

    datum: OptDatum = None
    terugblik: OptTekst = None
    """Welke activiteiten zijn gedaan in het eerste jaar."""
    afspraken_nagekomen: OptTekst = None
    doelen_behaald: OptTekst = None
    """Zijn de doelen gehaald, en zo niet, waarom niet."""
    spoor1: OptTekst = None
    """Conclusie over spoor 1 (eigen of ander werk bij de eigen werkgever)."""
    spoor2_nodig: OptJaNee = None
    """Ja als een tweede spoor wordt ingezet."""
    motivering: OptTekst = None
    doel_jaar2: OptTekst = None
    activiteiten: list[Activiteit] = Field(default_factory=list)
    visie_werkgever: OptTekst = None
    visie_werknemer: OptTekst = None


class SpoorActiviteit(Model):
    """One track-2 activity."""

    datum: OptDatum = None
    soort: Literal["ontwikkeling", "begeleiding", "bemiddeling", "werkervaring"] = "begeleiding"
    """ontwikkeling (scholing, sollicitatietraining), begeleiding (coaching), bemiddeling
    (naar vacatures) of werkervaring (werkervaringsplaats, proefplaatsing)."""
    omschrijving: Tekst
    resultaat: OptTekst = None


class Sollicitatie(Model):
    """One job application in track 2."""

    datum: Datum
    werkgever: Tekst
    functie: Tekst
    resultaat: OptTekst = None


class Werkervaringsplaats(Model):
    """A work-experience placement (werkervaringsplaats / proefplaatsing)."""

    werkgever: Tekst
    functie: OptTekst = None
    begin: OptDatum = None
    einde: OptDatum = None
    uren_per_week: OptGetal = None
    resultaat: OptTekst = None
    verlengd_op: OptDatum = None
    """Datum waarop de werkervaringsplaats is verlengd (dan is einde de nieuwe einddatum)."""
    oorspronkelijk_einde: OptDatum = None
    """Einddatum vóór de verlenging (wat documenten van vóór verlengd_op tonen)."""


class TweedeSpoor(Model):
    """The track-2 trajectory (re-integration with another employer)."""

    start: OptDatum = None
    """Startdatum van het tweede spoor; aanwezig = gestart."""
    trajectplan_datum: OptDatum = None
    """Datum van het trajectplan (meestal kort na de intake); zonder: de startdatum."""
    bureau: OptTekst = None
    """Re-integratiebedrijf dat het traject uitvoert."""
    consulent: Betrokkene | None = None
    doel: OptTekst = None
    huidige_situatie: OptTekst = None
    persoonsprofiel: OptTekst = None
    zoekprofiel: OptTekst = None
    stappen: list[str] = Field(default_factory=list)
    """Geplande stappen van het trajectplan."""
    verwachte_duur: OptTekst = None
    budget: OptGetal = None
    """Kosten van het traject in euro."""
    activiteiten: list[SpoorActiviteit] = Field(default_factory=list)
    sollicitaties: list[Sollicitatie] = Field(default_factory=list)
    werkervaringsplaatsen: list[Werkervaringsplaats] = Field(default_factory=list)
    doel_uren_per_week: OptGetal = None
    """Uren per week die het trajectplan als doel stelt (om te vergelijken met het advies van de
    arbeidsdeskundige)."""
    sollicitaties_per_maand: OptGetal = None
    """Sollicitatienorm van het trajectplan: minimaal aantal sollicitaties per maand."""


class Inspanningsrapportage(Model):
    """The narrative of one track-2 progress report period."""

    periode_van: Datum
    periode_tot: Datum
    datum: OptDatum = None
    """Datum van de rapportage."""
    contacten: OptTekst = None
    resultaten: OptTekst = None
    """Resultaten afgezet tegen het doel."""
    belemmeringen: OptTekst = None
    vervolgstappen: OptTekst = None
    visie_werknemer: OptTekst = None
    toelichting_sollicitaties: OptTekst = None
    """Waarom de sollicitatienorm van het trajectplan in deze periode niet is gehaald."""


class ArbeidsdeskundigOnderzoek(Model):
    """The labour expert's assessment (the four questions)."""

    datum: OptDatum = None
    """Datum van het rapport."""
    aangevraagd: OptDatum = None
    """Datum waarop het onderzoek is aangevraagd."""
    arbeidsdeskundige: Betrokkene | None = None
    eigen_werk: OptTekst = None
    """Kan de werknemer het eigen werk doen?"""
    aanpassing_eigen_werk: OptTekst = None
    """Kan het eigen werk worden aangepast?"""
    passend_werk_intern: OptTekst = None
    """Is er ander passend werk bij de eigen werkgever?"""
    spoor2_mogelijkheden: OptTekst = None
    """Zo niet: welke mogelijkheden zijn er in het tweede spoor?"""
    conclusie: OptTekst = None
    advies_uren_spoor2: OptGetal = None
    """Uren per week waarvoor de arbeidsdeskundige werk in het tweede spoor adviseert."""
    bijstelling_nodig: OptJaNee = None
    """Ja als het rapport vraagt om het plan van aanpak bij te stellen."""


class ActueelOordeel(Model):
    """The bedrijfsarts's current judgement before the WIA application."""

    datum: OptDatum = None
    opgesteld_door: Betrokkene | None = None
    samenvatting: OptTekst = None
    """Huidige belastbaarheid en verloop (zonder medische details)."""
    prognose: OptTekst = None


class Eindevaluatie(Model):
    """The final evaluation at the WIA application (around week 91)."""

    datum: OptDatum = None
    stand_van_zaken: OptTekst = None
    """Stand van de re-integratie op het moment van de WIA-aanvraag."""
    terugblik: OptTekst = None
    resultaat: OptTekst = None
    """Bereikt resultaat in spoor 1 en spoor 2."""
    bruto_maandloon_nu: OptGetal = None
    """Bruto maandloon in euro dat de werknemer nu verdient (alle werk samen), voor de toets op een
    bevredigend resultaat (minstens 65 % van het oude loon)."""
    uren_per_week_nu: OptGetal = None
    """Uren per week die de werknemer nu werkt (alle werk samen)."""
    kopie_riv_werknemer: OptDatum = None
    """Datum waarop de werknemer een kopie van het re-integratieverslag ontving (uiterlijk week 91)."""
    visie_werkgever: OptTekst = None
    visie_werknemer: OptTekst = None


class OordeelWerknemer(Model):
    """The employee's own judgement of the re-integration and of the re-integratieverslag."""

    datum: OptDatum = None
    """Datum van het oordeel."""
    oordeel: OptTekst = None
    """Oordeel van de werknemer over de re-integratie-inspanningen van werkgever en werknemer."""
    eens_met_riv: OptJaNee = None
    """Ja als de werknemer het eens is met de inhoud van het re-integratieverslag."""
    toelichting: OptTekst = None
    """Toelichting, vooral als de werknemer het niet eens is met het re-integratieverslag."""


Deskundige = Annotated[Literal["bedrijfsarts", "arbeidsdeskundige"], BeforeValidator(_keyword)]


class BelastbareUren(Model):
    """The employee's capacity in hours per week from a given date, as a bedrijfsarts or
    arbeidsdeskundige stated it (no medical details: only the hours)."""

    datum: Datum
    """Datum van het oordeel; geldt tot het volgende oordeel."""
    uren_per_week: Annotated[Decimal, BeforeValidator(_to_decimal), _DEC_SCHEMA,
                             PlainSerializer(str, return_type=str)]
    """Belastbaar aantal uren per week."""
    door: Deskundige
    """Wie het oordeel gaf: bedrijfsarts of arbeidsdeskundige."""


class GewerkteUren(Model):
    """Hours per week actually worked in a period, per kind of work."""

    van: Datum
    """Eerste dag van de periode."""
    tot: OptDatum = None
    """Laatste dag van de periode; leeg als de periode nog loopt."""
    eigen_werk: OptGetal = None
    """Uren per week in het eigen (bedongen) werk, ook aangepast."""
    ander_werk: OptGetal = None
    """Uren per week in ander (passend) werk, bij de eigen of een andere werkgever."""
    werkervaringsplaats: OptGetal = None
    """Uren per week op een werkervaringsplaats (onbetaald)."""


class Spoor1NietHaalbaar(Model):
    """When it was concluded that return to the own work (spoor 1) is not expected."""

    datum: Datum
    """Datum van de conclusie (het advies of rapport waarin het staat)."""
    door: Deskundige
    """Wie de conclusie trok: bedrijfsarts of arbeidsdeskundige."""


class Verlenging(Model):
    """A wage sanction (loonsanctie) or voluntary extension (vrijwillige verlenging)."""

    weken: int = Field(ge=1, le=520)
    """Aantal weken waarmee de loondoorbetaling wordt verlengd."""
    datum: OptDatum = None
    """Datum van het besluit of de aanvraag."""


#: Attachment kinds, from the document-kind registry (``medisch`` is there to be refused).
BijlageSoort = Literal[ATTACHMENT_KINDS]  # type: ignore[valid-type]


class Bijlage(Model):
    """An attachment made by others (arbodienst, arbeidsdeskundige, re-integratiebedrijf)."""

    titel: Tekst
    bestand: Tekst
    """Pad ten opzichte van het casusbestand (PDF, DOCX/ODT, JPG of PNG)."""
    soort: BijlageSoort = "overig"
    datum: OptDatum = None
    auteur: OptTekst = None
    """Naam en functie van de opsteller."""
    wachtwoord: OptTekst = None
    """Wachtwoord van een versleutelde PDF."""


def _check_document(value: str) -> str:
    """A generated kind of the registry, looked up when the case is validated (new kinds count at once)."""
    names = document_kinds()
    if value not in names:
        raise PydanticCustomError("document", "'{waarde}' is geen documentsoort die dossier maakt; verwacht een "
                                  "van: {namen}", {"waarde": value, "namen": ", ".join(names)})
    return value


class Ondertekening(Model):
    """Who signed one generated document, when, and the signed scan that replaces it."""

    document: Annotated[Tekst, AfterValidator(_check_document),
                        WithJsonSchema({"type": "string", "description": "Documentsoort zoals 'dossier render' "
                                        "die kent, bijv. 'plan_van_aanpak' of 'inspanningsrapportage'."})]
    """Documentsoort zoals 'dossier render' die kent, bijv. 'plan_van_aanpak'."""
    nummer: int = Field(default=1, ge=1)
    """Welk document van die soort (1, 2, …, op datum); alleen nodig bij bijstellingen,
    inspanningsrapportages en evaluatieverslagen."""
    datum: OptDatum = None
    """De eigen datum van het document, ter controle: past die niet bij het document met dit nummer, dan is
    dat een fout (het record schuift nooit stil naar een ander document)."""
    werkgever: OptDatum = None
    """Datum waarop de werkgever (de contactpersoon) heeft getekend."""
    werknemer: OptDatum = None
    """Datum waarop de werknemer heeft getekend."""
    reintegratiebedrijf: OptDatum = None
    """Datum waarop het re-integratiebedrijf heeft getekend (trajectplan, inspanningsrapportages)."""
    scan: OptTekst = None
    """De ondertekende scan (PDF, JPG of PNG), pad ten opzichte van het casusbestand; die vervangt het
    gemaakte document in het dossier en de uploadset voor UWV."""


# --- the case ------------------------------------------------------------------------------


class Case(Model):
    """One re-integration case (casus): an employee's sickness and everything done about it."""

    dossiernummer: Annotated[Tekst, AfterValidator(_check_dossiernummer)]
    """Uniek nummer van het dossier; ook de mapnaam in een batch (nooit het BSN)."""
    werkgever: Werkgever
    werknemer: Werknemer
    ziekteperiodes: list[Ziekteperiode] = Field(min_length=1)
    """Ziekteperiodes; bij een onderbreking korter dan 4 weken worden ze samengeteld."""
    casemanager: Betrokkene | None = None
    bedrijfsarts: Betrokkene | None = None
    """Bedrijfsarts (organisatie = arbodienst)."""
    arbeidsdeskundige: Betrokkene | None = None
    reintegratiebedrijf: Betrokkene | None = None
    """Contactpersoon bij het re-integratiebedrijf (organisatie = het bureau)."""
    probleemanalyse: Probleemanalyse | None = None
    plan_van_aanpak: PlanVanAanpak | None = None
    evaluaties: list[Evaluatie] = Field(default_factory=list)
    """Evaluaties en bijstellingen van het plan van aanpak."""
    ziekmelding_uwv: Melding | None = None
    """De 42e-weeksmelding bij UWV."""
    ziekmelding_uit_dienst: Melding | None = None
    """De ziekmelding bij UWV op de laatste werkdag als de werknemer ziek uit dienst gaat."""
    eerstejaarsevaluatie: Eerstejaarsevaluatie | None = None
    tweede_spoor: TweedeSpoor | None = None
    inspanningsrapportages: list[Inspanningsrapportage] = Field(default_factory=list)
    arbeidsdeskundig_onderzoek: ArbeidsdeskundigOnderzoek | None = None
    actueel_oordeel: ActueelOordeel | None = None
    eindevaluatie: Eindevaluatie | None = None
    oordeel_werknemer: OordeelWerknemer | None = None
    """Het oordeel van de werknemer over de re-integratie en het re-integratieverslag."""
    belastbare_uren: list[BelastbareUren] = Field(default_factory=list)
    """Belastbaarheid in uren per week door de tijd heen (bedrijfsarts of arbeidsdeskundige)."""
    gewerkte_uren: list[GewerkteUren] = Field(default_factory=list)
    """Werkelijk gewerkte uren per week per periode (eigen werk, ander werk, werkervaringsplaats)."""
    spoor1_niet_haalbaar: Spoor1NietHaalbaar | None = None
    """Wanneer en door wie is geconcludeerd dat terugkeer in het eigen werk niet te verwachten is."""
    wia_aanvraag: Melding | None = None
    """De WIA-aanvraag door de werknemer."""
    loonsanctie: Verlenging | None = None
    vrijwillige_verlenging: Verlenging | None = None
    bijlagen: list[Bijlage] = Field(default_factory=list)
    ondertekeningen: list[Ondertekening] = Field(default_factory=list)
    """Per gemaakt document: wie wanneer heeft getekend, en eventueel de ondertekende scan."""
    opmerkingen: OptTekst = None
    """Vrije notities van de casemanager (worden gecontroleerd op medische termen)."""


def case_json_schema() -> dict[str, Any]:
    """The JSON Schema of a case file (``dossier schema``)."""
    schema = Case.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "Casusbestand dossier (re-integratiedossier Wet verbetering poortwachter)"
    return schema

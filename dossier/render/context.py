"""The template context: the ONLY place where the case model is mapped to template variables.

Templates are a public contract: a firm's own templates use exactly these names. The contract
is the table :data:`SCHEMA` (a tree of :class:`Veld`); ``docs/templates.md`` is generated from
it, :func:`dossier.render.templates.check_templates` validates templates against it, and a
test checks that :func:`build_context` produces exactly these keys.

Rules every template can rely on:

* Every documented name always exists. A missing value is ``None`` (prints as nothing), a
  missing list is ``[]`` and a missing object is an empty object whose fields are all ``None``.
  So ``{% if plan_van_aanpak.visie_werknemer %}`` and ``{{ casemanager.naam|invul }}`` are
  always safe.
* An object is *false* in ``{% if … %}`` when the case has no data for it
  (``{% if eindevaluatie %}``), even though its fields exist.
* Names mirror the case model (``werknemer.naam``, ``werkgever.loonheffingennummer``,
  ``plan_van_aanpak.activiteiten``); computed values are added (``vandaag``, ``tijdlijn``,
  ``termijnen``, ``periode``, ``bijstelling``, …).
* Dates are ``date`` objects: format them with ``|datum``, ``|datum_kort`` or ``|datum_lang``.
  Printed without a filter they still come out in Dutch words, never as ISO dates.
"""

from __future__ import annotations

import difflib
import types
import typing
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel

from dossier import model as m
from dossier.nl_format import datum_cijfers
from dossier.settings import Settings
from dossier.timeline import EVALUATIE_INTERVAL_DAYS, RULES, Mijlpaal, Tijdlijn

# --- the contract --------------------------------------------------------------------------

TEKST = "tekst"
DATUM = "datum"
GETAL = "getal"
BEDRAG = "bedrag"
JA_NEE = "ja/nee"
DATUM_OF_TEKST = "datum of tekst"
OBJECT = "object"
LIJST = "lijst"
LIJST_DATUMS = "lijst van datums"
LIJST_TEKSTEN = "lijst van teksten"


@dataclass(frozen=True)
class Veld:
    """One documented template variable.

    Attributes:
        naam: the name as used in templates (one level; parents make the dotted path).
        soort: tekst, datum, getal, bedrag, ja/nee, datum of tekst, object, lijst (of objects),
            lijst van datums or lijst van teksten.
        omschrijving: Dutch description for the documentation.
        velden: the fields of an object, or of each item of a lijst.
    """

    naam: str
    soort: str
    omschrijving: str
    velden: tuple[Veld, ...] = ()

    @property
    def heeft_velden(self) -> bool:
        """True for an object or a list of objects."""
        return self.soort in (OBJECT, LIJST)

    def veld(self, naam: str) -> Veld | None:
        """The sub-field with this name, or None."""
        return next((v for v in self.velden if v.naam == naam), None)


#: Descriptions for model fields that have no docstring in :mod:`dossier.model`.
_OMSCHRIJVING: dict[str, str] = {
    "naam": "Naam.",
    "adres": "Straat en huisnummer.",
    "postcode": "Postcode.",
    "plaats": "Woonplaats of vestigingsplaats.",
    "telefoon": "Telefoonnummer.",
    "email": "E-mailadres.",
    "datum": "Datum van het document of de stap.",
    "geboortedatum": "Geboortedatum.",
    "personeelsnummer": "Personeelsnummer.",
    "functieomschrijving": "Omschrijving van de eigen functie.",
    "opleiding": "Opleiding.",
    "vaardigheden": "Vaardigheden en werkervaring.",
    "datum_in_dienst": "Datum in dienst.",
    "wat": "Wat er gebeurt.",
    "visie_werkgever": "Visie van de werkgever op de re-integratie.",
    "visie_werknemer": "Visie van de werknemer op de re-integratie.",
    "opgesteld_door": "Opsteller (naam, functie, organisatie).",
    "afspraken_nagekomen": "Zijn de afspraken uit het plan van aanpak nagekomen?",
    "motivering": "Motivering van het besluit over spoor 1 en spoor 2.",
    "doel_jaar2": "Re-integratiedoel voor het tweede ziektejaar.",
    "activiteiten": "Activiteiten.",
    "omschrijving": "Omschrijving.",
    "resultaat": "Resultaat.",
    "functie": "Functie.",
    "begin": "Begindatum.",
    "einde": "Einddatum.",
    "uren_per_week": "Uren per week.",
    "consulent": "Consulent van het re-integratiebedrijf; standaard het re-integratiebedrijf van de "
                 "casus.",
    "doel": "Re-integratiedoel van het tweede spoor.",
    "huidige_situatie": "Huidige situatie van de werknemer (zonder medische details).",
    "persoonsprofiel": "Persoonsprofiel: ervaring, opleiding, wensen en beperkingen.",
    "zoekprofiel": "Zoekprofiel: realistische functies op de arbeidsmarkt.",
    "verwachte_duur": "Verwachte duur van het traject.",
    "sollicitaties": "Sollicitaties.",
    "werkervaringsplaatsen": "Werkervaringsplaatsen en proefplaatsingen.",
    "periode_van": "Eerste dag van de rapportageperiode.",
    "periode_tot": "Laatste dag van de rapportageperiode.",
    "contacten": "Contacten in de periode (met werknemer, werkgever, werkgevers).",
    "belemmeringen": "Belemmeringen.",
    "vervolgstappen": "Vervolgstappen.",
    "prognose": "Prognose (zonder medische details).",
    "terugblik": "Terugblik op het verloop van de re-integratie.",
    "arbeidsdeskundige": "Arbeidsdeskundige; standaard de arbeidsdeskundige van de casus.",
    "titel": "Titel.",
    "bestand": "Bestandsnaam (pad ten opzichte van het casusbestand).",
    "auteur": "Naam en functie van de opsteller.",
    "werkgever": "Werkgever.",
    "werknemer": "Werknemer.",
    "casemanager": "Casemanager.",
    "probleemanalyse": "Probleemanalyse.",
    "plan_van_aanpak": "Plan van aanpak.",
    "eerstejaarsevaluatie": "Eerstejaarsevaluatie.",
    "tweede_spoor": "Tweede spoor.",
    "inspanningsrapportages": "Inspanningsrapportages tweede spoor (het verhaal per periode).",
    "arbeidsdeskundig_onderzoek": "Arbeidsdeskundig onderzoek.",
    "actueel_oordeel": "Actueel oordeel van de bedrijfsarts.",
    "eindevaluatie": "Eindevaluatie.",
    "loonsanctie": "Loonsanctie (weken, datum).",
    "vrijwillige_verlenging": "Vrijwillige verlenging van de loondoorbetaling (weken, datum).",
    "bijlagen": "Bijlagen van anderen (titel, soort, datum, auteur).",
    "zwangerschapsverlof": "Zwangerschaps- en bevallingsverlof vóór deze periode.",
    "contactpersoon": "Wie namens de werkgever tekent (naam, functie).",
}

#: Per-class overrides where the generic description would be wrong.
_OMSCHRIJVING_KLASSE: dict[str, str] = {
    "Sollicitatie.werkgever": "Werkgever waarbij is gesolliciteerd.",
    "Sollicitatie.functie": "Functie waarop is gesolliciteerd.",
    "Werkervaringsplaats.werkgever": "Werkgever van de werkervaringsplaats.",
    "Werkgever.naam": "Naam van de werkgever.",
    "Werknemer.naam": "Naam van de werknemer.",
    "Case.werkgever": "De werkgever.",
    "Case.werknemer": "De zieke werknemer.",
    "Probleemanalyse.opgesteld_door": "Bedrijfsarts die de probleemanalyse opstelde; standaard de "
                                      "bedrijfsarts van de casus.",
    "ActueelOordeel.opgesteld_door": "Bedrijfsarts; standaard de bedrijfsarts van de casus.",
    "Bijstelling.opgesteld_door": "Bedrijfsarts; standaard de bedrijfsarts van de casus.",
    "TweedeSpoor.bureau": "Re-integratiebedrijf dat het traject uitvoert; standaard de organisatie "
                          "van het re-integratiebedrijf van de casus.",
    "Eerstejaarsevaluatie.activiteiten": "Activiteiten voor het tweede ziektejaar.",
    "Eindevaluatie.datum": "Datum van de eindevaluatie.",
    "Eerstejaarsevaluatie.datum": "Datum van de eerstejaarsevaluatie.",
    "Evaluatie.datum": "Datum van de evaluatie of bijstelling.",
}

#: Model fields that are never passed to templates (secrets).
_NIET_IN_CONTEXT = {"Bijlage.wachtwoord"}
#: Decimal fields holding euros (documented as bedrag: use ``|bedrag``).
_BEDRAGEN = {"budget", "bruto_maandloon"}


def _soort_van(annotation: Any, naam: str) -> tuple[str, type[BaseModel] | None]:
    """Map a pydantic field annotation to a Veld soort (and the item model, if any)."""
    args = [a for a in typing.get_args(annotation) if a is not type(None)]
    origin = typing.get_origin(annotation)
    if origin in (types.UnionType, typing.Union):
        if set(args) == {date, str}:
            return DATUM_OF_TEKST, None
        if len(args) == 1:
            return _soort_van(args[0], naam)
    if origin is list:
        (item,) = typing.get_args(annotation)
        if isinstance(item, type) and issubclass(item, BaseModel):
            return LIJST, item
        return (LIJST_DATUMS if item is date else LIJST_TEKSTEN), None
    if origin is Literal:
        return TEKST, None
    if isinstance(annotation, type):
        if issubclass(annotation, BaseModel):
            return OBJECT, annotation
        if issubclass(annotation, bool):
            return JA_NEE, None
        if issubclass(annotation, date):
            return DATUM, None
        if issubclass(annotation, (Decimal, int, float)):
            return (BEDRAG if naam in _BEDRAGEN else GETAL), None
    return TEKST, None


def _model_velden(cls: type[BaseModel], extra: Iterable[Veld] = ()) -> tuple[Veld, ...]:
    """The fields of a model as Velden (descriptions from the model's attribute docstrings)."""
    extra = tuple(extra)
    replaced = {v.naam for v in extra}
    out: list[Veld] = []
    for naam, info in cls.model_fields.items():
        key = f"{cls.__name__}.{naam}"
        if key in _NIET_IN_CONTEXT or naam in replaced:
            continue
        soort, sub = _soort_van(info.annotation, naam)
        omschrijving = (_OMSCHRIJVING_KLASSE.get(key) or (info.description or "").replace("\n", " ")
                        or _OMSCHRIJVING.get(naam, naam.replace("_", " ").capitalize() + "."))
        out.append(Veld(naam, soort, omschrijving, _model_velden(sub) if sub else ()))
    return (*out, *extra)


BETROKKENE = _model_velden(m.Betrokkene)


def _persoon(naam: str, omschrijving: str) -> Veld:
    return Veld(naam, OBJECT, omschrijving, BETROKKENE)


SPOOR_SOORTEN: dict[str, tuple[str, str]] = {
    "ontwikkeling": ("Ontwikkeling en scholing",
                     "bijvoorbeeld sollicitatietraining, een cursus of scholing"),
    "begeleiding": ("Persoonlijke begeleiding en coaching",
                    "bijvoorbeeld loopbaancoaching en begeleiding bij het zoeken naar werk"),
    "bemiddeling": ("Bemiddeling naar werk",
                    "het actief zoeken naar en voorstellen bij passende vacatures"),
    "werkervaring": ("Werkervaringsplaatsen en proefplaatsingen",
                     "werkervaring opdoen bij een andere werkgever, met behoud van loon"),
}
"""The four kinds of track-2 activity (model field ``SpoorActiviteit.soort``), in report order."""

_SPOOR_ACTIVITEIT = _model_velden(m.SpoorActiviteit)
_GROEP = Veld("activiteiten_per_soort", LIJST,
              "De vier soorten activiteiten (altijd alle vier, in vaste volgorde), elk met de "
              "activiteiten van die soort.",
              (Veld("soort", TEKST, "ontwikkeling, begeleiding, bemiddeling of werkervaring."),
               Veld("label", TEKST, "Kop, bijv. 'Ontwikkeling en scholing'."),
               Veld("omschrijving", TEKST, "Korte uitleg van de soort."),
               Veld("activiteiten", LIJST, "Activiteiten van deze soort.", _SPOOR_ACTIVITEIT)))

_MIJLPAAL = (
    Veld("code", TEKST, "Code: probleemanalyse, plan_van_aanpak, evaluatie, ziekmelding_uwv, "
                        "ziekmelding_vangnet, eerstejaarsevaluatie, tweede_spoor, wia_brief, eindevaluatie, "
                        "wia_aanvraag, einde_wachttijd of ziekmelding_uit_dienst."),
    Veld("label", TEKST, "Nederlandse omschrijving, bijv. 'Plan van aanpak'."),
    Veld("uiterlijk", DATUM, "Uiterste datum."),
    Veld("vanaf", DATUM, "Begin van de periode (alleen eerstejaarsevaluatie)."),
    Veld("gedaan_op", DATUM, "Datum waarop de stap is gezet, als bekend."),
    Veld("status", TEKST, "gedaan, te laat, verlopen of open."),
    Veld("volgnummer", GETAL, "Volgnummer van een terugkerende stap (evaluatie)."),
    Veld("ziekteweek", GETAL, "Ziekteweek van de uiterste datum."),
    Veld("gevolg", TEKST, "Risico bij te laat: loonsanctie, boete of leeg."),
    Veld("niveau", TEKST, "Hoe zwaar het weegt: loonsanctie-risico, boete of aandachtspunt."),
    Veld("bron", TEKST, "Wettelijke bron van de termijn."),
    Veld("informatief", JA_NEE, "Ja voor een gebeurtenis die geen taak van de werkgever is."),
)

_PA_BIJSTELLING = _model_velden(m.Bijstelling)

_BIJSTELLING = _model_velden(m.Evaluatie, extra=(
    Veld("nummer", GETAL, "Volgnummer van de bijstelling (1, 2, …, op datum)."),
    Veld("vorige_datum", DATUM, "Datum van het plan van aanpak of de vorige bijstelling die "
                                "hiermee wordt bijgesteld."),
    Veld("volgende_evaluatie", DATUM, "Uiterste datum van de volgende evaluatie (6 weken later)."),
    Veld("probleemanalyse", OBJECT, "De laatste bijstelling van de probleemanalyse op of vóór "
                                    "deze datum (leeg als die er niet is).", _PA_BIJSTELLING),
))

_ACTIVITEIT_STAND = (*_model_velden(m.Activiteit), (
    Veld("bron", TEKST, "Waar de activiteit is afgesproken, bijv. 'Plan van aanpak' of 'Bijstelling 1'.")),
    Veld("datum", DATUM, "Datum van dat document."),
    Veld("stand", TEKST, "Voortgang van de activiteit volgens dit verslag (uit voortgang[], gekoppeld op "
                         "'wat'); leeg als die niet is besproken."))

_EVALUATIEVERSLAG = _model_velden(m.Evaluatie, extra=(
    Veld("nummer", GETAL, "Volgnummer van de evaluatie (1, 2, …, op datum; bijstellingen niet "
                          "meegeteld)."),
    Veld("volgende_evaluatie", DATUM, "Datum van de volgende evaluatie; standaard zes weken later."),
    Veld("afgesproken_activiteiten", LIJST, "De activiteiten die op de datum van het verslag "
                                            "liepen (uit het plan van aanpak, de bijstellingen en "
                                            "de eerstejaarsevaluatie; niet die een eerder verslag "
                                            "'gedaan', 'afgerond' of 'vervallen' noemde), elk met de "
                                            "stand uit dit verslag.",
         _ACTIVITEIT_STAND),
    Veld("probleemanalyse_datum", DATUM, "Datum van de probleemanalyse of de laatste bijstelling "
                                         "daarvan op of vóór de datum van het verslag."),
))

_RAPPORTAGE = _model_velden(m.Inspanningsrapportage)

_PERIODE = (
    Veld("nummer", GETAL, "Volgnummer van de rapportage (1, 2, …)."),
    Veld("van", DATUM, "Eerste dag van de periode."),
    Veld("tot", DATUM, "Laatste dag van de periode (tot en met)."),
    Veld("activiteiten", LIJST, "Activiteiten tweede spoor in de periode, op datum.",
         _SPOOR_ACTIVITEIT),
    _GROEP,
    Veld("sollicitaties", LIJST, "Sollicitaties in de periode, op datum.",
         _model_velden(m.Sollicitatie)),
    Veld("werkervaringsplaatsen", LIJST, "Werkervaringsplaatsen die in de periode liepen.",
         _model_velden(m.Werkervaringsplaats)),
    Veld("rapportage", OBJECT, "Het verhaal van deze periode uit inspanningsrapportages[] "
                               "(gekoppeld op periode_van); lege velden als het er niet is.",
         _RAPPORTAGE),
)

_ACTIVITEIT_OVERZICHT = (*_model_velden(m.Activiteit), (
    Veld("bron", TEKST, "Waar de activiteit is afgesproken, bijv. 'Plan van aanpak' of "
                        "'Bijstelling 2'.")), Veld("datum", DATUM, "Datum van dat document."))

#: The whole contract: every top-level template variable.
SCHEMA: tuple[Veld, ...] = (
    Veld("dossiernummer", TEKST, "Uniek nummer van het dossier (nooit het BSN)."),
    Veld("vandaag", DATUM, "Datum van opmaak: de peildatum van deze run."),
    Veld("eerste_ziektedag", DATUM, "Eerste ziektedag van het huidige verzuim (na samentelling van "
                                    "periodes met minder dan 4 weken ertussen)."),
    Veld("ziekteweek", GETAL, "Ziekteweek op de datum van opmaak (leeg als de werknemer dan niet "
                              "ziek is)."),
    Veld("einde_wachttijd", DATUM, "Einde wachttijd: laatste dag loondoorbetaling (week 104, plus "
                                   "loonsanctie of vrijwillige verlenging)."),
    Veld("ingangsdatum_wia", DATUM, "Dag na het einde van de wachttijd."),
    Veld("hersteld_op", DATUM, "Eerste dag volledig hersteld, als het verzuim is geëindigd."),
    Veld("werkgever", OBJECT, "De werkgever.", _model_velden(m.Werkgever)),
    Veld("werknemer", OBJECT, "De zieke werknemer.", _model_velden(m.Werknemer)),
    Veld("ziekteperiodes", LIJST, "Alle ziekteperiodes van de casus.", _model_velden(m.Ziekteperiode)),
    _persoon("casemanager", "Casemanager."),
    _persoon("bedrijfsarts", "Bedrijfsarts (organisatie = arbodienst)."),
    _persoon("arbeidsdeskundige", "Arbeidsdeskundige."),
    _persoon("reintegratiebedrijf", "Contactpersoon bij het re-integratiebedrijf (organisatie = het "
                                    "bureau)."),
    Veld("probleemanalyse", OBJECT, "Probleemanalyse van de bedrijfsarts (zonder medische details).",
         _model_velden(m.Probleemanalyse)),
    Veld("plan_van_aanpak", OBJECT, "Plan van aanpak.", _model_velden(m.PlanVanAanpak)),
    Veld("evaluaties", LIJST, "Evaluaties en bijstellingen van het plan van aanpak, op datum.",
         _model_velden(m.Evaluatie)),
    Veld("bijstelling", OBJECT, "De bijstelling van het plan van aanpak die wordt afgedrukt: "
                                "standaard de laatste evaluatie met soort 'bijstelling'.",
         _BIJSTELLING),
    Veld("activiteiten_overzicht", LIJST, "Alle activiteiten uit het plan van aanpak en de "
                                          "evaluaties/bijstellingen, in volgorde (voor de terugblik).",
         _ACTIVITEIT_OVERZICHT),
    Veld("ziekmelding_uwv", OBJECT, "De 42e-weeksmelding bij UWV (datum).", _model_velden(m.Melding)),
    Veld("eerstejaarsevaluatie", OBJECT, "Eerstejaarsevaluatie.",
         _model_velden(m.Eerstejaarsevaluatie, extra=(
             Veld("evaluaties_jaar1", LIJST, "Evaluaties en bijstellingen tot en met de datum van de "
                                             "eerstejaarsevaluatie (zonder datum: tot en met week 52).",
                  _model_velden(m.Evaluatie)),
             Veld("activiteiten_jaar1", LIJST, "De activiteiten uit activiteiten_overzicht die in "
                                               "die periode zijn afgesproken.",
                  _ACTIVITEIT_OVERZICHT),
         ))),
    Veld("tweede_spoor", OBJECT, "Het tweede-spoortraject.", _model_velden(m.TweedeSpoor, extra=(
        Veld("activiteiten_per_soort", LIJST, "Alle activiteiten van het traject, gegroepeerd per "
                                              "soort (altijd alle vier soorten).", _GROEP.velden),
    ))),
    Veld("inspanningsrapportages", LIJST, "Het verhaal per rapportageperiode, zoals ingevoerd.",
         _RAPPORTAGE),
    Veld("periode", OBJECT, "De rapportageperiode van de inspanningsrapportage die wordt afgedrukt "
                            "(leeg in andere documenten).", _PERIODE),
    Veld("arbeidsdeskundig_onderzoek", OBJECT, "Arbeidsdeskundig onderzoek.",
         _model_velden(m.ArbeidsdeskundigOnderzoek)),
    Veld("actueel_oordeel", OBJECT, "Actueel oordeel van de bedrijfsarts.",
         _model_velden(m.ActueelOordeel)),
    Veld("evaluatieverslag", OBJECT, "Het verslag van de evaluatie die wordt afgedrukt (leeg in "
                                     "andere documenten).", _EVALUATIEVERSLAG),
    Veld("eindevaluatie", OBJECT, "Eindevaluatie.", _model_velden(m.Eindevaluatie, extra=(
        Veld("loon_percentage", GETAL, "Loon nu als percentage van het bruto maandloon volgens "
                                       "contract (werknemer.bruto_maandloon), afgerond op hele "
                                       "procenten; leeg als een van beide ontbreekt."),
        Veld("uren_percentage", GETAL, "Uren nu als percentage van de contracturen "
                                       "(werknemer.uren_per_week), afgerond op hele procenten."),
        Veld("bevredigend_resultaat", JA_NEE, "Ja als het loon nu minstens 65 % is van het loon "
                                              "volgens contract (Beleidsregels beoordelingskader "
                                              "poortwachter); leeg als een van beide ontbreekt."),
    ))),
    Veld("oordeel_werknemer", OBJECT, "Oordeel van de werknemer over de re-integratie en het "
                                      "re-integratieverslag.", _model_velden(m.OordeelWerknemer)),
    Veld("wia_aanvraag", OBJECT, "De WIA-aanvraag door de werknemer (datum).",
         _model_velden(m.Melding)),
    Veld("loonsanctie", OBJECT, "Loonsanctie (weken, datum).", _model_velden(m.Verlenging)),
    Veld("vrijwillige_verlenging", OBJECT, "Vrijwillige verlenging van de loondoorbetaling "
                                           "(weken, datum).", _model_velden(m.Verlenging)),
    Veld("bijlagen", LIJST, "Bijlagen van anderen (zonder wachtwoord).", _model_velden(m.Bijlage)),
    Veld("opmerkingen", TEKST, "Vrije notities van de casemanager."),
    Veld("tijdlijn", LIJST, "Alle poortwachtertermijnen van de casus, op datum.", _MIJLPAAL),
    Veld("termijnen", OBJECT, "De termijn per code, bijv. termijnen.eerstejaarsevaluatie.uiterlijk "
                              "(bij evaluatie: de eerstvolgende open evaluatie; leeg als de termijn "
                              "niet geldt).",
         tuple(Veld(code, OBJECT, rule.label + ".", _MIJLPAAL) for code, rule in RULES.items())),
    Veld("ondertekening", OBJECT, "Wie dit document wanneer heeft getekend: het record uit "
                                  "ondertekeningen[] met deze documentsoort en dit nummer (leeg als het er "
                                  "niet is; de handtekeningblokken tonen dan stippellijnen).",
         _model_velden(m.Ondertekening)),
    Veld("voorblad", OBJECT, "Titels voor het voorblad.", (
        Veld("titel", TEKST, "'Re-integratieverslag' vanaf de WIA-fase (week 88, eindevaluatie "
                             "of WIA-aanvraag), anders 'Re-integratiedossier'."),
        Veld("ondertitel", TEKST, "Ondertitel."),
    )),
)

#: Context keys that are not part of the documented contract (used by filters only).
INTERNE_NAMEN = frozenset({"_kalender"})


def _walk(velden: tuple[Veld, ...], prefix: str) -> Iterator[tuple[str, Veld]]:
    for v in velden:
        pad = f"{prefix}{v.naam}"
        yield pad, v
        if v.heeft_velden:
            yield from _walk(v.velden, pad + ("[]." if v.soort == LIJST else "."))


def alle_namen() -> list[tuple[str, Veld]]:
    """Every documented variable as (dotted path, Veld); list items as ``lijst[].veld``."""
    return list(_walk(SCHEMA, ""))


def zoek_veld(pad: str) -> Veld | None:
    """The Veld for a dotted path (``werknemer.naam``, ``plan_van_aanpak.activiteiten[].wat``)."""
    node: Veld | None = None
    velden = SCHEMA
    for deel in pad.replace("[]", "").split("."):
        node = next((v for v in velden if v.naam == deel), None)
        if node is None:
            return None
        velden = node.velden
    return node


# --- values --------------------------------------------------------------------------------


class Record(dict):
    """A context object: a dict whose fields templates read as attributes (``werknemer.naam``).

    It is false in ``{% if %}`` when the case had no data for it, even though all documented
    fields exist. ``_pad`` is the dotted schema path, used in error messages.
    """

    __slots__ = ("_leeg", "_pad")

    def __init__(self, data: dict[str, Any], pad: str, leeg: bool) -> None:
        super().__init__(data)
        self._pad = pad
        self._leeg = leeg

    def __bool__(self) -> bool:
        return not self._leeg

    def __repr__(self) -> str:
        return f"Record({self._pad!r}, {dict.__repr__(self)})"


def is_leeg(value: Any) -> bool:
    """True for None, blank text, an empty list, a model without any data or an empty Record."""
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, (list, tuple)):
        return not value
    if isinstance(value, BaseModel):
        return all(is_leeg(getattr(value, k)) for k in type(value).model_fields)
    if isinstance(value, Record):
        return not value
    return False


def _waarde(raw: Any, veld: Veld, pad: str) -> Any:
    if veld.soort == OBJECT:
        return _record(raw, veld.velden, pad)
    if veld.soort == LIJST:
        return [_record(item, veld.velden, pad + "[]") for item in raw or ()]
    if veld.soort in (LIJST_DATUMS, LIJST_TEKSTEN):
        return list(raw or ())
    return raw


def _record(obj: Any, velden: tuple[Veld, ...], pad: str, **computed: Any) -> Record:
    """Build a Record with every field of ``velden``; values from ``obj`` or ``computed``."""
    data: dict[str, Any] = {}
    for v in velden:
        sub = f"{pad}.{v.naam}" if pad else v.naam
        if v.naam in computed:
            value = computed[v.naam]
            if v.soort == OBJECT and not isinstance(value, Record):
                value = _record(value, v.velden, sub)
            data[v.naam] = value
            continue
        raw = obj.get(v.naam) if isinstance(obj, dict) else getattr(obj, v.naam, None)
        data[v.naam] = _waarde(raw, v, sub)
    return Record(data, pad, is_leeg(obj) if not isinstance(obj, dict) else not obj)


def _velden(naam: str) -> tuple[Veld, ...]:
    veld = next(v for v in SCHEMA if v.naam == naam)
    return veld.velden


# --- track-2 report periods ----------------------------------------------------------------


@dataclass(frozen=True)
class Periode:
    """One track-2 progress report period.

    Attributes:
        nummer: 1-based number in date order.
        van: first day.
        tot: last day (inclusive).
        rapportage: the case's narrative for this period (matched on periode_van), or None.
    """

    nummer: int
    van: date | None
    tot: date | None
    rapportage: m.Inspanningsrapportage | None = field(default=None, compare=False)


def plus_maanden(d: date, maanden: int) -> date:
    """``d`` plus whole months; the day is clamped to the month's length (31 jan + 1 = 28 feb)."""
    index = d.month - 1 + maanden
    year, month = d.year + index // 12, index % 12 + 1
    for day in (d.day, 30, 29, 28):
        try:
            return date(year, month, min(d.day, day))
        except ValueError:
            continue
    raise AssertionError("unreachable")  # pragma: no cover


def rapportageperiodes(
    case: m.Case, tijdlijn: Tijdlijn, *, today: date, interval_maanden: int = 2
) -> list[Periode]:
    """The track-2 report periods up to ``today``.

    From ``tweede_spoor.start``, every ``interval_maanden`` months, the periods that have ended
    on or before ``today``; the last one is cut off at the end of the waiting period (or the
    day the employee was fully fit). A narrative in
    ``inspanningsrapportages`` belongs to the period with the same ``periode_van`` and sets its
    end; a narrative that matches no period adds its own period, so no report is lost.
    """
    start = case.tweede_spoor.start if case.tweede_spoor else None
    grens = min(d for d in (tijdlijn.einde_wachttijd, tijdlijn.hersteld_op, tijdlijn.uit_dienst_op)
                if d is not None)
    verhalen = {r.periode_van: r for r in case.inspanningsrapportages}
    periods: dict[date, tuple[date, m.Inspanningsrapportage | None]] = {}
    if start is not None and interval_maanden >= 1:
        i = 0
        while True:
            van = plus_maanden(start, i * interval_maanden)
            if van > grens or van > today:
                break
            tot = min(plus_maanden(start, (i + 1) * interval_maanden) - timedelta(days=1), grens)
            if tot <= today:
                periods[van] = (tot, None)
            i += 1
    for van, r in verhalen.items():
        periods[van] = (r.periode_tot, r)
    return [Periode(n, van, tot, r)
            for n, (van, (tot, r)) in enumerate(sorted(periods.items()), start=1)]


def eerste_periode(case: m.Case, *, interval_maanden: int = 2) -> Periode:
    """The first period (for a pre-filled form before any period has ended)."""
    start = case.tweede_spoor.start if case.tweede_spoor else None
    if start is None:
        return Periode(1, None, None)
    return Periode(1, start, plus_maanden(start, interval_maanden) - timedelta(days=1))


def periode_heeft_data(case: m.Case, p: Periode) -> bool:
    """A narrative, or something that happened in the period (an activity, an application, the
    start of a work placement). A placement that merely continues does not count: a report that
    would be all fill-in lines is left out of "alle" (``missing_data`` still flags it)."""
    if p.rapportage is not None:
        return True
    ts = case.tweede_spoor
    if ts is None or p.van is None or p.tot is None:
        return False
    dated = ([a.datum for a in ts.activiteiten] + [s.datum for s in ts.sollicitaties]
             + [w.begin for w in ts.werkervaringsplaatsen])
    return any(d is not None and p.van <= d <= p.tot for d in dated)


def _in(d: date | None, van: date | None, tot: date | None) -> bool:
    return d is not None and van is not None and tot is not None and van <= d <= tot


def _groepen(activiteiten: list[m.SpoorActiviteit], pad: str) -> list[Record]:
    out = []
    for soort, (label, uitleg) in SPOOR_SOORTEN.items():
        items = [a for a in activiteiten if a.soort == soort]
        out.append(_record({"soort": soort, "label": label, "omschrijving": uitleg}, _GROEP.velden,
                           f"{pad}[]", activiteiten=[_record(a, _SPOOR_ACTIVITEIT,
                                                             f"{pad}[].activiteiten[]")
                                                     for a in items]))
    return out


def _periode_record(case: m.Case, periode: Periode | None) -> Record:
    velden = _velden("periode")
    if periode is None:
        return _record(None, velden, "periode", activiteiten_per_soort=_groepen([], "periode."
                                                                                 "activiteiten_per_soort"))
    ts = case.tweede_spoor
    van, tot = periode.van, periode.tot
    acts = sorted((a for a in (ts.activiteiten if ts else []) if _in(a.datum, van, tot)),
                  key=lambda a: a.datum or date.min)
    soll = sorted((s for s in (ts.sollicitaties if ts else []) if _in(s.datum, van, tot)),
                  key=lambda s: s.datum)
    wep = [w for w in (ts.werkervaringsplaatsen if ts else [])
           if van is not None and tot is not None and w.begin is not None and w.begin <= tot
           and (w.einde is None or w.einde >= van)]
    rec = _record(None, velden, "periode",
                  nummer=periode.nummer, van=van, tot=tot,
                  activiteiten=[_record(a, _SPOOR_ACTIVITEIT, "periode.activiteiten[]") for a in acts],
                  activiteiten_per_soort=_groepen(acts, "periode.activiteiten_per_soort"),
                  sollicitaties=[_record(s, _model_velden(m.Sollicitatie), "periode.sollicitaties[]")
                                 for s in soll],
                  werkervaringsplaatsen=[_record(w, _model_velden(m.Werkervaringsplaats),
                                                 "periode.werkervaringsplaatsen[]") for w in wep],
                  rapportage=_record(periode.rapportage, _RAPPORTAGE, "periode.rapportage"))
    rec._leeg = False
    return rec


# --- bijstellingen -------------------------------------------------------------------------


def bijstellingen(case: m.Case) -> list[m.Evaluatie]:
    """The evaluations with soort 'bijstelling', in date order (number n = index + 1)."""
    return sorted((e for e in case.evaluaties if e.soort == "bijstelling"), key=lambda e: e.datum)


def _bijstelling_record(case: m.Case, nummer: int | None) -> Record:
    lijst = bijstellingen(case)
    if not lijst or (nummer is not None and not 1 <= nummer <= len(lijst)):
        return _record(None, _BIJSTELLING, "bijstelling")
    n = len(lijst) if nummer is None else nummer
    ev = lijst[n - 1]
    vorige = lijst[n - 2].datum if n >= 2 else (case.plan_van_aanpak.datum
                                                if case.plan_van_aanpak else None)
    pa_bij = [b for b in (case.probleemanalyse.bijstellingen if case.probleemanalyse else [])
              if b.datum <= ev.datum]
    pa = max(pa_bij, key=lambda b: b.datum) if pa_bij else None
    pa_rec = _record(pa, _PA_BIJSTELLING, "bijstelling.probleemanalyse")
    if pa is not None:
        pa_rec["opgesteld_door"] = _record(pa.opgesteld_door or case.bedrijfsarts, BETROKKENE,
                                           "bijstelling.probleemanalyse.opgesteld_door")
    return _record(ev, _BIJSTELLING, "bijstelling", nummer=n, vorige_datum=vorige,
                   volgende_evaluatie=ev.datum + timedelta(days=EVALUATIE_INTERVAL_DAYS),
                   probleemanalyse=pa_rec)


def _activiteiten_overzicht(case: m.Case) -> list[Record]:
    out: list[Record] = []
    pva = case.plan_van_aanpak
    pad = "activiteiten_overzicht[]"
    if pva is not None:
        out += [_record(a, _ACTIVITEIT_OVERZICHT, pad, bron="Plan van aanpak", datum=pva.datum)
                for a in pva.activiteiten]
    nummers = {id(e): n for n, e in enumerate(bijstellingen(case), start=1)}
    for ev in sorted(case.evaluaties, key=lambda e: e.datum):
        bron = (f"Bijstelling {nummers[id(ev)]}" if ev.soort == "bijstelling" else "Evaluatie")
        out += [_record(a, _ACTIVITEIT_OVERZICHT, pad, bron=bron, datum=ev.datum)
                for a in ev.activiteiten]
    return out


# --- evaluation reports --------------------------------------------------------------------


def evaluatieverslagen(case: m.Case) -> list[m.Evaluatie]:
    """The evaluations with soort 'evaluatie' (not bijstellingen), in date order (nummer = index + 1)."""
    return sorted((e for e in case.evaluaties if e.soort == "evaluatie"), key=lambda e: e.datum)


#: A progress report (``voortgang[].stand``) starting with one of these closes the activity.
AFGEROND = ("gedaan", "afgerond", "vervallen")


def _sleutel(wat: str) -> str:
    return " ".join(wat.lower().split())


def _evaluatieverslag_record(case: m.Case, nummer: int | None) -> Record:
    lijst = evaluatieverslagen(case)
    if nummer is None or not 1 <= nummer <= len(lijst):
        return _record(None, _EVALUATIEVERSLAG, "evaluatieverslag")
    ev = lijst[nummer - 1]
    stand = {_sleutel(v.wat): v.stand for v in ev.voortgang}
    # An activity reported done (or dropped) at an earlier evaluation is not carried forward.
    klaar = {_sleutel(v.wat) for e in case.evaluaties if e.datum < ev.datum for v in e.voortgang
             if (v.stand or "").strip().lower().startswith(AFGEROND)}
    pad = "evaluatieverslag.afgesproken_activiteiten[]"
    overzicht = _activiteiten_overzicht(case)
    eje = case.eerstejaarsevaluatie
    if eje is not None and eje.datum is not None and eje.datum <= ev.datum:
        overzicht += [_record(a, _ACTIVITEIT_OVERZICHT, pad, bron="Eerstejaarsevaluatie", datum=eje.datum)
                      for a in eje.activiteiten]
    acts = [_record(a, _ACTIVITEIT_STAND, pad, stand=stand.get(_sleutel(str(a["wat"]))))
            for a in overzicht if (a["datum"] is None or a["datum"] <= ev.datum)
            and _sleutel(str(a["wat"])) not in klaar]
    # Progress on something not in the plan (e.g. an activity agreed orally) is not lost.
    bekend = {_sleutel(str(a["wat"])) for a in acts}
    acts += [_record({"wat": v.wat, "stand": v.stand}, _ACTIVITEIT_STAND, pad)
             for v in ev.voortgang if _sleutel(v.wat) not in bekend]
    pa = case.probleemanalyse
    pa_datums = [d for d in ([pa.datum] + [b.datum for b in pa.bijstellingen] if pa else [])
                 if d is not None and d <= ev.datum]
    return _record(ev, _EVALUATIEVERSLAG, "evaluatieverslag", nummer=nummer,
                   volgende_evaluatie=ev.volgende_evaluatie
                   or ev.datum + timedelta(days=EVALUATIE_INTERVAL_DAYS),
                   afgesproken_activiteiten=acts,
                   probleemanalyse_datum=max(pa_datums) if pa_datums else None)


def _percentage(nu: Decimal | None, voor: Decimal | None) -> int | None:
    if nu is None or not voor:
        return None
    return int((Decimal(100) * nu / voor).quantize(Decimal(1), rounding="ROUND_HALF_UP"))


def _eindevaluatie_toets(ctx: Record, case: m.Case) -> None:
    """The ≥ 65 % test of a satisfactory result (bevredigend resultaat), with its figures."""
    ev, wn = case.eindevaluatie, case.werknemer
    loon = _percentage(ev.bruto_maandloon_nu if ev else None, wn.bruto_maandloon)
    rec = ctx["eindevaluatie"]
    rec["loon_percentage"] = loon
    rec["uren_percentage"] = _percentage(ev.uren_per_week_nu if ev else None, wn.uren_per_week)
    if loon is not None:
        assert ev is not None and ev.bruto_maandloon_nu is not None and wn.bruto_maandloon
        rec["bevredigend_resultaat"] = ev.bruto_maandloon_nu * 100 >= wn.bruto_maandloon * 65


# --- the context ---------------------------------------------------------------------------


def _mijlpaal(mp: Mijlpaal | None, pad: str) -> Record:
    if mp is None:
        return _record(None, _MIJLPAAL, pad)
    return _record(None, _MIJLPAAL, pad, code=mp.code, label=mp.label, uiterlijk=mp.uiterlijk,
                   vanaf=mp.vanaf, gedaan_op=mp.gedaan_op, status=str(mp.status),
                   volgnummer=mp.volgnummer, ziekteweek=mp.ziekteweek, gevolg=str(mp.gevolg),
                   niveau=str(mp.niveau), bron=mp.bron, informatief=mp.informatief)


def _wia_fase(case: m.Case, tijdlijn: Tijdlijn, today: date) -> bool:
    brief = tijdlijn.get("wia_brief")
    return bool((case.eindevaluatie and case.eindevaluatie.datum)
                or (case.wia_aanvraag and case.wia_aanvraag.datum)
                or (brief is not None and today >= brief.uiterlijk))


def build_context(
    case: m.Case,
    tijdlijn: Tijdlijn,
    *,
    today: date,
    settings: Settings | None = None,
    periode: Periode | int | None = None,
    bijstelling: int | None = None,
    evaluatie: int | None = None,
    ondertekening: m.Ondertekening | None = None,
) -> dict[str, Any]:
    """Map a case and its timeline to the template variables documented in :data:`SCHEMA`.

    Args:
        case: a validated case.
        tijdlijn: ``compute_timeline(case, today=today)``.
        today: date of issue (``vandaag``).
        settings: run settings (the report interval for ``periode`` given as a number).
        periode: the inspanningsrapportage period to fill ``periode`` with: a :class:`Periode`
            or its number; None leaves ``periode`` empty.
        bijstelling: number (1-based, in date order) of the bijstelling for ``bijstelling``;
            None means the latest.
        evaluatie: number (1-based, in date order, bijstellingen not counted) of the evaluation
            for ``evaluatieverslag``; None leaves it empty.
        ondertekening: the signing record of the document being rendered (``ondertekening``).

    Returns:
        A dict with exactly the documented keys (plus the internal ``_kalender``).
    """
    settings = settings or Settings()
    if isinstance(periode, int):
        periods = rapportageperiodes(case, tijdlijn, today=today,
                                     interval_maanden=settings.rapportage_interval_maanden)
        periode = next((p for p in periods if p.nummer == periode), None)

    ctx = _record(case, tuple(v for v in SCHEMA if v.naam in type(case).model_fields), "")
    ctx["dossiernummer"] = case.dossiernummer

    # Defaults: who wrote what, when the case leaves it out.
    pa = case.probleemanalyse
    ctx["probleemanalyse"]["opgesteld_door"] = _record(
        (pa.opgesteld_door if pa else None) or case.bedrijfsarts, BETROKKENE,
        "probleemanalyse.opgesteld_door")
    for i, b in enumerate(pa.bijstellingen if pa else []):
        ctx["probleemanalyse"]["bijstellingen"][i]["opgesteld_door"] = _record(
            b.opgesteld_door or case.bedrijfsarts, BETROKKENE,
            "probleemanalyse.bijstellingen[].opgesteld_door")
    ao = case.actueel_oordeel
    ctx["actueel_oordeel"]["opgesteld_door"] = _record(
        (ao.opgesteld_door if ao else None) or case.bedrijfsarts, BETROKKENE,
        "actueel_oordeel.opgesteld_door")
    ad = case.arbeidsdeskundig_onderzoek
    ctx["arbeidsdeskundig_onderzoek"]["arbeidsdeskundige"] = _record(
        (ad.arbeidsdeskundige if ad else None) or case.arbeidsdeskundige, BETROKKENE,
        "arbeidsdeskundig_onderzoek.arbeidsdeskundige")
    ts = case.tweede_spoor
    rib = case.reintegratiebedrijf
    spoor = ctx["tweede_spoor"]
    spoor["consulent"] = _record((ts.consulent if ts else None) or rib, BETROKKENE,
                                 "tweede_spoor.consulent")
    spoor["bureau"] = (ts.bureau if ts else None) or (rib.organisatie if rib else None)
    spoor["trajectplan_datum"] = (ts.trajectplan_datum or ts.start) if ts else None
    spoor["activiteiten_per_soort"] = _groepen(
        sorted(ts.activiteiten, key=lambda a: a.datum or date.min) if ts else [],
        "tweede_spoor.activiteiten_per_soort")
    ctx["evaluaties"] = [_record(e, _velden("evaluaties"), "evaluaties[]")
                         for e in sorted(case.evaluaties, key=lambda e: e.datum)]
    overzicht = _activiteiten_overzicht(case)
    eje = case.eerstejaarsevaluatie
    grens = (eje.datum if eje and eje.datum else tijdlijn.calendar.date_of(363))
    ctx["eerstejaarsevaluatie"]["evaluaties_jaar1"] = [
        _record(e, _velden("evaluaties"), "eerstejaarsevaluatie.evaluaties_jaar1[]")
        for e in sorted(case.evaluaties, key=lambda e: e.datum) if e.datum <= grens]
    ctx["eerstejaarsevaluatie"]["activiteiten_jaar1"] = [
        a for a in overzicht if a["datum"] is None or a["datum"] <= grens]

    # Computed values.
    wia = _wia_fase(case, tijdlijn, today)
    ctx.update(
        vandaag=today,
        eerste_ziektedag=tijdlijn.eerste_ziektedag,
        ziekteweek=tijdlijn.huidige_ziekteweek,
        einde_wachttijd=tijdlijn.einde_wachttijd,
        ingangsdatum_wia=tijdlijn.ingangsdatum_wia,
        hersteld_op=tijdlijn.hersteld_op,
        bijstelling=_bijstelling_record(case, bijstelling),
        evaluatieverslag=_evaluatieverslag_record(case, evaluatie),
        activiteiten_overzicht=overzicht,
        periode=_periode_record(case, periode),
        ondertekening=_record(ondertekening, _velden("ondertekening"), "ondertekening"),
        tijdlijn=[_mijlpaal(mp, "tijdlijn[]") for mp in tijdlijn.mijlpalen],
        termijnen=_record(None, _velden("termijnen"), "termijnen", **{
            code: _mijlpaal(tijdlijn.get(code), f"termijnen.{code}") for code in RULES}),
        voorblad=_record(None, _velden("voorblad"), "voorblad",
                         titel="Re-integratieverslag" if wia else "Re-integratiedossier",
                         ondertitel=("Bijlage bij de WIA-aanvraag" if wia
                                     else "Wet verbetering poortwachter")),
        _kalender=tijdlijn.calendar,
    )
    ctx["termijnen"]._leeg = False
    _eindevaluatie_toets(ctx, case)
    return dict(ctx)


# --- required elements ---------------------------------------------------------------------

#: The rule since 1 July 2023: both views in the plan van aanpak, bijstellingen and the EJE.
VISIE_VERPLICHT_VANAF = date(2023, 7, 1)
_VISIE = "(verplicht sinds 1 juli 2023)"


def missing_data(
    case: m.Case, tijdlijn: Tijdlijn, *, today: date, interval_maanden: int = 2
) -> list[tuple[str, str]]:
    """Required document elements that are empty, for ``dossier check``.

    Only documents the case has data for are checked (a plan van aanpak that has not been
    made yet is a timeline matter, not missing data). The templates print a fill-in line
    where these are missing.

    Returns:
        (dotted field, Dutch message) pairs, e.g. ``("plan_van_aanpak.visie_werknemer",
        "visie van de werknemer ontbreekt (verplicht sinds 1 juli 2023)")``.
    """
    n = _Needs()
    _need_basis(n, case)
    _need_plan_van_aanpak(n, case)
    _need_bijstellingen(n, case)
    _need_eerstejaarsevaluatie(n, case)
    _need_tweede_spoor(n, case, tijdlijn, today, interval_maanden)
    _need_eindevaluatie(n, case)
    _need_status(n, case)
    return n.out


class _Needs:
    """Collects (field, message) for empty required elements, one message per field."""

    def __init__(self) -> None:
        self.out: list[tuple[str, str]] = []

    def need(self, pad: str, value: Any, message: str) -> None:
        if is_leeg(value) and all(p != pad for p, _ in self.out):
            self.out.append((pad, message))


def _visie_nodig(datum: date | None) -> bool:
    return datum is None or datum >= VISIE_VERPLICHT_VANAF


def _need_basis(n: _Needs, case: m.Case) -> None:
    """Basic data of employee and employer."""
    wn, wg = case.werknemer, case.werkgever
    n.need("werknemer.bsn", wn.bsn, "BSN van de werknemer ontbreekt (UWV vraagt het op elk document "
                                    "van het re-integratieverslag)")
    n.need("werknemer.functie", wn.functie, "functie van de werknemer ontbreekt (basisgegevens van "
                                            "het re-integratieverslag)")
    n.need("werknemer.geboortedatum", wn.geboortedatum, "geboortedatum van de werknemer ontbreekt "
                                                        "(voorblad)")
    n.need("werkgever.loonheffingennummer", wg.loonheffingennummer,
           "loonheffingennummer van de werkgever ontbreekt (UWV vraagt het op het plan van aanpak)")


def _need_plan_van_aanpak(n: _Needs, case: m.Case) -> None:
    """The plan van aanpak (when the case has one)."""
    pva = case.plan_van_aanpak
    if not is_leeg(pva):
        assert pva is not None
        pa = case.probleemanalyse
        n.need("plan_van_aanpak.datum", pva.datum, "datum van het plan van aanpak ontbreekt")
        n.need("probleemanalyse.datum", pa.datum if pa else None,
               "datum van de probleemanalyse ontbreekt (het plan van aanpak is erop gebaseerd)")
        n.need("probleemanalyse.opgesteld_door", (pa.opgesteld_door if pa else None)
               or case.bedrijfsarts, "bedrijfsarts van de probleemanalyse ontbreekt")
        n.need("plan_van_aanpak.doel_kort", pva.doel_kort,
               "re-integratiedoel op korte termijn ontbreekt")
        n.need("plan_van_aanpak.doel_lang", pva.doel_lang,
               "re-integratiedoel op lange termijn ontbreekt")
        n.need("plan_van_aanpak.activiteiten", pva.activiteiten,
               "geen activiteiten afgesproken (wie doet wat, en wanneer)")
        n.need("casemanager.naam", case.casemanager.naam if case.casemanager else None,
               "casemanager ontbreekt (moet in het plan van aanpak staan)")
        n.need("plan_van_aanpak.contactfrequentie", pva.contactfrequentie,
               "afspraken over het contact tussen werkgever en werknemer ontbreken")
        n.need("plan_van_aanpak.evaluatiemomenten", pva.evaluatiemomenten,
               "geen geplande evaluatiemomenten (minstens eens per 6 weken)")
        if _visie_nodig(pva.datum):
            n.need("plan_van_aanpak.visie_werkgever", pva.visie_werkgever,
                   f"visie van de werkgever ontbreekt {_VISIE}")
            n.need("plan_van_aanpak.visie_werknemer", pva.visie_werknemer,
                   f"visie van de werknemer ontbreekt {_VISIE}")
        n.need("werkgever.contactpersoon", case.werkgever.contactpersoon,
               "wie namens de werkgever ondertekent ontbreekt (naam en functie)")


def _need_bijstellingen(n: _Needs, case: m.Case) -> None:
    """Every bijstelling of the plan van aanpak."""
    index = {id(e): i for i, e in enumerate(case.evaluaties)}
    for nr, ev in enumerate(bijstellingen(case), start=1):
        p = f"evaluaties.{index[id(ev)]}"
        n.need(f"{p}.wijzigingen", ev.wijzigingen,
               f"bijstelling {nr}: wat er verandert in het plan van aanpak ontbreekt")
        n.need(f"{p}.reden", ev.reden, f"bijstelling {nr}: de reden van de bijstelling ontbreekt")
        if _visie_nodig(ev.datum):
            n.need(f"{p}.visie_werkgever", ev.visie_werkgever,
                   f"bijstelling {nr}: visie van de werkgever ontbreekt {_VISIE}")
            n.need(f"{p}.visie_werknemer", ev.visie_werknemer,
                   f"bijstelling {nr}: visie van de werknemer ontbreekt {_VISIE}")


def _need_eerstejaarsevaluatie(n: _Needs, case: m.Case) -> None:
    """The eerstejaarsevaluatie (when the case has one)."""
    eje = case.eerstejaarsevaluatie
    if not is_leeg(eje):
        assert eje is not None
        p = "eerstejaarsevaluatie"
        n.need(f"{p}.datum", eje.datum, "datum van de eerstejaarsevaluatie ontbreekt")
        n.need(f"{p}.terugblik", eje.terugblik, "terugblik op de activiteiten van het eerste jaar "
                                                "ontbreekt")
        n.need(f"{p}.afspraken_nagekomen", eje.afspraken_nagekomen,
               "of de afspraken zijn nagekomen ontbreekt")
        n.need(f"{p}.doelen_behaald", eje.doelen_behaald,
               "of de doelen zijn gehaald (en zo niet, waarom niet) ontbreekt")
        n.need(f"{p}.spoor1", eje.spoor1, "conclusie over spoor 1 ontbreekt")
        n.need(f"{p}.spoor2_nodig", eje.spoor2_nodig, "besluit of een tweede spoor nodig is ontbreekt")
        n.need(f"{p}.motivering", eje.motivering, "motivering van het besluit over spoor 1 en 2 "
                                                  "ontbreekt")
        n.need(f"{p}.doel_jaar2", eje.doel_jaar2, "re-integratiedoel voor het tweede jaar ontbreekt")
        if _visie_nodig(eje.datum):
            n.need(f"{p}.visie_werkgever", eje.visie_werkgever,
                   f"visie van de werkgever ontbreekt {_VISIE}")
            n.need(f"{p}.visie_werknemer", eje.visie_werknemer,
                   f"visie van de werknemer ontbreekt {_VISIE}")


def _need_tweede_spoor(n: _Needs, case: m.Case, tijdlijn: Tijdlijn, today: date, interval_maanden: int) -> None:
    """Track 2: the trajectplan and a report per period."""
    ts = case.tweede_spoor
    if not is_leeg(ts):
        assert ts is not None
        p = "tweede_spoor"
        n.need(f"{p}.start", ts.start, "startdatum van het tweede spoor ontbreekt")
        n.need(f"{p}.bureau", ts.bureau or (case.reintegratiebedrijf.organisatie
                                             if case.reintegratiebedrijf else None),
               "re-integratiebedrijf van het tweede spoor ontbreekt")
        n.need(f"{p}.doel", ts.doel, "re-integratiedoel van het tweede spoor ontbreekt")
        n.need(f"{p}.huidige_situatie", ts.huidige_situatie, "huidige situatie ontbreekt (trajectplan)")
        n.need(f"{p}.persoonsprofiel", ts.persoonsprofiel, "persoonsprofiel ontbreekt (trajectplan)")
        n.need(f"{p}.zoekprofiel", ts.zoekprofiel, "zoekprofiel ontbreekt (trajectplan)")
        n.need(f"{p}.stappen", ts.stappen, "stappen van het trajectplan ontbreken")
        n.need(f"{p}.verwachte_duur", ts.verwachte_duur, "verwachte duur van het traject ontbreekt")
        n.need(f"{p}.budget", ts.budget, "budget van het traject ontbreekt")
        nummers = {id(r): i for i, r in enumerate(case.inspanningsrapportages)}
        for per in rapportageperiodes(case, tijdlijn, today=today, interval_maanden=interval_maanden):
            r = per.rapportage
            wanneer = f"{_d(per.van)} t/m {_d(per.tot)}"
            if r is None:
                n.need(f"inspanningsrapportages[{per.nummer}]", None,
                       f"geen inspanningsrapportage voor periode {per.nummer} ({wanneer})")
                continue
            q = f"inspanningsrapportages.{nummers[id(r)]}"
            for veld, wat in (("contacten", "de contacten ontbreken"),
                              ("resultaten", "de resultaten afgezet tegen het doel ontbreken"),
                              ("belemmeringen", "de belemmeringen ontbreken"),
                              ("vervolgstappen", "de vervolgstappen ontbreken"),
                              ("visie_werknemer", "de visie van de werknemer ontbreekt")):
                n.need(f"{q}.{veld}", getattr(r, veld),
                       f"inspanningsrapportage {per.nummer} ({wanneer}): {wat}")


def _need_eindevaluatie(n: _Needs, case: m.Case) -> None:
    """The eindevaluatie (when the case has one)."""
    ev = case.eindevaluatie
    if not is_leeg(ev):
        assert ev is not None
        ao = case.actueel_oordeel
        n.need("eindevaluatie.datum", ev.datum, "datum van de eindevaluatie ontbreekt")
        n.need("actueel_oordeel.datum", ao.datum if ao else None,
               "datum van het actueel oordeel ontbreekt (de eindevaluatie is erop gebaseerd)")
        n.need("actueel_oordeel.opgesteld_door", (ao.opgesteld_door if ao else None)
               or case.bedrijfsarts, "bedrijfsarts van het actueel oordeel ontbreekt")
        n.need("eindevaluatie.stand_van_zaken", ev.stand_van_zaken,
               "stand van zaken bij de WIA-aanvraag ontbreekt")
        n.need("eindevaluatie.resultaat", ev.resultaat, "bereikt resultaat in spoor 1 en 2 ontbreekt")
        n.need("eindevaluatie.visie_werkgever", ev.visie_werkgever,
               "visie van de werkgever ontbreekt")
        n.need("eindevaluatie.visie_werknemer", ev.visie_werknemer,
               "visie van de werknemer ontbreekt")


def _need_status(n: _Needs, case: m.Case) -> None:
    """The eerstejaarsevaluatie and the eindevaluatie show a status per agreed activity."""
    overzicht = _activiteiten_overzicht(case)
    for naam, doc in (("eerstejaarsevaluatie", case.eerstejaarsevaluatie),
                      ("eindevaluatie", case.eindevaluatie)):
        if is_leeg(doc):
            continue
        grens = getattr(doc, "datum", None) or date.max
        acts = [a for a in overzicht if a["datum"] is None or a["datum"] <= grens]
        leeg = [a for a in acts if is_leeg(a["status"])]
        if leeg:
            wat = "activiteit" if len(acts) == 1 else "afgesproken activiteiten"
            n.need(f"{naam}.activiteiten_status", None,
                   f"{naam}: de status ontbreekt bij {len(leeg)} van de {len(acts)} {wat} "
                   "(vul 'status' in bij de activiteiten van het plan van aanpak en de bijstellingen)")


def _d(value: date | None) -> str:
    return "?" if value is None else datum_cijfers(value)


# --- documentation -------------------------------------------------------------------------


def contract_markdown() -> str:
    """The variable table of ``docs/templates.md`` (Markdown), generated from :data:`SCHEMA`."""
    lines = ["| Variabele | Soort | Omschrijving |", "| --- | --- | --- |"]
    for pad, veld in alle_namen():
        text = veld.omschrijving.replace("|", "\\|")
        lines.append(f"| `{pad}` | {veld.soort} | {text} |")
    return "\n".join(lines) + "\n"


def dichtstbijzijnde(pad: str, extra: Iterable[str] = ()) -> str | None:
    """The documented name closest to an unknown dotted name, for "bedoelt u …?".

    Looks among the siblings of the deepest known parent first (``werknemer.nam`` →
    ``werknemer.naam``), then among all names (``werknemer_naam`` → ``werknemer.naam``).

    Args:
        pad: the unknown name in schema notation (``plan_van_aanpak.activiteiten[].wst``).
        extra: other valid top-level names (loop variables, Jinja globals).
    """
    delen = pad.split(".")
    alle = [p for p, _ in alle_namen()]
    for k in range(len(delen) - 1, 0, -1):
        ouder = ".".join(delen[:k])
        veld = zoek_veld(ouder)
        if veld is not None and veld.heeft_velden:
            sep = "[]." if veld.soort == LIJST and not ouder.endswith("[]") else "."
            kandidaten = [f"{ouder}{sep}{v.naam}" for v in veld.velden]
            gevonden = difflib.get_close_matches(pad, kandidaten, n=1, cutoff=0.6)
            if gevonden:
                return gevonden[0]
            break
    if len(delen) == 1:
        kandidaten = [v.naam for v in SCHEMA] + list(extra)
        gevonden = difflib.get_close_matches(pad, kandidaten, n=1, cutoff=0.6)
        if gevonden:
            return gevonden[0]
    gevonden = difflib.get_close_matches(pad, alle, n=1, cutoff=0.75)
    return gevonden[0] if gevonden else None
